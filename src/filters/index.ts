/** Filter and transform steps (`steps: [{step: <name>, ...}]`). */
import type { StepDef } from '../pipeline/step.js';
import { textLengthStep } from './text-length.js';
import { normalizeTextStep } from './normalize-text.js';
import { languageIdStep } from './ccnet/language-id.js';
import { perplexityStep } from './ccnet/perplexity.js';
import { wikirefClassifierStep } from './ccnet/wikiref.js';
import { c4RulesStep } from './c4.js';
import { ccnetLineDedupStep } from './ccnet/line-dedup.js';
import { qualitySignalsStep } from './signals/step.js';
import { qualityFilterStep } from './rules/step.js';
import { githubFiltersStep } from '../sources/github/filters.js';
import { stackexchangeGroupStep } from '../sources/stackexchange/group.js';

export const filterSteps: StepDef[] = [textLengthStep, normalizeTextStep, qualitySignalsStep, qualityFilterStep, githubFiltersStep, c4RulesStep, ccnetLineDedupStep, stackexchangeGroupStep, languageIdStep, perplexityStep, wikirefClassifierStep] as StepDef[];
