/**
 * Wikitext to plain text, the way HF's wikipedia.py (v2.0.0, which RedPajama ran) renders it with
 * mwparserfromhell, but as a hand-written linear scanner (no regex backtracking, no parse tree).
 *
 * Two passes over the page:
 * 1. `preprocess`: the MediaWiki preprocessor's job. Removes comments, templates and template
 *    arguments (brace runs matched with a stack, as MediaWiki does, so nesting costs nothing and an
 *    unclosed `{{` is found in one pass), `<ref>` and the tags mwparserfromhell treats as invisible
 *    (`<math>`, `<gallery>`, ...). Contents of `<nowiki>`, `<pre>`, `<syntaxhighlight>` ... are kept
 *    verbatim and shielded from pass 2. Comments and these tags are opaque to brace matching.
 * 2. `render`: tables (`{| … |}`, `<table>`) removed; headings become plain lines that open a new
 *    section; list and indent markers removed (one item per line); wikilinks become their text,
 *    file/image/media links are removed, category links become their name (HF) or are dropped;
 *    external links `[url text]` become `text`; bold/italic quote runs removed; other HTML tags
 *    removed with their contents kept; entities decoded; magic words (`__TOC__`) removed.
 * Sections are trimmed, runs of 3+ newlines collapse to 2 (strip_code's `collapse`), and sections
 * are joined with a blank line, as HF does.
 *
 * Deliberate differences from HF/mwparserfromhell (docs/xml.md lists them): heading titles and list
 * items are trimmed (mwparserfromhell keeps the space after `*` and around `==`), `[[a|]]` (pipe trick)
 * renders `a` like MediaWiki instead of nothing, bold/italic marks are removed even when unbalanced,
 * empty sections are skipped. An unclosed `{{`, `[[` or tag stays literal text, as MediaWiki and
 * mwparserfromhell render it; an unclosed table is removed to the end of the page (MediaWiki closes it
 * there). Each of these is counted in WikitextStats.
 */
import { decodeHTML } from 'entities';

export interface WikitextOptions {
  /** Normalised (see normalizeNamespace) names whose links are removed: File, Image, Media + aliases. */
  mediaPrefixes: ReadonlySet<string>;
  /** Normalised names of the category namespace. */
  categoryPrefixes: ReadonlySet<string>;
  /** 'name' (HF): a category link renders as its name (or its sort key); 'drop': removed. */
  categories: 'name' | 'drop';
}

export interface WikitextStats {
  unclosed_template: number;
  unclosed_table: number;
  unclosed_tag: number;
  unclosed_comment: number;
}

export function newWikitextStats(): WikitextStats {
  return { unclosed_template: 0, unclosed_table: 0, unclosed_tag: 0, unclosed_comment: 0 };
}

/** How namespace names compare: case-insensitive, `_` = space, outer spaces ignored. */
function normalizeNamespace(name: string): string {
  return name.replace(/_/g, ' ').trim().replace(/\s+/g, ' ').toLowerCase();
}

// Tags whose contents mwparserfromhell's strip_code drops (definitions.INVISIBLE_TAGS) plus `ref`,
// which HF removes explicitly, and the map extensions whose bodies are JSON.
const REMOVED_TAGS = new Set([
  'ref',
  'categorytree',
  'gallery',
  'graph',
  'imagemap',
  'inputbox',
  'math',
  'score',
  'section',
  'templatedata',
  'timeline',
  'mapframe',
  'maplink',
  'indicator',
]);
// Tags whose contents are not parsed but shown as they are (definitions.PARSER_BLACKLIST minus the above).
const LITERAL_TAGS = new Set(['nowiki', 'pre', 'source', 'syntaxhighlight', 'ce', 'chem', 'hiero']);

const LT = 60; // <
const LBRACE = 123; // {
const RBRACE = 125; // }

const closeTagRe = new Map<string, RegExp>();
function closeTag(name: string): RegExp {
  let re = closeTagRe.get(name);
  if (!re) {
    re = new RegExp(`</${name}\\s*>`, 'gi');
    closeTagRe.set(name, re);
  }
  return re;
}

const TAG_NAME = /\/?([a-zA-Z][a-zA-Z0-9]*)/y;

/**
 * Shields literal text from pass 2: ASCII punctuation moves to U+F721..U+F77E and back at the end.
 * (Private-use characters in that range do not occur in Wikipedia text.)
 */
const SHIFT = 0xf700;
function shield(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += c > 0x20 && c < 0x7f && !isAlnum(c) ? String.fromCharCode(c + SHIFT) : s[i];
  }
  return out;
}
function unshield(s: string): string {
  return s.replace(/[\uf721-\uf77e]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - SHIFT));
}
function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

interface Span {
  start: number;
  end: number;
  /** true: keep the text shielded; false: remove it. */
  literal: boolean;
}

