/**
 * Child process of bench/cluster.ts: runs one reduce pass of the MinHash step (band buckets, or one
 * of the sharded components and survivors passes) over a state folder, task by task as a build
 * would, and prints its CPU time and the largest peak RSS of one task above the process's settled
 * memory before it (the peak is reset before each task through /proc/self/clear_refs), as JSON.
 * Usage: node --expose-gc --import tsx dedup-cluster.ts <stateDir> <bands> <perms> <shards> <pass>
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createLogger } from '../src/core/log.js';
import { newStepStats } from '../src/core/stats.js';
import type { TaskContext } from '../src/pipeline/step.js';
import { taskContext } from '../src/pipeline/standalone.js';
import { minhashDedupStep } from '../src/dedup/minhash/step.js';

const [dir, bandsArg, permsArg, shardsArg, only] = process.argv.slice(2) as [string, string, string, string, string];
const bands = Number(bandsArg);
const perms = Number(permsArg);
const shards = Number(shardsArg);
const stats = newStepStats('bench');
const ctx = (rank: number, worldSize: number): TaskContext => taskContext({ rank, worldSize, stateDir: dir, stats, log: createLogger('bench') });
const rows = Math.floor(perms / bands);
const step = minhashDedupStep({ threshold: 0.8, perms, ngram: 13, bands, rows, jaccard_check: false, batch: 256, run_records: 1 << 20, shards });
const gc = (globalThis as { gc?: () => void }).gc;
const cpu = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};
const status = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'))![1]) * 1024;

const passes: Array<{ pass: string; tasks: number; cpu: number; peak: number }> = [];
for (const p of step.passes!.filter((x) => x.name === only)) {
  if (p.kind !== 'reduce') throw new Error('unexpected scan pass');
  const row = { pass: p.name, tasks: p.tasks, cpu: 0, peak: 0 };
  for (let r = 0; r < p.tasks; r++) {
    gc?.();
    const settled = status('VmRSS');
    writeFileSync('/proc/self/clear_refs', '5'); // resets VmHWM to the current RSS
    const c0 = cpu();
    await p.reduce(ctx(r, p.tasks));
    row.cpu += cpu() - c0;
    row.peak = Math.max(row.peak, status('VmHWM') - settled);
  }
  passes.push(row);
}
console.log(JSON.stringify({ passes, counts: stats.counts }));
