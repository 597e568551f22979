/**
 * `npm run bench:parquet`: the Parquet libraries compared in one process, on generated documents
 * (text, JSON meta, id, source; zstd; ~1 MiB row groups): writing with hyparquet-writer (what
 * corpusmill uses, through ParquetShardWriter) and with parquet-wasm (the Rust `parquet` crate),
 * then reading each file with hyparquet (readParquetDocs) and with parquet-wasm, one row group at a
 * time. docs/parquet.md reports a run on real text.
 *
 *   npm run bench:parquet -- [--docs 10000] [--reps 3]
 */
import { openAsBlob, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as arrow from 'apache-arrow';
import * as pw from 'parquet-wasm';
import type { Doc } from '../src/core/document.js';
import { ParquetShardWriter, readParquetDocs } from '../src/io/parquet.js';
import { paragraph, rng } from '../scripts/sample/rng.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg('docs', 10000);
const REPS = arg('reps', 3);
const r = rng(3);
const docs: Doc[] = Array.from({ length: N }, (_, i) => ({
  text: Array.from({ length: 2 + (i % 9) }, () => paragraph(r, 4)).join('\n'),
  meta: { url: `https://site-${i % 97}.example/${i}`, dump: 'CC-MAIN-2013-20', language_score: (i % 100) / 100, token_count: i * 7 },
  id: `<urn:uuid:${i}>`,
  source: 'fineweb',
}));
const mb = docs.reduce((a, d) => a + Buffer.byteLength(d.text), 0) / 1e6;
const dir = mkdtempSync(join(tmpdir(), 'bench-parquet-'));

async function writeHyparquet(): Promise<string> {
  const w = new ParquetShardWriter(dir, 'hyp', { maxBytes: 2 ** 40 });
  for (const d of docs) w.enqueue(d);
  await w.close();
  return (await w.commit())[0]!;
}

function writeWasm(): string {
  const cols = { text: docs.map((d) => d.text), meta: docs.map((d) => JSON.stringify(d.meta)), id: docs.map((d) => d.id), source: docs.map((d) => d.source) };
  const table = new arrow.Table(Object.fromEntries(Object.entries(cols).map(([k, v]) => [k, arrow.vectorFromArray(v, new arrow.Utf8())])));
  const bytesPerDoc = (mb * 1e6) / N;
  const props = new pw.WriterPropertiesBuilder()
    .setCompression(pw.Compression.ZSTD)
    .setMaxRowGroupSize(Math.max(1, Math.round((1 << 20) / bytesPerDoc)))
    .build();
  const path = join(dir, 'wasm.parquet');
  writeFileSync(path, pw.writeParquet(pw.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')), props));
  return path;
}

async function readHyparquet(path: string): Promise<number> {
  let n = 0;
  for await (const _ of readParquetDocs(path, { source: 'x' })) n++;
  return n;
}

async function readWasm(path: string): Promise<number> {
  const f = await pw.ParquetFile.fromFile(await openAsBlob(path));
  let n = 0;
  for (let g = 0; g < f.metadata().numRowGroups(); g++) {
    const t = arrow.tableFromIPC((await f.read({ rowGroups: [g] })).intoIPCStream());
    const text = t.getChild('text')!;
    for (let i = 0; i < t.numRows; i++) if (typeof text.get(i) === 'string') n++;
  }
  return n;
}

async function time<T>(fn: () => Promise<T> | T): Promise<[number, T]> {
  const t0 = performance.now();
  const v = await fn();
  return [performance.now() - t0, v];
}

console.log(`${N} documents, ${mb.toFixed(1)} MB of text, best of ${REPS}`);
const best: Record<string, number> = {};
let files: [string, string] = ['', ''];
for (let rep = 0; rep < REPS; rep++) {
  const [tw1, hyp] = await time(writeHyparquet);
  const [tw2, wasm] = await time(writeWasm);
  files = [hyp, wasm];
  const rows: Array<[string, number]> = [
    ['write hyparquet-writer', tw1],
    ['write parquet-wasm', tw2],
  ];
  for (const [name, path] of [
    ['hyparquet-writer file', hyp],
    ['parquet-wasm file', wasm],
  ] as const) {
    const [t1, n1] = await time(() => readHyparquet(path));
    const [t2, n2] = await time(() => readWasm(path));
    if (n1 !== N || n2 !== N) throw new Error(`read ${n1} / ${n2} of ${N} rows from ${name}`);
    rows.push([`read ${name} with hyparquet`, t1], [`read ${name} with parquet-wasm`, t2]);
  }
  for (const [k, v] of rows) best[k] = Math.min(best[k] ?? Infinity, v);
}
for (const [k, v] of Object.entries(best)) console.log(`${k.padEnd(46)} ${v.toFixed(0).padStart(6)} ms  ${((mb / v) * 1000).toFixed(1).padStart(6)} MB/s`);
console.log(`write ratio parquet-wasm / hyparquet-writer: ${(best['write parquet-wasm']! / best['write hyparquet-writer']!).toFixed(2)}`);
console.log(`file sizes: hyparquet-writer ${readFileSync(files[0]).length} B, parquet-wasm ${readFileSync(files[1]).length} B`);
rmSync(dir, { recursive: true, force: true });
