/**
 * MinHash clustering sharded by document index: the connected components of the band buckets'
 * edges, then the survivors, with no task holding every document.
 *
 * Documents are numbered 0..n-1 in scan-task order (count files); shard s of K holds the range
 * [s·R, (s+1)·R), R = ⌈n / K⌉. The `buckets` pass writes each edge (member, bucket root; the root is
 * the smaller) to `e-b<band>-s<shard of the member>.bin`. Then:
 * 1. `local` (K tasks): union-find over the shard's range (4 bytes per document) with the edges whose
 *    two ends are in the shard; `lroot-s<s>.bin` holds each document's local root, and each edge to
 *    an earlier shard leaves as (local root of its member, other end) in `x-s<s>-t<t>.bin`.
 * 2. `cross` (K tasks): the other ends replaced by their local roots: `c-t<t>.bin`, sorted unique
 *    pairs of local roots, and `n-t<t>.bin`, their sorted unique roots.
 * 3. `roots` (1 task): union-find over the local roots that have an edge to another shard (8 bytes
 *    per such root; documents without a duplicate in another shard never come here);
 *    `g-s<s>.bin` maps each of them to its component's root.
 * 4. `labels` (K tasks): every clustered document's component root (the global root of its local
 *    root), with its [source, id] from the keys files, to the root's shard: `m-s<s>-q<q>.jsonl`.
 * 5. `survivors` (K tasks): members grouped by root (an external sort: bounded memory); in each
 *    component the lowest (source, id) survives; drop records per scan task, `drop-q<q>-r<task>.jsonl`.
 * Every union hangs the larger root under the smaller, so a component's root is its smallest
 * document whatever the shard count, and the drop records are those of one union-find over all
 * documents (each carries the document's index, so a task's records keep document order).
 */
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { AtomicFile } from '../../io/atomic.js';
import { ExternalSorter, jsonLinesCodec } from '../../io/external-sort.js';
import { readStateLines, type StepState } from '../../pipeline/state.js';
import type { TaskContext } from '../../pipeline/step.js';
import { compareSourceId, rankName } from '../survivor.js';
import type { DropRecord } from '../drops.js';
import { UnionFind } from './union-find.js';

/** Scan tasks in rank order with their first global document index, from the count files. */
export interface TaskBase {
  rank: number;
  base: number;
  docs: number;
}

export function taskBases(countFiles: string[]): TaskBase[] {
  let base = 0;
  return countFiles.map((f) => {
    const rank = Number(/count-r(\d+)\.json$/.exec(f)![1]);
    const docs = (JSON.parse(readFileSync(f, 'utf8')) as { docs: number }).docs;
    const t = { rank, base, docs };
    base += docs;
    return t;
  });
}

/** How the n documents split into K shards of R consecutive indices. */
export class Shards {
  readonly n: number;
  readonly size: number;

  constructor(
    readonly tasks: TaskBase[],
    readonly count: number,
  ) {
    this.n = tasks.reduce((a, t) => a + t.docs, 0);
    this.size = Math.max(1, Math.ceil(this.n / count));
  }

  static async load(state: StepState, count: number): Promise<Shards> {
    return new Shards(taskBases(await state.list(/^count-r\d+\.json$/)), count);
  }

  of(doc: number): number {
    return Math.floor(doc / this.size);
  }

  range(s: number): [number, number] {
    const lo = Math.min(this.n, s * this.size);
    return [lo, Math.min(this.n, lo + this.size)];
  }
}

export const shardName = rankName;

/** Reads a file of little-endian uint32 values. */
function readU32(path: string): Uint32Array {
  const b = readFileSync(path);
  const out = new Uint32Array(b.length >> 2);
  for (let i = 0; i < out.length; i++) out[i] = b.readUInt32LE(i * 4);
  return out;
}

