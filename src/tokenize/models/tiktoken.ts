/**
 * The byte-level BPE models (`byte_bpe` in native/tokenize/byte_bpe*.cc): cl100k_base, o200k_base,
 * r50k_base and p50k_base with the ranks shipped in the `tiktoken` npm package, llama3 with the ranks
 * shipped in `llama3-tokenizer-js`, or any `.tiktoken` file. `tiktokenSpec(T)` returns the spec object
 * the native factory takes (`{kind:'byte_bpe', tiktoken, specials, pattern}`) plus name, vocabulary
 * size and BOS/EOS ids. Ranks are converted once per process and kept in memory.
 *
 * Where the ranks come from:
 * - `tiktoken/encoders/<name>.json`: `{pat_str, special_tokens, bpe_ranks}`, where `bpe_ranks` is a
 *   compact form of the .tiktoken file: lines `! <first rank> <base64 token> <base64 token> ...` with
 *   consecutive ranks (the `tiktoken` package's own parser, CoreBPEConstructor::parse_bfe, reads it so).
 * - `llama3-tokenizer-js/src/data-converted.js`: `llama_vocab_base64` = base64 of the 128,000 tokens in
 *   id order, joined by "\n", each written in GPT-2's byte-to-unicode alphabet (HF tokenizer.json
 *   vocabulary). Rank = id, as in Meta's tokenizer.model (which is a .tiktoken file).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { ConfigError } from '../../core/errors.js';
import { tokenizeNative } from '../../native/addons.js';

export type TiktokenPattern = 'cl100k_base' | 'o200k_base' | 'llama3' | 'r50k_base' | 'p50k_base';
export type TiktokenName = 'cl100k_base' | 'o200k_base' | 'llama3' | 'r50k_base' | 'p50k_base';

export interface ByteBpeSpec {
  kind: 'byte_bpe';
  /** The .tiktoken file contents: "base64(token bytes) rank" per line. */
  tiktoken: Buffer;
  /** Special tokens: text -> id (never produced from ordinary text). */
  specials: Record<string, number>;
  /** Which hand-written pre-tokenizer (native/tokenize/pretok.h) splits the text. */
  pattern: TiktokenPattern;
  name: string;
  /** Largest id + 1, specials included. */
  vocabSize: number;
  bosId: number | null;
  eosId: number | null;
  [key: string]: unknown;
}

const require = createRequire(import.meta.url);

/** cl100k_base specials (openai/tiktoken tiktoken_ext/openai_public.py; also in the npm package JSON). */
const ENDOFTEXT = '<|endoftext|>';

/**
 * Meta's LLaMA 3.1 special tokens, ids 128000..128255 (meta-llama tokenizer.py; the same list
 * llama3-tokenizer-js appends to its vocabulary).
 */
function llama3Specials(): Record<string, number> {
  const names = [
    '<|begin_of_text|>',
    '<|end_of_text|>',
    '<|reserved_special_token_0|>',
    '<|reserved_special_token_1|>',
    '<|finetune_right_pad_id|>',
    '<|reserved_special_token_2|>',
    '<|start_header_id|>',
    '<|end_header_id|>',
    '<|eom_id|>',
    '<|eot_id|>',
    '<|python_tag|>',
  ];
  for (let i = 3; i <= 247; i++) names.push(`<|reserved_special_token_${i}|>`);
  return Object.fromEntries(names.map((n, i) => [n, 128000 + i]));
}

/** Converts the `tiktoken` npm package's compact `bpe_ranks` into .tiktoken file contents. */
function compactRanksToTiktoken(bpeRanks: string): Buffer {
  const out: string[] = [];
  for (const line of bpeRanks.split('\n')) {
    if (!line) continue;
    const parts = line.split(' ');
    if (parts[0] !== '!' || parts.length < 2) throw new ConfigError('tiktoken: unexpected bpe_ranks format in the tiktoken package');
    const first = Number(parts[1]);
    for (let i = 2; i < parts.length; i++) out.push(`${parts[i]} ${first + i - 2}`);
  }
  return Buffer.from(`${out.join('\n')}\n`);
}

