/**
 * The reference tokenizers the byte_bpe parity tests compare against, and corpusmill's own models:
 * - cl100k_base, o200k_base, r50k_base, p50k_base: the `tiktoken` npm package (tiktoken's Rust core and
 *   fancy-regex compiled to WASM), encode_ordinary / encode with allowed specials.
 * - llama3: Meta's reference semantics = tiktoken with LLaMA-3's ranks and pat_str (meta-llama/llama3
 *   llama/tokenizer.py), run by the same WASM build; and llama3-tokenizer-js (HF merges, JS RegExp).
 */
import { Tiktoken, get_encoding } from 'tiktoken';
import llama3Tokenizer from 'llama3-tokenizer-js';
import { byteBpeNative, tiktokenSpec, type ByteBpeHandle, type TiktokenName } from '../../src/tokenize/models/tiktoken.js';

/** Meta LLaMA-3's pat_str (meta-llama/llama3 llama/tokenizer.py), the regex its tiktoken encoder runs. */
export const LLAMA3_PAT_STR = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

export const native = byteBpeNative();

const models = new Map<string, ByteBpeHandle>();
export function model(name: TiktokenName): ByteBpeHandle {
  let h = models.get(name);
  if (!h) {
    h = native.byteBpeCreate(tiktokenSpec(name));
    models.set(name, h);
  }
  return h;
}

const refs = new Map<string, Tiktoken>();
/** The tiktoken (WASM) reference for a model name. */
export function reference(name: TiktokenName): Tiktoken {
  let r = refs.get(name);
  if (!r) {
    if (name === 'llama3') {
      const spec = tiktokenSpec('llama3');
      r = new Tiktoken(spec.tiktoken.toString('latin1'), spec.specials, LLAMA3_PAT_STR);
    } else {
      r = get_encoding(name);
    }
    refs.set(name, r);
  }
  return r;
}

export function encode(name: TiktokenName, text: string | Uint8Array): number[] {
  return [...native.byteBpeEncode(model(name), typeof text === 'string' ? Buffer.from(text) : text)];
}

export function referenceEncode(name: TiktokenName, text: string): number[] {
  return [...reference(name).encode_ordinary(text)];
}

export function llama3JsEncode(text: string): number[] {
  return llama3Tokenizer.encode(text, { bos: false, eos: false });
}

export function decode(name: TiktokenName, ids: number[]): string {
  return native.byteBpeDecode(model(name), Uint32Array.from(ids)).toString('utf8');
}

/** First index where two id sequences differ, with a few ids of context, or null when equal. */
export function firstDifference(a: number[], b: ArrayLike<number>): string | null {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) {
      return `at id ${i}: corpusmill [${a.slice(Math.max(0, i - 2), i + 4).join(',')}] vs reference [${Array.from(b)
        .slice(Math.max(0, i - 2), i + 4)
        .join(',')}] (${a.length} vs ${b.length} ids)`;
    }
  }
  return null;
}
