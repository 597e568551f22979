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
 *    least `threshold`; edges go to `e-b<band>-s<shard>.bin` by the shard of their member.
 * 3. reduce `local`, `cross`, `roots`, `labels`, `survivors`: connected components and survivors
 *    sharded by document index (components.ts: `shards` tasks of ⌈n / shards⌉ documents, at most
 *    8 bytes per document of the shard in memory; one task unions the roots of components that span
 *    shards); in each component the lowest (source, id) survives; `drop-q<shard>-r<task>.jsonl`
 *    tells each main task which of its documents are clustered.
 * 4. main: duplicates dropped with reason `duplicate`; survivors and duplicates carry meta.dedup
 *    {cluster_id (the survivor's id), cluster_size[, duplicate_of]}.
 * Documents with fewer words than a shingle have no signature (null in RPv2) and are never removed.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { z } from 'zod';
import type { Doc } from '../../core/document.js';
import { ConfigError } from '../../core/errors.js';
import { defineStep, type Step, type TaskContext } from '../../pipeline/step.js';
import type { AtomicFile } from '../../io/atomic.js';
import type { StepState } from '../../pipeline/state.js';
import { rankName } from '../survivor.js';
import { applyDropRecords } from '../drops.js';
import { BandRunWriter, mergeBandRuns } from './bands.js';
import { jaccard, MinHasher, shingleSets } from './signature.js';
import { normalize } from '../../text/rpv2-normalize.js';
import { optimalParams } from './lsh-params.js';
import { crossPass, labelsPass, localPass, rootsPass, shardName, Shards, survivorsPass, taskBases } from './components.js';

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
    /** Shards of the document index for the clustering passes (tasks of each). */
    shards: z.number().int().min(1).max(1024).default(16),
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
            // Only the Jaccard check needs the normalized strings; otherwise the addon normalizes whitespace.
            const norm = shingles ? batch.map((d) => normalize(d.text)) : undefined;
            const { sigs, valid } = norm ? hasher.signaturesOfNormalized(norm) : hasher.signatures(batch.map((d) => d.text));
            const sets = norm ? shingleSets(norm, p.ngram) : undefined;
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
          await ctx.state.remove(new RegExp(`^e-b${band}-s\\d+\\.bin$`));
          const shards = new Shards(tasks, p.shards);
          const files = new Map<number, AtomicFile>();
          const edgeFile = (member: number) => {
            const s = shards.of(member);
            let f = files.get(s);
            if (!f) {
              f = ctx.state.file(`e-b${band}-s${shardName(s)}.bin`, { bufferBytes: 8 * 8192 });
              files.set(s, f);
            }
            return f;
          };
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
                const f = edgeFile(group[k]!);
                f.u32(group[k]!);
                f.u32(root);
              }
            }
            for (const f of files.values()) f.commit();
          } catch (e) {
            for (const f of files.values()) f.abort();
            throw e;
          } finally {
            store?.close();
          }
        },
      },
      { kind: 'reduce', name: 'local', tasks: p.shards, reduce: (ctx) => localPass(ctx, p.shards) },
      { kind: 'reduce', name: 'cross', tasks: p.shards, reduce: (ctx) => crossPass(ctx, p.shards) },
      { kind: 'reduce', name: 'roots', tasks: 1, reduce: (ctx) => rootsPass(ctx, p.shards) },
      { kind: 'reduce', name: 'labels', tasks: p.shards, reduce: (ctx) => labelsPass(ctx, p.shards) },
      { kind: 'reduce', name: 'survivors', tasks: p.shards, reduce: (ctx) => survivorsPass(ctx) },
    ],
    run: applyDropRecords,
  };
}

export const minhashDedupDef = defineStep({
  name: 'minhash_dedup',
  description: 'MinHash-LSH near-dedup (RPv2 signatures, band buckets on disk, components sharded by document); lowest (source, id) survives',
  params,
  create: (p) => minhashDedupStep(p),
});
