/** Filter and transform steps (`steps: [{step: <name>, ...}]`). */
import type { StepDef } from '../pipeline/step.js';
import { textLengthStep } from './text-length.js';
import { normalizeTextStep } from './normalize-text.js';
import { c4RulesStep } from './c4.js';
import { ccnetLineDedupStep } from './ccnet/line-dedup.js';
import { qualitySignalsStep } from './signals/step.js';
import { qualityFilterStep } from './rules/step.js';
import { githubFiltersStep } from '../sources/github/filters.js';
import { stackexchangeGroupStep } from '../sources/stackexchange/group.js';

export const filterSteps: StepDef[] = [textLengthStep, normalizeTextStep, qualitySignalsStep, qualityFilterStep, githubFiltersStep, c4RulesStep, ccnetLineDedupStep, stackexchangeGroupStep] as StepDef[];
