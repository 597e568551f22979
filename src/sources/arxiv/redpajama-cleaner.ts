/**
 * RedPajama v1's arXiv cleaner, rule for rule (rp_v1 data_prep/arxiv/arxiv_cleaner.py:
 * `clean_tex_files`, `_clean_tex_file`, `_build_non_arg_macros_dict`), kept as the `redpajama`
 * cleaner for bit-exact parity runs and as the baseline the parity test compares against Python.
 *
 * Every regex is the reference's, re-expressed for JavaScript so it matches the same text:
 * Python's `.` excludes only `\n` (JS also stops at `\r`, U+2028, U+2029), so `.` becomes `[^\n]`
 * without DOTALL; Python's MULTILINE `^`/`$` only see `\n`, so they become `(?<![^\n])`/`(?![^\n])`;
 * the `u` flag makes `[^\\]` take a whole code point as Python does. The QUIRKs are KEPT here on
 * purpose (this is the parity mode); `clean.ts` fixes them and docs/curated.md lists each one.
 */

/** Thrown where Python's `re.sub` would raise (a macro value Python cannot use as a template). */
export class RedPajamaMacroError extends Error {
  constructor(readonly macro: string) {
    super(`macro ${macro}: its value is not a valid Python re template after unicode-escape (RedPajama drops the paper)`);
    this.name = 'RedPajamaMacroError';
  }
}

const header = (name: string) => String.raw`\\\b${name}\b\*?(?:\[(.*?)\])?\{(.*?)\}`;

/**
 * Everything before the first sectioning command is removed (DOTALL, lazy prefix).
 * QUIRK (kept here): the missing `|` between the paragraph and subparagraph alternatives means
 * `\paragraph` only counts when a `}\subparagraph{…}` follows it. QUIRK (kept): comments are still
 * in the text, so a commented-out `%\section{…}` counts as the first header.
 */
const RP_PREAMBLE_RE = new RegExp(
  '^(.*?)(' +
    [header('chapter'), header('part'), header('section'), header('subsection'), header('subsubsection')].join('|') +
    '|' +
    header('paragraph') +
    header('subparagraph') +
    ')',
  'su',
);

/** Whole comment lines: `(?m)^%.*\n?`. */
const RP_COMMENT_LINE_RE = /(?<![^\n])%[^\n]*\n?/gu;

/**
 * Inline comments: `[^\\]%.+$` (MULTILINE). QUIRK (kept here): the character before `%` is
 * removed too; `%` at the end of a line (nothing after it) is kept; `\\%` is not seen as a comment.
 */
const RP_INLINE_COMMENT_RE = /[^\\]%[^\n]+(?![^\n])/gu;

/** Truncation at the appendix or the bibliography (DOTALL): everything from the first hit on goes. */
const RP_TAIL_RE = /(\\appendix|\\begin\{references\}|\\begin\{REFERENCES\}|\\begin\{thebibliography\}|\\bibliography\{.*\}).*$/su;

/** `\newcommand{\name}{value}` and `\def\name{value}`, definition ending at the end of a line. */
const RP_NEWCOMMAND_RE = /\\\bnewcommand\b\*?\{(\\[a-zA-Z0-9]+?)\}\{([^\n]*?)\}(?![^\n])/gu;
const RP_DEF_RE = /\\def\s*(\\[a-zA-Z0-9]+?)\s*\{([^\n]*?)\}(?![^\n])/gu;

/**
 * Python turns name and value into re-ready strings with `unicode-escape`; as a replacement
 * template, `\\` and `\t`/`\r` decode back, while `\xNN`, `\uNNNN`, `\UNNNNNNNN` (every character
 * below 0x20 other than tab/newline/CR, and everything from 0x7f up) are "bad escape" errors.
 * QUIRK (kept here): one such macro makes the whole paper fail.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these control characters are the ones unicode-escape turns into bad escapes
const NOT_TEMPLATE_SAFE = /[\x00-\x08\x0b\x0c\x0e-\x1f\u007f-\u{10ffff}]/u;

/** Non-argument macros of one file, in Python dict order (newcommands first, then defs). */
function rpMacros(text: string, into: Map<string, string> = new Map()): Map<string, string> {
  for (const re of [RP_NEWCOMMAND_RE, RP_DEF_RE]) {
    re.lastIndex = 0;
    for (const m of text.matchAll(re)) into.set(m[1]!, m[2]!);
  }
  return into;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One file through RedPajama's `_clean_tex_file`. */
function rpCleanFile(text: string, macros: Map<string, string>): string {
  const m = RP_PREAMBLE_RE.exec(text);
  if (!m) return '';
  let s = text.slice(m[1]!.length);
  s = s.replace(RP_COMMENT_LINE_RE, '');
  s = s.replace(RP_INLINE_COMMENT_RE, '');
  s = s.replace(RP_TAIL_RE, '');
  for (const [name, value] of macros) {
    if (NOT_TEMPLATE_SAFE.test(value)) throw new RedPajamaMacroError(name);
    // `(name)([^a-zA-Z0-9])`: QUIRK (kept here): a macro at the very end is not expanded, and in
    // `\a\a` the second is not expanded (the first match consumed its backslash).
    const re = new RegExp(`(${escapeRe(name)})([^a-zA-Z0-9])`, 'gu');
    s = s.replace(re, (_all, _n, next: string) => value + next);
  }
  return s;
}

/** RedPajama's `clean_tex_files`: macros from all files (later files override), files joined by "\n". */
export function rpCleanProject(files: string[]): string {
  if (files.length === 0) return '';
  const macros = new Map<string, string>();
  for (const f of files) rpMacros(f, macros);
  return files.map((f) => rpCleanFile(f, macros)).join('\n');
}

/** `format_arxiv_id`: `hep-th9901001` → `hep-th/9901001`; new-style ids stay as they are. */
export function formatArxivId(id: string): string {
  const m = /^([a-zA-Z-]*)([\d.]+)$/.exec(id);
  if (!m) return id;
  return m[1] ? `${m[1]}/${m[2]}` : m[2]!;
}
