/**
 * An independent Parquet implementation for the tests: parquet-wasm (the Rust `parquet` crate of
 * Apache Arrow, compiled to WebAssembly) reads and writes, apache-arrow carries the tables. It
 * shares no code with hyparquet / hyparquet-writer, which corpusmill uses.
 */
import { openAsBlob, readFileSync, writeFileSync } from 'node:fs';
import * as arrow from 'apache-arrow';
import * as pw from 'parquet-wasm';

export { arrow };

/** Every row of a Parquet file as plain objects (strings, numbers, bigints, nested objects). */
export function readRows(path: string): Record<string, unknown>[] {
  const table = arrow.tableFromIPC(pw.readParquet(new Uint8Array(readFileSync(path))).intoIPCStream());
  return table.toArray().map((row) => plain(row.toJSON()) as Record<string, unknown>);
}

function plain(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof arrow.Vector) return v.toArray().map(plain);
  if (typeof v === 'object' && 'toJSON' in (v as object)) return plain((v as { toJSON(): unknown }).toJSON());
  if (typeof v === 'object' && !(v instanceof Uint8Array)) return Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, plain(x)]));
  return v;
}

/** The footer as parquet-wasm reads it: rows per row group, the codecs of all column chunks, created_by. */
export async function footer(path: string): Promise<{ rowGroups: number[]; codecs: Set<string>; createdBy: string | undefined }> {
  const file = await pw.ParquetFile.fromFile(await openAsBlob(path));
  const md = file.metadata();
  const groups = md.rowGroups();
  return {
    rowGroups: groups.map((g) => g.numRows()),
    codecs: new Set(groups.flatMap((g) => g.columns().map((c) => pw.Compression[c.compression()]!))),
    createdBy: md.fileMetadata().createdBy(),
  };
}

export type Codec = 'SNAPPY' | 'ZSTD' | 'GZIP' | 'BROTLI' | 'UNCOMPRESSED' | 'LZ4_RAW';

/** Writes an Arrow table as Parquet with the given codec and row-group size (rows). */
export function writeTable(path: string, table: arrow.Table, codec: Codec, rowGroupRows: number, opts: { dictionary?: boolean } = {}): void {
  const c = {
    SNAPPY: pw.Compression.SNAPPY,
    ZSTD: pw.Compression.ZSTD,
    GZIP: pw.Compression.GZIP,
    BROTLI: pw.Compression.BROTLI,
    UNCOMPRESSED: pw.Compression.UNCOMPRESSED,
    LZ4_RAW: pw.Compression.LZ4_RAW,
  }[codec];
  const props = new pw.WriterPropertiesBuilder()
    .setCompression(c)
    .setMaxRowGroupSize(rowGroupRows)
    .setDictionaryEnabled(opts.dictionary ?? true)
    .build();
  writeFileSync(path, pw.writeParquet(pw.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')), props));
}
