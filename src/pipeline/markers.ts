/**
 * Task state on the filesystem, the part that works on a shared filesystem where SQLite locking is
 * unsafe (cluster runs): a completion marker per task (written last, atomically, by the task
 * itself), an attempt record when a task starts, and a failure record when it fails. The
 * coordinator (`build`, `status`, `stats`) merges them into the catalog.
 */
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Catalog } from '../catalog/catalog.js';
import type { TaskStats } from '../core/stats.js';
import { failurePath, markerDir, markerPath } from './layout.js';
export { failurePath };

interface Marker {
  stage: string;
  phase: string;
  idx: number;
  hash: string;
  finished_at: string;
  stats: TaskStats;
}

export interface Attempt {
  started_at: string;
  host: string;
  pid: number;
  /** Cluster job id of this attempt (`<array job>_<index>`), when run by Slurm. */
  job?: string;
  log?: string;
}

export interface Failure extends Attempt {
  failed_at: string;
  error: string;
}

export const attemptPath = (out: string, stage: string, phase: string, idx: number) => markerPath(out, stage, phase, idx).replace(/\.json$/, '.attempt');

export async function readJson<T>(path: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return null;
  }
}

/** Adopts into the catalog every marker (with the stage's current hash) it does not know yet. */
export async function syncMarkers(catalog: Catalog, out: string, stage: string, hash: string): Promise<number> {
  let adopted = 0;
  const planned = catalog.stage(stage);
  if (!planned) return 0;
  for (const phase of planned.phases) {
    const dir = markerDir(out, stage, phase);
    if (!existsSync(dir)) continue;
    const present = new Set((await readdir(dir)).filter((f) => /^\d+\.json$/.test(f)).map((f) => Number(f.slice(0, -5))));
    if (present.size === 0) continue;
    for (const row of catalog.tasks(stage, phase)) {
      if (row.state === 'done' || !present.has(row.idx)) continue;
      const m = await readJson<Marker>(join(dir, `${String(row.idx).padStart(6, '0')}.json`));
      if (m && m.hash === hash) {
        catalog.taskDone(stage, phase, row.idx, m.stats, m.finished_at);
        adopted++;
      }
    }
  }
  return adopted;
}
