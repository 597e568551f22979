/**
 * `ccnet_line_dedup`: CCNet's paragraph (line) dedup (Wenzek et al. 2020; cc_net/dedup.py), in two
 * passes with bounded memory.
 *
 * Scan pass (cc_net `HashesCollector`, one per task): every line of every document is normalised
 * (`normalize_for_dedup`) and hashed (SHA-1, first 8 bytes). The task's distinct hashes go to a
 * set whose flag says "seen in an earlier document of this task"; the flag of a document's lines
 * is decided before its own lines are inserted, so a line repeated inside one document only is NOT
 * a duplicate. The set is written to `<step state>/<source>.<rank>.bin`, and every document's line
 * hashes, in order, to `<source>.<rank>.lines` so the main pass need not hash again
 * (hash-stream.ts).
 *
 * Main pass (cc_net `DuplicatesRemover`): a task loads the hash files of its group (`group_tasks`
 * consecutive tasks of the same source, in rank order; cc_net's `hash_in_mem`) into one set, merging as cc_net
 * does (a hash in two files, or flagged in one, is a duplicate). Then, per document:
 * - every line whose hash is a duplicate is removed, ALL occurrences including the first one in
 *   the group (cc_net keeps no "first" copy: the line is boilerplate wherever it appears);
 * - of the remaining lines, a later repeat inside the same document is removed, the first kept;
 * - a document left with no line is dropped (`all_lines_duplicated`);
 * - `original_nlines`, `original_length`, `nlines`, `length` (code points) are set as cc_net does;
 *   `line_ids` (kept line indexes) only when `keep_line_ids` is set (it is large).
 * Blank lines hash to sha1(""); a blank line in two documents makes every blank line a duplicate.
 *
 * Hash file: `CMLHASH1`, u64 LE count n, n keys as u64 LE, then ceil(n/8) bytes of flags (bit i
 * of byte i>>3 = key i is a duplicate). Memory: the scan holds one task's distinct hashes, the
 * main pass one group's (8 bytes + 1 bit per slot, 10.9–21.8 bytes per distinct hash; see
 * hashset.ts). With one WET file per task (~2–3 M distinct lines) and 18 tasks per group, about
 * 0.4–1.2 GB per worker; lower `group_tasks` to bound it.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { z } from 'zod';
import { CorpusError } from '../../core/errors.js';
import { writeFileAtomic } from '../../io/atomic.js';
import type { StepState } from '../../pipeline/state.js';
import { defineStep, type Pass, type TaskContext } from '../../pipeline/step.js';
import { pyLen } from '../../text/python.js';
import { LineHashSet } from './hashset.js';
import { HashStreamReader, HashStreamWriter } from './hash-stream.js';
import { textLineHashes } from './line-hash.js';

const MAGIC = 'CMLHASH1';

const params = z
  .object({
    /**
     * Tasks whose hashes are pooled (cc_net `hash_in_mem`). 18 ≈ RedPajama (`--hash_in_mem 1` with
     * 5000 shards of ~18 WET files for 2023-06); cc_net's default was 50 shards of ~56 files.
     */
    group_tasks: z.number().int().positive().default(18),
    /** Drop documents shorter than this many characters after dedup (0: off). */
    min_len: z.number().int().nonnegative().default(0),
    /** Write the kept line indexes into meta.line_ids, as cc_net does. */
    keep_line_ids: z.boolean().default(false),
  })
  .strict();

/** Adds one document's hashes to a task's set with cc_net's batch semantics (`add`). */
function collectDocument(set: LineHashSet, hashes: Uint32Array): void {
  const n = hashes.length / 2;
  const before = new Uint8Array(n);
  for (let i = 0; i < n; i++) before[i] = set.has(hashes[i * 2]!, hashes[i * 2 + 1]!) ? 1 : 0;
  for (let i = 0; i < n; i++) set.put(hashes[i * 2]!, hashes[i * 2 + 1]!, before[i] === 1);
}

