/**
 * StackExchange sample: `samples/stackexchange/` laid out like archive.org's `stackexchange` item:
 * `<site>.7z` archives holding `Posts.xml` (plus a `Tags.xml`), Stack Overflow split as
 * `stackoverflow.com-Posts.7z`, and `stackexchange_files.xml` with sizes and checksums. Posts carry
 * what the grouping must handle: answers whose scores sort differently as strings ("9" vs "10", "-1"),
 * questions without answers, an orphan answer, tag-wiki rows without a title, HTML lists, code,
 * entities, and one malformed row. Archives are built with the system `7z` (fixed file times, so the
 * bytes only change when the generator does).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { paragraph, pick, rng } from './rng.js';

const FIXED_TIME = new Date('2023-03-07T00:00:00Z');

function xa(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/\n/g, '&#xA;');
}

function body(r: () => number, i: number): string {
  const kind = i % 5;
  if (kind === 0) return `<p>${paragraph(r, 2)}</p>\n\n<p>${paragraph(r, 1)}</p>\n`;
  if (kind === 1) return `<p>${paragraph(r, 1)}</p>\n\n<ol>\n<li>${paragraph(r, 1)}</li>\n<li>Step &amp; more</li>\n</ol>\n`;
  if (kind === 2) return `<p>Try this:</p>\n\n<pre><code>if (a &lt; b) {\n  return a &amp;&amp; b;\n}\n</code></pre>\n\n<p>${paragraph(r, 1)}</p>\n`;
  if (kind === 3)
    return `<ul>\n<li>${paragraph(r, 1)}</li>\n<li><strong>bold</strong> and <em>italic</em></li>\n</ul>\n\n<blockquote>\n  <p>${paragraph(r, 1)}</p>\n</blockquote>\n`;
  return `<p>${paragraph(r, 1)} <a href="https://example.com/${i}">a link</a>&nbsp;&mdash; done.</p>\n`;
}

function row(attrs: Record<string, string | number>): string {
  return (
    '  <row ' +
    Object.entries(attrs)
      .map(([k, v]) => `${k}="${xa(String(v))}"`)
      .join(' ') +
    ' />'
  );
}

function postsXml(seed: number, questions: number): string {
  const r = rng(seed);
  const rows: string[] = [];
  let id = 1;
  const date = (n: number) => `2022-0${1 + (n % 9)}-1${n % 10}T0${n % 10}:1${n % 6}:2${n % 7}.${100 + n}`;
  for (let q = 0; q < questions; q++) {
    const qid = id++;
    const answers = q % 4 === 3 ? 0 : 1 + Math.floor(r() * 4);
    rows.push(
      row({
        Id: qid,
        PostTypeId: 1,
        AcceptedAnswerId: qid + 1,
        CreationDate: date(qid),
        Score: Math.floor(r() * 30) - 2,
        ViewCount: 100 + qid,
        Body: body(r, qid),
        OwnerUserId: 7,
        Title: `How do I ${pick(r, ['brew', 'store', 'grind', 'clean', 'choose'])} ${pick(r, ['beans', 'a kettle', 'tea', 'the filter'])} (${q})?`,
        Tags: '<brewing><beans>',
        AnswerCount: answers,
        CommentCount: 0,
      }),
    );
    // Scores chosen so string order ("9" > "10" > "-1") differs from numeric order.
    const scores = [9, 10, -1, 2, 10];
    for (let a = 0; a < answers; a++) {
      const aid = id++;
      rows.push(
        row({ Id: aid, PostTypeId: 2, ParentId: qid, CreationDate: date(aid), Score: scores[(a + q) % scores.length]!, Body: body(r, aid), OwnerUserId: 8, CommentCount: 0 }),
      );
    }
    if (q % 7 === 2) rows.push(row({ Id: id++, PostTypeId: 4, CreationDate: date(id), Score: 0, Body: `<p>Tag excerpt ${q}.</p>`, OwnerUserId: -1 }));
  }
  rows.push(row({ Id: id++, PostTypeId: 2, ParentId: 999999, CreationDate: date(1), Score: 3, Body: '<p>An answer whose question is gone.</p>', OwnerUserId: 9 }));
  rows.splice(5, 0, '  <row Id="4242" PostTypeId="1" Body="a row cut short by a broken export');
  return `<?xml version="1.0" encoding="utf-8"?>\n<posts>\n${rows.join('\n')}\n</posts>\n`;
}

function make7z(dir: string, archive: string, members: Record<string, string>): Buffer {
  const work = mkdtempSync(join(tmpdir(), 'se-sample-'));
  try {
    for (const [name, data] of Object.entries(members)) {
      writeFileSync(join(work, name), data);
      utimesSync(join(work, name), FIXED_TIME, FIXED_TIME);
    }
    const out = join(dir, archive);
    rmSync(out, { force: true });
    const r = spawnSync('7z', ['a', '-t7z', '-mx=9', '-mtm=off', '-mtc=off', '-mta=off', '-bd', out, ...Object.keys(members).sort()], { cwd: work });
    if (r.status !== 0) throw new Error(`7z failed: ${r.stderr}`);
    return readFileSync(out);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export async function makeStackExchangeSample(root: URL): Promise<void> {
  const dir = fileURLToPath(new URL('stackexchange/', root));
  mkdirSync(dir, { recursive: true });
  const sites: Array<[string, number, number]> = [
    ['cooking.stackexchange.com.7z', 11, 40],
    ['gardening.stackexchange.com.7z', 12, 25],
    ['stackoverflow.com-Posts.7z', 13, 50],
    ['cooking.meta.stackexchange.com.7z', 14, 4],
  ];
  const files: string[] = [];
  for (const [archive, seed, questions] of sites) {
    const members: Record<string, string> = { 'Posts.xml': postsXml(seed, questions) };
    if (!archive.includes('-Posts')) members['Tags.xml'] = '<?xml version="1.0" encoding="utf-8"?>\n<tags>\n  <row Id="1" TagName="beans" Count="3" />\n</tags>\n';
    const b = make7z(dir, archive, members);
    files.push(
      `  <file name="${archive}" source="original">\n    <mtime>1678147200</mtime>\n    <size>${b.length}</size>\n    <md5>${createHash('md5').update(b).digest('hex')}</md5>\n    <crc32>00000000</crc32>\n    <sha1>${createHash('sha1').update(b).digest('hex')}</sha1>\n    <format>7z</format>\n  </file>`,
    );
  }
  // Files the item also lists: Stack Overflow's other tables (not posts) and the item's metadata.
  files.push(`  <file name="stackoverflow.com-Comments.7z" source="original">\n    <size>99999999</size>\n    <format>7z</format>\n  </file>`);
  files.push(`  <file name="stackexchange_meta.xml" source="metadata">\n    <format>Metadata</format>\n  </file>`);
  writeFileSync(join(dir, 'stackexchange_files.xml'), `<?xml version="1.0" encoding="UTF-8"?>\n<files>\n${files.join('\n')}\n</files>\n`);
}
