/**
 * MediaWiki XML export files (`<mediawiki><siteinfo/><page/>…`) as a stream of pages, without ever
 * holding more than one page: the decompressed bytes are cut into `<page>…</page>` chunks and each
 * chunk is parsed on its own with fast-xml-parser.
 *
 * - Encoding: UTF-8 (with or without BOM); a UTF-16 BOM (gensim's bgwiki sample is UTF-16LE) switches
 *   to decoding the stream into UTF-8 first, so one splitter serves both.
 * - Entities: pages are parsed with entity processing off and text decoded by decodeXmlText (the five
 *   predefined entities and character references only). A DOCTYPE in the header is never parsed;
 *   an undefined entity in a page makes that page a quarantined record.
 * - The page's `<text>` body (the bulk of the bytes) is cut out before fast-xml-parser sees the page
 *   skeleton, and decoded directly: the parser validates the structure, the body is never scanned
 *   character by character in JavaScript.
 */
import { isUtf8 } from 'node:buffer';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DEFAULT_MAX_RECORD_BYTES } from '../../io/limits.js';
import { decodeXmlText } from '../../io/xmltext.js';

export interface SiteInfo {
  dbname: string | null;
  /** Language code from the dbname (`enwiki` → `en`) or the root's xml:lang. */
  lang: string | null;
  /** Local namespace names by number, from `<namespaces>`. */
  namespaces: Record<string, string>;
  /** The header declared a DOCTYPE (ignored: entities are never expanded). */
  doctype: boolean;
}

export interface Page {
  title: string;
  ns: number;
  id: string;
  redirect: boolean;
  timestamp: string | null;
  /** Wikitext, or null when the revision has no text (deleted or suppressed). */
  text: string | null;
}

export class PageError extends Error {
  constructor(
    readonly reason: 'malformed_xml' | 'undefined_entity' | 'invalid_utf8',
    message: string,
  ) {
    super(message);
  }
}

export type DumpPart =
  | { kind: 'header'; text: string }
  | { kind: 'page'; bytes: Buffer; offset: number }
  /** A page longer than the cap: streamed past to its `</page>`, never held; `head` is its start. */
  | { kind: 'oversize'; offset: number; size: number; head: Buffer };

const PAGE_OPEN = Buffer.from('<page>');
const PAGE_CLOSE = Buffer.from('</page>');
/** A header longer than this is not a MediaWiki export (siteinfo is a few KB). */
const MAX_HEADER = 4 << 20;

/** Re-encodes a UTF-16 byte stream (after its BOM) as UTF-8. */
async function* utf16ToUtf8(first: Buffer, rest: AsyncIterator<Buffer>, encoding: 'utf-16le' | 'utf-16be'): AsyncGenerator<Buffer> {
  const dec = new TextDecoder(encoding);
  yield Buffer.from(dec.decode(first, { stream: true }), 'utf8');
  for (;;) {
    const r = await rest.next();
    if (r.done) break;
    yield Buffer.from(dec.decode(r.value, { stream: true }), 'utf8');
  }
  const tail = dec.decode();
  if (tail) yield Buffer.from(tail, 'utf8');
}

/** Detects the encoding from the first bytes and yields UTF-8 bytes. */
export async function* asUtf8(stream: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const it = stream[Symbol.asyncIterator]();
  let head: Buffer = Buffer.alloc(0);
  while (head.length < 3) {
    const r = await it.next();
    if (r.done) break;
    head = head.length ? Buffer.concat([head, r.value]) : r.value;
  }
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) {
    yield* utf16ToUtf8(head.subarray(2), it, 'utf-16le');
    return;
  }
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) {
    yield* utf16ToUtf8(head.subarray(2), it, 'utf-16be');
    return;
  }
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) head = head.subarray(3);
  if (head.length) yield head;
  for (;;) {
    const r = await it.next();
    if (r.done) return;
    yield r.value;
  }
}

/**
 * Cuts a UTF-8 export stream into the header (everything before the first `<page>`) and page chunks.
 * `offset` is the byte offset of `<page>` in the decompressed (UTF-8) stream of this reader. A page
 * longer than `maxPageBytes` is not held: it is read past to its `</page>` and yielded as `oversize`.
 */
