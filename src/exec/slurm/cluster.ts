/**
 * The Slurm commands corpusmill uses, and the parsing of what they print. Job ids come from
 * `sbatch --parsable` ("<id>" or "<id>;<cluster>"), never from scraping "Submitted batch job …"
 * (which some sites change: datatrove#265).
 */
import { execFileSync } from 'node:child_process';
import { CorpusError } from '../../core/errors.js';
import { which } from '../../io/tools.js';

function run(cmd: string, args: string[]): string {
  if (!which(cmd)) throw new CorpusError(`\`${cmd}\` is not on PATH: is this a Slurm login node?`);
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: string; status?: number };
    throw new CorpusError(`${cmd} ${args.join(' ')} failed: ${(err.stderr ?? '').trim() || `exit ${err.status}`}`);
  }
}

/** `MaxArraySize` from `scontrol show config` (array indices must stay below it). */
export function maxArraySize(): number {
  const m = /^MaxArraySize\s*=\s*(\d+)/m.exec(run('scontrol', ['show', 'config']));
  return m ? Number(m[1]) : 1001;
}

/** The job id in `sbatch --parsable` output. */
function parseParsable(out: string): string {
  const id = out.trim().split('\n').pop()!.split(';')[0]!.trim();
  if (!/^\d+$/.test(id)) throw new CorpusError(`unexpected sbatch output: ${JSON.stringify(out.trim())}`);
  return id;
}

export function sbatch(args: string[], script: string): string {
  return parseParsable(run('sbatch', ['--parsable', ...args, script]));
}

/** State of every queued or running element of these jobs, keyed `<job>_<index>` (and `<job>` for plain jobs). */
export function squeue(jobIds: string[]): Map<string, string> {
  const states = new Map<string, string>();
  if (jobIds.length === 0) return states;
  // %i prints <array job>_<index> (pending ranges as <job>_[a-b]); -r expands ranges one per line.
  const out = run('squeue', ['-h', '-r', '-o', '%i %T', '-j', jobIds.join(',')]);
  for (const line of out.split('\n')) {
    const [id, state] = line.trim().split(/\s+/);
    if (id && state) states.set(id, state);
  }
  return states;
}

/** Final state of a finished job element still known to the controller (`scontrol show job`). */
export function jobState(jobId: string): string | null {
  try {
    const out = run('scontrol', ['show', 'job', '-o', jobId]);
    const m = /JobState=(\S+)/.exec(out);
    return m ? m[1]! : null;
  } catch {
    return null;
  }
}
