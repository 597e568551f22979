/**
 * Wikipedia sample: `samples/wikipedia/<lang>wiki/20230320/` for en, de and fr, laid out like
 * dumps.wikimedia.org: a multistream dump (`…-pages-articles-multistream.xml.bz2`, one bz2 stream for
 * the header, then streams of 5 pages, then one for the closing tag), its index
 * (`offset:page_id:title`) and a `dumpstatus.json` with sizes and checksums. Pages carry what the
 * renderer must handle: nested templates, refs, tables, file and category links with local
 * namespace names, headings, lists, entities, redirects, non-article namespaces, one page with an
 * unclosed template and one with an undefined entity (quarantined).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { paragraph, pick, rng } from './rng.js';

const DATE = '20230320';
const PAGES_PER_STREAM = 5;

interface Lang {
  code: string;
  file: string;
  category: string;
  template: string;
  words: string[];
}

const LANGS: Lang[] = [
  { code: 'en', file: 'File', category: 'Category', template: 'Template', words: ['History', 'Geography', 'Economy', 'Culture', 'See also'] },
  { code: 'de', file: 'Datei', category: 'Kategorie', template: 'Vorlage', words: ['Geschichte', 'Geographie', 'Wirtschaft', 'Kultur', 'Siehe auch'] },
  { code: 'fr', file: 'Fichier', category: 'Catégorie', template: 'Modèle', words: ['Histoire', 'Géographie', 'Économie', 'Culture', 'Voir aussi'] },
];

function bz2(data: string): Buffer {
  const r = spawnSync('bzip2', ['-9', '-c'], { input: Buffer.from(data, 'utf8'), maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`bzip2 failed: ${r.stderr}`);
  return r.stdout;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function siteinfo(l: Lang): string {
  const ns: Array<[number, string]> = [
    [-2, l.code === 'en' ? 'Media' : l.code === 'de' ? 'Medium' : 'Média'],
    [0, ''],
    [1, 'Talk'],
    [6, l.file],
    [10, l.template],
    [14, l.category],
  ];
  return `<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.10/" version="0.10" xml:lang="${l.code}">
  <siteinfo>
    <sitename>Wikipedia</sitename>
    <dbname>${l.code}wiki</dbname>
    <base>https://${l.code}.wikipedia.org/wiki/Main_Page</base>
    <generator>MediaWiki 1.41.0-wmf.1</generator>
    <case>first-letter</case>
    <namespaces>
${ns.map(([k, n]) => (n ? `      <namespace key="${k}" case="first-letter">${esc(n)}</namespace>` : `      <namespace key="${k}" case="first-letter" />`)).join('\n')}
    </namespaces>
  </siteinfo>
`;
}

function article(r: () => number, l: Lang, title: string, i: number): string {
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  const parts: string[] = [];
  parts.push(`{{Infobox settlement|name=${title}|population={{formatnum:${1000 + i}}}|image=Example.jpg}}`);
  parts.push(
    `'''${title}''' ${paragraph(r, 2)}<ref name="a${i}">{{cite web|url=https://example.org/${i}|title=Source ${i}}}</ref> [[Lorem ipsum|${cap(pick(r, ['linked text', 'another link']))}]] and [[Dolor]].`,
  );
  parts.push(`[[${l.file}:Map_${i}.png|thumb|right|A map of [[${title}]] with a [[caption link]].]]`);
  parts.push(`${paragraph(r, 3)}<ref>Plain reference ${i}.</ref> <!-- an editor's comment --> It costs &euro;5&nbsp;a day.`);
  for (let s = 0; s < 2 + Math.floor(r() * 3); s++) {
    parts.push(`== ${l.words[s % l.words.length]} ==`);
    parts.push(paragraph(r, 2 + Math.floor(r() * 3)));
    if (r() < 0.5) parts.push(`* ${paragraph(r, 1)}\n* ''${paragraph(r, 1)}''\n# [https://example.com/${i} ${paragraph(r, 1).slice(0, 30)}]`);
    if (r() < 0.4) parts.push(`{| class="wikitable"\n|-\n! Year !! Value\n|-\n| 2020 || ${i}\n|-\n| 2021 || {{n/a}}\n|}`);
    if (r() < 0.3) parts.push(`=== ${cap(pick(r, ['details', 'notes']))} ===\n${paragraph(r, 2)}`);
  }
  parts.push(`== ${l.code === 'en' ? 'References' : 'Einzelnachweise'} ==\n{{Reflist}}\n<references />`);
  parts.push(`__NOTOC__\n[[${l.category}:Sample places]]\n[[${l.category}:Generated articles|${title}]]`);
  return parts.join('\n\n');
}

function pageXml(title: string, ns: number, id: number, text: string, opts: { redirect?: string } = {}): string {
  const redirect = opts.redirect ? `    <redirect title="${esc(opts.redirect)}" />\n` : '';
  return `  <page>
    <title>${esc(title)}</title>
    <ns>${ns}</ns>
    <id>${id}</id>
${redirect}    <revision>
      <id>${100000 + id}</id>
      <timestamp>2023-03-${String(1 + (id % 19)).padStart(2, '0')}T12:00:00Z</timestamp>
      <contributor><username>Sample</username><id>1</id></contributor>
      <model>wikitext</model>
      <format>text/x-wiki</format>
      <text bytes="${Buffer.byteLength(text)}" xml:space="preserve">${esc(text)}</text>
    </revision>
  </page>
`;
}

export async function makeWikipediaSample(root: URL): Promise<void> {
  const r = rng(7);
  for (const l of LANGS) {
    const dir = new URL(`wikipedia/${l.code}wiki/${DATE}/`, root);
    mkdirSync(dir, { recursive: true });
    const pages: Array<{ id: number; title: string; xml: string }> = [];
    const count = l.code === 'en' ? 60 : 20;
    for (let i = 0; i < count; i++) {
      const id = 10 + i * 3;
      const title = `${pick(r, ['North', 'South', 'Old', 'New', 'Upper'])} ${pick(r, ['Harbour', 'Valley', 'Bridge', 'Meadow', 'Castle'])} ${i}`;
      let xml: string;
      if (i % 9 === 4) xml = pageXml(title, 0, id, `#REDIRECT [[Target ${i}]]`, { redirect: `Target ${i}` });
      else if (i % 11 === 6) xml = pageXml(`${l.template}:Box ${i}`, 10, id, `{{{1|}}} <includeonly>[[${l.category}:Boxes]]</includeonly>`);
      else if (i % 13 === 8) xml = pageXml(`Talk:${title}`, 1, id, `Discussion about ${title}. ~~~~`);
      else if (l.code === 'en' && i === 19) xml = pageXml(title, 0, id, `'''${title}''' has an unclosed {{Infobox\n| name = broken\n\n${paragraph(r, 3)}`);
      else if (l.code === 'en' && i === 23) xml = pageXml(title, 0, id, 'x').replace('>x</text>', '>Text with an &undefined; entity</text>');
      else xml = pageXml(title, 0, id, article(r, l, title, i));
      pages.push({ id, title, xml });
    }
    const streams: Buffer[] = [bz2(siteinfo(l))];
    const index: string[] = [];
    let offset = streams[0]!.length;
    for (let s = 0; s < pages.length; s += PAGES_PER_STREAM) {
      const group = pages.slice(s, s + PAGES_PER_STREAM);
      const b = bz2(group.map((p) => p.xml).join(''));
      for (const p of group) index.push(`${offset}:${p.id}:${p.title}`);
      streams.push(b);
      offset += b.length;
    }
    streams.push(bz2('</mediawiki>\n'));
    const dumpName = `${l.code}wiki-${DATE}-pages-articles-multistream.xml.bz2`;
    const indexName = `${l.code}wiki-${DATE}-pages-articles-multistream-index.txt.bz2`;
    const dump = Buffer.concat(streams);
    const idx = bz2(`${index.join('\n')}\n`);
    writeFileSync(new URL(dumpName, dir), dump);
    writeFileSync(new URL(indexName, dir), idx);
    const entry = (name: string, b: Buffer) => ({
      size: b.length,
      url: `/${l.code}wiki/${DATE}/${name}`,
      md5: createHash('md5').update(b).digest('hex'),
      sha1: createHash('sha1').update(b).digest('hex'),
    });
    const status = {
      jobs: {
        articlesmultistreamdump: { status: 'done', updated: '2023-03-21 10:00:00', files: { [dumpName]: entry(dumpName, dump), [indexName]: entry(indexName, idx) } },
        abstractsdump: { status: 'done', updated: '2023-03-21 09:00:00', files: {} },
      },
      version: '0.8',
    };
    writeFileSync(new URL('dumpstatus.json', dir), `${JSON.stringify(status, null, 1)}\n`);
  }
}
