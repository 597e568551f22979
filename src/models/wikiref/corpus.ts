/**
 * Builds the training set of the Wikipedia-reference classifier (RedPajama rp_v1
 * data_prep/cc/classifier/create_corpus.py, after LLaMA §2.1): CommonCrawl documents whose URL is
 * cited by Wikipedia are `wiki`, randomly chosen other CommonCrawl documents are `cc`.
 *
 * Differences from RedPajama, on purpose:
 * - RedPajama crawled the cited URLs itself (stopping at ~300K pages) and ran the crawl through
 *   cc_net; we take the cited pages that are already in the CommonCrawl input, so no crawler.
 * - RedPajama's negatives are the first lines of each CC file (order-dependent); ours are the
 *   documents with the smallest seeded hash of their id: a uniform sample, the same whatever the
 *   file order or task split, selected with a bounded heap (memory = the chosen documents).
 * - QUIRK (RedPajama): its positive digest-dedup line has a typo and dedups nothing. Not copied:
 *   positives are deduplicated by URL.
 * Positives need `min_positive_chars` characters (RedPajama: `len(raw_content) >= 1000`).
 */
import { readFileSync } from 'node:fs';
import { readShard } from '../../io/shards.js';
import { pySplitlines, pyStrip } from '../../text/python.js';
import type { Example } from '../fasttext-train.js';

/** RedPajama create_corpus.py: positives are pages with at least 1000 characters. */
export const MIN_POSITIVE_CHARS = 1000;
export const POSITIVE_LABEL = 'wiki';
const NEGATIVE_LABEL = 'cc';

/** `" ".join(text.strip().splitlines())`: the one-line form RedPajama classifies (classify.py). */
export function classifierInput(text: string): string {
  return pySplitlines(pyStrip(text)).join(' ');
}

export function readUrlSet(path: string): Set<string> {
  return new Set(
    readFileSync(path, 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
  );
}

/** cyrb53-style 53-bit string hash with a seed: picks negatives independently of input order. */
export function seededHash(s: string, seed: number): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

interface Candidate {
  key: number;
  id: string;
  text: string;
}

/** Keeps the k candidates with the smallest (key, id): a max-heap on (key, id). Also picks quality-classifier examples. */
export class BottomK {
  private readonly heap: Candidate[] = [];
  constructor(private readonly k: number) {}
  private static gt(a: Candidate, b: Candidate): boolean {
    return a.key > b.key || (a.key === b.key && a.id > b.id);
  }
  offer(c: Candidate): void {
    const h = this.heap;
    if (this.k <= 0) return;
    if (h.length < this.k) {
      h.push(c);
      for (let i = h.length - 1; i > 0; ) {
        const p = (i - 1) >> 1;
        if (!BottomK.gt(h[i]!, h[p]!)) break;
        [h[i], h[p]] = [h[p]!, h[i]!];
        i = p;
      }
      return;
    }
    if (!BottomK.gt(h[0]!, c)) return;
    h[0] = c;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && BottomK.gt(h[l]!, h[m]!)) m = l;
      if (r < h.length && BottomK.gt(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
  sorted(): Candidate[] {
    return [...this.heap].sort((a, b) => a.key - b.key || (a.id < b.id ? -1 : 1));
  }
}

export interface CorpusOptions {
  seed: number;
  /** Negatives per positive (RedPajama trained on about as many of each). */
  negativesPerPositive: number;
  minPositiveChars: number;
  /** Upper bound on negatives kept while scanning (the heap size) before the positives are known. */
  maxNegatives: number;
}

export interface TrainingSet {
  examples: Example[];
  positives: number;
  negatives: number;
  scanned: number;
  badRecords: number;
}

/**
 * Scans CommonCrawl JSONL documents (meta.url) once: positives are cited URLs (first document per
 * URL in sorted file order), negatives the bottom-k seeded hashes among the rest. Examples come
 * out positives first then negatives, each in a fixed order; training shuffles them with its seed.
 */
export async function buildTrainingSet(inputs: string[], urls: ReadonlySet<string>, o: CorpusOptions, onBad?: (msg: string) => void): Promise<TrainingSet> {
  const positives: Example[] = [];
  const seenUrls = new Set<string>();
  const negatives = new BottomK(o.maxNegatives);
  let scanned = 0;
  let badRecords = 0;
  for (const input of [...inputs].sort()) {
    const docs = readShard(input, {
      source: 'commoncrawl',
      onBad: (b) => {
        badRecords++;
        onBad?.(`${b.file}: ${b.record}: ${b.reason}: ${b.detail}`);
      },
    });
    for await (const doc of docs) {
      scanned++;
      const url = typeof doc.meta.url === 'string' ? doc.meta.url : undefined;
      if (url !== undefined && urls.has(url)) {
        if (!seenUrls.has(url) && [...doc.text].length >= o.minPositiveChars) {
          seenUrls.add(url);
          positives.push({ label: POSITIVE_LABEL, text: classifierInput(doc.text) });
        }
        continue;
      }
      negatives.offer({ key: seededHash(doc.id, o.seed), id: doc.id, text: doc.text });
    }
  }
  const want = Math.min(o.maxNegatives, Math.ceil(positives.length * o.negativesPerPositive));
  const neg = negatives
    .sorted()
    .slice(0, want)
    .map((c) => ({ label: NEGATIVE_LABEL, text: classifierInput(c.text) }));
  return { examples: [...positives, ...neg], positives: positives.length, negatives: neg.length, scanned, badRecords };
}
