/**
 * The build catalog: one SQLite file per output folder (`<out>/catalog.sqlite`, better-sqlite3 12.x)
 * recording runs, every stage's frozen task list, each task's input, state, outputs and counters,
 * and a row per fetched file (URL, bytes, sha256, ETag, time).
 *
 * It also records which pipeline owns the folder (name, configuration hash, file), so another
 * pipeline is not built into it by mistake. A write that fails (a full disk) is a CorpusError
 * naming this file, not a bare SqliteError.
 *
 * Only the coordinating process writes it. Workers (threads here, cluster tasks elsewhere) report
 * completion through marker files (`_state/<stage>/<phase>/<task>.json`, see pipeline/markers.ts)
 * that the coordinator merges, so the same state works where SQLite locking is unsafe.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FetchRecord } from '../fetch/fetcher.js';
import type { TaskStats } from '../core/stats.js';
import { CorpusError } from '../core/errors.js';

/** The pipeline that owns an output folder. */
export interface Owner {
  pipeline: string;
  hash: string;
  file: string;
  claimed_at: string;
}

type TaskState = 'pending' | 'running' | 'done' | 'failed';

/** What the catalog reads of a frozen task (the pipeline stores its full TaskSpec as JSON). */
export interface StoredTask {
  source: string;
  bytes: number;
}

