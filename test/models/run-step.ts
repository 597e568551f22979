/**
 * Drives one step the way the pipeline runner does (scan passes over every task, reduce passes,
 * then the main pass), over in-memory tasks, with a real state folder (src/pipeline/standalone.ts).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Doc } from '../../src/core/document.js';
import { runStepDef } from '../../src/pipeline/standalone.js';
import type { StepDef } from '../../src/pipeline/step.js';
import { repoRoot } from '../helpers.js';

export interface StepRun {
  kept: Doc[];
  drops: Record<string, number>;
  counts: Record<string, number>;
  stateDir: string;
}

/** `tasks` is one array of documents per task (or a single array for one task); documents are copied. */
export async function runStep(def: StepDef, rawParams: unknown, tasks: Doc[][] | Doc[], opts: { pipelineDir?: string; stateDir?: string } = {}): Promise<StepRun> {
  const byTask: Doc[][] = tasks.length > 0 && Array.isArray(tasks[0]) ? (tasks as Doc[][]) : [tasks as Doc[]];
  const stateDir = opts.stateDir ?? mkdtempSync(join(tmpdir(), 'step-state-'));
  const r = await runStepDef(def, rawParams, structuredClone(byTask), { stateDir, pipelineDir: opts.pipelineDir ?? repoRoot });
  return { kept: r.kept.flat(), drops: r.stats.drops, counts: r.stats.counts, stateDir };
}
