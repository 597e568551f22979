/** Shared test helpers: temporary folders, the repo root, running the CLI as a user would. */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after } from 'node:test';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const samplesRoot = join(repoRoot, '..', 'shared', 'samples');

export function tempDir(prefix = 'cm-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `corpusmill <args>` from the TypeScript sources (through tsx), in `cwd`. */
export function runCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<CliResult> & { child: ReturnType<typeof spawn> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'main.ts'), ...args], {
    cwd: opts.cwd ?? repoRoot,
    env: { ...process.env, ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  if (opts.input !== undefined) child.stdin.end(opts.input);
  else child.stdin.end();
  const p = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))) as Promise<CliResult> & {
    child: ReturnType<typeof spawn>;
  };
  p.child = child;
  return p;
}

/** sha256 of every document shard under `out` (outputs, rejects, quarantine), by relative path. */
export function shardHashes(out: string): Record<string, string> {
  const res: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (!['cache', '_state', '_slurm', '_work'].includes(e.name)) walk(p);
      } else if (e.name.endsWith('.jsonl.zst')) res[relative(out, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(out);
  return res;
}

/**
 * A two-stage pipeline over a generated JSONL (`docs` documents; meta.i is the index) big enough
 * to split into many tasks: stage `read` (text_length + `readSteps`), then `stamp` (the test
 * plugin's corpus_words, a step with scan and reduce passes).
 */
export function twoStagePipeline(dir: string, opts: { docs: number; taskBytes: string; readSteps?: string }): string {
  mkdirSync(join(dir, 'in'), { recursive: true });
  const lines = Array.from({ length: opts.docs }, (_, i) => JSON.stringify({ text: `document ${i} ` + 'lorem ipsum dolor sit amet '.repeat(1 + (i % 13)), meta: { i } }));
  writeFileSync(join(dir, 'in', 'big.jsonl'), lines.join('\n') + '\n');
  const file = join(dir, 'p.yaml');
  writeFileSync(
    file,
    `name: twostage
plugins: [${JSON.stringify(join(repoRoot, 'test', 'fixtures', 'corpus-words-plugin.ts'))}]
settings: { task_bytes: ${opts.taskBytes}, shard_bytes: 32KiB }
stages:
  - name: read
    inputs:
      - source: jsonl
        urls: ["file:in/big.jsonl"]
    steps:
      - step: text_length
        min_words: 8
${opts.readSteps ?? ''}
  - name: stamp
    inputs: [{ stage: read }]
    steps:
      - step: corpus_words
`,
  );
  return file;
}
