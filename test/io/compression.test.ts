import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { compressionOf, compressionOfMagic, openDecompressed } from '../../src/io/compression.js';
import { limitBytes, readTar, safeMemberPath, SizeLimitError, type TarSkip } from '../../src/io/tar.js';
import { CorpusError } from '../../src/core/errors.js';
import { tempDir } from '../helpers.js';

async function readAll(s: AsyncIterable<unknown>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

test('formats are known by extension and by magic bytes', () => {
  assert.equal(compressionOf('a/enwiki-multistream.xml.bz2'), 'bzip2');
  assert.equal(compressionOf('x.jsonl.zst'), 'zstd');
  assert.equal(compressionOf('x.warc.wet.gz'), 'gzip');
  assert.equal(compressionOf('x.jsonl'), 'none');
  assert.equal(compressionOfMagic(gzipSync(Buffer.from('x'))), 'gzip');
  assert.equal(compressionOfMagic(Buffer.from('BZh91AY')), 'bzip2');
});

test('bzip2 multistream files (Wikipedia multistream layout) decompress as one stream', async () => {
  const dir = tempDir();
  const a = Buffer.from('<page>one</page>\n'.repeat(1000));
  const b = Buffer.from('<page>two</page>\n'.repeat(1000));
  // Two independent bzip2 streams concatenated, made with the system bzip2.
  const bz = Buffer.concat([execFileSync('bzip2', ['-c'], { input: a }), execFileSync('bzip2', ['-c'], { input: b })]);
  writeFileSync(join(dir, 'multi.xml.bz2'), bz);
  assert.deepEqual(await readAll(openDecompressed(join(dir, 'multi.xml.bz2'))), Buffer.concat([a, b]));
  // A truncated bzip2 file is an error naming it.
  writeFileSync(join(dir, 'cut.xml.bz2'), bz.subarray(0, bz.length - 40));
  await assert.rejects(readAll(openDecompressed(join(dir, 'cut.xml.bz2'))), (e: Error) => e instanceof CorpusError && e.message.includes('cut.xml.bz2'));
});

test('byte ranges of a plain file read exactly that range', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'p.txt'), '0123456789');
  assert.equal((await readAll(openDecompressed(join(dir, 'p.txt'), { start: 3, end: 7 }))).toString(), '3456');
  assert.throws(() => openDecompressed(join(dir, 'p.txt.gz'), { start: 3 }), /byte ranges need an uncompressed input/);
});

test('tar members climbing with .., links and devices are skipped; absolute paths become relative (as GNU tar does)', async () => {
  const pack = tar.pack();
  pack.entry({ name: 'paper/main.tex' }, 'hello');
  pack.entry({ name: '../../etc/passwd' }, 'x');
  pack.entry({ name: '/abs/file' }, 'y');
  pack.entry({ name: 'paper/link', type: 'symlink', linkname: '/etc/shadow' });
  pack.entry({ name: 'paper/hard', type: 'link', linkname: 'paper/main.tex' });
  pack.entry({ name: 'dev', type: 'character-device', devmajor: 1, devminor: 3 });
  pack.entry({ name: 'paper/./sub/../fig.txt' }, 'fig');
  pack.finalize();
  const skips: TarSkip[] = [];
  const got: string[] = [];
  for await (const m of readTar(Readable.from(await readAll(pack as unknown as AsyncIterable<Buffer>)), { label: 't.tar', onSkip: (s) => skips.push(s) }))
    got.push(`${m.path}=${m.data}`);
  assert.deepEqual(got, ['paper/main.tex=hello', 'abs/file=y']);
  assert.deepEqual(
    skips.map((s) => s.reason),
    ['unsafe_path', 'link', 'link', 'special_file', 'unsafe_path'],
  );
  assert.equal(safeMemberPath('/abs/file'), 'abs/file');
  assert.equal(safeMemberPath('a/../../b'), null);
});

test('a decompression bomb is stopped at the configured size', async () => {
  const bomb = gzipSync(Buffer.alloc(50 << 20));
  const src = Readable.from([bomb])
    .pipe((await import('node:zlib')).createGunzip())
    .pipe(limitBytes(1 << 20));
  await assert.rejects(readAll(src), (e: Error) => e instanceof SizeLimitError);
});
