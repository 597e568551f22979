/** Dedup steps (`steps: [{step: <name>, ...}]`). */
import type { StepDef } from '../pipeline/step.js';
import { bookNearDedupStep } from '../sources/books/near-dedup.js';


export const dedupSteps: StepDef[] = [bookNearDedupStep] as StepDef[];