/** GPT-2's byte-to-unicode alphabet, inverted: the code point of each printable stand-in -> its byte. */
function unicodeToByte(): Map<number, number> {
  const printable = (b: number): boolean => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  const map = new Map<number, number>();
  let n = 0;
  for (let b = 0; b < 256; b++) map.set(printable(b) ? b : 256 + n++, b);
  return map;
}

/** The 128,000 LLaMA-3 ranks from llama3-tokenizer-js, as .tiktoken file contents. */
function llama3Tiktoken(): Buffer {
  const file = join(dirname(require.resolve('llama3-tokenizer-js')), '..', 'src', 'data-converted.js');
  const m = /const llama_vocab_base64 = "([A-Za-z0-9+/=]+)"/.exec(readFileSync(file, 'utf8'));
  if (!m) throw new ConfigError(`${file}: llama_vocab_base64 not found (unexpected llama3-tokenizer-js version?)`);
  const vocab = Buffer.from(m[1]!, 'base64').toString('utf8').split('\n');
  const toByte = unicodeToByte();
  const lines = vocab.map((token, rank) => {
    const bytes: number[] = [];
    for (const ch of token) {
      const b = toByte.get(ch.codePointAt(0)!);
      if (b === undefined) throw new ConfigError(`${file}: token ${rank} is not in GPT-2's byte alphabet`);
      bytes.push(b);
    }
    return `${Buffer.from(bytes).toString('base64')} ${rank}`;
  });
  return Buffer.from(`${lines.join('\n')}\n`);
}

function npmEncoding(name: 'cl100k_base' | 'o200k_base' | 'r50k_base' | 'p50k_base'): { tiktoken: Buffer; specials: Record<string, number> } {
  const json = JSON.parse(readFileSync(require.resolve(`tiktoken/encoders/${name}.json`), 'utf8')) as {
    bpe_ranks: string;
    special_tokens: Record<string, number>;
  };
  return { tiktoken: compactRanksToTiktoken(json.bpe_ranks), specials: json.special_tokens };
}

function finish(name: string, pattern: TiktokenPattern, tiktoken: Buffer, specials: Record<string, number>, bos: string | null, eos: string | null): ByteBpeSpec {
  let maxRank = -1;
  for (const line of tiktoken.toString('latin1').split('\n')) {
    const sp = line.lastIndexOf(' ');
    if (sp > 0) maxRank = Math.max(maxRank, Number(line.slice(sp + 1)));
  }
  const vocabSize = Math.max(maxRank, ...Object.values(specials)) + 1;
  const id = (t: string | null): number | null => (t !== null && specials[t] !== undefined ? specials[t]! : null);
  return { kind: 'byte_bpe', tiktoken, specials, pattern, name, vocabSize, bosId: id(bos), eosId: id(eos) };
}

/** Which pre-tokenizer a .tiktoken file needs, from its name or its number of ranks. */
function guessFile(path: string, ranks: number): { pattern: TiktokenPattern; specials: Record<string, number>; bos: string | null; eos: string | null } {
  const base = basename(path).toLowerCase();
  const l3 = { pattern: 'llama3' as const, specials: llama3Specials(), bos: '<|begin_of_text|>', eos: '<|end_of_text|>' };
  const named = (n: 'cl100k_base' | 'o200k_base' | 'r50k_base' | 'p50k_base') => {
    const json = JSON.parse(readFileSync(require.resolve(`tiktoken/encoders/${n}.json`), 'utf8')) as { special_tokens: Record<string, number> };
    return { pattern: n, specials: json.special_tokens, bos: null, eos: ENDOFTEXT };
  };
  if (base.includes('o200k')) return named('o200k_base');
  if (base.includes('cl100k')) return named('cl100k_base');
  if (base.includes('p50k')) return named('p50k_base');
  if (base.includes('r50k') || base.includes('gpt2')) return named('r50k_base');
  if (base.includes('llama')) return l3;
  if (ranks === 100256) return named('cl100k_base');
  if (ranks === 199998) return named('o200k_base');
  if (ranks === 128000) return l3;
  if (ranks === 50256 || ranks === 50280) return named(ranks === 50256 ? 'r50k_base' : 'p50k_base');
  return { pattern: 'cl100k_base', specials: {}, bos: null, eos: null };
}

