/** Paths and small utilities shared by the curated-source tests (ArXiv, Books). */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../../src/core/log.js';
import type { BadRecord } from '../../src/io/shards.js';
import type { ReadContext } from '../../src/sources/source.js';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
/** `../shared/samples` beside the clone (CI); from a worktree nested deeper, the nearest ancestor's. */
export const shared = findShared();

function findShared(): string {
  for (let dir = dirname(repoRoot); ; dir = dirname(dir)) {
    const p = join(dir, 'shared', 'samples');
    if (existsSync(p)) return p;
    if (dirname(dir) === dir) return join(repoRoot, '..', 'shared', 'samples');
  }
}
export const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), `cm-${prefix}-`));

/** Runs a Python script with Debian's interpreter (the one that has the system modules). */
export function python(script: string, args: string[]): string {
  return execFileSync('/usr/bin/python3', [script, ...args], { maxBuffer: 1 << 28 }).toString('utf8');
}

/** A read context that keeps what it is told. */
export function recordingContext(): ReadContext & { bad: BadRecord[]; bytes: number } {
  const ctx = {
    bad: [] as BadRecord[],
    bytes: 0,
    log: createLogger('test'),
    advance(n: number) {
      ctx.bytes += n;
    },
    quarantine(b: BadRecord) {
      ctx.bad.push(b);
    },
  };
  return ctx;
}