export async function* splitPages(stream: AsyncIterable<Buffer>, maxPageBytes = DEFAULT_MAX_RECORD_BYTES): AsyncGenerator<DumpPart> {
  /** An over-size page being skipped: where it started, bytes seen, its head, and a tail that may hold half of `</page>`. */
  let skipping: { offset: number; size: number; head: Buffer; tail: Buffer } | null = null;
  let buf: Buffer = Buffer.alloc(0);
  let base = 0; // stream offset of buf[0]
  let header: Buffer[] | null = [];
  let headerBytes = 0;
  let pageStart = -1; // index in buf of the current page's "<page>", or -1
  let resume = 0; // where the search for "</page>" continues in buf
  for await (const chunk0 of stream) {
    let chunk = chunk0;
    if (skipping) {
      // `size` counts the page's bytes before `tail`; `tail` is the last few bytes seen, which may hold the start of `</page>`.
      const sk: { offset: number; size: number; head: Buffer; tail: Buffer } = skipping;
      const look = Buffer.concat([sk.tail, chunk]);
      const e = look.indexOf(PAGE_CLOSE);
      if (e < 0) {
        const keep = Math.max(0, look.length - PAGE_CLOSE.length + 1);
        sk.size += keep;
        sk.tail = Buffer.from(look.subarray(keep));
        continue;
      }
      const size = sk.size + e + PAGE_CLOSE.length;
      yield { kind: 'oversize', offset: sk.offset, size, head: sk.head };
      skipping = null;
      base = sk.offset + size;
      chunk = chunk.subarray(e + PAGE_CLOSE.length - sk.tail.length);
      buf = Buffer.alloc(0);
    }
    // Keep only what may still be needed: the current page, or a short tail that may hold half a tag.
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    let pos = resume;
    resume = 0;
    for (;;) {
      if (pageStart < 0) {
        const s = buf.indexOf(PAGE_OPEN, pos);
        if (s < 0) {
          const keep = Math.max(pos, buf.length - PAGE_OPEN.length + 1);
          if (header) {
            header.push(buf.subarray(pos, keep));
            headerBytes += keep - pos;
            if (headerBytes > MAX_HEADER) throw new PageError('malformed_xml', `no <page> in the first ${MAX_HEADER} bytes: not a MediaWiki export`);
          }
          base += keep;
          buf = Buffer.from(buf.subarray(keep));
          pos = 0;
          break;
        }
        if (header) {
          header.push(buf.subarray(pos, s));
          yield { kind: 'header', text: Buffer.concat(header).toString('utf8') };
          header = null;
        }
        pageStart = s;
        pos = s + PAGE_OPEN.length;
      }
      const e = buf.indexOf(PAGE_CLOSE, pos);
      if (e < 0) {
        // Drop what precedes the page; search again from just before the end next time.
        base += pageStart;
        buf = buf.subarray(pageStart);
        pageStart = 0;
        if (buf.length > maxPageBytes) {
          // Over the cap: keep its start for the report and read on to its end without holding it.
          const keep = buf.length - PAGE_CLOSE.length + 1;
          skipping = { offset: base, size: keep, head: Buffer.from(buf.subarray(0, 1024)), tail: Buffer.from(buf.subarray(keep)) };
          buf = Buffer.alloc(0);
          pageStart = -1;
          resume = 0;
          break;
        }
        resume = Math.max(PAGE_OPEN.length, buf.length - PAGE_CLOSE.length + 1);
        break;
      }
      const end = e + PAGE_CLOSE.length;
      if (end - pageStart > maxPageBytes) yield { kind: 'oversize', offset: base + pageStart, size: end - pageStart, head: Buffer.from(buf.subarray(pageStart, pageStart + 1024)) };
      else yield { kind: 'page', bytes: buf.subarray(pageStart, end), offset: base + pageStart };
      pageStart = -1;
      pos = end;
    }
  }
  if (header) yield { kind: 'header', text: Buffer.concat(header).toString('utf8') };
  if (skipping) throw new PageError('malformed_xml', `stream ends inside a <page> (offset ${skipping.offset}): truncated input`);
  if (pageStart >= 0) throw new PageError('malformed_xml', `stream ends inside a <page> (offset ${base + pageStart}): truncated input`);
}

const skeletonParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
});

function str(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && '#text' in (v as object)) return String((v as Record<string, unknown>)['#text']);
  if (typeof v === 'object') return '';
  return String(v);
}

