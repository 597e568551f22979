/**
 * Token shards: Megatron .bin/.idx read back by a reader written here from Megatron's published .idx
 * layout (indexed_dataset.py), .npy read by numpy itself (Debian python3-numpy), rotation, manifest
 * checksums, and byte-identical output whatever the thread count.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadTokenizer } from '../../src/tokenize/tokenizer.js';
import { readInputs } from '../../src/tokenize/inputs.js';
import { tokenizeToShards, countTokens, type TokenManifest } from '../../src/tokenize/run.js';
import { readTokenDocument } from '../../src/tokenize/token-read.js';
import { sampleParagraphs } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'corpusmill-shards-'));
const texts = sampleParagraphs(4 * 1024).slice(0, 1500);
const jsonl = join(tmp, 'books.jsonl.gz');
writeFileSync(jsonl, gzipSync(`${texts.map((t, i) => JSON.stringify({ text: t, id: `d${i}`, source: i % 3 ? 'books' : 'wiki' })).join('\n')}\n`));
const txt = join(tmp, 'note.txt');
writeFileSync(txt, 'A plain text file is one document.\nWith two lines.');
const allTexts = [...texts, readFileSync(txt, 'utf8')];

/** Megatron's .idx layout, read independently of src/tokenize/formats/megatron.ts. */
function readIdx(path: string) {
  const b = readFileSync(path);
  assert.equal(b.toString('latin1', 0, 9), 'MMIDIDX\0\0');
  assert.equal(b.readBigUInt64LE(9), 1n);
  const code = b.readUInt8(17);
  const n = Number(b.readBigUInt64LE(18));
  const d = Number(b.readBigUInt64LE(26));
  assert.equal(b.length, 34 + 12 * n + 8 * d, 'file size = 34 + 12N + 8D');
  const lengths = Array.from({ length: n }, (_, i) => b.readInt32LE(34 + 4 * i));
  const pointers = Array.from({ length: n }, (_, i) => Number(b.readBigInt64LE(34 + 4 * n + 8 * i)));
  const docIdx = Array.from({ length: d }, (_, i) => Number(b.readBigInt64LE(34 + 12 * n + 8 * i)));
  return { code, lengths, pointers, docIdx };
}

