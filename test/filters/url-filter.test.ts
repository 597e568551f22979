/**
 * url_filter: UT1-format lists (test/data/ut1, as a folder and as a .tar.gz made here), squidGuard
 * domain and url matching with `www.` and subdomains, drops counted per category, and datatrove's
 * banned-word rules.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import type { Doc } from '../../src/core/document.js';
import { urlFilterStepDef } from '../../src/filters/url-filter.js';
import { runStepDef } from '../../src/pipeline/standalone.js';
import { repoRoot, tempDir } from '../helpers.js';

const ut1 = join(repoRoot, 'test', 'data', 'ut1');
const doc = (id: string, url: string | undefined): Doc => ({ id, text: `page ${id}`, source: 'web', meta: url === undefined ? {} : { url } });

const DOCS = [
  doc('exact', 'https://hotcams.example/'),
  doc('www', 'http://www.hotcams.example/live?room=3'),
  doc('sub', 'https://a.b.hotcams.example/x'),
  doc('www-entry', 'https://naughty-tube.example/v/1'),
  doc('sub-entry-parent', 'https://mixed-host.example/news'),
  doc('sub-entry', 'https://videos.mixed-host.example/clip'),
  doc('dotted', 'https://www2.dotted-adult.test/'),
  doc('ip', 'http://192.0.2.66:8080/index.html'),
  doc('url-prefix', 'https://www.bigsite.example/adult/gallery/12.html'),
  doc('url-other', 'https://bigsite.example/adulthood-stories'),
  doc('url-tilde', 'http://freehost.example/~ann/xxx/'),
  doc('url-scheme-entry', 'https://galleries.example/private/set1/img.jpg'),
  doc('casino', 'https://casino.example/poker'),
  doc('casino-lookalike', 'https://notcasino.example/'),
  doc('phish', 'https://secure-login-verify.test/account'),
  doc('phish-url', 'http://docs-share.example/invoice/view.php?id=9'),
  doc('clean', 'https://news.example.org/2024/03/bridge'),
  doc('no-url', undefined),
  doc('bad-url', 'http://exa mple.com/'),
];

const BLOCKED = {
  exact: ['blocklist_adult', 'domain'],
  www: ['blocklist_adult', 'domain'],
  sub: ['blocklist_adult', 'parent_domain'],
  'www-entry': ['blocklist_adult', 'domain'],
  'sub-entry': ['blocklist_adult', 'domain'],
  dotted: ['blocklist_adult', 'domain'],
  ip: ['blocklist_adult', 'domain'],
  'url-prefix': ['blocklist_adult', 'url'],
  'url-tilde': ['blocklist_adult', 'url'],
  'url-scheme-entry': ['blocklist_adult', 'url'],
  casino: ['blocklist_gambling', 'domain'],
  phish: ['blocklist_phishing', 'domain'],
  'phish-url': ['blocklist_phishing', 'url'],
};

async function check(blocklists: string, dir: string) {
  const r = await runStepDef(urlFilterStepDef, { blocklists }, [DOCS.slice(0, 9), DOCS.slice(9)], { stateDir: join(dir, 'state'), pipelineDir: dir });
  const got = Object.fromEntries(r.dropped.map((d) => [d.doc.id, [d.reason, (d.doc.meta.url_filter as { match: string }).match]]));
  assert.deepEqual(got, BLOCKED);
  assert.deepEqual(
    r.kept.flat().map((d) => d.id),
    ['sub-entry-parent', 'url-other', 'casino-lookalike', 'clean', 'no-url', 'bad-url'],
  );
  assert.deepEqual(r.stats.drops, { blocklist_adult: 10, blocklist_gambling: 1, blocklist_phishing: 2 });
  assert.equal(r.stats.counts.no_url, 1);
  assert.equal(r.stats.counts.bad_url, 1);
  assert.equal(r.stats.counts.entries_adult, 8);
}

test('UT1 folder: domains block the host and its subdomains, urls block a path and below, drops per category', async () => {
  const dir = tempDir();
  await check(ut1, dir);
});

test('UT1 .tar.gz as distributed (blacklists/<category>/...) gives the same result', async () => {
  const dir = tempDir();
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((res) => pack.on('end', () => res()));
  for (const category of readdirSync(join(ut1, 'blacklists')).sort())
    for (const kind of readdirSync(join(ut1, 'blacklists', category)).sort())
      pack.entry({ name: `blacklists/${category}/${kind}` }, readFileSync(join(ut1, 'blacklists', category, kind)));
  pack.entry({ name: 'blacklists/ads', type: 'symlink', linkname: 'publicite' });
  pack.finalize();
  await done;
  writeFileSync(join(dir, 'blacklists.tar.gz'), gzipSync(Buffer.concat(chunks)));
  await check('blacklists.tar.gz', dir);
});

test('categories select lists; user lists add categories; annotate mode keeps documents', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'mine.txt'), '# my list\nnews.example.org\n');
  const r = await runStepDef(urlFilterStepDef, { blocklists: ut1, categories: ['phishing'], lists: [{ category: 'local', domains: 'mine.txt' }], mode: 'annotate' }, [DOCS], {
    stateDir: join(dir, 'state'),
    pipelineDir: dir,
  });
  assert.equal(r.kept.flat().length, DOCS.length);
  const marked = r.kept.flat().filter((d) => d.meta.url_filter);
  assert.deepEqual(
    marked.map((d) => [d.id, (d.meta.url_filter as { reason: string }).reason]),
    [
      ['phish', 'blocklist_phishing'],
      ['phish-url', 'blocklist_phishing'],
      ['clean', 'blocklist_local'],
    ],
  );
  assert.equal(r.stats.counts.blocklist_phishing, 2);
  await assert.rejects(runStepDef(urlFilterStepDef, { blocklists: ut1, categories: ['nope'] }, [DOCS], { stateDir: join(dir, 's2'), pipelineDir: dir }), /category "nope"/);
});

test('banned words, soft words (threshold) and sub-words in the URL, as datatrove URLFilter', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'soft.txt'), 'free\nhot\nlive\n');
  const docs = [
    doc('hard', 'https://example.com/Porn-Videos/1'),
    doc('soft2', 'https://example.com/free/hot/deals'),
    doc('soft1', 'https://example.com/free/software'),
    doc('sub', 'https://best-xxxmovies.example.net/'),
    doc('word-inside', 'https://example.com/pornography-research-ethics'),
    doc('ok', 'https://example.com/weather'),
  ];
  const r = await runStepDef(urlFilterStepDef, { banned_words: ['porn'], soft_banned_words: 'soft.txt', banned_subwords: ['xxxmovies'] }, [docs], {
    stateDir: join(dir, 'state'),
    pipelineDir: dir,
  });
  assert.deepEqual(
    r.dropped.map((d) => [d.doc.id, d.reason]),
    [
      ['hard', 'banned_word'],
      ['soft2', 'soft_banned_words'],
      ['sub', 'banned_subword'],
    ],
  );
  assert.deepEqual(
    r.kept.flat().map((d) => d.id),
    ['soft1', 'word-inside', 'ok'],
  );
});
