/** Whether a task started by a local worker still runs: its process is alive on this host. */
import { hostname } from 'node:os';
import type { TaskProbe } from '../../pipeline/executor.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export const localProbe: TaskProbe = {
  classify(attempt, failed) {
    if (attempt.job) return null;
    if (failed) return 'failed';
    return attempt.host === hostname() && alive(attempt.pid) ? 'running' : 'pending';
  },
};
