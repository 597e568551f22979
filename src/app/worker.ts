/**
 * Entry point of a local worker process: loads the pipeline once, then runs the tasks the
 * coordinator sends over IPC, reporting progress every 250 ms and the stats (or the error) of each
 * task. It exits when the coordinator disconnects, so a killed build leaves no orphan writing files.
 */
import { createLogger, setLogLevel, type Level } from '../core/log.js';
import type { FromWorker, ToWorker, WorkerInit } from '../exec/local/messages.js';
import { Fetcher } from '../fetch/fetcher.js';
import { loadPipeline } from '../pipeline/config.js';
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { failurePath } from '../pipeline/layout.js';
import type { Failure } from '../pipeline/markers.js';
import { runTask, taskInputLabel, WorkerRuntime, type Progress, type TaskRef } from '../pipeline/runner.js';
import { createRegistry } from './registry.js';

const init = JSON.parse(process.env.CORPUSMILL_WORKER ?? 'null') as WorkerInit | null;
if (!init || !process.send) {
  process.stderr.write('corpusmill worker: start me through the local executor\n');
  process.exit(2);
}
setLogLevel(init.logLevel as Level);
const send = (m: FromWorker) => process.send!(m);
/** The task running now, for an error that escapes it. */
let current: TaskRef | null = null;
// An error no task catches (an 'error' event nobody listens to, a rejected promise nobody awaits)
// fails the running task with one line and its failure record, instead of a stack trace and a
// process that just dies.
const fatal = (e: unknown) => {
  const err = e instanceof Error ? e : new Error(String(e));
  const message = `${current ? `${taskInputLabel(current)}: ` : ''}worker crashed: ${err.message.split('\n')[0]}`;
  setTimeout(() => process.exit(1), 2000).unref();
  if (current) {
    const failure: Failure = { started_at: new Date().toISOString(), host: hostname(), pid: process.pid, failed_at: new Date().toISOString(), error: message };
    try {
      writeFileSync(failurePath(init.outDir, current.stage, current.phase, current.idx), JSON.stringify(failure));
    } catch {
      // the coordinator still records it in the catalog
    }
  }
  try {
    process.send!({ type: 'failed', name: err.name, message, stack: err.stack ?? '' } satisfies FromWorker, () => process.exit(1));
  } catch {
    process.exit(1);
  }
};
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);

const pipeline = await loadPipeline(init.pipelineFile, createRegistry(), { allowPlugins: init.allowPlugins });
const log = createLogger(`w${init.workerIndex}`);
const fetcher = new Fetcher({ cacheDir: init.cacheDir, baseDir: pipeline.dir, log, offline: init.offline });
const runtime = new WorkerRuntime(pipeline, init.outDir, log, fetcher, { limit: init.limit });

process.on('disconnect', () => process.exit(0));

process.on('message', async (msg: ToWorker) => {
  if (msg.type === 'close') {
    await runtime.close();
    await fetcher.close();
    // What README "Bad input" bounds: the worker's peak memory, whatever the records it read.
    log.debug(`peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
    process.disconnect();
    return;
  }
  const progress: Progress = { bytes: 0, docs: 0 };
  let sent = { bytes: 0, docs: 0 };
  const flush = () => {
    send({ type: 'progress', bytes: progress.bytes - sent.bytes, docs: progress.docs - sent.docs });
    sent = { ...progress };
  };
  const tick = setInterval(flush, 250);
  current = msg.ref;
  try {
    const stats = await runTask(runtime, msg.ref, progress);
    clearInterval(tick);
    flush();
    send({ type: 'done', stats });
  } catch (e) {
    clearInterval(tick);
    const err = e instanceof Error ? e : new Error(String(e));
    send({ type: 'failed', name: err.name, message: err.message, stack: err.stack ?? '' });
  } finally {
    current = null;
  }
});
