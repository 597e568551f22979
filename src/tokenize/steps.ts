/** Tokenizer steps (`steps: [{step: tokenize, ...}]`). */
import type { StepDef } from '../pipeline/step.js';

export const tokenizeSteps: StepDef[] = [];
