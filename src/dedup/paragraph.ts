/**
 * Exact paragraph (or line) dedup across a whole stage, as dolma's `dedupe` does with
 * `dedupe.paragraphs` (docs/deduplication.md): text repeated across documents (navigation, cookie
 * notices, "share this" lines, licence footers) is kept once and removed everywhere else.
 *
 * Units: `line` splits on '\n' (what dolma calls paragraphs); `paragraph` splits on blank lines. A
 * unit's key is its text with surrounding whitespace stripped (`key: exact`) or RPv2-normalised
 * (`key: normalized`: lower-cased, punctuation removed); units whose key is shorter than
 * `min_chars` are never touched (dolma's `skip_empty`, with a threshold).
 *
 * Dolma keeps the first occurrence it happens to see (a Bloom filter filled in processing order, so
 * the result depends on the order and the worker count). Here the survivor is fixed: the occurrence
 * in the lowest (source, id) document, at its first position; every other occurrence, in other
 * documents and later in the same one, is removed. Hashed buckets on disk replace the Bloom filter:
 * 1. scan (every task): a 64-bit hash (core/hash64.ts) of each unit's key, written with the
 *    document's (source, id, task, position in task) to `scan-r<task>-b<bucket>.jsonl`, one line per
 *    document and bucket;
 * 2. reduce (one task per bucket): sorts the bucket's occurrences by (hash, source, id, position)
 *    and writes, for each task, the occurrences to remove (`drop-b<bucket>-r<task>.jsonl`);
 * 3. main (every task): removes those units (with the separator that followed them) and counts
 *    `units_removed` and `chars_removed`; `meta.paragraph_dedup = {removed, units}` on changed
 *    documents; a document left with no text is dropped (`all_paragraphs_duplicate`).
 * False positives: two different units collide only when their 64-bit hashes do, about N / 2^64
 * per unit for N distinct units (5e-10 at ten billion), so the rate is stated, not tuned.
 * Memory: scan O(one document); a reduce task holds its bucket's occurrences (~100 bytes each:
 * total units / `buckets`); a main task the removals of its own documents.
 */
import { z } from 'zod';
import { CorpusError } from '../core/errors.js';
import { hash64, hex64 } from '../core/hash64.js';
import { defineStep, type Step } from '../pipeline/step.js';
import { pyStrip } from '../text/python.js';
import { normalize } from '../text/rpv2-normalize.js';
import { bucketPasses, equalRuns, readDrops } from './buckets.js';
import { compareSourceId } from './survivor.js';

const params = z
  .object({
    unit: z.enum(['line', 'paragraph']).default('line'),
    key: z.enum(['exact', 'normalized']).default('exact'),
    /** Units with a shorter key (in UTF-16 units) are never deduplicated; 1 skips only blank ones. */
    min_chars: z.number().int().min(1).default(1),
    buckets: z.number().int().min(1).max(4096).default(16),
    /** Drop a document whose every unit was removed (else keep it with what is left). */
    drop_empty: z.boolean().default(true),
  })
  .strict();

type ParagraphDedupParams = z.infer<typeof params>;

export interface Unit {
  /** The unit is text[start, end); its separator text[end, next). */
  start: number;
  end: number;
  next: number;
}

const BLANK_LINES = /\n(?:[^\S\n]*\n)+/g;

/** The units of a text, covering it exactly. */
export function splitUnits(text: string, unit: 'line' | 'paragraph'): Unit[] {
  const out: Unit[] = [];
  let start = 0;
  if (unit === 'line') {
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      out.push({ start, end: nl, next: nl + 1 });
      start = nl + 1;
    }
  } else {
    BLANK_LINES.lastIndex = 0;
    for (let m = BLANK_LINES.exec(text); m; m = BLANK_LINES.exec(text)) {
      out.push({ start, end: m.index, next: m.index + m[0].length });
      start = m.index + m[0].length;
    }
  }
  out.push({ start, end: text.length, next: text.length });
  return out;
}

/** The text without the units at `remove` (indices into `units`), with their separators. */
export function removeUnits(text: string, units: readonly Unit[], remove: ReadonlySet<number>): string {
  const parts: string[] = [];
  let lastKept = -1;
  for (let i = 0; i < units.length; i++) {
    if (remove.has(i)) continue;
    parts.push(text.slice(units[i]!.start, units[i]!.next));
    lastKept = i;
  }
  let out = parts.join('');
  // When the text's last unit went, the unit now last keeps no separator after it (as the original had none).
  if (remove.has(units.length - 1) && lastKept >= 0) out = out.slice(0, out.length - (units[lastKept]!.next - units[lastKept]!.end));
  return out;
}

