/**
 * byte_bpe parity on real text and on published expected ids: every id must equal the reference's
 * (tiktoken npm for cl100k/o200k/r50k/p50k; Meta's rank BPE via tiktoken and llama3-tokenizer-js for
 * llama3), and decode must give the text back.
 *
 * The references are slow (about 1 MB/s, quadratic on long pieces), so the sample files are capped per
 * file: every file of test/data is used, from its start. `CORPUSMILL_FULL_PARITY=1` uses whole
 * files (24.7 MB; 0 differences when last run, see docs/tokenize-tiktoken.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sampleDocs, samplesDir, type SampleDoc } from './tiktoken-samples.js';
import { decode, encode, firstDifference, llama3JsEncode, model, native, reference, referenceEncode } from './tiktoken-refs.js';
import { tiktokenSpec, type ByteBpeHandle, type TiktokenName } from '../../src/tokenize/models/tiktoken.js';

const FULL = process.env.CORPUSMILL_FULL_PARITY === '1';
const CAP: Record<string, number> = { cl100k_base: 16 << 10, o200k_base: 8 << 10, llama3: 8 << 10, llama3js: 4 << 10 };

let docs: SampleDoc[] | undefined;
async function docsCapped(cap: number): Promise<SampleDoc[]> {
  docs ??= await sampleDocs(FULL ? Infinity : 16 << 10);
  if (FULL) return docs;
  // Cut each document at a code point boundary below the cap (the cap is on UTF-8 bytes).
  return docs.map((d) => ({
    name: d.name,
    text: Buffer.from(d.text)
      .subarray(0, cap)
      .toString('utf8')
      .replace(/\uFFFD$/, ''),
  }));
}

function checkSamples(name: TiktokenName, docs: SampleDoc[], ref: (text: string) => ArrayLike<number>): void {
  const failures: string[] = [];
  let ids = 0;
  for (const d of docs) {
    const mine = encode(name, d.text);
    ids += mine.length;
    const diff = firstDifference(mine, ref(d.text));
    if (diff) failures.push(`${d.name}: ${diff}`);
    if (decode(name, mine) !== d.text) failures.push(`${d.name}: decode(encode(text)) differs from text`);
  }
  assert.deepEqual(failures.slice(0, 10), [], `${failures.length} documents differ`);
  assert.ok(ids > 50_000, `only ${ids} ids compared`);
}

for (const name of ['cl100k_base', 'o200k_base', 'llama3'] as const) {
  test(`${name}: every sample file encodes to the reference's ids (tiktoken${name === 'llama3' ? " with Meta's LLaMA-3 ranks and regex" : ''})`, async () => {
    checkSamples(name, await docsCapped(CAP[name]!), (t) => reference(name).encode_ordinary(t));
  });
}

/**
 * Where JavaScript's RegExp differs from Rust's, llama3-tokenizer-js differs from Meta's tokenizer and
 * corpusmill follows Meta: JS `\s` includes U+FEFF and excludes U+0085, and its contractions fold only
 * ASCII case (`'ſ`). Documents containing those are compared with Meta's semantics only (test above).
 */
const JS_REGEX_DIVERGENCE = /[\uFEFF\u0085]|'\u017F/;

test('llama3: every sample file encodes to llama3-tokenizer-js ids (except where JS regex semantics differ)', async () => {
  const all = await docsCapped(CAP.llama3js!);
  const docs = all.filter((d) => !JS_REGEX_DIVERGENCE.test(d.text));
  assert.ok(docs.length > all.length * 0.95);
  checkSamples('llama3', docs, llama3JsEncode);
});

test('llama3 follows Meta, not llama3-tokenizer-js, where JS regex semantics differ (U+FEFF, U+0085)', () => {
  for (const text of ['>\n\uFEFF<header class', 'a \u0085b', '\uFEFF\uFEFF&lt;/']) {
    assert.equal(firstDifference(encode('llama3', text), referenceEncode('llama3', text)), null, JSON.stringify(text));
    assert.notDeepEqual(encode('llama3', text), llama3JsEncode(text), JSON.stringify(text));
  }
});

const tokenizerDir = join(samplesDir, 'tokenizer');

test('SharpToken test plans (generated with Python tiktoken): cl100k, o200k, r50k, p50k, p50k_edit ids', () => {
  const plans = JSON.parse(readFileSync(join(tokenizerDir, 'tiktoken-expected-ids', 'sharptoken-TestPlans.json'), 'utf8')) as Array<{
    encoding: string;
    text: string;
    ids: number[];
  }>;
  // p50k_edit = p50k_base's ranks and regex with three more special tokens (tiktoken openai_public.py).
  const p50kEdit = native.byteBpeCreate(
    tiktokenSpec('p50k_base', { specials: { '<|endoftext|>': 50256, '<|fim_prefix|>': 50281, '<|fim_middle|>': 50282, '<|fim_suffix|>': 50283 } }),
  );
  let checked = 0;
  for (const plan of plans) {
    let h: ByteBpeHandle;
    if (plan.encoding === 'p50k_edit') h = p50kEdit;
    else if (plan.encoding === 'o200k_harmony') {
      if (plan.text.includes('<|')) continue; // harmony's extra special tokens are not an o200k_base model
      h = model('o200k_base');
    } else h = model(plan.encoding as TiktokenName);
    // The plans encode with every special token allowed.
    const mine = [...native.byteBpeEncodeWithSpecials(h, Buffer.from(plan.text))];
    assert.deepEqual(mine, plan.ids, `${plan.encoding} ${JSON.stringify(plan.text)}`);
    checked++;
  }
  assert.ok(checked >= 400, `only ${checked} plans checked`);
});

