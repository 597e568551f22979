/**
 * Speed of the XML sources against the tools RedPajama used, on the same input in one run.
 * Speeds are MB per CPU-second of one process (user + system time), i.e. per core, so a busy shared
 * machine slows the run but not the figures much.
 * Run: `npm run bench:xml` (needs /usr/bin/python3 with python3-mwparserfromhell, python3-bs4, lxml).
 *
 * - Wikipedia: page parsing (fast-xml-parser on the page skeleton) + wikitext rendering, MB/s of
 *   wikitext on one core, vs HF's cleaning with mwparserfromhell (strip_code) on the same pages.
 *   Input: the real enwiki excerpt of test/data.
 * - StackExchange: Posts.xml rows → cleaned post documents (attribute scan + HTML to text), MB/s of
 *   Posts.xml on one core, vs RedPajama's ElementTree + BeautifulSoup(lxml); then the grouping
 *   step (partition scan + sort/group reduce + main pass). Input: coffee.SE's Posts.xml repeated.
 * - Memory: peak RSS of a worker process (bench/xml-mem.ts) reading one task of 1x and 4x the
 *   StackExchange input, and one Wikipedia dump task.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Doc } from '../src/core/document.js';
import { createLogger, setLogLevel } from '../src/core/log.js';
import { openDecompressed } from '../src/io/compression.js';
import type { Step, TaskContext } from '../src/pipeline/step.js';
import { taskContext } from '../src/pipeline/standalone.js';
import { stackexchangeGroupStep } from '../src/sources/stackexchange/group.js';
import { stackexchangeSource } from '../src/sources/stackexchange/source.js';
import { asUtf8, parsePage, splitPages } from '../src/sources/wikipedia/dump.js';
import { CANONICAL_CATEGORY, CANONICAL_MEDIA } from '../src/sources/wikipedia/languages.js';
import { linkOptions } from '../src/sources/wikipedia/source.js';
import { wikitextToText } from '../src/sources/wikipedia/wikitext.js';

setLogLevel('error');
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const shared = join(root, 'test', 'data');
const refDirs = [join(root, 'test', 'sources', 'wikipedia', 'reference'), join(root, 'test', 'sources', 'stackexchange', 'reference')];
const MB = 1e6;
const work = mkdtempSync(join(tmpdir(), 'bench-xml-'));

function py(script: string, args: string[], input: string): { seconds: number } {
  const r = spawnSync('/usr/bin/python3', [refDirs.map((d) => join(d, script)).find((f) => existsSync(f))!, ...args, '--time'], { input, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(r.stderr.toString());
  return JSON.parse(r.stdout.toString().trim().split('\n').pop()!) as { seconds: number };
}

/** CPU seconds (user + system) of this process since `from`: per-core speed, whatever else runs on the box. */
function cpuSince(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1e6;
}

function best(runs: number, fn: () => number): number {
  let min = Infinity;
  for (let i = 0; i < runs; i++) min = Math.min(min, fn());
  return min;
}

// ---- Wikipedia ----
const enReal = join(shared, 'wikipedia', 'enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2');
const enFile = existsSync(enReal) ? enReal : join(root, 'samples/wikipedia/enwiki/20230320/enwiki-20230320-pages-articles-multistream.xml.bz2');
const pages: Buffer[] = [];
for await (const part of splitPages(asUtf8(openDecompressed(enFile)))) if (part.kind === 'page') pages.push(Buffer.from(part.bytes));
const opts = linkOptions('en', null, 'name');
const articles = pages.map((b) => parsePage(b)).filter((p) => p.ns === 0 && !p.redirect && p.text !== null);
const wikitextBytes = articles.reduce((a, p) => a + Buffer.byteLength(p.text!), 0);
const ours = best(5, () => {
  const t0 = process.cpuUsage();
  for (const b of pages) {
    const p = parsePage(b);
    if (p.ns === 0 && !p.redirect && p.text !== null) wikitextToText(p.text, opts);
  }
  return cpuSince(t0);
});
const records = `${articles.map((p) => JSON.stringify({ id: p.title, wikitext: p.text, media: CANONICAL_MEDIA, category: CANONICAL_CATEGORY })).join('\n')}\n`;
const peer = py('hf_wikipedia.py', [], records).seconds;
const wikiMBs = wikitextBytes / MB / ours;
const peerMBs = wikitextBytes / MB / peer;

// ---- StackExchange ----
const coffee = join(shared, 'stackexchange', 'coffee.stackexchange.com-Posts.xml');
const rows = readFileSync(coffee, 'utf8')
  .split('\n')
  .filter((l) => l.trimStart().startsWith('<row'));
