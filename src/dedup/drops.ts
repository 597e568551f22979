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

export class DropTable {
  private readonly map = new Map<string, DropRecord>();
  add(r: DropRecord): void {
    this.map.set(`${r.s}\u0000${r.i}`, r);
  }
  get(source: string, id: string): DropRecord | undefined {
    return this.map.get(`${source}\u0000${id}`);
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
    const rec = drops.get(doc.source, doc.id);
    if (!rec) {
      yield doc;
      continue;
    }
    const marked = dedupMeta(doc, rec);
    if (rec.d) ctx.drop(marked, 'duplicate');
    else yield marked;
  }
}
