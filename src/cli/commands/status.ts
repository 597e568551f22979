/**
 * `corpusmill status <out>`: per stage and phase, tasks done / running / failed / pending, documents
 * and bytes so far, rate and ETA — from the task markers and attempt records, and from
 * squeue / scontrol for cluster launches. Works for local builds too.
 */
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { Catalog } from '../../catalog/catalog.js';
import { ConfigError } from '../../core/errors.js';
import { jobState, squeue } from '../../exec/slurm/cluster.js';
import { readLaunches } from '../../exec/slurm/launch.js';
import { which } from '../../io/tools.js';
import { catalogPath, MAIN_PHASE } from '../../pipeline/layout.js';
import { attemptPath, failurePath, readJson, syncMarkers, type Attempt, type Failure } from '../../pipeline/markers.js';
import { humanBytes } from '../../pipeline/stats.js';

export type TaskStatus = 'done' | 'running' | 'failed' | 'pending';

export interface PhaseStatus {
  stage: string;
  phase: string;
  tasks: Record<TaskStatus, number>;
  docs: number;
  bytes_done: number;
  bytes_total: number;
  rate_bytes_per_s: number | null;
  eta_s: number | null;
}

const FAILED_STATES = new Set(['FAILED', 'CANCELLED', 'TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE', 'COMPLETED']);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function buildStatus(out: string): Promise<PhaseStatus[]> {
  if (!existsSync(catalogPath(out))) throw new ConfigError(`${out}: not a build output folder (no catalog.sqlite)`);
  const catalog = new Catalog(catalogPath(out));
  const launches = await readLaunches(out);
  const jobs = launches.at(-1)?.phases.flatMap((p) => p.jobs) ?? [];
  const queue = jobs.length && which('squeue') ? squeue(jobs) : new Map<string, string>();
  const result: PhaseStatus[] = [];
  try {
    const stages = (catalog.db.prepare('SELECT name, hash FROM stages ORDER BY planned_at, rowid').all() as Array<{ name: string; hash: string }>);
    for (const st of stages) {
      await syncMarkers(catalog, out, st.name, st.hash);
      for (const phase of catalog.stage(st.name)!.phases) {
        const s: PhaseStatus = { stage: st.name, phase, tasks: { done: 0, running: 0, failed: 0, pending: 0 }, docs: 0, bytes_done: 0, bytes_total: 0, rate_bytes_per_s: null, eta_s: null };
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
          s.tasks[classify(out, st.name, phase, row.idx, attempt, queue)]++;
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

function classify(out: string, stage: string, phase: string, idx: number, attempt: Attempt | null, queue: Map<string, string>): TaskStatus {
  if (!attempt) return 'pending';
  const failure = existsSync(failurePath(out, stage, phase, idx));
  if (attempt.job) {
    const state = queue.get(attempt.job);
    if (state === 'RUNNING' || state === 'COMPLETING') return failure ? 'failed' : 'running';
    if (state) return 'pending'; // requeued or waiting
    if (failure) return 'failed';
    const final = jobState(attempt.job);
    return final && FAILED_STATES.has(final) ? 'failed' : 'pending';
  }
  // A local run: the worker is running if its process is.
  if (attempt.host === hostname() && alive(attempt.pid) && !failure) return 'running';
  return failure ? 'failed' : 'pending';
}

function duration(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.round((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('tasks done / running / failed / pending per stage, with documents, bytes, rate and ETA')
    .argument('<out>', 'output folder of a build (local or cluster)')
    .option('--json', 'machine-readable output')
    .action(async (out: string, o: { json?: boolean }) => {
      const status = await buildStatus(out);
      if (o.json) {
        process.stdout.write(JSON.stringify(status, null, 2) + '\n');
        return;
      }
      for (const s of status) {
        const t = s.tasks;
        process.stdout.write(
          `${`${s.stage}/${s.phase}`.padEnd(24)} done ${t.done}  running ${t.running}  failed ${t.failed}  pending ${t.pending}  ` +
            `${s.phase === MAIN_PHASE ? `${s.docs} docs  ` : ''}${humanBytes(s.bytes_done)}/${humanBytes(s.bytes_total)}` +
            (s.rate_bytes_per_s ? `  ${humanBytes(s.rate_bytes_per_s)}/s  ETA ${duration(s.eta_s)}` : '') +
            '\n',
        );
      }
    });
}

export type { Failure };