/** Parses one `<page>…</page>` chunk. Throws PageError for a page that cannot be read. */
export function parsePage(bytes: Buffer): Page {
  if (!isUtf8(bytes)) throw new PageError('invalid_utf8', 'page is not valid UTF-8');
  const xml = bytes.toString('utf8');
  // Cut the revision text out; fast-xml-parser sees the small skeleton only.
  let text: string | null = null;
  let skeleton = xml;
  const t = xml.indexOf('<text');
  if (t >= 0) {
    const gt = xml.indexOf('>', t);
    if (gt < 0) throw new PageError('malformed_xml', 'unterminated <text> tag');
    if (xml.charCodeAt(gt - 1) !== 47 /* / */) {
      const close = xml.indexOf('</text>', gt);
      if (close < 0) throw new PageError('malformed_xml', '<text> is not closed');
      text = xml.slice(gt + 1, close);
      skeleton = xml.slice(0, gt + 1) + xml.slice(close);
    }
  }
  const valid = XMLValidator.validate(skeleton);
  if (valid !== true) throw new PageError('malformed_xml', `${valid.err.msg} (line ${valid.err.line})`);
  const page = (skeletonParser.parse(skeleton) as Record<string, unknown>).page as Record<string, unknown> | undefined;
  if (!page || typeof page !== 'object') throw new PageError('malformed_xml', 'no <page> element');
  const rev = (Array.isArray(page.revision) ? page.revision[page.revision.length - 1] : page.revision) as Record<string, unknown> | undefined;
  try {
    const title = decodeXmlText(str(page.title) ?? '');
    const nsRaw = str(page.ns);
    return {
      title,
      ns: nsRaw === null || nsRaw === '' ? 0 : Number(nsRaw),
      id: str(page.id) ?? '',
      redirect: page.redirect !== undefined,
      timestamp: rev ? str(rev.timestamp) : null,
      text: text === null ? null : decodeTextBody(text),
    };
  } catch (e) {
    throw new PageError('undefined_entity', (e as Error).message);
  }
}

/**
 * The character data of `<text>`: entity-decoded text, XML comments dropped, CDATA sections kept
 * verbatim (both are legal XML there, and hand-made exports use them); any other markup is malformed.
 */
function decodeTextBody(body: string): string {
  if (!body.includes('<')) return decodeXmlText(body);
  const out: string[] = [];
  let from = 0;
  for (let lt = body.indexOf('<'); lt >= 0; lt = body.indexOf('<', from)) {
    out.push(decodeXmlText(body.slice(from, lt)));
    if (body.startsWith('<!--', lt)) {
      const e = body.indexOf('-->', lt + 4);
      if (e < 0) throw new PageError('malformed_xml', 'unclosed XML comment in <text>');
      from = e + 3;
    } else if (body.startsWith('<![CDATA[', lt)) {
      const e = body.indexOf(']]>', lt + 9);
      if (e < 0) throw new PageError('malformed_xml', 'unclosed CDATA section in <text>');
      out.push(body.slice(lt + 9, e));
      from = e + 3;
    } else throw new PageError('malformed_xml', 'markup inside <text> (an unescaped "<")');
  }
  out.push(decodeXmlText(body.slice(from)));
  return out.join('');
}

/** Reads siteinfo from the header; a DOCTYPE is noted, never parsed. */
export function parseSiteInfo(header: string): SiteInfo {
  const info: SiteInfo = { dbname: null, lang: null, namespaces: {}, doctype: /<!DOCTYPE/i.test(header) };
  const lang = /<mediawiki\b[^>]*\sxml:lang="([^"]+)"/.exec(header);
  const s = header.indexOf('<siteinfo>');
  const e = header.indexOf('</siteinfo>');
  if (s >= 0 && e > s) {
    const xml = header.slice(s, e + '</siteinfo>'.length);
    if (XMLValidator.validate(xml) === true) {
      const si = (skeletonParser.parse(xml) as Record<string, Record<string, unknown>>).siteinfo ?? {};
      info.dbname = str(si.dbname);
      const nss = (si.namespaces as Record<string, unknown> | undefined)?.namespace;
      for (const ns of Array.isArray(nss) ? nss : nss ? [nss] : []) {
        if (ns && typeof ns === 'object') {
          const o = ns as Record<string, unknown>;
          const name = str(o['#text']);
          if (o.key !== undefined && name) {
            try {
              info.namespaces[String(o.key)] = decodeXmlText(name);
            } catch {
              // a namespace name with a bad entity is not worth failing the dump for
            }
          }
        }
      }
    }
  }
  const m = info.dbname ? /^([a-z_-]+?)wiki$/.exec(info.dbname) : null;
  info.lang = m ? m[1]!.replace(/_/g, '-') : (lang?.[1] ?? null);
  return info;
}
