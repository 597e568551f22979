/**
 * The report rendered in headless Chromium (Debian's chromium, driven by playwright-core): it loads
 * without errors, every chart has data, no text leaves its chart (bounding boxes), and a screenshot
 * is written to test-artifacts/ . A second build with two tokenizers, a custom source with long
 * names and rejects cut inside emoji checks what the report must not do: add tokens of different
 * tokenizers, compare custom sources with LLaMA targets, cut a character in half.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { collectReport } from '../../src/report/collect.js';
import { repoRoot, runCli, tempDir } from '../helpers.js';

function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Every <text> of every chart whose rendered box leaves its <svg>'s box, as readable strings. */
function overflowingText(page: Page): Promise<string[]> {
  return page.$$eval('svg.chart', (svgs) =>
    svgs.flatMap((svg) => {
      const b = svg.getBoundingClientRect();
      return [...svg.querySelectorAll('text')]
        .map((t) => ({ r: t.getBoundingClientRect(), s: t.firstChild?.textContent ?? '' }))
        .filter(({ r }) => r.width > 0 && (r.left < b.left - 0.5 || r.right > b.right + 0.5 || r.top < b.top - 0.5 || r.bottom > b.bottom + 0.5))
        .map(
          ({ r, s }) =>
            `"${s}" spans x ${r.left.toFixed(0)}..${r.right.toFixed(0)} in a chart spanning ${b.left.toFixed(0)}..${b.right.toFixed(0)} (${svg.getAttribute('aria-label')})`,
        );
    }),
  );
}

/** A lone UTF-16 surrogate: half of a character. */
const HALF_CHARACTER = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

test('the sample build ends with a mixture within 0.5% of its targets and a report that renders in Chromium with data in every chart', async () => {
  const out = join(tempDir(), 'out');
  const b = await runCli(['build', join(repoRoot, 'pipelines', 'sample.yaml'), '--out', out, '-q']);
  assert.equal(b.code, 0, b.stderr);
  // The sample build ends with a mixture at LLaMA's proportions (renormalised), within 0.5% each.
  const mix = JSON.parse(readFileSync(join(out, 'mix', 'mix.json'), 'utf8')) as { rows: Array<{ source: string; target: number; achieved: number }> };
  assert.ok(mix.rows.length >= 5, `sources in the mixture: ${mix.rows.map((x) => x.source)}`);
  for (const row of mix.rows) assert.ok(Math.abs(row.achieved - row.target) < 0.005, `${row.source}: ${row.achieved} vs ${row.target}`);
  assert.equal((await runCli(['verify', join(out, 'mix')])).code, 0);
  const r = await runCli(['report', out]);
  assert.equal(r.code, 0, r.stderr);
  const file = join(out, 'report.html');
  const html = readFileSync(file, 'utf8');
  assert.doesNotMatch(html, /(src|href)="https?:/, 'nothing loads from the network');

  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 900, height: 1200 } });
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (req) => !req.url().startsWith('file:') && errors.push(`network request: ${req.url()}`));
    await page.goto(pathToFileURL(file).href);
    const points = await page.$$eval('svg.chart', (els) => els.map((e) => Number(e.getAttribute('data-points'))));
    assert.ok(points.length >= 4, `charts: ${points.length}`);
    assert.ok(
      points.every((n) => n > 0),
      `every chart has data: ${points}`,
    );
    const drawn = await page.$$eval('svg.chart rect', (els) => els.filter((e) => Number(e.getAttribute('width')) > 0).length);
    assert.ok(drawn > 0);
    assert.deepEqual(errors, []);
    assert.deepEqual(await overflowingText(page), [], 'no text leaves its chart');
    mkdirSync(join(repoRoot, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: join(repoRoot, 'test-artifacts', 'report.png'), fullPage: true });
  } finally {
    await browser.close();
  }

  const md = await runCli(['report', out, '--format', 'md', '--file', '-']);
  assert.equal(md.code, 0);
  assert.match(md.stdout, /^# corpusmill report: sample/);
  assert.match(md.stdout, /\| ingest: text_length \| \d+ \|/);
});

