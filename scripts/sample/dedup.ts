/**
 * Dedup sample: `samples/dedup/web-dedup.jsonl`, web pages with planted duplicates whose counts
 * are known: 60 distinct pages of about 40 sentences, 8 exact copies (same text, other URL) and
 * 10 near copies (one word changed, a line appended: Jaccard of 13-word shingles ≈ 0.96), so the
 * sample build's `exact_dedup` removes 8 and `minhash_dedup` 10.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { paragraph, rng } from './rng.js';

const DEDUP_SAMPLE = { distinct: 60, exact: 8, near: 10 } as const;

export async function makeDedupSample(root: URL): Promise<void> {
  const dir = new URL('dedup/', root);
  mkdirSync(dir, { recursive: true });
  const r = rng(7);
  const pages = Array.from({ length: DEDUP_SAMPLE.distinct }, () => Array.from({ length: 8 }, () => paragraph(r, 5)).join('\n'));
  const records: Array<{ text: string; url: string }> = pages.map((text, i) => ({ text, url: `https://pages.example.com/${i}` }));
  for (let k = 0; k < DEDUP_SAMPLE.exact; k++) records.push({ text: pages[k * 3]!, url: `https://mirror.example.net/copy/${k}` });
  for (let k = 0; k < DEDUP_SAMPLE.near; k++) {
    const words = pages[k * 5 + 1]!.split(' ');
    words[words.length >> 1] = 'reworded';
    records.push({ text: `${words.join(' ')}\nShared by a reader.`, url: `https://aggregator.example.org/near/${k}` });
  }
  // Interleave so copies land in other byte-range tasks than their originals.
  const order = records.map((_, i) => i).sort((a, b) => ((a * 37) % records.length) - ((b * 37) % records.length));
  const lines = order.map((i) => JSON.stringify(records[i]));
  // Uncompressed, so the file splits into several byte-range tasks.
  writeFileSync(new URL('web-dedup.jsonl', dir), `${lines.join('\n')}\n`);
}