function unitKey(text: string, u: Unit, key: 'exact' | 'normalized'): string {
  const raw = text.slice(u.start, u.end);
  return key === 'exact' ? pyStrip(raw) : normalize(raw);
}

/** Scan record: [source, id, task, ordinal, hash, unit, hash, unit, ...]. */
type ScanRecord = [string, string, number, number, ...Array<string | number>];
/** Drop record: [ordinal, id, unit, unit, ...]. */
type DropRecord = [number, string, ...number[]];

interface Occurrence {
  hash: string;
  source: string;
  id: string;
  task: number;
  ord: number;
  unit: number;
}

function compareOccurrence(a: Occurrence, b: Occurrence): number {
  if (a.hash !== b.hash) return a.hash < b.hash ? -1 : 1;
  return compareSourceId(a, b) || a.task - b.task || a.ord - b.ord || a.unit - b.unit;
}

function paragraphDedupStep(p: ParagraphDedupParams): Step {
  const h = new Uint32Array(2);
  return {
    passes: bucketPasses<ScanRecord, Occurrence>({
      buckets: p.buckets,
      async scan(docs, ctx, write) {
        let ord = 0;
        for await (const doc of docs) {
          const units = splitUnits(doc.text, p.unit);
          const perBucket = new Map<number, Array<string | number>>();
          for (let i = 0; i < units.length; i++) {
            const key = unitKey(doc.text, units[i]!, p.key);
            if (key.length < p.min_chars) continue;
            hash64(key, h);
            const bucket = h[0]! % p.buckets;
            const list = perBucket.get(bucket) ?? [];
            if (list.length === 0) perBucket.set(bucket, list);
            list.push(hex64(h[0]!, h[1]!), i);
          }
          for (const [bucket, list] of perBucket) {
            const rec: ScanRecord = [doc.source, doc.id, ctx.rank, ord, ...list];
            await write(bucket, rec);
          }
          ord++;
        }
      },
      gather(r, occ) {
        for (let k = 4; k < r.length; k += 2) occ.push({ source: r[0], id: r[1], task: r[2], ord: r[3], hash: r[k] as string, unit: r[k + 1] as number });
      },
      async reduce(occ, ctx, write) {
        occ.sort(compareOccurrence);
        for (const [i, j] of equalRuns(occ, (a, b) => a.hash === b.hash)) {
          ctx.count('repeated_units');
          for (let k = i + 1; k < j; k++) {
            const o = occ[k]!;
            const rec: DropRecord = [o.ord, o.id, o.unit];
            await write(o.task, rec);
          }
        }
      },
    }),
    async *run(docs, ctx) {
      const removals = new Map<number, { id: string; units: Set<number> }>();
      await readDrops<DropRecord>(ctx, ([ord, id, ...units]) => {
        const r = removals.get(ord) ?? { id, units: new Set<number>() };
        removals.set(ord, r);
        for (const u of units) r.units.add(u);
      });
      let ord = 0;
      for await (const doc of docs) {
        const r = removals.get(ord++);
        if (!r) {
          yield doc;
          continue;
        }
        if (r.id !== doc.id)
          throw new CorpusError(`paragraph_dedup: task ${ctx.rank} saw document ${doc.id} where its scan pass saw ${r.id} (steps before this one must be deterministic)`);
        const units = splitUnits(doc.text, p.unit);
        const text = removeUnits(doc.text, units, r.units);
        ctx.count('units_removed', r.units.size);
        ctx.count('chars_removed', doc.text.length - text.length);
        const meta = { ...doc.meta, paragraph_dedup: { removed: r.units.size, units: units.length } };
        // A document left empty goes to rejects whole, so the reject shows what was there.
        if (p.drop_empty && pyStrip(text) === '') ctx.drop({ ...doc, meta }, 'all_paragraphs_duplicate');
        else yield { ...doc, text, meta };
      }
    },
  };
}

export const paragraphDedupDef = defineStep({
  name: 'paragraph_dedup',
  description: 'dolma-style exact paragraph/line dedup across the stage: repeated units kept once (lowest (source, id))',
  params,
  create: (p) => paragraphDedupStep(p),
});