export interface TaskRow<S extends StoredTask = StoredTask> {
  stage: string;
  phase: string;
  idx: number;
  spec: S;
  state: TaskState;
  attempts: number;
  stats: TaskStats | null;
  error: string | null;
  started_at: string | null;
  finished_at: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  pipeline TEXT NOT NULL,
  argv TEXT NOT NULL,
  workers INTEGER NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  status TEXT NOT NULL DEFAULT 'running'
);
CREATE TABLE IF NOT EXISTS stages (
  name TEXT PRIMARY KEY,
  hash TEXT NOT NULL,
  planned_at TEXT NOT NULL,
  phases TEXT NOT NULL,
  done_at TEXT,
  upstream TEXT NOT NULL DEFAULT '[]',
  labels TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS tasks (
  stage TEXT NOT NULL,
  phase TEXT NOT NULL,
  idx INTEGER NOT NULL,
  spec TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  run_id INTEGER,
  stats TEXT,
  error TEXT,
  started_at TEXT,
  finished_at TEXT,
  PRIMARY KEY (stage, phase, idx)
);
CREATE TABLE IF NOT EXISTS owner (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  pipeline TEXT NOT NULL,
  hash TEXT NOT NULL,
  file TEXT NOT NULL,
  claimed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS fetches (
  url TEXT PRIMARY KEY,
  path TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  etag TEXT,
  last_modified TEXT,
  fetched_at TEXT NOT NULL,
  run_id INTEGER
);
`;

export class Catalog<S extends StoredTask = StoredTask> {
  readonly db: Database.Database;
  private runId: number | null = null;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.db = this.guard(() => new Database(path));
    this.guard(() => {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.exec(SCHEMA);
      // Catalogs written before phases had labels (what each pass does, for people).
      const cols = this.db.prepare('PRAGMA table_info(stages)').all() as Array<{ name: string }>;
      if (!cols.some((c) => c.name === 'labels')) this.db.exec("ALTER TABLE stages ADD COLUMN labels TEXT NOT NULL DEFAULT '{}'");
    });
  }

  /** Runs a database call, turning SQLite's errors (a full disk, a locked or corrupt file) into one line naming the catalog. */
  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (typeof code === 'string' && code.startsWith('SQLITE_')) throw new CorpusError(`catalog: ${(e as Error).message} (${code})`, { file: this.path }, { cause: e });
      throw e;
    }
  }

  owner(): Owner | undefined {
    return this.db.prepare('SELECT pipeline, hash, file, claimed_at FROM owner WHERE id = 1').get() as Owner | undefined;
  }

  setOwner(pipeline: string, hash: string, file: string): void {
    this.guard(() =>
      this.db
        .prepare(
          `INSERT INTO owner (id, pipeline, hash, file, claimed_at) VALUES (1, ?, ?, ?, ?)
           ON CONFLICT(id) DO UPDATE SET pipeline = excluded.pipeline, hash = excluded.hash, file = excluded.file,
             claimed_at = CASE WHEN owner.pipeline = excluded.pipeline THEN owner.claimed_at ELSE excluded.claimed_at END`,
        )
        .run(pipeline, hash, file, new Date().toISOString()),
    );
  }

  startRun(pipeline: string, argv: string[], workers: number): number {
    const r = this.guard(() =>
      this.db.prepare('INSERT INTO runs (pipeline, argv, workers, started_at) VALUES (?, ?, ?, ?)').run(pipeline, JSON.stringify(argv), workers, new Date().toISOString()),
    );
    this.runId = Number(r.lastInsertRowid);
    return this.runId;
  }

  finishRun(status: 'done' | 'failed'): void {
    if (this.runId === null) return;
    const id = this.runId;
    this.guard(() => this.db.prepare('UPDATE runs SET finished_at = ?, status = ? WHERE id = ?').run(new Date().toISOString(), status, id));
  }

  stage(name: string): { hash: string; phases: string[]; done_at: string | null; upstream: string[]; labels: Record<string, string> } | undefined {
    const row = this.db.prepare('SELECT hash, phases, done_at, upstream, labels FROM stages WHERE name = ?').get(name) as
      | { hash: string; phases: string; done_at: string | null; upstream: string; labels: string }
      | undefined;
    return (
      row && {
        hash: row.hash,
        phases: JSON.parse(row.phases) as string[],
        done_at: row.done_at,
        upstream: JSON.parse(row.upstream) as string[],
        labels: JSON.parse(row.labels) as Record<string, string>,
      }
    );
  }

  /**
   * Freezes a stage's task lists (all phases) in one transaction; `upstream` names the stages it
   * reads, a phase's `label` says what it does (`minhash_dedup: signatures`).
   */
  planStage(name: string, hash: string, phases: Array<{ phase: string; tasks: S[]; label?: string }>, upstream: string[] = []): void {
    const labels = Object.fromEntries(phases.flatMap((p) => (p.label ? [[p.phase, p.label]] : [])));
    const tx = this.db.transaction(() => {
      this.db.prepare('DELETE FROM tasks WHERE stage = ?').run(name);
      this.db
        .prepare('INSERT OR REPLACE INTO stages (name, hash, planned_at, phases, done_at, upstream, labels) VALUES (?, ?, ?, ?, NULL, ?, ?)')
        .run(name, hash, new Date().toISOString(), JSON.stringify(phases.map((p) => p.phase)), JSON.stringify(upstream), JSON.stringify(labels));
      const ins = this.db.prepare('INSERT INTO tasks (stage, phase, idx, spec) VALUES (?, ?, ?, ?)');
      for (const p of phases) {
        for (const [i, t] of p.tasks.entries()) ins.run(name, p.phase, i, JSON.stringify(t));
      }
    });
    this.guard(tx);
  }

  markStageDone(name: string): void {
    this.guard(() => this.db.prepare('UPDATE stages SET done_at = ? WHERE name = ?').run(new Date().toISOString(), name));
  }

  forgetStage(name: string): void {
    this.guard(() => {
      this.db.prepare('DELETE FROM tasks WHERE stage = ?').run(name);
      this.db.prepare('DELETE FROM stages WHERE name = ?').run(name);
    });
  }

  tasks(stage: string, phase?: string): Array<TaskRow<S>> {
    const rows = (
      phase === undefined
        ? this.db.prepare('SELECT * FROM tasks WHERE stage = ? ORDER BY phase, idx').all(stage)
        : this.db.prepare('SELECT * FROM tasks WHERE stage = ? AND phase = ? ORDER BY idx').all(stage, phase)
    ) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      stage: r.stage as string,
      phase: r.phase as string,
      idx: r.idx as number,
      spec: JSON.parse(r.spec as string) as S,
      state: r.state as TaskState,
      attempts: r.attempts as number,
      stats: r.stats ? (JSON.parse(r.stats as string) as TaskStats) : null,
      error: (r.error as string) ?? null,
      started_at: (r.started_at as string) ?? null,
      finished_at: (r.finished_at as string) ?? null,
    }));
  }

  taskStarted(stage: string, phase: string, idx: number): void {
    this.guard(() =>
      this.db
        .prepare("UPDATE tasks SET state = 'running', attempts = attempts + 1, run_id = ?, started_at = ?, error = NULL WHERE stage = ? AND phase = ? AND idx = ?")
        .run(this.runId, new Date().toISOString(), stage, phase, idx),
    );
  }

  taskDone(stage: string, phase: string, idx: number, stats: TaskStats, finishedAt = new Date().toISOString()): void {
    this.guard(() =>
      this.db
        .prepare("UPDATE tasks SET state = 'done', stats = ?, finished_at = ?, error = NULL WHERE stage = ? AND phase = ? AND idx = ?")
        .run(JSON.stringify(stats), finishedAt, stage, phase, idx),
    );
  }

  taskFailed(stage: string, phase: string, idx: number, error: string): void {
    this.guard(() =>
      this.db
        .prepare("UPDATE tasks SET state = 'failed', error = ?, finished_at = ? WHERE stage = ? AND phase = ? AND idx = ?")
        .run(error, new Date().toISOString(), stage, phase, idx),
    );
  }

  /** Forgets every stage and task (the folder is being handed to another pipeline); fetches and runs stay. */
  forgetAllStages(): void {
    this.guard(() => {
      this.db.prepare('DELETE FROM tasks').run();
      this.db.prepare('DELETE FROM stages').run();
    });
  }

  recordFetch(rec: FetchRecord): void {
    this.guard(() =>
      this.db
        .prepare(
          `INSERT INTO fetches (url, path, bytes, sha256, etag, last_modified, fetched_at, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(url) DO UPDATE SET path = excluded.path, bytes = excluded.bytes, sha256 = excluded.sha256, etag = excluded.etag,
           last_modified = excluded.last_modified, fetched_at = excluded.fetched_at, run_id = excluded.run_id`,
        )
        .run(rec.url, rec.path, rec.bytes, rec.sha256, rec.etag, rec.last_modified, rec.fetched_at, this.runId),
    );
  }

  fetch(url: string): FetchRecord | undefined {
    return this.db.prepare('SELECT url, path, bytes, sha256, etag, last_modified, fetched_at FROM fetches WHERE url = ?').get(url) as FetchRecord | undefined;
  }

  fetches(): FetchRecord[] {
    return this.db.prepare('SELECT url, path, bytes, sha256, etag, last_modified, fetched_at FROM fetches ORDER BY url').all() as FetchRecord[];
  }

  stageNames(): string[] {
    return (this.db.prepare('SELECT name FROM stages').all() as Array<{ name: string }>).map((r) => r.name);
  }

  close(): void {
    this.db.close();
  }
}
