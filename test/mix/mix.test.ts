import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, truncateSync, mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { paragraph, rng } from '../../scripts/sample/rng.js';
import { runCli, tempDir } from '../helpers.js';

/** Token shards for three sources of different sizes, through the real tokenize command. */
async function tokenShards(dir: string): Promise<string> {
  const tokens = join(dir, 'tokens');
  const r = rng(11);
  for (const [source, docs] of [
    ['alpha', 120],
    ['beta', 60],
    ['gamma', 25],
  ] as const) {
    const file = join(dir, `${source}.jsonl`);
    writeFileSync(file, `${Array.from({ length: docs }, () => JSON.stringify({ text: paragraph(r, 2 + Math.floor(r() * 6)), source })).join('\n')}\n`);
    const t = await runCli(['tokenize', '--tokenizer', 'llama2', file, '--out', join(tokens, source), '--format', 'megatron']);
    assert.equal(t.code, 0, t.stderr);
  }
  return tokens;
}

function mixture(dir: string, seed: number, out = 'mix'): string {
  const file = join(dir, `mix-${seed}-${out}.yaml`);
  writeFileSync(file, `tokens: tokens\noutput: ${out}\nbudget: 40k\nseed: ${seed}\nweights: { alpha: 0.5, beta: 0.3, gamma: 0.2 }\n`);
  return file;
}

test('a mixture hits its target proportions within 0.5%, repeats small sources, and is seeded', async () => {
  const dir = tempDir();
  await tokenShards(dir);
  const r = await runCli(['mix', mixture(dir, 7), '--json']);
  assert.equal(r.code, 0, r.stderr);
  const res = JSON.parse(r.stdout) as { tokens: number; rows: Array<{ source: string; target: number; achieved: number; epochs: number; available_tokens: number }> };
  for (const row of res.rows) assert.ok(Math.abs(row.achieved - row.target) < 0.005, `${row.source}: ${row.achieved} vs ${row.target}`);
  const gamma = res.rows.find((x) => x.source === 'gamma')!;
  assert.ok(gamma.epochs > 1, `gamma repeats (${gamma.epochs} epochs)`);
  assert.ok(Math.abs(res.tokens - 40_000) < 1000);
  // Same seed, same bytes; another seed, another order.
  assert.equal((await runCli(['mix', mixture(dir, 7, 'again')])).code, 0);
  assert.equal((await runCli(['mix', mixture(dir, 8, 'other')])).code, 0);
  const bin = (d: string) => readFileSync(join(dir, d, 'mix_00000.bin'));
  assert.deepEqual(bin('again'), bin('mix'));
  assert.notDeepEqual(bin('other'), bin('mix'));
  // The blend strings name every per-source shard with weights summing to 1.
  const neox = JSON.parse(readFileSync(join(dir, 'mix', 'blend.neox.json'), 'utf8')) as { 'train-data-paths': string[]; 'train-data-weights': number[] };
  assert.equal(neox['train-data-paths'].length, 3);
  assert.ok(Math.abs(neox['train-data-weights'].reduce((a, b) => a + b, 0) - 1) < 1e-4);
  assert.match(readFileSync(join(dir, 'mix', 'blend.megatron.txt'), 'utf8'), /^0\.5 .*alpha.* 0\.3 .*beta.* 0\.2 .*gamma/);
  // numpy reads the mixture shards through Megatron's published .idx layout.
  const py = `
import numpy as np, struct, json, sys
base = sys.argv[1]
idx = open(base + '.idx', 'rb').read()
assert idx[:9] == b'MMIDIDX\\x00\\x00'
version, = struct.unpack('<Q', idx[9:17]); code = idx[17]
n, d = struct.unpack('<QQ', idx[18:34])
dtype = {8: np.uint16, 4: np.int32}[code]
sizes = np.frombuffer(idx, np.int32, n, 34)
pointers = np.frombuffer(idx, np.int64, n, 34 + 4 * n)
docs = np.frombuffer(idx, np.int64, d, 34 + 12 * n)
data = np.memmap(base + '.bin', dtype=dtype, mode='r')
first = data[pointers[0] // data.itemsize: pointers[0] // data.itemsize + sizes[0]]
print(json.dumps({"n": int(n), "tokens": int(sizes.sum()), "bin": int(data.size), "docs_last": int(docs[-1]), "first": int(first[0]), "last": int(data[-1])}))
`;
  const out = JSON.parse(execFileSync('/usr/bin/python3', ['-c', py, join(dir, 'mix', 'mix_00000')], { encoding: 'utf8' })) as Record<string, number>;
  const manifest = JSON.parse(readFileSync(join(dir, 'mix', 'manifest.json'), 'utf8')) as { documents: number; tokens: number };
  assert.equal(out.n, manifest.documents);
  assert.equal(out.tokens, manifest.tokens);
  assert.equal(out.bin, manifest.tokens);
  assert.equal(out.docs_last, manifest.documents);
  assert.equal(out.first, 1, 'documents start with BOS');
  const v = await runCli(['verify', join(dir, 'mix')]);
  assert.equal(v.code, 0, v.stderr);
});

