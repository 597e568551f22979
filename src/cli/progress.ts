/**
 * Progress of a build on stderr: a bar with bytes, documents, rate and ETA on a terminal
 * (cli-progress), plain log lines otherwise (CI logs, files): one when a phase starts, one every
 * 10 s, one when it ends. Phases that read nothing (reduce passes) count tasks instead of bytes.
 * Shown bytes never exceed the total, and a finished phase shows its time instead of an ETA.
 */
import cliProgress from 'cli-progress';
import { setLogSink, type Logger } from '../core/log.js';
import type { ProgressSink } from '../pipeline/build.js';
import { humanBytes, humanCount, humanDuration } from '../pipeline/stats.js';

export function createProgress(log: Logger, tty = Boolean(process.stderr.isTTY)): ProgressSink {
  let label = '';
  let total = 0;
  let bytes = 0;
  let docs = 0;
  let tasks = 0;
  let tasksDone = 0;
  let started = 0;
  let startBytes = 0;
  let bar: cliProgress.SingleBar | null = null;
  let timer: NodeJS.Timeout | null = null;

  const byTasks = () => total === 0;
  const shownBytes = () => Math.min(bytes, total);
  const elapsed = () => (Date.now() - started) / 1000;
  const rate = () => {
    const secs = elapsed();
    return secs > 0 ? Math.max(0, shownBytes() - startBytes) / secs : 0;
  };
  const finished = () => tasksDone >= tasks;
  const eta = () => {
    const r = rate();
    if (finished()) return '';
    return r > 0 ? humanDuration((total - shownBytes()) / r) : '?';
  };
  const payload = () => ({
    bytesH: humanBytes(shownBytes()),
    totalH: humanBytes(total),
    docs: humanCount(docs),
    rateH: `${humanBytes(rate())}/s`,
    etaH: finished() ? `done in ${humanDuration(elapsed())}` : `ETA ${eta()}`,
    tasks: `${tasksDone}/${tasks}`,
  });
  const nTasks = (n: number) => `${n} task${n === 1 ? '' : 's'}`;
  const line = () => {
    const p = payload();
    if (byTasks()) return `${label}: ${p.tasks} ${tasks === 1 ? 'task' : 'tasks'}${finished() ? `, ${p.etaH}` : ''}`;
    return `${label}: ${p.tasks} ${tasks === 1 ? 'task' : 'tasks'}, ${p.bytesH}/${p.totalH}, ${p.docs} docs, ${p.rateH}, ${p.etaH}`;
  };
  const barValue = () => (byTasks() ? tasksDone : shownBytes());
  const barTotal = () => Math.max(1, byTasks() ? tasks : total);

  return {
    startPhase(l, totalBytes, n, done) {
      label = l;
      total = totalBytes;
      bytes = 0;
      startBytes = 0;
      docs = 0;
      tasks = n;
      tasksDone = done;
      started = Date.now();
      if (tty) {
        const format = byTasks()
          ? `${l.padEnd(14)} [{bar}] {percentage}% | tasks {tasks} | {etaH}`
          : `${l.padEnd(14)} [{bar}] {percentage}% | {bytesH}/{totalH} | {docs} docs | {rateH} | tasks {tasks} | {etaH}`;
        bar = new cliProgress.SingleBar({ format, hideCursor: true, clearOnComplete: false, stream: process.stderr }, cliProgress.Presets.shades_classic);
        bar.start(barTotal(), barValue(), payload());
        setLogSink((s) => {
          bar?.stop();
          process.stderr.write(`${s}\n`);
          bar?.start(barTotal(), barValue(), payload());
        });
      } else {
        log.info(`${label}: ${nTasks(n)}${done ? ` (${done} already done)` : ''}${byTasks() ? '' : `, ${humanBytes(total)} to read`}`);
        timer = setInterval(() => log.info(line()), 10_000);
        timer.unref();
      }
    },
    advance(b, d) {
      // The bytes of tasks finished by an earlier run are not part of this run's rate.
      if (docs === 0 && b > 0 && bytes === 0 && tasksDone > 0) startBytes = Math.min(b, total);
      bytes += b;
      docs += d;
      bar?.update(barValue(), payload());
    },
    taskDone() {
      tasksDone++;
      bar?.update(barValue(), payload());
    },
    endPhase() {
      // A completed phase read everything it was going to read, whatever the estimate said.
      if (finished()) bytes = Math.max(bytes, total);
      if (bar) {
        bar.update(barValue(), payload());
        bar.stop();
        bar = null;
        setLogSink((s) => process.stderr.write(`${s}\n`));
      }
      if (timer) clearInterval(timer);
      timer = null;
      if (!tty) log.info(line());
    },
  };
}
