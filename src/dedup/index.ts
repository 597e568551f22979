/** Dedup steps (`steps: [{step: <name>, ...}]`). */
import type { StepDef } from '../pipeline/step.js';


export const dedupSteps: StepDef[] = [];
