/**
 * The one path from documents to token counts and token shards, shared by `corpusmill count`,
 * `corpusmill tokenize` and the `tokenize` pipeline step: batches are encoded one ahead of their
 * consumer (encode-ahead.ts), documents are tallied per source, and for `tokenize` ids stream into
 * token shards with a manifest written beside them. Results are consumed strictly in input order,
 * so counts and shard bytes never depend on the thread count. Memory: two batches of text and ids
 * besides the one being read, plus the open shard's index.
 */
import { writeFileAtomic } from '../io/atomic.js';
import { join } from 'node:path';
import { packedBatches, type InputDoc, type PackedDocs } from './inputs.js';
import { packDocuments, type EncodeOptions, type Tokenizer } from './tokenizer.js';
import { EncodeAhead } from './encode-ahead.js';
import type { SftManifestInfo } from './sft-verify.js';
import { tokenDtype, type TokenDtype } from './formats/megatron.js';
import { TokenShardWriter, type TokenFormat, type TokenShardFile } from './token-shards.js';

export interface SourceTotals {
  documents: number;
  tokens: number;
  /** UTF-8 bytes of text. */
  bytes: number;
}

export interface CountReport extends SourceTotals {
  tokenizer: string;
  sources: Record<string, SourceTotals>;
}

export interface RunOptions extends EncodeOptions {
  /** Text per native call (default 8 MiB). */
  batchBytes?: number;
}

function newTotals(): SourceTotals {
  return { documents: 0, tokens: 0, bytes: 0 };
}

/** Documents, tokens and bytes per source and in total. */
export class Tally {
  readonly total = newTotals();
  private readonly sources: Record<string, SourceTotals> = {};

  add(sources: string[], byteOffsets: Float64Array, tokenOffsets: Float64Array): void {
    let last = '';
    let s: SourceTotals | undefined;
    for (let i = 0; i < sources.length; i++) {
      if (sources[i] !== last || !s) {
        last = sources[i]!;
        this.sources[last] ??= newTotals();
        s = this.sources[last]!;
      }
      s.documents++;
      s.tokens += tokenOffsets[i + 1]! - tokenOffsets[i]!;
      s.bytes += byteOffsets[i + 1]! - byteOffsets[i]!;
    }
    const n = sources.length;
    this.total.documents += n;
    this.total.tokens += tokenOffsets[n]! - tokenOffsets[0]!;
    this.total.bytes += byteOffsets[n]! - byteOffsets[0]!;
  }

  addOne(source: string, tokens: number, bytes: number): void {
    this.sources[source] ??= newTotals();
    const s = this.sources[source]!;
    s.documents++;
    s.tokens += tokens;
    s.bytes += bytes;
    this.total.documents++;
    this.total.tokens += tokens;
    this.total.bytes += bytes;
  }

  /** Per-source totals, sources in sorted order (whatever order the documents came in). */
  sorted(): Record<string, SourceTotals> {
    const out: Record<string, SourceTotals> = {};
    for (const k of Object.keys(this.sources).sort()) out[k] = this.sources[k]!;
    return out;
  }
}

/** Documents as readInputs (one object each) or readPackedInputs (packed batches, what the commands use) give them. */
export type DocumentInput = AsyncIterable<InputDoc> | AsyncIterable<PackedDocs>;

/** Tokens per document, per source and in total; nothing written. */
export async function countTokens(tok: Tokenizer, docs: DocumentInput, opts: RunOptions = {}): Promise<CountReport> {
  const tally = new Tally();
  const ahead = new EncodeAhead(tok, opts, null, (batch, r) => tally.add(batch.sources, batch.offsets, r.tokenOffsets));
  try {
    for await (const batch of packedBatches(docs, opts.batchBytes)) await ahead.push(batch);
    await ahead.finish();
  } catch (err) {
    await ahead.settle();
    throw err;
  }
  return { tokenizer: tok.info.name, ...tally.total, sources: tally.sorted() };
}

export interface TokenManifest {
  format: TokenFormat;
  dtype: TokenDtype;
  tokenizer: { name: string; hash: string; vocab_size: number; bos_id: number | null; eos_id: number | null; bos: boolean; eos: boolean };
  documents: number;
  tokens: number;
  bytes: number;
  sources: Record<string, SourceTotals>;
  files: TokenShardFile[];
  /** SFT shards (the `sft_tokenize` step): masks, examples and how they were made. */
  sft?: SftManifestInfo;
  /** Written by a pipeline task: `verify` checks the manifest against that task's counts in the build's catalog. */
  build?: { stage: string; task: number };
}

