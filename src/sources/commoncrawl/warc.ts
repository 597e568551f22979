/**
 * The one WARC record reader, shared by the WET source (conversion records) and the WARC source
 * (HTTP response records): a streaming parser from decompressed bytes to records whose headers are
 * a name → value map.
 *
 * Why a map: cc_net reads WET headers by position (`headers[2]` is the URL, `[6]` the digest,
 * `[8]` the length), which broke when Common Crawl added `WARC-Identified-Content-Language` and
 * moved `Content-Length` (facebookresearch/cc_net#45; recipe §3.1 QUIRK, decided: fixed).
 *
 * Record framing, and what we do when a file lies about it:
 * - A record is a version line (`WARC/1.0`, `WARC/1.1`, ClueWeb's `WARC/0.18`), header lines,
 *   one blank line, then `Content-Length` bytes of block, then a blank line pair. CRLF and bare LF
 *   line ends are both accepted (cc_net's sample WET uses LF).
 * - `Content-Length` is honoured when it is consistent: the bytes right after the block must be
 *   line ends followed by the next version line, or the end of the stream.
 * - When it is not (cc_net's sample WET has wrong values; hand-edited files), the block instead ends
 *   at the next line that is a WARC version line. The record is still read and flagged
 *   `content_length_mismatch`, which the sources count. A missing or unparsable length is treated
 *   the same way (`content_length_missing`).
 * - A stream that ends inside a record (a clipped download) yields the partial record flagged
 *   `truncated`; a header block that is not WARC is skipped to the next version line and reported
 *   as `malformed_header`. Nothing is dropped without a flag, and nothing throws on bad framing.
 * - A record declaring more than `maxRecordBytes` is first checked for a lie: when the next record's
 *   header (a version line, then a WARC-Type) starts within the first `maxRecordBytes` of its block,
 *   the block ends there (`content_length_mismatch`) and reading goes on from that record, instead
 *   of one wrong length swallowing the rest of the file.
 * Every record whose end was found by searching for the next version line rather than by its
 * Content-Length carries `resync` with the bytes passed over that belong to no record.
 * Memory: one record plus one read chunk; a record is capped at `maxRecordBytes` (default 64 MiB):
 * a record that truly declares more is streamed past, its first `maxRecordBytes` kept for the
 * report, and flagged `oversized`; nothing is buffered without bound.
 */

export interface WarcRecord {
  /** The version line, e.g. `WARC/1.0`. */
  version: string;
  /** Header names lower-cased → value (first occurrence wins; repeats are joined with ", "). */
  headers: Map<string, string>;
  /** The record block (for WET: the UTF-8 text; for responses: the HTTP message). */
  body: Buffer;
  /** Byte offset of the version line in the decompressed stream. */
  offset: number;
  /** 0-based index of the record in the stream. */
  index: number;
  /** Framing problems met while reading this record (see the header comment). */
  issues: WarcIssue[];
  /** Set when the record's end was found by searching for the next version line: bytes passed over that belong to no record. */
  resync?: { skipped: number };
}

type WarcIssue = 'content_length_mismatch' | 'content_length_missing' | 'truncated' | 'malformed_header' | 'oversized';

export interface WarcReadOptions {
  maxRecordBytes?: number;
}

const VERSION_RE = /^WARC\/\d+\.\d+$/;
const LF = 0x0a;
const CR = 0x0d;

