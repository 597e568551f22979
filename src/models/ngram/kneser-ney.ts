/**
 * Interpolated modified Kneser-Ney estimation (Chen & Goodman 1998), as KenLM's `lmplz` does it
 * (Heafield et al. 2013), producing a back-off ARPA model.
 *
 * 1. Sentences are padded `<s> w1 .. wk </s>`.
 * 2. Adjusted counts a(g): the raw count for highest-order n-grams and for n-grams starting with
 *    `<s>` (nothing can precede them); otherwise the number of distinct words seen just before g
 *    (continuation count).
 * 3. Discounts per order from the counts-of-counts t1..t4 of the adjusted counts:
 *    Y = t1/(t1+2 t2), D_k = k - (k+1) Y t_{k+1}/t_k for k = 1, 2, 3+. When a t_k is zero or a D_k
 *    falls outside (0, k) (tiny corpora), lmplz's `--discount_fallback` values 0.5, 1, 1.5 are used.
 * 4. For context h: u(w|h) = (a(hw) - D(a(hw))) / Σ_x a(hx), and the interpolation weight
 *    γ(h) = (D1 N1(h·) + D2 N2(h·) + D3 N3+(h·)) / Σ_x a(hx).
 * 5. p(w|h) = u(w|h) + γ(h) p(w|h without its first word); unigrams interpolate with the uniform
 *    distribution over the vocabulary (every word seen, `</s>` and `<unk>`; not `<s>`).
 * 6. The ARPA file stores log10 p for every seen n-gram and log10 γ(g) as g's back-off weight,
 *    so back-off scoring of an unseen n-gram equals the interpolated probability.
 *
 * Memory: every distinct n-gram of every order is held in a Map (about 100 bytes each); train on
 * a bounded sample (`--max-docs`) for big corpora, or use KenLM for billions of words.
 */
import { BOS, BOS_LOG10, EOS, NgramModel, UNK, type NgramEntry } from './arpa.js';

/** lmplz --discount_fallback defaults. */
const FALLBACK_DISCOUNTS: readonly [number, number, number] = [0.5, 1.0, 1.5];

export class NgramCounter {
  readonly order: number;
  /** Raw counts of every n-gram of every order (index 0 = unigrams). */
  readonly raw: Map<string, number>[];

  constructor(order: number) {
    if (!Number.isInteger(order) || order < 1 || order > 10) throw new RangeError(`order must be 1..10, got ${order}`);
    this.order = order;
    this.raw = Array.from({ length: order }, () => new Map());
  }

  addSentence(tokens: readonly string[]): void {
    const words = [BOS, ...tokens, EOS];
    for (let i = 0; i < words.length; i++) {
      // Grow the key one word at a time: the n-gram starting at i for n = 1 .. order.
      let key = words[i]!;
      for (let n = 1; n <= this.order && i + n <= words.length; n++) {
        if (n > 1) key += ` ${words[i + n - 1]!}`;
        const m = this.raw[n - 1]!;
        m.set(key, (m.get(key) ?? 0) + 1);
      }
    }
  }
}

/** Adjusted counts per order (step 2). */
export function adjustedCounts(counter: NgramCounter): Map<string, number>[] {
  const N = counter.order;
  const adjusted: Map<string, number>[] = [];
  for (let n = 1; n <= N; n++) {
    const raw = counter.raw[n - 1]!;
    if (n === N) {
      adjusted.push(new Map(raw));
      continue;
    }
    const a = new Map<string, number>();
    for (const [g, c] of raw) if (startsWithBos(g)) a.set(g, c);
    // Each distinct (n+1)-gram v·g adds one left extension to g.
    for (const longer of counter.raw[n]!.keys()) {
      const g = longer.slice(longer.indexOf(' ') + 1);
      if (!startsWithBos(g)) a.set(g, (a.get(g) ?? 0) + 1);
    }
    adjusted.push(a);
  }
  return adjusted;
}

function startsWithBos(g: string): boolean {
  return g === BOS || g.startsWith(`${BOS} `);
}