/** Python string literal (the subset tiktoken's tests use) to a JS string. */
function pyString(lit: string): string {
  return lit.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|n|t|r|\\|"|')/g, (_, e: string) => {
    if (e[0] === 'x' || e[0] === 'u') return String.fromCharCode(parseInt(e.slice(1), 16));
    return ({ n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'" } as Record<string, string>)[e]!;
  });
}

test("tiktoken's own tests/test_encoding.py asserts (encode == [...]) hold", () => {
  const src = readFileSync(join(tokenizerDir, 'tiktoken-expected-ids', 'tiktoken-tests-test_encoding.py.txt'), 'utf8');
  let enc: TiktokenName | undefined;
  let checked = 0;
  for (const line of src.split('\n')) {
    const e = /get_encoding\("(\w+)"\)/.exec(line);
    if (e) enc = (e[1] === 'gpt2' ? 'r50k_base' : e[1]) as TiktokenName;
    const a = /assert enc\.encode\("((?:[^"\\]|\\.)*)"(, allowed_special="all")?\) == \[([\d, ]*)\]/.exec(line);
    if (!a || !enc) continue;
    const text = pyString(a[1]!);
    const expected = a[3]!
      .split(',')
      .filter((s) => s.trim())
      .map(Number);
    const mine = a[2] ? [...native.byteBpeEncodeWithSpecials(model(enc), Buffer.from(text))] : encode(enc, text);
    assert.deepEqual(mine, expected, `${enc} ${JSON.stringify(text)}`);
    checked++;
  }
  assert.ok(checked >= 25, `only ${checked} asserts found`);
});

function llamaCppCases(vocab: string): Array<{ text: string; ids: number[] }> {
  const dir = join(tokenizerDir, 'llama.cpp-vocab-tests');
  const inputs = readFileSync(join(dir, `ggml-vocab-${vocab}.gguf.inp`), 'utf8').split('\n__ggml_vocab_test__\n');
  const outputs = readFileSync(join(dir, `ggml-vocab-${vocab}.gguf.out`), 'utf8').split('\n');
  if (inputs[inputs.length - 1] === '') inputs.pop();
  return inputs.map((text, i) => ({ text, ids: outputs[i]!.trim().split(/\s+/).filter(Boolean).map(Number) }));
}

test('llama.cpp vocab tests (HF AutoTokenizer ids): LLaMA-3 BPE with llama3, GPT-2 with r50k_base', () => {
  for (const [vocab, name] of [
    ['llama-bpe', 'llama3'],
    ['gpt-2', 'r50k_base'],
  ] as const) {
    const cases = llamaCppCases(vocab);
    assert.ok(cases.length >= 40);
    for (const c of cases) assert.deepEqual(encode(name, c.text), c.ids, `${vocab} ${JSON.stringify(c.text)}`);
  }
});

test('llama3-tokenizer-js published vectors (tokenizers.md §2.2)', () => {
  const cases: Array<[string, number[]]> = [
    ['grabbed', [59312, 2788]],
    [' grabbed', [30418]],
    ['           grabbed', [1881, 30418]],
    ['\n', [198]],
    [' \n', [720]],
    ['\ttabs\t\t\t\tout here', [3324, 3518, 573, 14294, 1618]],
    ['ax\n####\nboo', [710, 198, 71050, 34093]],
    ['镇', [104643]],
    ['🦙', [9468, 99, 247]],
    ['🦙Ꙋ', [9468, 99, 247, 166, 247, 232]],
    ['This is a test sentence.', [2028, 374, 264, 1296, 11914, 13]],
  ];
  for (const [text, ids] of cases) assert.deepEqual(encode('llama3', text), ids, JSON.stringify(text));
});

test('tiktokenSpec: names, vocabulary sizes and BOS/EOS ids', () => {
  const cl = tiktokenSpec('cl100k_base');
  assert.equal(cl.vocabSize, 100277);
  assert.equal(cl.bosId, null);
  assert.equal(cl.eosId, 100257);
  assert.equal(native.byteBpeInfo(model('cl100k_base')).ranks, 100256);
  const o2 = tiktokenSpec('o200k_base');
  assert.equal(o2.vocabSize, 200019);
  assert.equal(o2.eosId, 199999);
  const l3 = tiktokenSpec('llama3');
  assert.equal(l3.vocabSize, 128256);
  assert.equal(l3.bosId, 128000);
  assert.equal(l3.eosId, 128001);
  assert.equal(l3.specials['<|eot_id|>'], 128009);
  // Special tokens as llama3-tokenizer-js numbers them.
  assert.deepEqual(llama3JsEncode('<|eot_id|><|python_tag|>x<|reserved_special_token_247|>'), [128009, 128010, 87, 128255]);
  assert.deepEqual([...native.byteBpeEncodeWithSpecials(model('llama3'), Buffer.from('<|eot_id|><|python_tag|>x<|reserved_special_token_247|>'))], [128009, 128010, 87, 128255]);
  assert.equal(referenceEncode('llama3', 'hello').length, 1);
});
