/**
 * Wikipedia (4.5% of LLaMA's tokens): the pages-articles multistream dumps of 20 languages, main
 * namespace only, redirects dropped, wikitext rendered as plain text (wikitext.ts).
 *
 * Listing (HF wikipedia.py, which RedPajama ran): `<base>/<lang>wiki/<date>/dumpstatus.json`, job
 * `articlesmultistreamdump` (must be `done`), every file whose name has `.xml`; we also take each
 * file's multistream index and pass the published sha1/md5 to the fetcher. Planning splits each dump
 * by its index into ranges of whole bz2 streams (multistream.ts); a file without an index (a plain
 * `.xml` or `.xml.bz2` export) is one task. Page selection follows HF: `ns == 0`, no `<redirect>`,
 * non-null text.
 *
 * Meta: title, url (`https://<lang>.wikipedia.org/wiki/<quote(title)>`, as HF builds it), language,
 * timestamp (the dump date as ISO 8601, the revision's timestamp when the file name has no date),
 * page_id. Document ids: `wikipedia/<file>/<page id>`.
 */
import { access } from 'node:fs/promises';
import { z } from 'zod';
import { provenanceId, type Doc } from '../../core/document.js';
import { CorpusError } from '../../core/errors.js';
import { DecompressionBombError, openDecompressed } from '../../io/compression.js';
import { DEFAULT_MAX_RECORD_BYTES } from '../../io/limits.js';
import { defineSource, type ReadContext, type ReadTask, type SourceEnv } from '../../pipeline/source.js';
import type { LocalFile, RemoteFile } from '../../fetch/files.js';
import { fetchListing, urlsOrListing } from '../../fetch/urls.js';
import { asUtf8, PageError, parsePage, parseSiteInfo, splitPages, type Page, type SiteInfo } from './dump.js';
import { CANONICAL_CATEGORY, CANONICAL_MEDIA, CATEGORY_ALIASES, LLAMA_LANGUAGES, MEDIA_ALIASES, NS_CATEGORY, NS_FILE, NS_MEDIA } from './languages.js';
import { indexNameFor, isIndexName, readHeaderStream, streamRanges } from './multistream.js';
import { newWikitextStats, prefixSet, wikitextToText, type WikitextOptions, type WikitextStats } from './wikitext.js';

/** RedPajama's dump (rp_v1 data_prep/wiki/download.py: DUMP_DATE = "20230320"). */
const RP_DUMP_DATE = '20230320';
/** HF: pages of the main (article) namespace only. */
const MAIN_NAMESPACE = 0;

const params = z
  .object({
    languages: z
      .array(z.string().regex(/^[a-z][a-z-]*$/))
      .min(1)
      .default([...LLAMA_LANGUAGES]),
    /** Dump date (YYYYMMDD) as named on dumps.wikimedia.org; old dumps are on mirrors (base_url). */
    date: z
      .string()
      .regex(/^\d{8}$/)
      .default(RP_DUMP_DATE),
    base_url: z.string().default('https://dumps.wikimedia.org'),
    /** Explicit dump files (URLs or paths, `*` globs) instead of the dumpstatus listing. */
    urls: z.array(z.string()).min(1).optional(),
    /** Language of explicit `urls` when neither the file name (`<lang>wiki-`) nor siteinfo tells. */
    language: z.string().optional(),
    /** 'name' (HF): category links become their names at the end of the text; 'drop': removed. */
    categories: z.enum(['name', 'drop']).default('name'),
  })
  .strict();
type Params = z.infer<typeof params>;

interface DumpStatusFile {
  size?: number;
  url?: string;
  md5?: string;
  sha1?: string;
}

/** The dump's data and index files from dumpstatus.json, checksums included. */
export function filesFromDumpStatus(json: unknown, base: string, lang: string, date: string): RemoteFile[] {
  const jobs = (json as { jobs?: Record<string, { status?: string; files?: Record<string, DumpStatusFile> }> })?.jobs;
  const job = jobs?.articlesmultistreamdump;
  const where = `${base}/${lang}wiki/${date}/dumpstatus.json`;
  if (!job) throw new CorpusError('no articlesmultistreamdump job (is this a dumpstatus.json?)', { file: where });
  if (job.status !== 'done') throw new CorpusError(`articlesmultistreamdump is "${job.status}", not "done": pick a finished dump date`, { file: where });
  const names = Object.keys(job.files ?? {})
    .filter((n) => n.includes('.xml') || isIndexName(n))
    .sort();
  return names.map((name) => {
    const f = job.files![name]!;
    const rf: RemoteFile = { url: `${base}/${lang}wiki/${date}/${name}`, name };
    if (typeof f.size === 'number') rf.size = f.size;
    if (f.sha1) rf.sha1 = f.sha1;
    if (f.md5) rf.md5 = f.md5;
    return rf;
  });
}

