import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newWikitextStats, prefixSet, wikitextToText } from '../../../src/sources/wikipedia/wikitext.js';
import { linkOptions } from '../../../src/sources/wikipedia/source.js';

const en = { mediaPrefixes: prefixSet(['File', 'Image', 'Media']), categoryPrefixes: prefixSet(['Category']), categories: 'name' as const };
const render = (s: string) => wikitextToText(s, en);

test('templates, nested and with arguments, are removed; an unclosed one stays literal and is counted', () => {
  assert.equal(render('a {{x|{{y|z}}|{{{1|d}}}}} b'), 'a  b');
  assert.equal(render('{{Infobox\n| name = {{lang|fr|Paris}}\n}}\nParis is a city.'), 'Paris is a city.');
  const stats = newWikitextStats();
  assert.equal(wikitextToText('Text {{broken [[link]] more', en, stats), 'Text {{broken link more');
  assert.equal(stats.unclosed_template, 1);
});

test('refs (paired and self-closing), comments and invisible tags are removed', () => {
  assert.equal(render('Fact.<ref name="a">{{cite|x}} see [[y]]</ref> More<ref name="a" />.<!-- note -->'), 'Fact. More.');
  assert.equal(render('E = <math>mc^2</math> ok <gallery>\nFile:a.jpg\n</gallery>'), 'E =  ok');
  const stats = newWikitextStats();
  assert.equal(wikitextToText('a <!-- never closed', en, stats), 'a');
  assert.equal(stats.unclosed_comment, 1);
});

test('tables are removed, nested and indented; an unclosed table is removed to the end and counted', () => {
  assert.equal(render('Before\n{| class="wikitable"\n|-\n| a || {{x}}\n{|\n| inner\n|}\n|}\nAfter'), 'Before\n\nAfter');
  assert.equal(render('x\n:{|\n| y\n|}\nz'), 'x\n\nz');
  assert.equal(render('<table><tr><td>cell</td></tr></table>text'), 'text');
  const stats = newWikitextStats();
  assert.equal(wikitextToText('Lead\n{|\n| a\n', en, stats), 'Lead');
  assert.equal(stats.unclosed_table, 1);
});

test('links keep their text; file links go with their captions; categories follow HF', () => {
  assert.equal(render('[[Paris|the capital]] and [[Lyon]]s'), 'the capital and Lyons');
  assert.equal(render('[[File:X.jpg|thumb|A [[caption]] here]]Next [[image:y.png]]'), 'Next');
  assert.equal(render('End\n[[Category:Cities in France]]\n[[Category:Capitals|Paris]]'), 'End\nCities in France\nParis');
  assert.equal(wikitextToText('End\n[[Category:Cities]]', { ...en, categories: 'drop' }), 'End');
  assert.equal(render('[[:Category:Cities]]'), 'Category:Cities');
  assert.equal(render('[[Foo (band)|]]'), 'Foo (band)');
});

test("each wiki's local namespace names from siteinfo and HF's aliases mark file and category links", () => {
  const de = linkOptions('de', { dbname: 'dewiki', lang: 'de', namespaces: { '6': 'Datei', '14': 'Kategorie' }, doctype: false }, 'name');
  assert.equal(wikitextToText('A [[Datei:a.jpg|mini|Bild]] B [[Bild:b.png]] C [[Kategorie:Stadt]]', de), 'A  B  C Stadt');
  const ru = linkOptions('ru', null, 'name');
  assert.equal(wikitextToText('Москва [[Файл:M.jpg|thumb]][[Изображение:N.png]]', ru), 'Москва');
});

test('external links, formatting, entities, magic words, headings, lists and literal tags', () => {
  assert.equal(render('[https://example.org Example site] and [https://example.org] and https://bare.example'), 'Example site and  and https://bare.example');
  assert.equal(render("'''Bold''' ''italic'' '''''both''''' l'''''''"), "Bold italic both l''");
  assert.equal(render('5&nbsp;&euro; &amp; &#8212; &#x41; &bogus; a < b'), '5\u00a0€ & — A &bogus; a < b');
  assert.equal(render('__NOTOC__Text__TOC__'), 'Text');
  assert.equal(render('Lead\n== History ==\nOld.\n=== Early ===\n* one\n** two\n# three\n; term\n: def'), 'Lead\n\nHistory\nOld.\n\nEarly\none\ntwo\nthree\nterm\ndef');
  assert.equal(render('<nowiki>[[not a link]] {{nor template}}</nowiki> <pre>\n* x\n</pre>'), '[[not a link]] {{nor template}} \n* x');
  assert.equal(render('<span style="color:red">red</span> <br/> <div>block</div>'), 'red  block');
  assert.equal(render('a\n\n\n\n\nb'), 'a\n\nb');
});
