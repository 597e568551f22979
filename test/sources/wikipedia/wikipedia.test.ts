import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Doc } from '../../../src/core/document.js';
import { CorpusError } from '../../../src/core/errors.js';
import { openDecompressed } from '../../../src/io/compression.js';
import { asUtf8, parsePage, splitPages } from '../../../src/sources/wikipedia/dump.js';
import { linkOptions, wikipediaSource } from '../../../src/sources/wikipedia/source.js';
import { CANONICAL_CATEGORY, CANONICAL_MEDIA, CATEGORY_ALIASES, MEDIA_ALIASES } from '../../../src/sources/wikipedia/languages.js';
import { wikitextToText } from '../../../src/sources/wikipedia/wikitext.js';
import type { LocalFile } from '../../../src/fetch/files.js';
import { repoRoot, testData, tempDir } from '../../helpers.js';
import { setLogLevel } from '../../../src/core/log.js';
import { collect, python, readContext, sourceEnv } from '../../helpers.js';

setLogLevel('error');
const reference = (script: string) => join(import.meta.dirname, 'reference', script);

/** Mean character-level similarity (difflib ratio) of pairs, computed by the Python reference. */
function similarities(pairs: Array<[string, string]>): number[] {
  return (JSON.parse(python(reference('similarity.py'), [], JSON.stringify({ pairs }))) as { ratios: number[] }).ratios;
}

const wiki = join(testData, 'wikipedia');
const params = (extra: Record<string, unknown> = {}) => wikipediaSource.params.parse({ urls: ['x'], ...extra });

/** Every article (ns 0, not a redirect) of a real dump file with its wikitext. */
async function articles(file: string): Promise<Array<{ title: string; wikitext: string }>> {
  const out: Array<{ title: string; wikitext: string }> = [];
  for await (const part of splitPages(asUtf8(openDecompressed(join(wiki, file))))) {
    if (part.kind !== 'page') continue;
    const p = parsePage(part.bytes);
    if (p.ns === 0 && !p.redirect && p.text !== null) out.push({ title: p.title, wikitext: p.text });
  }
  return out;
}

async function readAll(path: string, extra: Record<string, unknown> = {}, p = params()): Promise<{ docs: Doc[]; bad: ReturnType<typeof readContext>['bad'] }> {
  const ctx = readContext();
  const name = path.split('/').pop()!;
  const docs = await collect(wikipediaSource.read({ path, name, url: pathToFileURL(path).href, bytes: 0, extra }, p, ctx));
  return { docs, bad: ctx.bad };
}

test('real dumps: text matches HF wikipedia.py + mwparserfromhell (mean similarity >= 0.95 on English)', async () => {
  // The dbpedia minidumps carry an enwiki siteinfo, so their language comes from the file name.
  const sets: Array<{ file: string; lang: string; min: number; limit?: number }> = [
    { file: 'enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2', lang: 'en', min: 0.95 },
    { file: 'dbpedia-minidump-de.xml.bz2', lang: 'de', min: 0.9 },
    { file: 'dbpedia-minidump-fr.xml.bz2', lang: 'fr', min: 0.9 },
    { file: 'dbpedia-minidump-ru.xml.bz2', lang: 'ru', min: 0.9 },
    { file: 'dbpedia-minidump-ja.xml.bz2', lang: 'ja', min: 0.9 },
    { file: 'dbpedia-minidump-zh.xml.bz2', lang: 'zh', min: 0.9 },
    { file: 'wikiextractor-viwiki-test.xml', lang: 'vi', min: 0.9 },
    { file: 'dumpster-dive-smallwiki-ltgwiki-pages-articles.xml.bz2', lang: 'ltg', min: 0.9, limit: 40 },
  ];
  const records: string[] = [];
  const ours: string[] = [];
  const owner: number[] = [];
  for (const [k, s] of sets.entries()) {
    const media = [...CANONICAL_MEDIA, ...(MEDIA_ALIASES[s.lang] ?? [])];
    const category = [...CANONICAL_CATEGORY, ...(CATEGORY_ALIASES[s.lang] ?? [])];
    const opts = linkOptions(s.lang, null, 'name');
    for (const a of (await articles(s.file)).slice(0, s.limit)) {
      records.push(JSON.stringify({ id: a.title, wikitext: a.wikitext, media, category }));
      ours.push(wikitextToText(a.wikitext, opts));
      owner.push(k);
    }
  }
  const ref = python(reference('hf_wikipedia.py'), [], `${records.join('\n')}\n`)
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { text: string }).text);
  assert.equal(ref.length, ours.length);
  const ratios = similarities(ours.map((o, i) => [o, ref[i]!]));
  for (const [k, s] of sets.entries()) {
    const mine = ratios.filter((_, i) => owner[i] === k);
    const mean = mine.reduce((a, b) => a + b, 0) / mine.length;
    console.log(`similarity to HF/mwparserfromhell, ${s.lang} (${s.file}): mean ${mean.toFixed(4)} over ${mine.length} pages`);
    assert.ok(mine.length > 0, `${s.file}: no articles`);
    assert.ok(mean >= s.min, `${s.file}: mean similarity ${mean} < ${s.min}`);
  }
});

