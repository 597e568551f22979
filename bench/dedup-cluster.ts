/**
 * Child process of bench/dedup.ts: runs the MinHash step's reduce passes (band buckets, then
 * union-find and survivors) over a state folder and prints their times and peak RSS as JSON.
 * Usage: dedup-cluster.ts <stateDir> <bands> <perms>
 */
import { createLogger } from '../src/core/log.js';
import { newStepStats } from '../src/core/stats.js';
import type { TaskContext } from '../src/pipeline/step.js';
import { taskContext } from '../src/pipeline/standalone.js';
import { minhashDedupStep } from '../src/dedup/minhash/step.js';

const [dir, bandsArg, permsArg] = process.argv.slice(2) as [string, string, string];
const bands = Number(bandsArg);
const perms = Number(permsArg);
const rss0 = process.memoryUsage().rss;
const stats = newStepStats('bench');
const counts = stats.counts;
const ctx = (rank: number): TaskContext => taskContext({ rank, stateDir: dir, stats, log: createLogger('bench') });
const rows = Math.floor(perms / bands);
const step = minhashDedupStep({ threshold: 0.8, perms, ngram: 13, bands, rows, jaccard_check: false, batch: 256, run_records: 1 << 20 });
const [, buckets, components] = step.passes!;
if (buckets?.kind !== 'reduce' || components?.kind !== 'reduce') throw new Error('unexpected passes');
const cpu = () => process.cpuUsage().user / 1e6;
const t1 = Date.now();
const c1 = cpu();
for (let b = 0; b < bands; b++) await buckets.reduce(ctx(b));
const t2 = Date.now();
const c2 = cpu();
const maxRssBuckets = process.resourceUsage().maxRSS * 1024;
await components.reduce(ctx(0));
const t3 = Date.now();
const c3 = cpu();
console.log(
  JSON.stringify({
    bucketsSec: (t2 - t1) / 1000,
    componentsSec: (t3 - t2) / 1000,
    bucketsCpu: c2 - c1,
    componentsCpu: c3 - c2,
    rssStart: rss0,
    maxRss: process.resourceUsage().maxRSS * 1024,
    maxRssBuckets,
    clusters: counts.clusters ?? 0,
    duplicates: counts.duplicates ?? 0,
  }),
);
