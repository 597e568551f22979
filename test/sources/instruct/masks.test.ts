/**
 * Loss masks pinned token by token for every template on every sample example. Expected ids come
 * from llama-tokenizer-js / llama3-tokenizer-js, expected masks from where the references put the
 * response (refs.ts), never from the code under test; a few boundaries are also pinned as literals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../helpers.js';
import { loadTokenizer } from '../../../src/tokenize/tokenizer.js';
import { SftEncoder } from '../../../src/sources/instruct/encode.js';
import { loadTemplate } from '../../../src/sources/instruct/templates.js';
import type { SftRecord } from '../../../src/sources/instruct/records.js';
import { alpacaPromptRef, llama2TurnRef, llama3Js, llamaJs, llamaMaskAfter, sampleAlpaca, sampleChats, strip, type ChatExample } from './refs.js';

const alpacaRecords = sampleAlpaca().map((e): SftRecord => ({ format: 'alpaca', ...e }));
const chatRecords = sampleChats().map((c) => ({ format: 'chat', messages: c.messages }) as SftRecord);

async function encodeAll(template: string, tokenizer: string, recs: SftRecord[], opts: { maxLength?: number; baseDir?: string } = {}) {
  const tok = await loadTokenizer(tokenizer);
  const enc = new SftEncoder(tok, loadTemplate(template, opts.baseDir ?? '.'), { mode: 'exact', maxLength: opts.maxLength ?? 100_000 });
  return enc.encode(recs.map((r) => enc.render(r)));
}

test('alpaca: ids are BOS + the prompt and output encoded as one string + EOS; the mask trains every token holding output bytes, on every sample example', async () => {
  const got = await encodeAll('alpaca', 'llama2', alpacaRecords);
  let straddling = 0;
  sampleAlpaca().forEach((e, i) => {
    const prompt = alpacaPromptRef(e);
    const ids = [...llamaJs.encode(prompt + e.output, true, true), 2];
    const mask = [...llamaMaskAfter(ids.slice(0, -1), Buffer.byteLength(prompt)), 1];
    assert.deepEqual(Array.from(got[i]!.ids), ids, `example ${i} ids`);
    assert.deepEqual(Array.from(got[i]!.mask), mask, `example ${i} mask`);
    const promptIds = llamaJs.encode(prompt, true, true);
    if (!promptIds.every((x, k) => x === ids[k])) straddling++;
    assert.equal(got[i]!.straddles, promptIds.every((x, k) => x === ids[k]) ? 0 : 1, `example ${i}: a boundary inside a token is counted`);
  });
  assert.ok(straddling >= 8, `the sample has outputs that merge with "Response:" (${straddling})`);
});

test('alpaca literal pins: "### Response:" then an output starting with a quote merges into one trained token', async () => {
  const [ex] = await encodeAll('alpaca', 'llama2', [{ format: 'alpaca', instruction: 'Name a famous poem by Robert Frost.', input: '', output: '"The Road Not Taken"' }]);
  const ids = Array.from(ex!.ids);
  const k = ids.indexOf(6160); // ':"'
  assert.deepEqual(ids.slice(k - 1, k + 2), [13291, 6160, 1576]); // "Response", ':"', "The"
  assert.deepEqual(Array.from(ex!.mask.slice(k - 1, k + 2)), [0, 1, 1]);
  assert.equal(ids[0], 1);
  assert.deepEqual([ids.at(-1), ex!.mask.at(-1)], [2, 1]);
  // a clean boundary: ":" stays masked, "The" is the first trained token
  const [clean] = await encodeAll('alpaca', 'llama2', [{ format: 'alpaca', instruction: 'Say hi', input: '', output: 'The answer' }]);
  const c = Array.from(clean!.ids);
  const j = c.indexOf(1576);
  assert.deepEqual(c.slice(j - 2, j + 1), [13291, 29901, 1576]);
  assert.deepEqual(Array.from(clean!.mask.slice(j - 2, j + 1)), [0, 0, 1]);
});

test('llama2: each user/assistant pair is BOS + "[INST] u [/INST] a " + EOS; the answer from its leading space and the EOS are trained', async () => {
  const got = await encodeAll('llama2', 'llama2', chatRecords);
  sampleChats().forEach((c, i) => {
    let msgs = c.messages;
    if (msgs[0]!.role === 'system') msgs = [{ role: 'user', content: `<<SYS>>\n${msgs[0]!.content}\n<</SYS>>\n\n${msgs[1]!.content}` }, ...msgs.slice(2)];
    const ids: number[] = [];
    const mask: number[] = [];
    for (let t = 0; t < msgs.length; t += 2) {
      const { prompt, full } = llama2TurnRef(msgs[t]!.content, msgs[t + 1]!.content);
      const turn = llamaJs.encode(full, true, true);
      // SentencePiece splits at spaces, so the prompt's own ids are a prefix of the turn's
      const p = llamaJs.encode(prompt, true, true);
      assert.deepEqual(turn.slice(0, p.length), p);
      ids.push(...turn, 2);
      mask.push(...turn.map((_, k) => (k < p.length ? 0 : 1)), 1);
      assert.deepEqual(
        llamaMaskAfter(turn, Buffer.byteLength(prompt)),
        turn.map((_, k) => (k < p.length ? 0 : 1)),
      );
    }
    assert.deepEqual(Array.from(got[i]!.ids), ids, `chat ${i} ids`);
    assert.deepEqual(Array.from(got[i]!.mask), mask, `chat ${i} mask`);
  });
  // literal: "[/INST]" ends in "]" (29962), the answer starts with "▁Mount" (8040), trained
  const first = Array.from(got[0]!.ids);
  const k = first.indexOf(8040);
  assert.deepEqual(first.slice(k - 1, k + 1), [29962, 8040]);
  assert.deepEqual(Array.from(got[0]!.mask.slice(k - 1, k + 1)), [0, 1]);
});

test('llama2: Alpaca records are one user turn (instruction, blank line, input) and one assistant turn; a final user message is a masked prompt', async () => {
  const [a, b] = await encodeAll('llama2', 'llama2', [
    { format: 'alpaca', instruction: 'Rewrite the sentence in the passive voice.', input: 'The children ate the cake.', output: 'The cake was eaten by the children.' },
    {
      format: 'chat',
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
        { role: 'user', content: 'Bye' },
      ],
    },
  ]);
  const full = llamaJs.encode('[INST] Rewrite the sentence in the passive voice.\n\nThe children ate the cake. [/INST] The cake was eaten by the children. ', true, true);
  assert.deepEqual(Array.from(a!.ids), [...full, 2]);
  const last = llamaJs.encode('[INST] Bye [/INST]', true, true);
  assert.deepEqual(Array.from(b!.ids.slice(-last.length)), last);
  assert.ok(Array.from(b!.mask.slice(-last.length)).every((m) => m === 0));
});

test('llama3: <|begin_of_text|>, then header, "\\n\\n", content and <|eot_id|> per message, special tokens as single ids; assistant content and its <|eot_id|> trained', async () => {
  const got = await encodeAll('llama3', 'llama3', chatRecords);
  sampleChats().forEach((c: ChatExample, i) => {
    // HF-style rendering read by llama3-tokenizer-js with special tokens: equal to Meta's piece-wise encoding
    let text = '<|begin_of_text|>';
    const mask: number[] = [0];
    for (const m of c.messages) {
      text += `<|start_header_id|>${m.role}<|end_header_id|>\n\n${strip(m.content)}<|eot_id|>`;
      const header = 1 + llama3Js.encode(m.role, { bos: false, eos: false }).length + 1 + llama3Js.encode('\n\n', { bos: false, eos: false }).length;
      const body = llama3Js.encode(strip(m.content), { bos: false, eos: false }).length + 1;
      const t = m.role === 'assistant' ? 1 : 0;
      mask.push(...new Array<number>(header).fill(0), ...new Array<number>(body).fill(t));
    }
    const ids = llama3Js.encode(text, { bos: false, eos: false });
    assert.deepEqual(Array.from(got[i]!.ids), ids, `chat ${i} ids`);
    assert.deepEqual(Array.from(got[i]!.mask), mask, `chat ${i} mask`);
  });
  // literal: the special tokens are single ids
  const ids = Array.from(got[0]!.ids);
  assert.deepEqual(ids.slice(0, 2), [128000, 128006]);
  assert.equal(ids.filter((x) => x === 128009).length, sampleChats()[0]!.messages.length);
  assert.deepEqual([ids.at(-1), got[0]!.mask.at(-1)], [128009, 1]);
});

test('a template file: the Llama 3 format written as a file gives the same ids and masks; a Vicuna-style text template trains from {content} to its {eos}', async () => {
  const dir = tempDir();
  writeFileSync(
    join(dir, 'l3.yaml'),
    [
      'special_tokens: ["<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]',
      'begin: "<|begin_of_text|>"',
      'system: "<|start_header_id|>system<|end_header_id|>\\n\\n{content}<|eot_id|>"',
      'user: "<|start_header_id|>user<|end_header_id|>\\n\\n{content}<|eot_id|>"',
      'assistant: "<|start_header_id|>assistant<|end_header_id|>\\n\\n{content}<|eot_id|>"',
      'strip: true',
      '',
    ].join('\n'),
  );
  const builtin = await encodeAll('llama3', 'llama3', chatRecords);
  const fromFile = await encodeAll('l3.yaml', 'llama3', chatRecords, { baseDir: dir });
  fromFile.forEach((e, i) => {
    assert.deepEqual(Array.from(e.ids), Array.from(builtin[i]!.ids), `chat ${i} ids`);
    assert.deepEqual(Array.from(e.mask), Array.from(builtin[i]!.mask), `chat ${i} mask`);
  });

  writeFileSync(
    join(dir, 'vicuna.json'),
    JSON.stringify({ begin: '{bos}', system: '{content} ', user: 'USER: {content} ', assistant: 'ASSISTANT: {content}{eos}', default_system: 'A chat.' }),
  );
  const recs = sampleChats()
    .filter((c) => c.messages[0]!.role !== 'system')
    .map((c) => ({ format: 'chat', messages: c.messages }) as SftRecord);
  const got = await encodeAll('vicuna.json', 'llama2', recs, { baseDir: dir });
  recs.forEach((r, i) => {
    if (r.format !== 'chat') return;
    // text between special tokens is one string: BOS, then "A chat. USER: ... ASSISTANT: <answer>", EOS, "USER: ...", ...
    const ids: number[] = [1];
    const mask: number[] = [0];
    let text = 'A chat. ';
    let trainedFrom = -1;
    const flush = (eos: boolean) => {
      const t = llamaJs.encode(text, true, true);
      ids.push(...t.slice(1));
      mask.push(...llamaMaskAfter(t, trainedFrom).slice(1));
      if (eos) {
        ids.push(2);
        mask.push(1);
      }
      text = '';
    };
    for (const m of r.messages) {
      if (m.role === 'user') text += `USER: ${m.content} `;
      else {
        text += 'ASSISTANT: ';
        trainedFrom = Buffer.byteLength(text);
        text += m.content;
        flush(true);
      }
    }
    assert.deepEqual(Array.from(got[i]!.ids), ids, `chat ${i} ids`);
    assert.deepEqual(Array.from(got[i]!.mask), mask, `chat ${i} mask`);
  });
});

test('truncation keeps the first max_length tokens (BOS included): the EOS and the end of the response are cut', async () => {
  const e = sampleAlpaca().find((x) => x.output.startsWith("A beekeeper's day"))!;
  const [full] = await encodeAll('alpaca', 'llama2', [{ format: 'alpaca', ...e }]);
  const [cut] = await encodeAll('alpaca', 'llama2', [{ format: 'alpaca', ...e }], { maxLength: 100 });
  assert.ok(full!.ids.length > 200);
  assert.deepEqual(Array.from(cut!.ids), Array.from(full!.ids.slice(0, 100)));
  assert.deepEqual(Array.from(cut!.mask), Array.from(full!.mask.slice(0, 100)));
  assert.equal(cut!.truncatedTokens, full!.ids.length - 100);
});

test('errors: a template needing special tokens the tokenizer lacks, alpaca_train_py with a chat template, an unknown template', async () => {
  const l2 = await loadTokenizer('llama2');
  assert.throws(
    () => new SftEncoder(l2, loadTemplate('llama3', '.'), { mode: 'exact', maxLength: 10 }),
    /needs the special token <\|begin_of_text\|>, which tokenizer llama2 does not have/,
  );
  assert.throws(() => new SftEncoder(l2, loadTemplate('llama2', '.'), { mode: 'alpaca_train_py', maxLength: 10 }), /needs template alpaca/);
  assert.throws(() => loadTemplate('vicuna', '.'), /unknown template "vicuna"/);
  const dir = tempDir();
  writeFileSync(join(dir, 'bad.yaml'), 'user: "USER: {content}"\nassistant: "no placeholder"\n');
  assert.throws(() => loadTemplate(join(dir, 'bad.yaml'), '.'), /"assistant" must contain \{content\} exactly once/);
});

test('special-token text inside a record stays text: only the template places special ids', async () => {
  const [l3] = await encodeAll('llama3', 'llama3', [
    {
      format: 'chat',
      messages: [
        { role: 'user', content: 'Print <|eot_id|> and <|start_header_id|> literally.' },
        { role: 'assistant', content: 'Here: <|eot_id|><|start_header_id|>' },
      ],
    },
  ]);
  const ids = Array.from(l3!.ids);
  assert.equal(ids.filter((x) => x === 128009).length, 2, 'one <|eot_id|> per message');
  assert.equal(ids.filter((x) => x === 128006).length, 2, 'one header per message');
  const [l2] = await encodeAll('alpaca', 'llama2', [{ format: 'alpaca', instruction: 'Close the tag.', input: '', output: 'Use </s> or <s>.' }]);
  assert.deepEqual(
    Array.from(l2!.ids).filter((x) => x === 1 || x === 2),
    [1, 2],
  );
});
