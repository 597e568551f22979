/**
 * Choosing bands × rows for MinHash LSH the way datasketch's `optimal_param` does (used by RedPajama-V2,
 * app/src/dedupe/utils.py, and text-dedup): for every b·r ≤ perms, the false-positive area
 * ∫₀ᵗ P(s) ds and false-negative area ∫ₜ¹ (1 − P(s)) ds of the S-curve P(s) = 1 − (1 − sʳ)ᵇ, weighted
 * 0.5 / 0.5; the pair with the smallest weighted sum wins (first found on ties, b then r ascending).
 * For 128 permutations this gives RPv2's 14×9 (0.7), 9×13 (0.8), 5×25 (0.9).
 */

function candidateProbability(s: number, bands: number, rows: number): number {
  return 1 - (1 - s ** rows) ** bands;
}

/** Composite Simpson's rule; the integrands are smooth polynomials on [0, 1]. */
function integrate(f: (x: number) => number, a: number, b: number, n = 512): number {
  if (b <= a) return 0;
  const h = (b - a) / n;
  let sum = f(a) + f(b);
  for (let i = 1; i < n; i++) sum += f(a + i * h) * (i % 2 === 1 ? 4 : 2);
  return (sum * h) / 3;
}

export interface LshParams {
  bands: number;
  rows: number;
  falsePositive: number;
  falseNegative: number;
}

function lshErrors(threshold: number, bands: number, rows: number): { falsePositive: number; falseNegative: number } {
  return {
    falsePositive: integrate((s) => candidateProbability(s, bands, rows), 0, threshold),
    falseNegative: integrate((s) => 1 - candidateProbability(s, bands, rows), threshold, 1),
  };
}

export function optimalParams(threshold: number, perms: number, fpWeight = 0.5, fnWeight = 0.5): LshParams {
  let best: LshParams = { bands: 0, rows: 0, falsePositive: 0, falseNegative: 0 };
  let min = Infinity;
  for (let b = 1; b <= perms; b++) {
    for (let r = 1; r <= Math.floor(perms / b); r++) {
      const e = lshErrors(threshold, b, r);
      const err = e.falsePositive * fpWeight + e.falseNegative * fnWeight;
      if (err < min) {
        min = err;
        best = { bands: b, rows: r, ...e };
      }
    }
  }
  return best;
}

/** The S-curve as rows of (similarity, probability of becoming a candidate pair). */
export function sCurve(bands: number, rows: number, step = 0.05): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 1; i * step <= 1 + 1e-9; i++) {
    const s = Math.round(i * step * 1000) / 1000;
    out.push([s, candidateProbability(s, bands, rows)]);
  }
  return out;
}
