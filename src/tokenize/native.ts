/**
 * Typed view of the `corpusmill_tokenize` addon's batch engine (native/tokenize/tokenizer_napi.cc), the
 * SentencePiece model probe (native/tokenize/spm_bpe.cc) and the JSON-lines text extractor
 * (native/tokenize/jsonl_texts.cc). Nothing else in TypeScript calls the addon.
 */
import { tokenizeNative } from '../native/addons.js';

/** What `createTokenizer` accepts: `{kind, ...}`, the kind picking a model registered in C++ (encoder.h). */
export type EncoderSpec = { kind: string } & Record<string, unknown>;

interface BatchOptions {
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
  /** CPU milliseconds each thread spent encoding (their sum over their maximum: how evenly the work was spread). */
  threadCpuMs: Float64Array;
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
  /** native/tokenize/jsonl_texts.cc: the texts and sources of the complete JSON lines of `input`, unescaped into `out`. */
  jsonlTexts(input: Uint8Array, final: boolean, out: Uint8Array): JsonlTexts;
}

interface JsonlTexts {
  /** Input bytes read (whole lines; everything when `final`, unless stopped). */
  consumed: number;
  /** n+1 byte offsets of the texts in `out`. */
  offsets: Float64Array;
  /** Per record: index into `sources`, or -1 when the record has no string `source`. */
  sourceOf: Int32Array;
  sources: string[];
  /** Stopped before a line the extractor leaves to the reference reader (an error or an unusual line). */
  stopped: boolean;
}

export function addon(): TokenizeAddon {
  return tokenizeNative<TokenizeAddon>();
}
