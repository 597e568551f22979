/**
 * Named tokenizers and the Tokenizer facade over the native batch engine.
 *
 * `loadTokenizer(T)`: T is a name (`llama2`, `cl100k_base`, `o200k_base`, `llama3`) or a path to a
 * `tokenizer.model`, `tokenizer.json` or `.tiktoken` file. The facade validates inputs, packs documents
 * into one buffer + offsets and makes ONE native call per batch (never per document or per token).
 *
 * BOS/EOS: LLaMA models prepend BOS by default (as Meta's and HF's LLaMA tokenizers do) and append EOS
 * only when asked; cl100k/o200k have no BOS and append `<|endoftext|>` only when asked.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, resolve } from 'node:path';
import { ConfigError } from '../core/errors.js';
import { addon, type BatchResult, type EncoderSpec, type NativeHandle, type SpmModelInfo } from './native.js';
import { llama2Spec } from './models/llama2.js';
import { hfTokenizerJsonSpec, spmModelSpec } from './models/spm-files.js';

export interface TokenizerInfo {
  /** The name given (`llama2`) or the file's base name. */
  name: string;
  /** sha256 over the model data, so a manifest pins the exact vocabulary. */
  hash: string;
  vocabSize: number;
  bosId: number | null;
  eosId: number | null;
  /** Whether BOS is prepended unless the caller says otherwise. */
  defaultBos: boolean;
  /**
   * Special tokens by their text (`<|eot_id|>` -> 128009; `<s>`/`</s>` for SentencePiece models).
   * Text that looks like one is still encoded as text: only templates place these ids, by name.
   */
  specials: Readonly<Record<string, number>>;
}

export interface EncodeOptions {
  /** Prepend BOS (default: the tokenizer's default). */
  bos?: boolean;
  /** Append EOS (default false). */
  eos?: boolean;
  /** Worker threads (default: all cores). */
  threads?: number;
  /**
   * Documents longer than twice this many bytes are encoded in parts of about this size, cut where the
   * ids of the parts are exactly those of the whole (default 64 KiB), so one long document is not one
   * thread's work. Output never depends on it; tests lower it to exercise the cuts.
   */
  partBytes?: number;
}

/** A batch of documents as one UTF-8 buffer and n+1 byte offsets. */
export interface PackedBatch {
  text: Uint8Array;
  offsets: Float64Array;
}

export const TOKENIZER_NAMES = ['llama2', 'cl100k_base', 'o200k_base', 'llama3'] as const;
const TIKTOKEN_NAMES = new Set(['cl100k_base', 'o200k_base', 'llama3']);

/** Packs documents (strings or UTF-8 bytes) into one buffer; lone surrogates become U+FFFD. */
export function packDocuments(docs: ReadonlyArray<string | Uint8Array>): PackedBatch {
  let cap = 0;
  for (const d of docs) cap += typeof d === 'string' ? d.length * 3 : d.length;
  const text = new Uint8Array(cap);
  const offsets = new Float64Array(docs.length + 1);
  const enc = new TextEncoder();
  let pos = 0;
  docs.forEach((d, i) => {
    if (typeof d === 'string') pos += enc.encodeInto(d, text.subarray(pos)).written;
    else {
      text.set(d, pos);
      pos += d.length;
    }
    offsets[i + 1] = pos;
  });
  return { text: text.subarray(0, pos), offsets };
}

export class Tokenizer {
  private constructor(
    readonly info: TokenizerInfo,
    private readonly handle: NativeHandle,
  ) {}

  static fromSpec(spec: EncoderSpec, info: Omit<TokenizerInfo, 'vocabSize'>): Tokenizer {
    let handle: NativeHandle;
    try {
      handle = addon().createTokenizer(spec);
    } catch (err) {
      throw new ConfigError(`tokenizer ${info.name}: ${(err as Error).message}`);
    }
    return new Tokenizer({ ...info, vocabSize: addon().tokenizerVocabSize(handle) }, handle);
  }

  /** Bytes per id in shards: 2 when every id fits in uint16 (Megatron's rule: vocab < 65,500), else 4. */
  get idBytes(): 2 | 4 {
    return this.info.vocabSize < 65500 ? 2 : 4;
  }

  private native(opts: EncodeOptions, countOnly: boolean, idBytes: 2 | 4 = 4) {
    const bos = opts.bos ?? this.info.defaultBos;
    if (bos && this.info.bosId === null) throw new ConfigError(`tokenizer ${this.info.name} has no BOS token`);
    if (opts.eos && this.info.eosId === null) throw new ConfigError(`tokenizer ${this.info.name} has no EOS token`);
    return {
      bosId: bos ? this.info.bosId! : -1,
      eosId: opts.eos ? this.info.eosId! : -1,
      threads: Math.max(1, opts.threads ?? availableParallelism()),
      countOnly,
      idBytes,
      ...(opts.partBytes !== undefined ? { partBytes: opts.partBytes } : {}),
    };
  }

  /** Encodes a batch off the JS thread; ids are uint32 unless `idBytes` is 2. */
  encodeBatch(batch: PackedBatch, opts: EncodeOptions = {}, idBytes: 2 | 4 = 4): Promise<BatchResult> {
    return addon().encodeBatch(this.handle, batch.text, batch.offsets, this.native(opts, false, idBytes));
  }

  /** Counts tokens per document without keeping ids. */
  countBatch(batch: PackedBatch, opts: EncodeOptions = {}): Promise<BatchResult> {
    return addon().encodeBatch(this.handle, batch.text, batch.offsets, this.native(opts, true));
  }

