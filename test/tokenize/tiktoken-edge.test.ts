/**
 * byte_bpe on generated edge cases, compared id for id with the reference (tiktoken npm, WASM; for llama3
 * Meta's rank BPE run by the same engine): whitespace runs of every kind and position, digit runs,
 * contractions in every case, emoji/ZWJ, CJK, combining marks, case classes at the edges of o200k's
 * letter rules, invalid UTF-8, special-token text, very long words, seeded random strings, and the
 * Unicode class table against the reference regex engine for every code point.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tiktoken } from 'tiktoken';
import type { TiktokenName } from '../../src/tokenize/models/tiktoken.js';
import { decode, encode, firstDifference, llama3JsEncode, model, native, reference, referenceEncode } from './tiktoken-refs.js';

const NAMES: TiktokenName[] = ['cl100k_base', 'o200k_base', 'llama3', 'r50k_base'];

/** Asserts corpusmill == reference for every text and every model; reports the first few failures. */
function checkAll(texts: string[], names: TiktokenName[] = NAMES): void {
  const failures: string[] = [];
  for (const name of names) {
    for (const text of texts) {
      const mine = encode(name, text);
      const diff = firstDifference(mine, referenceEncode(name, text));
      if (diff) failures.push(`${name} ${JSON.stringify(text)}: ${diff}`);
      else if (decode(name, mine) !== text) failures.push(`${name} ${JSON.stringify(text)}: round trip`);
    }
  }
  assert.deepEqual(failures.slice(0, 8), [], `${failures.length} failures`);
}

function around(cores: string[], before: string[], after: string[]): string[] {
  const out: string[] = [];
  for (const b of before) for (const c of cores) for (const a of after) out.push(b + c + a);
  return out;
}

const WS = [' ', '\t', '\n', '\r', '\v', '\f', '\u00a0', '\u0085', '\u2028', '\u3000', '\u200b', '\ufeff', '\u180e'];

test('whitespace runs of every kind, leading, trailing and between words (incl. \\s++$-style tails)', () => {
  const runs: string[] = [...WS];
  for (const a of WS) for (const b of WS) runs.push(a + b);
  for (const r of ['   ', '\n\n\n', ' \n ', '\n  ', '  \n', '\r\n', '\r\n\r\n  ', '\t\t\t\t', ' '.repeat(40), '\n '.repeat(5), '\u3000 \u3000']) runs.push(r);
  checkAll(around(runs, ['', 'a', '1', '!', 'é', '\n'], ['', 'a', '1', '!', 'é', "'s"]));
});

test('digit runs of every length (cl100k/o200k/llama3 cut them in threes) and other \\p{N}', () => {
  const cores: string[] = [];
  for (let n = 1; n <= 40; n++) cores.push(Array.from({ length: n }, (_, i) => String((i * 7 + 3) % 10)).join(''));
  cores.push('٣٤٥٦', '²³', '½¼', 'ⅫⅣ', '𝟘𝟙𝟚𝟛', '1²3', '١2٣4', '①②③④', '1,000,000.50', '3.14159', '0x1F', '1e10');
  checkAll(around(cores, ['', ' ', 'a', '$'], ['', ' ', 'a', '%']));
});

test("contractions in every case ('s 'S 'ſ 'LL 'Ve ...) and apostrophe look-alikes", () => {
  const tails = ['s', 'S', 'ſ', 't', 'T', 'd', 'D', 'm', 'M', 'll', 'LL', 'Ll', 'lL', 've', 'VE', 'vE', 're', 'RE', 'Re', 'x', '', 'ſt', 'sa', 'lla', 'K', 'K'];
  const cores = tails.flatMap((t) => [`'${t}`, `’${t}`]);
  checkAll(around(cores, ['', 'it', 'IT', ' ', '1', "'"], ['', ' ', 'a', 'A', "'", '\n', '1']));
});