test('verify catches a flipped byte, a truncated .bin, a wrong dtype and a missing BOS', async () => {
  const dir = tempDir();
  const tokens = await tokenShards(dir);
  // inspect decodes a token shard's document with the tokenizer its manifest names.
  const alpha = join(tokens, 'alpha');
  const bin = readdirSync(alpha).find((f) => f.endsWith('.bin'))!;
  const firstText = (JSON.parse(readFileSync(join(dir, 'alpha.jsonl'), 'utf8').split('\n')[0]!) as { text: string }).text;
  const shown = await runCli(['inspect', join(alpha, bin), '--doc', '0', '--n', '1', '--json']);
  assert.equal(shown.code, 0, shown.stderr);
  const doc = JSON.parse(shown.stdout) as { ids: number[]; text: string };
  assert.equal(doc.text, firstText);
  const enc = await runCli(['encode', '--tokenizer', 'llama2'], { input: firstText });
  assert.deepEqual(doc.ids, JSON.parse(enc.stdout));
  const good = await runCli(['verify', tokens]);
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stdout, /^ok: \d+ files in 3 manifests/);
  const copy = (name: string) => {
    const d = join(dir, name);
    mkdirSync(d);
    execFileSync('cp', ['-r', join(tokens, 'beta'), d]);
    const sub = join(d, 'beta');
    const bin = readdirSync(sub).find((f) => f.endsWith('.bin'))!;
    return { d, sub, bin: join(sub, bin), manifest: join(sub, readdirSync(sub).find((f) => f.endsWith('manifest.json'))!) };
  };
  const fail = async (d: string, re: RegExp) => {
    const r = await runCli(['verify', d]);
    assert.equal(r.code, 1, `expected a failure for ${re}`);
    assert.match(r.stderr, re);
  };
  // A flipped byte.
  const a = copy('flipped');
  const buf = readFileSync(a.bin);
  buf[101]! ^= 0x40;
  writeFileSync(a.bin, buf);
  await fail(a.d, /\.bin: sha256 [0-9a-f]+ does not match the manifest/);
  // A truncated .bin.
  const b = copy('truncated');
  truncateSync(b.bin, readFileSync(b.bin).length - 6);
  await fail(b.d, /\.bin: \d+ bytes, the manifest says \d+/);
  // A wrong dtype for the vocabulary.
  const c = copy('dtype');
  writeFileSync(c.manifest, readFileSync(c.manifest, 'utf8').replace('"dtype": "uint16"', '"dtype": "int32"'));
  await fail(c.d, /dtype int32 for a vocabulary of 32000 \(expected uint16\)/);
  // A document without BOS, with the manifest hash updated so only the content check can see it.
  const e = copy('nobos');
  const data = readFileSync(e.bin);
  data.writeUInt16LE(5, 0);
  writeFileSync(e.bin, data);
  const m = JSON.parse(readFileSync(e.manifest, 'utf8')) as { files: Array<{ name: string; sha256: string }> };
  for (const f of m.files) if (e.bin.endsWith(f.name)) f.sha256 = createHash('sha256').update(data).digest('hex');
  writeFileSync(e.manifest, JSON.stringify(m));
  await fail(e.d, /document 0 starts with 5, expected BOS 1/);
});

test('mix names the sources it leaves out, and its blend files name shards relative to the mixture folder', async () => {
  const dir = tempDir();
  await tokenShards(dir);
  const file = join(dir, 'two.yaml');
  writeFileSync(file, 'tokens: tokens\noutput: out/mix\nbudget: 20k\nweights: { alpha: 0.6, beta: 0.4 }\n');
  const r = await runCli(['mix', file]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^warning: mix: source gamma has token shards \(\d+ tokens\) but no weight: left out of the mixture/m);
  assert.match(r.stdout, /^gamma +left out: no weight/m);
  const mixDir = join(dir, 'out', 'mix');
  const res = JSON.parse(readFileSync(join(mixDir, 'mix.json'), 'utf8')) as { left_out: Array<{ source: string }>; blend_paths: string };
  assert.deepEqual(
    res.left_out.map((x) => x.source),
    ['gamma'],
  );
  assert.equal(res.blend_paths, 'relative to the mixture folder');
  const neox = JSON.parse(readFileSync(join(mixDir, 'blend.neox.json'), 'utf8')) as { 'train-data-paths': string[] };
  for (const p of neox['train-data-paths']) {
    assert.ok(!p.startsWith('/'), p);
    // Each path, taken from the mixture folder, is a shard Megatron can open (<path>.bin and .idx).
    assert.ok(readdirSync(join(mixDir, p, '..')).includes(`${p.split('/').at(-1)}.idx`), p);
  }
  assert.ok(!readFileSync(join(mixDir, 'mix.json'), 'utf8').includes(dir), 'no absolute path in mix.json');
  assert.ok(!readFileSync(join(mixDir, 'blend.megatron.txt'), 'utf8').includes(dir));
});
