/**
 * The fast path of `readSegment` for gzip and plain WARC/WET files: the addon's WetReader
 * (native/text/wet_reader.cc) inflates, frames records and applies cc_net's WET body rules in one
 * native loop; documents are then built by the same functions as on the TypeScript path
 * (records.ts), so ids, text and meta are identical.
 *
 * The addon reads only plainly well-formed records (version line, consistent Content-Length). At
 * the first record that is not, or on a gzip error, it stops and says which record; `readSegment`
 * reads the rest of the file with the TypeScript reader (warc.ts), which flags, counts and
 * quarantines it exactly as it always has.
 */
import { textNative } from '../../native/addons.js';
import type { Doc } from '../../core/document.js';
import type { HtmlToTextOptions } from './html-text.js';
import { recordToDocument, wetDocumentFrom, type Converted } from './records.js';
import { parseHeaderBlock, type WarcRecord } from './warc.js';

/** Header values of a conversion record, in this order (holes where absent). */
const META_HEADERS = ['warc-target-uri', 'warc-date', 'warc-record-id', 'warc-block-digest', 'warc-identified-content-language'] as const;

/** [index, offset, meta header values, title, text] (conversion) or [index, offset, header block (latin1), body]. */
type NativeRecord = [number, number, (string | undefined)[], string, string] | [number, number, string, Buffer];

interface NativeWetReader {
  next(maxRecords: number): NativeRecord[] | number | null;
  rawBytes(): number;
  close(): void;
}

/** Where the fast path stopped: the first record index it did not read, and the file bytes it reported. */
export interface HandBack {
  from: number;
  rawBytes: number;
}

/** One file through the addon, a batch of documents at a time. */
export class NativeSegmentReader {
  private readonly reader: NativeWetReader;
  private reported = 0;

  constructor(
    path: string,
    gzip: boolean,
    maxRecordBytes: number,
    private readonly segment: string,
    private readonly advance: (bytes: number) => void,
    private readonly convert: (out: Converted, rec: WarcRecord) => Doc | undefined,
    private readonly html: HtmlToTextOptions = {},
  ) {
    const { WetReader } = textNative<{ WetReader: new (path: string, gzip: boolean, max: number) => NativeWetReader }>();
    this.reader = new WetReader(path, gzip, maxRecordBytes);
  }

  /** The next documents (possibly none), null at the end of the file, or where the TypeScript reader must go on. */
  next(): Doc[] | HandBack | null {
    const batch = this.reader.next(256);
    const raw = this.reader.rawBytes();
    if (raw > this.reported) {
      this.advance(raw - this.reported);
      this.reported = raw;
    }
    if (batch === null) return null;
    if (typeof batch === 'number') return { from: batch, rawBytes: this.reported };
    const docs: Doc[] = [];
    for (const r of batch) {
      let rec: WarcRecord;
      let out: Converted;
      if (r.length === 5) {
        const headers = new Map<string, string>([['warc-type', 'conversion']]);
        for (let k = 0; k < META_HEADERS.length; k++) if (r[2][k] !== undefined) headers.set(META_HEADERS[k], r[2][k]!);
        rec = { version: '', headers, body: EMPTY, offset: r[1], index: r[0], issues: [] };
        out = wetDocumentFrom(rec, this.segment, r[3], r[4]);
      } else {
        const head = parseHeaderBlock(r[2]);
        rec = { version: head.version, headers: head.headers, body: r[3], offset: r[1], index: r[0], issues: [] };
        out = recordToDocument(rec, this.segment, this.html);
      }
      const doc = this.convert(out, rec);
      if (doc) docs.push(doc);
    }
    return docs;
  }

  close(): void {
    this.reader.close();
  }
}

const EMPTY = Buffer.alloc(0);