/** Pass 1: removes comments, templates, refs and invisible tags; shields literal tag contents. */
function preprocess(src: string, stats: WikitextStats): { text: string; shielded: boolean } {
  const spans: Span[] = [];
  // Open brace runs: position and remaining count (MediaWiki matches runs, 3 = argument, 2 = template).
  const openPos: number[] = [];
  const openCount: number[] = [];
  const n = src.length;
  let i = 0;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === LT) {
      if (src.startsWith('<!--', i)) {
        const e = src.indexOf('-->', i + 4);
        const end = e < 0 ? n : e + 3;
        if (e < 0) stats.unclosed_comment++;
        spans.push({ start: i, end, literal: false });
        i = end;
        continue;
      }
      TAG_NAME.lastIndex = i + 1;
      const m = TAG_NAME.exec(src);
      if (m && !m[0].startsWith('/')) {
        const name = m[1]!.toLowerCase();
        const removed = REMOVED_TAGS.has(name);
        if (removed || LITERAL_TAGS.has(name)) {
          const gt = src.indexOf('>', i + 1 + m[0].length);
          if (gt < 0) {
            i += 1;
            continue;
          }
          if (src.charCodeAt(gt - 1) === 47 /* / */) {
            spans.push({ start: i, end: gt + 1, literal: false });
            i = gt + 1;
            continue;
          }
          const re = closeTag(name);
          re.lastIndex = gt + 1;
          const close = re.exec(src);
          if (!close) {
            // An unclosed <ref>: drop the opening tag only, keep what follows.
            stats.unclosed_tag++;
            spans.push({ start: i, end: gt + 1, literal: false });
            i = gt + 1;
            continue;
          }
          const closeEnd = close.index + close[0].length;
          if (removed) spans.push({ start: i, end: closeEnd, literal: false });
          else {
            spans.push({ start: i, end: gt + 1, literal: false });
            spans.push({ start: gt + 1, end: close.index, literal: true });
            spans.push({ start: close.index, end: closeEnd, literal: false });
          }
          i = closeEnd;
          continue;
        }
      }
      i++;
      continue;
    }
    if (c === LBRACE) {
      let r = i + 1;
      while (r < n && src.charCodeAt(r) === LBRACE) r++;
      if (r - i >= 2) {
        openPos.push(i);
        openCount.push(r - i);
      }
      i = r;
      continue;
    }
    if (c === RBRACE) {
      let r = i + 1;
      while (r < n && src.charCodeAt(r) === RBRACE) r++;
      let m = r - i;
      let at = i;
      while (m >= 2 && openPos.length > 0) {
        const top = openPos.length - 1;
        const avail = openCount[top]!;
        const use = avail >= 3 && m >= 3 ? 3 : 2;
        const left = avail - use;
        spans.push({ start: openPos[top]! + left, end: at + use, literal: false });
        at += use;
        m -= use;
        if (left >= 2) openCount[top] = left;
        else {
          openPos.pop();
          openCount.pop();
        }
      }
      i = r;
      continue;
    }
    i++;
  }
  stats.unclosed_template += openPos.length;
  if (spans.length === 0) return { text: src, shielded: false };
  // Spans nest or are disjoint; sort by start (outer first) and keep the text outside them.
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const parts: string[] = [];
  let cursor = 0;
  let shielded = false;
  for (const s of spans) {
    if (s.start < cursor) continue; // inside a removed span
    if (s.start > cursor) parts.push(src.slice(cursor, s.start));
    if (s.literal) {
      parts.push(shield(src.slice(s.start, s.end)));
      shielded = true;
    }
    cursor = s.end;
  }
  if (cursor < n) parts.push(src.slice(cursor));
  return { text: parts.join(''), shielded };
}

// Characters that start inline markup in pass 2.
const SPECIAL = new Uint8Array(128);
for (const ch of "\n['<&_") SPECIAL[ch.charCodeAt(0)] = 1;

const EXTERNAL_SCHEME = /(?:https?|ftps?|mailto|irc|ircs|news|gopher|nntp|telnet|sftp|ssh|git|svn|mms|worldwind|redis|geo|tel|sms|xmpp|urn|bitcoin|magnet|sips?):|\/\//iy;
const HTML_TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)(?:\s[^<>]*)?\/?>/y;
const ENTITY = /&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});/y;
const MAGIC_WORD = /__[A-Z]*__/y;
const TABLE_CLOSE = /<\/table\s*>/gi;

class Renderer {
  private sections: string[] = [];
  private out: string[] = [];

  constructor(
    private readonly s: string,
    private readonly opts: WikitextOptions,
    private readonly stats: WikitextStats,
  ) {}