test('a UTF-16LE dump with BOM is decoded; only the article namespace is kept', async () => {
  const { docs, bad } = await readAll(join(wiki, 'bgwiki-latest-pages-articles-shortened.UTF16LE.xml.bz2'), { language: 'bg' });
  assert.deepEqual(bad, []);
  assert.equal(docs.length, 1);
  assert.match(docs[0]!.text, /[А-Яа-я]{4,}/);
  assert.equal(docs[0]!.meta.language, 'bg');
  assert.ok(!docs[0]!.text.includes('{{') && !docs[0]!.text.includes('[['));
});

test('table-heavy pages lose their tables and keep their prose; redirects and other namespaces are dropped', async () => {
  const { docs } = await readAll(join(wiki, 'enwiki-table-markup.xml.bz2'));
  assert.equal(docs.length, 5);
  for (const d of docs) {
    assert.ok(!/^\s*(\{\||\|-|\|\}|!)/m.test(d.text), `${d.meta.title}: table markup left`);
    assert.ok(d.text.length > 200);
    assert.equal(d.meta.url, `https://en.wikipedia.org/wiki/${encodeURIComponent(String(d.meta.title)).replace(/%2F/g, '/')}`);
  }
  const tiny = await readAll(join(wiki, 'dumpster-dive-tinywiki-latest-pages-articles.xml'), { language: 'en' });
  const titles = tiny.docs.map((d) => d.meta.title);
  assert.ok(titles.includes('Toronto'));
  assert.ok(tiny.docs.every((d) => !/^#REDIRECT/i.test(d.text)));
});

test('listing reads dumpstatus.json (checksums included); a multistream dump splits by its index into tasks that read the same pages', async () => {
  const env = sourceEnv(8 << 10);
  const p = wikipediaSource.params.parse({ base_url: 'file:samples/wikipedia', languages: ['en'], date: '20230320' });
  const remote = await wikipediaSource.list(p, env);
  assert.deepEqual(
    remote.map((r) => r.name),
    ['enwiki-20230320-pages-articles-multistream-index.txt.bz2', 'enwiki-20230320-pages-articles-multistream.xml.bz2'],
  );
  const status = JSON.parse(readFileSync(join(repoRoot, 'samples/wikipedia/enwiki/20230320/dumpstatus.json'), 'utf8'));
  assert.equal(remote[1]!.sha1, status.jobs.articlesmultistreamdump.files['enwiki-20230320-pages-articles-multistream.xml.bz2'].sha1);
  const local: LocalFile[] = [];
  for (const r of remote) local.push(await env.fetcher.fetchFile(r));
  const tasks = await wikipediaSource.plan(local, p, env);
  assert.ok(tasks.length >= 3, `expected several tasks, got ${tasks.length}`);
  assert.equal(tasks[0]!.range!.start, 0);
  for (let i = 1; i < tasks.length; i++) assert.equal(tasks[i]!.range!.start, tasks[i - 1]!.range!.end);
  const split: Doc[] = [];
  const bad = [];
  for (const t of tasks) {
    const ctx = readContext();
    split.push(...(await collect(wikipediaSource.read(t, p, ctx))));
    bad.push(...ctx.bad);
  }
  const whole = await readAll(local[1]!.path, { language: 'en' }, p);
  assert.deepEqual(
    split.map((d) => [d.id, d.text]),
    whole.docs.map((d) => [d.id, d.text]),
  );
  assert.equal(bad.length, 1, 'the sample page with an undefined entity');
  assert.equal(bad[0]!.reason, 'undefined_entity');
  assert.ok(split.length >= 40);
  assert.ok(split.every((d) => d.meta.language === 'en' && d.meta.timestamp === '2023-03-20T00:00:00Z'));
  // The sample page with an unclosed infobox: kept, literal like MediaWiki, and flagged.
  const broken = split.filter((d) => d.meta.wikitext_unclosed !== undefined);
  assert.equal(broken.length, 1);
  assert.deepEqual(broken[0]!.meta.wikitext_unclosed, { template: 1 });
  assert.match(broken[0]!.text, /has an unclosed \{\{Infobox/);
});

test('bad input: a truncated bz2 stream, malformed XML and an entity bomb give counted, named outcomes', async () => {
  const dir = tempDir();
  // Truncated: the generated dump cut in the middle of a stream.
  const dump = readFileSync(join(repoRoot, 'samples/wikipedia/dewiki/20230320/dewiki-20230320-pages-articles-multistream.xml.bz2'));
  const cut = join(dir, 'dewiki-20230320-cut.xml.bz2');
  writeFileSync(cut, dump.subarray(0, Math.floor(dump.length * 0.6)));
  // The task fails with one line naming the file and the last page read (never a counted record
  // and a build that exits 0 without the pages after the cut), and bzip2's stderr is one line.
  await assert.rejects(readAll(cut), (e: Error) => {
    assert.ok(e instanceof CorpusError);
    assert.equal(e.message.split('\n').length, 1);
    assert.match(e.message, /dewiki-20230320-cut\.xml\.bz2: corrupt or truncated bzip2 data \(.*(truncated|unexpected|end of file|corrupt).*\) \(after \d+ pages/i);
    return true;
  });

  // Malformed XML: mismatched tags in one page; the next page still reads.
  const page = (id: number, body: string) =>
    `<page><title>P${id}</title><ns>0</ns><id>${id}</id><revision><id>1</id><timestamp>2020-01-01T00:00:00Z</timestamp><text xml:space="preserve">${body}</text></revision></page>\n`;
  const head = '<mediawiki xml:lang="en"><siteinfo><dbname>enwiki</dbname></siteinfo>\n';
  const bad = join(dir, 'malformed.xml');
  writeFileSync(bad, `${head + page(1, 'Good one.') + page(2, 'x').replace('</revision>', '</revisionn>') + page(3, 'A &lt;b&gt; c')}</mediawiki>\n`);
  const m = await readAll(bad);
  assert.deepEqual(
    m.docs.map((d) => d.text),
    ['Good one.', 'A  c'],
  );
  assert.deepEqual(
    m.bad.map((b) => b.reason),
    ['malformed_xml'],
  );
  assert.match(String(m.bad[0]!.record), /byte \d+/);

  // Entity bomb: the DOCTYPE is never parsed; the page using the entity is quarantined, unexpanded.
  const lol = ['<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`)].join('\n');
  const bomb = join(dir, 'bomb.xml');
  writeFileSync(bomb, `<?xml version="1.0"?>\n<!DOCTYPE mediawiki [\n${lol}\n]>\n${head}${page(1, '&lol9;')}${page(2, 'Fine.')}</mediawiki>\n`);
  const b = await readAll(bomb);
  assert.deepEqual(
    b.docs.map((d) => d.text),
    ['Fine.'],
  );
  assert.deepEqual(
    b.bad.map((x) => x.reason),
    ['undefined_entity'],
  );
  assert.match(b.bad[0]!.detail, /lol9/);

  // A stream that ends inside a page (uncompressed file cut short): the task fails naming the page.
  const short = join(dir, 'short.xml');
  writeFileSync(short, head + page(1, 'Kept.') + page(2, 'Lost').slice(0, 60));
  await assert.rejects(readAll(short), /short\.xml: stream ends inside a <page> \(offset \d+\): truncated input \(after 1 pages, the last at byte \d+\)/);
});

test('dumpstatus.json: split dumps pair with their indexes; an unfinished dump is a clear error', async () => {
  const { filesFromDumpStatus } = await import('../../../src/sources/wikipedia/source.js');
  const { indexNameFor } = await import('../../../src/sources/wikipedia/multistream.js');
  const files = {
    'enwiki-20230320-pages-articles-multistream1.xml-p1p41242.bz2': { size: 10, sha1: 'a'.repeat(40), md5: 'b'.repeat(32) },
    'enwiki-20230320-pages-articles-multistream-index1.txt-p1p41242.bz2': { size: 2 },
    'enwiki-20230320-pages-articles-multistream2.xml-p41243p151573.bz2': { size: 11 },
    'enwiki-20230320-pages-articles-multistream-index2.txt-p41243p151573.bz2': { size: 3 },
  };
  const listed = filesFromDumpStatus({ jobs: { articlesmultistreamdump: { status: 'done', files } } }, 'https://m.example/dumps', 'en', '20230320');
  assert.equal(listed.length, 4);
  assert.equal(listed.find((f) => f.name.includes('multistream1.'))!.url, 'https://m.example/dumps/enwiki/20230320/enwiki-20230320-pages-articles-multistream1.xml-p1p41242.bz2');
  assert.equal(listed.find((f) => f.name.includes('multistream1.'))!.sha1, 'a'.repeat(40));
  assert.equal(indexNameFor('enwiki-20230320-pages-articles-multistream2.xml-p41243p151573.bz2'), 'enwiki-20230320-pages-articles-multistream-index2.txt-p41243p151573.bz2');
  assert.equal(indexNameFor('enwiki-20230320-pages-articles-multistream.xml.bz2'), 'enwiki-20230320-pages-articles-multistream-index.txt.bz2');
  assert.throws(
    () => filesFromDumpStatus({ jobs: { articlesmultistreamdump: { status: 'in-progress', files } } }, 'https://m.example', 'en', '20230320'),
    /is "in-progress", not "done"/,
  );
  assert.throws(() => filesFromDumpStatus({ jobs: {} }, 'https://m.example', 'en', '20230320'), /no articlesmultistreamdump job/);
});
