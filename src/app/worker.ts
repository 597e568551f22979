/**
 * Entry point of a local worker process: loads the pipeline once, then runs the tasks the
 * coordinator sends over IPC, reporting progress every 250 ms and the stats (or the error) of each
 * task. It exits when the coordinator disconnects, so a killed build leaves no orphan writing files.
 */
import { createLogger, setLogLevel, type Level } from '../core/log.js';
import type { FromWorker, ToWorker, WorkerInit } from '../exec/local/messages.js';
import { Fetcher } from '../fetch/fetcher.js';
import { loadPipeline } from '../pipeline/config.js';
import { runTask, WorkerRuntime, type Progress } from '../pipeline/runner.js';
import { createRegistry } from './registry.js';

const init = JSON.parse(process.env.CORPUSMILL_WORKER ?? 'null') as WorkerInit | null;
if (!init || !process.send) {
  process.stderr.write('corpusmill worker: start me through the local executor\n');
  process.exit(2);
}
setLogLevel(init.logLevel as Level);
const pipeline = await loadPipeline(init.pipelineFile, createRegistry());
const log = createLogger(`w${init.workerIndex}`);
const fetcher = new Fetcher({ cacheDir: init.cacheDir, baseDir: pipeline.dir, log });
const runtime = new WorkerRuntime(pipeline, init.outDir, log, fetcher, { limit: init.limit });
const send = (m: FromWorker) => process.send!(m);

process.on('disconnect', () => process.exit(0));

process.on('message', async (msg: ToWorker) => {
  if (msg.type === 'close') {
    await runtime.close();
    await fetcher.close();
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
  try {
    const stats = await runTask(runtime, msg.ref, progress);
    clearInterval(tick);
    flush();
    send({ type: 'done', stats });
  } catch (e) {
    clearInterval(tick);
    const err = e instanceof Error ? e : new Error(String(e));
    send({ type: 'failed', name: err.name, message: err.message, stack: err.stack ?? '' });
  }
});
