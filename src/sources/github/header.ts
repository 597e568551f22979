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

/** The fixed cleaner: removes a leading copyright comment (block or line run), nothing else. */
export function stripHeaderFixed(content: string): string {
  let start = 0;
  if (content.startsWith('#!')) {
    const nl = content.indexOf('\n');
    if (nl === -1) return content;
    start = nl + 1;
  }
  const head = content.slice(0, start);
  const rest = content.slice(start);
  const lead = /^\s*/.exec(rest)![0].length;
  if (rest.startsWith('/*', lead)) {
    const m = BLOCK_COMMENT.exec(rest.slice(lead));
    if (m && m.index === 0 && COPYRIGHT.test(m[0])) return head + rest.slice(lead + m[0].length).replace(/^[ \t]*\r?\n(?:[ \t]*\r?\n)*/, '');
    return content;
  }
  const lines = rest.split('\n');
  let n = 0;
  let sawComment = false;
  while (n < lines.length && (lines[n]!.trim() === '' || isLineComment(lines[n]!))) {
    if (lines[n]!.trim() !== '') sawComment = true;
    n++;
  }
  if (!sawComment) return content;
  const block = lines.slice(0, n).join('\n');
  if (!COPYRIGHT.test(block)) return content;
  return head + lines.slice(n).join('\n');
}

export function stripHeader(content: string, mode: HeaderMode): string {
  if (mode === 'off') return content;
  return mode === 'redpajama' ? stripHeaderRedPajama(content) : stripHeaderFixed(content);
}
