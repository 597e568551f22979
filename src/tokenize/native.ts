/**
 * Typed view of the `corpusmill_tokenize` addon's batch engine (native/tokenize/tokenizer_napi.cc) and
 * the SentencePiece model probe (native/tokenize/spm_bpe.cc). Nothing else in TypeScript calls the addon.
 */
import { tokenizeNative } from '../native/addons.js';

/** What `createTokenizer` accepts: `{kind, ...}`, the kind picking a model registered in C++ (encoder.h). */
export type EncoderSpec = { kind: string } & Record<string, unknown>;

export interface BatchOptions {
  bosId?: number;
  eosId?: number;
  threads?: number;
  countOnly?: boolean;
  idBytes?: 2 | 4;
  /** Documents longer than twice this many bytes are cut into parts of about this size at exact cut points (default 64 KiB). */
  partBytes?: number;
}

export interface BatchResult {
  ids?: Uint16Array | Uint32Array;
  /** n+1 offsets into `ids` (token counts per document are the differences). */
  tokenOffsets: Float64Array;
  total: number;
  /** Documents and parts of long documents encoded separately (their ids are concatenated). */
  parts: number;
}

export interface SpmModelInfo {
  vocabSize: number;
  unkId: number;
  bosId: number;
  eosId: number;
  byteFallback: boolean;
  addDummyPrefix: boolean;
  /** Whether the exact chunking invariant holds (else whole-document BPE, slower but still exact). */
  chunkable: boolean;
}

export type NativeHandle = object & { readonly __tokenizer: unique symbol };

export interface TokenizeAddon {
  createTokenizer(spec: EncoderSpec): NativeHandle;
  encodeBatch(h: NativeHandle, text: Uint8Array, offsets: Uint32Array | Float64Array, opts: BatchOptions): Promise<BatchResult>;
  encodeBatchSync(h: NativeHandle, text: Uint8Array, offsets: Uint32Array | Float64Array, opts: BatchOptions): BatchResult;
  decodeIds(h: NativeHandle, ids: Uint32Array): Buffer;
  tokenizerVocabSize(h: NativeHandle): number;
  spmModelInfo(spec: EncoderSpec): SpmModelInfo;
}

export function addon(): TokenizeAddon {
  return tokenizeNative<TokenizeAddon>();
}
