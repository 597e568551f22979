/** Filter and transform steps (`steps: [{step: <name>, ...}]`). */
import type { StepDef } from '../pipeline/step.js';
import { textLengthStep } from './text-length.js';
import { normalizeTextStep } from './normalize-text.js';
import { c4RulesStep } from './c4.js';
import { ccnetLineDedupStep } from './ccnet/line-dedup.js';

export const filterSteps: StepDef[] = [textLengthStep, normalizeTextStep, c4RulesStep, ccnetLineDedupStep] as StepDef[];
