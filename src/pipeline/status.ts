/**
 * Build status: per stage and phase, tasks done / running / failed / pending, documents and bytes
 * so far, rate and ETA, from the catalog, the task markers and attempt records. Whether a started
 * task still runs is the executor's knowledge: each engine contributes a TaskProbe.
 */
import { existsSync } from 'node:fs';
import { Catalog } from '../catalog/catalog.js';
import { ConfigError } from '../core/errors.js';
import type { TaskProbe, TaskStatus } from './executor.js';
import { catalogPath, MAIN_PHASE } from './layout.js';
import { attemptPath, failurePath, readJson, syncMarkers, type Attempt } from './markers.js';

export interface PhaseStatus {
  stage: string;
  phase: string;
  /** What the phase does, for people (`minhash_dedup: signatures`; `main` for the main pass). */
  label: string;
  tasks: Record<TaskStatus, number>;
  docs: number;
  bytes_done: number;
  bytes_total: number;
  rate_bytes_per_s: number | null;
  eta_s: number | null;
}

/** Status of every planned phase of the build in `out`; `probes` tell whether started tasks still run. */
export async function buildStatus(out: string, probes: TaskProbe[]): Promise<PhaseStatus[]> {
  if (!existsSync(catalogPath(out))) throw new ConfigError(`${out}: not a build output folder (no catalog.sqlite)`);
  const catalog = new Catalog(catalogPath(out));
  const result: PhaseStatus[] = [];
  try {
    const stages = catalog.db.prepare('SELECT name, hash FROM stages ORDER BY planned_at, rowid').all() as Array<{ name: string; hash: string }>;
    for (const st of stages) {
      await syncMarkers(catalog, out, st.name, st.hash);
      const info = catalog.stage(st.name)!;
      for (const phase of info.phases) {
        const s: PhaseStatus = {
          stage: st.name,
          phase,
          label: info.labels[phase] ?? phase,
          tasks: { done: 0, running: 0, failed: 0, pending: 0 },
          docs: 0,
          bytes_done: 0,
          bytes_total: 0,
          rate_bytes_per_s: null,
          eta_s: null,
        };
        let firstStart = Infinity;
        for (const row of catalog.tasks(st.name, phase)) {
          s.bytes_total += row.spec.bytes;
          const attempt = await readJson<Attempt>(attemptPath(out, st.name, phase, row.idx));
          if (attempt) firstStart = Math.min(firstStart, Date.parse(attempt.started_at));
          if (row.state === 'done') {
            s.tasks.done++;
            s.bytes_done += row.spec.bytes;
            if (phase === MAIN_PHASE) s.docs += row.stats?.output.docs ?? 0;
            continue;
          }
          s.tasks[classify(out, st.name, phase, row.idx, attempt, probes)]++;
        }
        const elapsed = (Date.now() - firstStart) / 1000;
        if (Number.isFinite(firstStart) && elapsed > 0 && s.bytes_done > 0) {
          s.rate_bytes_per_s = s.bytes_done / elapsed;
          s.eta_s = (s.bytes_total - s.bytes_done) / s.rate_bytes_per_s;
        }
        result.push(s);
      }
    }
  } finally {
    catalog.close();
  }
  return result;
}

function classify(out: string, stage: string, phase: string, idx: number, attempt: Attempt | null, probes: TaskProbe[]): TaskStatus {
  if (!attempt) return 'pending';
  const failed = existsSync(failurePath(out, stage, phase, idx));
  for (const p of probes) {
    const s = p.classify(attempt, failed);
    if (s) return s;
  }
  return failed ? 'failed' : 'pending';
}
