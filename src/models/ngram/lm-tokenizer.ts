/**
 * How text becomes the tokens an n-gram language model counts and scores. cc_net scores the
 * pieces of a SentencePiece model (`en.sp.model`); corpusmill uses the project's tokenizer, chosen
 * by name, so `corpusmill lm train` and the `perplexity` step always agree (the model file records
 * the name and the step refuses a mismatch).
 *
 * Available: `whitespace` (split on whitespace) and every project tokenizer by name (`llama2`,
 * the LLaMA SentencePiece model, as cc_net scored SentencePiece pieces; also `cl100k_base`, ...):
 * a document's token ids, written as decimal strings, are the LM's words (an n-gram model only
 * needs token identity). Adding another tokenizer is one line in LM_TOKENIZERS.
 */
import { ConfigError } from '../../core/errors.js';
import { loadTokenizer, TOKENIZER_NAMES } from '../../tokenize/tokenizer.js';

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

/** A project tokenizer (src/tokenize) as an LmTokenizer: token ids, without BOS/EOS, as words. */
async function projectTokenizer(name: string): Promise<LmTokenizer> {
  const tok = await loadTokenizer(name);
  return { name, tokenize: (text) => (text.length ? tok.encode(text, { bos: false, threads: 1 }).map(String) : []) };
}

const LM_TOKENIZERS: Readonly<Record<string, () => Promise<LmTokenizer>>> = {
  whitespace: async () => whitespaceTokenizer,
  ...Object.fromEntries(TOKENIZER_NAMES.map((n) => [n, () => projectTokenizer(n)])),
};

export async function lmTokenizer(name: string): Promise<LmTokenizer> {
  const make = LM_TOKENIZERS[name];
  if (!make) throw new ConfigError(`unknown LM tokenizer "${name}" (known: ${Object.keys(LM_TOKENIZERS).join(', ')})`);
  return make();
}
