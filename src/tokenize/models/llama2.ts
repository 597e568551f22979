/**
 * The LLaMA-1/2 vocabulary as shipped in the `llama-tokenizer-js` npm package (MIT): the 32,000 pieces
 * in id order (base64 of the pieces joined by "\n") and HF's 61,249 merges (base64 of little-endian
 * uint16 id pairs, best first). We read the two constants from the package file instead of running its
 * tokenizer, and hand them to the native `spm_bpe` model with HF merge semantics (equal to
 * SentencePiece's score order for LLaMA, see native/tokenize/spm_bpe.cc).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ConfigError } from '../../core/errors.js';
import type { EncoderSpec } from '../native.js';

export interface PieceMergeData {
  pieces: string[];
  /** Pairs of ids (a0, b0, a1, b1, …), best merge first. */
  merges: Uint32Array;
}

function constant(source: string, name: string, file: string): string {
  const m = new RegExp(`const ${name} = "([A-Za-z0-9+/=]+)"`).exec(source);
  if (!m) throw new ConfigError(`${file}: constant ${name} not found (unexpected llama-tokenizer-js version?)`);
  return m[1]!;
}

let cached: PieceMergeData | undefined;

export function llamaTokenizerJsData(): PieceMergeData {
  if (cached) return cached;
  const file = createRequire(import.meta.url).resolve('llama-tokenizer-js');
  const source = readFileSync(file, 'utf8');
  const pieces = Buffer.from(constant(source, 'llama_vocab_base64', file), 'base64')
    .toString('utf8')
    .split('\n');
  const bin = Buffer.from(constant(source, 'llama_merges_binary', file), 'base64');
  const merges = new Uint32Array(bin.length >> 1);
  for (let i = 0; i < merges.length; i++) merges[i] = bin.readUInt16LE(i * 2);
  cached = { pieces, merges };
  return cached;
}

export function llama2Spec(): EncoderSpec {
  const { pieces, merges } = llamaTokenizerJsData();
  return { kind: 'spm_bpe', pieces, merges, unkPiece: '<unk>', controlPieces: ['<s>', '</s>'], byteFallback: true, addDummyPrefix: true };
}
