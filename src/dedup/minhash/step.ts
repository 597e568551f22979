/**
 * MinHash-LSH near-dedup (`minhash_dedup`), RedPajama-V2's parameters by default: 13-word shingles
 * over normalized words, 128 permutations, bands × rows from the threshold (14×9 @0.7, 9×13 @0.8,
 * 5×25 @0.9).
 *
 * Passes (state in the step's state folder):
 * 1. scan `signatures` (every task): signatures in batches in the native addon; per band, sorted runs
 *    of (band key, document) records (bands.ts); `keys-r<task>.jsonl` ([source, id] per signed
 *    document), `count-r<task>.json`, and the shingle sets (`shingles-r<task>.bin/.idx`) when
 *    `jaccard_check` is on.
 * 2. reduce `buckets` (one task per band): k-way merge of the band's runs from all tasks; in every
 *    bucket of two or more documents an edge from each to the bucket's smallest document (as RPv2's
 *    LSH does), optionally kept only when the exact Jaccard similarity of the two shingle sets is at
 *    least `threshold`;
 *    edges go to `edges-b<band>.bin`.
 * 3. reduce `components` (one task): union-find over all edges (8 bytes per document: parent and
 *    component size); in each component the lowest (source, id) survives; `drop-r<task>.jsonl` tells
 *    each main task which of its documents are clustered.
 * 4. main: duplicates dropped with reason `duplicate`; survivors and duplicates carry meta.dedup
 *    {cluster_id (the survivor's id), cluster_size[, duplicate_of]}.
 * Documents with fewer words than a shingle have no signature (null in RPv2) and are never removed.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { z } from 'zod';
import type { Doc } from '../../core/document.js';
import { ConfigError } from '../../core/errors.js';
import { defineStep, type Step, type TaskContext } from '../../pipeline/step.js';
import type { AtomicFile } from '../../io/atomic.js';
import type { StepState } from '../../pipeline/state.js';
import { compareSourceId, rankName } from '../survivor.js';
import { applyDropRecords, type DropRecord } from '../drops.js';
import { BandRunWriter, mergeBandRuns } from './bands.js';
import { jaccard, MinHasher, shingleSets } from './signature.js';
import { normalize } from '../../text/rpv2-normalize.js';
import { optimalParams } from './lsh-params.js';
import { UnionFind } from './union-find.js';

/** RedPajama-V2's (bands, rows) for 128 permutations (README; datasketch optimal_param). */
const RPV2_BANDS: Readonly<Record<string, [number, number]>> = { '0.7': [14, 9], '0.8': [9, 13], '0.9': [5, 25], '1': [1, 128] };

const params = z
  .object({
    threshold: z.number().gt(0).max(1).default(0.8),
    perms: z.number().int().min(1).max(1024).default(128),
    ngram: z.number().int().min(1).default(13),
    /** Override the (bands, rows) the threshold would pick. */
    bands: z.number().int().positive().optional(),
    rows: z.number().int().positive().optional(),
    /** Keep a candidate pair only if the exact Jaccard similarity of its shingle sets is ≥ threshold. */
    jaccard_check: z.boolean().default(false),
    batch: z.number().int().positive().default(256),
    /** Band records held per band before a sorted run is spilled (12 bytes each). */
    run_records: z
      .number()
      .int()
      .positive()
      .default(1 << 20),
  })
  .strict();

export type MinhashParams = z.infer<typeof params>;

export function bandsRows(p: Pick<MinhashParams, 'threshold' | 'perms' | 'bands' | 'rows'>): [number, number] {
  if (p.bands !== undefined || p.rows !== undefined) {
    if (p.bands === undefined || p.rows === undefined) throw new ConfigError('minhash_dedup: give both bands and rows, or neither');
    if (p.bands * p.rows > p.perms) throw new ConfigError(`minhash_dedup: bands × rows (${p.bands * p.rows}) exceeds perms (${p.perms})`);
    return [p.bands, p.rows];
  }
  const known = p.perms === 128 ? RPV2_BANDS[String(p.threshold)] : undefined;
  if (known) return known;
  const o = optimalParams(p.threshold, p.perms);
  return [o.bands, o.rows];
}

/** Global index base of each scan task, from the count files (tasks in rank order). */
function taskBases(countFiles: string[]): { rank: number; base: number; docs: number }[] {
  let base = 0;
  return countFiles.map((f) => {
    const rank = Number(/count-r(\d+)\.json$/.exec(f)![1]);
    const docs = (JSON.parse(readFileSync(f, 'utf8')) as { docs: number }).docs;
    const t = { rank, base, docs };
    base += docs;
    return t;
  });
}

/** Writes a scan task's shingle sets: `shingles-r<task>.bin` (uint32 hashes) and `.idx` (float64 offsets). */
class ShingleWriter {
  private readonly bin: AtomicFile;
  private readonly idx: AtomicFile;
  private readonly offset = new Float64Array(1);

