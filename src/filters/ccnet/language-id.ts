/**
 * CCNet's language id (cc_net/split_by_lang.py `Classifier` with `lid.176.bin`, then `keep_lang`):
 * the top fastText label and its score go into `meta.language` / `meta.language_score`; a document
 * whose score is below the threshold, or whose language is not in the kept set, is dropped.
 */
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { defineStep, filterStep, lazyStep } from '../../pipeline/step.js';
import { bundledLidModelPath, FastTextClassifier } from '../../models/fasttext.js';
import { numpyRound } from '../../core/rounding.js';

/** cc_net mine.py Config: `lang_threshold = 0.5`. */
const CCNET_LANG_THRESHOLD = 0.5;
/** cc_net split_by_lang.Classifier: `rounding = 2` (scores are rounded BEFORE the threshold test). */
const CCNET_SCORE_DECIMALS = 2;

const params = z
  .object({
    /** A fastText language-id model (.bin or .ftz); default: lid.176.ftz from fasttext.wasm.js. */
    model: z.string().optional(),
    threshold: z.number().min(0).max(1).default(CCNET_LANG_THRESHOLD),
    /** Languages to keep (ISO codes as lid.176 labels them); LLaMA's CommonCrawl kept only `en`. */
    languages: z.array(z.string()).optional(),
    /**
     * QUIRK (cc_net): lines are joined with NO separator before prediction
     * (`raw_content.replace("\n", "")`), gluing the last word of a line to the first of the next.
     * Decision: keep '' by default for parity with cc_net's scores; set ' ' to fix it.
     */
    join_lines_with: z.string().default(''),
    rounding: z.number().int().min(0).max(8).default(CCNET_SCORE_DECIMALS),
  })
  .strict();

type LanguageIdParams = z.infer<typeof params>;

/** The text cc_net gives fastText: newlines removed (or replaced by `joinWith`). */
export function lidInput(text: string, joinWith: string): string {
  return text.split('\n').join(joinWith);
}

export interface LanguageGuess {
  language: string;
  score: number;
}

/** Top-1 language with cc_net's rounding (numpy `scores.round(2)`). */
function identifyLanguage(model: FastTextClassifier, text: string, p: Pick<LanguageIdParams, 'join_lines_with' | 'rounding'>): LanguageGuess | null {
  const [top] = model.predict(lidInput(text, p.join_lines_with), 1);
  if (!top) return null;
  return { language: top.label, score: numpyRound(top.prob, p.rounding) };
}

export const languageIdStep = defineStep({
  name: 'language_id',
  description: 'fastText language id (lid.176), CCNet threshold 0.5, language and score into meta',
  params,
  create(p, env) {
    const path = p.model === undefined ? bundledLidModelPath() : isAbsolute(p.model) ? p.model : resolve(env.pipelineDir, p.model);
    const keep = p.languages ? new Set(p.languages) : null;
    return lazyStep(() => {
      const model = FastTextClassifier.load(path);
      return filterStep((doc) => {
        // cc_net: `if not text: return None`.
        if (doc.text.length === 0) return 'empty_text';
        const guess = identifyLanguage(model, doc.text, p);
        if (!guess || guess.score < p.threshold) return 'language_score_below_threshold';
        doc.meta.language = guess.language;
        doc.meta.language_score = guess.score;
        if (keep && !keep.has(guess.language)) return 'language_not_kept';
        return null;
      });
    });
  },
});
