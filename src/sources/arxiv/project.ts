/**
 * One arXiv paper: the `{id}.gz` member of a monthly tar, opened (gzipped tar or gzipped single
 * file, told apart by content), its LaTeX files decoded, put in document order and cleaned.
 *
 * - Gunzip is bounded (`maxPaperBytes`): a decompression bomb raises GzipBombError, which the
 *   source counts and quarantines.
 * - Inner tars go through the safe tar reader (src/io/tar.ts): `..`, absolute paths, links and
 *   devices are skipped and counted, never followed.
 * - macOS junk (`._*` AppleDouble files, `.DS_Store`, `__MACOSX/`) is ignored: RedPajama read
 *   `._main.tex` as LaTeX, failed to decode it and dropped the whole paper. `.bbl` is not text.
 * - Decoding: UTF-8, else Latin-1 (RedPajama dropped the paper); CRLF becomes LF.
 * - Document order: the main file (`\documentclass` + `\begin{document}`) with `\input`,
 *   `\include` and `\subfile` inlined recursively (RedPajama joined every `.tex` in archive order,
 *   unused drafts included). Without a main file, every `.tex` in path order, cleaned one by one.
 */
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { readTar, type TarSkip } from '../../io/tar.js';
import { cleanLatex, newCleanStats, stripComments, type CleanStats } from './clean.js';
import { collectMacros, type MacroDef } from './macros.js';
import { rpCleanProject } from './redpajama-cleaner.js';

export class GzipBombError extends Error {
  constructor(readonly limit: number) {
    super(`decompressed paper exceeds ${limit} bytes`);
    this.name = 'GzipBombError';
  }
}

export interface PaperFile {
  path: string;
  data: Buffer;
}

export interface OpenedPaper {
  /** 'tar' for a multi-file project, 'single' for one gzipped file. */
  kind: 'tar' | 'single';
  files: PaperFile[];
  skipped: TarSkip[];
}

/** Gunzips a paper member, refusing to produce more than `limit` bytes. */
function gunzipBounded(gz: Buffer, limit: number): Buffer {
  try {
    return gunzipSync(gz, { maxOutputLength: limit });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) throw new GzipBombError(limit);
    throw e;
  }
}

/**
 * A tar is recognised the way Python's tarfile does it: the first 512-byte header's checksum
 * (bytes summed with the checksum field read as spaces) equals the octal number in that field.
 */
export function looksLikeTar(buf: Buffer): boolean {
  if (buf.length < 512) return false;
  const field = buf
    .toString('latin1', 148, 156)
    .replace(/[\0 ]+$/g, '')
    .trim();
  if (!/^[0-7]+$/.test(field)) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : buf[i]!;
  return sum === parseInt(field, 8);
}

/** Opens a paper member's bytes (gzipped or not). */
export async function openPaper(raw: Buffer, label: string, maxPaperBytes: number): Promise<OpenedPaper> {
  const data = raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b ? gunzipBounded(raw, maxPaperBytes) : raw;
  if (!looksLikeTar(data)) return { kind: 'single', files: [{ path: 'main.tex', data }], skipped: [] };
  const files: PaperFile[] = [];
  const skipped: TarSkip[] = [];
  for await (const m of readTar(Readable.from([data]), { label, maxMemberBytes: maxPaperBytes, onSkip: (s) => skipped.push(s) })) {
    files.push({ path: m.path, data: m.data });
  }
  return { kind: 'tar', files, skipped };
}

/** macOS metadata that archives carry along: AppleDouble `._x`, `.DS_Store`, `__MACOSX/`. */
function isMacJunk(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return base.startsWith('._') || base === '.DS_Store' || path.startsWith('__MACOSX/') || path.includes('/__MACOSX/');
}