  constructor(state: StepState, rank: number) {
    this.bin = state.file(`shingles-r${rankName(rank)}.bin`, { createEmpty: true });
    this.idx = state.file(`shingles-r${rankName(rank)}.idx`, { createEmpty: true });
    this.idx.write(new Uint8Array(this.offset.buffer));
  }

  add(set: Uint32Array): void {
    this.bin.write(new Uint8Array(set.buffer, set.byteOffset, set.byteLength));
    this.offset[0] += set.length;
    this.idx.write(new Uint8Array(this.offset.buffer));
  }

  commit(): void {
    this.bin.commit();
    this.idx.commit();
  }
}

/** Random access to the shingle sets of any document by global index (jaccard_check). */
class ShingleStore {
  private readonly fds = new Map<number, { bin: number; idx: number }>();
  private readonly pos = new Float64Array(2);

  constructor(
    private readonly state: StepState,
    private readonly tasks: { rank: number; base: number; docs: number }[],
  ) {}

  read(global: number): Uint32Array {
    let lo = 0;
    let hi = this.tasks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.tasks[mid]!.base <= global) lo = mid;
      else hi = mid - 1;
    }
    const t = this.tasks[lo]!;
    let fd = this.fds.get(t.rank);
    if (!fd) {
      const name = this.state.path(`shingles-r${rankName(t.rank)}`);
      fd = { bin: openSync(`${name}.bin`, 'r'), idx: openSync(`${name}.idx`, 'r') };
      this.fds.set(t.rank, fd);
    }
    readSync(fd.idx, this.pos, 0, 16, (global - t.base) * 8);
    const out = new Uint32Array(this.pos[1]! - this.pos[0]!);
    if (out.length > 0) readSync(fd.bin, out, 0, out.length * 4, this.pos[0]! * 4);
    return out;
  }

  close(): void {
    for (const fd of this.fds.values()) {
      closeSync(fd.bin);
      closeSync(fd.idx);
    }
  }
}

export function minhashDedupStep(p: MinhashParams): Step {
  const [bands, rows] = bandsRows(p);
  return {
    passes: [
      {
        kind: 'scan',
        name: 'signatures',
        async scan(docs: AsyncIterable<Doc>, ctx: TaskContext) {
          const dir = await ctx.state.ensure();
          await ctx.state.remove(new RegExp(`^(band|keys|shingles|count)-r${rankName(ctx.rank)}[-.]`));
          const hasher = new MinHasher({ perms: p.perms, ngram: p.ngram });
          const runs = new BandRunWriter(dir, ctx.rank, bands, p.run_records);
          const keys = ctx.state.lines(`keys-r${rankName(ctx.rank)}.jsonl`);
          const shingles = p.jaccard_check ? new ShingleWriter(ctx.state, ctx.rank) : undefined;
          let indexed = 0;
          let batch: Doc[] = [];
          const flush = async () => {
            const norm = batch.map((d) => normalize(d.text));
            const { sigs, valid } = hasher.signaturesOfNormalized(norm);
            const sets = shingles ? shingleSets(norm, p.ngram) : undefined;
            for (let i = 0; i < batch.length; i++) {
              if (!valid[i]) {
                ctx.count('no_signature');
                continue;
              }
              await keys.write(JSON.stringify([batch[i]!.source, batch[i]!.id]));
              runs.add(sigs, i * p.perms, rows, indexed++);
              shingles?.add(sets!.hashes.subarray(sets!.index[i], sets!.index[i + 1]));
            }
            batch = [];
          };
          for await (const doc of docs) {
            batch.push(doc);
            if (batch.length >= p.batch) await flush();
          }
          if (batch.length > 0) await flush();
          runs.spill();
          await keys.commit();
          shingles?.commit();
          await ctx.state.writeJson(`count-r${rankName(ctx.rank)}.json`, { docs: indexed });
        },
      },
      {
        kind: 'reduce',
        name: 'buckets',
        tasks: bands,
        async reduce(ctx: TaskContext) {
          const band = rankName(ctx.rank);
          const tasks = taskBases(await ctx.state.list(/^count-r\d+\.json$/));
          const baseOf = new Map(tasks.map((t) => [t.rank, t.base]));
          const runFiles = await ctx.state.list(new RegExp(`^band-r\\d+-b${band}-\\d+\\.bin$`));
          const runs = runFiles.map((path) => ({ path, base: baseOf.get(Number(/band-r(\d+)-/.exec(path)![1]))! }));
          const store = p.jaccard_check ? new ShingleStore(ctx.state, tasks) : undefined;
          const edges = ctx.state.file(`edges-b${band}.bin`, { createEmpty: true, bufferBytes: 8 * 8192 });
          try {
            for (const group of mergeBandRuns(runs)) {
              ctx.count('buckets_with_duplicates');
              const root = group[0]!;
              const rootSet = store?.read(root);
              for (let k = 1; k < group.length; k++) {
                if (store && jaccard(rootSet!, store.read(group[k]!)) < p.threshold) {
                  ctx.count('pairs_rejected_by_jaccard');
                  continue;
                }
                ctx.count('candidate_pairs');
                edges.u32(group[k]!);
                edges.u32(root);
              }
            }
            edges.commit();
          } catch (e) {
            edges.abort();
            throw e;
          } finally {
            store?.close();
          }
        },
      },
      {
        kind: 'reduce',
        name: 'components',
        tasks: 1,
        reduce: (ctx) => components(ctx),
      },
    ],
    run: applyDropRecords,
  };
}

