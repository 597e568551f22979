/**
 * `book_near_dedup`: book-level near-duplicate removal, as a step with passes.
 *
 * Two detectors, either or both (a pair found by either joins the same cluster):
 * - `simhash`: RedPajama's (simhash.ts: character 6-grams, 64 bits, Hamming ≤ 5);
 * - `minhash`: LLaMA's "more than 90% content overlap" (overlap.ts: word 5-gram Jaccard ≥ 0.9).
 *
 * Passes:
 * 1. scan `signatures`: each task writes one JSON line per book (id, survivor key, SimHash, MinHash
 *    signature) to `<step state>/signatures/<source>-<rank>.jsonl`.
 * 2. reduce `clusters` (1 task): reads every signature in a fixed order, finds the pairs (SimHash
 *    block buckets; MinHash LSH bands, then the estimated Jaccard), joins them with union-find and
 *    writes `<step state>/clusters.json`: for every book in a cluster of two or more, its cluster id
 *    and size, and for every removed book its survivor.
 * 3. main (dedup/drops.ts `markClusters`, as exact and MinHash dedup): drops removed books (reason
 *    `near_duplicate_book`) with `meta.dedup.duplicate_of` set to the survivor and `method`, so rejects
 *    show what each book duplicated; survivors carry `cluster_id`/`cluster_size`. A book an earlier
 *    dedup step already clustered keeps those fields and gets this step's under
 *    `meta.dedup.book_near_dedup` (dedupMeta says why).
 *
 * Survivor: the book with the smallest key: `meta.gutenberg_id` (numeric) when present, then the
 * document id (natural order). RedPajama kept a book iff no near-duplicate had a smaller id, a
 * non-transitive rule on ids that collided across book sets; clusters here are transitive and ids
 * unique (docs/curated.md).
 * Memory: scan streams one book at a time (two small signatures per book); reduce holds every
 * signature (~560 B per book: 10,000 books ≈ 6 MB; 70,000 ≈ 40 MB) plus the bucket maps.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Doc } from '../../core/document.js';
import { defineStep, type Step, type TaskContext } from '../../pipeline/step.js';
import { UnionFind } from '../../dedup/minhash/union-find.js';
import { markClusters, type ClusterMark } from '../../dedup/drops.js';
import { BANDS, OVERLAP_THRESHOLD, bandKeys, estimatedJaccard, minhashSignature } from './overlap.js';
import { SIMHASH_MAX_HAMMING, SIMHASH_NGRAM, hamming64, simhash64, simhashBucketKeys } from './simhash.js';

const params = z
  .object({
    simhash: z.boolean().default(true),
    simhash_max_hamming: z.number().int().min(0).max(SIMHASH_MAX_HAMMING).default(SIMHASH_MAX_HAMMING),
    minhash: z.boolean().default(true),
    overlap_threshold: z.number().min(0.5).max(1).default(OVERLAP_THRESHOLD),
    /** Only documents of these sources take part; others pass through. */
    sources: z.array(z.string()).default(['books']),
  })
  .strict();

type Params = z.infer<typeof params>;

export interface BookSignature {
  id: string;
  key: string;
  simhash?: string;
  minhash?: string;
}

/** Sort key of the survivor rule: gutenberg id (zero-padded) when known, then the document id. */
function survivorKey(doc: Doc): string {
  const g = doc.meta.gutenberg_id;
  const num = typeof g === 'number' ? g : typeof g === 'string' && /^\d+$/.test(g) ? Number(g) : null;
  const naturalId = doc.id.replace(/\d+/g, (d) => d.padStart(12, '0'));
  return num === null ? `~${naturalId}` : `${String(num).padStart(12, '0')} ${naturalId}`;
}

export function bookSignature(doc: Doc, p: Pick<Params, 'simhash' | 'minhash'>): BookSignature {
  const sig: BookSignature = { id: doc.id, key: survivorKey(doc) };
  if (p.simhash) sig.simhash = simhash64(doc.text, SIMHASH_NGRAM);
  if (p.minhash) {
    const mh = minhashSignature(doc.text);
    if (mh) sig.minhash = Buffer.from(mh.buffer, mh.byteOffset, mh.byteLength).toString('base64');
  }
  return sig;
}

export interface Clusters {
  /** Removed book id → survivor id. */
  duplicate_of: Record<string, string>;
  /** Every book in a cluster of two or more → [cluster id (= survivor id), size]. */
  cluster: Record<string, [string, number]>;
  /** How each removal was found. */
  method: Record<string, 'simhash' | 'minhash' | 'both'>;
}

/**
 * Calls `fn(i, j)` for every two items (by index, i before j in the bucket) that share a bucket key.
 * A pair met in several buckets is met again: cheaper than remembering pairs, and `fn` is idempotent.
 */
function forEachBucketPair<T>(items: readonly T[], keys: (item: T) => Iterable<string> | null, fn: (i: number, j: number) => void): void {
  const buckets = new Map<string, number[]>();
  for (let i = 0; i < items.length; i++) {
    for (const key of keys(items[i]!) ?? []) {
      const bucket = buckets.get(key);
      if (bucket) bucket.push(i);
      else buckets.set(key, [i]);
    }
  }
  for (const bucket of buckets.values()) for (let x = 0; x < bucket.length; x++) for (let y = x + 1; y < bucket.length; y++) fn(bucket[x]!, bucket[y]!);
}