function encodeHashFile(set: LineHashSet): Buffer {
  const n = set.size;
  const buf = Buffer.alloc(16 + n * 8 + Math.ceil(n / 8));
  buf.write(MAGIC, 0, 'latin1');
  buf.writeBigUInt64LE(BigInt(n), 8);
  let k = 0;
  const flagsAt = 16 + n * 8;
  for (const [lo, hi, dup] of set.entries()) {
    buf.writeUInt32LE(lo, 16 + k * 8);
    buf.writeUInt32LE(hi, 20 + k * 8);
    if (dup) buf[flagsAt + (k >>> 3)]! |= 1 << (k & 7);
    k++;
  }
  return buf;
}

/** Number of keys in a hash file buffer (checks the header). */
export function hashFileCount(buf: Buffer, file: string): number {
  if (buf.length < 16 || buf.toString('latin1', 0, 8) !== MAGIC) throw new CorpusError('not a line-hash file', { file });
  const n = Number(buf.readBigUInt64LE(8));
  if (buf.length !== 16 + n * 8 + Math.ceil(n / 8)) throw new CorpusError(`line-hash file has ${buf.length} bytes, expected ${16 + n * 8 + Math.ceil(n / 8)}`, { file });
  return n;
}

/** Merges a hash file into a group set (cc_net `FlatHashSet.load`). */
function mergeHashFile(set: LineHashSet, buf: Buffer, file: string): void {
  const n = hashFileCount(buf, file);
  const flagsAt = 16 + n * 8;
  for (let k = 0; k < n; k++) {
    set.merge(buf.readUInt32LE(16 + k * 8), buf.readUInt32LE(20 + k * 8), (buf[flagsAt + (k >>> 3)]! & (1 << (k & 7))) !== 0);
  }
}

export interface DedupResult {
  text: string;
  keptLines: number[];
  /** Lines removed because they appear in other documents of the group. */
  removedShared: number;
  /** Lines removed as later repeats inside the document. */
  removedLocal: number;
}

/** cc_net `DuplicatesRemover.do` + `finalize_doc` on one text; null when no line survives. */
function dedupLines(text: string, hashes: Uint32Array, group: LineHashSet): DedupResult | null {
  const lines = text.split('\n');
  const keep = new Uint8Array(lines.length);
  let kept = 0;
  for (let i = 0; i < lines.length; i++) {
    if (!group.isDuplicate(hashes[i * 2]!, hashes[i * 2 + 1]!)) {
      keep[i] = 1;
      kept++;
    }
  }
  if (kept === 0) return null;
  const seen = new LineHashSet(kept);
  const out: string[] = [];
  const keptLines: number[] = [];
  let removedLocal = 0;
  for (let i = 0; i < lines.length; i++) {
    if (!keep[i]) continue;
    const lo = hashes[i * 2]!;
    const hi = hashes[i * 2 + 1]!;
    if (seen.has(lo, hi)) {
      removedLocal++;
      continue;
    }
    seen.put(lo, hi, false);
    out.push(lines[i]!);
    keptLines.push(i);
  }
  return { text: out.join('\n'), keptLines, removedShared: lines.length - kept, removedLocal };
}

