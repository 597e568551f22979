/**
 * Documents for the `count` and `tokenize` commands: a `.txt` file is one document (its raw bytes, so
 * invalid UTF-8 reaches the tokenizer as sentencepiece would see it); `.jsonl`, `.jsonl.gz`,
 * `.jsonl.zst` and the project's shards give one document per record (the `text` field). A document's
 * source is its record's `source`, else the input file's name. Records that are not documents are
 * errors naming the file and line.
 *
 * Two readers with the same documents: `readInputs` yields one object per document (the pipeline's
 * shape), `readPackedInputs` yields batches already packed for the encoder (texts in one buffer plus
 * offsets), which is what the commands use: JSON lines go from decompressed bytes to the packed buffer
 * in native code (native/tokenize/jsonl_texts.cc), with no string or object per document. Reading that
 * way costs a fraction of the encoding instead of more than it (see docs/tokenize.md).
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { ConfigError } from '../core/errors.js';
import { compressionOf, openDecompressed } from '../io/compression.js';
import { isDocumentFile, readShard } from '../io/shards.js';
import { isParquetFile } from '../io/parquet.js';
import { addon } from './native.js';
import { packDocuments } from './tokenizer.js';

export interface InputDoc {
  source: string;
  text: string | Uint8Array;
}

/** Documents packed for the encoder: UTF-8 texts back to back, n+1 byte offsets, each one's source. */
export interface PackedDocs {
  text: Uint8Array;
  offsets: Float64Array;
  sources: string[];
}

/** `books.jsonl.zst` -> `books`. */
function inputSourceName(path: string): string {
  return basename(path).replace(/(\.(jsonl|json|txt))?(\.(gz|zst|zstd))?$/i, '');
}

export function checkInputs(paths: string[]): void {
  for (const p of paths) {
    if (!p.toLowerCase().endsWith('.txt') && !isDocumentFile(p))
      throw new ConfigError(`${p}: not a supported input (.txt, .jsonl, .jsonl.gz, .jsonl.zst, .parquet or a corpusmill shard)`);
  }
}

export async function* readInputs(paths: string[]): AsyncGenerator<InputDoc> {
  checkInputs(paths);
  for (const p of paths) {
    const fallback = inputSourceName(p);
    if (p.toLowerCase().endsWith('.txt')) {
      yield { source: fallback, text: await readFile(p) };
      continue;
    }
    for await (const doc of readShard(p, { source: fallback })) yield { source: doc.source, text: doc.text };
  }
}

/** The documents of `paths` (as readInputs gives them) in packed batches of about `batchBytes` of text. */
export async function* readPackedInputs(paths: string[], batchBytes = 8 << 20): AsyncGenerator<PackedDocs> {
  checkInputs(paths);
  for (const p of paths) {
    const fallback = inputSourceName(p);
    if (p.toLowerCase().endsWith('.txt')) {
      const bytes = await readFile(p);
      yield { text: bytes, offsets: Float64Array.of(0, bytes.length), sources: [fallback] };
      continue;
    }
    if (isParquetFile(p)) yield* packShard(p, fallback, 0, batchBytes);
    else yield* readJsonlPacked(p, fallback, batchBytes);
  }
}

/**
 * One JSON-lines file: decompressed chunks are gathered to about `batchBytes` and handed to the native
 * extractor, which takes the complete lines. When it stops at a line it does not handle (an error, or
 * something unusual such as a lone surrogate in `source`), the reference reader (readShard) takes the
 * file over from the document after the last one extracted, so documents and error messages are the
 * reference's.
 */
async function* readJsonlPacked(path: string, fallback: string, batchBytes: number): AsyncGenerator<PackedDocs> {
  const stream = openDecompressed(path, { compression: compressionOf(path), highWaterMark: 4 << 20 }) as Readable & AsyncIterable<Buffer>;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let docs = 0;
  let stopped = false;
  const extract = (final: boolean): PackedDocs | null => {
    const input = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
    const out = Buffer.allocUnsafe(input.length);
    const r = addon().jsonlTexts(input, final, out);
    const rest = input.subarray(r.consumed);
    pending = rest.length ? [rest] : [];
    pendingBytes = rest.length;
    stopped = r.stopped;
    const n = r.offsets.length - 1;
    docs += n;
    if (n === 0) return null;
    const sources = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      const k = r.sourceOf[i]!;
      sources[i] = k < 0 ? fallback : r.sources[k]!;
    }
    return { text: out.subarray(0, r.offsets[n]!), offsets: r.offsets, sources };
  };
  // Extract once this much is pending; doubled while a line is longer than that, so a huge line is
  // not concatenated again for every chunk.
  let threshold = batchBytes;
  try {
    for await (const chunk of stream) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes < threshold) continue;
      const b = extract(false);
      threshold = b || pendingBytes < batchBytes ? batchBytes : pendingBytes * 2;
      if (b) yield b;
      if (stopped) break;
    }
    if (!stopped) {
      const b = extract(true);
      if (b) yield b;
    }
  } finally {
    stream.destroy();
  }
  if (!stopped) return;
  // The reference reader from the first document not yet extracted (it re-reads the file's start).
  yield* packShard(path, fallback, docs, batchBytes);
}

/** A shard through the reference reader (readShard), from document `skip` on, in packed batches. */
async function* packShard(path: string, fallback: string, skip: number, batchBytes: number): AsyncGenerator<PackedDocs> {
  let batch: InputDoc[] = [];
  let bytes = 0;
  for await (const doc of readShard(path, { source: fallback })) {
    if (skip > 0) {
      skip--;
      continue;
    }
    batch.push({ source: doc.source, text: doc.text });
    bytes += doc.text.length;
    if (bytes >= batchBytes) {
      yield packInputDocs(batch);
      batch = [];
      bytes = 0;
    }
  }
  if (batch.length) yield packInputDocs(batch);
}

function packInputDocs(docs: InputDoc[]): PackedDocs {
  const p = packDocuments(docs.map((d) => d.text));
  return { text: p.text, offsets: p.offsets, sources: docs.map((d) => d.source) };
}

/**
 * Groups documents into batches of about `maxBytes` of text (or `maxDocs` documents); pipeline
 * documents pass through as they are. A string's length in UTF-16 units stands in for its bytes.
 */
export async function* batchInputs<D extends InputDoc>(docs: AsyncIterable<D>, maxBytes = 8 << 20, maxDocs = 65536): AsyncGenerator<D[]> {
  let batch: D[] = [];
  let bytes = 0;
  for await (const d of docs) {
    batch.push(d);
    bytes += d.text.length;
    if (bytes >= maxBytes || batch.length >= maxDocs) {
      yield batch;
      batch = [];
      bytes = 0;
    }
  }
  if (batch.length) yield batch;
}

/** Packed batches from documents (`readInputs`) or from packed batches (`readPackedInputs`) alike. */
export async function* packedBatches(input: AsyncIterable<InputDoc> | AsyncIterable<PackedDocs>, maxBytes = 8 << 20): AsyncGenerator<PackedDocs> {
  let batch: InputDoc[] = [];
  let bytes = 0;
  for await (const item of input as AsyncIterable<InputDoc | PackedDocs>) {
    if ('offsets' in item) {
      if (batch.length) yield packInputDocs(batch);
      batch = [];
      bytes = 0;
      yield item;
      continue;
    }
    batch.push(item);
    bytes += item.text.length;
    if (bytes >= maxBytes || batch.length >= 65536) {
      yield packInputDocs(batch);
      batch = [];
      bytes = 0;
    }
  }
  if (batch.length) yield packInputDocs(batch);
}
