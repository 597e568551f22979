/**
 * The report rendered in headless Chromium (Debian's chromium, driven by playwright-core): it loads
 * without errors, every chart has data, and a screenshot is written to test-artifacts/ .
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { repoRoot, runCli, tempDir } from '../helpers.js';

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

  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
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