const cache = new Map<string, ByteBpeSpec>();

/**
 * The spec of a named byte-level BPE model, or of a `.tiktoken` file (by path). For a file the
 * pre-tokenizer and special tokens follow its name (`*o200k*`, `*cl100k*`, `*llama*`, ...) or its
 * number of ranks; anything else gets the cl100k pattern and no special tokens, unless `opts` says.
 */
export function tiktokenSpec(nameOrPath: TiktokenName | string, opts: { pattern?: TiktokenPattern; specials?: Record<string, number> } = {}): ByteBpeSpec {
  const key = `${nameOrPath}\0${opts.pattern ?? ''}\0${JSON.stringify(opts.specials ?? null)}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let spec: ByteBpeSpec;
  switch (nameOrPath) {
    case 'cl100k_base':
    case 'o200k_base':
    case 'r50k_base':
    case 'p50k_base': {
      const { tiktoken, specials } = npmEncoding(nameOrPath);
      spec = finish(nameOrPath, opts.pattern ?? nameOrPath, tiktoken, opts.specials ?? specials, null, ENDOFTEXT);
      break;
    }
    case 'llama3':
      spec = finish('llama3', opts.pattern ?? 'llama3', llama3Tiktoken(), opts.specials ?? llama3Specials(), '<|begin_of_text|>', '<|end_of_text|>');
      break;
    default: {
      let tiktoken: Buffer;
      try {
        tiktoken = readFileSync(nameOrPath);
      } catch (err) {
        throw new ConfigError(`tokenizer ${nameOrPath}: cannot read the .tiktoken file (${(err as Error).message})`);
      }
      const ranks = tiktoken
        .toString('latin1')
        .split('\n')
        .filter((l) => l.trim()).length;
      const g = guessFile(nameOrPath, ranks);
      spec = finish(basename(nameOrPath), opts.pattern ?? g.pattern, tiktoken, opts.specials ?? g.specials, g.bos, g.eos);
    }
  }
  cache.set(key, spec);
  return spec;
}

/** A model created by the addon's direct byte_bpe exports (native/tokenize/byte_bpe_napi.cc). */
export type ByteBpeHandle = object & { readonly __byteBpe: unique symbol };

/**
 * The addon's direct byte_bpe exports: one document per call on the calling thread, for tests,
 * benchmarks and debugging (corpus-scale work goes through the batch engine).
 */
export interface ByteBpeNative {
  byteBpeCreate(spec: ByteBpeSpec): ByteBpeHandle;
  /** Ordinary text: special-token text is encoded as text; no BOS/EOS. */
  byteBpeEncode(h: ByteBpeHandle, utf8: Uint8Array): Uint32Array;
  /** How many ids byteBpeEncode gives (the ids are not handed to JavaScript). */
  byteBpeCount(h: ByteBpeHandle, utf8: Uint8Array): number;
  /** Allowed special tokens (default: all of the model's) become their ids. */
  byteBpeEncodeWithSpecials(h: ByteBpeHandle, utf8: Uint8Array, allowed?: string[]): Uint32Array;
  byteBpeDecode(h: ByteBpeHandle, ids: Uint32Array): Buffer;
  /** Byte offsets where the pre-tokenizer's pieces end. */
  byteBpeSplit(h: ByteBpeHandle, utf8: Uint8Array): Uint32Array;
  byteBpeInfo(h: ByteBpeHandle): { vocabSize: number; ranks: number; pattern: string };
  /** Class bits of code points in the pre-tokenizer's tables (1 L, 2 N, 4 \s, 8 M, 16 o200k upper, 32 o200k lower). */
  unicodeClassFlags(cps: Uint32Array): Uint8Array;
}

export function byteBpeNative(): ByteBpeNative {
  return tokenizeNative<ByteBpeNative>();
}
