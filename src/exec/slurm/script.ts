/**
 * The batch script of one job array. Preemption: Slurm sends USR1 `requeue_signal_seconds` before
 * the time limit (`--signal=B:USR1@<s>`); the script stops the task and requeues the element, which
 * later reruns the tasks it had not finished (finished ones have markers and are skipped).
 */
export interface SlurmJobOptions {
  partition?: string;
  time?: string;
  cpusPerTask: number;
  mem?: string;
  /** Extra sbatch arguments, verbatim (`--qos=high`, `--account=x`). */
  sbatchArgs: string[];
  /** A shell line run before corpusmill (module load, venv activation, …). */
  envSetup?: string;
  /** Seconds before the time limit at which USR1 asks the job to requeue itself. */
  requeueSignalSeconds: number;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function jobScript(o: SlurmJobOptions & { jobName: string; logsDir: string; command: string[] }): string {
  const lines = [
    '#!/bin/bash',
    `#SBATCH --job-name=${o.jobName}`,
    `#SBATCH --output=${o.logsDir}/%A_%a.out`,
    '#SBATCH --open-mode=append',
    `#SBATCH --cpus-per-task=${o.cpusPerTask}`,
  ];
  if (o.partition) lines.push(`#SBATCH --partition=${o.partition}`);
  if (o.time) lines.push(`#SBATCH --time=${o.time}`);
  if (o.mem) lines.push(`#SBATCH --mem=${o.mem}`);
  lines.push(`#SBATCH --signal=B:USR1@${o.requeueSignalSeconds}`, '#SBATCH --requeue');
  for (const a of o.sbatchArgs) lines.push(`#SBATCH ${a}`);
  lines.push(
    'set -u',
    o.envSetup ?? '',
    `export CORPUSMILL_LOG_FILE=${q(o.logsDir)}/\${SLURM_ARRAY_JOB_ID}_\${SLURM_ARRAY_TASK_ID}.out`,
    `echo "corpusmill: array element \${SLURM_ARRAY_JOB_ID}_\${SLURM_ARRAY_TASK_ID} on $(hostname) at $(date -u +%FT%TZ)"`,
    `${o.command.map(q).join(' ')} &`,
    'child=$!',
    // USR1 (time limit near, or preemption): stop the task and put this element back in the queue.
    `trap 'echo "corpusmill: USR1, requeueing"; kill -TERM $child 2>/dev/null; wait $child; scontrol requeue "\${SLURM_JOB_ID}"; exit 0' USR1`,
    'wait $child',
    'exit $?',
    '',
  );
  return lines.filter((l, i) => l !== '' || i === lines.length - 1).join('\n');
}