/**
 * Calls `fn` for the keys-file lines (one JSON [source, id] per document, document `base + line`)
 * whose document passes `want`, reading 1 MiB blocks and decoding only those lines.
 */
function forEachClusteredKey(path: string, base: number, want: (g: number) => boolean, fn: (g: number, source: string, id: string) => void): void {
  const fd = openSync(path, 'r');
  const block = Buffer.alloc(1 << 20);
  let carry: Buffer | null = null;
  let g = base;
  try {
    for (let len = readSync(fd, block, 0, block.length, null); len > 0; len = readSync(fd, block, 0, block.length, null)) {
      let chunk = block.subarray(0, len);
      if (carry) chunk = Buffer.concat([carry, chunk]);
      let from = 0;
      for (let nl = chunk.indexOf(10, from); nl !== -1; nl = chunk.indexOf(10, from)) {
        if (want(g)) {
          const [source, id] = JSON.parse(chunk.toString('utf8', from, nl)) as [string, string];
          fn(g, source, id);
        }
        g++;
        from = nl + 1;
      }
      carry = from < chunk.length ? Buffer.from(chunk.subarray(from)) : null;
    }
  } finally {
    closeSync(fd);
  }
}

/** Connected components over every band's edges; survivors; per-task drop lists. */
async function components(ctx: TaskContext): Promise<void> {
  const tasks = taskBases(await ctx.state.list(/^count-r\d+\.json$/));
  const n = tasks.reduce((a, t) => a + t.docs, 0);
  const uf = new UnionFind(n);
  const buf = Buffer.alloc(8 * 65536);
  for (const f of await ctx.state.list(/^edges-b\d+\.bin$/)) {
    const fd = openSync(f, 'r');
    try {
      for (let len = readSync(fd, buf, 0, buf.length, null); len > 0; len = readSync(fd, buf, 0, buf.length, null))
        for (let i = 0; i + 8 <= len; i += 8) uf.union(buf.readUInt32LE(i), buf.readUInt32LE(i + 4));
    } finally {
      closeSync(fd);
    }
  }
  const size = uf.componentSizes();
  // The keys of a task's documents that are in a component of two or more, with that component's root.
  const clustered = (t: { rank: number; base: number }, fn: (root: number, source: string, id: string) => void) =>
    forEachClusteredKey(
      ctx.state.path(`keys-r${rankName(t.rank)}.jsonl`),
      t.base,
      (g) => size[uf.find(g)]! > 1,
      (g, source, id) => fn(uf.find(g), source, id),
    );
  // Pass 1 over the keys: the lowest (source, id) of every component of two or more. Only the lines
  // of clustered documents are decoded, so a pass costs a scan for newlines.
  const best = new Map<number, { source: string; id: string }>();
  for (const t of tasks)
    clustered(t, (root, source, id) => {
      const cur = best.get(root);
      if (!cur || compareSourceId({ source, id }, cur) < 0) best.set(root, { source, id });
    });
  ctx.count('clusters', best.size);
  // Pass 2: drop records for the task that holds each clustered document.
  await ctx.state.remove(/^drop-r\d+\.jsonl$/);
  for (const t of tasks) {
    const out = ctx.state.file(`drop-r${rankName(t.rank)}.jsonl`);
    clustered(t, (root, source, id) => {
      const surv = best.get(root)!;
      const isSurvivor = surv.source === source && surv.id === id;
      const rec: DropRecord = { s: source, i: id, c: surv.id, n: size[root]!, d: !isSurvivor };
      if (!isSurvivor) ctx.count('duplicates');
      out.writeString(`${JSON.stringify(rec)}\n`);
    });
    out.commit();
  }
}

export const minhashDedupDef = defineStep({
  name: 'minhash_dedup',
  description: 'MinHash-LSH near-dedup (RPv2 signatures, band buckets on disk, union-find); lowest (source, id) survives',
  params,
  create: (p) => minhashDedupStep(p),
});
