/**
 * The native JSON-lines extractor (jsonlTexts) against the reference reader's semantics, line by line:
 * TextDecoder('utf-8', {fatal}) (drops a leading BOM), JSON.parse, an object with a string `text`,
 * TextEncoder bytes of that string, the `source` when it is a string. For every line where the
 * reference throws, the extractor must stop (and leave the line to the reference reader); where the
 * reference succeeds it must give the same bytes, except for the few unusual lines it declines
 * (nesting deeper than 512, a lone surrogate in `source`). Real sample texts, hand-made edge cases
 * and 20,000 seeded random mutations of valid lines. Also the CLI paths: count over a JSONL file gives
 * the same report through the packed reader as through readInputs (also for a line many times the
 * batch size), and a bad record is the reference's error.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { addon } from '../../src/tokenize/native.js';
import { readInputs, readPackedInputs } from '../../src/tokenize/inputs.js';
import { countTokens } from '../../src/tokenize/run.js';
import { loadTokenizer } from '../../src/tokenize/tokenizer.js';
import { sampleParagraphs } from './helpers.js';

type Ref = { error: true } | { error: false; text: Buffer; source: string | null };

const fatal = new TextDecoder('utf-8', { fatal: true });
const enc = new TextEncoder();

function reference(line: Buffer): Ref {
  try {
    const v = JSON.parse(fatal.decode(line)) as unknown;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return { error: true };
    const o = v as Record<string, unknown>;
    if (typeof o.text !== 'string') return { error: true };
    return { error: false, text: Buffer.from(enc.encode(o.text)), source: typeof o.source === 'string' ? o.source : null };
  } catch {
    return { error: true };
  }
}

function depth(line: string): number {
  let d = 0;
  let max = 0;
  let inStr = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === '{' || c === '[') max = Math.max(max, ++d);
    else if (c === '}' || c === ']') d--;
  }
  return max;
}

function hasLoneSurrogate(s: string): boolean {
  return /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
}

/** The extractor on one line; null when it declined it. */
function native(line: Buffer): { text: Buffer; source: string | null } | null {
  const input = Buffer.concat([line, Buffer.from('\n')]);
  const out = Buffer.alloc(input.length);
  const r = addon().jsonlTexts(input, true, out);
  if (r.stopped) {
    assert.equal(r.offsets.length, 1);
    return null;
  }
  assert.equal(r.consumed, input.length);
  assert.equal(r.offsets.length, 2, `one record from ${JSON.stringify(line.toString('latin1'))}`);
  const k = r.sourceOf[0]!;
  return { text: out.subarray(0, r.offsets[1]!), source: k < 0 ? null : r.sources[k]! };
}

