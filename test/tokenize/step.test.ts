/** The `tokenize` pipeline step: token shards under <out>/tokens/<tokenizer>/<source>/, same bytes with 1 and 2 workers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers.js';
import { loadTokenizer } from '../../src/tokenize/tokenizer.js';
import { readTokenDocument } from '../../src/tokenize/token-read.js';
import type { TokenManifest } from '../../src/tokenize/run.js';

function hashes(dir: string): Record<string, string> {
  const r: Record<string, string> = {};
  for (const f of readdirSync(dir).sort()) r[f] = createHash('sha256').update(readFileSync(join(dir, f))).digest('hex');
  return r;
}

test('a pipeline tokenize step writes .npy shards and manifests whose ids equal the tokenizer, independent of workers', async () => {
  const dir = tempDir();
  const texts = Array.from({ length: 3000 }, (_, i) => `Document ${i}: ` + 'the quick brown fox jumps over the lazy dog. '.repeat(1 + (i % 7)));
  writeFileSync(join(dir, 'docs.jsonl'), texts.map((t) => JSON.stringify({ text: t })).join('\n') + '\n');
  writeFileSync(join(dir, 'p.yaml'), [
    'name: p', 'settings:', '  task_bytes: 128KiB', 'stages:', '  - name: tok', '    inputs:', '      - source: jsonl', '        urls: ["file:docs.jsonl"]',
    '    steps:', '      - step: tokenize', '        tokenizer: llama2', '        format: npy', '        eos: true', '',
  ].join('\n'));
  const a = join(dir, 'a'), b = join(dir, 'b');
  const r1 = await runCli(['build', join(dir, 'p.yaml'), '--out', a, '--workers', '1']);
  assert.equal(r1.code, 0, r1.stderr);
  const r2 = await runCli(['build', join(dir, 'p.yaml'), '--out', b, '--workers', '2']);
  assert.equal(r2.code, 0, r2.stderr);
  const ta = join(a, 'tokens', 'llama2', 'jsonl');
  const h = hashes(ta);
  assert.ok(Object.keys(h).filter((f) => f.endsWith('.manifest.json')).length >= 2, 'one manifest per task');
  assert.deepEqual(hashes(join(b, 'tokens', 'llama2', 'jsonl')), h);
  // documents, in task order, decode to the input
  const tok = await loadTokenizer('llama2');
  const manifests = Object.keys(h).filter((f) => f.endsWith('.manifest.json')).map((f) => JSON.parse(readFileSync(join(ta, f), 'utf8')) as TokenManifest);
  assert.equal(manifests.reduce((s, m) => s + m.documents, 0), texts.length);
  const first = manifests[0]!.files.find((f) => f.name.endsWith('.npy') && !f.name.includes('offsets'))!;
  for (const k of [0, 1, 7]) {
    const ids = await readTokenDocument(join(ta, first.name), k);
    assert.deepEqual(ids, tok.encode(texts[k]!, { eos: true }));
  }
});
