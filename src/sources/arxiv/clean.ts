/**
 * The corpusmill arXiv cleaner: LLaMA's recipe (after Lewkowycz et al. 2022: drop everything before
 * the first section and from the bibliography on, drop comments, inline-expand user macros) on one
 * LaTeX document, with RedPajama's QUIRKs fixed. `redpajama-cleaner.ts` keeps the reference rules
 * for parity runs; docs/curated.md lists every difference, and test/sources/arxiv/parity.test.ts
 * shows they are the only ones.
 *
 * Order (each step a named function below): comments out → comment environments out → macro
 * definitions read (whole document, so preamble definitions count) → preamble cut → tail cut →
 * macros expanded.
 */
import { collectMacros, expandMacros, type MacroDef, type MacroStats } from './macros.js';

/**
 * Index of the first unescaped `%` in a line (an even run of backslashes before it), or -1.
 * QUIRK fixed: RedPajama's `[^\\]%` treats `\\%` (a line break, then a comment) as text.
 */
export function commentStart(line: string): number {
  let i = line.indexOf('%');
  while (i >= 0) {
    let n = 0;
    for (let j = i - 1; j >= 0 && line.charCodeAt(j) === 92; j--) n++;
    if (n % 2 === 0) return i;
    i = line.indexOf('%', i + 1);
  }
  return -1;
}

/**
 * Removes comments. A line that is only a comment (optionally indented) goes with its newline, as
 * RedPajama's `^%.*\n?` does for unindented ones; otherwise the text from `%` to the end of the
 * line goes and the newline stays. QUIRKs fixed: the character before an inline `%` is kept
 * (RedPajama's `[^\\]%.+$` removed it), and a trailing `%` with nothing after it is removed too.
 */
export function stripComments(text: string): string {
  if (text.indexOf('%') < 0) return text;
  const lines = text.split('\n');
  const out: string[] = [];
  for (const line of lines) {
    const c = commentStart(line);
    if (c < 0) out.push(line);
    else if (/^[ \t]*$/.test(line.slice(0, c))) continue;
    else out.push(line.slice(0, c));
  }
  return out.join('\n');
}

/**
 * `\begin{comment}…\end{comment}` (the comment package) and `\iffalse…\fi` blocks, nested `\if…`
 * counted, are comments too (arxiv-latex-cleaner removes both; RedPajama removed neither).
 */
export function stripCommentBlocks(text: string): string {
  let s = text;
  if (s.includes('\\begin{comment}')) s = s.replace(/\\begin\{comment\}[\s\S]*?\\end\{comment\}/g, '');
  if (!s.includes('\\iffalse')) return s;
  const re = /\\iffalse(?![a-zA-Z])/g;
  let out = '';
  let last = 0;
  // exec, not matchAll: the loop moves re.lastIndex past each removed block.
  for (;;) {
    const m = re.exec(s);
    if (!m) break;
    const end = matchingFi(s, m.index + m[0].length);
    if (end < 0) break;
    out += s.slice(last, m.index);
    last = end;
    re.lastIndex = end;
  }
  return out + s.slice(last);
}

/** Index just after the `\fi` closing an `\if…` opened before `from`, or -1. */
function matchingFi(s: string, from: number): number {
  const re = /\\(if[a-zA-Z]*|fi)(?![a-zA-Z])/g;
  re.lastIndex = from;
  let depth = 1;
  for (;;) {
    const m = re.exec(s);
    if (!m) break;
    if (m[1] === 'fi') {
      if (--depth === 0) return m.index + m[0].length;
    } else depth++;
  }
  return -1;
}

/**
 * The first sectioning command: \chapter, \part, \section, \subsection, \subsubsection,
 * \paragraph or \subparagraph, starred or not, with an optional `[short title]`, then `{`.
 * QUIRK fixed: RedPajama's pattern lacks the `|` before \subparagraph, so a lone \paragraph never
 * counted. Comments are removed before this runs, so `%\section{…}` no longer counts either.
 */
const FIRST_HEADER_RE = /\\(?:chapter|part|section|subsection|subsubsection|paragraph|subparagraph)(?![a-zA-Z])\*?\s*(?:\[[^\]]*\]\s*)?\{/;

/** Text from the first sectioning command on, or null when there is none (RedPajama: empty file). */
export function cutPreamble(text: string): string | null {
  const m = FIRST_HEADER_RE.exec(text);
  return m ? text.slice(m.index) : null;
}

/**
 * Where the body ends: the appendix or the bibliography, whichever comes first (RedPajama's list;
 * `\bibliography{` needs no closing brace after it and `\printbibliography` (biblatex) is added).
 */
const TAIL_RE = /\\appendix|\\begin\{references\}|\\begin\{REFERENCES\}|\\begin\{thebibliography\}|\\bibliography\{|\\printbibliography(?![a-zA-Z])/;

export function cutTail(text: string): string {
  const m = TAIL_RE.exec(text);
  return m ? text.slice(0, m.index) : text;
}

/** TeX ignores everything after `\end{document}`; RedPajama kept the command and what follows. */
function cutEndDocument(text: string): string {
  const i = text.indexOf('\\end{document}');
  return i < 0 ? text : text.slice(0, i);
}

/**
 * Blank lines are one paragraph break to LaTeX however many there are; removed comments and
 * inlined files leave runs of them, which become one blank line (trailing whitespace on a line
 * too). RedPajama left them.
 */
function squeezeBlankLines(text: string): string {
  return text
    .replace(/[ \t]+(?=\n|$)/g, '')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/^\n+/, '')
    .replace(/\n+$/, '\n');
}

export interface CleanStats extends MacroStats {}

export function newCleanStats(): CleanStats {
  return { defined: 0, skipped: 0, expanded: 0, capped: 0 };
}

/**
 * Cleans one LaTeX document (a project with its \input files already inlined, or a lone file).
 * `macros`: definitions from elsewhere in the project (files that were not inlined), read first so
 * the document's own definitions override them. Returns '' when there is no sectioning command.
 */
export function cleanLatex(text: string, macros: Map<string, MacroDef> = new Map(), stats: CleanStats = newCleanStats()): string {
  let s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  s = stripCommentBlocks(stripComments(s));
  const defs = new Map(macros);
  collectMacros(s, defs, stats);
  const body = cutPreamble(s);
  if (body === null) return '';
  return squeezeBlankLines(expandMacros(cutEndDocument(cutTail(body)), defs, stats));
}
