/**
 * Books (4.5% of LLaMA's tokens: Project Gutenberg + Books3; Books3 is withdrawn): two readers.
 *
 * `gutenberg`: the catalog (`pg_catalog.csv`, or the RDF archive `rdf-files.tar.bz2`) picks items by language and type (`Text`: no audio
 * books, no data sets), then each book's UTF-8 plain text is downloaded from a configurable mirror
 * (`{mirror}{id}/pg{id}.txt`, the layout of gutenberg.org/cache/epub and its mirrors) through the
 * fetch layer with a per-host minimum interval (PG's robot policy asks for polite crawling).
 * Header and licence are stripped (strip.ts). The catalog itself is listed as the first file so the
 * planner reads titles and authors from the very copy that chose the books.
 *
 * `pg19`: DeepMind's PG-19 as published (`train/`, `validation/`, `test/` folders of `<id>.txt`,
 * already stripped, and `metadata.csv`), which RedPajama used through HF `pg19`.
 *
 * Meta: `gutenberg_id`, `title`, `authors`, `language`, `issued` (PG-19: `publication_date`),
 * `url` (https://www.gutenberg.org/ebooks/<id>). Ids are provenance ids
 * (`books/pg<id>.txt/<id>`, `books/pg19/<split>/<id>`): unique across book sets, unlike RedPajama's
 * `str(idx + shard*2000)` that collided between PG-19 and Books3 (QUIRK fixed; docs/curated.md).
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { DEFAULT_MAX_RECORD_BYTES } from '../../io/limits.js';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { provenanceId, type Doc } from '../../core/document.js';
import { ConfigError, CorpusError, errorMessage } from '../../core/errors.js';
import { defineSource, type ReadContext, type ReadTask } from '../../pipeline/source.js';
import type { LocalFile, RemoteFile } from '../../fetch/files.js';
import { parseCatalog, parsePg19Metadata, type CatalogEntry } from './catalog.js';
import { readRdfArchive } from './rdf.js';
import { stripGutenberg } from './strip.js';

const GUTENBERG_EBOOK_URL = 'https://www.gutenberg.org/ebooks/';

/** The catalog file's name in the fetched list: `pg_catalog.csv`, or the RDF archive's own name. */
function catalogName(url: string): string {
  const base = decodeURIComponent(url.split(/[?#]/)[0]!.split('/').pop() ?? '');
  return isRdfArchive(base) ? base : 'pg_catalog.csv';
}
const isRdfArchive = (name: string) => /\.tar(\.(bz2|gz))?$/.test(name);

/** Reads either catalog form into the same entries. */
async function readCatalog(path: string, name: string): Promise<CatalogEntry[]> {
  return isRdfArchive(name) ? readRdfArchive(path) : parseCatalog(await readFile(path, 'utf8'), path);
}

const gutenbergParams = z
  .object({
    /** pg_catalog.csv, or the RDF archive (`rdf-files.tar.bz2`, told apart by its name). */
    catalog_url: z.string().default('https://www.gutenberg.org/cache/epub/feeds/pg_catalog.csv'),
    /** Base of the plain-text files; `{mirror}`, `{id}` fill text_url. */
    mirror: z.string().default('https://www.gutenberg.org/cache/epub/'),
    text_url: z.string().default('{mirror}{id}/pg{id}.txt'),
    languages: z.array(z.string()).default(['en']),
    types: z.array(z.string()).default(['Text']),
    /** Only these ids (after the language/type filter). */
    ids: z.array(z.number().int().positive()).optional(),
    max_books: z.number().int().positive().optional(),
    /** Minimum pause between two requests to the mirror's host. */
    min_interval_ms: z.number().int().min(0).default(2000),
    /** Keep the PG header and licence (for inspection). */
    keep_boilerplate: z.boolean().default(false),
  })
  .strict();

type GutenbergParams = z.infer<typeof gutenbergParams>;

/** The catalog rows a pipeline asks for, in id order. */
export function selectBooks(entries: CatalogEntry[], p: Pick<GutenbergParams, 'languages' | 'types' | 'ids' | 'max_books'>): CatalogEntry[] {
  const langs = new Set(p.languages.map((l) => l.toLowerCase()));
  const types = new Set(p.types.map((t) => t.toLowerCase()));
  const ids = p.ids ? new Set(p.ids) : null;
  return entries
    .filter((e) => types.has(e.type.toLowerCase()) && e.languages.some((l) => langs.has(l.toLowerCase())) && (!ids || ids.has(e.id)))
    .sort((a, b) => a.id - b.id)
    .slice(0, p.max_books);
}

function bookTextUrl(p: Pick<GutenbergParams, 'mirror' | 'text_url'>, id: number): string {
  const mirror = p.mirror.endsWith('/') ? p.mirror : `${p.mirror}/`;
  return p.text_url.replaceAll('{mirror}', mirror).replaceAll('{id}', String(id));
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const cp1252 = new TextDecoder('windows-1252');

/** UTF-8 as PG serves it; older files in Windows-1252 are decoded as such instead of mangled. */
function decodeBook(data: Buffer): { text: string; fallback: boolean } {
  try {
    return { text: utf8.decode(data), fallback: false };
  } catch {
    return { text: cp1252.decode(data), fallback: true };
  }
}

interface BookRef {
  path: string;
  name: string;
  bytes: number;
  meta: Record<string, unknown>;
}

/** Groups books into tasks of about `taskBytes` (books are small; one task per book is too many). */
function groupTasks(books: BookRef[], taskBytes: number): ReadTask[] {
  const tasks: ReadTask[] = [];
  let group: BookRef[] = [];
  let bytes = 0;
  const flush = () => {
    if (group.length === 0) return;
    tasks.push({ path: group[0]!.path, name: group[0]!.name, url: pathToFileURL(group[0]!.path).href, bytes, extra: { books: group } });
    group = [];
    bytes = 0;
  };
  for (const b of books) {
    if (bytes > 0 && bytes + b.bytes > taskBytes) flush();
    group.push(b);
    bytes += b.bytes;
  }
  flush();
  return tasks;
}

export const gutenbergSource = defineSource({
  name: 'gutenberg',
  source: 'books',
  description: 'Project Gutenberg plain texts chosen from pg_catalog.csv, header and licence stripped',
  params: gutenbergParams,
  async list(p, env) {
    const catalogFile: RemoteFile = { url: p.catalog_url, name: catalogName(p.catalog_url) };
    const local = await env.fetcher.fetchFile(catalogFile);
    const chosen = selectBooks(await readCatalog(local.path, catalogFile.name), p);
    if (chosen.length === 0) throw new ConfigError(`gutenberg: no catalog item matches languages ${p.languages.join(',')} and types ${p.types.join(',')}`);
    const first = bookTextUrl(p, chosen[0]!.id);
    if (!env.fetcher.localPath(first)) env.fetcher.limitHost(new URL(first).host, p.min_interval_ms);
    return [catalogFile, ...chosen.map((e) => ({ url: bookTextUrl(p, e.id), name: `pg${e.id}.txt` }))];
  },
  async plan(files, p, env) {
    const name = catalogName(p.catalog_url);
    const catalog = files.find((f) => f.name === name);
    if (!catalog) throw new CorpusError('gutenberg: the catalog is missing from the fetched files', { file: p.catalog_url });
    const byId = new Map((await readCatalog(catalog.path, name)).map((e) => [e.id, e]));
    const books: BookRef[] = [];
    for (const f of files) {
      const m = /^pg(\d+)\.txt$/.exec(f.name);
      if (!m) continue;
      const e = byId.get(Number(m[1]));
      if (!e) continue;
      books.push({ path: f.path, name: f.name, bytes: f.size, meta: catalogMeta(e) });
    }
    return groupTasks(books, env.taskBytes);
  },
  async *read(task, p, ctx) {
    for (const book of (task.extra?.books ?? []) as BookRef[]) {
      if (await tooLarge(book, ctx)) continue;
      let data: Buffer;
      try {
        data = await readFile(book.path);
      } catch (e) {
        throw new CorpusError(`cannot read book (${errorMessage(e)})`, { file: book.path });
      }
      ctx.advance(data.length);
      const { text: raw, fallback } = decodeBook(data);
      const text = tidyBook(p.keep_boilerplate ? raw : stripGutenberg(raw));
      if (text.trim().length === 0) {
        ctx.quarantine({ reason: 'empty_book', file: book.name, record: String(book.meta.gutenberg_id), detail: 'nothing left after stripping the PG header and licence' });
        continue;
      }
      const meta = fallback ? { ...book.meta, decoded_as: 'windows-1252' } : book.meta;
      yield { id: provenanceId('books', book.name, String(book.meta.gutenberg_id)), text, source: 'books', meta } satisfies Doc;
    }
  },
});

/** A book file past max_record_bytes is a record too large to hold: quarantined, not read. */
async function tooLarge(book: BookRef, ctx: ReadContext): Promise<boolean> {
  const max = ctx.limits?.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  let size: number;
  try {
    size = (await stat(book.path)).size;
  } catch (e) {
    throw new CorpusError(`cannot read book (${errorMessage(e)})`, { file: book.path });
  }
  if (size <= max) return false;
  ctx.advance(size);
  ctx.quarantine({ reason: 'record_too_large', file: book.name, record: book.name, detail: `a book of ${size} bytes is longer than max_record_bytes (${max})` });
  return true;
}

/**
 * Line endings become LF (PG files are CRLF; stripGutenberg keeps them for parity with c-w) and the
 * blank lines left at both ends by the stripped header and footer go.
 */
function tidyBook(text: string): string {
  const t = text
    .replace(/\r\n?/g, '\n')
    .replace(/^\s*\n/, '')
    .trimEnd();
  return t === '' ? '' : `${t}\n`;
}

function catalogMeta(e: CatalogEntry): Record<string, unknown> {
  return {
    gutenberg_id: e.id,
    title: e.title,
    authors: e.authors,
    language: e.languages[0] ?? '',
    ...(e.languages.length > 1 ? { languages: e.languages } : {}),
    issued: e.issued,
    url: GUTENBERG_EBOOK_URL + e.id,
  };
}

const pg19Params = z
  .object({
    /** The PG-19 folder (local path or file: URL) holding train/, validation/, test/ and metadata.csv. */
    root: z.string(),
    splits: z.array(z.enum(['train', 'validation', 'test'])).default(['train', 'validation', 'test']),
    max_books: z.number().int().positive().optional(),
  })
  .strict();

export const pg19Source = defineSource({
  name: 'pg19',
  source: 'books',
  description: 'DeepMind PG-19 layout: {train,validation,test}/<id>.txt plus metadata.csv',
  params: pg19Params,
  async list(p, env) {
    const root = env.fetcher.localPath(p.root);
    if (!root) throw new ConfigError('pg19: root must be a local folder (download the PG-19 bucket first)');
    const files: RemoteFile[] = [{ url: pathToFileURL(join(root, 'metadata.csv')).href, name: 'metadata.csv' }];
    for (const split of p.splits) {
      let names: string[];
      try {
        names = (await readdir(join(root, split))).filter((n) => /^\d+\.txt$/.test(n));
      } catch {
        throw new ConfigError(`pg19: ${join(root, split)} does not exist`);
      }
      names.sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
      for (const n of names.slice(0, p.max_books)) files.push({ url: pathToFileURL(join(root, split, n)).href, name: `${split}/${n}` });
    }
    return files;
  },
  async plan(files: LocalFile[], _p, env) {
    const metaFile = files.find((f) => f.name === 'metadata.csv');
    const meta = metaFile ? parsePg19Metadata(await readFile(metaFile.path, 'utf8'), metaFile.path) : new Map();
    const books: BookRef[] = files
      .filter((f) => f.name !== 'metadata.csv')
      .map((f) => {
        const id = basename(f.name, '.txt');
        const m = meta.get(id);
        return {
          path: f.path,
          name: `pg19/${f.name}`,
          bytes: f.size,
          meta: {
            gutenberg_id: Number(id),
            ...(m
              ? { title: m.title, short_book_title: m.title, publication_date: Number(m.publicationDate) || m.publicationDate, url: m.url }
              : { url: GUTENBERG_EBOOK_URL + id }),
            split: f.name.split('/')[0],
          },
        };
      });
    return groupTasks(books, env.taskBytes);
  },
  async *read(task, _p, ctx) {
    for (const book of (task.extra?.books ?? []) as BookRef[]) {
      if (await tooLarge(book, ctx)) continue;
      const data = await readFile(book.path);
      ctx.advance(data.length);
      const text = tidyBook(decodeBook(data).text);
      if (text.length === 0) {
        ctx.quarantine({ reason: 'empty_book', file: book.name, record: book.name, detail: 'empty text file' });
        continue;
      }
      yield { id: provenanceId('books', book.name, String(book.meta.gutenberg_id)), text, source: 'books', meta: book.meta } satisfies Doc;
    }
  },
});
