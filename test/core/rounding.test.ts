/**
 * src/core/rounding.ts `pythonRound` against Python's own `round(x, d)` (Debian's /usr/bin/python3):
 * exact binary ties (odd·2^-(d+1)), decimals that only look like ties (0.15, 123.45), values next to
 * a half, negatives that round to -0.0, large and tiny magnitudes, and seeded random values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { pythonRound } from '../../src/core/rounding.js';

const DIGITS = [0, 1, 2, 3, 8];

function values(): number[] {
  const v = [0.15, 0.35, 0.45, 123.45, 2.675, 1.000000005, 5e-9, 1.5e-8, 2.5e-8, 0.001953125, 0.005859375, 1 / 3, 2 / 3];
  v.push(0.5, 1.5, 2.5, 0.25, 0.75, 1.25, 0.125, 0.375, 1e15 + 0.5, 2 ** 52 - 0.5, 2 ** 40 + 0.25, 1e21, 1e22, 1e-300, 5e-324);
  for (const d of DIGITS) for (let k = 1; k < 40; k += 2) v.push(k / 2 ** (d + 1), (k + 1e6) / 2 ** (d + 1));
  for (const x of [0.15, 123.45, 0.001953125]) v.push(x + Number.EPSILON * x, x - Number.EPSILON * x);
  // Seeded random values over many magnitudes (xorshift32).
  let s = 0x9e3779b9;
  const rnd = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
  for (let i = 0; i < 3000; i++) v.push(rnd() * 10 ** Math.floor(rnd() * 24 - 12));
  return v.concat(
    v.map((x) => -x),
    [-0.4, -1e-9, -0.04],
  );
}

test('pythonRound(x, d) equals Python round(x, d)', () => {
  const xs = values();
  const py = `
import json, sys
xs, ds = json.load(sys.stdin)
json.dump([[round(x, d) for d in ds] for x in xs], sys.stdout)
`;
  const want = JSON.parse(execFileSync('/usr/bin/python3', ['-c', py], { input: JSON.stringify([xs, DIGITS]), encoding: 'utf8' })) as number[][];
  const bad: string[] = [];
  for (const [i, x] of xs.entries()) {
    for (const [j, d] of DIGITS.entries()) {
      const got = pythonRound(x, d);
      if (!Object.is(got, want[i]![j])) bad.push(`round(${x}, ${d}): ${got} vs Python ${want[i]![j]}`);
    }
  }
  assert.deepEqual(bad.slice(0, 20), []);
});

test('pythonRound keeps infinities and NaN and rejects digits it cannot do', () => {
  assert.equal(pythonRound(Infinity, 1), Infinity);
  assert.ok(Number.isNaN(pythonRound(NaN, 8)));
  assert.throws(() => pythonRound(1.5, -1), RangeError);
  assert.throws(() => pythonRound(1.5, 0.5), RangeError);
});
