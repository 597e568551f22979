/**
 * llama2 must give exactly the ids of the references: llama-tokenizer-js (the vocabulary's source), HF
 * tokenizers with a tokenizer.json of the same vocabulary, and Debian's sentencepiece `spm_encode` with
 * the same vocabulary as a tokenizer.model. Inputs: every file of test/data, the published
 * expected-id cases, and generated edge cases.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import llamaJs from 'llama-tokenizer-js';
import { Tokenizer as HfTokenizer } from '@anush008/tokenizers';
import { loadTokenizer, packDocuments } from '../../src/tokenize/tokenizer.js';
import { llamaTokenizerJsData } from '../../src/tokenize/models/llama2.js';
import { diffIds, edgeCases, invalidUtf8Cases, llamaModelProto, llamaTokenizerJson, sampleParagraphs, samplesDir, sampleTexts, splitLines, spmEncodeLines } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'corpusmill-llama2-'));
const { pieces, merges } = llamaTokenizerJsData();

test('llama2 gives the published llama-tokenizer-js ids (BOS + dummy prefix)', async () => {
  const t = await loadTokenizer('llama2');
  const cases = JSON.parse(readFileSync(join(samplesDir, 'tokenizer', 'belladoreai-llama-tokenizer-js.cases.json'), 'utf8')) as {
    encode_cases: Array<{ input: string; expected_ids_with_bos: number[] }>;
  };
  assert.ok(cases.encode_cases.length >= 12);
  for (const c of cases.encode_cases) {
    assert.deepEqual(t.encode(c.input), c.expected_ids_with_bos, JSON.stringify(c.input));
    assert.equal(t.decode(c.expected_ids_with_bos), c.input, 'decode round trip');
  }
});

test("llama2 gives llama.cpp's expected ids for its llama-spm vocab tests", async () => {
  const t = await loadTokenizer('llama2');
  const dir = join(samplesDir, 'tokenizer', 'llama.cpp-vocab-tests');
  const inputs = readFileSync(join(dir, 'ggml-vocab-llama-spm.gguf.inp'), 'utf8').split('\n__ggml_vocab_test__\n');
  inputs.pop(); // text after the last separator
  const outputs = readFileSync(join(dir, 'ggml-vocab-llama-spm.gguf.out'), 'utf8').split('\n');
  assert.ok(inputs.length > 30);
  inputs.forEach((inp, i) => {
    const want = outputs[i]!.trim() ? outputs[i]!.trim().split(/\s+/).map(Number) : [];
    assert.deepEqual(t.encode(inp, { bos: false }), want, JSON.stringify(inp));
  });
});

const docs = [...edgeCases(), ...sampleParagraphs(12 * 1024)];

test('llama2 equals llama-tokenizer-js on every sample (first 12 KB of each file, by paragraph) and the edge cases', async () => {
  const t = await loadTokenizer('llama2');
  const want = docs.map((d) => llamaJs.encode(d, false, true) ?? []);
  const got = t.encodeMany(docs, { bos: false, threads: 2 });
  const r = diffIds('llama-tokenizer-js', docs, want, got);
  assert.ok(r.docs > 2000 && r.ids > 500_000, `compared ${r.docs} documents, ${r.ids} ids`);
  assert.deepEqual(r.bad, []);
});

test('llama2 and the tokenizer.json loader equal HF tokenizers on the same documents', async () => {
  const path = join(tmp, 'tokenizer.json');
  writeFileSync(path, llamaTokenizerJson(pieces, merges));
  const hf = HfTokenizer.fromFile(path);
  // HF matches <s>, </s>, <unk> written in the text (AddedVocabulary); sentencepiece and we do not, by design.
  const plain = docs.filter((d) => !/<\/?s>|<unk>/.test(d));
  const want = (await hf.encodeBatch(plain, { addSpecialTokens: false })).map((e) => e.getIds());
  const ours = await loadTokenizer('llama2');
  const fromJson = await loadTokenizer(path);
  assert.equal(fromJson.info.vocabSize, 32000);
  const r1 = diffIds('hf vs llama2', plain, want, ours.encodeMany(plain, { bos: false }));
  const r2 = diffIds('hf vs tokenizer.json', plain, want, fromJson.encodeMany(plain, { bos: false }));
  assert.ok(r1.ids > 200_000, `compared ${r1.docs} documents, ${r1.ids} ids`);
  assert.deepEqual(r1.bad, []);
  assert.deepEqual(r2.bad, []);
});

test('llama2 and the tokenizer.model loader equal sentencepiece spm_encode on raw sample bytes, invalid UTF-8 included', async () => {
  const model = join(tmp, 'llama.model');
  writeFileSync(model, llamaModelProto(pieces, merges));
  const lines: Buffer[] = [
    ...invalidUtf8Cases(),
    ...edgeCases()
      .filter((s) => !s.includes('\n'))
      .map((s) => Buffer.from(s)),
  ];
  for (const s of sampleTexts()) lines.push(...splitLines(s.bytes.subarray(0, 16 * 1024)));
  const want = spmEncodeLines(model, lines);
  const ours = await loadTokenizer('llama2');
  const fromModel = await loadTokenizer(model);
  assert.deepEqual([fromModel.info.bosId, fromModel.info.eosId, fromModel.info.vocabSize], [1, 2, 32000]);
  const r1 = diffIds('spm vs llama2', lines, want, ours.encodeMany(lines, { bos: false }));
  const r2 = diffIds('spm vs tokenizer.model', lines, want, fromModel.encodeMany(lines, { bos: false }));
  assert.ok(r1.docs > 20_000 && r1.ids > 500_000, `compared ${r1.docs} lines, ${r1.ids} ids`);
  assert.deepEqual(r1.bad, []);
  assert.deepEqual(r2.bad, []);
});

test('very long inputs (10 MB of one letter, of digits, without spaces) encode exactly like the reference on a prefix and finish', async () => {
  const t = await loadTokenizer('llama2');
  for (const unit of ['a', '7', 'xq9Zk/+=']) {
    const small = unit.repeat(Math.ceil(3000 / unit.length));
    assert.deepEqual(t.encode(small, { bos: false }), llamaJs.encode(small, false, true), unit);
    const big = Buffer.from(unit.repeat(Math.ceil(10_000_000 / unit.length)));
    const r = await t.encodeBatch(packDocuments([big]), { bos: false, threads: 1 });
    const ids = r.ids as Uint32Array;
    assert.ok(ids.length > 0 && ids.length <= big.length + 1);
    assert.ok(t.decodeBytes(ids).equals(big), 'decodes back to the input');
  }
});
