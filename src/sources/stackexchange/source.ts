/**
 * StackExchange (2% of LLaMA's tokens): Posts.xml of the 28 largest sites, one document per post,
 * HTML removed (html.ts). The `stackexchange_group` step (group.ts) then puts each question and its
 * answers, sorted by score, into one `Q: …\nA: …` document; the two are used together.
 *
 * Listing: archive.org's `_files.xml` for the `stackexchange` item (listing.ts). Planning extracts
 * `Posts.xml` from each `.7z` into the download cache (`<cache>/extracted/stackexchange/<site>/`,
 * reused by later builds) and cuts it into line-aligned byte ranges of `task_bytes`, so Stack
 * Overflow's ~100 GB file is read by many tasks. Explicit `urls` may name `.7z` archives or
 * extracted `*Posts.xml` files (the site is the file name's stem).
 *
 * Which rows are what follows RedPajama (rp_v1 data_prep/stack_exchange/filter.py): a row with a
 * `ParentId` is an answer; any other row is a question candidate, whose text is `Title Body`
 * (`PostTypeId` is never read; rows without a title are kept only if they have answers).
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { provenanceId, type Doc } from '../../core/document.js';
import { CorpusError, errorMessage } from '../../core/errors.js';
import { splitLineFile } from '../../io/byte-ranges.js';
import { readLines } from '../../io/lines.js';
import { DEFAULT_MAX_RECORD_BYTES } from '../../io/limits.js';
import { extractMember } from '../../io/sevenzip.js';
import { XmlTextError } from '../../io/xmltext.js';
import { defineSource, type ReadContext, type ReadTask, type SourceEnv } from '../../pipeline/source.js';
import type { LocalFile, RemoteFile } from '../../fetch/files.js';
import { fetchListing, urlsOrListing } from '../../fetch/urls.js';
import { cleanHtml } from './html.js';
import { LLAMA_SITE_COUNT, largestSites, siteArchives, siteOf } from './listing.js';
import { parseRow, RowError } from './rows.js';

const params = z
  .object({
    base_url: z.string().default('https://archive.org/download/stackexchange'),
    /** archive.org's file listing of the item (name, size, md5, sha1 per file). */
    listing: z.string().default('stackexchange_files.xml'),
    /** How many of the largest sites to take (LLaMA: 28). */
    top: z.number().int().positive().default(LLAMA_SITE_COUNT),
    /** Take these sites (e.g. `math.stackexchange.com`) from the listing instead of the largest. */
    sites: z.array(z.string()).min(1).optional(),
    /** Explicit `.7z` archives or `Posts.xml` files instead of the listing. */
    urls: z.array(z.string()).min(1).optional(),
  })
  .strict();

/** What a post document's meta carries for the grouping step. */
export interface PostMeta {
  site: string;
  post_id: number;
  post_type: 'question' | 'answer';
  /** The question a post belongs to: its own id for questions, ParentId for answers. */
  question_id: number;
  score: number;
  has_title: boolean;
  timestamp: string | null;
  [k: string]: unknown;
}

/** Languages of the non-English Stack Overflow sites; every other site is English. */
const SITE_LANGUAGE: Record<string, string> = { 'ru.stackoverflow.com': 'ru', 'pt.stackoverflow.com': 'pt', 'es.stackoverflow.com': 'es', 'ja.stackoverflow.com': 'ja' };
export function siteLanguage(site: string): string {
  return SITE_LANGUAGE[site] ?? 'en';
}

function isoDate(d: string | undefined): string | null {
  if (!d) return null;
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?$/.test(d) ? `${d}Z` : d;
}

function intAttr(v: string | undefined, name: string, required: boolean): number {
  if (v === undefined) {
    if (required) throw new RowError(`missing ${name}`);
    return 0;
  }
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new RowError(`${name}="${v.slice(0, 20)}" is not an integer`);
  return n;
}

