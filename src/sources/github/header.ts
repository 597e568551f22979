/**
 * Copyright-header removal (LLaMA: "removed boilerplate, such as headers, with regular
 * expressions"; RedPajama `clean_copyright_comments` in data_prep/github/github_clean_dedup_local.py).
 *
 * RedPajama's cleaner: find the FIRST C-style block comment anywhere in the file; if there is one,
 * cut it when it mentions "copyright" and stop there; if there is none, drop every leading line
 * that starts with `//`, `#` or `--`, or is empty.
 *
 * QUIRK (decided: fixed by default, `redpajama` mode keeps parity): the line branch drops leading
 * lines whether or not they are a copyright notice, so it strips shebangs, Python module comments,
 * and the `#include` / `#define` lines that open most C files without a block comment; and the
 * block branch cuts the first block comment even deep inside the file. The fixed cleaner only
 * removes a header that opens the file (after a kept shebang) and mentions "copyright"; lines
 * starting with preprocessor directives are code, not comments.
 */

export type HeaderMode = 'fixed' | 'redpajama' | 'off';

/** RedPajama's block-comment regex (a C comment, non-greedy by construction). */
const BLOCK_COMMENT = /\/\*[^*]*\*+(?:[^/*][^*]*\*+)*\//;
const COPYRIGHT = /copyright/i;

/** RedPajama's cleaner, kept byte-for-byte in behaviour for parity runs. */
export function stripHeaderRedPajama(content: string): string {
  const m = BLOCK_COMMENT.exec(content);
  if (m) {
    if (COPYRIGHT.test(m[0])) return content.slice(0, m.index) + content.slice(m.index + m[0].length);
    return content;
  }
  const lines = content.split('\n');
  let skip = 0;
  for (const line of lines) {
    if (line.startsWith('//') || line.startsWith('#') || line.startsWith('--') || line === '') skip++;
    else break;
  }
  return skip > 0 ? lines.slice(skip).join('\n') : content;
}

/** `#` lines that are code: C preprocessor directives and the like. */
const DIRECTIVE = /^#\s*(?:!|include|define|undef|if|ifdef|ifndef|elif|else|endif|pragma|import|error|warning|line|region|endregion)\b/;

function isLineComment(line: string): boolean {
  const t = line.trimStart();
  if (t.startsWith('//') || t.startsWith('--')) return true;
  return t.startsWith('#') && !t.startsWith('#!') && !DIRECTIVE.test(t);
}

/**
 * The fixed cleaner: removes the first comment of the file's preamble (the lines before any code:
 * blank lines, a shebang, preprocessor directives) when it mentions "copyright" - a block comment,
 * or a run of line comments - and the blank lines after it. Nothing else is touched.
 */
export function stripHeaderFixed(content: string): string {
  let pos = 0;
  let first = true;
  while (pos < content.length) {
    const nl = content.indexOf('\n', pos);
    const end = nl === -1 ? content.length : nl;
    const line = content.slice(pos, end);
    const t = line.trim();
    const isShebang = first && line.startsWith('#!');
    first = false;
    if (t === '' || isShebang || DIRECTIVE.test(t)) {
      pos = end + 1;
      continue;
    }
    if (t.startsWith('/*')) {
      const at = pos + line.indexOf('/*');
      const m = BLOCK_COMMENT.exec(content.slice(at));
      if (m?.index !== 0 || !COPYRIGHT.test(m[0])) return content;
      return content.slice(0, at) + dropBlankLines(content.slice(at + m[0].length));
    }
    if (!isLineComment(line)) return content;
    // A run of line comments: up to the first line that is neither a comment nor blank.
    let runEnd = end;
    let next = end + 1;
    while (next < content.length) {
      const nl2 = content.indexOf('\n', next);
      const e2 = nl2 === -1 ? content.length : nl2;
      const l2 = content.slice(next, e2);
      if (!isLineComment(l2) && l2.trim() !== '') break;
      runEnd = e2;
      next = e2 + 1;
    }
    if (!COPYRIGHT.test(content.slice(pos, runEnd))) return content;
    return content.slice(0, pos) + content.slice(Math.min(runEnd + 1, content.length));
  }
  return content;
}

/** The rest of the line after a removed block comment, and the blank lines that follow it. */
function dropBlankLines(s: string): string {
  return s.replace(/^[ \t]*(?:\r?\n[ \t]*)*(?:\r?\n|$)/, '');
}

export function stripHeader(content: string, mode: HeaderMode): string {
  if (mode === 'off') return content;
  return mode === 'redpajama' ? stripHeaderRedPajama(content) : stripHeaderFixed(content);
}
