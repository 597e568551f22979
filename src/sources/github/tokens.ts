/**
 * The token count behind RedPajama's "alphabetic characters per token >= 1.5" GitHub rule.
 *
 * RedPajama counted with the GPT-NeoX BPE (`AutoTokenizer("EleutherAI/pythia-6.9b-deduped")`);
 * LLaMA's corpus is tokenized with the LLaMA SentencePiece model, which the project's tokenizer
 * (src/tokenize) provides. Until it is wired here, `pretokenCount` stands in: it counts GPT-2 /
 * NeoX pre-tokenizer pieces (a run of letters, a run of digits, or a run of other symbols, each
 * taking one leading space; whitespace that no piece takes is its own piece). A BPE never gives
 * fewer tokens than pre-tokens, so the stand-in errs towards keeping files.
 *
 * Switching to the project tokenizer is one line in `defaultTokenCounter` below.
 */

/** Counts the tokens of a text. */
export type TokenCounter = (text: string) => number;

const SPACE = 0;
const LETTER = 1;
const DIGIT = 2;
const OTHER = 3;
const ASCII_KIND = new Uint8Array(128).fill(OTHER);
for (let c = 0; c < 128; c++) {
  if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) ASCII_KIND[c] = LETTER;
  else if (c >= 48 && c <= 57) ASCII_KIND[c] = DIGIT;
  else if (c === 32 || (c >= 9 && c <= 13)) ASCII_KIND[c] = SPACE;
}
const U_LETTER = /\p{L}/u;
const U_DIGIT = /\p{N}/u;
const U_SPACE = /\s/u;

function kindOf(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c < 128) return ASCII_KIND[c]!;
  const ch = text[i]!;
  if (U_LETTER.test(ch)) return LETTER;
  if (U_DIGIT.test(ch)) return DIGIT;
  if (U_SPACE.test(ch)) return SPACE;
  return OTHER;
}

/** GPT-2-style pre-token count (see the module comment). */
export function pretokenCount(text: string): number {
  let count = 0;
  let prev = -1;
  let spaceRun = 0;
  let lastSpaceIsBlank = false;
  for (let i = 0; i < text.length; i++) {
    const k = kindOf(text, i);
    if (k === SPACE) {
      spaceRun++;
      lastSpaceIsBlank = text.charCodeAt(i) === 32;
      prev = SPACE;
      continue;
    }
    if (spaceRun > 0) {
      // The last blank of a run joins the next piece; the rest of the run is one piece.
      const rest = lastSpaceIsBlank ? spaceRun - 1 : spaceRun;
      if (rest > 0) count++;
      spaceRun = 0;
      count++;
    } else if (k !== prev) count++;
    prev = k;
  }
  if (spaceRun > 0) count++;
  return count;
}

/** The counter `github_filters` uses unless told otherwise. */
export function defaultTokenCounter(): TokenCounter {
  // Switch to the LLaMA tokenizer once src/tokenize exports a counter, e.g.:
  //   return llamaTokenCounter();
  return pretokenCount;
}
