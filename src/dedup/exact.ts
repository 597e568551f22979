/**
 * Exact dedup across every shard and source of a stage, on a content hash (raw or RPv2-normalized
 * text) or on any meta key (`meta.url`, `meta.digest`, …).
 *
 * Passes (state in the step's state folder):
 * 1. scan (every task): SHA-1 of the key per document → `scan-r<task>-b<bucket>.jsonl` records
 *    [hash, source, id, task], hash-partitioned into `buckets` files per task.
 * 2. reduce (one task per bucket): sorts its bucket's records by (hash, source, id); in every group of
 *    equal hashes the lowest (source, id) survives; writes `drop-b<bucket>-r<task>.jsonl` for the task
 *    that holds each member: duplicates with the survivor's id, the survivor with its cluster size.
 * 3. main (every task): loads its drop records and drops duplicates with reason `duplicate`
 *    (meta.dedup.duplicate_of set on the reject), annotating survivors with meta.dedup
 *    {cluster_id, cluster_size}.
 * Memory: scan O(1); a reduce task holds its bucket (≈ docs / buckets records of ~100 bytes);
 * a main task holds only its duplicated documents.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Doc } from '../core/document.js';
import { defineStep, type Step } from '../pipeline/step.js';
import { normalize } from '../text/rpv2-normalize.js';
import { bucketPasses, equalRuns } from './buckets.js';
import { compareSourceId } from './survivor.js';
import { applyDropRecords, type DropRecord } from './drops.js';

const params = z
  .object({
    /** `text` (raw), `normalized_text` (RPv2 normalize: lower-cased, punctuation removed, NFD) or `meta.<key>`. */
    key: z
      .string()
      .regex(/^(text|normalized_text|meta\.[\w.-]+)$/)
      .default('text'),
    /** Hash partitions: reduce tasks, and files per scan task. */
    buckets: z.number().int().min(1).max(4096).default(16),
  })
  .strict();

export type ExactParams = z.infer<typeof params>;

/** The value a document is deduplicated on, or undefined when it has none. */
function dedupKey(doc: Doc, key: string): string | undefined {
  if (key === 'text') return doc.text;
  if (key === 'normalized_text') return normalize(doc.text);
  let v: unknown = doc.meta;
  for (const part of key.slice('meta.'.length).split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  if (v === undefined || v === null || v === '') return undefined;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

type ScanRecord = [hash: string, source: string, id: string, task: number];

export function exactDedupStep(p: ExactParams): Step {
  return {
    passes: bucketPasses<ScanRecord, ScanRecord>({
      buckets: p.buckets,
      async scan(docs, ctx, write) {
        for await (const doc of docs) {
          const value = dedupKey(doc, p.key);
          if (value === undefined) {
            ctx.count('no_key');
            continue;
          }
          const hash = createHash('sha1').update(value).digest('hex');
          const rec: ScanRecord = [hash, doc.source, doc.id, ctx.rank];
          await write(parseInt(hash.slice(0, 8), 16) % p.buckets, rec);
        }
      },
      gather: (rec, into) => {
        into.push(rec);
      },
      async reduce(recs, ctx, write) {
        recs.sort((x, y) => (x[0] !== y[0] ? (x[0] < y[0] ? -1 : 1) : compareSourceId({ source: x[1], id: x[2] }, { source: y[1], id: y[2] })));
        for (const [i, j] of equalRuns(recs, (a, b) => a[0] === b[0])) {
          const survivor = recs[i]!;
          ctx.count('clusters');
          for (let k = i; k < j; k++) {
            const r = recs[k]!;
            const drop: DropRecord = { s: r[1], i: r[2], c: survivor[2], n: j - i, d: k > i };
            await write(r[3], drop);
          }
        }
      },
    }),
    run: applyDropRecords,
  };
}

export const exactDedupDef = defineStep({
  name: 'exact_dedup',
  description: 'global exact dedup on a text hash or a meta key; lowest (source, id) survives',
  params,
  create: (p) => exactDedupStep(p),
});
