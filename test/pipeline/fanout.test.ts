/** fanOut (src/pipeline/fanout.ts): one read of a stream feeds several scan passes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fanOut } from '../../src/pipeline/fanout.js';

/** A source of 0..n-1 that records how far it was read and whether it was closed. */
function source(n: number, failAt = -1) {
  const state = { produced: 0, closed: false };
  const it = (async function* () {
    try {
      for (let i = 0; i < n; i++) {
        if (i === failAt) throw new Error(`failed at ${i}`);
        state.produced++;
        yield i;
      }
    } finally {
      state.closed = true;
    }
  })();
  return { it, state };
}

async function take(it: AsyncIterable<number>, max = Infinity): Promise<number[]> {
  const out: number[] = [];
  for await (const x of it) {
    out.push(x);
    if (out.length >= max) break;
  }
  return out;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

test('every consumer gets every item in order, from one read of the source', async () => {
  const { it, state } = source(1000);
  const [a, b, c] = fanOut(it, 3, 8);
  const got = await Promise.all([take(a!), take(b!), take(c!)]);
  assert.deepEqual(got, [range(1000), range(1000), range(1000)]);
  assert.equal(state.produced, 1000);
  assert.ok(state.closed);
});

test('a consumer that stops early does not hold the others back; the source closes when all have stopped', async () => {
  const { it, state } = source(500);
  const [a, b] = fanOut(it, 2, 4);
  const [short, full] = await Promise.all([take(a!, 10), take(b!)]);
  assert.deepEqual(short, range(10));
  assert.deepEqual(full, range(500));
  assert.ok(state.closed);

  const s2 = source(500);
  const [c, d] = fanOut(s2.it, 2, 4);
  await Promise.all([take(c!, 3), take(d!, 5)]);
  assert.ok(s2.state.closed, 'closed once both stopped');
  assert.ok(s2.state.produced < 500);
});

test('the source is read at most `limit` items ahead of the slowest consumer', async () => {
  const { it, state } = source(100);
  const [slow, fast] = fanOut(it, 2, 4);
  const fastIt = fast![Symbol.asyncIterator]();
  const seen: number[] = [];
  let pending = fastIt.next();
  for (;;) {
    const next = await Promise.race([pending, new Promise<'stalled'>((r) => setTimeout(() => r('stalled'), 50))]);
    if (next === 'stalled') break;
    seen.push(next.value as number);
    pending = fastIt.next();
  }
  assert.ok(seen.length <= 5 && state.produced <= 5, `read ${state.produced} ahead`);
  // Once the slow one reads, both finish.
  const rest = async () => {
    const out = [...seen];
    for (let r = await pending; !r.done; r = await fastIt.next()) out.push(r.value);
    return out;
  };
  assert.deepEqual(await Promise.all([take(slow!), rest()]), [range(100), range(100)]);
});

test('an error of the source reaches every consumer', async () => {
  const { it } = source(100, 42);
  const [a, b] = fanOut(it, 2, 4);
  const results = await Promise.allSettled([take(a!), take(b!)]);
  for (const r of results) assert.equal(r.status === 'rejected' && (r.reason as Error).message, 'failed at 42');
});
