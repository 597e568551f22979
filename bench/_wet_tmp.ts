import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeCommonCrawlSample } from '../scripts/sample/web.js';
import { readSegment } from '../src/sources/commoncrawl/source.js';
import { createLogger, setLogLevel } from '../src/core/log.js';
const dir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'wet-'));
const files = process.argv[2] ? (await import('node:fs')).readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.wet.gz')).map((f) => join(dir, f)) : await makeCommonCrawlSample(pathToFileURL(`${dir}/`), { seed: 11, segments: 6, perSegment: 800 });
console.log(dir, files.length);
setLogLevel('error');
const ctx = { log: createLogger('b'), advance() {}, quarantine() {}, count() {} };
const params = { base_url: '', dumps: ['2023-06'], max_record_bytes: 64 << 20 };
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
for (let r = 0; r < Number(process.argv[3] ?? 3); r++) {
  const t0 = cpu();
  let n = 0, bytes = 0;
  for (const f of files) for await (const d of readSegment({ path: f, name: f, url: '', bytes: statSync(f).size }, params, ctx)) { n++; bytes += d.text.length; }
  console.log('docs', n, 'cpu', cpu() - t0);
}
