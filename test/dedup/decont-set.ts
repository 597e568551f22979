/**
 * The labelled decontamination set: a LAMBADA-style "benchmark" of 60 passages from public-domain
 * novels (test/data/decontam: Frankenstein and A Study in Scarlet), and 240 web-like documents
 * labelled contaminated (they reproduce a benchmark passage, whole or in part, altered in one way
 * per category) or clean. Built from the committed texts with a seeded generator, so every run
 * measures the same set.
 *
 * Contaminated categories (20 documents each): verbatim, reformatted (case, quotes, dashes,
 * spacing, re-wrapped lines), hyphenated (wrapped at 45 columns with long words split `-\n`),
 * excerpt (20 consecutive words inside other text), accented (diacritics added to a fifth of the
 * vowels), edited (one word in every 10 replaced: no 13 consecutive words survive, the limit of
 * n-gram matching). Clean categories: same_book (60 other passages of the same two novels),
 * short_quote (20 docs quoting 10 consecutive words of a benchmark passage), other_book (the
 * Jekyll and Hyde paragraphs).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rng } from '../../src/core/rng.js';
import { repoRoot } from '../helpers.js';

export interface LabelledDoc {
  id: string;
  text: string;
  contaminated: boolean;
  category: string;
}

const dir = join(repoRoot, 'test', 'data', 'decontam');

function paragraphs(file: string): string[] {
  return readFileSync(join(dir, file), 'utf8')
    .split(/\n\s*\n/)
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter((p) => p.split(' ').length >= 40);
}

const BOILERPLATE = [
  'Home | Books | Authors | Contact',
  'Posted by a reader in Classic Literature',
  'Share this: Facebook Twitter Email',
  'Related posts: more quotes from the classics',
  '(c) 2024 Literature Daily. All rights reserved.',
];

function wrap(text: string, width: number, hyphenate: boolean): string {
  const lines: string[] = [];
  let line = '';
  for (const w of text.split(' ')) {
    if (line === '') line = w;
    else if (line.length + 1 + w.length <= width) line += ` ${w}`;
    else if (hyphenate && w.length >= 8 && /^[A-Za-z]+$/.test(w) && width - line.length - 2 >= 3) {
      const k = width - line.length - 2;
      lines.push(`${line} ${w.slice(0, k)}-`);
      line = w.slice(k);
    } else {
      lines.push(line);
      line = w;
    }
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

const page = (body: string, r: () => number) => `${BOILERPLATE[Math.floor(r() * 3)]}\n\n${body}\n\n${BOILERPLATE[3 + Math.floor(r() * 2)]}`;

export function decontSet(): { benchmark: Array<{ id: string; text: string }>; docs: LabelledDoc[] } {
  const r = rng(16);
  const novel = [...paragraphs('frankenstein-letters-ch5.txt'), ...paragraphs('study-in-scarlet-ch1-3.txt')];
  for (let i = novel.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [novel[i], novel[j]] = [novel[j]!, novel[i]!];
  }
  const bench = novel.slice(0, 60);
  const sameBook = novel.slice(60, 120);
  const other = paragraphs('jekyll-hyde-ch1-2.txt');
  const otherWords = other.join(' ').split(' ');
  const docs: LabelledDoc[] = [];
  const add = (category: string, contaminated: boolean, text: string) =>
    docs.push({ id: `${category}-${docs.filter((d) => d.category === category).length}`, text, contaminated, category });
  const passage = (i: number) => bench[i % bench.length]!;
  for (let i = 0; i < 20; i++) add('verbatim', true, page(passage(i), r));
  for (let i = 0; i < 20; i++) {
    let t = passage(20 + i)
      .replace(/"([^"]*)"/g, '\u201c$1\u201d')
      .replace(/'/g, '\u2019')
      .replace(/--/g, ' \u2014 ')
      .replace(/,/g, ' ,')
      .replace(/ /g, i % 3 === 0 ? '  ' : ' ');
    t = i % 2 === 0 ? t.toUpperCase() : t.toLowerCase();
    add('reformatted', true, page(wrap(t, 60, false), r));
  }
  for (let i = 0; i < 20; i++) add('hyphenated', true, page(wrap(passage(40 + i), 45, true), r));
  for (let i = 0; i < 20; i++) {
    const words = passage(i * 3).split(' ');
    const at = Math.floor(r() * (words.length - 20));
    add('excerpt', true, `${other[i % other.length]} As the novel puts it, ${words.slice(at, at + 20).join(' ')} and so on. ${other[(i + 7) % other.length]}`);
  }
  for (let i = 0; i < 20; i++)
    add(
      'accented',
      true,
      page(
        passage(i * 3 + 1).replace(/[aeiou]/g, (v) => (r() < 0.2 ? { a: 'à', e: 'é', i: 'î', o: 'ö', u: 'ü' }[v]! : v)),
        r,
      ),
    );
  for (let i = 0; i < 20; i++) {
    const words = passage(i * 3 + 2).split(' ');
    for (let k = 5; k < words.length; k += 10) words[k] = otherWords[Math.floor(r() * otherWords.length)]!;
    add('edited', true, page(words.join(' '), r));
  }
  for (const p of sameBook) add('same_book', false, page(p, r));
  for (let i = 0; i < 20; i++) {
    const words = passage(i * 2 + 1).split(' ');
    const at = Math.floor(r() * (words.length - 10));
    add('short_quote', false, `${other[i % other.length]} Or, as one character says, "${words.slice(at, at + 10).join(' ')}" ${other[(i + 3) % other.length]}`);
  }
  for (const p of other) add('other_book', false, page(p, r));
  return { benchmark: bench.map((text, i) => ({ id: `passage-${i}`, text })), docs };
}
