/** `dedup params`: RPv2's published choices come out for 128 permutations, and the table prints. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { dedupParamsReport, registerDedup } from '../../src/cli/commands/dedup.js';

test('optimal bands × rows match RedPajama-V2 for 0.7 / 0.8 / 0.9 at 128 permutations', () => {
  assert.deepEqual(
    [0.7, 0.8, 0.9].map((t) => {
      const r = dedupParamsReport(t, 128);
      return [r.bands, r.rows];
    }),
    [
      [14, 9],
      [9, 13],
      [5, 25],
    ],
  );
});

test('the command prints the choice and the S-curve', async () => {
  const program = new Command().exitOverride();
  registerDedup(program);
  const out: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string) => {
    out.push(s);
    return true;
  }) as typeof process.stdout.write;
  try {
    await program.parseAsync(['node', 'corpusmill', 'dedup', 'params', '--threshold', '0.8', '--perms', '128']);
  } finally {
    process.stdout.write = write;
  }
  const text = out.join('');
  assert.match(text, /bands=9 rows=13/);
  // P(candidate | s = 0.8) = 1 - (1 - 0.8^13)^9 = 0.3988 (Python: 1-(1-0.8**13)**9)
  assert.match(text, /0\.80\s+0\.3988/);
});