export function isTexPath(path: string): boolean {
  return /\.(tex|ltx|latex)$/i.test(path) && !isMacJunk(path);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
/** Python's bytes.decode('utf-8') keeps a BOM as U+FEFF; TextDecoder drops it unless told. */
const utf8KeepBom = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8, else Latin-1 (every byte sequence decodes); CRLF and lone CR become LF. */
export function decodeTex(data: Buffer): { text: string; latin1: boolean } {
  let text: string;
  let latin1 = false;
  try {
    text = utf8.decode(data);
  } catch {
    text = data.toString('latin1');
    latin1 = true;
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.includes('\r')) text = text.replace(/\r\n?/g, '\n');
  return { text, latin1 };
}

export interface CleanPaperResult {
  text: string;
  /** Files inlined into the document, in order (for meta and tests). */
  files: string[];
  latin1Files: number;
  missingInputs: number;
  mainFile: string | null;
  stats: CleanStats;
}

const INPUT_RE = /\\(input|include|subfile)(?![a-zA-Z])\s*(?:\{([^{}\n]*)\}|([^\s{}\\%]+))/g;
const MAX_INPUT_DEPTH = 20;

/** Picks the main file: `\documentclass` (or LaTeX 2.09 `\documentstyle`) and `\begin{document}`. */
export function findMainFile(texts: Map<string, string>): string | null {
  const candidates: Array<{ path: string; score: number }> = [];
  for (const [path, text] of texts) {
    const hasClass = /\\document(?:class|style)(?![a-zA-Z])/.test(text);
    const hasBegin = /\\begin\{document\}/.test(text);
    if (!hasClass && !hasBegin) continue;
    // Both > begin only > class only; then top-level before nested; then path order.
    candidates.push({ path, score: (hasClass ? 1 : 0) + (hasBegin ? 2 : 0) });
  }
  candidates.sort((a, b) => b.score - a.score || depthOf(a.path) - depthOf(b.path) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return candidates[0]?.path ?? null;
}

function depthOf(p: string): number {
  return p.split('/').length;
}

/**
 * Resolves `\input{name}` against the project: `name`, `name.tex`, relative to the root (TeX's
 * working directory), then relative to the including file's folder (what `\import` and many
 * authors' editors assume).
 */
function resolveInput(name: string, from: string, texts: Map<string, string>): string | null {
  const n = name.trim().replace(/^\.\//, '').replace(/^"|"$/g, '');
  const dir = from.includes('/') ? from.slice(0, from.lastIndexOf('/') + 1) : '';
  for (const base of dir ? ['', dir] : ['']) {
    for (const cand of [base + n, `${base + n}.tex`]) if (texts.has(cand)) return cand;
  }
  return null;
}

/** Inlines `\input`/`\include`/`\subfile` (comments already removed, so commented inputs stay out). */
function inlineInputs(path: string, texts: Map<string, string>, seen: string[], used: string[], missing: { n: number }): string {
  const text = texts.get(path)!;
  used.push(path);
  if (seen.length >= MAX_INPUT_DEPTH) return text;
  return text.replace(INPUT_RE, (_all, _cmd: string, braced: string | undefined, bare: string | undefined) => {
    const target = resolveInput(braced ?? bare ?? '', path, texts);
    if (target === null) {
      missing.n++;
      return '';
    }
    if (seen.includes(target) || target === path) return '';
    return `\n${inlineInputs(target, texts, [...seen, path], used, missing)}\n`;
  });
}

/** Cleans a whole paper with the corpusmill cleaner. */
export function cleanPaper(files: PaperFile[]): CleanPaperResult {
  const stats = newCleanStats();
  const texts = new Map<string, string>();
  let latin1Files = 0;
  // Every text file is a candidate for \input (tables are sometimes `.txt` or extension-less), but
  // only `.tex` files count as documents on their own.
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    if (isMacJunk(f.path) || /\.(bbl|bib|sty|cls|bst|pdf|png|jpe?g|gif|eps|ps|svg)$/i.test(f.path)) continue;
    if (f.data.includes(0)) continue; // binary
    const d = decodeTex(f.data);
    if (d.latin1 && isTexPath(f.path)) latin1Files++;
    texts.set(f.path, stripComments(d.text));
  }
  const main = files.length === 1 && texts.size === 1 ? [...texts.keys()][0]! : findMainFile(texts);
  const missing = { n: 0 };
  if (main !== null) {
    const used: string[] = [];
    const doc = inlineInputs(main, texts, [], used, missing);
    return { text: cleanLatex(doc, new Map(), stats), files: used, latin1Files, missingInputs: missing.n, mainFile: main, stats };
  }
  // No main file: every .tex on its own (as RedPajama did), macros shared across them.
  const texPaths = [...texts.keys()].filter(isTexPath);
  const macros = new Map<string, MacroDef>();
  for (const p of texPaths) collectMacros(texts.get(p)!, macros, stats);
  const parts = texPaths.map((p) => cleanLatex(texts.get(p)!, macros, stats)).filter((t) => t.length > 0);
  return { text: parts.join('\n'), files: texPaths, latin1Files, missingInputs: 0, mainFile: null, stats };
}

/**
 * RedPajama's `_tex_proj_loader` + `clean_tex_files` (parity mode): members ending in `.tex`
 * (case-sensitive, junk included) in archive order; one non-UTF-8 file drops the paper (null).
 */
export function cleanPaperRedPajama(opened: OpenedPaper): string | null {
  const texts: string[] = [];
  const files = opened.kind === 'single' ? opened.files : opened.files.filter((f) => f.path.endsWith('.tex'));
  for (const f of files) {
    try {
      texts.push(utf8KeepBom.decode(f.data));
    } catch {
      return null;
    }
  }
  return rpCleanProject(texts);
}