function sha(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

test('Megatron .bin/.idx round-trips every document, rotates, and the manifest checksums match', async () => {
  const tok = await loadTokenizer('llama2');
  const out = join(tmp, 'mega');
  const m = await tokenizeToShards(tok, readInputs([jsonl, txt]), { out, format: 'megatron', maxBytes: 64 * 1024, threads: 2, batchBytes: 100_000 });
  const want = tok.encodeMany(allTexts).map((w) => Array.from(w));
  const bins = m.files.filter((f) => f.name.endsWith('.bin'));
  assert.ok(bins.length >= 3, `rotated into ${bins.length} shards`);
  const got: number[][] = [];
  for (const bin of bins) {
    const idx = readIdx(join(out, bin.name.replace(/\.bin$/, '.idx')));
    assert.equal(idx.code, 8, 'uint16 for a 32k vocabulary');
    assert.deepEqual(
      idx.docIdx,
      Array.from({ length: idx.lengths.length + 1 }, (_, i) => i),
    );
    const data = readFileSync(join(out, bin.name));
    assert.equal(data.length, idx.lengths.reduce((a, b) => a + b, 0) * 2);
    idx.lengths.forEach((len, i) => {
      got.push(Array.from({ length: len }, (_, k) => data.readUInt16LE(idx.pointers[i]! + 2 * k)));
    });
  }
  assert.deepEqual(got, want);
  assert.equal(m.documents, allTexts.length);
  assert.equal(
    m.tokens,
    want.reduce((a, w) => a + w.length, 0),
  );
  assert.deepEqual(Object.keys(m.sources), ['books', 'note', 'wiki']);
  for (const f of m.files) assert.equal(sha(join(out, f.name)), f.sha256, f.name);
  const onDisk = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as TokenManifest;
  assert.deepEqual(onDisk, JSON.parse(JSON.stringify(m)));
  assert.equal(onDisk.tokenizer.name, 'llama2');
  // a document read back through the inspect reader decodes to its text
  const k = 700;
  let doc = k;
  let shard = 0;
  for (; shard < bins.length; shard++) {
    const nDocs = readIdx(join(out, bins[shard]!.name.replace(/\.bin$/, '.idx'))).lengths.length;
    if (doc < nDocs) break;
    doc -= nDocs;
  }
  const ids = await readTokenDocument(join(out, bins[shard]!.name), doc);
  assert.deepEqual(ids, want[k]);
  assert.equal(tok.decode(ids), allTexts[k]);
});

test('.npy shards load with numpy and match the ids; offsets .npy holds document boundaries', async () => {
  const tok = await loadTokenizer('llama2');
  const out = join(tmp, 'npy');
  const m = await tokenizeToShards(tok, readInputs([jsonl]), { out, format: 'npy', threads: 2, eos: true });
  const want = tok.encodeMany(texts, { eos: true }).map((w) => Array.from(w));
  assert.deepEqual(
    m.files.map((f) => f.name),
    ['tokens_00000.npy', 'tokens_00000.offsets.npy'],
  );
  const py = `import numpy as np, json, sys
t = np.load(sys.argv[1]); o = np.load(sys.argv[2])
print(json.dumps({"dtype": str(t.dtype), "n": int(t.shape[0]), "odtype": str(o.dtype), "offsets": o.tolist(), "head": t[:50].tolist(), "sum": int(t.astype(np.int64).sum())}))`;
  const r = JSON.parse(execFileSync('/usr/bin/python3', ['-c', py, join(out, 'tokens_00000.npy'), join(out, 'tokens_00000.offsets.npy')]).toString()) as {
    dtype: string;
    n: number;
    odtype: string;
    offsets: number[];
    head: number[];
    sum: number;
  };
  const flat = want.flat();
  assert.equal(r.dtype, 'uint16');
  assert.equal(r.odtype, 'int64');
  assert.equal(r.n, flat.length);
  assert.deepEqual(r.head, flat.slice(0, 50));
  assert.equal(
    r.sum,
    flat.reduce((a, b) => a + b, 0),
  );
  let acc = 0;
  assert.deepEqual(r.offsets, [0, ...want.map((w) => (acc += w.length))]);
  assert.ok(
    want.every((w) => w[0] === 1 && w[w.length - 1] === 2),
    'BOS and EOS around each document',
  );
  assert.deepEqual(await readTokenDocument(join(out, 'tokens_00000.npy'), 5), want[5]);
});

test('shard bytes and counts are the same with 1 and 2 threads', async () => {
  const tok = await loadTokenizer('llama2');
  const a = await tokenizeToShards(tok, readInputs([jsonl]), { out: join(tmp, 't1'), format: 'megatron', threads: 1, batchBytes: 50_000 });
  const b = await tokenizeToShards(tok, readInputs([jsonl]), { out: join(tmp, 't2'), format: 'megatron', threads: 2, batchBytes: 50_000 });
  assert.deepEqual(a.files, b.files);
  const c = await countTokens(tok, readInputs([jsonl]), { threads: 2 });
  assert.equal(c.tokens, a.tokens);
  assert.deepEqual(c.sources, a.sources);
});

test('a rerun with the same prefix removes the temporary files a killed attempt left, and only its own', async () => {
  const tok = await loadTokenizer('llama2');
  const out = join(tmp, 'rerun');
  mkdirSync(out, { recursive: true });
  // What a process killed mid-shard and mid-manifest leaves, beside another task's leftovers.
  const stale = ['part-00003_00000.bin.tmp-999-1', 'part-00003_00001.idx.tmp-999-2', 'part-00003.manifest.json.tmp-999-3'];
  const other = 'part-00004_00000.bin.tmp-998-1';
  for (const n of [...stale, other]) writeFileSync(join(out, n), 'partial');
  await tokenizeToShards(tok, readInputs([txt]), { out, prefix: 'part-00003', manifestName: 'part-00003.manifest.json', format: 'megatron' });
  assert.deepEqual(readdirSync(out).sort(), ['part-00003.manifest.json', 'part-00003_00000.bin', 'part-00003_00000.idx', other].sort());
  // A task with no documents writes nothing but still clears what it left before.
  writeFileSync(join(out, 'part-00005_00000.bin.tmp-997-1'), 'partial');
  await tokenizeToShards(tok, readInputs([]), { out, prefix: 'part-00005', manifestName: 'part-00005.manifest.json', skipEmptyManifest: true, format: 'megatron' });
  assert.ok(!readdirSync(out).some((n) => n.startsWith('part-00005')));
});