test('scripts, emoji and marks: ZWJ sequences, flags, CJK, Hangul, Indic, Arabic, combining marks', () => {
  const cores = [
    '👨‍👩‍👧‍👦',
    '🏳️‍🌈',
    '🇩🇪🇫🇷',
    '👍🏽',
    '1️⃣',
    '🦙Ꙋ',
    '❤️',
    '™',
    '©2024',
    '你好，世界！',
    '日本語のテキスト。',
    'カタカナー',
    '한국어 텍스트',
    '각',
    'ภาษาไทย',
    'हिन्दी भाषा',
    'क्षत्रिय',
    'العربية مُشَكَّلة',
    'עִבְרִית',
    'Ελληνικά ΣΑΣ ός',
    'Русский ТЕКСТ',
    'İstanbul ıi',
    'ﬁﬂ',
    'straße STRASSE',
    'e\u0301',
    'A\u030A',
    '\u0301abc',
    ' \u0301',
    '!\u0301',
    'a\u0301B\u0302c',
    'Á\u0301Á',
    '\u0300\u0301\u0302',
    'x\u20dd',
    'ǅungla',
    'ǈ',
    'ʰʱ',
    'Aʰb',
    'HelloWorld',
    'ABCdef',
    'aBC',
    'HTTPServer',
    'iPhone',
    'McDonald',
    'ÀÉÎõü',
    'ǅǅa',
    'Aǅ',
    'ΣΑΣός',
    'ꙊꙋꙊ',
    '𐐀𐐨',
    '𝐀𝐛𝐂',
    'ﾊﾝｶｸ',
    '\u{1F600}\u{1F601}',
    '\u{E0001}\u{E0020}',
    '\u{F0000}',
    '\uE000',
    '\u0378',
    '\u{30000}',
    '\u{323B0}',
    '\uFFFD',
    '\u2028x',
    'x\u0000y',
    '\u001c\u001d',
    '<|endoftext|>',
    '</s><s>',
  ];
  checkAll(around(cores, ['', ' ', 'a', 'A', '1', "'", '\n'], ['', ' ', 'a', 'A', "'s", '\n', '/']));
});

test('invalid UTF-8 encodes like the string Node decodes from it (one U+FFFD per maximal invalid subpart)', () => {
  const bad: number[][] = [
    [0x80],
    [0xbf, 0x80],
    [0xc0, 0x80],
    [0xc1, 0xbf],
    [0xc2],
    [0xe0, 0x80, 0x80],
    [0xe0, 0xa0],
    [0xed, 0xa0, 0x80],
    [0xf0, 0x8f, 0xbf, 0xbf],
    [0xf4, 0x90, 0x80, 0x80],
    [0xf0, 0x9f, 0x98],
    [0xf5],
    [0xff, 0xfe],
    [0xef, 0xbf, 0xbd],
  ];
  const failures: string[] = [];
  for (const name of NAMES) {
    for (const b of bad) {
      for (const [pre, post] of [
        ['', ''],
        ['ab', ''],
        ['', 'cd'],
        ['a ', ' b'],
        ["it'", 's'],
        ['12', '34'],
      ]) {
        const bytes = Buffer.concat([Buffer.from(pre!), Buffer.from(b), Buffer.from(post!)]);
        const text = bytes.toString('utf8');
        const mine = encode(name, bytes);
        const diff = firstDifference(mine, referenceEncode(name, text));
        if (diff) failures.push(`${name} ${bytes.toString('hex')}: ${diff}`);
        else if (decode(name, mine) !== text) failures.push(`${name} ${bytes.toString('hex')}: decode`);
      }
    }
  }
  assert.deepEqual(failures.slice(0, 8), []);
});

test('special-token text: ordinary text by default; with allowed specials exactly as tiktoken encode()', () => {
  const texts = [
    '<|endoftext|>',
    'hello <|endoftext|>',
    'a<|endoftext|>b',
    'x  <|endoftext|>  y',
    '<|endoftext|><|endoftext|>',
    '<|fim_prefix|>def f():<|fim_suffix|>\n    pass<|fim_middle|>',
    '<|endofprompt|>\n\n',
    '<|endoftext',
    '<|<|endoftext|>|>',
    "it's<|endoftext|>'s",
    '1234<|endoftext|>567',
  ];
  checkAll(texts, ['cl100k_base', 'o200k_base', 'r50k_base']);
  for (const name of ['cl100k_base', 'o200k_base', 'r50k_base'] as const) {
    const ref = reference(name);
    for (const text of texts) {
      assert.deepEqual([...native.byteBpeEncodeWithSpecials(model(name), Buffer.from(text))], [...ref.encode(text, 'all')], `${name} ${JSON.stringify(text)}`);
      assert.deepEqual(
        [...native.byteBpeEncodeWithSpecials(model(name), Buffer.from(text), ['<|endoftext|>'])],
        [...ref.encode(text, ['<|endoftext|>'], [])],
        `${name} only <|endoftext|> allowed: ${JSON.stringify(text)}`,
      );
    }
  }
  assert.throws(() => native.byteBpeEncodeWithSpecials(model('cl100k_base'), Buffer.from('x'), ['<|nope|>']), /not a special token/);
});

