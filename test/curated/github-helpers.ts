/** Paths and a recording read context for the GitHub tests. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after } from 'node:test';
import { createLogger } from '../../src/core/log.js';
import type { BadRecord } from '../../src/io/shards.js';
import type { ReadContext } from '../../src/pipeline/source.js';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** `../shared/samples` beside the clone (CI), or the nearest ancestor's from a nested worktree. */
export const sharedSamples = ((): string => {
  for (let dir = dirname(repoRoot); dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, 'shared', 'samples'))) return join(dir, 'shared', 'samples');
  }
  return join(repoRoot, '..', 'shared', 'samples');
})();

export function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), `cm-gh-${prefix}-`));
  after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** A read context that keeps quarantined records and skip counts. */
export function recordingContext(): ReadContext & { bad: BadRecord[]; skipped: Record<string, number> } {
  const ctx = {
    bad: [] as BadRecord[],
    skipped: {} as Record<string, number>,
    log: createLogger('test'),
    advance() {},
    quarantine(b: BadRecord) {
      ctx.bad.push(b);
    },
    count(name: string, n = 1) {
      const reason = name.replace(/^skipped_/, '');
      ctx.skipped[reason] = (ctx.skipped[reason] ?? 0) + n;
    },
  };
  return ctx;
}
