/**
 * The ArXiv source end to end: the generated monthly tar, the real e-print tarballs (multi-file
 * \input layout, macOS junk, .bbl), hostile archives (.., absolute paths, links, devices, a gzip
 * bomb), presigned S3 URLs against AWS's worked example, the manifest, and a mirror on 127.0.0.1.
 */
import { strict as assert } from 'node:assert';
import { createServer } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import type { Doc } from '../../../src/core/document.js';
import { createLogger } from '../../../src/core/log.js';
import { Fetcher, cacheKeyUrl } from '../../../src/fetch/fetcher.js';
import { cleanPaper, openPaper } from '../../../src/sources/arxiv/project.js';
import { parseManifest, presignS3 } from '../../../src/sources/arxiv/s3.js';
import { arxivSource, paperMember } from '../../../src/sources/arxiv/source.js';
import { readContext, repoRoot, tempDir, testData } from '../../helpers.js';

const tmp = (prefix: string) => tempDir(`cm-${prefix}-`);

const SAMPLE_TAR = join(repoRoot, 'samples', 'arxiv', 'arXiv_src_2301_001.tar');

async function readAll(path: string, extra: Record<string, unknown> = {}) {
  const p = arxivSource.params.parse({ base_url: 'file:/nowhere', ...extra });
  const ctx = readContext();
  const docs: Doc[] = [];
  for await (const d of arxivSource.read({ path, name: 'arXiv_src_2301_001.tar', url: `file:${path}`, bytes: 0 }, p, ctx)) docs.push(d);
  return { docs, ctx };
}

type Entry = { name: string; data?: string | Buffer; type?: 'file' | 'symlink' | 'link' | 'character-device' | 'block-device' | 'fifo'; linkname?: string };

async function tarOf(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const end = new Promise<void>((r) => pack.on('end', () => r()));
  for (const e of entries) {
    const data = e.data === undefined ? undefined : typeof e.data === 'string' ? Buffer.from(e.data) : e.data;
    pack.entry({ name: e.name, type: e.type ?? 'file', linkname: e.linkname, mtime: new Date('2023-01-02T03:04:05Z'), size: data?.length ?? 0 }, data ?? Buffer.alloc(0));
  }
  pack.finalize();
  await end;
  return Buffer.concat(chunks);
}

describe('arxiv source: the generated monthly tar', () => {
  it('reads one document per LaTeX paper with RedPajama meta keys and counts the PDF-only one', async () => {
    const { docs, ctx } = await readAll(SAMPLE_TAR);
    assert.deepEqual(
      docs.map((d) => d.id),
      ['2301.00001', '2301.00002', '2301.00003', '2301.00004'].map((id) => `arxiv/arXiv_src_2301_001.tar/${id}`),
    );
    assert.deepEqual(docs[0]!.meta, { arxiv_id: '2301.00001', yymm: '2301', timestamp: '2023-01-02T03:04:05Z', url: 'https://arxiv.org/abs/2301.00001' });
    assert.deepEqual(
      ctx.bad.map((b) => b.reason),
      ['pdf_only'],
    );
    assert.ok(ctx.bytes > 0);
  });

  it('puts a multi-file project in document order and leaves out drafts, junk and the appendix', async () => {
    const { docs } = await readAll(SAMPLE_TAR);
    const t = docs[1]!.text;
    assert.ok(t.indexOf('\\section{Introduction}') < t.indexOf('\\section{Method}'));
    assert.ok(t.indexOf('\\section{Method}') < t.indexOf('\\begin{tabular}'), 'nested \\input inlined where it is used');
    assert.ok(t.indexOf('\\begin{tabular}') < t.indexOf('\\section{Conclusion}'));
    assert.doesNotMatch(t, /Old Introduction|Proofs|Mac OS X|abstract sits/);
    assert.match(t, /presents \\textsc\{Mill\}\\xspace, a system/);
    assert.match(t, /\\textcolor\{red\}\{TODO: add numbers\}/);
  });

  it('decodes a Latin-1 paper instead of dropping it, and flags it in meta', async () => {
    const { docs } = await readAll(SAMPLE_TAR);
    assert.match(docs[3]!.text, /café, naïve, à bientôt/);
    assert.equal(docs[3]!.meta.latin1_files, 1);
  });

  it('the redpajama cleaner drops what RedPajama dropped (AppleDouble junk, Latin-1) and counts it', async () => {
    const { docs, ctx } = await readAll(SAMPLE_TAR, { cleaner: 'redpajama' });
    assert.deepEqual(
      docs.map((d) => d.meta.arxiv_id),
      ['2301.00001', '2301.00003'],
    );
    assert.deepEqual(
      ctx.bad.map((b) => `${b.record} ${b.reason}`),
      ['2301/2301.00002.gz not_utf8', '2301/2301.00004.gz not_utf8', '2301/2301.00005.pdf pdf_only'],
    );
  });
});

