import { statSync } from 'node:fs';
import { readSegment } from '../src/sources/commoncrawl/source.js';
import { collect, readContext } from '../test/helpers.js';
const path = process.argv[2]!;
for (const native of [true, false]) {
  const ctx = readContext();
  const docs = await collect(readSegment({ path, name: 'x', url: '', bytes: statSync(path).size }, { base_url: '', dumps: ['2023-06'], max_record_bytes: 64 << 20 }, ctx, { native }));
  console.log(native, docs.length, ctx.counts, ctx.bad.map((b) => [b.reason, b.record, b.detail]));
}
