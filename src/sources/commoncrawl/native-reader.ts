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
import { recordToDocument, wetDocumentFrom, type Converted } from './records.js';
import { parseHeaderBlock, type WarcRecord } from './warc.js';

/** [index, offset, header block (latin1), title, text] (conversion) or [index, offset, header block, body]. */
type NativeRecord = [number, number, string, string, string] | [number, number, string, Buffer];

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

/**
 * Yields the documents of the file's records through `convert` until the end (returns null) or
 * until a record the addon leaves to the TypeScript reader (returns where).
 */
export async function* readNative(
  path: string,
  gzip: boolean,
  maxRecordBytes: number,
  segment: string,
  advance: (bytes: number) => void,
  convert: (out: Converted, rec: WarcRecord) => Doc | undefined,
): AsyncGenerator<Doc, HandBack | null> {
  const { WetReader } = textNative<{ WetReader: new (path: string, gzip: boolean, max: number) => NativeWetReader }>();
  const reader = new WetReader(path, gzip, maxRecordBytes);
  let reported = 0;
  try {
    for (;;) {
      const batch = reader.next(256);
      const raw = reader.rawBytes();
      if (raw > reported) {
        advance(raw - reported);
        reported = raw;
      }
      if (batch === null) return null;
      if (typeof batch === 'number') return { from: batch, rawBytes: reported };
      for (const r of batch) {
        const head = parseHeaderBlock(r[2]);
        const conversion = (head.headers.get('warc-type') ?? '').toLowerCase() === 'conversion';
        // The addon decided the record type from the same header lines; if ever it disagreed, the
        // TypeScript reader takes over from this record.
        if (conversion !== (r.length === 5)) return { from: r[0], rawBytes: reported };
        const rec: WarcRecord = { version: head.version, headers: head.headers, body: r.length === 5 ? Buffer.alloc(0) : r[3], offset: r[1], index: r[0], issues: [] };
        const doc = convert(r.length === 5 ? wetDocumentFrom(rec, segment, r[3], r[4]) : recordToDocument(rec, segment), rec);
        if (doc) yield doc;
      }
    }
  } finally {
    reader.close();
  }
}
