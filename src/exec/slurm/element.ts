/**
 * What one Slurm array element runs (`corpusmill task`): its slice of a frozen ranks file
 * (`--offset` plus SLURM_ARRAY_TASK_ID, times tasks per job), each task not yet marked complete, in
 * this process. State goes to marker, attempt and failure files only: no SQLite on a shared
 * filesystem.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError, CorpusError } from '../../core/errors.js';
import { createLogger } from '../../core/log.js';
import { Fetcher } from '../../fetch/fetcher.js';
import type { Pipeline } from '../../pipeline/config.js';
import { markerPath } from '../../pipeline/layout.js';
import { assertLaunchHolds } from '../../pipeline/lock.js';
import { runTask, WorkerRuntime } from '../../pipeline/runner.js';
import type { RanksFile } from './executor.js';

export async function runElement(pipeline: Pipeline, opts: { out: string; ranksFile: string; offset: number; index: number }): Promise<void> {
  const ranks = JSON.parse(await readFile(opts.ranksFile, 'utf8')) as RanksFile;
  const stage = pipeline.stages.find((s) => s.name === ranks.stage);
  if (!stage) throw new ConfigError(`${opts.ranksFile}: stage ${ranks.stage} is not in ${pipeline.file}`);
  if (stage.hash !== ranks.hash) throw new ConfigError(`${pipeline.file} changed since this launch was planned (stage ${stage.name}); relaunch`);
  const out = resolve(opts.out);
  // A launch holds the folder while its jobs run; an element of an older launch (requeued, or
  // started late) must not write into a folder a newer build or launch has taken.
  if (ranks.launch !== undefined) assertLaunchHolds(out, ranks.launch);
  const element = opts.offset + opts.index;
  const mine = ranks.ranks.slice(element * ranks.tasks_per_job, (element + 1) * ranks.tasks_per_job);
  const log = createLogger(`${ranks.stage}/${ranks.phase}`);
  const fetcher = new Fetcher({ cacheDir: resolve(out, 'cache'), baseDir: pipeline.dir, log });
  const rt = new WorkerRuntime(pipeline, out, log, fetcher);
  let failed = 0;
  try {
    for (const r of mine) {
      if (existsSync(markerPath(out, ranks.stage, ranks.phase, r.idx))) {
        log.info(`#${r.idx} already complete`);
        continue;
      }
      log.info(`#${r.idx} starting`);
      try {
        const stats = await runTask(rt, { stage: ranks.stage, phase: ranks.phase, idx: r.idx, spec: r.spec, of: ranks.of }, { bytes: 0, docs: 0 });
        log.info(`#${r.idx} done: ${stats.output.docs} documents written in ${(stats.time_ms / 1000).toFixed(1)}s`);
      } catch (e) {
        failed++;
        log.error(`#${r.idx} failed: ${(e as Error).message}`);
        if (process.env.CORPUSMILL_LOG === 'debug' && e instanceof Error) log.error(e.stack ?? '');
      }
    }
  } finally {
    await rt.close();
    await fetcher.close();
  }
  if (failed) throw new CorpusError(`${failed} of ${mine.length} tasks failed in ${ranks.stage}/${ranks.phase} element ${element}`);
}
