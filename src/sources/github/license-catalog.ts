/**
 * The licence templates licence detection compares against: the 47 choosealicense.com texts that
 * licensee vendors (shipped in ./licenses/, bodies byte-identical, front matter cut to title,
 * SPDX id, nickname and hidden), each normalised once, plus licensee's title regex built from
 * their names (used both to strip a title line and to recognise a licence named in a README).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { escapeRegex, foldAlternatives, normalizeLicenseText, normalizedHash, templateFields, wordSet } from './license-text.js';

export interface LicenseTemplate {
  /** choosealicense key: `mit`, `apache-2.0`, ... */
  key: string;
  spdx: string;
  title: string;
  nickname?: string;
  body: string;
  normalized: string;
  words: Set<string>;
  /** Template field names (`year`, `fullname`) as a set, and their count with repeats. */
  fields: Set<string>;
  fieldCount: number;
  /** Words of the text after foldAlternatives(), without the template field names (for Dice). */
  fieldless: Set<string>;
  /** Length of the folded text (for Dice's length penalty). */
  foldedLength: number;
  hash: string;
  /** Matches the licence's names (licensee `License#title_regex`), case-insensitive. */
  titleRegex: RegExp;
}

export interface LicenseCatalog {
  templates: LicenseTemplate[];
  byKey: Map<string, LicenseTemplate>;
  /** licensee `ContentHelper.title_regex`: a leading line that names any known licence. */
  stripTitle: RegExp;
}

/** The shipped templates: beside this module under tsx, or under src/ when running from dist/. */
function licenseDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const direct = join(here, 'licenses');
  if (existsSync(direct)) return direct;
  return join(here, '..', '..', '..', 'src', 'sources', 'github', 'licenses');
}

/** licensee `name_without_version`: "GNU General Public License v3.0" -> "GNU General Public License". */
function nameWithoutVersion(name: string): string {
  return /^(.+?)(( v?\d\.\d)|$)/.exec(name)![1]!;
}

/** Ruby Regexp.escape (which also escapes spaces as `\ `; the later substitutions rely on it). */
function rubyEscape(s: string): string {
  return escapeRegex(s).replace(/ /g, '\\ ').replace(/#/g, '\\#');
}

/** licensee `License#title_regex`: the full title, a looser title, the key, and the nickname. */
function titleRegexSource(key: string, title: string, nickname?: string): string {
  let string = title.toLowerCase().replace('*', 'u');
  const simple = string;
  string = string
    .replace(/^the /i, '')
    .replace(/,? version /, ' ')
    .replace(/v(\d+\.\d+)/, '$1');
  string = rubyEscape(string);
  string = string.replace(/\\ licen[sc]e/i, '(?:\\ licen[sc]e)?');
  string = string.replace(/\\ (\d+\\\.\d+)/, ',?\\s+(?:version\\ |v(?:\\. )?)?$1');
  string = string.replace(/\bgnu\\ /, '(?:GNU )?');
  const keyRe = `${key.replace('-', '[- ]').replace('.', '\\.')}(?:\\ licen[sc]e)?`;
  const parts = [simple, string, keyRe];
  if (nickname) parts.push(nickname.replace(/\bGNU /i, '(?:GNU )?'));
  return parts.map((p) => `(?:${p})`).join('|');
}

let cached: LicenseCatalog | undefined;

/** Loads and normalises the templates (once per process; ~50 ms). */
export function licenseCatalog(): LicenseCatalog {
  if (cached) return cached;
  const dir = licenseDir();
  const raw = readdirSync(dir)
    .filter((n) => n.endsWith('.txt'))
    .sort()
    .map((n) => {
      const text = readFileSync(join(dir, n), 'utf8');
      const m = /^---\n([\s\S]*?)\n---\n+([\s\S]*)$/.exec(text);
      if (!m) throw new Error(`licence template ${n} has no front matter`);
      const fm = YAML.parse(m[1]!) as { title: string; 'spdx-id': string; nickname?: string };
      return { key: n.slice(0, -4), title: fm.title, spdx: fm['spdx-id'], nickname: fm.nickname, body: m[2]! };
    });
  const titleSources = raw.map((r) => titleRegexSource(r.key, r.title, r.nickname));
  for (const r of raw) {
    const nv = nameWithoutVersion(r.title);
    if (nv !== r.title) titleSources.push(rubyEscape(nv));
  }
  // Ruby `\A\s*\(?(?:the )?(union).*?$` with the line end written out for JavaScript.
  const stripTitle = new RegExp(`^[ \\t\\r\\n\\f\\v]*\\(?(?:the )?(?:${titleSources.map((s) => `(?:${s})`).join('|')})[^\\n]*`, 'i');
  const templates = raw.map((r): LicenseTemplate => {
    const normalized = normalizeLicenseText(r.body, { title: stripTitle });
    const words = wordSet(normalized);
    const fieldList = templateFields(normalized);
    const fields = new Set(fieldList);
    const folded = foldAlternatives(normalized);
    return {
      ...r,
      normalized,
      words,
      fields,
      fieldCount: fieldList.length,
      fieldless: new Set([...wordSet(folded)].filter((w) => !fields.has(w))),
      foldedLength: folded.length,
      hash: normalizedHash(normalized),
      titleRegex: new RegExp(titleRegexSource(r.key, r.title, r.nickname), 'i'),
    };
  });
  cached = { templates, byKey: new Map(templates.map((t) => [t.key, t])), stripTitle };
  return cached;
}
