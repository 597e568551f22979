/**
 * User macros of a LaTeX project: read their definitions, then expand their uses inline (LLaMA:
 * "inline-expand user macros"; RedPajama only did argument-free `\newcommand`/`\def` that end at the
 * end of a line, with a TODO for the rest).
 *
 * Definitions understood (brace-balanced, any line layout, CRLF included):
 *   \newcommand, \renewcommand, \providecommand, \DeclareRobustCommand (with `*`), name in braces or
 *   bare, `[n]` arguments (#1…#9) and an optional first argument's `[default]`;
 *   \def, \gdef, \edef, \xdef with undelimited parameters `#1#2…` (delimited parameter text such as
 *   `\def\x#1.{…}` is skipped and counted: it needs TeX's own matcher);
 *   \DeclareMathOperator{\name}{text} → `\operatorname{text}` (the `*` form → `\operatorname*`).
 * Later definitions override earlier ones (`\renewcommand`), `\providecommand` never overrides.
 *
 * Expansion is one left-to-right scan (regex for the next control word, then a small argument
 * reader), recursive for macros that use macros, bounded by MAX_DEPTH and MAX_GROWTH so a
 * self-referencing or exponential definition cannot blow up a worker.
 *
 * RedPajama QUIRKs fixed here (docs/curated.md #6–#10, #14): a use at the very end of the text and
 * back-to-back uses are expanded; definitions need not end at a line end (CRLF files had none);
 * values are inserted literally, so a non-ASCII value no longer makes Python's re template fail
 * and drop the paper; macros with arguments, \renewcommand and \DeclareMathOperator are read;
 * names are TeX control words (letters only: `\cite2` is `\cite` then `2`, RedPajama allowed digits).
 */

export interface MacroDef {
  nargs: number;
  /** Default of the optional first argument, when the definition has one. */
  optDefault?: string;
  body: string;
}

export interface MacroStats {
  defined: number;
  /** Definitions not understood (delimited \def parameters, unbalanced braces). */
  skipped: number;
  expanded: number;
  /** Expansion stopped by the depth or growth bound. */
  capped: number;
}

/** Recursion bound: a macro body may use macros this deep. */
const MAX_DEPTH = 8;
/** Output may grow to this many times the input (plus GROWTH_SLACK) before expansion stops. */
const MAX_GROWTH = 4;
const GROWTH_SLACK = 1 << 20;

const DEFINE_RE = /\\(newcommand|renewcommand|providecommand|DeclareRobustCommand|def|gdef|edef|xdef|DeclareMathOperator)(?![a-zA-Z])(\*?)/g;

/**
 * A group longer than this is treated as unbalanced: a stray `{` must not make every later macro
 * use scan to the end of the paper (quadratic time).
 */
export const MAX_GROUP_CHARS = 1 << 16;

/** Reads a `{…}` group at `i` (which must be `{`); returns its inner text and the index after it. */
export function readGroup(s: string, i: number, open = '{', close = '}'): { inner: string; end: number } | null {
  if (s[i] !== open) return null;
  let depth = 0;
  const stop = Math.min(s.length, i + MAX_GROUP_CHARS);
  for (let j = i; j < stop; j++) {
    const c = s.charCodeAt(j);
    if (c === 92 /* \ */) {
      j++;
      continue;
    }
    if (s[j] === open) depth++;
    else if (s[j] === close && --depth === 0) return { inner: s.slice(i + 1, j), end: j + 1 };
  }
  return null;
}

function skipSpace(s: string, i: number): number {
  while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === '\n' || s[i] === '\r')) i++;
  return i;
}

/** Reads a macro name at `i`: `{\name}` or `\name`; returns the name without backslash. */
function readName(s: string, i: number): { name: string; end: number } | null {
  i = skipSpace(s, i);
  if (s[i] === '{') {
    const g = readGroup(s, i);
    if (!g) return null;
    const m = /^\s*\\([a-zA-Z]+|.)\s*$/s.exec(g.inner);
    return m ? { name: m[1]!, end: g.end } : null;
  }
  if (s[i] !== '\\') return null;
  const m = /^\\([a-zA-Z]+|.)/s.exec(s.slice(i, i + 64));
  return m ? { name: m[1]!, end: i + m[0].length } : null;
}

/** Collects the macro definitions of `text` into `into` (later ones override). */
export function collectMacros(text: string, into: Map<string, MacroDef>, stats?: MacroStats): void {
  DEFINE_RE.lastIndex = 0;
  // exec, not matchAll: the loop moves lastIndex past each definition it reads.
  for (;;) {
    const m = DEFINE_RE.exec(text);
    if (!m) break;
    const kind = m[1]!;
    const star = m[2] === '*';
    const after = m.index + m[0].length;
    const def = kind === 'DeclareMathOperator' ? readMathOperator(text, after, star) : kind.endsWith('def') ? readDef(text, after) : readNewcommand(text, after);
    if (!def) {
      if (stats) stats.skipped++;
      continue;
    }
    DEFINE_RE.lastIndex = def.end;
    if (kind === 'providecommand' && into.has(def.name)) continue;
    into.set(def.name, def.macro);
    if (stats) stats.defined++;
  }
}

type Parsed = { name: string; macro: MacroDef; end: number } | null;

function readNewcommand(s: string, i: number): Parsed {
  const n = readName(s, i);
  if (!n) return null;
  let j = skipSpace(s, n.end);
  let nargs = 0;
  let optDefault: string | undefined;
  if (s[j] === '[') {
    const g = readGroup(s, j, '[', ']');
    if (!g || !/^\s*[0-9]\s*$/.test(g.inner)) return null;
    nargs = Number(g.inner.trim());
    j = skipSpace(s, g.end);
    if (s[j] === '[') {
      const d = readGroup(s, j, '[', ']');
      if (!d) return null;
      optDefault = d.inner;
      j = skipSpace(s, d.end);
    }
  }
  const body = readGroup(s, j);
  if (!body) return null;
  return { name: n.name, macro: { nargs, optDefault, body: body.inner }, end: body.end };
}

