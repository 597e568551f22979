/**
 * The two roundings cc_net's numbers go through, so our metadata equals cc_net's:
 * numpy's `ndarray.round(d)` (language scores: scale by 10^d, round half to even, scale back) and
 * Python's built-in `round(x, d)` (perplexities: correctly rounded decimal, ties to even).
 */

/** Round half to even, as C's rint() in the default rounding mode. */
export function rint(x: number): number {
  const r = Math.round(x);
  // Math.round sends .5 up; rint sends it to the even neighbour.
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** numpy `np.round(x, decimals)`: rint(x * 10^d) / 10^d, in float64. */
export function numpyRound(x: number, decimals: number): number {
  const scale = 10 ** decimals;
  return rint(x * scale) / scale;
}

/**
 * Python `round(x, ndigits)`: the decimal nearest to the exact binary value of x, ties (only
 * possible when x is exactly halfway in binary) to even.
 */
export function pythonRound(x: number, ndigits: number): number {
  if (!Number.isFinite(x)) return x;
  const scaled = x * 10 ** ndigits;
  if (Number.isInteger(scaled * 2) && !Number.isInteger(scaled) && Math.abs(scaled) < 2 ** 52) {
    return rint(scaled) / 10 ** ndigits;
  }
  // toFixed rounds the exact binary value to the nearest decimal, which is what Python does.
  return Number(x.toFixed(ndigits));
}
