/**
 * `mask_mode: alpaca_train_py` against train.py's own masking logic run in python3
 * (alpaca_train_reference.py), fed with token ids from llama-tokenizer-js: every sample example at
 * several model_max_length values, plus the boundary cases (outputs that merge with "Response:", an
 * empty output, trailing whitespace before "</s>", prompts longer than the limit). Also pins where
 * the two modes differ.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../helpers.js';
import { loadTokenizer } from '../../../src/tokenize/tokenizer.js';
import { SftEncoder } from '../../../src/sources/instruct/encode.js';
import { loadTemplate } from '../../../src/sources/instruct/templates.js';
import { alpacaPromptRef, llamaJs, sampleAlpaca, type AlpacaExample } from './refs.js';

const EDGE: AlpacaExample[] = [
  { instruction: 'Give a word that rhymes with "light".', input: '', output: '' },
  { instruction: 'List two fruits.', input: '', output: '- Apples\n- Pears\n\n' },
  { instruction: 'Quote the first line.', input: 'It was a bright cold day in April.', output: '"It was a bright cold day in April."  ' },
  { instruction: 'Smile.', input: '', output: ':)' },
];

/** Python's str.rstrip() for the whitespace used here. */
const rstrip = (s: string) => s.replace(/\s+$/, '');

function pythonLabels(examples: AlpacaExample[], maxLength: number, bosId: number): number[][] {
  const req = {
    max_length: maxLength,
    bos_id: bosId,
    pad_id: 32000, // train.py adds "[PAD]" to the LLaMA vocabulary
    examples: examples.map((e) => {
      const prompt = alpacaPromptRef(e);
      // slow LlamaTokenizer on `prompt + output + "</s>"`: the text before the special token, rstripped, then EOS
      return { source_ids: llamaJs.encode(prompt, false, true), example_ids: [...llamaJs.encode(rstrip(prompt + e.output), false, true), 2] };
    }),
  };
  const out = execFileSync('python3', [join(repoRoot, 'test', 'sources', 'instruct', 'alpaca_train_reference.py')], { input: JSON.stringify(req), encoding: 'utf8' });
  return (JSON.parse(out) as { labels: number[][] }).labels;
}

async function ours(examples: AlpacaExample[], maxLength: number, mode: 'exact' | 'alpaca_train_py', bosId?: number) {
  const enc = new SftEncoder(await loadTokenizer('llama2'), loadTemplate('alpaca', '.'), { mode, maxLength, bosId });
  return enc.encode(examples.map((e) => enc.render({ format: 'alpaca', ...e })));
}

for (const maxLength of [512, 96, 40]) {
  test(`alpaca_train_py equals train.py's labels on every sample and edge example (model_max_length ${maxLength})`, async () => {
    const examples = [...sampleAlpaca(), ...EDGE];
    const labels = pythonLabels(examples, maxLength, 1);
    const got = await ours(examples, maxLength, 'alpaca_train_py');
    examples.forEach((_, i) => {
      const ids = Array.from(got[i]!.ids);
      assert.deepEqual(
        ids.map((id, k) => (got[i]!.mask[k] ? id : -100)),
        labels[i],
        `example ${i}`,
      );
    });
  });
}

test('alpaca_train_py with bos_token_id 2 reproduces a run on a "llama" model path, where train.py sets bos_token to "</s>"', async () => {
  const examples = sampleAlpaca().slice(0, 5);
  const labels = pythonLabels(examples, 512, 2);
  const got = await ours(examples, 512, 'alpaca_train_py', 2);
  examples.forEach((_, i) => {
    assert.equal(got[i]!.ids[0], 2);
    assert.deepEqual(
      Array.from(got[i]!.ids).map((id, k) => (got[i]!.mask[k] ? id : -100)),
      labels[i],
    );
  });
});

test('where the modes differ: a merged boundary token is masked by train.py, trained by exact; a trailing space survives only in exact', async () => {
  const [quote, spaced] = [EDGE[2]!, EDGE[1]!];
  const [tp, tpSpaced] = await ours([quote, spaced], 512, 'alpaca_train_py');
  const [ex, exSpaced] = await ours([quote, spaced], 512, 'exact');
  // '### Response:"It' -> "Response", ':"', "It": train.py masks len(prompt ids) tokens, the prompt's ":" is gone
  const k = Array.from(ex!.ids).indexOf(6160);
  assert.ok(k > 0);
  assert.deepEqual(Array.from(tp!.ids), [...llamaJs.encode(rstrip(alpacaPromptRef(quote) + quote.output), true, true), 2]);
  assert.deepEqual(Array.from(tp!.ids.slice(0, k + 1)), Array.from(ex!.ids.slice(0, k + 1)));
  assert.equal(tp!.mask[k], 0);
  assert.equal(ex!.mask[k], 1);
  assert.equal(tp!.mask[k + 1], 1);
  // the output's trailing "\n\n": kept (and trained) in exact mode, stripped before EOS by train.py's tokenizer
  assert.ok(exSpaced!.ids.length > tpSpaced!.ids.length);
  assert.equal(tpSpaced!.ids.at(-1), 2);
});
