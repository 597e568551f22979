/**
 * The roundings the reference recipes apply to the numbers they write, so our metadata equals theirs:
 * numpy's `ndarray.round(d)` (cc_net language scores: scale by 10^d, round half to even, scale back)
 * and Python's built-in `round(x, d)` (cc_net perplexities with d = 1, RedPajama-V2 quality signals
 * with d = 8: the decimal nearest to the exact binary value of x, ties to even).
 */

/** Round half to even, as C's rint() in the default rounding mode. */
function rint(x: number): number {
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
 * Python `round(x, ndigits)` for 0 ≤ ndigits ≤ 20: the double nearest to the decimal with ndigits
 * places that is nearest to the exact value of x, ties to even. Python does this on the exact binary
 * value, so x = 0.15 (0.1499999…) rounds to 0.1 and x = 123.45 (123.4500000…3) to 123.5, which
 * rounding the product x·10^d (exactly 1.5, 1234.5 in floating point) would get wrong.
 */
export function pythonRound(x: number, ndigits: number): number {
  if (!Number.isInteger(ndigits) || ndigits < 0 || ndigits > 20) throw new RangeError(`pythonRound: ndigits ${ndigits} not in 0..20`);
  if (!Number.isFinite(x) || x === 0) return x;
  const scale = 10 ** ndigits; // exact up to 10^22
  const y = x * scale;
  const fl = Math.floor(y);
  let r: number;
  // Fast path: below 2^36 the product is within 2^-18 of the exact x·10^d, so when it is more than
  // 1e-4 away from a half the rounding direction is certain, and n / 10^d (both exact) is the
  // double nearest that decimal, as Python's float(repr) is.
  if (Math.abs(y) < 2 ** 36 && Math.abs(y - fl - 0.5) > 1e-4) r = (y - fl < 0.5 ? fl : fl + 1) / scale;
  else {
    // toFixed rounds the exact binary value to the nearest decimal and sends exact ties away from
    // zero. x is an exact tie iff x·2^(d+1) is an odd integer (x·2·10^d = odd·5^d·2^(k+d+1) for
    // x = odd·2^k); for a tie, an odd last digit steps back towards zero, to the even neighbour.
    let s = Math.abs(x).toFixed(ndigits);
    const t = x * 2 ** (ndigits + 1);
    const last = s.charCodeAt(s.length - 1);
    if (Number.isInteger(t) && t % 2 !== 0 && (last & 1) === 1) s = s.slice(0, -1) + String.fromCharCode(last - 1);
    r = Number(s);
    if (x < 0) r = -r;
  }
  // Python keeps the sign of a negative x that rounds to zero.
  return r === 0 && x < 0 ? -0 : r;
}
