/**
 * Splitting one multistream dump into many tasks.
 *
 * A `…-pages-articles-multistream.xml.bz2` file is a concatenation of independent bzip2 streams: the
 * first holds the `<mediawiki>` header and `<siteinfo>`, each next one 100 pages, the last the closing
 * tag. Its companion `…-multistream-index.txt.bz2` lists `offset:page_id:title` for every page, where
 * `offset` is the byte offset of the stream holding the page. Cutting the file at stream offsets gives
 * byte ranges that decompress on their own, so a 20 GB dump becomes ~600 tasks of `task_bytes`.
 * Planning streams the index once and keeps only the cut points (memory: O(tasks)).
 */
import { readLines } from '../../io/lines.js';
import { openDecompressed } from '../../io/compression.js';
import { CorpusError } from '../../core/errors.js';

export interface StreamRange {
  start: number;
  end: number;
}

/** The index file that belongs to a multistream data file, by Wikimedia's naming, or null. */
export function indexNameFor(dataName: string): string | null {
  // enwiki-20230320-pages-articles-multistream.xml.bz2 → …-multistream-index.txt.bz2
  // enwiki-20230320-pages-articles-multistream1.xml-p1p41242.bz2 → …-multistream-index1.txt-p1p41242.bz2
  const m = /^(.*-multistream)(\d*)\.xml(.*)\.bz2$/.exec(dataName);
  return m ? `${m[1]}-index${m[2]}.txt${m[3]}.bz2` : null;
}

export function isIndexName(name: string): boolean {
  return /-multistream-index\d*\.txt/.test(name);
}

/**
 * Cut points from the index: ranges of about `target` compressed bytes each, starting at 0 (the
 * header stream goes with the first range) and ending at `fileSize`. Also returns the offset of the
 * first page stream (where the header stream ends).
 */
export async function streamRanges(indexPath: string, fileSize: number, target: number): Promise<{ ranges: StreamRange[]; firstStream: number }> {
  const cuts: number[] = [0];
  let firstStream = -1;
  let last = -1;
  for await (const line of readLines(indexPath, { compression: 'bzip2' })) {
    if (line.bytes.length === 0) continue;
    const colon = line.bytes.indexOf(0x3a);
    const offset = colon > 0 ? Number(line.bytes.toString('latin1', 0, colon)) : NaN;
    if (!Number.isSafeInteger(offset) || offset < 0 || offset >= fileSize) {
      throw new CorpusError(`bad multistream index line (expected offset:page_id:title within the dump's ${fileSize} bytes)`, {
        file: indexPath,
        record: `line ${line.index + 1}`,
      });
    }
    if (offset === last) continue;
    if (offset < last) throw new CorpusError('multistream index offsets are not ascending', { file: indexPath, record: `line ${line.index + 1}` });
    last = offset;
    if (firstStream < 0) firstStream = offset;
    if (offset - cuts[cuts.length - 1]! >= target) cuts.push(offset);
  }
  if (firstStream < 0) throw new CorpusError('multistream index lists no pages', { file: indexPath });
  const ranges = cuts.map((start, i) => ({ start, end: i + 1 < cuts.length ? cuts[i + 1]! : fileSize }));
  return { ranges, firstStream };
}

/** Decompresses the header stream [0, firstStream) of a multistream dump. */
export async function readHeaderStream(path: string, firstStream: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of openDecompressed(path, { compression: 'bzip2', start: 0, end: firstStream, alignedRange: true })) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