/** Reads WARC records from a stream of decompressed bytes. */
export async function* readWarcRecords(stream: AsyncIterable<Buffer>, opts: WarcReadOptions = {}): AsyncGenerator<WarcRecord> {
  const maxRecord = opts.maxRecordBytes ?? 64 << 20;
  const it = stream[Symbol.asyncIterator]();
  let buf = Buffer.alloc(0);
  /** Stream offset of buf[0]. */
  let base = 0;
  let eof = false;
  let index = 0;

  // Reads at least one more chunk; pulls as many bytes as are already buffered (64 KiB at least)
  // before concatenating, so growing a large record costs linear, not quadratic, copying.
  const more = async (): Promise<boolean> => {
    if (eof) return false;
    const parts: Buffer[] = [buf];
    let added = 0;
    const want = Math.max(buf.length, 1 << 16);
    while (added < want) {
      const r = await it.next();
      if (r.done) {
        eof = true;
        break;
      }
      parts.push(r.value);
      added += r.value.length;
    }
    if (added === 0) return false;
    buf = Buffer.concat(parts);
    return true;
  };
  const consume = (n: number) => {
    buf = buf.subarray(n);
    base += n;
  };

  for (;;) {
    // Skip the line ends between records.
    for (;;) {
      let i = 0;
      while (i < buf.length && (buf[i] === LF || buf[i] === CR)) i++;
      consume(i);
      if (buf.length > 0 || !(await more())) break;
    }
    if (buf.length === 0) return;

    // The header block ends at the first empty line.
    let headerEnd = -1;
    let bodyStart = -1;
    for (;;) {
      const found = findBlankLine(buf, 0);
      if (found) {
        [headerEnd, bodyStart] = found;
        break;
      }
      if (buf.length > maxRecord || !(await more())) break;
    }
    const offset = base;
    if (headerEnd < 0) {
      // The stream ended (or the cap was hit) inside a header block.
      const rec = parseHeaderBlock(buf.subarray(0, Math.min(buf.length, maxRecord)).toString('latin1'));
      yield { version: rec.version, headers: rec.headers, body: Buffer.alloc(0), offset, index: index++, issues: rec.ok ? ['truncated'] : ['malformed_header', 'truncated'] };
      return;
    }
    const head = parseHeaderBlock(buf.subarray(0, headerEnd).toString('latin1'));
    if (!head.ok) {
      // Not a WARC header: report it and skip to the next version line.
      const next = await seekVersionLine(1);
      const skipped = next < 0 ? buf.length : next;
      yield { version: head.version, headers: head.headers, body: Buffer.alloc(0), offset, index: index++, issues: ['malformed_header'], resync: { skipped } };
      consume(skipped);
      continue;
    }

    const issues: WarcIssue[] = [];
    const lenText = head.headers.get('content-length');
    const declared = lenText !== undefined && /^\d+$/.test(lenText.trim()) ? Number(lenText.trim()) : -1;
    let bodyEnd = -1;
    if (declared < 0) issues.push('content_length_missing');
    else if (declared > maxRecord) {
      while (buf.length < bodyStart + maxRecord && (await more()));
      // A wrong length is far likelier than a record that large: the next record within reach ends this one.
      const next = nextRecordWithin(buf, bodyStart, Math.min(buf.length, bodyStart + maxRecord));
      if (next >= 0) {
        const end = trimTrailingLineEnds(buf, bodyStart, next);
        yield {
          version: head.version,
          headers: head.headers,
          body: buf.subarray(bodyStart, end),
          offset,
          index: index++,
          issues: ['content_length_mismatch'],
          resync: { skipped: 0 },
        };
        consume(next);
        continue;
      }
      // Too large to hold: keep the first maxRecord bytes for the report, stream past the rest.
      const kept = Buffer.from(buf.subarray(bodyStart, Math.min(buf.length, bodyStart + maxRecord)));
      const skip = Math.min(buf.length, bodyStart);
      consume(skip);
      let remaining = declared;
      while (remaining > 0) {
        if (buf.length === 0 && !(await more())) break;
        const n = Math.min(buf.length, remaining);
        consume(n);
        remaining -= n;
      }
      yield { version: head.version, headers: head.headers, body: kept, offset, index: index++, issues: remaining > 0 ? ['oversized', 'truncated'] : ['oversized'] };
      continue;
    } else {
      // Need the block plus a few bytes to check what follows it.
      while (buf.length < bodyStart + declared + 16 && (await more()));
      if (await consistentEnd(bodyStart + declared)) bodyEnd = bodyStart + declared;
      else if (buf.length >= bodyStart + declared || !eof) issues.push('content_length_mismatch');
    }
    let resync: { skipped: number } | undefined;
    if (bodyEnd < 0) {
      const next = await seekVersionLine(bodyStart);
      if (next >= 0) {
        bodyEnd = trimTrailingLineEnds(buf, bodyStart, next);
        resync = { skipped: 0 };
        if (declared >= 0 && !issues.includes('content_length_mismatch')) issues.push('content_length_mismatch');
      } else if (eof) {
        // No later record: the block runs to the end of the stream, short of what it declared.
        bodyEnd = trimTrailingLineEnds(buf, bodyStart, buf.length);
        if (declared >= 0 && bodyStart + declared > buf.length) {
          issues.length = 0;
          issues.push('truncated');
        }
      } else {
        bodyEnd = bodyStart + maxRecord;
        issues.push('oversized');
      }
    }
    // A view, not a copy: `buf` is never written to again (more() builds a new buffer), so the
    // record's bytes stay valid while the caller holds them.
    const body = buf.subarray(bodyStart, bodyEnd);
    yield { version: head.version, headers: head.headers, body, offset, index: index++, issues, ...(resync ? { resync } : {}) };
    consume(bodyEnd);
  }

  /** True when `end` is followed only by line ends and then a version line or the stream's end. */
  async function consistentEnd(end: number): Promise<boolean> {
    if (end > buf.length) return false;
    let i = end;
    for (;;) {
      while (i < buf.length && (buf[i] === LF || buf[i] === CR)) i++;
      if (i < buf.length) break;
      if (!(await more())) return true;
    }
    if (i === end) return false;
    while (buf.length < i + 12 && (await more()));
    return isVersionLineAt(buf, i);
  }

  /** Index in buf of the next line (at or after `from`) that is a WARC version line, or -1. */
  async function seekVersionLine(from: number): Promise<number> {
    let scanned = from;
    for (;;) {
      let i = buf.indexOf('WARC/', Math.max(from, scanned - 12), 'latin1');
      while (i !== -1) {
        const atLineStart = i === 0 ? from === 0 : buf[i - 1] === LF;
        if (i >= from && atLineStart) {
          while (buf.length < i + 16 && (await more()));
          if (isVersionLineAt(buf, i)) return i;
        }
        i = buf.indexOf('WARC/', i + 1, 'latin1');
      }
      scanned = buf.length;
      if (buf.length - from > maxRecord || !(await more())) return -1;
    }
  }
}

