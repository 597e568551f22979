/**
 * Peak memory of one worker reading one task, in a process of its own (run by bench/xml.ts):
 * `tsx bench/xml-mem.ts wikipedia|stackexchange <file>` prints {"maxRssMB", "docs"}.
 */
import { statSync } from 'node:fs';
import { createLogger, setLogLevel } from '../src/core/log.js';
import { stackexchangeSource } from '../src/sources/stackexchange/source.js';
import { wikipediaSource } from '../src/sources/wikipedia/source.js';

setLogLevel('error');
const [kind, path] = process.argv.slice(2) as [string, string];
const log = createLogger('mem');
const ctx = { log, advance() {}, quarantine() {} };
const size = statSync(path).size;
let docs = 0;
if (kind === 'stackexchange') {
  const p = stackexchangeSource.params.parse({ urls: ['x'] });
  for await (const _ of stackexchangeSource.read({ path, name: 'x.7z', url: 'x', bytes: size, range: { start: 0, end: size } }, p, ctx)) docs++;
} else {
  const p = wikipediaSource.params.parse({ urls: ['x'], language: 'en' });
  for await (const _ of wikipediaSource.read({ path, name: path.split('/').pop()!, url: 'x', bytes: size }, p, ctx)) docs++;
}
console.log(JSON.stringify({ maxRssMB: process.resourceUsage().maxRSS / 1024, docs }));
