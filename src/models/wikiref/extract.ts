/**
 * `corpusmill classifier refs`: reads Wikipedia dumps (pages-articles XML, plain, .bz2, .gz or
 * .zst; references are XML-escaped there) or JSONL documents whose text is raw wikitext, and
 * collects the URLs cited in `<ref>` tags (refs.ts), deduplicated, in first-seen order.
 * Memory: the set of distinct URLs (~100 bytes each; all of enwiki cites tens of millions).
 */
import { readLines } from '../../io/lines.js';
import { isDocumentFile, readShard } from '../../io/shards.js';
import { PageRefScanner, refUrls, unescapeXml } from './refs.js';

export interface RefExtraction {
  urls: string[];
  /** URLs seen including repeats. */
  cited: number;
  badRecords: number;
}

export async function extractReferenceUrls(inputs: string[], onBad?: (msg: string) => void): Promise<RefExtraction> {
  const seen = new Set<string>();
  const urls: string[] = [];
  let cited = 0;
  let badRecords = 0;
  const add = (found: string[]) => {
    cited += found.length;
    for (const u of found) {
      if (!seen.has(u)) {
        seen.add(u);
        urls.push(u);
      }
    }
  };
  for (const input of inputs) {
    if (isDocumentFile(input)) {
      const docs = readShard(input, {
        source: 'wikipedia',
        onBad: (b) => {
          badRecords++;
          onBad?.(`${b.file}: ${b.record}: ${b.reason}: ${b.detail}`);
        },
      });
      for await (const doc of docs) add(refUrls(doc.text));
      continue;
    }
    const scanner = new PageRefScanner();
    for await (const line of readLines(input)) add(scanner.push(unescapeXml(line.bytes.toString('utf8'))));
    add(scanner.flush());
  }
  return { urls, cited, badRecords };
}