/** One Posts.xml row as a post document. */
function postDocument(a: Record<string, string>, site: string, fileName: string): Doc {
  const id = intAttr(a.Id, 'Id', true);
  const score = intAttr(a.Score, 'Score', false);
  const isAnswer = a.ParentId !== undefined;
  const body = a.Body ?? '';
  const title = a.Title;
  const meta: PostMeta = {
    site,
    post_id: id,
    post_type: isAnswer ? 'answer' : 'question',
    question_id: isAnswer ? intAttr(a.ParentId, 'ParentId', true) : id,
    score,
    has_title: title !== undefined,
    timestamp: isoDate(a.CreationDate),
  };
  // RedPajama: the question's text is f"{Title} {Body}", cleaned as one piece of HTML.
  const html = isAnswer || title === undefined ? body : `${title} ${body}`;
  return { id: provenanceId('stackexchange', fileName, id), text: cleanHtml(html), source: 'stackexchange', meta };
}

async function extractedPosts(file: LocalFile, env: SourceEnv): Promise<{ path: string; size: number }> {
  if (!file.name.endsWith('.7z')) return { path: file.path, size: file.size };
  const site = siteOf(file.name);
  const dest = join(env.fetcher.opts.cacheDir, 'extracted', 'stackexchange', site, 'Posts.xml');
  try {
    const [d, a] = await Promise.all([stat(dest), stat(file.path)]);
    if (d.mtimeMs >= a.mtimeMs && d.size > 0) return { path: dest, size: d.size };
  } catch {
    // not extracted yet
  }
  env.log.info(`extracting Posts.xml from ${file.name}`);
  const size = await extractMember(file.path, 'Posts.xml', dest);
  return { path: dest, size };
}

async function* read(task: ReadTask, _p: unknown, ctx: ReadContext): AsyncGenerator<Doc> {
  const site = (task.extra?.site as string | undefined) ?? siteOf(task.name);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const maxRecord = ctx.limits?.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const lines = readLines(task.path, {
    range: task.range,
    onBytes: ctx.advance,
    maxLineBytes: maxRecord,
    onOversize: (l) =>
      ctx.quarantine({
        reason: 'record_too_large',
        file: task.path,
        record: `byte ${l.offset}`,
        detail: `a row of ${l.size} bytes is longer than max_record_bytes (${maxRecord}); streamed past`,
        raw: l.head.toString('utf8', 0, 300),
      }),
  });
  for await (const line of lines) {
    if (line.bytes.length === 0) continue;
    const where = { file: task.path, record: `byte ${line.offset}` };
    let row: Record<string, string> | null;
    try {
      row = parseRow(decoder.decode(line.bytes));
      if (row === null) continue;
      yield postDocument(row, site, task.name);
    } catch (e) {
      if (!(e instanceof RowError || e instanceof XmlTextError || e instanceof TypeError)) throw e;
      const reason = e instanceof XmlTextError ? 'undefined_entity' : e instanceof TypeError ? 'invalid_utf8' : 'malformed_row';
      ctx.quarantine({ reason, ...where, detail: errorMessage(e), raw: line.bytes.toString('utf8', 0, 300) });
    }
  }
}

export const stackexchangeSource = defineSource({
  name: 'stackexchange',
  source: 'stackexchange',
  description: 'StackExchange Posts.xml (28 largest sites), one document per post; group with the stackexchange_group step',
  params,
  list: urlsOrListing(async (p, env): Promise<RemoteFile[]> => {
    const base = p.base_url.replace(/\/+$/, '');
    const url = /^[a-z]+:/.test(p.listing) ? p.listing : `${base}/${p.listing}`;
    const all = siteArchives(await fetchListing(env.fetcher, url, 'archive listing'), base);
    if (all.length === 0) throw new CorpusError('the listing names no .7z archives', { file: url });
    if (p.sites) {
      const want = new Set(p.sites.map((s) => s.toLowerCase()));
      const found = all.filter((a) => want.has(a.site));
      const missing = [...want].filter((s) => !found.some((a) => a.site === s));
      if (missing.length) throw new CorpusError(`sites not in the listing: ${missing.join(', ')}`, { file: url });
      return found.map((a) => a.file);
    }
    return largestSites(all, p.top).map((a) => a.file);
  }),
  async plan(files, _p, env): Promise<ReadTask[]> {
    const tasks: ReadTask[] = [];
    for (const f of [...files].sort((a, b) => a.name.localeCompare(b.name))) {
      const posts = await extractedPosts(f, env);
      const site = siteOf(f.name);
      for (const s of splitLineFile(posts.path, posts.size, env.taskBytes)) tasks.push({ path: posts.path, name: f.name, url: f.url, ...s, extra: { site } });
    }
    return tasks;
  },
  read,
});
