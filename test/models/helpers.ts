/** Shared fixtures of the web-models tests: sample paths and multilingual lines from real files. */
import { testData } from '../helpers.js';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';

export const samples = testData;

function read(rel: string): string {
  const buf = readFileSync(join(samples, rel));
  return (rel.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8');
}

/**
 * Prose lines in several languages from test/data (de, af, en from Wikipedia wikitext;
 * es/an from a real CC WET; en/zh/ru from cc_net's WET fixture; vi from viwiki; en from C4),
 * at least `minChars` UTF-8 bytes long, at most `perFile` per file.
 */
export function multilingualLines(perFile = 25, minChars = 40): string[] {
  const files = [
    'wikipedia/wikitext-wtf_wikipedia/Keilwelle.wikitext',
    'wikipedia/wikitext-wtf_wikipedia/africaans.wikitext',
    'wikipedia/wikitext-wtf_wikipedia/Bodmin.wikitext',
    'wikipedia/wikitext-wtf_wikipedia/Mozilla-Firefox.wikitext',
    'wikipedia/wikiextractor-viwiki-test.xml',
    'commoncrawl_warc/cc-whirlwind-CC-MAIN-2024-22.warc.wet.gz',
    'commoncrawl_warc/ccnet-sample.warc.wet',
    'c4/c4-train.00000-of-01024.first3.json',
  ];
  const out: string[] = [];
  for (const f of files) {
    let text = read(f);
    if (f.endsWith('.json'))
      text = text
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { text: string }).text)
        .join('\n');
    let n = 0;
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (Buffer.byteLength(line) < minChars || /^[<{|!=[*#]/.test(line) || line.startsWith('WARC')) continue;
      out.push(line);
      if (++n >= perFile) break;
    }
  }
  return out;
}
