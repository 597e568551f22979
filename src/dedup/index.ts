/** Dedup steps (`steps: [{step: <name>, ...}]`). */
import type { StepDef } from '../pipeline/step.js';
import { exactDedupDef } from './exact.js';
import { minhashDedupDef } from './minhash/step.js';

export const dedupSteps: StepDef[] = [exactDedupDef, minhashDedupDef] as StepDef[];