export interface TokenizeOptions extends RunOptions {
  out: string;
  format: TokenFormat;
  /** Shard base name (default `tokens`). */
  prefix?: string;
  /** Rotate shards at this many bytes of token data (default 1 GiB). */
  maxBytes?: number;
  /** The manifest's file name in `out` (default `manifest.json`). */
  manifestName?: string;
  /** Write no manifest when no document came (a pipeline task whose documents were all dropped). */
  skipEmptyManifest?: boolean;
  /** The pipeline task writing the shards (recorded in the manifest). */
  build?: { stage: string; task: number };
  /** Called for every batch in input order once its ids are written: its documents' sources and n+1 token offsets. */
  onBatch?: (sources: string[], tokenOffsets: Float64Array, total: number) => void;
}

/** The manifest's tokenizer section: what the ids mean and whether BOS / EOS were added. */
export function manifestTokenizer(tok: Tokenizer, bos: boolean, eos: boolean): TokenManifest['tokenizer'] {
  return { name: tok.info.name, hash: tok.info.hash, vocab_size: tok.info.vocabSize, bos_id: tok.info.bosId, eos_id: tok.info.eosId, bos, eos };
}

export function writeManifest(path: string, manifest: TokenManifest): Promise<void> {
  return writeFileAtomic(path, `${JSON.stringify(manifest, null, 2)}\n`);
}

/**
 * One run of documents into token shards under `opts.out`: `push` batches in order, then `finish`
 * (closes the shards, writes the manifest) or, after a failure or an early stop, `abort`.
 */
export class TokenizeRun {
  private readonly writer: TokenShardWriter;
  private readonly tally = new Tally();
  private readonly ahead: EncodeAhead;
  private readonly dtype: TokenDtype;

  constructor(
    private readonly tok: Tokenizer,
    private readonly opts: TokenizeOptions,
  ) {
    this.dtype = tokenDtype(tok.info.vocabSize);
    this.writer = new TokenShardWriter(opts.out, opts.prefix ?? 'tokens', { format: opts.format, dtype: this.dtype, maxBytes: opts.maxBytes });
    this.ahead = new EncodeAhead(tok, opts, tok.idBytes, async (batch, r) => {
      await this.writer.add(r.ids!, r.tokenOffsets);
      this.tally.add(batch.sources, batch.offsets, r.tokenOffsets);
      opts.onBatch?.(batch.sources, r.tokenOffsets, r.total);
    });
  }

  /** Starts encoding a batch; resolves once the batch before it is written. */
  push(docs: InputDoc[]): Promise<void> {
    const p = packDocuments(docs.map((d) => d.text));
    return this.ahead.push({ text: p.text, offsets: p.offsets, sources: docs.map((d) => d.source) });
  }

  /** The same for a batch already packed (readPackedInputs). */
  pushPacked(batch: PackedDocs): Promise<void> {
    return this.ahead.push(batch);
  }

  async finish(): Promise<TokenManifest> {
    await this.ahead.finish();
    const files = await this.writer.close();
    const { tok, opts } = this;
    const manifest: TokenManifest = {
      format: opts.format,
      dtype: this.dtype,
      tokenizer: manifestTokenizer(tok, opts.bos ?? tok.info.defaultBos, opts.eos ?? false),
      ...this.tally.total,
      sources: this.tally.sorted(),
      files,
      ...(opts.build ? { build: opts.build } : {}),
    };
    if (manifest.documents > 0 || !opts.skipEmptyManifest) await writeManifest(join(opts.out, opts.manifestName ?? 'manifest.json'), manifest);
    return manifest;
  }

  /** Waits for batches in flight, then drops the open shard's partial file (finished shards stay). */
  async abort(): Promise<void> {
    await this.ahead.settle();
    await this.writer.abort();
  }
}

/** Encodes documents into token shards under `opts.out` and writes the manifest there. */
export async function tokenizeToShards(tok: Tokenizer, docs: DocumentInput, opts: TokenizeOptions): Promise<TokenManifest> {
  const run = new TokenizeRun(tok, opts);
  try {
    for await (const batch of packedBatches(docs, opts.batchBytes)) await run.pushPacked(batch);
    return await run.finish();
  } catch (err) {
    await run.abort();
    throw err;
  }
}
