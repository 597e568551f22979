/** Dedup steps (`steps: [{step: <name>, ...}]`). */
import type { StepDef } from '../pipeline/step.js';
import { exactDedupDef } from './exact.js';
import { minhashDedupDef } from './minhash/step.js';
import { bookNearDedupStep } from '../sources/books/near-dedup.js';

export const dedupSteps: StepDef[] = [exactDedupDef, minhashDedupDef, bookNearDedupStep] as StepDef[];
