/**
 * What a dedup reduce pass tells the main pass about each clustered document, and how the main pass
 * marks it: survivors get meta.dedup {cluster_id, cluster_size}; duplicates also get duplicate_of
 * (the survivor's id, which is the cluster id) and are dropped with reason `duplicate`.
 */
import type { Doc } from '../core/document.js';
import type { TaskContext } from '../pipeline/step.js';
import { listState, rankName, readStateLines } from './state.js';

export interface DropRecord {
  /** source and id of the document */
  s: string;
  i: string;
  /** cluster id: the survivor's id */
  c: string;
  /** cluster size */
  n: number;
  /** true: a duplicate to drop; false: the survivor */
  d: boolean;
}

/**
 * Drop records of one task by (source, id). Ids should be unique, but when an input holds the same
 * (source, id) twice, its records are handed out in order, so the first copy gets the first record.
 */
export class DropTable {
  private readonly map = new Map<string, DropRecord | DropRecord[]>();
  add(r: DropRecord): void {
    const key = `${r.s}\u0000${r.i}`;
    const prev = this.map.get(key);
    if (prev === undefined) this.map.set(key, r);
    else if (Array.isArray(prev)) prev.push(r);
    else this.map.set(key, [prev, r]);
  }
  /** The next record for this document, if any. */
  take(source: string, id: string): DropRecord | undefined {
    const key = `${source}\u0000${id}`;
    const v = this.map.get(key);
    if (!Array.isArray(v)) return v;
    const r = v.shift();
    if (v.length === 1) this.map.set(key, v[0]!);
    return r;
  }
  get size(): number {
    return this.map.size;
  }
}

/** Every `drop-*-r<rank>.jsonl` record for one main-pass task (only its clustered documents). */
export async function loadDropRecords(stateDir: string, rank: number): Promise<DropTable> {
  const table = new DropTable();
  for (const f of await listState(stateDir, new RegExp(`^drop-(.*-)?r${rankName(rank)}\\.jsonl$`)))
    for await (const line of readStateLines(f)) table.add(JSON.parse(line) as DropRecord);
  return table;
}

export function dedupMeta(doc: Doc, rec: DropRecord): Doc {
  const prev = (doc.meta.dedup && typeof doc.meta.dedup === 'object' ? doc.meta.dedup : {}) as Record<string, unknown>;
  const dedup: Record<string, unknown> = { ...prev, cluster_id: rec.c, cluster_size: rec.n };
  if (rec.d) dedup.duplicate_of = rec.c;
  return { ...doc, meta: { ...doc.meta, dedup } };
}

/** The main pass of both dedup steps: marks clustered documents and drops the duplicates. */
export async function* applyDropRecords(docs: AsyncIterable<Doc>, ctx: TaskContext): AsyncGenerator<Doc> {
  const drops = await loadDropRecords(ctx.stateDir, ctx.rank);
  for await (const doc of docs) {
    const rec = drops.take(doc.source, doc.id);
    if (!rec) {
      yield doc;
      continue;
    }
    const marked = dedupMeta(doc, rec);
    if (rec.d) ctx.drop(marked, 'duplicate');
    else yield marked;
  }
}
