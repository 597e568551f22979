/**
 * The sample SFT pipeline end to end (pipelines/sample-sft.yaml): sources with provenance ids and
 * quarantine, dedup on the rendered examples, SFT shards that `corpusmill verify` accepts and that
 * numpy reads (python3: ids, masks, offsets, example spans, Megatron indexes), the report's SFT
 * table; then shard rotation with packing, and verify catching broken masks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, runCli, tempDir } from '../../helpers.js';
import { readShard } from '../../../src/io/shards.js';
import type { TokenManifest } from '../../../src/tokenize/run.js';
import { alpacaPromptRef, llama3Js, llamaJs, llamaMaskAfter, sampleAlpaca, sampleChats, strip } from './refs.js';

/** numpy's view of every SFT shard under a folder: per manifest, the arrays as lists (python3). */
const NUMPY_READER = String.raw`
import json, struct, sys, pathlib
import numpy as np
out = {}
for mp in sorted(pathlib.Path(sys.argv[1]).rglob('*.manifest.json')):
    m = json.load(open(mp))
    here = mp.parent
    res = []
    for f in m['files']:
        name = f['name']
        if f.get('role') or name.endswith('.offsets.npy') or name.endswith('.idx'):
            continue
        base = here / name.rsplit('.', 1)[0]
        if m['format'] == 'npy':
            ids = np.load(str(base) + '.npy')
            mask = np.load(str(base) + '.mask.npy')
            offsets = np.load(str(base) + '.offsets.npy')
            assert mask.dtype == np.uint8 and offsets.dtype == np.int64
        else:
            def index(p):
                b = open(p, 'rb').read()
                assert b[:9] == b'MMIDIDX\x00\x00' and struct.unpack('<Q', b[9:17])[0] == 1
                code = b[17]
                n, d = struct.unpack('<QQ', b[18:34])
                lengths = np.frombuffer(b, np.int32, n, 34)
                return code, lengths
            code, lengths = index(str(base) + '.idx')
            mcode, mlengths = index(str(base) + '.mask.idx')
            assert code in (8, 4) and mcode == 1 and (lengths == mlengths).all()
            ids = np.fromfile(str(base) + '.bin', np.uint16 if code == 8 else np.int32)
            mask = np.fromfile(str(base) + '.mask.bin', np.uint8)
            offsets = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)])
        assert len(ids) == len(mask) == offsets[-1]
        spans = np.load(str(base) + '.examples.npy').tolist() if m['sft']['pack_length'] else None
        seqs = [[ids[a:b].tolist(), mask[a:b].tolist()] for a, b in zip(offsets[:-1], offsets[1:])]
        res.append({'sequences': seqs, 'spans': spans, 'trained': int(mask.sum())})
    out[str(mp.relative_to(sys.argv[1]))] = res
json.dump(out, sys.stdout)
`;

interface NumpyShard {
  sequences: Array<[number[], number[]]>;
  spans: Array<[number, number]> | null;
  trained: number;
}

function numpyView(dir: string): Record<string, NumpyShard[]> {
  return JSON.parse(execFileSync('python3', ['-c', NUMPY_READER, dir], { encoding: 'utf8', maxBuffer: 64 << 20 })) as Record<string, NumpyShard[]>;
}

async function docs(path: string) {
  const out = [];
  for (const f of readdirSync(path)
    .filter((n) => n.endsWith('.jsonl.zst'))
    .sort())
    for await (const d of readShard(join(path, f), { source: 'x' })) out.push(d);
  return out;
}