  /** One document, synchronously (small inputs: the `encode` command, tests). */
  encode(text: string | Uint8Array, opts: EncodeOptions = {}): number[] {
    const b = packDocuments([text]);
    const r = addon().encodeBatchSync(this.handle, b.text, b.offsets, this.native({ threads: 1, ...opts }, false));
    return Array.from(r.ids!);
  }

  /**
   * Many documents, synchronously: one Uint32Array per document, views into one buffer (no copy per
   * document; converting to JS arrays cost 25-40% of the encoding time).
   */
  encodeMany(docs: ReadonlyArray<string | Uint8Array>, opts: EncodeOptions = {}): Uint32Array[] {
    const b = packDocuments(docs);
    const r = addon().encodeBatchSync(this.handle, b.text, b.offsets, this.native(opts, false));
    const ids = r.ids as Uint32Array;
    return docs.map((_, i) => ids.subarray(r.tokenOffsets[i]!, r.tokenOffsets[i + 1]!));
  }

  /** The bytes of `ids` (special tokens dropped, LLaMA's dummy-prefix space removed). */
  decodeBytes(ids: ArrayLike<number>): Buffer {
    const u32 = ids instanceof Uint32Array ? ids : Uint32Array.from(ids as ArrayLike<number>);
    for (const id of u32) if (id >= this.info.vocabSize) throw new ConfigError(`token id ${id} is outside the vocabulary (${this.info.vocabSize})`);
    return addon().decodeIds(this.handle, u32);
  }

  decode(ids: ArrayLike<number>): string {
    return this.decodeBytes(ids).toString('utf8');
  }
}

function sha256(...parts: Array<string | Uint8Array>): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

function specHash(spec: EncoderSpec): string {
  const parts: Array<string | Uint8Array> = [spec.kind];
  for (const [k, v] of Object.entries(spec).sort(([a], [b]) => (a < b ? -1 : 1))) {
    parts.push(k);
    if (v instanceof Uint8Array) parts.push(v);
    else if (v instanceof Uint32Array) parts.push(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    else parts.push(JSON.stringify(v));
  }
  return sha256(...parts);
}

function spmTokenizer(name: string, spec: EncoderSpec): Tokenizer {
  let info: SpmModelInfo;
  try {
    info = addon().spmModelInfo(spec);
  } catch (err) {
    throw new ConfigError(`tokenizer ${name}: ${(err as Error).message}`);
  }
  const bosId = info.bosId >= 0 ? info.bosId : null;
  const eosId = info.eosId >= 0 ? info.eosId : null;
  // SentencePiece's default control pieces (spm_model.cc reads only their ids): <s> and </s>
  const specials: Record<string, number> = {};
  if (bosId !== null) specials['<s>'] = bosId;
  if (eosId !== null) specials['</s>'] = eosId;
  return Tokenizer.fromSpec(spec, { name, hash: specHash(spec), bosId, eosId, defaultBos: bosId !== null, specials });
}

/** The byte_bpe spec provided by src/tokenize/models/tiktoken.ts (the tiktoken-family models). */
async function tiktokenTokenizer(nameOrPath: string): Promise<Tokenizer> {
  // The module lands with the byte_bpe model; resolved at run time so this file builds without it.
  const modulePath = './models/tiktoken.js';
  let mod: { tiktokenSpec(name: string): EncoderSpec | Promise<EncoderSpec> };
  try {
    mod = (await import(modulePath)) as typeof mod;
  } catch (err) {
    throw new ConfigError(
      `tokenizer ${nameOrPath}: the byte-level BPE models (cl100k_base, o200k_base, llama3, .tiktoken) are not built into this version (${(err as Error).message})`,
    );
  }
  const spec = await mod.tiktokenSpec(nameOrPath);
  const specials = (spec.specials ?? {}) as Record<string, number>;
  const bosId = specials['<|begin_of_text|>'] ?? null;
  const eosId = specials['<|end_of_text|>'] ?? specials['<|endoftext|>'] ?? null;
  const name = TIKTOKEN_NAMES.has(nameOrPath) ? nameOrPath : basename(nameOrPath);
  return Tokenizer.fromSpec(spec, { name, hash: specHash(spec), bosId, eosId, defaultBos: bosId !== null, specials: { ...specials } });
}

const loaded = new Map<string, Promise<Tokenizer>>();

/** Resolves a tokenizer name or model path; models are compiled once per process. */
export function loadTokenizer(nameOrPath: string): Promise<Tokenizer> {
  const key = TOKENIZER_NAMES.includes(nameOrPath as (typeof TOKENIZER_NAMES)[number]) ? nameOrPath : resolve(nameOrPath);
  let p = loaded.get(key);
  if (!p) {
    p = resolveTokenizer(nameOrPath);
    loaded.set(key, p);
    p.catch(() => loaded.delete(key));
  }
  return p;
}

async function resolveTokenizer(t: string): Promise<Tokenizer> {
  if (t === 'llama2') return spmTokenizer('llama2', llama2Spec());
  if (TIKTOKEN_NAMES.has(t)) return tiktokenTokenizer(t);
  if (!existsSync(t)) throw new ConfigError(`unknown tokenizer "${t}": use one of ${TOKENIZER_NAMES.join(', ')} or a path to tokenizer.model, tokenizer.json or a .tiktoken file`);
  if (t.endsWith('.json')) return spmTokenizer(basename(t), hfTokenizerJsonSpec(t));
  if (t.endsWith('.tiktoken')) return tiktokenTokenizer(t);
  return spmTokenizer(basename(t), spmModelSpec(t));
}
