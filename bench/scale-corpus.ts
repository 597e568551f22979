/**
 * The seeded corpus of `npm run bench:scale`: unique, varied English-like web pages as JSON lines,
 * with planted exact and near duplicates, written as prefixes of one stream (so the 1× file is the
 * start of the 4× file, which is the start of the 16× one, and every planted copy refers to an
 * earlier page of the same file).
 *
 * Words are drawn from the word frequencies of the real C4 and cc_net texts in test/data
 * (so word lengths, stop-word rates and the tokenizer's work look like web text), in sentences of
 * varied length, paragraphs one per line as in C4, with numbers, names and a little non-ASCII
 * punctuation. A few pages are what the quality rules exist for (too short, menus, code, lorem
 * ipsum), so the filters drop some. Same seed and sizes, same bytes.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { rng } from '../src/core/rng.js';
import { testData } from '../test/helpers.js';

/** The English web texts of test/data (C4 and cc_net samples; see test/data/MANIFEST.md). */
function englishTexts(): string[] {
  const files = ['c4/olmo-c4-sample.01.json.gz', 'c4/olmo-c4-sample.02.json.gz', 'c4/olmo-c4-sample.03.json.gz', 'c4/olmo-paloma-c4_100_domains_theguardian.jsonl.gz'];
  files.push('commoncrawl_warc/dolma-ccnet-cc_en_head-0091.jsonl.gz');
  return files.flatMap((f) =>
    gunzipSync(readFileSync(join(testData, f)))
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => (JSON.parse(l) as { text: string }).text),
  );
}

export interface CorpusStats {
  docs: number;
  bytes: number;
  exact: number;
  near: number;
  junk: number;
}

/** Word forms and their cumulative frequencies, for sampling in proportion to real use. */
class Vocabulary {
  readonly words: string[];
  private readonly cum: Float64Array;

