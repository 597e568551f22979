/** Helpers of the XML-source tests: contexts for sources and steps, the Python references, a fetcher. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { BadRecord } from '../../src/io/shards.js';
import { createLogger, setLogLevel } from '../../src/core/log.js';
import { Fetcher } from '../../src/fetch/fetcher.js';
import type { TaskContext } from '../../src/pipeline/step.js';
import { taskContext as standaloneContext } from '../../src/pipeline/standalone.js';
import type { ReadContext, SourceEnv } from '../../src/pipeline/source.js';
import { repoRoot, tempDir } from '../helpers.js';

setLogLevel('error');

export const referenceDir = join(repoRoot, 'test', 'xml', 'reference');

export function readContext(): ReadContext & { bad: BadRecord[] } {
  const bad: BadRecord[] = [];
  return { log: createLogger('test'), advance: () => {}, quarantine: (b) => bad.push(b), bad };
}

export function sourceEnv(taskBytes = 32 << 20): SourceEnv {
  const cache = tempDir('cm-xml-cache-');
  return { pipelineDir: repoRoot, outDir: cache, log: createLogger('test'), fetcher: new Fetcher({ cacheDir: cache, baseDir: repoRoot }), taskBytes };
}

export function taskContext(stateDir: string, rank: number, worldSize: number, source: string): TaskContext {
  return standaloneContext({ stateDir, rank, worldSize, source });
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Runs /usr/bin/python3 (Debian's, with mwparserfromhell/bs4) on a script of test/xml/reference. */
export function python(script: string, args: string[], input: string): string {
  const r = spawnSync('/usr/bin/python3', [join(referenceDir, script), ...args], { input, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${script} failed: ${r.stderr.toString().slice(0, 2000)}`);
  return r.stdout.toString();
}

/** Mean character-level similarity (difflib ratio) of pairs, computed by the Python reference. */
export function similarities(pairs: Array<[string, string]>): number[] {
  return (JSON.parse(python('similarity.py', [], JSON.stringify({ pairs }))) as { ratios: number[] }).ratios;
}

export async function* asyncOf<T>(xs: T[]): AsyncGenerator<T> {
  for (const x of xs) yield x;
}