test('long words: reference parity up to the sizes the reference handles, linear time beyond', () => {
  let seed = 7;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return (seed >>> 8) / (1 << 24);
  };
  const letters = (n: number): string => Array.from({ length: n }, () => String.fromCharCode(97 + Math.floor(rnd() * 26))).join('');
  checkAll(['x'.repeat(2000), letters(2500), ` ${letters(2000)}`, '9'.repeat(30000), '!'.repeat(2000), 'é'.repeat(1500), '🦙'.repeat(800), `${' '.repeat(5000)}a`]);
  // A 1 MB single "word" (the quadratic case of naive BPE): checked against llama3-tokenizer-js (a heap
  // BPE, so it can) on a 30 KB one, and round-tripped at 1 MB.
  const word = letters(30_000);
  assert.equal(firstDifference(encode('llama3', word), llama3JsEncode(word)), null);
  for (const name of ['cl100k_base', 'o200k_base'] as const) {
    const big = Buffer.from(letters(1 << 20));
    const ids = native.byteBpeEncode(model(name), big);
    assert.ok(ids.length > big.length / 8 && ids.length < big.length);
    assert.ok(native.byteBpeDecode(model(name), ids).equals(big));
    const xs = Buffer.from('x'.repeat(1 << 20));
    assert.ok(native.byteBpeDecode(model(name), native.byteBpeEncode(model(name), xs)).equals(xs));
  }
});

test('3000 seeded random strings (mixed scripts, spaces, digits, marks, apostrophes, astral) match the reference', () => {
  let seed = 0x2545f491;
  const rnd = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 4294967296;
  };
  const pick = <T>(a: T[]): T => a[Math.floor(rnd() * a.length)]!;
  const pools: Array<() => string> = [
    () => pick([...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ']),
    () => pick([...'0123456789']),
    () => pick([' ', ' ', ' ', '\n', '\t', '\r', '\u00a0', '\u3000', '\u0085']),
    () => pick([...'.,;:!?-_/\\()[]{}<>"#$%&*+=@^`|~']),
    () => pick(["'", "'", 's', 'S', 'll', 'LL', 've', 're', 'ſ', 't', 'D', 'M']),
    () => pick([...'éÀüßøñçÇĞİıǅʰ', '\u0301', '\u0308', '\u20dd']),
    () => pick([...'你好世界日本語한국어カタカナ']),
    () => pick(['🦙', '👍', '🏽', '\u200d', '🇩', '🇪', '❤', '\ufe0f']),
    () => String.fromCodePoint(Math.floor(rnd() * 0xd800)),
    () => String.fromCodePoint(0x10000 + Math.floor(rnd() * 0x40000)),
  ];
  const texts: string[] = [];
  for (let i = 0; i < 3000; i++) {
    const len = 1 + Math.floor(rnd() * 24);
    let s = '';
    const bias = Math.floor(rnd() * pools.length);
    for (let k = 0; k < len; k++) s += (rnd() < 0.5 ? pools[bias]! : pick(pools))();
    texts.push(s);
  }
  checkAll(texts);
});

test('the pre-tokenizer class table equals the reference regex engine for every code point', () => {
  // The engine's own answer: a Tiktoken whose vocabulary is the 256 bytes and whose "regex" is one
  // class returns exactly the bytes of the code points that class matches (tiktoken skips the rest).
  const bytes = Array.from({ length: 256 }, (_, b) => `${Buffer.from([b]).toString('base64')} ${b}`).join('\n');
  const cps: number[] = [];
  for (let cp = 0; cp <= 0x10ffff; cp++) if (cp < 0xd800 || cp > 0xdfff) cps.push(cp);
  const flags = native.unicodeClassFlags(Uint32Array.from(cps));
  const classes: Array<[string, number]> = [
    ['\\p{L}', 1],
    ['\\p{N}', 2],
    ['\\s', 4],
    ['\\p{M}', 8],
    ['[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]', 16],
    ['[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]', 32],
  ];
  for (const [pattern, bit] of classes) {
    const enc = new Tiktoken(bytes, {}, pattern);
    const matched = new Set<number>();
    for (let i = 0; i < cps.length; i += 0x10000) {
      const out = Buffer.from(Uint8Array.from(enc.encode_ordinary(String.fromCodePoint(...cps.slice(i, i + 0x10000))))).toString('utf8');
      for (const ch of out) matched.add(ch.codePointAt(0)!);
    }
    enc.free();
    const wrong = cps.filter((cp, i) => matched.has(cp) !== ((flags[i]! & bit) !== 0));
    assert.deepEqual(
      wrong.slice(0, 10).map((cp) => cp.toString(16)),
      [],
      `${pattern}: ${wrong.length} code points differ`,
    );
  }
});
