/** Messages between the coordinator and its worker processes. */
import type { TaskStats } from '../../core/stats.js';
import type { TaskRef } from '../../pipeline/runner.js';

export interface WorkerInit {
  pipelineFile: string;
  outDir: string;
  cacheDir: string;
  logLevel: string;
  workerIndex: number;
  /** Plugin paths outside the pipeline's folder the user allowed (`--allow-plugin`). */
  allowPlugins?: string[];
  /** No network: a corrupt cached input is not fetched again. */
  offline?: boolean;
  /** `build --limit N`: each task reads only its first N documents (a trial run). */
  limit?: number;
}

export type ToWorker = { type: 'run'; ref: TaskRef } | { type: 'close' };

export type FromWorker = { type: 'progress'; bytes: number; docs: number } | { type: 'done'; stats: TaskStats } | { type: 'failed'; name: string; message: string; stack: string };
