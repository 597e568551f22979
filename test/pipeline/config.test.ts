import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePipeline } from '../../src/pipeline/config.js';
import { ConfigError } from '../../src/core/errors.js';
import { createRegistry } from '../../src/app/registry.js';

const base = `name: t
stages:
  - name: a
    inputs:
      - source: c4
        urls: [file:x.json.gz]
    steps:
      - step: text_length
        min_words: 5
`;

function errorOf(yaml: string): string {
  try {
    parsePipeline(yaml, 'pipelines/t.yaml', createRegistry());
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return (e as Error).message;
  }
  assert.fail('expected a ConfigError');
}

test('a valid pipeline parses with defaults filled in', () => {
  const p = parsePipeline(base, 'pipelines/t.yaml', createRegistry());
  assert.equal(p.stages[0]!.steps[0]!.step, 'text_length');
  assert.deepEqual(p.stages[0]!.steps[0]!.params, { min_words: 5 });
  assert.equal(p.settings.shard_bytes, 64 << 20);
});

test('a wrong parameter type names the file, line, path and what was expected', () => {
  const msg = errorOf(base.replace('min_words: 5', 'min_words: five'));
  assert.match(msg, /^pipelines\/t\.yaml:9:20: stages\[0\]\.steps\[0\]\.min_words: .*expected number/);
});

test('an unknown step, an unknown parameter and a bad stage reference are located', () => {
  assert.match(
    errorOf(base.replace('step: text_length', 'step: text_lenght')),
    /t\.yaml:8:15: stages\[0\]\.steps\[0\]\.step: unknown step "text_lenght" \(did you mean "text_length"\?\)/,
  );
  assert.match(errorOf(base.replace('min_words: 5', 'min_wrods: 5')), /stages\[0\]\.steps\[0\]: Unrecognized key: "min_wrods" \(did you mean "min_words"\?\)/);
  // Nothing near enough: no suggestion.
  assert.doesNotMatch(errorOf(base.replace('step: text_length', 'step: dedupe_everything')), /did you mean/);
  assert.match(errorOf(`${base}  - name: b\n    inputs: [{stage: zzz}]\n`), /stages\[1\]\.inputs\[0\]\.stage: "zzz" is not an earlier stage/);
});

test('a parameter a loose source does not know is a warning with its place and the nearest name; a valid pipeline has none', () => {
  assert.deepEqual(parsePipeline(base, 'pipelines/t.yaml', createRegistry()).warnings, []);
  const yaml = `name: t\nstages:\n  - name: a\n    inputs:\n      - source: jsonl\n        urls: [file:x.jsonl]\n        text_feild: body\n        colour: red\n`;
  assert.deepEqual(parsePipeline(yaml, 'pipelines/t.yaml', createRegistry()).warnings, [
    'pipelines/t.yaml:7:21: stages[0].inputs[0]: source jsonl has no parameter "text_feild" (did you mean "text_field"?) (ignored)',
    'pipelines/t.yaml:8:17: stages[0].inputs[0]: source jsonl has no parameter "colour" (ignored)',
  ]);
  assert.match(errorOf(yaml.replace('source: jsonl', 'source: jsnol')), /unknown source "jsnol" \(did you mean "jsonl"\?\)/);
  assert.match(errorOf(`${base}settings:\n  task_byte: 1MB\n`), /t\.yaml:\d+:\d+: settings: Unrecognized key: "task_byte" \(did you mean "task_bytes"\?\)/);
});

test('sizes accept units, and YAML syntax errors give a position', () => {
  const p = parsePipeline(`${base}settings:\n  shard_bytes: 1.5MiB\n  task_bytes: 512k\n`, 'x.yaml', createRegistry());
  assert.equal(p.settings.shard_bytes, 1572864);
  assert.equal(p.settings.task_bytes, 512000);
  assert.match(errorOf('name: [unclosed\n'), /^pipelines\/t\.yaml:\d+:\d+: invalid YAML/);
});
