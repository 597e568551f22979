/** The `alpaca` and `chat` sources: JSON array or lines, provenance ids, rendered text, and every quarantine reason. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../helpers.js';
import { createLogger } from '../../../src/core/log.js';
import type { Doc } from '../../../src/core/document.js';
import type { BadRecord } from '../../../src/io/shards.js';
import type { ReadTask } from '../../../src/pipeline/source.js';
import { alpacaSource, chatSource } from '../../../src/sources/instruct/source.js';
import { arrow, writeTable } from '../../io/parquet-reference.js';

async function read(def: typeof alpacaSource | typeof chatSource, path: string, raw: Record<string, unknown>) {
  const p = def.params.parse({ urls: [`file:${path}`], ...raw });
  const task: ReadTask = { path, name: 'in.json', url: `file:${path}`, bytes: 0, extra: { templateDir: '.' } };
  const bad: BadRecord[] = [];
  const docs: Doc[] = [];
  for await (const d of def.read(task, p as never, { log: createLogger('t'), advance() {}, quarantine: (b) => bad.push(b) })) docs.push(d);
  return { docs, bad: bad.map((b) => [b.record, b.reason]) };
}

test('alpaca: a JSON array or JSON lines; ids by record index; missing or mistyped fields quarantined with the reason', async () => {
  const dir = tempDir();
  const recs = [
    { instruction: 'Say hi.', input: '', output: 'Hi!' },
    { instruction: 'Add the numbers.', input: '2 and 3', output: '5' },
    { instruction: 'No output here.', input: '' },
    { input: 'no instruction', output: 'x' },
    { instruction: 'Bad input type.', input: 7, output: 'x' },
    ['not', 'an', 'object'],
    { instruction: 'Input absent.', output: 'ok' },
  ];
  writeFileSync(join(dir, 'a.json'), JSON.stringify(recs, null, 4));
  writeFileSync(join(dir, 'a.jsonl'), `${recs.map((r) => JSON.stringify(r)).join('\n')}\n{"instruction": \n`);
  for (const file of ['a.json', 'a.jsonl']) {
    const { docs, bad } = await read(alpacaSource, join(dir, file), {});
    assert.deepEqual(
      docs.map((d) => d.id),
      ['alpaca/in.json/0', 'alpaca/in.json/1', 'alpaca/in.json/6'],
    );
    assert.equal(
      docs[1]!.text,
      'Below is an instruction that describes a task, paired with an input that provides further context. Write a response that appropriately completes the request.\n\n### Instruction:\nAdd the numbers.\n\n### Input:\n2 and 3\n\n### Response:5',
    );
    assert.deepEqual(docs[2]!.meta.sft, { template: 'alpaca', format: 'alpaca', instruction: 'Input absent.', input: '', output: 'ok' });
    assert.deepEqual(
      bad.map((b) => b[1]),
      ['missing_output', 'missing_instruction', 'bad_field', 'not_an_object', ...(file === 'a.jsonl' ? ['malformed_json'] : [])],
    );
    assert.match(String(bad[0]![0]), /^record 2 \(byte \d+\)$/);
  }
  const named = await read(alpacaSource, join(dir, 'a.json'), { source_name: 'dolly', template: 'llama3' });
  assert.equal(named.docs[0]!.id, 'dolly/in.json/0');
  assert.equal(named.docs[0]!.text, '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nSay hi.<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nHi!<|eot_id|>');
});

test("alpaca and chat from Parquet (the Hub's tatsu-lab/alpaca layout, written by an independent writer): the same documents as the same records in JSON lines", async () => {
  const dir = tempDir();
  const recs = [
    { instruction: 'Say hi.', input: '', output: 'Hi!', text: 'rendered by the publisher' },
    { instruction: 'Add the numbers.', input: '2 and 3', output: '5', text: '' },
    { instruction: 'No output here.', input: '', output: null, text: '' },
    { instruction: 'Unicode: 日本語 ✓', input: 'é', output: 'はい', text: '' },
  ];
  const utf8 = (k: 'instruction' | 'input' | 'output' | 'text') =>
    arrow.vectorFromArray(
      recs.map((r) => r[k]),
      new arrow.Utf8(),
    );
  writeTable(
    join(dir, 'train-00000-of-00001.parquet'),
    new arrow.Table({ instruction: utf8('instruction'), input: utf8('input'), output: utf8('output'), text: utf8('text') }),
    'SNAPPY',
    2,
  );
  writeFileSync(join(dir, 'train.jsonl'), `${recs.map((r) => JSON.stringify(r)).join('\n')}\n`);
  const fromParquet = await read(alpacaSource, join(dir, 'train-00000-of-00001.parquet'), {});
  const fromJsonl = await read(alpacaSource, join(dir, 'train.jsonl'), {});
  assert.equal(fromParquet.docs.length, 3);
  assert.deepEqual(fromParquet.docs, fromJsonl.docs);
  assert.deepEqual(fromParquet.bad, [['row 2', 'missing_output']]);
  assert.deepEqual(
    fromJsonl.bad.map((b) => b[1]),
    ['missing_output'],
  );
  const messages = arrow.vectorFromArray(
    [
      [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
      ],
    ],
    new arrow.List(new arrow.Field('item', new arrow.Struct([new arrow.Field('role', new arrow.Utf8(), true), new arrow.Field('content', new arrow.Utf8(), true)]), true)),
  );
  writeTable(join(dir, 'chat.parquet'), new arrow.Table({ messages }), 'ZSTD', 10);
  const chat = await read(chatSource, join(dir, 'chat.parquet'), { template: 'llama3' });
  assert.deepEqual(chat.bad, []);
  assert.equal(chat.docs[0]!.text, '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|>');
});

test('chat: messages with system/user/assistant roles; bad messages, unknown roles, no response and template mismatches quarantined', async () => {
  const dir = tempDir();
  const lines = [
    {
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: ' Hi ' },
        { role: 'assistant', content: 'Hello.' },
      ],
    },
    { messages: [{ role: 'user', content: 'Hi' }] },
    {
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'tool', content: '{}' },
        { role: 'assistant', content: 'ok' },
      ],
    },
    { messages: [{ role: 'user' }, { role: 'assistant', content: 'ok' }] },
    { conversation: [] },
    {
      messages: [
        { role: 'assistant', content: 'I speak first.' },
        { role: 'user', content: 'ok' },
      ],
    },
  ];
  writeFileSync(join(dir, 'c.jsonl'), `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  const { docs, bad } = await read(chatSource, join(dir, 'c.jsonl'), {});
  assert.deepEqual(
    docs.map((d) => [d.id, d.text]),
    // Meta strips the folded message as a whole: the user's leading space is inside it and stays
    [['chat/in.json/0', '[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\n Hi [/INST] Hello. ']],
  );
  assert.deepEqual(
    bad.map((b) => b[1]),
    ['no_response', 'unknown_role', 'bad_message', 'missing_messages', 'template_mismatch'],
  );
  // Llama 3 takes any order of roles; the assistant-first chat renders there
  const l3 = await read(chatSource, join(dir, 'c.jsonl'), { template: 'llama3' });
  assert.deepEqual(
    l3.docs.map((d) => d.id),
    ['chat/in.json/0', 'chat/in.json/5'],
  );
});
