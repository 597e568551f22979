/**
 * Project Gutenberg's RDF catalog archive (`rdf-files.tar.bz2`: `cache/epub/<id>/pg<id>.rdf`, one
 * RDF/XML record per item), the older and richer alternative to pg_catalog.csv. Each record gives
 * the same fields the CSV has: `dcterms:type`, `dcterms:issued`, `dcterms:title`,
 * `dcterms:language` (RFC 4646 values), `dcterms:creator` (`pgterms:agent/pgterms:name`) and
 * `dcterms:subject` values. The archive is streamed through the safe tar reader, one record at a time.
 */
import { XMLParser } from 'fast-xml-parser';
import { openDecompressed } from '../../io/compression.js';
import { readTar } from '../../io/tar.js';
import type { CatalogEntry } from './catalog.js';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, trimValues: true });

type Node = Record<string, unknown>;
const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const text = (v: unknown): string => (typeof v === 'string' ? v : v && typeof v === 'object' && '#text' in v ? String((v as Node)['#text']) : '');

/** `rdf:Description/rdf:value` texts of a property (language, type, subject). */
function values(prop: unknown): string[] {
  return list(prop).flatMap((p) => list((p as Node)?.['rdf:Description']).flatMap((d) => list((d as Node)?.['rdf:value']).map(text)));
}

/** One pgN.rdf record, or null when it is not an ebook record. */
function parseRdfRecord(xml: string): CatalogEntry | null {
  const doc = parser.parse(xml) as Node;
  const ebook = (doc['rdf:RDF'] as Node | undefined)?.['pgterms:ebook'] as Node | undefined;
  if (!ebook) return null;
  const m = /ebooks\/(\d+)/.exec(String(ebook['@rdf:about'] ?? ''));
  if (!m) return null;
  const authors = list(ebook['dcterms:creator']).flatMap((c) => list((c as Node)?.['pgterms:agent']).map((a) => text((a as Node)?.['pgterms:name'])));
  return {
    id: Number(m[1]),
    type: values(ebook['dcterms:type'])[0] ?? '',
    issued: text(ebook['dcterms:issued']),
    title: list(ebook['dcterms:title']).map(text).join(': ').replace(/\r?\n/g, ': ').trim(),
    languages: values(ebook['dcterms:language']),
    authors: authors.filter(Boolean),
    subjects: values(ebook['dcterms:subject']),
  };
}

/** Every ebook record of an RDF archive (`.tar`, `.tar.bz2`, `.tar.gz`), in archive order. */
export async function readRdfArchive(path: string): Promise<CatalogEntry[]> {
  const out: CatalogEntry[] = [];
  for await (const m of readTar(openDecompressed(path), { label: path, select: (p) => p.endsWith('.rdf') })) {
    const e = parseRdfRecord(m.data.toString('utf8'));
    if (e) out.push(e);
  }
  return out;
}
