/**
 * `corpusmill dedup params --threshold T --perms N`: the bands × rows that minimise the weighted
 * false-positive and false-negative areas of the LSH S-curve (datasketch / text-dedup optimal_param,
 * as RedPajama-V2 picks them), and the S-curve itself as a table.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { optimalParams, sCurve } from '../../dedup/minhash/lsh-params.js';

function num(name: string, min: number, max: number, integer: boolean) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      throw new InvalidArgumentError(`--${name} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}] (got "${v}")`);
    }
    return n;
  };
}

export function dedupParamsReport(threshold: number, perms: number, fpWeight = 0.5, fnWeight = 0.5) {
  const best = optimalParams(threshold, perms, fpWeight, fnWeight);
  return {
    threshold,
    perms,
    bands: best.bands,
    rows: best.rows,
    false_positive_area: best.falsePositive,
    false_negative_area: best.falseNegative,
    s_curve: sCurve(best.bands, best.rows),
  };
}

export function registerDedup(program: Command): void {
  const dedup = program.command('dedup').description('near-dedup helpers');
  dedup
    .command('params')
    .description('best MinHash-LSH bands × rows for a Jaccard threshold, and the S-curve')
    .requiredOption('--threshold <t>', 'Jaccard similarity threshold (0–1]', num('threshold', 0.01, 1, false))
    .option('--perms <n>', 'number of permutations', num('perms', 1, 4096, true), 128)
    .option('--fp-weight <w>', 'weight of the false-positive area', num('fp-weight', 0, 1, false), 0.5)
    .option('--fn-weight <w>', 'weight of the false-negative area', num('fn-weight', 0, 1, false), 0.5)
    .option('--json', 'machine-readable output')
    .action((o: { threshold: number; perms: number; fpWeight: number; fnWeight: number; json?: boolean }) => {
      const r = dedupParamsReport(o.threshold, o.perms, o.fpWeight, o.fnWeight);
      if (o.json) {
        process.stdout.write(`${JSON.stringify(r)}\n`);
        return;
      }
      const lines = [
        `threshold ${r.threshold}, ${r.perms} permutations: bands=${r.bands} rows=${r.rows} (uses ${r.bands * r.rows})`,
        `false-positive area ${r.false_positive_area.toFixed(4)}, false-negative area ${r.false_negative_area.toFixed(4)}`,
        '',
        'similarity  P(candidate)',
        ...r.s_curve.map(([s, p]) => `${s.toFixed(2).padStart(10)}  ${p.toFixed(4).padStart(12)}  ${'#'.repeat(Math.round(p * 40))}`),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
