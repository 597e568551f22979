/**
 * Progress of a build on stderr: a bar with bytes, documents, rate and ETA on a terminal
 * (cli-progress), plain log lines every 10 s otherwise (CI logs, files).
 */
import cliProgress from 'cli-progress';
import { setLogSink, type Logger } from '../core/log.js';
import type { ProgressSink } from '../pipeline/build.js';
import { humanBytes } from '../pipeline/stats.js';

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

  const rate = () => {
    const secs = (Date.now() - started) / 1000;
    return secs > 0 ? (bytes - startBytes) / secs : 0;
  };
  const eta = () => {
    const r = rate();
    if (r <= 0) return '?';
    const s = Math.max(0, (total - bytes) / r);
    return s < 60 ? `${s.toFixed(0)}s` : `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  };
  const payload = () => ({ bytesH: humanBytes(bytes), totalH: humanBytes(total), docs, rateH: `${humanBytes(rate())}/s`, etaH: eta(), tasks: `${tasksDone}/${tasks}` });
  const line = () => `${label}: ${payload().tasks} tasks, ${payload().bytesH}/${payload().totalH}, ${docs} docs, ${payload().rateH}, ETA ${eta()}`;

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
        bar = new cliProgress.SingleBar(
          {
            format: `${l.padEnd(14)} [{bar}] {percentage}% | {bytesH}/{totalH} | {docs} docs | {rateH} | tasks {tasks} | ETA {etaH}`,
            hideCursor: true,
            clearOnComplete: false,
            stream: process.stderr,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(Math.max(1, total), 0, payload());
        setLogSink((s) => {
          bar?.stop();
          process.stderr.write(`${s}\n`);
          bar?.start(Math.max(1, total), Math.min(bytes, total), payload());
        });
      } else {
        timer = setInterval(() => log.info(line()), 10_000);
        timer.unref();
      }
    },
    advance(b, d) {
      if (docs === 0 && b > 0 && bytes === 0 && tasksDone > 0) startBytes = b;
      bytes += b;
      docs += d;
      bar?.update(Math.min(bytes, total), payload());
    },
    taskDone() {
      tasksDone++;
      bar?.update(Math.min(bytes, total), payload());
    },
    endPhase() {
      if (bar) {
        bar.update(Math.min(bytes, total), payload());
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
