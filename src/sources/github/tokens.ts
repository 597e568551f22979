/**
 * The token count behind RedPajama's "alphabetic characters per token >= 1.5" GitHub rule.
 *
 * RedPajama counted with the GPT-NeoX BPE (`AutoTokenizer("EleutherAI/pythia-6.9b-deduped")`);
 * LLaMA's corpus is tokenized with the LLaMA SentencePiece model, which the project's tokenizer
 * (src/tokenize) provides (`tokenizer: llama2`). The default, `pretokenCount`, counts GPT-2 /
 * NeoX pre-tokenizer pieces (a run of letters, a run of digits, or a run of other symbols, each
 * taking one leading space; whitespace that no piece takes is its own piece). A BPE never gives
 * fewer tokens than pre-tokens, so the stand-in errs towards keeping files.
 *
 */

import { loadTokenizer } from '../../tokenize/tokenizer.js';
import { lineStats } from './stats.js';

/** Counts the tokens of a text. */
export type TokenCounter = (text: string) => number;

/** GPT-2-style pre-token count (see the module comment); computed by the statistics pass. */
export function pretokenCount(text: string): number {
  return lineStats(text).pretokens;
}

/** The LLaMA tokenizer's count, for `github_filters` with `tokenizer: llama2` (loaded once per worker). */
export async function defaultTokenCounter(): Promise<TokenCounter> {
  const tok = await loadTokenizer('llama2');
  return (text) => tok.encode(text, { bos: false }).length;
}