test('report data: funnels follow lines of stages, languages split natural from programming', async () => {
  const out = join(tempDir(), 'out');
  assert.equal((await runCli(['build', join(repoRoot, 'pipelines', 'sample.yaml'), '--out', out, '-q'])).code, 0);
  const d = await collectReport(out);
  // No funnel rises: every bar is at most the one before it (the sample's steps only remove or group).
  for (const f of d.funnels) {
    for (let i = 1; i < f.rows.length; i++)
      assert.ok(
        f.rows[i]!.docs <= f.rows[i - 1]!.docs,
        `${f.source} ${f.stages.join('>')}: ${f.rows[i - 1]!.label} ${f.rows[i - 1]!.docs} -> ${f.rows[i]!.label} ${f.rows[i]!.docs}`,
      );
  }
  // CommonCrawl comes through three separate lines (planted dedup pages, CCNet, WARC) that the
  // tokenize stage merges: four funnels, and CCNet's follows its three stages.
  const cc = d.funnels.filter((f) => f.source === 'commoncrawl').map((f) => f.stages.join(' > '));
  assert.deepEqual(cc.sort(), ['ccnet > ccnet_dedup > ccnet_models', 'dedup', 'tokenize', 'warc']);
  assert.deepEqual(
    d.funnels.filter((f) => f.source === 'c4').map((f) => f.stages),
    [['ingest', 'filter', 'tokenize']],
  );
  // Code files are counted by programming language, apart from the natural languages of text.
  assert.ok(d.final);
  assert.ok(Object.keys(d.final.programming).length > 0, 'github files have programming languages');
  for (const k of Object.keys(d.final.languages)) assert.match(k, /^([a-z]{2,3}|unknown)$/, `natural language ${k}`);
  assert.ok(d.final.languages.en! > 0);
  for (const k of Object.keys(d.final.programming)) assert.ok(!['en', 'de', 'fr'].includes(k), k);
});

test('two tokenizers are never added up, custom sources get no LLaMA target, no text is cut inside a character or leaves a chart', async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'in'));
  const longSource = 'my_own_forum_posts_with_a_rather_long_name_that_would_not_fit_on_the_left_of_a_chart';
  // Documents whose 300th and 400th characters fall inside an emoji (a surrogate pair) or a flag.
  const docs = Array.from({ length: 12 }, (_, i) => {
    const pad = 'x'.repeat(299 - (i % 3));
    const text = i % 2 ? `${pad}${'😀🇫🇷'.repeat(60)} short` : `A kept document number ${i} with enough words in it to pass every filter of this test. ${'word '.repeat(40)}`;
    return JSON.stringify({ text, id: `d${i}` });
  });
  writeFileSync(join(dir, 'in', 'posts.jsonl'), `${docs.join('\n')}\n`);
  writeFileSync(
    join(dir, 'p.yaml'),
    `name: two-tokenizers
settings: { keep_rejects: true }
stages:
  - name: read
    inputs:
      - source: jsonl
        urls: ["file:in/posts.jsonl"]
        source_name: ${longSource}
    steps:
      - step: text_length
        min_words: 20
  - name: tok_llama2
    inputs: [{ stage: read }]
    write_documents: false
    steps:
      - { step: tokenize, tokenizer: llama2 }
  - name: tok_cl100k
    inputs: [{ stage: read }]
    write_documents: false
    steps:
      - { step: tokenize, tokenizer: cl100k_base }
`,
  );
  const out = join(dir, 'out');
  const b = await runCli(['build', join(dir, 'p.yaml'), '--out', out, '-q']);
  assert.equal(b.code, 0, b.stderr);
  const d = await collectReport(out);
  assert.deepEqual(Object.keys(d.tokens ?? {}).sort(), ['cl100k_base', 'llama2']);
  const llama = d.tokens!.llama2![longSource]!;
  const cl = d.tokens!.cl100k_base![longSource]!;
  assert.ok(llama > 0 && cl > 0 && llama !== cl);

  const md = await runCli(['report', out, '--format', 'md', '--file', '-']);
  assert.equal(md.code, 0, md.stderr);
  assert.doesNotMatch(md.stdout, HALF_CHARACTER, 'no character cut in half');
  assert.match(md.stdout, /😀/, 'the rejects samples are there');
  assert.ok(!md.stdout.includes(String(llama + cl)), 'no sum of two tokenizers');
  assert.match(md.stdout, new RegExp(`\\| ${longSource} \\| ${llama} \\| 100\\.0% \\| — \\|`));
  assert.doesNotMatch(md.stdout, /\| 0\.0% \|/, 'no 0.0% target for a source LLaMA does not have');

  const html = await runCli(['report', out]);
  assert.equal(html.code, 0, html.stderr);
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 900, height: 1200 } });
    await page.goto(pathToFileURL(join(out, 'report.html')).href);
    assert.ok((await page.$$eval('svg.chart', (e) => e.length)) >= 3);
    assert.deepEqual(await overflowingText(page), [], 'no text leaves its chart');
    const titles = await page.$$eval('svg.chart', (els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
    assert.ok(titles.some((t) => t.includes('llama2 tokens')) && titles.some((t) => t.includes('cl100k_base tokens')), titles.join(' | '));
    assert.ok(!titles.some((t) => t.includes('LLaMA target')), 'no target ticks for a custom source');
  } finally {
    await browser.close();
  }
});
