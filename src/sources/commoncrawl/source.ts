/**
 * CommonCrawl (67% of LLaMA's tokens): the WET segments of the pipeline's dumps, listed from
 * `crawl-data/CC-MAIN-<dump>/wet.paths.gz` under `base_url` (recipe §3.1), one task per segment.
 * `commoncrawl_warc` reads WARC files (HTTP responses, HTML → text) for users who start from WARC.
 *
 * Defaults are RedPajama v1's five dumps (rp_v1 data_prep/cc/README.md); LLaMA used "five dumps
 * from 2017 to 2020" without naming them. `max_segments_per_dump` takes the first N segments of
 * each listing (cc_net's `num_segments_per_shard` served the same purpose for trials).
 *
 * One task per segment file: a WET segment is one gzip member per record, so a file could be cut
 * at member boundaries, but segments are already small (~60–80 MB gz) and 90k per dump, so the
 * task count gives enough parallelism and document ids stay `<segment path>/<record index>`.
 */
import { gunzipSync } from 'node:zlib';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { CorpusError, errorMessage } from '../../core/errors.js';
import { compressionOf, compressionOfMagic, DecompressionBombError, openDecompressed } from '../../io/compression.js';
import { open } from 'node:fs/promises';
import { defineSource, wholeFileTasks, type ReadContext, type ReadTask, type SourceEnv } from '../../pipeline/source.js';
import type { RemoteFile } from '../../fetch/files.js';
import { urlsOrListing } from '../../fetch/urls.js';
import { NativeSegmentReader } from './native-reader.js';
import { recordToDocument, type Converted } from './records.js';
import { readWarcRecords, type WarcRecord } from './warc.js';
import type { Doc } from '../../core/document.js';

/** RedPajama v1's dumps (rp_v1 data_prep/cc/README.md; chosen to span five years, issue #26). */
const REDPAJAMA_DUMPS = ['2019-30', '2020-05', '2021-04', '2022-05', '2023-06'];
const DEFAULT_BASE_URL = 'https://data.commoncrawl.org/';

const params = z
  .object({
    /** Explicit WET/WARC files (URLs or local paths/globs) instead of the dumps' listings. */
    urls: z.array(z.string()).min(1).optional(),
    base_url: z.string().default(DEFAULT_BASE_URL),
    dumps: z
      .array(z.string().regex(/^\d{4}-\d{2}$/, 'a dump id like 2023-06'))
      .min(1)
      .default(REDPAJAMA_DUMPS),
    /** Take only the first N segments of each dump (trials, samples). */
    max_segments_per_dump: z.number().int().positive().optional(),
    /** Largest WARC record read whole (also capped by settings.max_record_bytes); a larger one is streamed past and quarantined. */
    max_record_bytes: z
      .number()
      .int()
      .positive()
      .default(64 << 20),
    /** HTML pages nested deeper than this many open elements are quarantined (`html_too_deep`); default 2000. */
    max_html_depth: z.number().int().positive().optional(),
  })
  .strict();
type Params = z.infer<typeof params>;

/** `crawl-data/CC-MAIN-<dump>/<kind>.paths.gz`. */
function pathsFile(dump: string, kind: 'wet' | 'warc'): string {
  return `crawl-data/CC-MAIN-${dump}/${kind}.paths.gz`;
}

/** The segment paths of a `*.paths.gz` listing (gzip or plain), in listing order. */
export function parsePathsListing(data: Buffer, label: string): string[] {
  let text: string;
  try {
    text = (compressionOfMagic(data) === 'gzip' ? gunzipSync(data) : data).toString('utf8');
  } catch (e) {
    throw new CorpusError(`cannot read the segment listing (${errorMessage(e)})`, { file: label });
  }
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

/** Lists the segments of the configured dumps. */
async function listSegments(p: Params, env: SourceEnv, kind: 'wet' | 'warc'): Promise<RemoteFile[]> {
  const base = p.base_url.endsWith('/') ? p.base_url : `${p.base_url}/`;
  const out: RemoteFile[] = [];
  for (const dump of p.dumps) {
    const listing = base + pathsFile(dump, kind);
    const paths = parsePathsListing(await env.fetcher.fetchBuffer(listing), listing);
    if (paths.length === 0) throw new CorpusError('the segment listing is empty', { file: listing });
    for (const path of paths.slice(0, p.max_segments_per_dump ?? paths.length)) out.push({ url: base + path, name: path });
  }
  return out;
}

async function fileCompression(path: string) {
  const byName = compressionOf(path);
  if (byName !== 'none') return byName;
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    await fh.read(head, 0, 4, 0);
    return compressionOfMagic(head);
  } finally {
    await fh.close();
  }
}

