/**
 * The one set of test helpers: the repo root and its test data, temporary folders, running the CLI
 * as a user would, contexts for running sources and steps outside a build, Python references.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after } from 'node:test';
import type { Doc } from '../src/core/document.js';
import { createLogger } from '../src/core/log.js';
import type { BadRecord } from '../src/io/shards.js';
import { Fetcher } from '../src/fetch/fetcher.js';
import type { ReadContext, SourceEnv } from '../src/pipeline/source.js';
import { taskContext, type StandaloneOptions } from '../src/pipeline/standalone.js';
import type { TaskContext } from '../src/pipeline/step.js';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Real files in each source's raw format, with their origin and licence in test/data/MANIFEST.md. */
export const testData = join(repoRoot, 'test', 'data');

/** A temporary folder, removed when the test file ends. */
export function tempDir(prefix = 'cm-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

export async function* iterate<T>(items: Iterable<T>): AsyncGenerator<T> {
  for (const x of items) yield x;
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Runs a Python reference script with Debian's interpreter (the one with the system modules); returns stdout. */
export function python(script: string, args: string[] = [], input?: string): string {
  return execFileSync('/usr/bin/python3', [script, ...args], { input, maxBuffer: 1 << 30 }).toString('utf8');
}

/** A document with provenance fields filled in for tests. */
export function doc(id: string, text: string, source = 'commoncrawl', meta: Doc['meta'] = {}): Doc {
  return { id, text, source, meta };
}

/** What a source's list/plan get: the repo as pipeline folder, a fresh download cache. */
export function sourceEnv(taskBytes = 32 << 20): SourceEnv {
  const cache = tempDir('cm-cache-');
  const log = createLogger('test');
  return { pipelineDir: repoRoot, outDir: cache, log, fetcher: new Fetcher({ cacheDir: cache, baseDir: repoRoot, log }), taskBytes };
}

/** A source's read context that keeps what it is told: quarantined records, counters, bytes consumed. */
export function readContext(): ReadContext & { bad: BadRecord[]; counts: Record<string, number>; bytes: number } {
  const ctx = {
    bad: [] as BadRecord[],
    counts: {} as Record<string, number>,
    bytes: 0,
    log: createLogger('test'),
    advance(n: number) {
      ctx.bytes += n;
    },
    quarantine(b: BadRecord) {
      ctx.bad.push(b);
    },
    count(name: string, n = 1) {
      ctx.counts[name] = (ctx.counts[name] ?? 0) + n;
    },
  };
  return ctx;
}

/** A step's task context (src/pipeline/standalone.ts) that also keeps the documents it drops. */
export function recordingContext(
  opts: Partial<StandaloneOptions> & { rank?: number; worldSize?: number; source?: string } = {},
): TaskContext & { dropped: Array<{ doc: Doc; reason: string }> } {
  const dropped: Array<{ doc: Doc; reason: string }> = [];
  const ctx = taskContext({ ...opts, stateDir: opts.stateDir ?? tempDir('cm-state-'), onDrop: (d, reason) => dropped.push({ doc: d, reason }) });
  return Object.assign(ctx, { dropped });
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
 * sha256 of every output file under `out`, by relative path: document shards, rejects and
 * quarantine, token shards (`.bin`, `.idx`, `.npy`) and their manifests, the mixture. Left out:
 * what records when and where a run happened (catalog, markers, stats, report, lock), step state
 * under `_work/`, downloads and cluster logs.
 */
export function outputHashes(out: string): Record<string, string> {
  const res: Record<string, string> = {};
  const skipDirs = new Set(['cache', '_state', '_slurm', '_work']);
  const skipFiles = /^(catalog\.sqlite.*|stats\.json|report\.(html|md)|corpusmill\.lock.*)$/;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (!(d === out && skipDirs.has(e.name))) walk(p);
      } else if (!(d === out && skipFiles.test(e.name))) res[relative(out, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(out);
  return res;
}

/**
 * Plugins load from the pipeline's own folder: writes `plugin.ts` there, a one-line module that
 * re-exports the test plugin (test/pipeline/fixtures/corpus-words-plugin.ts), and returns its name.
 */
export function testPlugin(dir: string): string {
  writeFileSync(join(dir, 'plugin.ts'), `export * from ${JSON.stringify(join(repoRoot, 'test', 'pipeline', 'fixtures', 'corpus-words-plugin.ts'))};\n`);
  return 'plugin.ts';
}

/**
 * A two-stage pipeline over a generated JSONL (`docs` documents; meta.i is the index) big enough
 * to split into many tasks: stage `read` (text_length + `readSteps`), then `stamp` (the test
 * plugin's corpus_words, a step with scan and reduce passes), and with `tokenize` a stage `tok`
 * writing llama2 token shards.
 */
export function twoStagePipeline(dir: string, opts: { docs: number; taskBytes: string; readSteps?: string; tokenize?: boolean }): string {
  mkdirSync(join(dir, 'in'), { recursive: true });
  const lines = Array.from({ length: opts.docs }, (_, i) => JSON.stringify({ text: `document ${i} ${'lorem ipsum dolor sit amet '.repeat(1 + (i % 13))}`, meta: { i } }));
  writeFileSync(join(dir, 'in', 'big.jsonl'), `${lines.join('\n')}\n`);
  testPlugin(dir);
  const file = join(dir, 'p.yaml');
  writeFileSync(
    file,
    `name: twostage
plugins: [plugin.ts]
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
${
  opts.tokenize
    ? `  - name: tok
    inputs: [{ stage: stamp }]
    write_documents: false
    steps:
      - step: tokenize
        tokenizer: llama2
        max_shard_bytes: 4096
`
    : ''
}`,
  );
  return file;
}