describe('arxiv: the real e-print tarballs', () => {
  it('2004.14974: finds emnlp2020.tex as main file, follows its \\input list, skips ._* and .DS_Store', async () => {
    const opened = await openPaper(readFileSync(join(testData, 'arxiv', 'arXiv-eprint-2004.14974.nofigures.tar.gz')), '2004.14974', 1 << 28);
    assert.equal(opened.kind, 'tar');
    const r = cleanPaper(opened.files);
    assert.equal(r.mainFile, 'emnlp2020.tex');
    const order = r.files.filter((f) => /^0\d-/.test(f));
    assert.deepEqual(order, [
      '00-abstract.tex',
      '01-introduction.tex',
      '02-background-task-def.tex',
      '03-dataset.tex',
      '04-task.tex',
      '05-model.tex',
      '06-experiments.tex',
      '07-related-work.tex',
      '08-conclusion.tex',
      '09-appendices-arxiv.tex',
    ]);
    assert.ok(!r.files.some((f) => f.includes('._') || f.startsWith('_old')), 'junk and unused drafts stay out');
    assert.match(r.text, /^\\section\{Introduction\}/);
    assert.equal(r.latin1Files, 0);
    assert.doesNotMatch(r.text, /\\ours(?![a-zA-Z])/, 'commands.tex macros expanded');
  });

  it('1911.02782: a single main.tex beside .bbl/.sty/.png; the .bbl is not text', async () => {
    const opened = await openPaper(readFileSync(join(testData, 'arxiv', 'arXiv-eprint-1911.02782.tar.gz')), '1911.02782', 1 << 28);
    const r = cleanPaper(opened.files);
    assert.deepEqual(r.files, ['main.tex']);
    assert.doesNotMatch(r.text, /\\bibitem/);
    assert.ok(r.text.length > 20_000);
  });
});

describe('arxiv: hostile archives', () => {
  it('never follows .., absolute paths, symlinks, hard links or devices inside a paper, and counts each', async () => {
    const inner = await tarOf([
      { name: 'main.tex', data: '\\documentclass{article}\\begin{document}\n\\section{Safe}\n\\input{evil}\n\\input{../../etc/passwd}\n\\end{document}\n' },
      { name: '../../escape.tex', data: '\\section{Escaped}' },
      { name: '/etc/absolute.tex', data: '\\section{Absolute}' },
      { name: 'evil.tex', type: 'symlink', linkname: '/etc/passwd' },
      { name: 'hard.tex', type: 'link', linkname: 'main.tex' },
      { name: 'dev.tex', type: 'character-device' },
    ]);
    const monthly = await tarOf([{ name: '2301/2301.09999.gz', data: gzipSync(inner) }]);
    const dir = tmp('arxiv-evil');
    const path = join(dir, 'arXiv_src_2301_001.tar');
    writeFileSync(path, monthly);
    const { docs, ctx } = await readAll(path);
    assert.equal(docs.length, 1);
    assert.match(docs[0]!.text, /^\\section\{Safe\}\n?$/);
    assert.doesNotMatch(docs[0]!.text, /root:|Escaped|Absolute/);
    // `..` is refused; an absolute name is read as relative to the archive (etc/absolute.tex), so it
    // cannot escape either and simply is not part of the document.
    assert.deepEqual(ctx.bad.map((b) => b.reason).sort(), ['tar_member_link', 'tar_member_link', 'tar_member_special_file', 'tar_member_unsafe_path']);
    assert.ok(ctx.bad.some((b) => b.detail.includes('../../escape.tex')));
  });

  it('stops a gzip bomb at max_paper_bytes and counts it, then reads the next paper', async () => {
    const bomb = gzipSync(Buffer.alloc(8 << 20)); // 8 MiB of zeros in ~8 KB
    const ok = gzipSync('\\section{Fine}\nText.\n');
    const monthly = await tarOf([
      { name: '2301/2301.00001.gz', data: bomb },
      { name: '2301/2301.00002.gz', data: ok },
    ]);
    const dir = tmp('arxiv-bomb');
    const path = join(dir, 'arXiv_src_2301_001.tar');
    writeFileSync(path, monthly);
    const { docs, ctx } = await readAll(path, { max_paper_bytes: 1 << 20 });
    assert.deepEqual(
      docs.map((d) => d.meta.arxiv_id),
      ['2301.00002'],
    );
    assert.deepEqual(
      ctx.bad.map((b) => `${b.record} ${b.reason}`),
      ['2301/2301.00001.gz gzip_bomb'],
    );
  });

  it('names member paths it cannot use', () => {
    assert.deepEqual(paperMember('2301/2301.00001.gz'), { yymm: '2301', rawId: '2301.00001' });
    assert.deepEqual(paperMember('9901/hep-th9901001.gz'), { yymm: '9901', rawId: 'hep-th9901001' });
    assert.equal(paperMember('2301/2301.00005.pdf'), null);
  });
});

