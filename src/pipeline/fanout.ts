/**
 * One stream read once and fed to several consumers (the scan passes of one step that read the same
 * documents). Each consumer gets every item in order; the source is read ahead of the slowest
 * consumer by at most `limit` items, so memory stays bounded. A consumer that stops early no longer
 * holds the others back; the source is closed when every consumer has stopped.
 */
export function fanOut<T>(source: AsyncIterable<T>, n: number, limit = 64): AsyncIterable<T>[] {
  const queues: T[][] = Array.from({ length: n }, () => []);
  const active: boolean[] = new Array(n).fill(true);
  let done = false;
  let failed: { error: unknown } | null = null;
  let started = false;
  // One promise per change of state, resolved and replaced on every change.
  let notify: () => void = () => {};
  let changed = new Promise<void>((r) => {
    notify = r;
  });
  const signal = () => {
    const wake = notify;
    changed = new Promise<void>((r) => {
      notify = r;
    });
    wake();
  };
  const full = () => queues.some((q, i) => active[i] && q.length >= limit);

  async function pump(): Promise<void> {
    const it = source[Symbol.asyncIterator]();
    try {
      for (;;) {
        while (full()) await changed;
        if (!active.some(Boolean)) {
          await it.return?.();
          return;
        }
        const r = await it.next();
        if (r.done) return;
        for (let i = 0; i < n; i++) if (active[i]) queues[i]!.push(r.value);
        signal();
      }
    } catch (error) {
      failed = { error };
    } finally {
      done = true;
      signal();
    }
  }

  async function* consumer(i: number): AsyncGenerator<T> {
    if (!started) {
      started = true;
      void pump(); // never rejects: its errors go to the consumers
    }
    try {
      for (;;) {
        const q = queues[i]!;
        if (q.length > 0) {
          const v = q.shift()!;
          signal();
          yield v;
          continue;
        }
        if (done) {
          if (failed) throw (failed as { error: unknown }).error;
          return;
        }
        await changed;
      }
    } finally {
      active[i] = false;
      queues[i] = [];
      signal();
    }
  }

  return Array.from({ length: n }, (_, i) => ({ [Symbol.asyncIterator]: () => consumer(i) }));
}
