/** The tokenizer commands as a user runs them: encode, decode, count (table and JSON), tokenize, and their errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runCli, tempDir } from '../helpers.js';
import llamaJs from 'llama-tokenizer-js';
import { readTokenDocument } from '../../src/tokenize/token-read.js';
import { loadTokenizer } from '../../src/tokenize/tokenizer.js';
import { checkInputs } from '../../src/tokenize/inputs.js';
import type { CountReport } from '../../src/tokenize/run.js';
import { formatCount } from '../../src/cli/commands/count.js';
import { parseIds } from '../../src/cli/commands/decode.js';
import { ConfigError } from '../../src/core/errors.js';

test('encode prints ids (BOS by default, --no-bos, --eos) and decode inverts it', async () => {
  const e = await runCli(['encode', '--tokenizer', 'llama2'], { input: ' grabbed' });
  assert.equal(e.code, 0, e.stderr);
  assert.deepEqual(JSON.parse(e.stdout), [1, 29871, 2646, 1327, 287]);
  const d = await runCli(['decode', '-t', 'llama2'], { input: '1 29871 2646 1327 287' });
  assert.equal(d.code, 0, d.stderr);
  assert.equal(d.stdout, ' grabbed');
  const tok = await loadTokenizer('llama2');
  assert.deepEqual(tok.encode('grabbed', { bos: false, eos: true }), [2646, 1327, 287, 2]);
});

test('count prints per-source totals as a table and as JSON; tokenize writes shards inspectable by document', async () => {
  const dir = tempDir();
  const jsonl = join(dir, 'mix.jsonl.gz');
  const docs = [
    { text: 'The llama is a domesticated South American camelid.', source: 'wiki' },
    { text: 'def f(x):\n    return x * 2\n', source: 'code' },
    { text: 'Ein Lama ist ein Kamel.', source: 'wiki' },
  ];
  writeFileSync(jsonl, gzipSync(`${docs.map((d) => JSON.stringify(d)).join('\n')}\n`));
  const txt = join(dir, 'book.txt');
  writeFileSync(txt, 'Call me Ishmael.');
  const j = await runCli(['count', '-t', 'llama2', '--json', '--threads', '2', jsonl, txt]);
  assert.equal(j.code, 0, j.stderr);
  const r = JSON.parse(j.stdout) as { documents: number; tokens: number; bytes: number; sources: Record<string, { documents: number; tokens: number }> };
  assert.equal(r.documents, 4);
  assert.deepEqual(Object.keys(r.sources), ['book', 'code', 'wiki']);
  assert.equal(r.sources.wiki!.documents, 2);
  assert.equal(r.sources.book!.tokens, llamaJs.encode('Call me Ishmael.', true, true).length);
  assert.equal(
    r.tokens,
    Object.values(r.sources).reduce((a, s) => a + s.tokens, 0),
  );
  const table = formatCount(r as CountReport);
  assert.match(table, /^source\s+documents\s+tokens\s+bytes/m);
  assert.match(table, /^total\s+4\s+/m);

  const out = join(dir, 'tok');
  const k = await runCli(['tokenize', '-t', 'llama2', '--format', 'megatron', '--out', out, jsonl]);
  assert.equal(k.code, 0, k.stderr);
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { documents: number; dtype: string };
  assert.equal(manifest.documents, 3);
  assert.equal(manifest.dtype, 'uint16');
  const ids = await readTokenDocument(join(out, 'tokens_00000.idx'), 2);
  assert.equal((await loadTokenizer('llama2')).decode(ids), docs[2]!.text);
});

test('an unknown tokenizer or a bad input is a usage error naming it', async () => {
  const a = await runCli(['count', '-t', 'gpt17', 'x.jsonl']);
  assert.equal(a.code, 2);
  assert.match(a.stderr, /unknown tokenizer "gpt17"/);
  assert.throws(
    () => checkInputs(['data.csv']),
    (e: Error) => e instanceof ConfigError && /data\.csv: not a supported input/.test(e.message),
  );
  const tok = await loadTokenizer('llama2');
  assert.throws(() => tok.decode(parseIds('[1, 99999]')), /99999 is outside the vocabulary/);
  assert.throws(() => parseIds('1 two'), /"two" is not a token id/);
});