/** Calls fn(a, b) for each uint32 pair of the files, in order. */
function forEachPair(files: string[], fn: (a: number, b: number) => void): void {
  const buf = Buffer.alloc(8 * 65536);
  for (const f of files) {
    const fd = openSync(f, 'r');
    try {
      let carry = 0;
      for (let len = readSync(fd, buf, carry, buf.length - carry, null); len > 0; len = readSync(fd, buf, carry, buf.length - carry, null)) {
        const end = carry + len;
        let i = 0;
        for (; i + 8 <= end; i += 8) fn(buf.readUInt32LE(i), buf.readUInt32LE(i + 4));
        carry = end - i;
        if (carry) buf.copy(buf, 0, i, end);
      }
    } finally {
      closeSync(fd);
    }
  }
}

/** Pass `local`: union-find inside the shard, local roots, edges to other shards with their member's local root. */
export async function localPass(ctx: TaskContext, shardCount: number): Promise<void> {
  const shards = await Shards.load(ctx.state, shardCount);
  const s = ctx.rank;
  const [lo, hi] = shards.range(s);
  await ctx.state.remove(new RegExp(`^(lroot-s${shardName(s)}\\.bin|x-s${shardName(s)}-t\\d+\\.bin)$`));
  const edges = await ctx.state.list(new RegExp(`^e-b\\d+-s${shardName(s)}\\.bin$`));
  const uf = new UnionFind(hi - lo);
  let internal = 0;
  forEachPair(edges, (u, r) => {
    if (r >= lo) {
      uf.union(u - lo, r - lo);
      internal++;
    }
  });
  const out = new Map<number, AtomicFile>();
  forEachPair(edges, (u, r) => {
    if (r >= lo) return;
    const t = shards.of(r);
    let f = out.get(t);
    if (!f) {
      f = ctx.state.file(`x-s${shardName(s)}-t${shardName(t)}.bin`);
      out.set(t, f);
    }
    f.u32(uf.find(u - lo) + lo);
    f.u32(r);
  });
  for (const f of out.values()) f.commit();
  const roots = ctx.state.file(`lroot-s${shardName(s)}.bin`, { createEmpty: true, bufferBytes: 1 << 18 });
  for (let i = 0; i < hi - lo; i++) roots.u32(uf.find(i) + lo);
  roots.commit();
  ctx.count('internal_edges', internal);
}

/**
 * Sorts n uint32 pairs stored low word, high word (each pair one little-endian uint64) by high then
 * low word and drops repeats, in place: a native numeric sort, no BigInt per pair. Returns the count kept.
 */
function sortUniquePairs(pairs: Uint32Array, n: number): number {
  new BigUint64Array(pairs.buffer, pairs.byteOffset, n).sort();
  let m = 0;
  for (let i = 0; i < n; i++) {
    if (m > 0 && pairs[2 * i] === pairs[2 * m - 2] && pairs[2 * i + 1] === pairs[2 * m - 1]) continue;
    pairs[2 * m] = pairs[2 * i]!;
    pairs[2 * m + 1] = pairs[2 * i + 1]!;
    m++;
  }
  return m;
}

/** Pass `cross`: edges into this shard as pairs of local roots, sorted and unique, and the roots they touch. */
export async function crossPass(ctx: TaskContext, shardCount: number): Promise<void> {
  const shards = await Shards.load(ctx.state, shardCount);
  const t = ctx.rank;
  const [lo] = shards.range(t);
  await ctx.state.remove(new RegExp(`^(c|n)-t${shardName(t)}\\.bin$`));
  const files = await ctx.state.list(new RegExp(`^x-s\\d+-t${shardName(t)}\\.bin$`));
  if (files.length === 0) return;
  const lroot = readU32(ctx.state.path(`lroot-s${shardName(t)}.bin`));
  let pairs = new Uint32Array(1 << 12);
  let n = 0;
  forEachPair(files, (a, r) => {
    if (2 * n + 2 > pairs.length) {
      const more = new Uint32Array(pairs.length * 2);
      more.set(pairs);
      pairs = more;
    }
    // Low word b (this shard's local root), high word a (the other shard's): sorted by a, then b.
    pairs[2 * n] = lroot[r - lo]!;
    pairs[2 * n + 1] = a;
    n++;
  });
  const m = sortUniquePairs(pairs, n);
  const edges = ctx.state.file(`c-t${shardName(t)}.bin`, { bufferBytes: 1 << 18 });
  for (let i = 0; i < m; i++) {
    edges.u32(pairs[2 * i + 1]!);
    edges.u32(pairs[2 * i]!);
  }
  edges.commit();
  // The roots the pairs touch, sorted and unique (the pairs' memory is reused).
  const sorted = pairs.subarray(0, 2 * m).sort();
  const out = ctx.state.file(`n-t${shardName(t)}.bin`, { bufferBytes: 1 << 18 });
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) out.u32(sorted[i]!);
  out.commit();
  ctx.count('cross_edges', m);
}