/** Finds near-duplicate clusters among signatures (order-independent: sorted by key first). */
export function findClusters(input: BookSignature[], p: Pick<Params, 'simhash_max_hamming' | 'overlap_threshold'>): Clusters {
  const sigs = [...input].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  // The shared union-find hangs larger roots under smaller: a cluster's root is its survivor.
  const uf = new UnionFind(sigs.length);
  const find = (i: number) => uf.find(i);
  const union = (a: number, b: number) => uf.union(a, b);
  const how = new Map<number, Set<'simhash' | 'minhash'>>();
  const note = (i: number, j: number, m: 'simhash' | 'minhash') => {
    for (const k of [i, j]) {
      if (!how.has(k)) how.set(k, new Set());
      how.get(k)!.add(m);
    }
  };

  forEachBucketPair(
    sigs,
    (s) => (s.simhash ? simhashBucketKeys(s.simhash) : null),
    (i, j) => {
      if (hamming64(sigs[i]!.simhash!, sigs[j]!.simhash!) <= p.simhash_max_hamming) {
        union(i, j);
        note(i, j, 'simhash');
      }
    },
  );

  const decoded = sigs.map((s) => (s.minhash ? new Uint32Array(new Uint8Array(Buffer.from(s.minhash, 'base64')).buffer) : null));
  forEachBucketPair(
    decoded,
    (sig) => (sig ? bandKeys(sig, BANDS) : null),
    (i, j) => {
      if (find(i) === find(j) && how.get(i)?.has('minhash') && how.get(j)?.has('minhash')) return;
      if (estimatedJaccard(decoded[i]!, decoded[j]!) >= p.overlap_threshold) {
        union(i, j);
        note(i, j, 'minhash');
      }
    },
  );

  const size = new Map<number, number>();
  for (let i = 0; i < sigs.length; i++) size.set(find(i), (size.get(find(i)) ?? 0) + 1);
  const out: Clusters = { duplicate_of: {}, cluster: {}, method: {} };
  sigs.forEach((s, i) => {
    const root = find(i);
    const n = size.get(root)!;
    if (n < 2) return;
    out.cluster[s.id] = [sigs[root]!.id, n];
    if (root !== i) {
      out.duplicate_of[s.id] = sigs[root]!.id;
      const m = how.get(i) ?? new Set();
      out.method[s.id] = m.size === 2 ? 'both' : m.has('simhash') ? 'simhash' : 'minhash';
    }
  });
  return out;
}

const SIG_DIR = 'signatures';
const CLUSTERS = 'clusters.json';

export const bookNearDedupStep = defineStep({
  name: 'book_near_dedup',
  description: 'book-level near-duplicate removal: RedPajama SimHash (6-grams, Hamming <= 5) and LLaMA >90% overlap (MinHash)',
  params,
  create(p): Step {
    let clusters: Clusters | null = null;
    const takesPart = (doc: Doc) => p.sources.includes(doc.source);
    return {
      passes: [
        {
          kind: 'scan',
          name: 'signatures',
          async scan(docs: AsyncIterable<Doc>, ctx: TaskContext) {
            const out = ctx.state.sub(SIG_DIR).lines(`${ctx.source || 'all'}-${String(ctx.rank).padStart(5, '0')}.jsonl`);
            try {
              for await (const doc of docs) {
                if (!takesPart(doc)) continue;
                await out.write(JSON.stringify(bookSignature(doc, p)));
                ctx.count('books_signed');
              }
              await out.commit();
            } catch (e) {
              await out.abort();
              throw e;
            }
          },
        },
        {
          kind: 'reduce',
          name: 'clusters',
          tasks: 1,
          async reduce(ctx: TaskContext) {
            const sigs: BookSignature[] = [];
            for (const f of await ctx.state.sub(SIG_DIR).list(/\.jsonl$/)) {
              for (const line of (await readFile(f, 'utf8')).split('\n')) if (line) sigs.push(JSON.parse(line) as BookSignature);
            }
            const found = findClusters(sigs, p);
            ctx.count('books_in_clusters', Object.keys(found.cluster).length);
            ctx.count('books_to_remove', Object.keys(found.duplicate_of).length);
            await ctx.state.writeJson(CLUSTERS, found);
          },
        },
      ],
      async *run(docs, ctx) {
        clusters ??= await ctx.state.readJson<Clusters>(CLUSTERS);
        const c = clusters;
        const lookup = (doc: Doc): ClusterMark | undefined => {
          const member = takesPart(doc) && Object.hasOwn(c.cluster, doc.id) ? c.cluster[doc.id]! : undefined;
          return member && { c: member[0], n: member[1], d: Object.hasOwn(c.duplicate_of, doc.id) };
        };
        yield* markClusters(docs, ctx, lookup, {
          reason: 'near_duplicate_book',
          key: 'book_near_dedup',
          extra: (doc, mark) => (mark.d ? { method: c.method[doc.id] } : undefined),
        });
      },
    };
  },
});