function postsFile(copies: number): string {
  const path = join(work, `x${copies}.stackexchange.com-Posts.xml`);
  const body: string[] = ['<?xml version="1.0" encoding="utf-8"?>', '<posts>'];
  for (let c = 0; c < copies; c++) {
    // Shift ids so copies are distinct questions.
    const off = c * 100000;
    for (const r of rows) body.push(r.replace(/ (Id|ParentId|AcceptedAnswerId)="(\d+)"/g, (_m, k: string, v: string) => ` ${k}="${Number(v) + off}"`));
  }
  body.push('</posts>', '');
  writeFileSync(path, body.join('\n'));
  return path;
}
const log = createLogger('bench');
const params = stackexchangeSource.params.parse({ urls: ['x'] });
async function readSE(path: string): Promise<{ docs: Doc[]; seconds: number }> {
  const t0 = process.cpuUsage();
  const docs: Doc[] = [];
  const size = statSync(path).size;
  for await (const d of stackexchangeSource.read({ path, name: 'x.7z', url: 'x', bytes: size, range: { start: 0, end: size } }, params, { log, advance() {}, quarantine() {} }))
    docs.push(d);
  return { docs, seconds: cpuSince(t0) };
}
const se1 = postsFile(10);
const se1Size = statSync(se1).size;
// Best of 4 (the first warms the JIT), as for Wikipedia.
let seRead = await readSE(se1);
for (let i = 0; i < 3; i++) {
  const again = await readSE(se1);
  if (again.seconds < seRead.seconds) seRead = again;
}
const seMBs = se1Size / MB / seRead.seconds;
const sePeer = py('rp_stackexchange.py', [se1, 'site'], '').seconds;
const sePeerMBs = se1Size / MB / sePeer;

// Grouping: scan + reduce + main over the read documents, one task, one core.
async function* of<T>(xs: T[]): AsyncGenerator<T> {
  for (const x of xs) yield x;
}
const state = mkdtempSync(join(work, 'state-'));
const ctx = (rank: number, source: string): TaskContext => taskContext({ rank, source, log, stateDir: state });
const step = (await stackexchangeGroupStep.create(stackexchangeGroupStep.params.parse({ partitions: 8 }), {} as never)) as Step;
const tg = process.cpuUsage();
const [scan, reduce] = step.passes!;
if (scan!.kind === 'scan') await scan!.scan(of(seRead.docs), ctx(0, 'stackexchange'));
if (reduce!.kind === 'reduce') for (let k = 0; k < reduce!.tasks; k++) await reduce!.reduce(ctx(k, ''));
let grouped = 0;
for await (const _ of step.run(of(seRead.docs), ctx(0, 'stackexchange'))) grouped++;
const groupMBs = se1Size / MB / cpuSince(tg);

// Memory: peak RSS of a worker process reading one task of 1x and 4x the input (flat = streaming).
function peakOf(kind: string, path: string): number {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', 'xml-mem.ts'), kind, path], { cwd: root });
  if (r.status !== 0) throw new Error(r.stderr.toString());
  return (JSON.parse(r.stdout.toString()) as { maxRssMB: number }).maxRssMB;
}
const m1 = peakOf('stackexchange', se1);
const se4 = postsFile(40);
const m4 = peakOf('stackexchange', se4);
const mWiki = peakOf('wikipedia', enFile);
rmSync(work, { recursive: true, force: true });

const f = (x: number) => x.toFixed(1);
console.log(`Wikipedia: ${articles.length} articles, ${f(wikitextBytes / MB)} MB of wikitext (${enFile.split('/').pop()})`);
console.log(`  corpusmill parse+clean   ${f(wikiMBs)} MB/s per core`);
console.log(`  HF + mwparserfromhell    ${f(peerMBs)} MB/s per core   (corpusmill ${f(wikiMBs / peerMBs)}x)`);
console.log(`StackExchange: ${f(se1Size / MB)} MB Posts.xml (coffee.SE x10)`);
console.log(`  corpusmill rows+HTML     ${f(seMBs)} MB/s per core`);
console.log(`  RedPajama ET + bs4/lxml  ${f(sePeerMBs)} MB/s per core   (corpusmill ${f(seMBs / sePeerMBs)}x)`);
console.log(`  stackexchange_group      ${f(groupMBs)} MB/s of Posts.xml (scan + sort/group + emit, ${grouped} questions)`);
console.log(
  `Peak RSS of a worker reading one task: Posts.xml ${f(se1Size / MB)} MB → ${f(m1)} MB, ${f((4 * se1Size) / MB)} MB → ${f(m4)} MB; Wikipedia ${enFile.split('/').pop()} → ${f(mWiki)} MB`,
);
