import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { textNative } from '../src/native/addons.js';
import { parseHeaderBlock } from '../src/sources/commoncrawl/warc.js';
const dir = '/tmp/ccf/wet';
const files = readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.wet.gz')).map((f) => join(dir, f));
const { WetReader } = textNative<any>();
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
for (let r = 0; r < Number(process.env.R ?? 5); r++) {
  let t0 = cpu(); let n = 0;
  for (const f of files) { const rd = new WetReader(f, true, 64 << 20); for (;;) { const b = rd.next(256); if (!Array.isArray(b)) break; n += b.length; } rd.close(); }
  const a = cpu() - t0;
  t0 = cpu();
  for (const f of files) { const rd = new WetReader(f, true, 64 << 20); for (;;) { const b = rd.next(256); if (!Array.isArray(b)) break; for (const x of b) parseHeaderBlock(x[2]); } rd.close(); }
  const b = cpu() - t0;
  console.log('native only', a.toFixed(3), '+ header parse', b.toFixed(3), n);
}
