/**
 * Tasks: the unit of work any executor runs given only (stage, phase, index).
 *
 * A stage's read tasks come from its inputs: each source splits its files (whole files, byte ranges,
 * stream offsets), and an earlier stage's shards are one task each. The list is frozen in the catalog
 * the first time the stage runs, so a rerun or a cluster task reads exactly the same records, and it
 * never depends on the worker count. Passes of global steps reuse the read tasks (`scan`) or have
 * their own count (`reduce`).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocalFile, ReadTask } from '../sources/source.js';
import { isDocumentFile } from '../io/shards.js';
import type { StageConfig } from './config.js';

export type TaskInput =
  | { type: 'source'; input: number; task: ReadTask; file: Omit<LocalFile, 'path'> }
  | { type: 'stage'; stage: string; path: string; name: string; bytes: number };

export interface TaskSpec {
  kind: 'read' | 'reduce';
  /** Source of the documents (output folder); '' for reduce tasks. */
  source: string;
  /** Index among the stage's read tasks of the same source: names the output files. */
  ordinal: number;
  bytes: number;
  input?: TaskInput;
}

/** Lists an earlier stage's shards as tasks, by source then file name. */
export async function stageInputTasks(out: string, cfg: { stage: string; sources?: string[] }): Promise<Array<{ source: string; input: TaskInput }>> {
  const root = join(out, cfg.stage);
  let sources: string[];
  try {
    sources = (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  } catch {
    return [];
  }
  if (cfg.sources) sources = sources.filter((s) => cfg.sources!.includes(s));
  const out2: Array<{ source: string; input: TaskInput }> = [];
  const { stat } = await import('node:fs/promises');
  for (const source of sources) {
    const files = (await readdir(join(root, source))).filter((f) => isDocumentFile(f)).sort();
    for (const f of files) {
      const path = join(root, source, f);
      const bytes = (await stat(path)).size;
      out2.push({ source, input: { type: 'stage', stage: cfg.stage, path, name: f, bytes } });
    }
  }
  return out2;
}

/** Gives each read task its per-source ordinal, in stage order. */
export function numberReadTasks(items: Array<{ source: string; input: TaskInput; bytes: number }>): TaskSpec[] {
  const next = new Map<string, number>();
  return items.map((it) => {
    const ordinal = next.get(it.source) ?? 0;
    next.set(it.source, ordinal + 1);
    return { kind: 'read', source: it.source, ordinal, bytes: it.bytes, input: it.input };
  });
}

export function reduceTasks(n: number): TaskSpec[] {
  return Array.from({ length: n }, (_, i) => ({ kind: 'reduce' as const, source: '', ordinal: i, bytes: 0 }));
}

export type StageStepList = StageConfig['steps'];
