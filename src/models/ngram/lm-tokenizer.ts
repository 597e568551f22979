/**
 * How text becomes the tokens an n-gram language model counts and scores. cc_net scores the
 * pieces of a SentencePiece model (`en.sp.model`); corpusmill uses the project's tokenizer, chosen
 * by name, so `corpusmill lm train` and the `perplexity` step always agree (the model file records
 * the name and the step refuses a mismatch).
 *
 * Available now: `whitespace` (split on whitespace, a stand-in). The llama2 SentencePiece
 * tokenizer lives on the tokenizer branch; when it is merged, its pieces plug in with one line in
 * LM_TOKENIZERS below (for example `llama2: () => llama2Pieces()`, where llama2Pieces wraps the
 * SentencePiece encoder's piece output in this interface).
 */
import { ConfigError } from '../../core/errors.js';

export interface LmTokenizer {
  readonly name: string;
  /** The tokens of one (already normalised) line; none contains whitespace. */
  tokenize(text: string): string[];
}

const WHITESPACE = /\s+/u;

export const whitespaceTokenizer: LmTokenizer = {
  name: 'whitespace',
  tokenize(text) {
    const out = text.split(WHITESPACE);
    if (out.length > 0 && out[0] === '') out.shift();
    if (out.length > 0 && out[out.length - 1] === '') out.pop();
    return out;
  },
};

export const LM_TOKENIZERS: Readonly<Record<string, () => LmTokenizer>> = {
  whitespace: () => whitespaceTokenizer,
};

export function lmTokenizer(name: string): LmTokenizer {
  const make = LM_TOKENIZERS[name];
  if (!make) throw new ConfigError(`unknown LM tokenizer "${name}" (known: ${Object.keys(LM_TOKENIZERS).join(', ')})`);
  return make();
}
