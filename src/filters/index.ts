/** Filter and transform steps (`steps: [{step: <name>, ...}]`): add a filter here in one line. */
import { c4RulesStep } from './c4.js';
import { languageIdStep } from './ccnet/language-id.js';
import { ccnetLineDedupStep } from './ccnet/line-dedup.js';
import { perplexityStep } from './ccnet/perplexity.js';
import { wikirefClassifierStep } from './ccnet/wikiref.js';
import { normalizeTextStep } from './normalize-text.js';
import { piiStepDef } from './pii.js';
import { qualityClassifierStepDef } from './quality-classifier.js';
import { qualityFilterStep } from './rules/step.js';
import { qualitySignalsStep } from './signals/step.js';
import { textLengthStep } from './text-length.js';
import { urlFilterStepDef } from './url-filter.js';

export const steps = [
  textLengthStep,
  normalizeTextStep,
  qualitySignalsStep,
  qualityFilterStep,
  c4RulesStep,
  ccnetLineDedupStep,
  languageIdStep,
  perplexityStep,
  wikirefClassifierStep,
  piiStepDef,
  urlFilterStepDef,
  qualityClassifierStepDef,
];
