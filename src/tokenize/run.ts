/**
 * The fused paths behind `corpusmill count` and `corpusmill tokenize`: documents are read and packed in
 * batches on the JS thread while the previous batch encodes on native threads (one native call per
 * batch), and results are consumed strictly in input order, so counts and shard bytes never depend on
 * the thread count. `count` keeps no ids; `tokenize` streams them into token shards and writes a
 * manifest. Memory: two batches of text and ids (≈8 MiB of text each) plus the open shard's index.
 */
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { batchInputs, type InputDoc } from './inputs.js';
import { packDocuments, type EncodeOptions, type Tokenizer } from './tokenizer.js';
import type { BatchResult } from './native.js';
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

type Consumer = (docs: InputDoc[], bytesPerDoc: Float64Array, r: BatchResult) => Promise<void> | void;

/** Encodes every document, one batch ahead of the consumer. */
async function pump(tok: Tokenizer, docs: AsyncIterable<InputDoc>, opts: RunOptions, countOnly: boolean, idBytes: 2 | 4, consume: Consumer): Promise<void> {
  let pending: Promise<void> | null = null;
  for await (const batch of batchInputs(docs, opts.batchBytes)) {
    const packed = packDocuments(batch.map((d) => d.text));
    const job = countOnly ? tok.countBatch(packed, opts) : tok.encodeBatch(packed, opts, idBytes);
    const prev = pending;
    pending = (async () => {
      const r = await job;
      if (prev) await prev;
      await consume(batch, packed.offsets, r);
    })();
    // keep at most one batch waiting while the next is read
    if (prev) await prev;
  }
  if (pending) await pending;
}

function newTotals(): SourceTotals {
  return { documents: 0, tokens: 0, bytes: 0 };
}

function tally(report: CountReport, docs: InputDoc[], byteOffsets: Float64Array, tokenOffsets: Float64Array): void {
  docs.forEach((d, i) => {
    const s = (report.sources[d.source] ??= newTotals());
    const tokens = tokenOffsets[i + 1]! - tokenOffsets[i]!;
    const bytes = byteOffsets[i + 1]! - byteOffsets[i]!;
    s.documents++;
    s.tokens += tokens;
    s.bytes += bytes;
    report.documents++;
    report.tokens += tokens;
    report.bytes += bytes;
  });
}

function sortedSources(report: CountReport): CountReport {
  const sources: Record<string, SourceTotals> = {};
  for (const k of Object.keys(report.sources).sort()) sources[k] = report.sources[k]!;
  return { ...report, sources };
}

/** Tokens per document, per source and in total; nothing written. */
export async function countTokens(tok: Tokenizer, docs: AsyncIterable<InputDoc>, opts: RunOptions = {}): Promise<CountReport> {
  const report: CountReport = { tokenizer: tok.info.name, ...newTotals(), sources: {} };
  await pump(tok, docs, opts, true, 4, (batch, bytes, r) => tally(report, batch, bytes, r.tokenOffsets));
  return sortedSources(report);
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
}

export interface TokenizeOptions extends RunOptions {
  out: string;
  format: TokenFormat;
  /** Shard base name (default `tokens`). */
  prefix?: string;
  /** Rotate shards at this many bytes of token data (default 1 GiB). */
  maxBytes?: number;
}

export const MANIFEST_NAME = 'manifest.json';

/** Encodes documents into token shards under `opts.out` and writes `manifest.json` there. */
export async function tokenizeToShards(tok: Tokenizer, docs: AsyncIterable<InputDoc>, opts: TokenizeOptions): Promise<TokenManifest> {
  const dtype = tokenDtype(tok.info.vocabSize);
  const writer = new TokenShardWriter(opts.out, opts.prefix ?? 'tokens', { format: opts.format, dtype, maxBytes: opts.maxBytes });
  const report: CountReport = { tokenizer: tok.info.name, ...newTotals(), sources: {} };
  await pump(tok, docs, opts, false, tok.idBytes, async (batch, bytes, r) => {
    tally(report, batch, bytes, r.tokenOffsets);
    await writer.add(r.ids!, r.tokenOffsets);
  });
  const files = await writer.close();
  const sorted = sortedSources(report);
  const bos = opts.bos ?? tok.info.defaultBos;
  const manifest: TokenManifest = {
    format: opts.format,
    dtype,
    tokenizer: { name: tok.info.name, hash: tok.info.hash, vocab_size: tok.info.vocabSize, bos_id: tok.info.bosId, eos_id: tok.info.eosId, bos, eos: opts.eos ?? false },
    documents: sorted.documents,
    tokens: sorted.tokens,
    bytes: sorted.bytes,
    sources: sorted.sources,
    files,
  };
  const path = join(opts.out, MANIFEST_NAME);
  await writeFile(path + '.tmp', JSON.stringify(manifest, null, 2) + '\n');
  await rename(path + '.tmp', path);
  return manifest;
}
