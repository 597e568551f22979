/**
 * `.tiktoken` files by path (tiktokenSpec) and the errors a bad file or spec gives, naming what is wrong.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { byteBpeNative, tiktokenSpec, type ByteBpeSpec } from '../../src/tokenize/models/tiktoken.js';

const native = byteBpeNative();
const dir = mkdtempSync(join(tmpdir(), 'corpusmill-tiktoken-'));
const bytesOnly = `${Array.from({ length: 256 }, (_, b) => `${Buffer.from([b]).toString('base64')} ${b}`).join('\n')}\n`;

test('a .tiktoken file named like a known encoding gets its pattern and special tokens', () => {
  const path = join(dir, 'my-cl100k_base.tiktoken');
  writeFileSync(path, tiktokenSpec('cl100k_base').tiktoken);
  const spec = tiktokenSpec(path);
  assert.equal(spec.pattern, 'cl100k_base');
  assert.equal(spec.eosId, 100257);
  assert.equal(spec.vocabSize, 100277);
  const text = Buffer.from("Hello world, it's 2024!\n\n  <|endoftext|>");
  const a = native.byteBpeEncode(native.byteBpeCreate(spec), text);
  const b = native.byteBpeEncode(native.byteBpeCreate(tiktokenSpec('cl100k_base')), text);
  assert.deepEqual([...a], [...b]);
});

test('an unknown .tiktoken file gets the cl100k pattern and no special tokens; Windows line ends are fine', () => {
  const path = join(dir, 'bytes.tiktoken');
  writeFileSync(path, `${bytesOnly.replace(/\n/g, '\r\n')}${Buffer.from('ab').toString('base64')} 256\n`);
  const spec = tiktokenSpec(path);
  assert.equal(spec.pattern, 'cl100k_base');
  assert.deepEqual(spec.specials, {});
  assert.equal(spec.vocabSize, 257);
  assert.equal(spec.eosId, null);
  const h = native.byteBpeCreate(spec);
  // Pieces "abc" and " ab"; the only merge is "ab".
  assert.deepEqual([...native.byteBpeEncode(h, Buffer.from('abc ab'))], [256, 99, 32, 256]);
  assert.equal(native.byteBpeDecode(h, Uint32Array.from([256, 99])).toString(), 'abc');
});

test('bad .tiktoken data and specs are refused with the reason', () => {
  const spec = (tiktoken: string, extra: Partial<ByteBpeSpec> = {}): ByteBpeSpec => ({
    kind: 'byte_bpe',
    tiktoken: Buffer.from(tiktoken),
    specials: {},
    pattern: 'cl100k_base',
    name: 't',
    vocabSize: 0,
    bosId: null,
    eosId: null,
    ...extra,
  });
  assert.throws(() => native.byteBpeCreate(spec(`${bytesOnly}not-base64! 300\n`)), /line 257: bad base64/);
  assert.throws(() => native.byteBpeCreate(spec(`${bytesOnly}YWI=\n`)), /line 257: expected "base64 rank"/);
  assert.throws(() => native.byteBpeCreate(spec(`${bytesOnly}YWI= 12\n`)), /duplicate rank 12/);
  assert.throws(() => native.byteBpeCreate(spec(`${bytesOnly}YQ== 300\n`)), /duplicate token bytes/);
  assert.throws(() => native.byteBpeCreate(spec(bytesOnly.split('\n').slice(1).join('\n'))), /lacks the single byte 0/);
  assert.throws(() => native.byteBpeCreate(spec(`${bytesOnly}YWI= 4000000000\n`)), /bad rank|too large/);
  assert.throws(() => native.byteBpeCreate(spec(bytesOnly, { pattern: 'nope' as ByteBpeSpec['pattern'] })), /unknown pattern 'nope'/);
  assert.throws(() => native.byteBpeCreate(spec(bytesOnly, { specials: { '<x>': 5 } })), /special token <x> has id 5, which is a rank/);
  assert.throws(() => native.byteBpeCreate({ ...spec(bytesOnly), tiktoken: 'text' as unknown as Buffer }), /spec.tiktoken must be a Buffer/);
  const h = native.byteBpeCreate(spec(bytesOnly));
  assert.throws(() => native.byteBpeDecode(h, Uint32Array.from([999])), /unknown token id 999/);
  assert.throws(() => native.byteBpeEncode({} as never, Buffer.from('x')), /handle/);
  assert.throws(() => tiktokenSpec(join(dir, 'missing.tiktoken')), /cannot read the .tiktoken file/);
});

test('byteBpeCount gives the number of ids byteBpeEncode gives', () => {
  const h = native.byteBpeCreate(tiktokenSpec('cl100k_base'));
  for (const text of ['', 'hello world', "It's 2024.\n\n  Ünïcödé 你好 🦙"]) {
    assert.equal(native.byteBpeCount(h, Buffer.from(text)), native.byteBpeEncode(h, Buffer.from(text)).length);
  }
});
