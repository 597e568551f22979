/** Filter and transform steps (`steps: [{step: <name>, ...}]`). */
import type { StepDef } from '../pipeline/step.js';
import { textLengthStep } from './text-length.js';
import { normalizeTextStep } from './normalize-text.js';
import { githubFiltersStep } from '../sources/github/filters.js';

export const filterSteps: StepDef[] = [textLengthStep, normalizeTextStep, githubFiltersStep] as StepDef[];
