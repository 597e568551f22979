/**
 * The output lock: one build, launch or fetch at a time per output folder. Two builds writing the
 * same folder remove each other's partial files and race on markers, so a second one must refuse
 * rather than "complete" with files missing.
 *
 * `<out>/corpusmill.lock` holds who has the folder: run id, pid, host, start time, command, and for
 * a Slurm launch its number and job ids (the launch keeps the folder after its launcher exits, for
 * as long as its jobs are queued or running). It is created with link(2), which fails when the file
 * exists, so of two processes starting together exactly one gets it. A holder that is gone (its
 * process dead on this host, or a launch with no job left) is taken over with a warning; a live one
 * makes the newcomer stop with one line naming it (a ConfigError: exit 2).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { tmpPath, writeJsonAtomic } from '../io/atomic.js';

export interface LockHolder {
  run: string;
  pid: number;
  host: string;
  started_at: string;
  /** `build`, `fetch` or `launch`. */
  command: string;
  /** Slurm: the launch number whose array elements may write the folder. */
  launch?: number;
  /** Slurm: the launch's job ids (the lock lives while any is queued or running). */
  jobs?: string[];
}

/** true / false when the caller can tell whether `holder` still runs (a Slurm queue), null to let the lock decide from pid and host. */
export type HolderProbe = (holder: LockHolder) => boolean | null;

const lockPath = (out: string) => join(out, 'corpusmill.lock');

function describeHolder(h: LockHolder): string {
  const who = h.launch !== undefined ? `Slurm launch ${h.launch}${h.jobs?.length ? ` (jobs ${h.jobs.join(', ')})` : ''}` : `corpusmill ${h.command}`;
  return `${who}, run ${h.run.slice(0, 8)}, pid ${h.pid} on ${h.host}, since ${h.started_at}`;
}

/** Whether a process is alive on this host; a pid reused by something that is not node does not count. */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return /node|corpusmill/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return true; // no /proc: trust kill(0)
  }
}

/** Whether `h` still holds the folder; `undefined` when that cannot be known from here (another host). */
function holderAlive(h: LockHolder, probe?: HolderProbe): boolean | undefined {
  const known = probe?.(h);
  if (known === true) return true;
  if (h.host === hostname() && processAlive(h.pid)) return true;
  if (known === false) return false;
  return h.host === hostname() ? false : undefined;
}

export function readLock(out: string): LockHolder | null {
  try {
    return JSON.parse(readFileSync(lockPath(out), 'utf8')) as LockHolder;
  } catch {
    return null;
  }
}

export class OutputLock {
  private released = false;
  private readonly onExit = () => this.releaseSync();

  private constructor(
    readonly out: string,
    public holder: LockHolder,
  ) {
    process.on('exit', this.onExit);
  }

  /** Takes the folder for this process, or throws a ConfigError naming the live holder. */
  static async acquire(out: string, what: { command: string; launch?: number }, opts: { log: Logger; probe?: HolderProbe }): Promise<OutputLock> {
    await mkdir(out, { recursive: true });
    const path = lockPath(out);
    const me: LockHolder = { run: randomUUID(), pid: process.pid, host: hostname(), started_at: new Date().toISOString(), ...what };
    for (let tries = 0; tries < 10; tries++) {
      const tmp = tmpPath(path);
      await writeFile(tmp, `${JSON.stringify(me)}\n`);
      try {
        await link(tmp, path);
        return new OutputLock(out, me);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      } finally {
        await rm(tmp, { force: true });
      }
      let held: LockHolder;
      try {
        held = JSON.parse(await readFile(path, 'utf8')) as LockHolder;
      } catch {
        continue; // released meanwhile
      }
      const alive = holderAlive(held, opts.probe);
      if (alive !== false) {
        const hint = alive === undefined ? `; if it is gone, delete ${path}` : '; wait for it to finish';
        throw new ConfigError(`${out} is in use by ${describeHolder(held)}${hint}`);
      }
      // Move the stale lock aside, then make sure it was the one examined (another newcomer may
      // have taken over in between): if not, put it back and look again.
      const aside = `${path}.stale-${me.run}`;
      try {
        await rename(path, aside);
      } catch {
        continue;
      }
      let moved: LockHolder | null = null;
      try {
        moved = JSON.parse(await readFile(aside, 'utf8')) as LockHolder;
      } catch {
        moved = null;
      }
      if (moved && moved.run !== held.run) await link(aside, path).catch(() => {});
      else opts.log.warn(`${out}: taking over from ${describeHolder(held)}, which is no longer running`);
      await rm(aside, { force: true });
    }
    throw new ConfigError(`${out}: could not take the lock ${path} (other processes keep taking it)`);
  }

  /** Rewrites the holder (a launch adding its number and job ids). */
  async update(fields: Partial<Pick<LockHolder, 'launch' | 'jobs'>>): Promise<void> {
    this.holder = { ...this.holder, ...fields };
    await writeJsonAtomic(lockPath(this.out), this.holder);
  }

  /** Gives the folder up, if this process still holds it. */
  async release(): Promise<void> {
    this.releaseSync();
  }

  /**
   * Leaves the lock in place for the Slurm jobs this launch submitted: later builds find it held
   * while any of `jobs` is queued or running.
   */
  async handOver(): Promise<void> {
    this.released = true;
    process.off('exit', this.onExit);
  }

  private releaseSync(): void {
    if (this.released) return;
    this.released = true;
    process.off('exit', this.onExit);
    const path = lockPath(this.out);
    try {
      const now = JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
      if (now.run === this.holder.run) unlinkSync(path);
    } catch {
      // already gone
    }
  }
}

/** For an array element: the folder must be held by the launch it belongs to. */
export function assertLaunchHolds(out: string, launch: number): void {
  const h = readLock(out);
  if (!existsSync(out)) throw new ConfigError(`${out}: no such output folder`);
  if (!h) throw new ConfigError(`${out} is not held by launch ${launch} (no lock): this array element belongs to a launch that is over; relaunch`);
  if (h.launch !== launch) throw new ConfigError(`${out} is held by ${describeHolder(h)}, not by launch ${launch} this array element belongs to; it stops`);
}