/** Modified-KN discounts D1, D2, D3+ from counts-of-counts t1..t4 (step 3). */
export function knDiscounts(t: readonly [number, number, number, number]): { d: [number, number, number]; fallback: boolean } {
  const [t1, t2, t3, t4] = t;
  if (t1 > 0 && t2 > 0 && t3 > 0 && t4 > 0) {
    const y = t1 / (t1 + 2 * t2);
    const d: [number, number, number] = [1 - (2 * y * t2) / t1, 2 - (3 * y * t3) / t2, 3 - (4 * y * t4) / t3];
    if (d.every((x, i) => x > 0 && x < i + 2)) return { d, fallback: false };
  }
  return { d: [...FALLBACK_DISCOUNTS], fallback: true };
}

function countsOfCounts(counts: Iterable<[string, number]>, skip?: string): [number, number, number, number] {
  const t: [number, number, number, number] = [0, 0, 0, 0];
  for (const [g, c] of counts) if (g !== skip && c >= 1 && c <= 4) t[c - 1]!++;
  return t;
}

function contextOf(g: string): string {
  const i = g.lastIndexOf(' ');
  return i < 0 ? '' : g.slice(0, i);
}

function dropFirst(g: string): string {
  const i = g.indexOf(' ');
  return i < 0 ? '' : g.slice(i + 1);
}

export interface KnEstimate {
  model: NgramModel;
  adjusted: Map<string, number>[];
  discounts: { d: [number, number, number]; fallback: boolean }[];
}

/** Estimates the interpolated modified-KN model (steps 2-6), n-grams sorted for byte-stable output. */
export function estimateKneserNey(counter: NgramCounter): KnEstimate {
  const N = counter.order;
  const adjusted = adjustedCounts(counter);
  const discounts = adjusted.map((a, i) => knDiscounts(countsOfCounts(a, i === 0 ? BOS : undefined)));
  const grams: Map<string, NgramEntry>[] = [];
  // γ(h) per context of order n (key: context string), from the n-grams of order n.
  const gammas: Map<string, number>[] = [];
  for (let n = 1; n <= N; n++) {
    const a = adjusted[n - 1]!;
    const [d1, d2, d3] = discounts[n - 1]!.d;
    const disc = (c: number) => (c === 1 ? d1 : c === 2 ? d2 : d3);
    const denom = new Map<string, number>();
    const mass = new Map<string, number>();
    for (const [g, c] of a) {
      if (n === 1 && g === BOS) continue;
      const h = contextOf(g);
      denom.set(h, (denom.get(h) ?? 0) + c);
      mass.set(h, (mass.get(h) ?? 0) + disc(c));
    }
    const gamma = new Map<string, number>();
    for (const [h, s] of denom) gamma.set(h, mass.get(h)! / s);
    gammas.push(gamma);

    const entries = new Map<string, number>();
    if (n === 1) {
      const vocab = new Set(a.keys());
      vocab.delete(BOS);
      vocab.add(UNK);
      vocab.add(EOS);
      const uniform = 1 / vocab.size;
      const s = denom.get('') ?? 0;
      const g0 = gamma.get('') ?? 1;
      for (const w of vocab) {
        const c = a.get(w) ?? 0;
        entries.set(w, (c > 0 ? (c - disc(c)) / s : 0) + g0 * uniform);
      }
    } else {
      const lower = grams[n - 2]!;
      for (const [g, c] of a) {
        const h = contextOf(g);
        const lowerKey = dropFirst(g);
        const lowerP = 10 ** lower.get(lowerKey)!.p;
        entries.set(g, (c - disc(c)) / denom.get(h)! + gamma.get(h)! * lowerP);
      }
    }
    const m = new Map<string, NgramEntry>();
    // Default sort (UTF-16 code units): a fixed order, so the ARPA bytes are reproducible.
    for (const key of [...entries.keys()].sort()) {
      m.set(key, { p: Math.log10(entries.get(key)!), b: 0 });
    }
    if (n === 1) {
      m.set(BOS, { p: BOS_LOG10, b: 0 });
      sortMapInPlace(m);
    }
    grams.push(m);
  }
  // Back-off weights: γ of each n-gram that is a context of a longer one.
  for (let n = 1; n < N; n++) {
    for (const [h, g] of gammas[n]!) {
      const e = grams[n - 1]!.get(h);
      if (e) e.b = Math.log10(g);
    }
  }
  const model = new NgramModel(N, grams);
  return { model, adjusted, discounts };
}

function sortMapInPlace(m: Map<string, NgramEntry>): void {
  const sorted = [...m.entries()].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  m.clear();
  for (const [k, v] of sorted) m.set(k, v);
}
