/**
 * The local executor: N worker processes (default one per core), each running one task at a time.
 *
 * Child processes rather than threads: a crash in native code or an out-of-memory worker takes down
 * one task, not the build, and a worker is exactly what a cluster task is (it gets the pipeline and
 * a task reference, nothing else). Workers exit as soon as the coordinator goes away (IPC
 * disconnect), so a killed build leaves no stray writer behind. Tasks are handed out in order and
 * results are keyed by task, so no output depends on which worker ran what. On the first failure no
 * new task starts; running ones finish, then the error is raised.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, CorpusError } from '../../core/errors.js';
import type { TaskStats } from '../../core/stats.js';
import type { Executor, PhaseWork, TaskHooks } from '../../pipeline/executor.js';
import type { TaskRef } from '../../pipeline/runner.js';
import type { FromWorker, WorkerInit } from './messages.js';

interface Slot {
  child: ChildProcess;
  busy: boolean;
}

/** Node flags for a worker module: TypeScript sources (development, tests) load through tsx. */
function workerExecArgv(module: string): string[] {
  if (!module.endsWith('.ts')) return [];
  const require = createRequire(import.meta.url);
  const loader = pathToFileURL(join(dirname(require.resolve('tsx/package.json')), 'dist', 'loader.mjs')).href;
  return ['--import', loader];
}

export class LocalExecutor implements Executor {
  readonly name = 'local';
  readonly waits = true;
  private readonly slots: Slot[] = [];

  /** `workerModule`: the worker entry point (the composition root's, which knows every step). */
  constructor(
    readonly size: number,
    workerModule: string,
    init: Omit<WorkerInit, 'workerIndex'>,
  ) {
    const execArgv = workerExecArgv(workerModule);
    for (let i = 0; i < size; i++) {
      const child = fork(workerModule, [], {
        execArgv,
        env: { ...process.env, CORPUSMILL_WORKER: JSON.stringify({ ...init, workerIndex: i } satisfies WorkerInit) },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        serialization: 'advanced',
      });
      this.slots.push({ child, busy: false });
    }
  }

  async run(work: PhaseWork, hooks: TaskHooks = {}): Promise<void> {
    const tasks = work.tasks;
    let next = 0;
    let firstError: Error | null = null;
    await new Promise<void>((resolveAll) => {
      let running = 0;
      const dispatch = () => {
        for (const slot of this.slots) {
          if (slot.busy) continue;
          if (firstError || next >= tasks.length) break;
          const ref = tasks[next++]!;
          slot.busy = true;
          running++;
          hooks.onStart?.(ref);
          this.runOn(slot, ref, hooks)
            .then(
              (stats) => hooks.onDone?.(ref, stats),
              (err: Error) => {
                hooks.onFail?.(ref, err);
                firstError ??= err;
              },
            )
            .finally(() => {
              slot.busy = false;
              running--;
              if (running === 0 && (firstError || next >= tasks.length)) resolveAll();
              else dispatch();
            });
        }
        if (running === 0) resolveAll();
      };
      dispatch();
    });
    if (firstError) throw firstError;
  }

  private runOn(slot: Slot, ref: TaskRef, hooks: TaskHooks): Promise<TaskStats> {
    return new Promise((resolveTask, reject) => {
      const c = slot.child;
      const onMessage = (m: FromWorker) => {
        if (m.type === 'progress') hooks.onProgress?.(m.bytes, m.docs);
        else {
          cleanup();
          if (m.type === 'done') resolveTask(m.stats);
          else reject(rebuildError(m));
        }
      };
      const onExit = (code: number | null, signal: string | null) => {
        cleanup();
        reject(new CorpusError(`worker process died (${signal ?? `exit ${code}`}) running ${ref.stage}/${ref.phase}#${ref.idx}`));
      };
      const cleanup = () => {
        c.off('message', onMessage);
        c.off('exit', onExit);
      };
      c.on('message', onMessage);
      c.on('exit', onExit);
      c.send({ type: 'run', ref });
    });
  }

  finish(ok: boolean): Promise<void> {
    return ok ? this.close() : this.terminate();
  }

  /** Asks workers to finish (close message), killing any that take longer than 10 s. */
  close(): Promise<void> {
    return this.stopAll((c) => {
      c.send({ type: 'close' });
      setTimeout(() => c.kill('SIGKILL'), 10_000).unref();
    });
  }

  /** Stops workers now (a failed build). */
  terminate(): Promise<void> {
    return this.stopAll((c) => c.kill('SIGTERM'));
  }

  private async stopAll(stop: (c: ChildProcess) => void): Promise<void> {
    await Promise.all(
      this.slots.map(
        (s) =>
          new Promise<void>((r) => {
            if (s.child.exitCode !== null || s.child.signalCode !== null) return r();
            s.child.once('exit', () => r());
            stop(s.child);
          }),
      ),
    );
  }
}

function rebuildError(m: { name: string; message: string; stack: string }): Error {
  const e = m.name === 'ConfigError' ? new ConfigError(m.message) : new CorpusError(m.message);
  e.stack = m.stack;
  return e;
}