function edgeLines(): Buffer[] {
  const s = (x: string) => Buffer.from(x);
  const lines = [
    '{"text":"plain"}',
    ' \t{ "text" : "spaced" , "source" : "src" }\t \r',
    '{"text":"esc \\" \\\\ \\/ \\b \\f \\n \\r \\t end"}',
    '{"text":"\\u0041\\u00e9\\u4e2d\\ud83d\\ude00"}',
    '{"text":"lone \\ud800 and \\udc00 and \\ud800\\u0041 and \\ud83d"}',
    '{"text":"pair then lone \\ud83d\\ude00\\udc00"}',
    '{"text":"two highs \\ud83d\\ud83d\\ude00"}',
    '{"text":"upper hex \\uD83D\\uDE00 \\u00E9"}',
    '{"text":"\\u0000 nul and \\u001f"}',
    '\ufeff{"text":"after a BOM"}',
    '{"text":"a"}\ufeff',
    ' \ufeff{"text":"BOM after space"}',
    '{"text":"first","text":"last wins"}',
    '{"text":"string","text":5}',
    '{"text":5,"text":"string last"}',
    '{"te\\u0078t":"escaped key","source":"s"}',
    '{"source":"a","text":"x","source":7}',
    '{"source":7,"text":"x","source":"b"}',
    '{"source":"lone \\ud800","text":"x"}',
    '{"source":"\\ud83d\\ude00 emoji","text":"x"}',
    '{"source":"esc\\"aped\\n","text":"x"}',
    '{"meta":{"a":[1,2,{"b":"}{]["}],"c":null,"d":true,"e":false},"text":"nested"}',
    '{"n":[0,-0,1.5,-2e10,3E+2,4e-3,123456789012345678901234567890],"text":"numbers"}',
    '{"text":"x","extra":[[[[[]]]]],"e2":{}}',
    '{}',
    '[]',
    '"text"',
    'null',
    '5',
    '{"text":null}',
    '{"other":"x"}',
    '[{"text":"x"}]',
    '{"text":"x",}',
    "{'text':'x'}",
    '{"text":"x"}}',
    '{"text":"x"',
    '{"text":"x" "y":1}',
    '{"text":NaN}',
    '{"n":01,"text":"x"}',
    '{"n":1.,"text":"x"}',
    '{"n":.5,"text":"x"}',
    '{"n":-,"text":"x"}',
    '{"n":1e,"text":"x"}',
    '{"n":+1,"text":"x"}',
    '{"text":"bad \\x escape"}',
    '{"text":"bad \\u12G4"}',
    '{"text":"short \\u12"}',
    '{"text":"raw \t tab"}',
    '{"text":"raw \u0001 ctl"}',
    '{"text":"unterminated}',
    '{"text":"x"} trailing',
    '{"text":"x"}{"text":"y"}',
    '{"a":tru,"text":"x"}',
    '{"a":nul,"text":"x"}',
    '{"text":"DEL \u007f ok"}',
    '{"text":"\u2028 line sep \u2029"}',
    `{"text":"${'long '.repeat(5000)}"}`,
    `{"text":"${'ß中🦙'.repeat(500)}"}`,
    `{"deep":${'['.repeat(600)}${']'.repeat(600)},"text":"deep"}`,
    `{"deep":${'['.repeat(500)}${']'.repeat(500)},"text":"500 deep"}`,
    '   ',
    '\t',
  ].map(s);
  lines.push(Buffer.from([0x7b, 0x22, 0x74, 0x65, 0x78, 0x74, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])); // invalid UTF-8 in the text
  lines.push(Buffer.from([0x7b, 0x22, 0x74, 0x65, 0x78, 0x74, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d])); // an encoded surrogate
  lines.push(Buffer.concat([s('{"text":"x"}'), Buffer.from([0xc3])])); // truncated sequence after the value
  return lines;
}

