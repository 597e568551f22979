/** Drives a step's passes and main pass over in-memory tasks (see src/pipeline/standalone.ts). */
import type { Doc } from '../../src/core/document.js';
import { runStep } from '../../src/pipeline/standalone.js';
import type { Step } from '../../src/pipeline/step.js';

export interface PassResult {
  kept: Doc[][];
  dropped: Array<{ doc: Doc; reason: string }>;
  counts: Record<string, number>;
}

export async function runPasses(step: Step, tasks: Doc[][], stateDir: string): Promise<PassResult> {
  const r = await runStep(step, tasks, { stateDir });
  return { kept: r.kept, dropped: r.dropped, counts: r.stats.counts };
}
