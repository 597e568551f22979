/**
 * Wraps a step so the runner, not the step, counts documents and bytes in and out and the time
 * spent in the step's own code (time waiting on upstream steps is subtracted).
 */
import { performance } from 'node:perf_hooks';
import type { Doc } from '../core/document.js';
import { utf8Length, type StepStats } from '../core/stats.js';
import type { Step, TaskContext } from './step.js';

// UTF-8 byte counts are cached per document object while its text is unchanged, so a chain of
// steps measures each text once.
const byteCache = new WeakMap<Doc, { text: string; bytes: number }>();
function docBytes(doc: Doc): number {
  const c = byteCache.get(doc);
  if (c && c.text === doc.text) return c.bytes;
  const bytes = utf8Length(doc.text);
  byteCache.set(doc, { text: doc.text, bytes });
  return bytes;
}

/** Counts what flows out of `upstream` into `stats.docs_in/bytes_in`, and times waiting on it. */
function countedInput(upstream: AsyncIterable<Doc>, stats: StepStats, timer: { up: number }): AsyncIterable<Doc> {
  return {
    async *[Symbol.asyncIterator]() {
      const it = upstream[Symbol.asyncIterator]();
      try {
        for (;;) {
          const t0 = performance.now();
          const r = await it.next();
          timer.up += performance.now() - t0;
          if (r.done) return;
          stats.docs_in++;
          stats.bytes_in += docBytes(r.value);
          yield r.value;
        }
      } finally {
        await it.return?.();
      }
    },
  };
}

export function instrument(step: Step, upstream: AsyncIterable<Doc>, ctx: TaskContext): AsyncIterable<Doc> {
  const stats = ctx.stats;
  const timer = { up: 0 };
  const output = step.run(countedInput(upstream, stats, timer), ctx);
  return {
    async *[Symbol.asyncIterator]() {
      const it = output[Symbol.asyncIterator]();
      try {
        for (;;) {
          const up0 = timer.up;
          const t0 = performance.now();
          const r = await it.next();
          stats.time_ms += performance.now() - t0 - (timer.up - up0);
          if (r.done) return;
          stats.docs_out++;
          stats.bytes_out += docBytes(r.value);
          yield r.value;
        }
      } finally {
        await it.return?.();
      }
    },
  };
}

/** Feeds documents to a consumer (a scan pass) while timing it the same way. */
export function timedConsumer(upstream: AsyncIterable<Doc>, stats: StepStats): { input: AsyncIterable<Doc>; timer: { up: number } } {
  const timer = { up: 0 };
  return { input: countedInput(upstream, stats, timer), timer };
}
