/**
 * The contract between the build orchestration and an engine that runs tasks (worker processes
 * here, Slurm job arrays, ...). The orchestration plans stages and hands an executor one phase at a
 * time, in order, with the tasks that have no completion marker yet; the executor runs them (and
 * returns when they are done) or submits them to run after everything submitted before. Tasks
 * report through marker files (see markers.ts), so the orchestration never needs to know where a
 * task ran. A new engine is one folder under src/exec/ implementing this interface, chosen by the
 * composition root.
 */
import type { TaskStats } from '../core/stats.js';
import type { Attempt } from './markers.js';
import type { TaskRef } from './runner.js';

export interface TaskHooks {
  onStart?(ref: TaskRef): void;
  onDone?(ref: TaskRef, stats: TaskStats): void;
  onFail?(ref: TaskRef, error: Error): void;
  /** Input bytes and documents consumed since the last call (for progress). */
  onProgress?(bytes: number, docs: number): void;
}

/** One phase of one stage: the tasks still to run, out of `of`. */
export interface PhaseWork {
  pipelineFile: string;
  stage: string;
  /** The stage's configuration hash (a task refuses to run under another configuration). */
  hash: string;
  phase: string;
  of: number;
  tasks: TaskRef[];
}

export interface Executor {
  /** Shown in logs and errors. */
  readonly name: string;
  /**
   * true: `run` returns when the phase's tasks have finished, so the next stage may be planned on
   * complete inputs. false: `run` queues the tasks behind the phases queued before and returns.
   */
  readonly waits: boolean;
  run(work: PhaseWork, hooks: TaskHooks): Promise<void>;
  /** Called once after the last phase (ok = false: the build failed; stop what still runs). */
  finish(ok: boolean): Promise<void>;
}

export type TaskStatus = 'done' | 'running' | 'failed' | 'pending';

/**
 * How `status` learns whether a started task without a marker is still alive. Each engine
 * recognises its own attempts (a Slurm job id, a local pid) and answers null for the others.
 */
export interface TaskProbe {
  classify(attempt: Attempt, failed: boolean): TaskStatus | null;
}
