/**
 * Tasks: the unit of work any executor runs given only (stage, phase, index).
 *
 * A stage's read tasks come from its inputs: each source splits its files (whole files, byte ranges,
 * stream offsets), and an earlier stage's shards are one task each. The list is frozen in the catalog
 * the first time the stage runs, so a rerun or a cluster task reads exactly the same records, and it
 * never depends on the worker count. Passes of global steps reuse the read tasks (`scan`) or have
 * their own count (`reduce`).
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocalFile } from '../fetch/files.js';
import type { ReadTask } from './source.js';
import { isDocumentFile } from '../io/shards.js';
import { partPrefix } from './layout.js';

export type TaskInput =
  | { type: 'source'; input: number; task: ReadTask; file: Omit<LocalFile, 'path'> }
  /** The shards one task of an earlier stage wrote: `<stage>/<source>/part-<ordinal>-*.jsonl.zst`. */
  | { type: 'stage'; stage: string; source: string; ordinal: number };

export interface TaskSpec {
  kind: 'read' | 'reduce';
  /** Source of the documents (output folder); '' for reduce tasks. */
  source: string;
  /** Index among the stage's read tasks of the same source: names the output files. */
  ordinal: number;
  /** Input bytes (for an earlier stage's output, the bytes that stage's task read: an estimate). */
  bytes: number;
  input?: TaskInput;
}

/**
 * Tasks over an earlier stage's output: one per task of that stage, reading the shards it wrote.
 * Derived from the earlier stage's frozen task list, not from its files, so every stage of a
 * pipeline can be planned before any runs (a cluster launch submits them all at once).
 */
export function stageInputTasks(upstream: TaskSpec[], cfg: { stage: string; sources?: string[] }): Array<{ source: string; input: TaskInput; bytes: number }> {
  return upstream
    .filter((t) => t.kind === 'read' && (!cfg.sources || cfg.sources.includes(t.source)))
    .map((t) => ({ source: t.source, bytes: t.bytes, input: { type: 'stage' as const, stage: cfg.stage, source: t.source, ordinal: t.ordinal } }));
}

/** The shard files an earlier stage's task wrote, in rotation order. */
export async function upstreamShards(out: string, input: { stage: string; source: string; ordinal: number }): Promise<string[]> {
  const dir = join(out, input.stage, input.source);
  const prefix = `${partPrefix(input.ordinal)}-`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(prefix) && isDocumentFile(n))
    .sort()
    .map((n) => join(dir, n));
}

/**
 * The bytes a task will read, for progress: its planned bytes, except for an earlier stage's output,
 * whose shards are measured once that stage has written them (the plan only had an estimate).
 */
export async function taskReadBytes(out: string, spec: TaskSpec): Promise<number> {
  if (spec.input?.type !== 'stage') return spec.bytes;
  let n = 0;
  for (const p of await upstreamShards(out, spec.input)) n += (await stat(p)).size;
  return n;
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
