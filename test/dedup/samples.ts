/** Sample documents for the dedup and signal tests: real texts from test/data plus edge cases. */
import { testData } from '../helpers.js';
import { readFileSync, readdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';

export const samplesDir = testData;

function jsonlTexts(path: string): string[] {
  const raw = readFileSync(path);
  const text = (path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => (JSON.parse(l) as { text: string }).text);
}

/** Real documents: C4 (OLMo samples, Guardian), cc_net head, raw Wikipedia wikitext. */
export function sampleTexts(): string[] {
  const out: string[] = [];
  for (const f of ['olmo-c4-sample.01.json.gz', 'olmo-c4-sample.02.json.gz', 'olmo-c4-sample.03.json.gz', 'olmo-paloma-c4_100_domains_theguardian.jsonl.gz'])
    out.push(...jsonlTexts(join(samplesDir, 'c4', f)));
  out.push(...jsonlTexts(join(samplesDir, 'commoncrawl_warc', 'dolma-ccnet-cc_en_head-0091.jsonl.gz')));
  const wt = join(samplesDir, 'wikipedia', 'wikitext-wtf_wikipedia');
  for (const f of readdirSync(wt).sort()) out.push(readFileSync(join(wt, f), 'utf8'));
  return out;
}

/** Hand-made texts that hit the Unicode and edge cases of the definitions. */
export const EDGE_TEXTS: string[] = [
  '',
  '\n',
  '   \n\n  ',
  'word',
  'ΟΔΟΣ ΑΣ\nΣΑΣ. Final sigma ΑΣ!',
  'Emoji 😀 lines 𝐀𝐁𝐂 astral\nsecond 😀 line ends…\nthird line...   \n',
  '• bullet one\n  – dash two\n▶ play\nplain\n',
  'CJK 一二三 numbers ٣٤٥ and Ⅻ roman 12345.\nＡＢＣ full width!',
  'Field\x1cseparator\x85next\u2028line\ufeffbom word',
  'THE QUICK BROWN FOX. the quick brown fox? The Quick.',
  "Don't stop-words: the and of to a in is it you that he was for on are with as I his they be at one have this",
  'Lorem ipsum dolor sit amet, lorem IPSUM again. {curly} }{',
  'javascript is required. Please enable JavaScript javascript\nno js here',
  'a b a b a b a b a b a b c d e f g h a b c d e f g h i j k a b c d e f g h i j k',
  'Ǆemo ǅigraph ǆ and ß STRASSE İstanbul',
  'Café naïve résumé coöperate — e\u0301 composed vs decomposed.',
  '#hash #tags ... … ##\n##',
  'Ünïcödé_under_score words_with_ 123_456 ...?!',
  'one two three four five six seven eight nine ten eleven twelve thirteen fourteen',
];
