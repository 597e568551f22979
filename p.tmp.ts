import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, extname } from 'node:path';
import { lineStats } from './src/sources/github/stats.ts';
import { pretokenCount } from './src/sources/github/tokens.ts';
const texts: string[] = [];
const walk = (d: string) => { for (const n of readdirSync(d).sort()) { const f = join(d, n); const s = statSync(f); if (s.isDirectory()) walk(f); else if (s.size < 1<<20 && ['.js','.ts','.md','.c','.h'].includes(extname(n))) texts.push(readFileSync(f, 'utf8')); } };
walk('node_modules');
const mb = texts.reduce((a, t) => a + t.length, 0) / 1e6;
let nonascii = 0; for (const t of texts) for (let i = 0; i < t.length; i++) if (t.charCodeAt(i) > 127) nonascii++;
console.log('MB', mb, 'nonascii', nonascii);
for (const [name, fn] of [['stats', lineStats], ['pretok', pretokenCount], ['stats', lineStats], ['pretok', pretokenCount]] as const) {
  const t0 = performance.now(); for (const t of texts) (fn as (s: string) => unknown)(t); const s = (performance.now() - t0) / 1000;
  console.log(name, (mb / s).toFixed(1), 'MB/s');
}
{
  const t0 = performance.now(); let x = 0; for (const t of texts) for (let i = 0; i < t.length; i++) x += t.charCodeAt(i); const s = (performance.now() - t0) / 1000;
  console.log('baseline charCodeAt', (mb / s).toFixed(1), 'MB/s', x > 0);
  const t1 = performance.now(); let y = 0; for (const t of texts) { const b = Buffer.from(t, 'utf8'); y += b.length; } const s1 = (performance.now() - t1) / 1000;
  console.log('utf8 encode', (mb / s1).toFixed(1), 'MB/s', y > 0);
}