function lowerBound(a: Uint32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Pass `roots`: union-find over the local roots joined across shards; each one's component root, by shard. */
export async function rootsPass(ctx: TaskContext, shardCount: number): Promise<void> {
  const shards = await Shards.load(ctx.state, shardCount);
  await ctx.state.remove(/^g-s\d+\.bin$/);
  const lists = (await ctx.state.list(/^n-t\d+\.bin$/)).map(readU32);
  const all = new Uint32Array(lists.reduce((a, l) => a + l.length, 0));
  let k = 0;
  for (const l of lists) {
    all.set(l, k);
    k += l.length;
  }
  all.sort();
  let m = 0;
  for (let i = 0; i < all.length; i++) if (m === 0 || all[i] !== all[m - 1]) all[m++] = all[i]!;
  const nodes = all.subarray(0, m);
  const uf = new UnionFind(m);
  forEachPair(await ctx.state.list(/^c-t\d+\.bin$/), (a, b) => uf.union(lowerBound(nodes, a), lowerBound(nodes, b)));
  let cur = -1;
  let f: AtomicFile | null = null;
  for (let i = 0; i < m; i++) {
    const s = shards.of(nodes[i]!);
    if (s !== cur) {
      f?.commit();
      f = ctx.state.file(`g-s${shardName(s)}.bin`, { bufferBytes: 1 << 18 });
      cur = s;
    }
    f!.u32(nodes[i]!);
    f!.u32(nodes[uf.find(i)]!);
  }
  f?.commit();
  ctx.count('cross_shard_roots', m);
}

/** The keys-file lines (one JSON [source, id] per document) of the documents in [from, to) that `want`. */
function* keysIn(path: string, base: number, from: number, to: number, want: (g: number) => boolean): Generator<[number, string, string]> {
  const fd = openSync(path, 'r');
  const block = Buffer.alloc(1 << 20);
  let carry: Buffer | null = null;
  let g = base;
  try {
    for (let len = readSync(fd, block, 0, block.length, null); len > 0 && g < to; len = readSync(fd, block, 0, block.length, null)) {
      let chunk = block.subarray(0, len);
      if (carry) chunk = Buffer.concat([carry, chunk]);
      let start = 0;
      for (let nl = chunk.indexOf(10, start); nl !== -1 && g < to; nl = chunk.indexOf(10, start)) {
        if (g >= from && want(g)) {
          const [source, id] = JSON.parse(chunk.toString('utf8', start, nl)) as [string, string];
          yield [g, source, id];
        }
        g++;
        start = nl + 1;
      }
      carry = start < chunk.length ? Buffer.from(chunk.subarray(start)) : null;
    }
  } finally {
    closeSync(fd);
  }
}

/** A clustered document on its way to the survivors pass: [root, document, scan task, source, id]. */
type Member = [root: number, doc: number, task: number, source: string, id: string];

/** Pass `labels`: each clustered document of the shard with its component root, sent to the root's shard. */
export async function labelsPass(ctx: TaskContext, shardCount: number): Promise<void> {
  const shards = await Shards.load(ctx.state, shardCount);
  const s = ctx.rank;
  const [lo, hi] = shards.range(s);
  await ctx.state.remove(new RegExp(`^m-s${shardName(s)}-q\\d+\\.jsonl$`));
  if (hi <= lo) return;
  const lroot = readU32(ctx.state.path(`lroot-s${shardName(s)}.bin`));
  const gPath = ctx.state.path(`g-s${shardName(s)}.bin`);
  const g = existsSync(gPath) ? readU32(gPath) : new Uint32Array(0);
  const gNodes = new Uint32Array(g.length >> 1);
  for (let i = 0; i < gNodes.length; i++) gNodes[i] = g[2 * i]!;
  // Local component sizes, counted at their roots.
  const size = new Uint32Array(hi - lo);
  for (let i = 0; i < hi - lo; i++) size[lroot[i]! - lo]!++;
  const rootOf = (doc: number): number => {
    const l = lroot[doc - lo]!;
    const k = lowerBound(gNodes, l);
    return k < gNodes.length && gNodes[k] === l ? g[2 * k + 1]! : l;
  };
  const clustered = (doc: number): boolean => {
    const l = lroot[doc - lo]!;
    if (size[l - lo]! > 1) return true;
    const k = lowerBound(gNodes, l);
    return k < gNodes.length && gNodes[k] === l;
  };
  const files = ctx.state.lineFiles();
  let members = 0;
  for (const t of shards.tasks) {
    if (t.base + t.docs <= lo || t.base >= hi) continue;
    for (const [doc, source, id] of keysIn(ctx.state.path(`keys-r${rankName(t.rank)}.jsonl`), t.base, lo, hi, clustered)) {
      const root = rootOf(doc);
      const m: Member = [root, doc, t.rank, source, id];
      await files.write(`m-s${shardName(s)}-q${shardName(shards.of(root))}.jsonl`, JSON.stringify(m));
      members++;
    }
  }
  await files.commit();
  ctx.count('clustered_documents', members);
}

/** Pass `survivors`: components of this root shard, their survivor, and drop records per scan task. */
export async function survivorsPass(ctx: TaskContext, memoryBytes = 16 << 20): Promise<void> {
  const q = ctx.rank;
  await ctx.state.remove(new RegExp(`^drop-q${shardName(q)}-r\\d+\\.jsonl$`));
  const tmp = ctx.state.sub(`sort-q${shardName(q)}`);
  const sorter = new ExternalSorter<Member>({
    dir: tmp.dir,
    codec: jsonLinesCodec<Member>(),
    compare: (a, b) => a[0] - b[0] || a[1] - b[1],
    memoryBytes,
    sizeOf: (m) => 160 + 2 * (m[3].length + m[4].length), // an array of five, two strings, one boxed number
  });
  for (const f of await ctx.state.list(new RegExp(`^m-s\\d+-q${shardName(q)}\\.jsonl$`))) for await (const line of readStateLines(f)) sorter.add(JSON.parse(line) as Member);
  const out = ctx.state.lineFiles();
  let group: Member[] = [];
  let clusters = 0;
  let duplicates = 0;
  const flush = async () => {
    if (group.length === 0) return;
    clusters++;
    let best = group[0]!;
    for (const m of group) if (compareSourceId({ source: m[3], id: m[4] }, { source: best[3], id: best[4] }) < 0) best = m;
    for (const m of group) {
      const isSurvivor = m[3] === best[3] && m[4] === best[4];
      if (!isSurvivor) duplicates++;
      const rec: DropRecord = { s: m[3], i: m[4], c: best[4], n: group.length, d: !isSurvivor, g: m[1] };
      await out.write(`drop-q${shardName(q)}-r${rankName(m[2])}.jsonl`, JSON.stringify(rec));
    }
    group = [];
  };
  for (const m of sorter.sorted()) {
    if (group.length > 0 && group[0]![0] !== m[0]) await flush();
    group.push([...m] as Member);
  }
  await flush();
  await out.commit();
  await rm(tmp.dir, { recursive: true, force: true });
  ctx.count('clusters', clusters);
  ctx.count('duplicates', duplicates);
}