/** Python's urllib.parse.quote (safe="/"), which HF uses for article URLs. */
function pyQuote(s: string): string {
  return encodeURIComponent(s)
    .replace(/%2F/g, '/')
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function langFromName(name: string): string | null {
  const m = /^([a-z][a-z_-]*?)wiki-/.exec(name);
  return m ? m[1]!.replace(/_/g, '-') : null;
}

function dateFromName(name: string): string | null {
  const m = /wiki-(\d{4})(\d{2})(\d{2})-/.exec(name);
  return m ? `${m[1]}-${m[2]}-${m[3]}T00:00:00Z` : null;
}

/** Link prefixes for one wiki: English canonical names, HF's aliases, and the dump's local names. */
export function linkOptions(lang: string, site: SiteInfo | null, categories: 'name' | 'drop'): WikitextOptions {
  const media = [...CANONICAL_MEDIA, ...(MEDIA_ALIASES[lang] ?? [])];
  const cats = [...CANONICAL_CATEGORY, ...(CATEGORY_ALIASES[lang] ?? [])];
  if (site) {
    for (const k of [NS_MEDIA, NS_FILE]) if (site.namespaces[k]) media.push(site.namespaces[k]!);
    if (site.namespaces[NS_CATEGORY]) cats.push(site.namespaces[NS_CATEGORY]!);
  }
  return { mediaPrefixes: prefixSet(media), categoryPrefixes: prefixSet(cats), categories };
}

interface TaskExtra {
  /** Siteinfo when the range does not include the header stream. */
  site?: SiteInfo | null;
  language?: string | null;
  multistream?: boolean;
}

async function plan(files: LocalFile[], p: Params, env: SourceEnv): Promise<ReadTask[]> {
  const byName = new Map(files.map((f) => [f.name, f]));
  const tasks: ReadTask[] = [];
  for (const f of [...files].sort((a, b) => a.name.localeCompare(b.name))) {
    if (isIndexName(f.name)) continue;
    const base = { path: f.path, name: f.name, url: f.url };
    const idxName = indexNameFor(f.name);
    const idx = idxName ? byName.get(idxName) : undefined;
    if (!idx) {
      tasks.push({ ...base, bytes: f.size, extra: { language: langFromName(f.name) ?? p.language ?? null } satisfies TaskExtra });
      continue;
    }
    const { ranges, firstStream } = await streamRanges(idx.path, f.size, env.taskBytes);
    const site = parseSiteInfo((await readHeaderStream(f.path, firstStream)).toString('utf8'));
    const language = langFromName(f.name) ?? p.language ?? site.lang;
    for (const r of ranges) {
      tasks.push({ ...base, bytes: r.end - r.start, range: r, extra: { site: r.start === 0 ? null : site, language, multistream: true } satisfies TaskExtra });
    }
  }
  return tasks;
}

async function* read(task: ReadTask, p: Params, ctx: ReadContext): AsyncGenerator<Doc> {
  const extra = (task.extra ?? {}) as TaskExtra;
  try {
    await access(task.path);
  } catch {
    throw new CorpusError('input file does not exist', { file: task.path });
  }
  const maxRecord = ctx.limits?.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const caps = { onRawBytes: ctx.advance, maxRatio: ctx.limits?.maxDecompressionRatio, slack: maxRecord };
  const stream = task.range
    ? openDecompressed(task.path, { compression: 'bzip2', start: task.range.start, end: task.range.end, alignedRange: true, ...caps })
    : openDecompressed(task.path, caps);
  let site: SiteInfo | null = extra.site ?? null;
  let lang = extra.language ?? p.language ?? null;
  let opts = linkOptions(lang ?? 'en', site, p.categories);
  const dumpDate = dateFromName(task.name);
  const counts = newWikitextStats();
  // Pages HF does not keep, counted by reason on the source's read row.
  const skipped = { other_namespace: 0, redirect: 0, no_text: 0, empty_after_cleaning: 0 };
  let index = 0;
  let lastOffset = -1;
  const inRange = task.range ? ` of the stream range starting at ${task.range.start}` : '';
  try {
    for await (const part of splitPages(asUtf8(stream), maxRecord)) {
      if (part.kind === 'header') {
        if (site) continue;
        site = parseSiteInfo(part.text);
        if (site.doctype) ctx.log.warn(`${task.name}: the header declares a DOCTYPE; it is ignored (entities are never expanded)`);
        lang = lang ?? site.lang;
        opts = linkOptions(lang ?? 'en', site, p.categories);
        continue;
      }
      const record = `page at byte ${part.offset}${inRange}`;
      lastOffset = part.offset;
      if (part.kind === 'oversize') {
        ctx.quarantine({
          reason: 'record_too_large',
          file: task.path,
          record,
          detail: `a page of ${part.size} bytes is longer than max_record_bytes (${maxRecord}); streamed past`,
          raw: part.head.toString('utf8', 0, 400),
        });
        continue;
      }
      let page: Page;
      try {
        page = parsePage(part.bytes);
      } catch (e) {
        if (!(e instanceof PageError)) throw e;
        ctx.quarantine({ reason: e.reason, file: task.path, record, detail: e.message, raw: part.bytes.toString('utf8', 0, 400) });
        continue;
      }
      index++;
      if (page.ns !== MAIN_NAMESPACE) {
        skipped.other_namespace++;
        continue;
      }
      if (page.redirect || page.text === null) {
        skipped[page.redirect ? 'redirect' : 'no_text']++;
        continue;
      }
      const pageStats = newWikitextStats();
      const text = wikitextToText(page.text, opts, pageStats);
      if (!text) {
        skipped.empty_after_cleaning++;
        continue;
      }
      const language = lang ?? 'en';
      const unclosed = markupErrors(pageStats);
      for (const [k, v] of Object.entries(pageStats)) counts[k as keyof WikitextStats] += v;
      yield {
        id: provenanceId('wikipedia', task.name, page.id || `offset-${part.offset}`),
        text,
        source: 'wikipedia',
        meta: {
          title: page.title,
          url: `https://${language}.wikipedia.org/wiki/${pyQuote(page.title)}`,
          language,
          timestamp: dumpDate ?? page.timestamp ?? null,
          page_id: page.id,
          ...(unclosed ? { wikitext_unclosed: unclosed } : {}),
        },
      };
    }
  } catch (e) {
    const after = `after ${index} pages${lastOffset >= 0 ? `, the last at byte ${lastOffset}${inRange}` : ''}`;
    if (e instanceof DecompressionBombError) {
      // What follows cannot be trusted to be pages: the rest of the stream is one quarantined record.
      ctx.quarantine({ reason: 'decompression_bomb', file: task.path, record: `${after}; stopped at byte ${e.offset} (decompressed)`, detail: e.detail });
      return;
    }
    // A truncated or corrupt stream fails the task, naming the file and the last page read: the
    // pages after it are not in the dump as read, and a build must not finish without them.
    if (e instanceof PageError) throw new CorpusError(`${e.message} (${after})`, { file: task.path }, { cause: e });
    if (e instanceof CorpusError) {
      e.message = `${e.message} (${after})`;
      throw e;
    }
    throw e;
  }
  for (const [reason, n] of Object.entries(skipped)) if (n > 0) ctx.count?.(reason, n);
  const total = markupErrors(counts);
  if (total) ctx.log.debug(`${task.name}: unclosed markup rendered as MediaWiki does: ${JSON.stringify(total)}`);
}

/** Non-zero unclosed-markup counters of a page (documents carry them as meta.wikitext_unclosed). */
function markupErrors(s: WikitextStats): Record<string, number> | null {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(s)) if (v > 0) out[k.replace(/^unclosed_/, '')] = v;
  return Object.keys(out).length ? out : null;
}

export const wikipediaSource = defineSource({
  name: 'wikipedia',
  source: 'wikipedia',
  description: 'Wikipedia pages-articles multistream dumps (20 LLaMA languages), wikitext rendered as plain text',
  params,
  list: urlsOrListing(async (p, env) => {
    const base = p.base_url.replace(/\/+$/, '');
    const out: RemoteFile[] = [];
    for (const lang of p.languages) {
      const json: unknown = await fetchListing(env.fetcher, `${base}/${lang}wiki/${p.date}/dumpstatus.json`, 'dump status', JSON.parse);
      out.push(...filesFromDumpStatus(json, base, lang, p.date));
    }
    return out;
  }),
  plan,
  read,
});
