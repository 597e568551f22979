/**
 * WARC records → corpus documents: `conversion` records (WET text) as cc_net parses them, and
 * `response` records (HTML) through html.ts. Everything else is a counted skip.
 *
 * WET body, as cc_net `process_wet_file.group_by_docs/parse_doc` reads it: the text is split into
 * lines (Python universal newlines: `\n`, `\r\n`, `\r`), every line is `strip()`ped, empty lines
 * are dropped, the first line is the page title (meta.title) and the rest, joined with `\n`, is
 * the document text (`raw_content`). cc_net's `min_len = 300` is the `text_length` step
 * (`min_chars: 300`) placed before the line dedup, where cc_net applies it (at parse time).
 *
 * Meta: url (WARC-Target-URI), timestamp (WARC-Date as ISO 8601 UTC), digest (WARC-Block-Digest,
 * the key of RedPajama's document dedup), cc_segment (the file's path below the crawl's base URL),
 * source_domain (the URL's netloc, as Python urlparse gives it), title, warc_record_id and, in
 * newer dumps, cc_languages (WARC-Identified-Content-Language, ISO 639-3 codes).
 * QUIRK (recipe §3.3, RP v1 dropped url/timestamp/perplexity, issues #31, #39): decided fixed, all
 * kept.
 */
import { provenanceId, type Doc } from '../../core/document.js';
import { pyStrip } from '../../text/python.js';
import { decodeHtml, decodePayload, parseHttpResponse } from './html.js';
import { type ExtractedText, htmlToText, HtmlTooDeep, type HtmlToTextOptions } from './html-text.js';
import { headerUtf8, stripAngles, type WarcRecord } from './warc.js';

/** A document, or the reason the record yields none (counted by the source). */
export type Converted = { doc: Doc } | { skip: string; detail?: string };

const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z$/;

/** WARC-Date as ISO 8601 UTC (`2019-03-18T00:00:00Z`), or null when it is not a date. */
function isoTimestamp(v: string | undefined): string | null {
  if (!v) return null;
  if (ISO_UTC.test(v)) return v;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : new Date(t).toISOString().replace('.000Z', 'Z');
}

/** Python `urlparse(url).netloc`: everything between `//` and the next `/`, `?` or `#`. */
function netloc(url: string): string {
  const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/([^/?#]*)/.exec(url);
  return m ? m[1]! : '';
}

/** Splits a WET body as cc_net does: stripped, non-empty lines; title first. */
function wetLines(body: string): { title: string; lines: string[] } {
  const lines: string[] = [];
  for (const raw of body.includes('\r') ? body.split(/\r\n|\r|\n/) : body.split('\n')) {
    const l = pyStrip(raw);
    if (l) lines.push(l);
  }
  return { title: lines[0] ?? '', lines: lines.slice(1) };
}

function baseMeta(rec: Pick<WarcRecord, 'headers'>, segment: string): Record<string, unknown> {
  const url = stripAngles(headerUtf8(rec, 'warc-target-uri') ?? '');
  const meta: Record<string, unknown> = { url };
  const date = rec.headers.get('warc-date');
  const ts = isoTimestamp(date);
  if (ts) meta.timestamp = ts;
  else if (date) meta.warc_date = date;
  meta.source_domain = netloc(url);
  meta.cc_segment = segment;
  const id = rec.headers.get('warc-record-id');
  if (id) meta.warc_record_id = stripAngles(id);
  return meta;
}

/** A `conversion` record as a document (text may be empty: the length filter decides). */
function wetDocument(rec: WarcRecord, segment: string): Converted {
  // Invalid UTF-8 becomes U+FFFD (cc_net's strict decoding would stop the whole file).
  const { title, lines } = wetLines(rec.body.toString('utf8'));
  return wetDocumentFrom(rec, segment, title, lines.join('\n'));
}

/** A `conversion` record whose body the WET rules have already split into title and text. */
export function wetDocumentFrom(rec: Pick<WarcRecord, 'headers' | 'index'>, segment: string, title: string, text: string): Converted {
  if (title === '') return { skip: 'conversion_empty' };
  const meta = baseMeta(rec, segment);
  const digest = rec.headers.get('warc-block-digest');
  if (digest) meta.digest = digest;
  const langs = rec.headers.get('warc-identified-content-language');
  if (langs)
    meta.cc_languages = langs
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  meta.title = title;
  return { doc: { id: provenanceId('commoncrawl', segment, rec.index), text, source: 'commoncrawl', meta } };
}

const HTML_TYPES = /^(text\/html|application\/xhtml\+xml|text\/plain)\b/i;

/**
 * A `response` record with an HTML page as a document. A page the extractor cannot read (nested
 * deeper than the cap, or any other failure) is quarantined with the reason, never fatal.
 */
function htmlDocument(rec: WarcRecord, segment: string, opts: HtmlToTextOptions = {}): Converted {
  const ct = rec.headers.get('content-type') ?? '';
  if (!/application\/http/i.test(ct)) return { skip: 'not_http' };
  const msg = parseHttpResponse(rec.body);
  if (!msg) return { skip: 'malformed_http', detail: 'block does not start with an HTTP status line' };
  if (msg.status < 200 || msg.status >= 300) return { skip: 'http_status_not_2xx' };
  const type = msg.headers.get('content-type');
  if (type !== undefined && !HTML_TYPES.test(type)) return { skip: 'not_html' };
  const { body: payload, encodingIgnored } = decodePayload(msg);
  const decoded = decodeHtml(payload, type);
  let extracted: ExtractedText;
  try {
    extracted = htmlToText(decoded.html, opts);
  } catch (e) {
    if (e instanceof HtmlTooDeep) return { skip: 'html_too_deep', detail: e.message };
    return { skip: 'html_extraction_failed', detail: e instanceof Error ? e.message : String(e) };
  }
  const { title, text } = extracted;
  const meta = baseMeta(rec, segment);
  // The block digest of a response covers its HTTP headers (dates, cookies); the payload digest is
  // the content's, so it is the one that finds duplicate pages.
  const digest = rec.headers.get('warc-payload-digest') ?? rec.headers.get('warc-block-digest');
  if (digest) meta.digest = digest;
  meta.title = title;
  meta.charset = decoded.charset;
  meta.charset_source = decoded.charsetSource;
  meta.http_status = msg.status;
  if (encodingIgnored) meta.content_encoding_ignored = true;
  return { doc: { id: provenanceId('commoncrawl', segment, rec.index), text, source: 'commoncrawl', meta } };
}

/** Any record: documents from conversion and response records, a counted skip otherwise. */
export function recordToDocument(rec: WarcRecord, segment: string, opts: HtmlToTextOptions = {}): Converted {
  const type = (rec.headers.get('warc-type') ?? '').toLowerCase();
  if (type === 'conversion') return wetDocument(rec, segment);
  if (type === 'response') return htmlDocument(rec, segment, opts);
  return { skip: type ? `record_${type.replace(/[^a-z0-9_-]/g, '_')}` : 'record_without_type' };
}