/** Seeded xorshift. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

function mutations(valid: Buffer[], n: number): Buffer[] {
  const r = rng(42);
  const alphabet = Buffer.from('{}[]":,\\ u0123456789abcdefABCDEF.-+eEtrufalsn\t\r\u00e9x');
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const b = Buffer.from(valid[Math.floor(r() * valid.length)]!);
    const edits = 1 + Math.floor(r() * 3);
    let cur = b;
    for (let k = 0; k < edits; k++) {
      const at = Math.floor(r() * (cur.length + 1));
      const c = Buffer.from([alphabet[Math.floor(r() * alphabet.length)]!]);
      const op = r();
      if (op < 0.33) cur = Buffer.concat([cur.subarray(0, at), c, cur.subarray(at)]);
      else if (op < 0.66) cur = Buffer.concat([cur.subarray(0, at), cur.subarray(at + 1)]);
      else cur = Buffer.concat([cur.subarray(0, at), c, cur.subarray(at + 1)]);
    }
    out.push(cur);
  }
  return out;
}

test('jsonlTexts gives the reference reader texts and sources, and stops at every line the reference rejects', () => {
  const samples = sampleParagraphs(4096)
    .slice(0, 3000)
    .map((t, i) => Buffer.from(JSON.stringify(i % 3 ? { id: i, text: t, source: `src${i % 5}`, meta: { n: i } } : { text: t })));
  const short = samples.filter((b) => b.length < 300).slice(0, 400);
  const lines = [...samples, ...edgeLines(), ...mutations([...short, ...edgeLines().filter((b) => b.length < 200)], 20_000)];
  let accepted = 0;
  let declined = 0;
  for (const line of lines) {
    let l = line;
    while (l.length && l.indexOf(10) >= 0) l = l.subarray(0, l.indexOf(10)); // one line each
    if (l.length && l[l.length - 1] === 13) l = l.subarray(0, l.length - 1);
    if (!l.length) continue;
    const want = reference(l);
    const got = native(l);
    const label = JSON.stringify(l.toString('latin1').slice(0, 120));
    if (got === null) {
      declined++;
      if (!want.error) {
        const text = l.toString('utf8');
        const parsed = JSON.parse(text.replace(/^\ufeff/, '')) as { source?: unknown };
        assert.ok(depth(text) > 512 || (typeof parsed.source === 'string' && hasLoneSurrogate(parsed.source)), `declined a good line ${label}`);
      }
      continue;
    }
    accepted++;
    assert.equal(want.error, false, `accepted a line the reference rejects: ${label}`);
    if (want.error) continue;
    assert.ok(got.text.equals(want.text), `text of ${label}`);
    assert.equal(got.source, want.source, `source of ${label}`);
  }
  assert.ok(accepted > 5000 && declined > 2000, `${accepted} accepted, ${declined} declined`);
});

test('jsonlTexts reads whole lines only (unless final), skips empty ones, and keeps sources in first-seen order', () => {
  const input = Buffer.from('{"text":"a","source":"x"}\n\n\r\n{"text":"b"}\r\n{"text":"c","source":"y"}\n{"text":"d","source":"x"}\n{"text":"part');
  const out = Buffer.alloc(input.length);
  const r = addon().jsonlTexts(input, false, out);
  assert.equal(r.stopped, false);
  assert.equal(r.consumed, input.lastIndexOf(10) + 1);
  assert.deepEqual(Array.from(r.offsets), [0, 1, 2, 3, 4]);
  assert.equal(out.subarray(0, 4).toString(), 'abcd');
  assert.deepEqual(Array.from(r.sourceOf), [0, -1, 1, 0]);
  assert.deepEqual(r.sources, ['x', 'y']);
  const fin = addon().jsonlTexts(input.subarray(r.consumed), true, Buffer.alloc(100));
  assert.equal(fin.stopped, true, 'an unterminated last line is an error');
});

test('the packed reader gives the same documents as readInputs, also across a bad-for-the-fast-path line, and the same errors', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jsonl-texts-'));
  const docs = sampleParagraphs(2048).slice(0, 2000);
  const lines = docs.map((t, i) => JSON.stringify({ text: t, source: i % 2 ? 'odd' : 'even' }));
  lines.splice(1500, 0, '{"text":"lone source","source":"\\ud800"}'); // the fast path leaves this to the reference
  const plain = join(dir, 'a.jsonl');
  writeFileSync(plain, `${lines.join('\n')}\n`);
  const gz = join(dir, 'b.jsonl.gz');
  writeFileSync(gz, gzipSync(Buffer.from(lines.slice(0, 700).join('\r\n'))));
  const long = join(dir, 'c.jsonl');
  writeFileSync(long, [lines[0], JSON.stringify({ text: docs.join(' ').slice(0, 300_000) }), lines[1]].join('\n'));
  const tok = await loadTokenizer('cl100k_base');
  const viaObjects = await countTokens(tok, readInputs([plain, gz, long]), { threads: 2 });
  const viaPacked = await countTokens(tok, readPackedInputs([plain, gz, long], 4096), { threads: 2 });
  assert.deepEqual(viaPacked, viaObjects);
  assert.ok(docs.length > 1500, `${docs.length} sample documents`);
  assert.equal(viaPacked.documents, lines.length + 700 + 3);
  const bad = join(dir, 'bad.jsonl');
  writeFileSync(bad, `${lines.slice(0, 50).join('\n')}\n{"text": 5}\n${lines.slice(50, 60).join('\n')}`);
  const errorOf = async (input: AsyncIterable<unknown>) => {
    try {
      for await (const _ of input) {
      }
    } catch (e) {
      return (e as Error).message;
    }
    return 'no error';
  };
  const want = await errorOf(readInputs([bad]));
  assert.match(want, /bad_document/);
  assert.equal(await errorOf(readPackedInputs([bad])), want);
});
