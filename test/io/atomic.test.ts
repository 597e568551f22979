/**
 * AtomicLineFile: lines appear under the final name only on commit, and waiting for the stream
 * (backpressure) leaves no listener behind however many times it waits.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AtomicLineFile } from '../../src/io/atomic.js';
import { tempDir } from '../helpers.js';

test('a long AtomicLineFile waits for drain many times without piling up listeners, and commits every line', async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.name);
  process.on('warning', onWarning);
  try {
    const path = join(tempDir(), 'lines.txt');
    const f = new AtomicLineFile(path);
    // 64 KiB flushes into a 16 KiB stream buffer: each flush waits for 'drain', 300 times in all.
    const line = 'x'.repeat(1023);
    const n = 300 * 64;
    for (let i = 0; i < n; i++) await f.write(line);
    assert.ok(!existsSync(path), 'nothing under the final name before commit');
    await f.commit();
    const text = readFileSync(path, 'utf8');
    assert.equal(text.length, n * 1024);
    assert.equal(text.split('\n').length, n + 1);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(
      warnings.filter((w) => w === 'MaxListenersExceededWarning'),
      [],
    );
  } finally {
    process.off('warning', onWarning);
  }
});
