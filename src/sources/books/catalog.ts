/**
 * Project Gutenberg's catalog `pg_catalog.csv` (https://www.gutenberg.org/cache/epub/feeds/): one
 * row per item with columns `Text#,Type,Issued,Title,Language,Authors,Subjects,LoCC,Bookshelves`;
 * fields are RFC 4180 CSV (quoted, may span lines: long titles carry their subtitle on a second
 * line). Also PG-19's `metadata.csv` (`id,short_book_title,publication_date,url`, no header).
 */
import { CorpusError } from '../../core/errors.js';

/** Parses RFC 4180 CSV (quotes doubled inside quoted fields; CRLF or LF) into rows. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  while (i < n) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
      i++;
    } else if (c === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (c === '\n' || c === '\r') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else {
      field += c;
      i++;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

export interface CatalogEntry {
  id: number;
  type: string;
  issued: string;
  title: string;
  /** ISO 639-1 codes (`en`, `fr`); a multilingual item lists several. */
  languages: string[];
  authors: string[];
  subjects: string[];
}

const splitList = (s: string) =>
  s
    .split(';')
    .map((x) => x.trim())
    .filter(Boolean);

/** Reads pg_catalog.csv. Columns are found by header name, so added columns do not break it. */
export function parseCatalog(text: string, label = 'pg_catalog.csv'): CatalogEntry[] {
  const rows = parseCsv(text);
  const header = rows.shift();
  if (!header) return [];
  const col = (name: string) => {
    const k = header.findIndex((h) => h.trim().toLowerCase() === name.toLowerCase());
    if (k < 0) throw new CorpusError(`catalog has no "${name}" column (header: ${header.join(',')})`, { file: label });
    return k;
  };
  const [cId, cType, cIssued, cTitle, cLang, cAuthors, cSubjects] = ['Text#', 'Type', 'Issued', 'Title', 'Language', 'Authors', 'Subjects'].map(col) as number[];
  const out: CatalogEntry[] = [];
  for (const r of rows) {
    const id = Number(r[cId!]);
    if (!Number.isInteger(id) || id <= 0) continue;
    out.push({
      id,
      type: (r[cType!] ?? '').trim(),
      issued: (r[cIssued!] ?? '').trim(),
      // Multi-line titles: the reference display joins title and subtitle with ": ".
      title: (r[cTitle!] ?? '').replace(/\r?\n/g, ': ').trim(),
      languages: splitList(r[cLang!] ?? ''),
      authors: splitList(r[cAuthors!] ?? ''),
      subjects: splitList(r[cSubjects!] ?? ''),
    });
  }
  return out;
}

export interface Pg19Entry {
  id: string;
  title: string;
  publicationDate: string;
  url: string;
}

/** Reads PG-19's metadata.csv (`id,short_book_title,publication_date,url`; a header row is skipped). */
export function parsePg19Metadata(text: string): Map<string, Pg19Entry> {
  const out = new Map<string, Pg19Entry>();
  for (const r of parseCsv(text)) {
    if (r.length < 4 || !/^\d+$/.test(r[0]!.trim())) continue;
    out.set(r[0]!.trim(), { id: r[0]!.trim(), title: r[1]!, publicationDate: r[2]!, url: r[3]! });
  }
  return out;
}