  run(): string {
    const s = this.s;
    const n = s.length;
    let i = 0;
    while (i < n) {
      i = this.lineStart(i);
      const nl = s.indexOf('\n', i);
      const e = nl < 0 ? n : nl;
      this.inline(i, e, this.out);
      if (nl < 0) break;
      this.out.push('\n');
      i = nl + 1;
    }
    this.endSection();
    return this.sections.join('\n\n');
  }

  private endSection(): void {
    const text = collapse(this.out.join(''));
    if (text) this.sections.push(text);
    this.out = [];
  }

  /** Handles markup that only counts at the start of a line; returns where inline text begins. */
  private lineStart(i: number): number {
    const s = this.s;
    let j = i;
    const c = s.charCodeAt(j);
    if (c === 61 /* = */) {
      const h = this.heading(i);
      if (h >= 0) return h;
    }
    // List and indent markers: *, #, :, ; (one item per line, markers removed).
    while (j < s.length) {
      const d = s.charCodeAt(j);
      if (d === 42 || d === 35 || d === 58 || d === 59) j++;
      else break;
    }
    const listed = j > i;
    if (listed) while (s.charCodeAt(j) === 32 || s.charCodeAt(j) === 9) j++;
    // Tables, possibly indented (`:{|`) or after spaces.
    let k = j;
    while (s.charCodeAt(k) === 32 || s.charCodeAt(k) === 9) k++;
    if (s.charCodeAt(k) === LBRACE && s.charCodeAt(k + 1) === 124 /* | */) return this.skipTable(k);
    if (!listed && s.startsWith('----', j)) {
      while (s.charCodeAt(j) === 45) j++;
    }
    return j;
  }

  /** `{| … |}` with nesting, closed by `|}` at a line start; returns the position after it. */
  private skipTable(i: number): number {
    const s = this.s;
    let depth = 0;
    let pos = i;
    for (;;) {
      let k = pos;
      while (s.charCodeAt(k) === 32 || s.charCodeAt(k) === 9 || s.charCodeAt(k) === 58) k++;
      if (s.charCodeAt(k) === LBRACE && s.charCodeAt(k + 1) === 124) depth++;
      else if (s.charCodeAt(k) === 124 && s.charCodeAt(k + 1) === RBRACE) {
        depth--;
        if (depth === 0) return k + 2;
      }
      const nl = s.indexOf('\n', pos);
      if (nl < 0) {
        this.stats.unclosed_table++;
        return s.length;
      }
      pos = nl + 1;
    }
  }

  /** A heading line `== Title ==` starts a new section; returns where the line's text ends, or -1. */
  private heading(i: number): number {
    const s = this.s;
    const nl = s.indexOf('\n', i);
    let e = nl < 0 ? s.length : nl;
    while (e > i && (s.charCodeAt(e - 1) === 32 || s.charCodeAt(e - 1) === 9 || s.charCodeAt(e - 1) === 13)) e--;
    let a = 0;
    while (i + a < e && s.charCodeAt(i + a) === 61) a++;
    let b = 0;
    while (e - b - 1 > i + a && s.charCodeAt(e - b - 1) === 61) b++;
    const level = Math.min(a, b, 6);
    if (level < 1) return -1;
    const ts = i + level;
    const te = e - level;
    if (te <= ts) return -1;
    this.endSection();
    const title: string[] = [];
    this.inline(ts, te, title);
    this.out.push(title.join('').trim());
    return nl < 0 ? s.length : nl;
  }

  /** Renders inline markup of s[from, to) into out. */
  private inline(from: number, to: number, out: string[]): void {
    const s = this.s;
    let i = from;
    let run = from;
    while (i < to) {
      const c = s.charCodeAt(i);
      if (c >= 128 || SPECIAL[c] === 0) {
        i++;
        continue;
      }
      if (i > run) out.push(s.slice(run, i));
      i = this.special(c, i, to, out);
      run = i;
    }
    if (to > run) out.push(s.slice(run, to));
  }

