/**
 * Documents for the `count` and `tokenize` commands: a `.txt` file is one document (its raw bytes, so
 * invalid UTF-8 reaches the tokenizer as sentencepiece would see it); `.jsonl`, `.jsonl.gz`,
 * `.jsonl.zst` and the project's shards give one document per record (the `text` field). A document's
 * source is its record's `source`, else the input file's name. Records that are not documents are
 * errors naming the file and line.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { ConfigError } from '../core/errors.js';
import { isDocumentFile, readShard } from '../io/shards.js';

export interface InputDoc {
  source: string;
  text: string | Uint8Array;
}

/** `books.jsonl.zst` -> `books`. */
function inputSourceName(path: string): string {
  return basename(path).replace(/(\.(jsonl|json|txt))?(\.(gz|zst|zstd))?$/i, '');
}

export function checkInputs(paths: string[]): void {
  for (const p of paths) {
    if (!p.toLowerCase().endsWith('.txt') && !isDocumentFile(p)) throw new ConfigError(`${p}: not a supported input (.txt, .jsonl, .jsonl.gz, .jsonl.zst or a corpusmill shard)`);
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
