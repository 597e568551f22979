/**
 * The Wikipedia-reference quality classifier (LLaMA §2.1; RedPajama rp_v1 data_prep/cc/classifier/
 * classify.py and filter/cc_classifier.sh): a fastText model scores how much a page looks like
 * the pages Wikipedia cites; `meta.wiki_prob` gets the score and pages below 0.25 are dropped.
 *
 * classify.py takes fastText's top-1 label and probability p on `" ".join(text.strip().splitlines())`
 * and sets wiki_prob = p for the `wiki` label, else 1 - p. fastText's p is exp(log(p_softmax + 1e-5)),
 * so wiki_prob carries that 1e-5; kept, since RedPajama's 0.25 threshold was applied to it.
 * The model is RedPajama's published wikiref model (any fastText supervised .bin) or one trained by
 * `corpusmill classifier train`.
 */
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import { defineStep, filterStep, lazyStep } from '../../pipeline/step.js';
import { FastTextClassifier } from '../../models/fasttext.js';
import { classifierInput, POSITIVE_LABEL } from '../../models/wikiref/corpus.js';

/** RedPajama filter/cc_classifier.sh: `select(.wiki_prob >= 0.25)`. */
const WIKI_PROB_THRESHOLD = 0.25;

const params = z
  .object({
    model: z.string(),
    positive_label: z.string().default(POSITIVE_LABEL),
    threshold: z.number().min(0).max(1).default(WIKI_PROB_THRESHOLD),
  })
  .strict();

/** RedPajama classify.py: the probability of the positive label from the top-1 prediction. */
export function wikiProb(model: FastTextClassifier, text: string, positiveLabel: string): number {
  const [top] = model.predict(classifierInput(text), 1);
  if (!top) return 0;
  return top.label === positiveLabel ? top.prob : 1 - top.prob;
}

export const wikirefClassifierStep = defineStep({
  name: 'wikiref_classifier',
  description: 'Wikipedia-reference fastText classifier: meta.wiki_prob, keep >= 0.25',
  params,
  create(p, env) {
    return lazyStep(() => {
      const model = FastTextClassifier.load(isAbsolute(p.model) ? p.model : resolve(env.pipelineDir, p.model));
      if (!model.labels.includes(p.positive_label)) {
        throw new ConfigError(`${p.model} has no label "${p.positive_label}" (labels: ${model.labels.join(', ')})`);
      }
      return filterStep((doc) => {
        const prob = wikiProb(model, doc.text, p.positive_label);
        doc.meta.wiki_prob = prob;
        return prob >= p.threshold ? null : 'wiki_prob_below_threshold';
      });
    });
  },
});
