/**
 * Decompression speed of each way the project could read a format, on the same bytes in one run,
 * so the choice in src/io/compression.ts is measured, not guessed. Run: `npm run bench:io`.
 * Input: ~64 MB of JSON-lines text (generated, seeded), compressed once per format.
 */
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { compress } from 'zstd-napi';
import { openDecompressed } from '../src/io/compression.js';
import { which } from '../src/io/tools.js';
import { paragraph, rng } from '../scripts/sample/rng.js';

const MB = 1e6;
const r = rng(7);
const lines: string[] = [];
let size = 0;
while (size < 64 * MB) {
  const l = JSON.stringify({ text: paragraph(r, 12), meta: { n: lines.length } });
  lines.push(l);
  size += l.length + 1;
}
const raw = Buffer.from(`${lines.join('\n')}\n`);
const dir = mkdtempSync(join(tmpdir(), 'bench-io-'));
const files = {
  gzip: join(dir, 'x.jsonl.gz'),
  zstd: join(dir, 'x.jsonl.zst'),
  bzip2: join(dir, 'x.jsonl.bz2'),
};
writeFileSync(files.gzip, gzipSync(raw, { level: 6 }));
writeFileSync(files.zstd, compress(raw));
writeFileSync(files.bzip2, execFileSync('bzip2', ['-c'], { input: raw, maxBuffer: 1 << 30 }));

async function drain(s: AsyncIterable<Buffer>): Promise<number> {
  let n = 0;
  for await (const c of s) n += c.length;
  return n;
}

function tool(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let n = 0;
    c.stdout.on('data', (d: Buffer) => (n += d.length));
    c.on('close', (code) => (code === 0 ? resolve(n) : reject(new Error(`${cmd} exited ${code}`))));
  });
}

async function time(label: string, fn: () => Promise<number>): Promise<[string, number]> {
  const t0 = performance.now();
  const n = await fn();
  const secs = (performance.now() - t0) / 1000;
  if (n !== raw.length) throw new Error(`${label}: got ${n} bytes, want ${raw.length}`);
  return [label, raw.length / MB / secs];
}

const rows: Array<[string, number]> = [];
rows.push(await time('gzip: node zlib (used)', () => drain(openDecompressed(files.gzip))));
rows.push(await time('gzip: system gzip -dc', () => tool('gzip', ['-dc', files.gzip])));
rows.push(await time('zstd: zstd-napi (used)', () => drain(openDecompressed(files.zstd))));
if (which('zstd')) rows.push(await time('zstd: system zstd -dc', () => tool('zstd', ['-dc', files.zstd])));
rows.push(await time('bzip2: through src/io (used)', () => drain(openDecompressed(files.bzip2))));
rows.push(await time('bzip2: system bzip2 -dc', () => tool('bzip2', ['-dc', files.bzip2])));
if (which('lbzip2')) rows.push(await time('bzip2: lbzip2 -dc', () => tool('lbzip2', ['-dc', files.bzip2])));
rmSync(dir, { recursive: true, force: true });

console.log(`decompressing ${(raw.length / MB).toFixed(0)} MB of JSON lines (MB/s of output)`);
console.log('| reader | MB/s |\n|---|---:|');
for (const [label, mbps] of rows) console.log(`| ${label} | ${mbps.toFixed(0)} |`);
