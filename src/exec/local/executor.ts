/**
 * The local executor: N worker processes (default one per core), each running one task at a time.
 *
 * Child processes rather than threads: a crash in native code or an out-of-memory worker takes down
 * one task, not the build, and a worker is exactly what a cluster task is (it gets the pipeline and
 * a task reference, nothing else). Workers exit as soon as the coordinator goes away (IPC
 * disconnect), so a killed build leaves no stray writer behind. Tasks are handed out in order and
 * results are keyed by task, so no output depends on which worker ran what. On the first failure no
 * new task starts; running ones finish, then the error is raised. A worker that dies mid-task fails
 * that task with one line (the input, how far it got) and a failure record beside the markers, as a
 * task that failed by itself would have written.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, CorpusError, errorMessage } from '../../core/errors.js';
import type { TaskStats } from '../../core/stats.js';
import { writeJsonAtomic } from '../../io/atomic.js';
import type { Executor, PhaseWork, TaskHooks } from '../../pipeline/executor.js';
import { failurePath } from '../../pipeline/layout.js';
import { attemptPath, readJson, type Attempt, type Failure } from '../../pipeline/markers.js';
import { taskInputLabel, type TaskRef } from '../../pipeline/runner.js';
import type { FromWorker, WorkerInit } from './messages.js';

interface Slot {
  child: ChildProcess;
  busy: boolean;
  /** How the process ended, once it has. */
  exited: string | null;
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
  private readonly outDir: string;

  /** `workerModule`: the worker entry point (the composition root's, which knows every step). */
  constructor(
    readonly size: number,
    workerModule: string,
    init: Omit<WorkerInit, 'workerIndex'>,
  ) {
    this.outDir = init.outDir;
    const execArgv = workerExecArgv(workerModule);
    for (let i = 0; i < size; i++) {
      const child = fork(workerModule, [], {
        execArgv,
        env: { ...process.env, CORPUSMILL_WORKER: JSON.stringify({ ...init, workerIndex: i } satisfies WorkerInit) },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        serialization: 'advanced',
      });
      const slot: Slot = { child, busy: false, exited: null };
      child.on('exit', (code, signal) => {
        slot.exited = signal ?? `exit ${code}`;
      });
      this.slots.push(slot);
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
          // A hook that throws (the catalog on a full disk) fails the phase like a task would.
          const guard = (fn: () => void) => {
            try {
              fn();
            } catch (e) {
              firstError ??= e instanceof Error ? e : new Error(String(e));
            }
          };
          guard(() => hooks.onStart?.(ref));
          this.runOn(slot, ref, hooks)
            .then(
              (stats) => guard(() => hooks.onDone?.(ref, stats)),
              (err: Error) => {
                firstError ??= err;
                guard(() => hooks.onFail?.(ref, err));
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
      let docs = 0;
      let bytes = 0;
      const died = (how: string) => {
        const oom = how === 'SIGKILL' || how === 'SIGABRT' ? ', out of memory?' : '';
        const err = new CorpusError(`worker process died (${how}${oom}) running ${ref.stage}/${ref.phase}#${ref.idx}, after ${docs} documents and ${bytes} input bytes`, {
          file: taskInputLabel(ref),
        });
        this.recordDeath(ref, err).finally(() => reject(err));
      };
      if (slot.exited) return died(slot.exited);
      const onMessage = (m: FromWorker) => {
        if (m.type === 'progress') {
          docs += m.docs;
          bytes += m.bytes;
          hooks.onProgress?.(m.bytes, m.docs);
        } else {
          cleanup();
          if (m.type === 'done') resolveTask(m.stats);
          else reject(rebuildError(m));
        }
      };
      const onExit = (code: number | null, signal: string | null) => {
        cleanup();
        died(signal ?? `exit ${code}`);
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

  /** The failure record a dead worker could not write (what `logs --failed` and `status` read). */
  private async recordDeath(ref: TaskRef, err: Error): Promise<void> {
    const attempt = (await readJson<Attempt>(attemptPath(this.outDir, ref.stage, ref.phase, ref.idx))) ?? { started_at: new Date().toISOString(), host: hostname(), pid: 0 };
    const failure: Failure = { ...attempt, failed_at: new Date().toISOString(), error: errorMessage(err) };
    await writeJsonAtomic(failurePath(this.outDir, ref.stage, ref.phase, ref.idx), failure).catch(() => {});
  }

  finish(ok: boolean): Promise<void> {
    return ok ? this.close() : this.terminate();
  }

  /** Asks workers to finish (close message), killing any that take longer than 10 s. */
  close(): Promise<void> {
    return this.stopAll((c) => {
      if (c.connected) c.send({ type: 'close' });
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
  // Errors cross the process boundary as text; the class decides the exit code (ConfigError: 2).
  const e = m.name === 'ConfigError' ? new ConfigError(m.message) : new CorpusError(m.message);
  e.stack = m.stack;
  return e;
}
