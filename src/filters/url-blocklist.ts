/**
 * UT1-format URL blocklists (the Université Toulouse 1 Capitole lists datatrove, FineWeb and
 * RefinedWeb filter with; the squidGuard list format): a folder (or its `.tar.gz`) with one folder
 * per category, each holding a `domains` and/or a `urls` file, one entry per line, `#` comments.
 *
 * Matching follows squidGuard's rules (squidguard.org "How blocking works"): a domain entry blocks
 * that host and every subdomain of it (`example.com` blocks `www.example.com`, `a.b.example.com`); a
 * url entry (`host/path`, no scheme, no `www.`) blocks that path and everything under it. Hosts and
 * entries are lower-cased, a leading `www.` (`www2.` ...) is ignored on both sides, IP hosts match
 * only themselves. datatrove's URLFilter instead compares the registered domain (public suffix
 * list) and the full host, and the whole URL string with its scheme against the url list (which
 * then never matches UT1's scheme-less entries).
 *
 * Entries are kept as 64-bit hashes tagged with the category (io/hash-index.ts): the UT1 `adult`
 * list (4.6M domains) becomes a 37 MB index instead of gigabytes of JavaScript strings.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { hash64 } from '../core/hash64.js';
import { ConfigError } from '../core/errors.js';
import { openDecompressed } from '../io/compression.js';
import { HashIndexBuilder, type HashIndex } from '../io/hash-index.js';
import { readTar } from '../io/tar.js';

type ListKind = 'domains' | 'urls';

const WWW = /^www\d*\./;

/** A domains-file entry as it is compared: lower-case, no leading dot or `www.`, no trailing dot. */
function normalizeDomainEntry(line: string): string {
  return line.trim().toLowerCase().replace(/^\.+/, '').replace(/\.+$/, '').replace(WWW, '');
}

/** A urls-file entry as it is compared: lower-case `host/path`, no scheme, no `www.`, no trailing `/`. */
function normalizeUrlEntry(line: string): string {
  return line
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
    .replace(WWW, '')
    .replace(/\/+$/, '');
}

/** The lines of a list file that are entries (not blank, not comments). */
function listEntries(text: string): string[] {
  return text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
}

const keyOf = (kind: ListKind, entry: string) => (kind === 'domains' ? 'd\u0000' : 'u\u0000') + entry;

export interface ListFile {
  category: string;
  kind: ListKind;
  /** Where the entries come from (for messages). */
  label: string;
  text: string;
}

