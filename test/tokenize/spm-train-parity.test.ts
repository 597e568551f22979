/**
 * The tokenizer.model loader and the SentencePiece BPE algorithm on vocabularies other than LLaMA's:
 * Debian's `spm_train` trains BPE models on the samples (with and without byte fallback and dummy
 * prefix), then `spm_encode --output_format=id` is the reference for every line of every sample.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTokenizer } from '../../src/tokenize/tokenizer.js';
import { diffIds, edgeCases, invalidUtf8Cases, sampleTexts, splitLines, spmEncodeLines } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'corpusmill-spm-'));

function trainingText(): string {
  const parts: string[] = [];
  for (const s of sampleTexts()) parts.push(new TextDecoder().decode(s.bytes.subarray(0, 6 * 1024)));
  return parts.join('\n');
}

function train(name: string, extra: string[]): string {
  const input = join(tmp, 'train.txt');
  writeFileSync(input, trainingText());
  const prefix = join(tmp, name);
  execFileSync(
    'spm_train',
    [
      `--input=${input}`,
      `--model_prefix=${prefix}`,
      '--model_type=bpe',
      '--vocab_size=3000',
      '--character_coverage=0.9995',
      '--normalization_rule_name=identity',
      '--remove_extra_whitespaces=false',
      '--minloglevel=2',
      ...extra,
    ],
    { stdio: 'pipe' },
  );
  return `${prefix}.model`;
}

function referenceLines(): Buffer[] {
  const lines: Buffer[] = [
    ...invalidUtf8Cases(),
    ...edgeCases()
      .filter((s) => !s.includes('\n'))
      .map((s) => Buffer.from(s)),
  ];
  for (const s of sampleTexts()) lines.push(...splitLines(s.bytes.subarray(0, 16 * 1024)));
  return lines;
}

for (const [name, flags] of [
  ['bytefallback', ['--byte_fallback=true', '--split_digits=true']],
  ['unk-nodummy', ['--byte_fallback=false', '--add_dummy_prefix=false']],
] as const) {
  test(`a spm_train BPE model (${name}) encodes like spm_encode on every sample line`, async () => {
    const model = train(name, [...flags]);
    const t = await loadTokenizer(model);
    assert.equal(t.info.vocabSize, 3000);
    const lines = referenceLines();
    const want = spmEncodeLines(model, lines);
    const got = t.encodeMany(lines, { bos: false, threads: 2 });
    const r = diffIds(`spm_encode ${name}`, lines, want, got);
    assert.ok(r.docs > 20_000 && r.ids > 500_000, `compared ${r.docs} lines, ${r.ids} ids`);
    assert.deepEqual(r.bad, []);
  });
}

test('models the encoder cannot reproduce exactly are refused with the reason', async () => {
  const input = join(tmp, 'train.txt');
  writeFileSync(input, trainingText());
  const prefix = join(tmp, 'nfkc');
  execFileSync('spm_train', [`--input=${input}`, `--model_prefix=${prefix}`, '--model_type=bpe', '--vocab_size=3000', '--minloglevel=2'], { stdio: 'pipe' });
  await assert.rejects(loadTokenizer(`${prefix}.model`), /precompiled charsmap|remove_extra_whitespaces/);
  const uni = join(tmp, 'unigram');
  execFileSync(
    'spm_train',
    [
      `--input=${input}`,
      `--model_prefix=${uni}`,
      '--model_type=unigram',
      '--vocab_size=3000',
      '--normalization_rule_name=identity',
      '--remove_extra_whitespaces=false',
      '--minloglevel=2',
    ],
    { stdio: 'pipe' },
  );
  await assert.rejects(loadTokenizer(`${uni}.model`), /not BPE/);
});