  /** Handles the markup starting at s[i] (a SPECIAL character); returns the next position. */
  private special(c: number, i: number, to: number, out: string[]): number {
    const s = this.s;
    switch (c) {
      case 91 /* [ */:
        if (s.charCodeAt(i + 1) === 91) return this.wikilink(i, to, out);
        return this.externalLink(i, to, out);
      case 39 /* ' */:
        {
          let r = i + 1;
          while (r < to && s.charCodeAt(r) === 39) r++;
          const k = r - i;
          // '' italic, ''' bold, ''''' both; '''' is an apostrophe then bold; longer runs keep the extras.
          if (k === 1) out.push("'");
          else if (k === 4) out.push("'");
          else if (k > 5) out.push("'".repeat(k - 5));
          return r;
        }
      case 60 /* < */:
        {
          HTML_TAG.lastIndex = i;
          const m = HTML_TAG.exec(s);
          if (!m || HTML_TAG.lastIndex > to) {
            out.push('<');
            return i + 1;
          }
          if (m[1] === '' && m[2]!.toLowerCase() === 'table' && !m[0].endsWith('/>')) {
            // HF removes tags named `table` with their contents.
            TABLE_CLOSE.lastIndex = HTML_TAG.lastIndex;
            const close = TABLE_CLOSE.exec(s);
            if (!close) {
              this.stats.unclosed_tag++;
              return HTML_TAG.lastIndex;
            }
            return Math.min(to, close.index + close[0].length);
          }
          return HTML_TAG.lastIndex;
        }
      case 38 /* & */:
        {
          ENTITY.lastIndex = i;
          const m = ENTITY.exec(s);
          if (!m || ENTITY.lastIndex > to) {
            out.push('&');
            return i + 1;
          }
          out.push(decodeHTML(m[0]));
          return ENTITY.lastIndex;
        }
      case 95 /* _ */:
        {
          MAGIC_WORD.lastIndex = i;
          if (MAGIC_WORD.exec(s) && MAGIC_WORD.lastIndex <= to) return MAGIC_WORD.lastIndex;
          out.push('_');
          return i + 1;
        }
      default:
        out.push(s[i]!);
        return i + 1;
    }
  }

  /** `[[target|text]]`: text (or target); file links removed; category links per options. */
  private wikilink(i: number, to: number, out: string[]): number {
    const s = this.s;
    let depth = 1;
    let j = i + 2;
    let end = -1;
    while (j < to) {
      const close = s.indexOf(']]', j);
      if (close < 0 || close + 2 > to) break;
      const open = s.indexOf('[[', j);
      if (open >= 0 && open < close) {
        depth++;
        j = open + 2;
      } else {
        depth--;
        j = close + 2;
        if (depth === 0) {
          end = j;
          break;
        }
      }
    }
    if (end < 0) {
      out.push('[[');
      return i + 2;
    }
    const a = i + 2;
    const b = end - 2;
    let pipe = s.indexOf('|', a);
    if (pipe >= b) pipe = -1;
    const nested = s.indexOf('[[', a);
    if (pipe >= 0 && nested >= 0 && nested < pipe) pipe = -1;
    let ts = a;
    const te = pipe < 0 ? b : pipe;
    if (s.charCodeAt(ts) === 58 /* : */)
      ts++; // [[:Category:X]] is a plain link to the page
    else {
      const colon = s.indexOf(':', ts);
      if (colon >= 0 && colon < te) {
        const ns = normalizeNamespace(s.slice(ts, colon));
        if (this.opts.mediaPrefixes.has(ns)) return end;
        if (this.opts.categoryPrefixes.has(ns)) {
          if (this.opts.categories === 'drop') return end;
          // HF: the link's text (its sort key, else its title) without the namespace prefix.
          if (pipe >= 0) this.inline(pipe + 1, b, out);
          else this.inline(colon + 1, te, out);
          return end;
        }
      }
    }
    if (pipe >= 0 && b > pipe + 1) this.inline(pipe + 1, b, out);
    else this.inline(ts, te, out);
    return end;
  }

  /** `[url text]` renders as text; `[url]` as nothing (mwparserfromhell); anything else is literal. */
  private externalLink(i: number, to: number, out: string[]): number {
    const s = this.s;
    EXTERNAL_SCHEME.lastIndex = i + 1;
    if (!EXTERNAL_SCHEME.test(s)) {
      out.push('[');
      return i + 1;
    }
    const close = s.indexOf(']', i);
    if (close < 0 || close >= to) {
      out.push('[');
      return i + 1;
    }
    let sp = i + 1;
    while (sp < close && s.charCodeAt(sp) !== 32 && s.charCodeAt(sp) !== 9) sp++;
    if (sp < close) this.inline(sp + 1, close, out);
    return close + 1;
  }
}

/** strip_code's collapse: trim, and runs of three or more newlines become two. */
function collapse(text: string): string {
  const t = text.trim();
  return t.includes('\n\n\n') ? t.replace(/\n{3,}/g, '\n\n') : t;
}

/** Renders a page's wikitext as plain text. */
export function wikitextToText(src: string, opts: WikitextOptions, stats: WikitextStats = newWikitextStats()): string {
  const pre = preprocess(src.includes('\r') ? src.replace(/\r\n?/g, '\n') : src, stats);
  const text = new Renderer(pre.text, opts, stats).run();
  return pre.shielded ? unshield(text) : text;
}

/** Namespace prefix sets from names (canonical English, aliases, siteinfo's local names). */
export function prefixSet(names: Iterable<string>): Set<string> {
  const set = new Set<string>();
  for (const n of names) if (n.trim()) set.add(normalizeNamespace(n));
  return set;
}