describe('arxiv: s3 and mirrors', () => {
  it('presigns like AWS documents it (sigv4-query-string-auth worked example)', () => {
    const url = presignS3({
      bucket: 'examplebucket',
      key: 'test.txt',
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
      now: new Date('2013-05-24T00:00:00Z'),
      expires: 86400,
    });
    assert.equal(
      url,
      'https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
    );
  });

  it('signs the requester-pays parameter and caches a re-signed URL under the same key', () => {
    const sign = (now: string) =>
      presignS3({
        bucket: 'arxiv',
        key: 'src/arXiv_src_2301_001.tar',
        region: 'us-east-1',
        credentials: { accessKeyId: 'AK', secretAccessKey: 'SK', sessionToken: 'TOK' },
        now: new Date(now),
        requesterPays: true,
      });
    const a = sign('2024-01-01T00:00:00Z');
    const b = sign('2024-01-02T00:00:00Z');
    assert.match(a, /[?&]x-amz-request-payer=requester&/);
    assert.match(a, /X-Amz-Security-Token=TOK/);
    assert.notEqual(a, b);
    assert.equal(cacheKeyUrl(a), cacheKeyUrl(b));
    assert.equal(cacheKeyUrl(a), 'https://arxiv.s3.amazonaws.com/src/arXiv_src_2301_001.tar?x-amz-request-payer=requester');
  });

  it('lists a mirror from its manifest (sizes and md5 for the fetcher), filtered by month', async () => {
    const tarBytes = readFileSync(SAMPLE_TAR);
    const { createHash } = await import('node:crypto');
    const md5 = createHash('md5').update(tarBytes).digest('hex');
    const manifest = `<?xml version='1.0' standalone='yes'?>
<arXivSRC>
<file><content_md5sum>x</content_md5sum><filename>src/arXiv_src_2212_001.tar</filename><first_item>2212.00001</first_item><last_item>2212.00100</last_item><md5sum>00</md5sum><num_items>100</num_items><seq_num>1</seq_num><size>10</size><timestamp>2023-01-01 00:00:00</timestamp><yymm>2212</yymm></file>
<file><content_md5sum>y</content_md5sum><filename>src/arXiv_src_2301_001.tar</filename><first_item>2301.00001</first_item><last_item>2301.00005</last_item><md5sum>${md5}</md5sum><num_items>5</num_items><seq_num>1</seq_num><size>${tarBytes.length}</size><timestamp>2023-02-01 00:00:00</timestamp><yymm>2301</yymm></file>
<file><content_md5sum>z</content_md5sum><filename>src/arXiv_src_0001_001.tar</filename><md5sum>00</md5sum><num_items>1</num_items><seq_num>1</seq_num><size>10</size><yymm>0001</yymm></file>
</arXivSRC>`;
    assert.deepEqual(
      parseManifest(manifest).map((e) => e.yymm),
      ['2212', '2301', '0001'],
    );
    const server = createServer((req, res) => {
      if (req.url === '/arxiv/src/arXiv_src_manifest.xml') res.end(manifest);
      else if (req.url === '/arxiv/src/arXiv_src_2301_001.tar') res.end(tarBytes);
      else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const fetcher = new Fetcher({ cacheDir: tmp('arxiv-cache'), retries: 0 });
    try {
      const env = { pipelineDir: repoRoot, outDir: tmp('arxiv-out'), log: createLogger('t'), fetcher, taskBytes: 1 << 26 };
      const p = arxivSource.params.parse({ base_url: `http://127.0.0.1:${port}/arxiv/src/`, from_yymm: '2301', to_yymm: '2301' });
      const files = await arxivSource.list(p, env);
      assert.deepEqual(
        files.map((f) => [f.name, f.size, f.md5]),
        [['arXiv_src_2301_001.tar', tarBytes.length, md5]],
      );
      const local = await fetcher.fetchFile(files[0]!);
      assert.deepEqual(readFileSync(local.path), tarBytes);
    } finally {
      await fetcher.close();
      server.close();
    }
  });
});