/** Lines of a text as `split('\n')` counts them. */
function countLines(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** The per-document hash stream beside a task's hash set file. */
function streamFileName(hashFile: string): string {
  return hashFile.replace(/\.bin$/, '.lines');
}

function fileSource(source: string): string {
  return source.replace(/[^\w.-]/g, '_');
}

function hashFileName(state: StepState, source: string, rank: number): string {
  return state.path(`${fileSource(source)}.${rank}.bin`);
}

/**
 * The ranks whose hashes a task pools: the tasks of its source that wrote hash files, in rank
 * order, cut into blocks of `groupTasks`; the block holding `rank`. Ranks may be numbered across
 * the stage's sources, so a group is counted among its own source's tasks only.
 */
export function groupRanks(rank: number, sourceRanks: number[], groupTasks: number): number[] {
  const sorted = [...sourceRanks].sort((a, b) => a - b);
  const at = sorted.indexOf(rank);
  if (at < 0) return [];
  const first = Math.floor(at / groupTasks) * groupTasks;
  return sorted.slice(first, first + groupTasks);
}

/** Ranks below `worldSize` with a hash file of `source` in the state folder. */
async function sourceRanks(state: StepState, source: string, worldSize: number): Promise<number[]> {
  const prefix = `${fileSource(source)}.`;
  const files = await state.list(/\.bin$/);
  return files
    .map((f) => basename(f))
    .filter((n) => n.startsWith(prefix))
    .map((n) => Number(n.slice(prefix.length, -4)))
    .filter((r) => Number.isInteger(r) && r >= 0 && r < worldSize);
}

export const ccnetLineDedupStep = defineStep({
  name: 'ccnet_line_dedup',
  description: 'CCNet line dedup: remove lines seen in other documents of a group of tasks (cc_net dedup.py)',
  params,
  create(p) {
    const scan: Pass = {
      kind: 'scan',
      name: 'hashes',
      async scan(docs, ctx) {
        const set = new LineHashSet(1 << 16);
        const file = hashFileName(ctx.state, ctx.source, ctx.rank);
        const stream = new HashStreamWriter(streamFileName(file));
        let lines = 0;
        for await (const doc of docs) {
          const h = textLineHashes(doc.text);
          lines += h.length / 2;
          collectDocument(set, h);
          stream.write(doc.id, h);
        }
        stream.close();
        ctx.count('lines_hashed', lines);
        ctx.count('distinct_hashes', set.size);
        await writeFileAtomic(file, encodeHashFile(set));
      },
    };

    // The group set is loaded once per task (tasks of one group load the same files).
    const loadGroup = async (ctx: TaskContext): Promise<LineHashSet> => {
      const ranks = groupRanks(ctx.rank, await sourceRanks(ctx.state, ctx.source, ctx.worldSize), p.group_tasks);
      if (ranks.length === 0)
        throw new CorpusError('line hashes of this task are missing (the scan pass did not run or its state was removed)', { file: hashFileName(ctx.state, ctx.source, ctx.rank) });
      const files = ranks.map((r) => hashFileName(ctx.state, ctx.source, r));
      const bufs: Buffer[] = [];
      let total = 0;
      for (const f of files) {
        let buf: Buffer;
        try {
          buf = await readFile(f);
        } catch {
          throw new CorpusError('line hashes of this task are missing (the scan pass did not run or its state was removed)', { file: f });
        }
        total += hashFileCount(buf, f);
        bufs.push(buf);
      }
      const set = new LineHashSet(total);
      for (let i = 0; i < bufs.length; i++) mergeHashFile(set, bufs[i]!, files[i]!);
      ctx.count('group_hash_bytes', set.bytes);
      return set;
    };

    return {
      passes: [scan],
      async *run(docs, ctx) {
        const group = await loadGroup(ctx);
        const stored = new HashStreamReader(streamFileName(hashFileName(ctx.state, ctx.source, ctx.rank)));
        try {
          for await (const doc of docs) {
            const nlines = countLines(doc.text);
            const wasActive = stored.active;
            const hashes = stored.next(doc.id, nlines) ?? textLineHashes(doc.text);
            if (wasActive && !stored.active) ctx.count('hash_stream_mismatch');
            const res = dedupLines(doc.text, hashes, group);
            ctx.count('lines_in', nlines);
            if (res === null) {
              ctx.count('lines_removed_shared', nlines);
              ctx.drop(doc, 'all_lines_duplicated');
              continue;
            }
            ctx.count('lines_removed_shared', res.removedShared);
            ctx.count('lines_removed_local', res.removedLocal);
            const length = pyLen(res.text);
            const meta = { ...doc.meta };
            meta.original_nlines ??= meta.nlines ?? nlines;
            meta.original_length ??= meta.length ?? pyLen(doc.text);
            meta.nlines = res.keptLines.length;
            meta.length = length;
            if (p.keep_line_ids) meta.line_ids = res.keptLines;
            const out = { ...doc, text: res.text, meta };
            if (length < p.min_len) {
              ctx.drop(out, 'too_short_after_dedup');
              continue;
            }
            yield out;
          }
        } finally {
          stored.close();
        }
      },
    };
  },
});
