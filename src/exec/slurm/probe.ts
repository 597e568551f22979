/** Whether a task started by a Slurm array element still runs, from squeue (queued, running) and scontrol (finished). */
import { which } from '../../io/tools.js';
import type { TaskProbe } from '../../pipeline/executor.js';
import { jobState, squeue } from './cluster.js';
import { readLaunches } from './executor.js';

const FAILED_STATES = new Set(['FAILED', 'CANCELLED', 'TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE', 'COMPLETED']);

/** A probe over the last launch into `out` (its queue is read once). */
export async function slurmProbe(out: string): Promise<TaskProbe> {
  const launches = await readLaunches(out);
  const jobs = launches.at(-1)?.phases.flatMap((p) => p.jobs) ?? [];
  const queue = jobs.length && which('squeue') ? squeue(jobs) : new Map<string, string>();
  return {
    classify(attempt, failed) {
      if (!attempt.job) return null;
      const state = queue.get(attempt.job);
      if (state === 'RUNNING' || state === 'COMPLETING') return failed ? 'failed' : 'running';
      if (state) return 'pending'; // requeued or waiting
      if (failed) return 'failed';
      const final = jobState(attempt.job);
      return final && FAILED_STATES.has(final) ? 'failed' : 'pending';
    },
  };
}
