/** A corpus with planted near-duplicates whose truth is known: real sample texts and edited copies. */
import type { Doc } from '../../src/core/document.js';
import { normalize } from '../../src/text/rpv2-normalize.js';
import { sampleTexts } from './samples.js';

export interface Planted {
  docs: Doc[];
  /** variant id → original id */
  truth: Map<string, string>;
}

/**
 * Each real text of at least 150 words is a `c4` document; every second one also gets a copy in
 * `commoncrawl` with one word replaced mid-text and a short line appended (Jaccard of 13-word shingles
 * ≈ 0.9 or more), so the c4 original is the one that must survive.
 */
export function plantedCorpus(): Planted {
  const docs: Doc[] = [];
  const truth = new Map<string, string>();
  const texts = sampleTexts().filter((t) => normalize(t).split(' ').length >= 150);
  texts.forEach((text, i) => {
    const id = `c4/sample.jsonl/${String(i).padStart(3, '0')}`;
    docs.push({ id, source: 'c4', text, meta: {} });
    if (i % 2 === 0) {
      const words = text.split(' ');
      const mid = words.length >> 1;
      words[mid] = 'zzplanted';
      const vid = `commoncrawl/variants.jsonl/${String(i).padStart(3, '0')}`;
      docs.push({ id: vid, source: 'commoncrawl', text: `${words.join(' ')}\nShared by a reader.`, meta: {} });
      truth.set(vid, id);
    }
  });
  return { docs, truth };
}

/** Precision and recall of removals against the planted truth. */
export function score(removed: Array<{ id: string; duplicateOf: string }>, truth: Map<string, string>): { precision: number; recall: number } {
  const correct = removed.filter((r) => truth.get(r.id) === r.duplicateOf).length;
  return { precision: removed.length === 0 ? 1 : correct / removed.length, recall: truth.size === 0 ? 1 : correct / truth.size };
}
