/**
 * Long documents are cut into parts at the encoders' safe_cut() positions and the parts are encoded
 * separately (on several threads); the ids must be exactly those of encoding each document whole.
 * Every sample file (raw bytes: invalid UTF-8, CJK without spaces, marks, CRLF, tabs) and hand-made
 * texts, for every model family, cut as often as the encoders allow (partBytes 1) and not at all.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadTokenizer, packDocuments, Tokenizer } from '../../src/tokenize/tokenizer.js';
import { tiktokenSpec } from '../../src/tokenize/models/tiktoken.js';
import { sampleTexts } from './helpers.js';

const WHOLE = 2 ** 30;

function texts(): Uint8Array[] {
  const docs: Uint8Array[] = sampleTexts().map((s) => s.bytes.subarray(0, 256 * 1024));
  const cjk = '日本語のテキストと中文文本，以及한국어。「引用」（括弧）漢字かなカナ' + 'ー';
  const made = [
    cjk.repeat(400),
    `word ${cjk} it's 'S'LL ſ 12345 e\u0301 \u0301x `.repeat(300),
    'a\u0301b\u0308 c\u030A'.repeat(2000),
    '  spaces\t\ttabs \u00a0nbsp\u3000ideographic   \n\n  \r\n trailing  '.repeat(500),
    `${'CamelCaseWords ALLCAPS lowercase Éclair ÀÉÎ ǅungla'.repeat(5)} `.repeat(200),
    "don't won't I'd we'll they've you're it's".repeat(300),
    `${'x'.repeat(70)} `.repeat(300),
  ];
  for (const m of made) docs.push(Buffer.from(m));
  docs.push(Buffer.concat([Buffer.from('head '), Buffer.from([0xff, 0xfe, 0x20, 0xe2, 0x96, 0x20, 0xc3]), Buffer.from(' tail '.repeat(400))]));
  return docs;
}

async function tokenizers(): Promise<Array<[string, Tokenizer]>> {
  const names = ['llama2', 'cl100k_base', 'o200k_base', 'llama3'];
  const out: Array<[string, Tokenizer]> = [];
  for (const n of names) out.push([n, await loadTokenizer(n)]);
  const r50k = tiktokenSpec('r50k_base');
  out.push(['r50k_base', Tokenizer.fromSpec(r50k, { name: 'r50k_base', hash: 'test', bosId: null, eosId: r50k.eosId, defaultBos: false, specials: {} })]);
  return out;
}

test('documents cut into parts at safe points encode exactly as whole documents, for every model', async () => {
  const docs = texts();
  const packed = packDocuments(docs);
  for (const [name, tok] of await tokenizers()) {
    const whole = await tok.encodeBatch(packed, { threads: 1, partBytes: WHOLE, eos: tok.info.eosId !== null });
    assert.equal(whole.parts, docs.length, `${name}: whole documents are not cut`);
    const cut = await tok.encodeBatch(packed, { threads: 2, partBytes: 1, eos: tok.info.eosId !== null });
    assert.ok(cut.parts > docs.length * 20, `${name}: ${cut.parts} parts for ${docs.length} documents`);
    assert.deepEqual(Array.from(cut.tokenOffsets), Array.from(whole.tokenOffsets), `${name}: per-document counts`);
    const a = whole.ids!,
      b = cut.ids!;
    let first = -1;
    for (let i = 0; i < a.length && first < 0; i++) if (a[i] !== b[i]) first = i;
    assert.equal(first, -1, `${name}: ids differ first at ${first}`);
    const counted = await tok.countBatch(packed, { threads: 2, partBytes: 1000 });
    assert.equal(counted.total, whole.total - (tok.info.eosId !== null ? docs.length : 0), `${name}: count-only total`);
  }
});

test('text without spaces (Chinese) is cut by byte-level models, and a document with no cut point stays whole', async () => {
  const cl100k = await loadTokenizer('cl100k_base');
  const chinese = Buffer.from('这是一个没有空格的中文句子，它仍然可以被切开。'.repeat(3000));
  const r = await cl100k.encodeBatch(packDocuments([chinese]), { threads: 2, partBytes: 4096 });
  assert.ok(r.parts > 10, `${r.parts} parts`);
  const letters = Buffer.from('a'.repeat(50_000));
  const llama2 = await loadTokenizer('llama2');
  for (const tok of [cl100k, llama2]) {
    const one = await tok.encodeBatch(packDocuments([letters]), { threads: 2, partBytes: 1 });
    assert.equal(one.parts, 1, `${tok.info.name}: one run of letters has no cut point`);
  }
});