/** The list files of a UT1 folder or `.tar.gz`, restricted to `categories` when given, in (category, kind) order. */
export async function readUt1(path: string, categories?: readonly string[]): Promise<ListFile[]> {
  if (!existsSync(path)) throw new ConfigError(`url_filter: blocklists ${path} not found`);
  const want = categories ? new Set(categories) : undefined;
  const files: ListFile[] = [];
  if (statSync(path).isDirectory()) {
    // The UT1 archive unpacks to `blacklists/<category>/...`; accept that folder or its parent.
    const root = existsSync(join(path, 'blacklists')) && statSync(join(path, 'blacklists')).isDirectory() ? join(path, 'blacklists') : path;
    for (const category of readdirSync(root).sort()) {
      if (want && !want.has(category)) continue;
      for (const kind of ['domains', 'urls'] as const) {
        const f = join(root, category, kind);
        if (existsSync(f) && statSync(f).isFile()) files.push({ category, kind, label: f, text: readFileSync(f, 'utf8') });
      }
    }
  } else {
    for await (const m of readTar(openDecompressed(path), { label: path, select: (p) => /(^|\/)[^/]+\/(domains|urls)$/.test(p) })) {
      const parts = m.path.split('/');
      const kind = parts.at(-1) as ListKind;
      const category = parts.at(-2)!;
      if (want && !want.has(category)) continue;
      files.push({ category, kind, label: `${path}:${m.path}`, text: m.data.toString('utf8') });
    }
    files.sort((a, b) => (a.category !== b.category ? (a.category < b.category ? -1 : 1) : a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
  }
  if (want) for (const c of want) if (!files.some((f) => f.category === c)) throw new ConfigError(`url_filter: category "${c}" has no domains or urls list in ${path}`);
  return files;
}

export interface BlocklistSummary {
  categories: string[];
  entries: Record<string, { domains: number; urls: number }>;
}

/** Hashes every entry, tagged with its category's position in `categories`. */
export function buildBlocklistIndex(files: readonly ListFile[], categories: readonly string[]): { builder: HashIndexBuilder; summary: BlocklistSummary } {
  const builder = new HashIndexBuilder();
  const h = new Uint32Array(2);
  const summary: BlocklistSummary = { categories: [...categories], entries: {} };
  for (const f of files) {
    const tag = categories.indexOf(f.category);
    if (tag < 0) throw new Error(`category ${f.category} missing from the category list`);
    const counts = summary.entries[f.category] ?? { domains: 0, urls: 0 };
    summary.entries[f.category] = counts;
    for (const line of listEntries(f.text)) {
      const entry = f.kind === 'domains' ? normalizeDomainEntry(line) : normalizeUrlEntry(line);
      if (entry === '') continue;
      hash64(keyOf(f.kind, entry), h);
      builder.add(h[0]!, h[1]!, tag);
      counts[f.kind]++;
    }
  }
  return { builder, summary };
}

export interface UrlMatch {
  category: string;
  /** `domain`: the host itself is listed; `parent_domain`: a domain above it; `url`: a listed path. */
  match: 'domain' | 'parent_domain' | 'url';
  entry: string;
}

const IPV4_HOST = /^\d{1,3}(\.\d{1,3}){3}$/;

/** The host of a URL as lists compare it, and its path; null when the URL does not parse. */
function urlParts(url: string): { host: string; path: string; search: string } | null {
  let u: URL;
  try {
    u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`);
  } catch {
    return null;
  }
  if (!u.hostname) return null;
  return { host: u.hostname.toLowerCase().replace(/\.+$/, '').replace(WWW, ''), path: u.pathname.toLowerCase(), search: u.search.toLowerCase() };
}

/** The first list entry that blocks `url` (domains before urls, the host before its parents), or null. */
export function matchBlocklist(url: string, index: HashIndex, categories: readonly string[]): UrlMatch | null | 'bad_url' {
  const parts = urlParts(url);
  if (!parts) return 'bad_url';
  const h = new Uint32Array(2);
  const probe = (kind: ListKind, entry: string): string | undefined => {
    hash64(keyOf(kind, entry), h);
    const tags = index.tags(h[0]!, h[1]!);
    return tags.length ? categories[tags[0]!] : undefined;
  };
  const { host } = parts;
  const isIp = IPV4_HOST.test(host) || host.startsWith('[');
  const labels = host.split('.');
  const lastDomain = isIp ? 1 : Math.max(1, labels.length - 1);
  for (let i = 0; i < lastDomain; i++) {
    const d = labels.slice(i).join('.');
    const category = probe('domains', d);
    if (category) return { category, match: i === 0 ? 'domain' : 'parent_domain', entry: d };
  }
  const path = parts.path.replace(/\/+$/, '');
  const candidates = parts.search ? [host + path + parts.search] : [];
  for (let p = path; ; p = p.slice(0, p.lastIndexOf('/'))) {
    candidates.push(host + p);
    if (p === '') break;
  }
  for (const c of candidates) {
    const category = probe('urls', c);
    if (category) return { category, match: 'url', entry: c };
  }
  return null;
}

/** datatrove's URL normaliser: everything but ASCII letters and digits removed, lower-cased. */
export function alnumLower(s: string): string {
  return s.replace(/[^a-zA-Z0-9]+/g, '').toLowerCase();
}

/** The words of a URL as datatrove's URLFilter splits them (runs of ASCII letters and digits), lower-cased. */
export function urlWords(url: string): Set<string> {
  return new Set(
    url
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter(Boolean),
  );
}
