/**
 * Main-content precision and recall of the WARC HTML extractor on the labelled pages in
 * test/data/web (real pages; every line of a plain text dump of each page labelled by hand as main
 * content `+` or boilerplate `-`, see test/data/MANIFEST.md).
 *
 * Scores are over tokens, as a bag: P = |extracted ∩ gold| / |extracted|, R = |extracted ∩ gold| /
 * |gold|, where gold is the tokens of the `+` lines. A token is a run of letters and digits, or one
 * CJK / kana / hangul character (those scripts have no spaces between words).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from 'htmlparser2';
import { openDecompressed } from '../../../src/io/compression.js';
import { decodeHtml, decodePayload, parseHttpResponse } from '../../../src/sources/commoncrawl/html.js';
import { recordToDocument } from '../../../src/sources/commoncrawl/records.js';
import { readWarcRecords } from '../../../src/sources/commoncrawl/warc.js';
import { repoRoot } from '../../helpers.js';

const DATA = join(repoRoot, 'test', 'data', 'web');

export interface PageScore {
  label: string;
  /** `<pre>` lines of the page that start with a space or tab, and how many of them the output has verbatim. */
  indentedPre: number;
  indentedPreKept: number;
  url: string;
  gold: number;
  extracted: number;
  overlap: number;
  precision: number;
  recall: number;
}

const TOKEN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]|[\p{L}\p{N}\p{M}]+/gu;

export function tokens(text: string): Map<string, number> {
  const bag = new Map<string, number>();
  for (const m of text.matchAll(TOKEN)) bag.set(m[0], (bag.get(m[0]) ?? 0) + 1);
  return bag;
}

function size(bag: Map<string, number>): number {
  let n = 0;
  for (const v of bag.values()) n += v;
  return n;
}

function overlap(a: Map<string, number>, b: Map<string, number>): number {
  let n = 0;
  for (const [k, v] of a) n += Math.min(v, b.get(k) ?? 0);
  return n;
}

/** The gold main-content text of a labelled page (its `+` lines). */
export function goldText(label: string): string {
  return readFileSync(join(DATA, 'labels', `${label}.tsv`), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('+\t'))
    .map((l) => l.slice(2))
    .join('\n');
}

/**
 * Extracts every labelled page through the real record → document path and scores it; `extract`
 * replaces the HTML → text step (to compare another extractor on the same pages).
 */
export async function scorePages(extract?: (html: string) => string): Promise<PageScore[]> {
  const index = readFileSync(join(DATA, 'labels', 'pages.tsv'), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split('\t'));
  const texts: string[] = [];
  const pres: string[][] = [];
  const stream = openDecompressed(join(DATA, 'labelled-pages.warc.gz'), { compression: 'gzip' }) as NodeJS.ReadableStream & AsyncIterable<Buffer>;
  for await (const rec of readWarcRecords(stream as never, { maxRecordBytes: 64 << 20 })) {
    const msg = parseHttpResponse(rec.body)!;
    const html = decodeHtml(decodePayload(msg).body, msg.headers.get('content-type')).html;
    pres.push(indentedPreLines(html));
    if (extract) {
      texts.push(extract(html));
      continue;
    }
    const out = recordToDocument(rec, 'labelled-pages.warc.gz');
    if (!('doc' in out)) throw new Error(`record ${rec.index} gave no document: ${out.skip}`);
    texts.push(out.doc.text);
  }
  if (texts.length !== index.length) throw new Error(`${texts.length} records for ${index.length} labelled pages`);
  return index.map(([label, , , url], i) => {
    const gold = tokens(goldText(label!));
    const got = tokens(texts[i]!);
    const both = overlap(got, gold);
    const [g, e] = [size(gold), size(got)];
    const lines = new Set(texts[i]!.split('\n'));
    const pre = pres[i]!;
    return {
      label: label!,
      url: url!,
      indentedPre: pre.length,
      indentedPreKept: pre.filter((l) => lines.has(l)).length,
      gold: g,
      extracted: e,
      overlap: both,
      precision: e ? both / e : 1,
      recall: g ? both / g : 1,
    };
  });
}

/** The lines of the page's `<pre>` elements that start with a space or tab (the text as written). */
function indentedPreLines(html: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let buf = '';
  new Parser(
    {
      onopentag(name) {
        if (name === 'pre') depth++;
      },
      ontext(t) {
        if (depth > 0) buf += t;
      },
      onclosetag(name) {
        if (name === 'pre' && --depth === 0) {
          for (const l of buf.split('\n')) if (/^[ \t]+\S/.test(l)) out.push(l);
          buf = '';
        }
      },
    },
    { decodeEntities: true },
  ).end(html);
  return out;
}

/** Token-weighted (micro) precision and recall over all pages, and the per-page (macro) means. */
export function summarise(scores: PageScore[]): { precision: number; recall: number; macroPrecision: number; macroRecall: number; indentedPre: number; indentedPreKept: number } {
  const sum = (f: (s: PageScore) => number) => scores.reduce((a, s) => a + f(s), 0);
  return {
    precision: sum((s) => s.overlap) / sum((s) => s.extracted),
    recall: sum((s) => s.overlap) / sum((s) => s.gold),
    macroPrecision: sum((s) => s.precision) / scores.length,
    macroRecall: sum((s) => s.recall) / scores.length,
    indentedPre: sum((s) => s.indentedPre),
    indentedPreKept: sum((s) => s.indentedPreKept),
  };
}