function readDef(s: string, i: number): Parsed {
  const n = readName(s, i);
  if (!n || s[skipSpace(s, i)] === '{') return null; // \def takes a bare control sequence
  const open = s.indexOf('{', n.end);
  if (open < 0) return null;
  const params = s.slice(n.end, open);
  // Only undelimited parameters `#1#2…` in order; anything else needs TeX's delimiter matching.
  if (!/^\s*(#[1-9])*\s*$/.test(params)) return null;
  const nums = params.match(/#([1-9])/g) ?? [];
  if (nums.some((p, k) => p !== `#${k + 1}`)) return null;
  const body = readGroup(s, open);
  if (!body) return null;
  return { name: n.name, macro: { nargs: nums.length, body: body.inner }, end: body.end };
}

function readMathOperator(s: string, i: number, star: boolean): Parsed {
  const n = readName(s, i);
  if (!n) return null;
  const body = readGroup(s, skipSpace(s, n.end));
  if (!body) return null;
  return { name: n.name, macro: { nargs: 0, body: `\\operatorname${star ? '*' : ''}{${body.inner}}` }, end: body.end };
}

/** Reads one macro argument at `i`: a `{group}` (braces dropped) or a single token. */
function readArg(s: string, i: number): { arg: string; end: number } | null {
  i = skipSpace(s, i);
  if (i >= s.length) return null;
  if (s[i] === '{') {
    const g = readGroup(s, i);
    return g ? { arg: g.inner, end: g.end } : null;
  }
  if (s[i] === '}') return null;
  if (s[i] === '\\') {
    const m = /^\\([a-zA-Z]+|.)/s.exec(s.slice(i, i + 64));
    return m ? { arg: m[0], end: i + m[0].length } : null;
  }
  const cp = s.codePointAt(i)!;
  const len = cp > 0xffff ? 2 : 1;
  return { arg: s.slice(i, i + len), end: i + len };
}

function substitute(body: string, args: string[]): string {
  return body.replace(/#(#|[1-9])/g, (all, k: string) => (k === '#' ? '#' : (args[Number(k) - 1] ?? all)));
}

const CONTROL_WORD_RE = /\\([a-zA-Z]+)/g;
const DEFINERS = new Set(['newcommand', 'renewcommand', 'providecommand', 'DeclareRobustCommand', 'def', 'gdef', 'edef', 'xdef', 'DeclareMathOperator', 'let']);

/**
 * Expands every use of the given macros in `text`, including one at the very end and back-to-back
 * uses (both missed by RedPajama's regex). A definition command in the text keeps its name token.
 */
export function expandMacros(text: string, macros: Map<string, MacroDef>, stats?: MacroStats): string {
  if (macros.size === 0) return text;
  const budget = { left: text.length * (MAX_GROWTH - 1) + GROWTH_SLACK, capped: false };
  const out = expand(text, macros, 0, budget, stats);
  if (budget.capped && stats) stats.capped++;
  return out;
}

function expand(text: string, macros: Map<string, MacroDef>, depth: number, budget: { left: number; capped: boolean }, stats?: MacroStats): string {
  const re = new RegExp(CONTROL_WORD_RE.source, 'g');
  let out = '';
  let last = 0;
  // exec, not matchAll: the loop moves re.lastIndex past definitions and expanded arguments.
  for (;;) {
    const m = re.exec(text);
    if (!m) break;
    const name = m[1]!;
    let end = m.index + m[0].length;
    if (DEFINERS.has(name)) {
      // Keep `\newcommand{\x}` / `\def\x` as written: the name is not a use.
      const n = readName(text, end);
      if (n) re.lastIndex = n.end;
      continue;
    }
    const def = macros.get(name);
    if (!def || budget.capped) continue;
    // Backslash-escaped backslash (`\\name` is a line break then text) is not a macro use.
    if (m.index > 0 && text[m.index - 1] === '\\' && !precededByEvenBackslashes(text, m.index)) continue;
    const args: string[] = [];
    let ok = true;
    let mandatory = def.nargs;
    if (def.optDefault !== undefined) {
      mandatory--;
      const j = skipSpace(text, end);
      const g = text[j] === '[' ? readGroup(text, j, '[', ']') : null;
      if (g) {
        args.push(g.inner);
        end = g.end;
      } else args.push(def.optDefault);
    }
    for (let k = 0; k < mandatory; k++) {
      const a = readArg(text, end);
      if (!a) {
        ok = false;
        break;
      }
      args.push(a.arg);
      end = a.end;
    }
    if (!ok) continue;
    let value = substitute(def.body, args);
    if (depth + 1 < MAX_DEPTH) value = expand(value, macros, depth + 1, budget, stats);
    else budget.capped = true;
    budget.left -= value.length - (end - m.index);
    if (budget.left < 0) {
      budget.capped = true;
      continue;
    }
    out += text.slice(last, m.index) + value;
    last = end;
    re.lastIndex = end;
    if (stats) stats.expanded++;
  }
  return last === 0 ? text : out + text.slice(last);
}

/** True when the backslash run ending just before `i` has even length (so `text[i]` starts a command). */
function precededByEvenBackslashes(text: string, i: number): boolean {
  let n = 0;
  for (let j = i - 1; j >= 0 && text[j] === '\\'; j--) n++;
  return n % 2 === 0;
}