/**
 * Reads one segment's records as documents; skipped records are counted, bad ones quarantined.
 * A corrupt or clipped compressed stream fails the task (after the records before the damage were
 * read), naming the file and the last record; a decompression bomb quarantines the rest of the file.
 * gzip and plain files go through the native fast path (native-reader.ts) as far as it reads; the
 * TypeScript reader below reads other compressions, and the rest of a file from the first record
 * the fast path hands back (the records before it are skipped, not counted twice): framing faults
 * (resynchronisation), over-size records, bombs and corrupt streams are all its.
 * `native: false` reads with the TypeScript reader only (tests compare the two).
 */
export async function* readSegment(task: ReadTask, p: Params, ctx: ReadContext, opts: { native?: boolean } = {}): AsyncGenerator<Doc> {
  const count = (name: string, n = 1) => (ctx.count ? ctx.count(name, n) : undefined);
  const maxRecord = Math.min(p.max_record_bytes, ctx.limits?.maxRecordBytes ?? Infinity);
  const compression = await fileCompression(task.path);
  const convert = (out: Converted, rec: WarcRecord): Doc | undefined => {
    if ('doc' in out) return out.doc;
    if (out.detail !== undefined)
      ctx.quarantine({
        reason: out.skip,
        file: task.path,
        record: `record ${rec.index} at byte ${rec.offset}`,
        detail: out.detail,
        raw: rec.body.toString('latin1', 0, Math.min(200, rec.body.length)),
      });
    else count(out.skip);
    return undefined;
  };
  let from = 0;
  let alreadyAdvanced = 0;
  let last = '';
  if ((compression === 'gzip' || compression === 'none') && opts.native !== false) {
    const reader = new NativeSegmentReader(task.path, compression === 'gzip', maxRecord, task.name, ctx.advance, convert, { maxDepth: p.max_html_depth });
    try {
      for (;;) {
        const got = reader.next();
        if (got === null) return;
        if (!Array.isArray(got)) {
          from = got.from;
          alreadyAdvanced = got.rawBytes;
          break;
        }
        for (const doc of got) yield doc;
      }
    } finally {
      reader.close();
    }
  }
  const advance = (n: number) => {
    const skip = Math.min(n, alreadyAdvanced);
    alreadyAdvanced -= skip;
    if (n > skip) ctx.advance(n - skip);
  };
  const stream = openDecompressed(task.path, { compression, onRawBytes: advance, maxRatio: ctx.limits?.maxDecompressionRatio, slack: maxRecord }) as Readable &
    AsyncIterable<Buffer>;
  let records = 0;
  try {
    for await (const rec of readWarcRecords(stream, { maxRecordBytes: maxRecord })) {
      records++;
      last = `record ${rec.index} at byte ${rec.offset}`;
      if (rec.index < from) continue;
      const where = { file: task.path, record: last };
      for (const issue of rec.issues) count(`warc_${issue}`);
      if (rec.resync) {
        count('warc_resync');
        if (rec.resync.skipped > 0) count('warc_resync_bytes', rec.resync.skipped);
      }
      if (rec.issues.includes('malformed_header') || rec.issues.includes('truncated') || rec.issues.includes('oversized')) {
        const reason = rec.issues.includes('malformed_header') ? 'warc_malformed_header' : rec.issues.includes('oversized') ? 'warc_oversized_record' : 'warc_truncated_record';
        ctx.quarantine({
          reason,
          ...where,
          detail: `${rec.version || 'no version line'}; ${rec.body.length} body bytes read`,
          raw: rec.body.toString('latin1', 0, Math.min(200, rec.body.length)),
        });
        continue;
      }
      const doc = convert(recordToDocument(rec, task.name, { maxDepth: p.max_html_depth }), rec);
      if (doc) yield doc;
    }
  } catch (e) {
    const n = Math.max(records, from);
    const after = n ? `after ${n} records${last ? `, the last ${last}` : ''}` : 'before the first record';
    if (e instanceof DecompressionBombError) {
      ctx.quarantine({ reason: 'decompression_bomb', file: task.path, record: `${after}; stopped at byte ${e.offset} (decompressed)`, detail: e.detail });
      return;
    }
    if (e instanceof CorpusError) e.message = `${e.message} (${after})`;
    throw e;
  } finally {
    stream.destroy();
  }
}

/** A source over `<kind>.paths.gz` listings; both kinds read any WARC record they meet. */
function segmentSource(name: string, kind: 'wet' | 'warc', description: string) {
  return defineSource({
    name,
    source: 'commoncrawl',
    description,
    params,
    list: urlsOrListing((p: Params, env: SourceEnv) => listSegments(p, env, kind)),
    plan: (files) => wholeFileTasks(files),
    read: (task, p, ctx) => readSegment(task, p, ctx),
  });
}

export const commonCrawlSource = segmentSource('commoncrawl', 'wet', 'Common Crawl WET segments of the given dumps (wet.paths.gz under base_url)');
export const commonCrawlWarcSource = segmentSource('commoncrawl_warc', 'warc', 'Common Crawl (or any) WARC files: HTML responses extracted to text (warc.paths.gz under base_url)');
