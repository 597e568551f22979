/**
 * CONTRIBUTING.md's worked example is real: its filter file, its export-list line, its pipeline snippet
 * and its test are taken from the document, placed in a copy of the tree's layout (the rest of src/ linked
 * in), and run: the pipeline parses with the new step, and the document's test passes.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { parsePipeline } from '../../src/pipeline/config.js';
import { Registry } from '../../src/pipeline/registry.js';
import type { StepDef } from '../../src/pipeline/step.js';
import { repoRoot, tempDir } from '../helpers.js';

const doc = readFileSync(join(repoRoot, 'CONTRIBUTING.md'), 'utf8');
const blocks = (lang: string) => [...doc.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => m[1]!);

test("CONTRIBUTING's filter compiles, registers in one line, parses in a pipeline and passes its own test", async () => {
  const [filterFile, indexLine, testFile] = blocks('ts');
  const [yamlSteps] = blocks('yaml');
  assert.ok(filterFile && indexLine && testFile && yamlSteps, 'the worked example has its three code blocks and a YAML snippet');

  // A tree shaped like the repository: the new file in src/filters, everything else linked.
  const root = tempDir('cm-contrib-');
  for (const dir of ['src', 'src/filters', 'test', 'test/filters']) mkdirSync(join(root, dir), { recursive: true });
  for (const layer of ['core', 'text', 'io', 'native', 'catalog', 'fetch', 'pipeline']) symlinkSync(join(repoRoot, 'src', layer), join(root, 'src', layer));
  symlinkSync(join(repoRoot, 'node_modules'), join(root, 'node_modules'));
  symlinkSync(join(repoRoot, 'test', 'helpers.ts'), join(root, 'test', 'helpers.ts'));
  writeFileSync(join(root, 'src', 'filters', 'digit-fraction.ts'), filterFile);
  writeFileSync(join(root, 'test', 'filters', 'digit-fraction.test.ts'), testFile);

  // The export-list line names the module and the step the file defines.
  const imported = /import \{ (\w+) \} from '\.\/(digit-fraction)\.js';/.exec(indexLine);
  assert.ok(imported, indexLine);
  assert.match(indexLine, new RegExp(`^\\s+${imported[1]},$`, 'm'));
  const mod = (await import(pathToFileURL(join(root, 'src', 'filters', `${imported[2]}.ts`)).href)) as Record<string, StepDef>;
  const step = mod[imported[1]!]!;

  // The YAML snippet parses with a registry holding the new step (and a source to read from).
  const registry = new Registry([{ steps: [step] }]);
  const yaml = `name: contrib\nstages:\n  - name: a\n    inputs:\n      - source: jsonl\n        urls: [file:x.jsonl]\n${yamlSteps}`;
  const { sources } = await import('../../src/sources/jsonl/index.js');
  registry.add({ sources }, 'test');
  const pipeline = parsePipeline(yaml, 'contrib.yaml', registry);
  assert.deepEqual(pipeline.stages[0]!.steps, [{ step: 'digit_fraction', params: { max_fraction: 0.25 } }]);
  assert.throws(() => parsePipeline(yaml.replace('0.25', '1.5'), 'contrib.yaml', registry), /contrib\.yaml:\d+:\d+: stages\[0\]\.steps\[0\]\.max_fraction/);

  // The document's test, run as `npm test` runs tests.
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT; // a nested `node --test` reports to its parent runner otherwise, not to stdout
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', join(root, 'test', 'filters', 'digit-fraction.test.ts')], { cwd: root, env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /# pass 1/);
});
