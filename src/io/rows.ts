/**
 * Rows of a tabular file a user names (benchmark test sets, training sets): JSON lines (any
 * compression), JSON arrays and Parquet, as Hugging Face datasets publish and export them, read one
 * row at a time with the named fields picked out. A format is a `RowFormat` in `ROW_FORMATS`; every
 * user of rows (decontamination's benchmark reader, ...) reads each with no other change.
 *
 * Memory: one line at a time for JSON lines, one row group for Parquet; a `.json` array file is
 * parsed whole (benchmark files are small; use JSON lines for large ones).
 */
import { readFile } from 'node:fs/promises';
import { CorpusError, errorMessage } from '../core/errors.js';
import { compressionOf } from './compression.js';
import { readLines } from './lines.js';
import { isParquetFile, readParquetRows } from './parquet.js';

export type Row = Record<string, unknown>;

export interface RowFormat {
  name: string;
  /** True when this format reads `path` (by its name). */
  matches(path: string): boolean;
  /** The rows in file order; errors name the file and the record. */
  rows(path: string): AsyncIterable<Row>;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function asRow(value: unknown, path: string, record: string): Row {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new CorpusError('expected a JSON object per row', { file: path, record });
  return value as Row;
}

/** `.jsonl`, `.ndjson`, `.json` (lines or one array), each optionally `.gz` / `.zst` / `.bz2`. */
const jsonRows: RowFormat = {
  name: 'json',
  matches: (path) => /\.(jsonl|ndjson|json)(\.(gz|zst|bz2))?$/i.test(path),
  async *rows(path) {
    const compression = compressionOf(path);
    if (compression === 'none' && /\.json$/i.test(path)) {
      const text = await readFile(path, 'utf8');
      if (text.trimStart().startsWith('[')) {
        let arr: unknown;
        try {
          arr = JSON.parse(text);
        } catch (e) {
          throw new CorpusError(`malformed JSON array: ${errorMessage(e)}`, { file: path });
        }
        if (!Array.isArray(arr)) throw new CorpusError('expected a JSON array of rows', { file: path });
        for (let i = 0; i < arr.length; i++) yield asRow(arr[i], path, `row ${i + 1}`);
        return;
      }
    }
    for await (const line of readLines(path, { compression })) {
      if (line.bytes.length === 0) continue;
      const record = `line ${line.index + 1}`;
      let value: unknown;
      try {
        value = JSON.parse(utf8.decode(line.bytes));
      } catch (e) {
        throw new CorpusError(`malformed JSON: ${errorMessage(e)}`, { file: path, record });
      }
      yield asRow(value, path, record);
    }
  },
};

/** Parquet (Hugging Face's own layout: `data/test-00000-of-00001.parquet`), every column. */
const parquetRows: RowFormat = { name: 'parquet', matches: isParquetFile, rows: (path) => readParquetRows(path) };

/** Every format rows can be read in. */
const ROW_FORMATS: RowFormat[] = [jsonRows, parquetRows];

export function rowFormatOf(path: string, formats: readonly RowFormat[] = ROW_FORMATS): RowFormat | undefined {
  return formats.find((f) => f.matches(path));
}

/** The rows of `path` in the first format that reads it. */
export function readRows(path: string, formats: readonly RowFormat[] = ROW_FORMATS): AsyncIterable<Row> {
  const f = rowFormatOf(path, formats);
  if (!f) throw new CorpusError(`no row reader for this file (formats: ${formats.map((x) => x.name).join(', ')})`, { file: path });
  return f.rows(path);
}

/** The value at a dotted path (`answers.text`); undefined when any part is missing. */
export function fieldValue(row: Row, path: string): unknown {
  let v: unknown = row;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = Array.isArray(v) ? v.map((x) => (x !== null && typeof x === 'object' ? (x as Row)[part] : undefined)) : (v as Row)[part];
  }
  return v;
}

/**
 * The texts a field holds, flattened in order: a string is one text, numbers and booleans become
 * strings, arrays (HellaSwag `endings`, MMLU `choices`) give one text per element.
 */
export function fieldTexts(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (typeof value === 'number' || typeof value === 'boolean') out.push(String(value));
  else if (Array.isArray(value)) for (const v of value) fieldTexts(v, out);
  return out;
}