test('the sample SFT pipeline: Alpaca and chat records to shards verify accepts and numpy reads, masks exact to the references', async () => {
  const out = tempDir();
  const r = await runCli(['build', join(repoRoot, 'pipelines', 'sample-sft.yaml'), '--out', out]);
  assert.equal(r.code, 0, r.stderr);

  // sources: provenance ids, text = the rendered example, meta.sft = the record; dedup saw the rendered text
  const alpacaDocs = await docs(join(out, 'instruct', 'alpaca'));
  const first = sampleAlpaca()[0]!;
  assert.equal(alpacaDocs[0]!.id, 'alpaca/alpaca_data_sample.json/0');
  assert.equal(alpacaDocs[0]!.text, alpacaPromptRef(first) + first.output);
  assert.deepEqual(alpacaDocs[0]!.meta.sft, { template: 'alpaca', format: 'alpaca', ...first });
  const stats = JSON.parse(readFileSync(join(out, 'stats.json'), 'utf8')) as {
    stages: Array<{
      name: string;
      sources: Record<string, { quarantined: Record<string, number>; steps: Array<{ step: string; drops: Record<string, number>; counts?: Record<string, number> }> }>;
    }>;
  };
  const alpaca = stats.stages.find((s) => s.name === 'instruct')!.sources.alpaca!;
  assert.deepEqual(alpaca.quarantined, { missing_output: 1 });
  assert.deepEqual(
    alpaca.steps.map((s) => [s.step, s.drops]),
    [
      ['exact_dedup', { duplicate: 1 }],
      ['minhash_dedup', { duplicate: 1 }],
      ['sft_tokenize', {}],
    ],
  );
  assert.equal(alpacaDocs.length, 53);

  const np = numpyView(join(out, 'sft'));
  const tokens = Object.values(np)
    .flat()
    .reduce((n, sh) => n + sh.sequences.reduce((k, s) => k + s[0].length, 0), 0);
  const v = await runCli(['verify', join(out, 'sft'), '--json']);
  assert.equal(v.code, 0, v.stderr);
  // ...and every task's manifest holds exactly the examples that task counted (checked against the catalog)
  assert.deepEqual(JSON.parse(v.stdout), {
    manifests: 3,
    files: 12,
    documents: 53 + 12 + 2,
    tokens,
    examples: 53 + 12 + 12,
    complete: { catalog: join(out, 'catalog.sqlite'), tasks: 3 },
  });

  // alpaca (llama2, Megatron): one sequence per surviving document, in order, equal to the references
  const kept = alpacaDocs.map((d) => d.meta.sft as { instruction: string; input: string; output: string });
  const [a] = np['llama2/alpaca/part-00000.manifest.json']!;
  assert.equal(a!.sequences.length, kept.length);
  kept.forEach((e, i) => {
    const prompt = alpacaPromptRef(e);
    const ids = [...llamaJs.encode(prompt + e.output, true, true), 2];
    assert.deepEqual(a!.sequences[i]![0], ids, `alpaca ${i}`);
    assert.deepEqual(a!.sequences[i]![1], [...llamaMaskAfter(ids.slice(0, -1), Buffer.byteLength(prompt)), 1], `alpaca ${i} mask`);
  });
  const m = JSON.parse(readFileSync(join(out, 'sft', 'llama2', 'alpaca', 'part-00000.manifest.json'), 'utf8')) as TokenManifest;
  assert.equal(m.sft!.response_tokens, a!.trained);
  assert.equal(m.sft!.examples, kept.length);
  // llama3 chats, packed into rows of 512 (npy): spans cover each chat in order; padding is EOS, masked
  const [c] = np['llama3/chat/part-00000.manifest.json']!;
  const chats = sampleChats();
  assert.equal(c!.spans!.length, chats.length);
  const flat = c!.sequences.flatMap((s) => s[0]);
  const flatMask = c!.sequences.flatMap((s) => s[1]);
  chats.forEach((chat, i) => {
    const [s, e] = c!.spans![i]!;
    assert.equal(Math.floor(s / 512), Math.floor((e - 1) / 512), 'an example stays in its row');
    const text = `<|begin_of_text|>${chat.messages.map((msg) => `<|start_header_id|>${msg.role}<|end_header_id|>\n\n${strip(msg.content)}<|eot_id|>`).join('')}`;
    assert.deepEqual(flat.slice(s, e), llama3Js.encode(text, { bos: false, eos: false }), `chat ${i}`);
  });
  const covered = new Set<number>();
  for (const [s, e] of c!.spans!) for (let k = s; k < e; k++) covered.add(k);
  flat.forEach((id, k) => {
    if (!covered.has(k)) assert.deepEqual([id, flatMask[k]], [128001, 0], `padding at ${k}`);
  });

  const report = readFileSync(join(out, 'report.html'), 'utf8');
  assert.match(report, /Instruction data \(SFT shards\)/);
  assert.match(report, new RegExp(`<td>alpaca</td><td>llama2</td><td>alpaca</td><td>${kept.length}</td>`));
});

test('packed SFT shards rotate at max_shard_bytes with example spans rebased per shard; verify catches a broken mask', async () => {
  const dir = tempDir();
  writeFileSync(
    join(dir, 'p.yaml'),
    [
      'name: p',
      'stages:',
      '  - name: s',
      '    inputs:',
      '      - source: chat',
      `        urls: [${JSON.stringify(`file:${join(repoRoot, 'samples', 'sft', 'chat_sample.jsonl')}`)}]`,
      '        template: llama3',
      '    steps:',
      '      - step: sft_tokenize',
      '        tokenizer: llama3',
      '        pack_length: 128',
      '        max_length: 100',
      '        max_shard_bytes: 1024',
      '',
    ].join('\n'),
  );
  const out = join(dir, 'out');
  const r = await runCli(['build', join(dir, 'p.yaml'), '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const folder = join(out, 'sft', 'llama3', 'chat');
  const v = await runCli(['verify', folder]);
  assert.equal(v.code, 0, v.stderr);
  const [view] = Object.values(numpyView(folder));
  assert.ok(view!.length >= 3, `several shards (${view!.length})`);
  let examples = 0;
  for (const shard of view!) {
    for (const [s, e] of shard.spans!) assert.ok(s >= 0 && e <= shard.sequences.length * 128 && Math.floor(s / 128) === Math.floor((e - 1) / 128));
    examples += shard.spans!.length;
  }
  assert.equal(examples, sampleChats().length);

  // break the mask: train the first token of an example (BOS), and fix the manifest's hash so only the mask check can fail
  const mPath = join(folder, 'part-00000.manifest.json');
  const manifest = JSON.parse(readFileSync(mPath, 'utf8')) as TokenManifest;
  const maskFile = manifest.files.find((f) => f.role === 'mask')!;
  const bin = readFileSync(join(folder, maskFile.name));
  bin[0] = 1;
  writeFileSync(join(folder, maskFile.name), bin);
  maskFile.sha256 = createHash('sha256').update(bin).digest('hex');
  writeFileSync(mPath, JSON.stringify(manifest));
  const bad = await runCli(['verify', folder]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /token 0 \(example 0\): an example's first token must be masked/);
  // a trained span that does not end on <|eot_id|>: untrain an assistant's eot
  bin[0] = 0;
  const ids = readFileSync(join(folder, maskFile.name.replace('.mask', '')));
  let eot = -1;
  for (let k = 0; k < bin.length; k++) if (ids.readInt32LE(k * 4) === 128009 && bin[k] === 1) eot = k;
  bin[eot] = 0;
  writeFileSync(join(folder, maskFile.name), bin);
  maskFile.sha256 = createHash('sha256').update(bin).digest('hex');
  writeFileSync(mPath, JSON.stringify(manifest));
  const bad2 = await runCli(['verify', folder]);
  assert.equal(bad2.code, 1);
  assert.match(bad2.stderr, /a trained span ends on id \d+, not on an end token \(128009\)/);
});