  constructor(texts: string[]) {
    const counts = new Map<string, number>();
    for (const t of texts) for (const m of t.matchAll(/[A-Za-z\u00C0-\u024F]+(?:['\u2019][a-z]+)?/g)) counts.set(m[0], (counts.get(m[0]) ?? 0) + 1);
    const entries = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    this.words = entries.map((e) => e[0]);
    this.cum = new Float64Array(entries.length);
    let s = 0;
    entries.forEach((e, i) => {
      s += e[1];
      this.cum[i] = s;
    });
  }

  pick(u: number): string {
    const x = u * this.cum[this.cum.length - 1]!;
    let lo = 0;
    let hi = this.cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cum[mid]! <= x) lo = mid + 1;
      else hi = mid;
    }
    return this.words[lo]!;
  }
}

const SITES = ['news', 'blog', 'shop', 'forum', 'wiki', 'travel', 'recipes', 'sports', 'science', 'finance'];
const ENDS = ['.', '.', '.', '.', '.', '.', '.', '.', '?', '!', '.', '.'];
const EXTRAS = ['\u2014', '\u201ccaf\u00e9\u201d', 'na\u00efve', '(see below)', '\u2019s', 'e.g.', '%', 'M\u00fcller'];
const JUNK_MENU = ['Home', 'About us', 'Contact', 'Privacy policy', 'Log in', 'Sign up', 'Cart (0)', 'Search', 'FAQ', 'Terms'];

export class CorpusGenerator {
  private readonly rand: () => number;
  private readonly vocab: Vocabulary;
  /** Earlier pages (a uniform reservoir) that planted copies are made from. */
  private readonly reservoir: string[] = [];
  private seen = 0;
  readonly stats: CorpusStats = { docs: 0, bytes: 0, exact: 0, near: 0, junk: 0 };

  constructor(seed: number) {
    this.rand = rng(seed);
    this.vocab = new Vocabulary(englishTexts());
  }

  private int(lo: number, hi: number): number {
    return lo + Math.floor(this.rand() * (hi - lo + 1));
  }

  private sentence(): string {
    const n = this.int(5, 14) + this.int(0, 14);
    const parts: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = this.rand();
      let w: string;
      if (r < 0.015) w = String(this.int(2, 2024));
      else if (r < 0.02) w = EXTRAS[this.int(0, EXTRAS.length - 1)]!;
      else w = this.vocab.pick(this.rand());
      if (i === 0) w = w[0]!.toUpperCase() + w.slice(1);
      else if (i < n - 1 && this.rand() < 0.07) w += ',';
      parts.push(w);
    }
    return parts.join(' ') + ENDS[this.int(0, ENDS.length - 1)]!;
  }

  private page(): string {
    // Log-normal-ish length: most pages 1-5 KB, some much longer.
    const target = Math.min(60_000, Math.max(300, Math.round(Math.exp(7.6 + 0.9 * (this.rand() + this.rand() + this.rand() - 1.5) * 1.4))));
    const paras: string[] = [];
    let len = 0;
    while (len < target) {
      const k = this.int(1, 6);
      const s: string[] = [];
      for (let i = 0; i < k; i++) s.push(this.sentence());
      const p = s.join(' ');
      paras.push(p);
      len += p.length + 1;
    }
    return paras.join(this.rand() < 0.2 ? '\n\n' : '\n');
  }

  /** Pages the quality rules should drop. */
  private junk(): string {
    switch (this.int(0, 3)) {
      case 0:
        return this.sentence();
      case 1:
        return Array.from({ length: this.int(5, 15) }, () => JUNK_MENU[this.int(0, JUNK_MENU.length - 1)]!).join('\n');
      case 2:
        return `${this.sentence()}\nfunction init() { var x = ${this.int(1, 99)}; return x; }\n${this.sentence()} ${this.sentence()} ${this.sentence()}`;
      default:
        return `Lorem ipsum dolor sit amet. ${this.page()}`;
    }
  }

  /** A near copy: a few words changed and sometimes a line added, as mirrored and re-posted pages differ. */
  private nearCopy(text: string): string {
    const words = text.split(' ');
    const changes = Math.max(1, Math.round(words.length * 0.01));
    for (let i = 0; i < changes; i++) words[this.int(0, words.length - 1)] = this.vocab.pick(this.rand());
    const out = words.join(' ');
    return this.rand() < 0.5 ? `Posted by ${this.vocab.pick(this.rand())} on ${this.int(1, 28)}/${this.int(1, 12)}/20${this.int(10, 23)}\n${out}` : out;
  }

  next(): string {
    const n = this.stats.docs++;
    const r = this.rand();
    let text: string;
    if (r < 0.03 && this.reservoir.length > 0) {
      text = this.reservoir[this.int(0, this.reservoir.length - 1)]!;
      this.stats.exact++;
    } else if (r < 0.06 && this.reservoir.length > 0) {
      text = this.nearCopy(this.reservoir[this.int(0, this.reservoir.length - 1)]!);
      this.stats.near++;
    } else if (r < 0.1) {
      text = this.junk();
      this.stats.junk++;
    } else {
      text = this.page();
      // Reservoir sampling: every earlier original is equally likely to be copied later.
      this.seen++;
      if (this.reservoir.length < 2048) this.reservoir.push(text);
      else {
        const j = Math.floor(this.rand() * this.seen);
        if (j < this.reservoir.length) this.reservoir[j] = text;
      }
    }
    const site = SITES[n % SITES.length]!;
    const line = `${JSON.stringify({ text, id: `scale/${n}`, meta: { url: `https://${site}${this.int(1, 500)}.example.org/page/${n}` } })}\n`;
    this.stats.bytes += Buffer.byteLength(line);
    return line;
  }
}

/**
 * Writes `sizes` (ascending byte targets) as files `paths[i]`, each the prefix of the next, in one
 * generation pass. Returns each file's statistics.
 */
export function writeCorpus(seed: number, sizes: number[], paths: string[]): CorpusStats[] {
  const gen = new CorpusGenerator(seed);
  const fds = paths.map((p) => openSync(p, 'w'));
  const done: CorpusStats[] = [];
  let buf: string[] = [];
  let bufBytes = 0;
  let open = 0; // files[open..] still take lines
  const flush = () => {
    const chunk = Buffer.from(buf.join(''));
    for (let i = open; i < fds.length; i++) writeSync(fds[i]!, chunk);
    buf = [];
    bufBytes = 0;
  };
  try {
    while (open < sizes.length) {
      const line = gen.next();
      buf.push(line);
      bufBytes += line.length;
      if (gen.stats.bytes >= sizes[open]!) {
        flush();
        done.push({ ...gen.stats });
        closeSync(fds[open]!);
        open++;
      } else if (bufBytes >= 1 << 20) flush();
    }
  } finally {
    for (let i = open; i < fds.length; i++) closeSync(fds[i]!);
  }
  return done;
}