/**
 * Index of the first line in buf[from, to) that starts a WARC record: a version line after a line
 * end, followed by a header block (within 64 KiB) with a WARC-Type. -1 when there is none.
 */
function nextRecordWithin(buf: Buffer, from: number, to: number): number {
  let i = buf.indexOf('WARC/', from, 'latin1');
  while (i !== -1 && i < to) {
    if (i > from && buf[i - 1] === LF && isVersionLineAt(buf, i)) {
      const window = buf.subarray(i, Math.min(buf.length, i + (1 << 16)));
      const blank = findBlankLine(window, 0);
      if (blank) {
        const h = parseHeaderBlock(window.subarray(0, blank[0]).toString('latin1'));
        if (h.ok && h.headers.has('warc-type')) return i;
      }
    }
    i = buf.indexOf('WARC/', i + 1, 'latin1');
  }
  return -1;
}

/** [end of the header text, start of the body] for the first blank line, CRLF or LF. */
function findBlankLine(buf: Buffer, from: number): [number, number] | null {
  let i = buf.indexOf(LF, from);
  while (i !== -1) {
    if (buf[i + 1] === LF) return [i, i + 2];
    if (buf[i + 1] === CR && buf[i + 2] === LF) return [i, i + 3];
    if (i + 2 >= buf.length) return null;
    i = buf.indexOf(LF, i + 1);
  }
  return null;
}

function isVersionLineAt(buf: Buffer, i: number): boolean {
  const end = buf.indexOf(LF, i);
  const line = buf.toString('latin1', i, end === -1 ? Math.min(buf.length, i + 16) : end).replace(/\r$/, '');
  return VERSION_RE.test(line);
}

function trimTrailingLineEnds(buf: Buffer, start: number, end: number): number {
  while (end > start && (buf[end - 1] === LF || buf[end - 1] === CR)) end--;
  return end;
}

/**
 * Parses a header block (latin1 text, no blank line). Header values are bytes as latin1, so a
 * UTF-8 URL must be re-decoded by the caller (`headerUtf8`).
 */
export function parseHeaderBlock(text: string): { ok: boolean; version: string; headers: Map<string, string> } {
  const lines = text.split(/\r?\n/);
  const version = (lines[0] ?? '').trim();
  const headers = new Map<string, string>();
  let last = '';
  for (let k = 1; k < lines.length; k++) {
    const line = lines[k];
    if (line.length === 0) continue;
    if ((line[0] === ' ' || line[0] === '\t') && last) {
      headers.set(last, `${headers.get(last)} ${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const prev = headers.get(name);
    headers.set(name, prev === undefined ? value : `${prev}, ${value}`);
    last = name;
  }
  return { ok: VERSION_RE.test(version), version, headers };
}

/** A header value re-read as UTF-8 (WARC headers are UTF-8; the parser reads them as latin1). */
export function headerUtf8(rec: Pick<WarcRecord, 'headers'>, name: string): string | undefined {
  const v = rec.headers.get(name);
  if (v === undefined) return undefined;
  // Any UTF-16 unit above ASCII: only then can the latin1 reading differ from UTF-8.
  return /[\u0080-\uffff]/.test(v) ? Buffer.from(v, 'latin1').toString('utf8') : v;
}

/** `<urn:...>` and wget's `<http://...>` lose their angle brackets. */
export function stripAngles(v: string): string {
  return v.length >= 2 && v[0] === '<' && v[v.length - 1] === '>' ? v.slice(1, -1) : v;
}
