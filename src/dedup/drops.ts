/**
 * What a dedup reduce pass tells the main pass about each clustered document, and how the main pass
 * marks it: survivors get meta.dedup {cluster_id, cluster_size}; duplicates also get duplicate_of
 * (the survivor's id, which is the cluster id) and are dropped with the step's reason (`duplicate`
 * for exact_dedup and minhash_dedup). Every dedup step marks through `markClusters` here.
 */
import type { Doc } from '../core/document.js';
import type { TaskContext } from '../pipeline/step.js';
import { readStateLines, type StepState } from '../pipeline/state.js';
import { rankName } from './survivor.js';

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
  /** The document's index in the step's numbering, where records of one task come from several files (minhash_dedup). */
  g?: number;
}

/**
 * Drop records of one task by (source, id). Ids should be unique, but when an input holds the same
 * (source, id) twice, its records are handed out in order, so the first copy gets the first record.
 */
class DropTable {
  private readonly map = new Map<string, DropRecord | DropRecord[]>();
  add(r: DropRecord): void {
    const key = `${r.s}\u0000${r.i}`;
    const prev = this.map.get(key);
    if (prev === undefined) this.map.set(key, r);
    else {
      const list = Array.isArray(prev) ? prev : [prev];
      list.push(r);
      // In document order when the records say it (they may come from several files).
      if (r.g !== undefined) list.sort((a, b) => (a.g ?? 0) - (b.g ?? 0));
      this.map.set(key, list);
    }
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
async function loadDropRecords(state: StepState, rank: number): Promise<DropTable> {
  const table = new DropTable();
  for (const f of await state.list(new RegExp(`^drop-(.*-)?r${rankName(rank)}\\.jsonl$`))) for await (const line of readStateLines(f)) table.add(JSON.parse(line) as DropRecord);
  return table;
}

/** What a main pass needs to mark one clustered document (a DropRecord is one). */
export type ClusterMark = Pick<DropRecord, 'c' | 'n' | 'd'>;

/** How a dedup step marks the documents its clusters hold. */
export interface MarkOptions {
  /** filter_reason of the dropped duplicates. */
  reason: string;
  /** The step's own key under meta.dedup, for steps that never overwrite an earlier step's marks (see dedupMeta). */
  key?: string;
  /** Fields after the cluster fields (book_near_dedup: how a removed book was found). */
  extra?: (doc: Doc, mark: ClusterMark) => Record<string, unknown> | undefined;
}

/** exact_dedup and minhash_dedup. */
const DOCUMENT_DEDUP: MarkOptions = { reason: 'duplicate' };

/**
 * Marks one clustered document. Merging with what an earlier dedup step wrote into meta.dedup:
 * - other keys are always kept;
 * - a step without a `key` (exact_dedup, minhash_dedup: two passes of the same document dedup, same
 *   survivor rule) writes the flat fields, so on a document both cluster the later one's win
 *   (docs/dedup.md);
 * - a step with a `key` (book_near_dedup: another criterion and survivor rule) writes the flat fields
 *   only when no earlier step clustered the document (no cluster_id yet); otherwise its fields go
 *   under meta.dedup[key], so both results stay and the flat fields keep meaning the earlier one.
 */
function dedupMeta(doc: Doc, mark: ClusterMark, opts: Omit<MarkOptions, 'reason'> = {}): Doc {
  const prev = (doc.meta.dedup && typeof doc.meta.dedup === 'object' ? doc.meta.dedup : {}) as Record<string, unknown>;
  const fields: Record<string, unknown> = { cluster_id: mark.c, cluster_size: mark.n };
  if (mark.d) fields.duplicate_of = mark.c;
  Object.assign(fields, opts.extra?.(doc, mark));
  const nested = opts.key !== undefined && prev.cluster_id !== undefined;
  const dedup = nested ? { ...prev, [opts.key!]: fields } : { ...prev, ...fields };
  return { ...doc, meta: { ...doc.meta, dedup } };
}

/** The main pass of a dedup step: marks the documents `lookup` finds clustered and drops the duplicates. */
export async function* markClusters(docs: AsyncIterable<Doc>, ctx: TaskContext, lookup: (doc: Doc) => ClusterMark | undefined, opts: MarkOptions): AsyncGenerator<Doc> {
  for await (const doc of docs) {
    const mark = lookup(doc);
    if (!mark) {
      yield doc;
      continue;
    }
    const marked = dedupMeta(doc, mark, opts);
    if (mark.d) ctx.drop(marked, opts.reason);
    else yield marked;
  }
}

/** The main pass of exact_dedup and minhash_dedup, from the drop records their reduce passes wrote. */
export async function* applyDropRecords(docs: AsyncIterable<Doc>, ctx: TaskContext): AsyncGenerator<Doc> {
  const drops = await loadDropRecords(ctx.state, ctx.rank);
  yield* markClusters(docs, ctx, (doc) => drops.take(doc.source, doc.id), DOCUMENT_DEDUP);
}
