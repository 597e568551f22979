/** Messages between the coordinator and its worker processes. */
import type { TaskStats } from '../../core/stats.js';
import type { TaskRef } from '../../pipeline/runner.js';

export interface WorkerInit {
  pipelineFile: string;
  outDir: string;
  cacheDir: string;
  logLevel: string;
  workerIndex: number;
  /** `build --limit N`: each task reads only its first N documents (a trial run). */
  limit?: number;
}

export type ToWorker = { type: 'run'; ref: TaskRef } | { type: 'close' };

export type FromWorker = { type: 'progress'; bytes: number; docs: number } | { type: 'done'; stats: TaskStats } | { type: 'failed'; name: string; message: string; stack: string };
