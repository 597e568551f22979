import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
const dir = '/tmp/ccf/wet';
const files = readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.wet.gz')).map((f) => readFileSync(join(dir, f)));
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
for (let r = 0; r < 5; r++) { const t0 = cpu(); let n = 0; for (const f of files) n += gunzipSync(f).length; const t = cpu() - t0; const t1 = cpu(); for (const f of files) gunzipSync(f).toString('utf8'); console.log('gunzip', t.toFixed(3), '+utf8', (cpu() - t1).toFixed(3), n); }
