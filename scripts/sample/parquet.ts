/**
 * Parquet sample, in the layouts of two Hugging Face datasets, written by an independent Parquet
 * implementation (parquet-wasm: the Rust `parquet` crate, via Apache Arrow), not by corpusmill:
 *
 * - `parquet/fineweb/CC-MAIN-2013-20/000_0000{0,1}.parquet`: FineWeb's columns (text, id, dump,
 *   url, date, file_path, language, language_score, token_count), snappy as datatrove writes them,
 *   row groups of 8 rows; 40 distinct pages, 6 exact copies of earlier pages under other URLs, and
 *   4 pages too short for the sample's `text_length` step.
 * - `parquet/slimpajama/train-00000.parquet`: SlimPajama's columns (text, meta as a struct with
 *   `redpajama_set_name`), zstd, one row group.
 *
 * The counts are in PARQUET_SAMPLE; pipelines/sample-parquet.yaml reads these files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as arrow from 'apache-arrow';
import * as pw from 'parquet-wasm';
import { paragraph, pick, rng } from './rng.js';

export const PARQUET_SAMPLE = { fineweb: { distinct: 40, copies: 6, short: 4, rowGroupRows: 8 }, slimpajama: 12 } as const;

function write(path: URL, table: arrow.Table, compression: pw.Compression, rowGroupRows: number): void {
  const props = new pw.WriterPropertiesBuilder().setCompression(compression).setMaxRowGroupSize(rowGroupRows).setCreatedBy('parquet-rs (corpusmill sample)').build();
  writeFileSync(path, pw.writeParquet(pw.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')), props));
}

export async function makeParquetSample(root: URL): Promise<void> {
  const r = rng(16);
  const { distinct, copies, short, rowGroupRows } = PARQUET_SAMPLE.fineweb;
  const pages = Array.from({ length: distinct }, () => Array.from({ length: 3 }, () => paragraph(r, 4)).join('\n'));
  const rows = pages.map((text, i) => ({ text, url: `http://www.example-${i % 7}.com/articles/${i}` }));
  for (let k = 0; k < copies; k++) rows.push({ text: pages[k * 5]!, url: `http://mirror.example.org/${k}` });
  for (let k = 0; k < short; k++) rows.push({ text: pick(r, ['Home', 'Contact us', 'Page not found', 'Log in']), url: `http://www.example-${k}.com/` });
  // Interleave so copies sit in other files and row groups than their originals.
  const order = rows.map((_, i) => i).sort((a, b) => ((a * 17) % rows.length) - ((b * 17) % rows.length));
  const files = [order.slice(0, 24), order.slice(24)];
  const dir = new URL('parquet/fineweb/CC-MAIN-2013-20/', root);
  mkdirSync(dir, { recursive: true });
  files.forEach((idx, f) => {
    const col = <T>(fn: (i: number, k: number) => T) => idx.map((i, k) => fn(i, k));
    const table = new arrow.Table({
      text: arrow.vectorFromArray(
        col((i) => rows[i]!.text),
        new arrow.Utf8(),
      ),
      id: arrow.vectorFromArray(
        col((i) => `<urn:uuid:${String(i).padStart(8, '0')}-5e1f-4d2a-9c3b-${String(f * 100 + i).padStart(12, '0')}>`),
        new arrow.Utf8(),
      ),
      dump: arrow.vectorFromArray(
        col(() => 'CC-MAIN-2013-20'),
        new arrow.Utf8(),
      ),
      url: arrow.vectorFromArray(
        col((i) => rows[i]!.url),
        new arrow.Utf8(),
      ),
      date: arrow.vectorFromArray(
        col((_, k) => `2013-05-18T07:${String(10 + k).padStart(2, '0')}:47Z`),
        new arrow.Utf8(),
      ),
      file_path: arrow.vectorFromArray(
        col(() => `s3://commoncrawl/crawl-data/CC-MAIN-2013-20/segments/1368696381249/warc/CC-MAIN-20130516092621-0000${f}-ip-10-60-113-184.ec2.internal.warc.gz`),
        new arrow.Utf8(),
      ),
      language: arrow.vectorFromArray(
        col(() => 'en'),
        new arrow.Utf8(),
      ),
      language_score: arrow.vectorFromArray(
        col((i) => 0.9 + (i % 10) / 100),
        new arrow.Float64(),
      ),
      token_count: arrow.vectorFromArray(
        col((i) => BigInt(Math.round(rows[i]!.text.length / 4.4))),
        new arrow.Int64(),
      ),
    });
    write(new URL(`000_0000${f}.parquet`, dir), table, pw.Compression.SNAPPY, rowGroupRows);
  });

  const slim = Array.from({ length: PARQUET_SAMPLE.slimpajama }, (_, i) => ({
    text: Array.from({ length: 2 }, () => paragraph(r, 3)).join('\n'),
    set: i % 3 === 0 ? 'RedPajamaWikipedia' : 'RedPajamaC4',
  }));
  const metaType = new arrow.Struct([new arrow.Field('redpajama_set_name', new arrow.Utf8(), true)]);
  const slimDir = new URL('parquet/slimpajama/', root);
  mkdirSync(slimDir, { recursive: true });
  const table = new arrow.Table({
    text: arrow.vectorFromArray(
      slim.map((s) => s.text),
      new arrow.Utf8(),
    ),
    meta: arrow.vectorFromArray(
      slim.map((s) => ({ redpajama_set_name: s.set })),
      metaType,
    ),
  });
  write(new URL('train-00000.parquet', slimDir), table, pw.Compression.ZSTD, 1024);
}
