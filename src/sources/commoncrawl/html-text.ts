/**
 * HTML page → main-content text, for users who start from WARC rather than CC's own WET conversion.
 *
 * One streaming pass over htmlparser2's SAX events, with no DOM and no recursion: time and memory
 * are linear in the page (the nesting depth is capped, see below), whatever its shape.
 *
 * - Lines: block elements (p, div, headings, li, tr, td, br, ...) end a line, so headings and list
 *   items are lines of their own; runs of whitespace become one space; lines are trimmed and empty
 *   lines dropped, as in a CC WET body. `<title>` goes to `title`, never into the text.
 * - Code: `<pre>` keeps its text exactly (indentation, blank lines inside, tabs), one output line
 *   per source line; only blank lines at its start and end go. `<code>` outside `<pre>` keeps its
 *   spaces as written, and a `<code>` that spans lines is kept like a `<pre>`.
 * - Never text: script, style, noscript, template, svg, iframe, object, embed, canvas, audio,
 *   video, select, button, textarea.
 * - Boilerplate dropped (with everything inside): navigation landmarks (`nav`, `aside`, and
 *   `role=navigation|banner|contentinfo|complementary|search|menu|menubar|dialog|alertdialog`),
 *   `header`/`footer` when they are the page's banner/contentinfo (not inside article, aside, main,
 *   nav or section, as the HTML-ARIA mapping scopes them), `form`, and elements whose class or id
 *   names a menu, sidebar, footer, breadcrumb, cookie/consent notice, share bar, pagination or
 *   popup (see boilerplateClass). Such an element is kept after all when the main content turns out
 *   to be inside it: a `<main>`/`role=main` rescues every boilerplate element around it, and an
 *   `<article>` or `<h1>` rescues the header/footer, form and class-based ones (a page wrapped in
 *   `<form id="aspnetForm">`, a `<header class="post-header"><h1>` outside any article).
 * - Main content: when the page has exactly one main landmark (`<main>` or `role=main`) with text,
 *   only its text is kept; otherwise the whole body's.
 *
 * Depth cap: htmlparser2 keeps its open-element stack with `Array.unshift` and searches it on
 * every end tag, so each tag costs O(depth): 100,000 nested `<div>`s take ~18 s. Browsers cap the
 * tree depth too (Blink at 512). A page nested deeper than `maxDepth` open elements (default 2,000;
 * real pages stay under ~100) stops with an HtmlTooDeep error, which the source quarantines, so a
 * pathological page costs at most O(length × maxDepth) and never fails a build.
 */
import { Parser, type Handler, type ParserOptions } from 'htmlparser2';

export interface ExtractedText {
  title: string;
  text: string;
}

export interface HtmlToTextOptions {
  /** Deepest nesting of open elements read; deeper pages throw HtmlTooDeep. */
  maxDepth?: number;
}

const DEFAULT_MAX_HTML_DEPTH = 2000;

/** A page nested deeper than the cap (quarantined as `html_too_deep`). */
export class HtmlTooDeep extends Error {
  constructor(
    readonly depth: number,
    readonly offset: number,
  ) {
    super(`HTML nested deeper than ${depth} elements (at character ${offset})`);
  }
}

/** Elements whose content is never page text. */
const SKIPPED = new Set(['script', 'style', 'noscript', 'template', 'svg', 'iframe', 'object', 'embed', 'canvas', 'audio', 'video', 'select', 'button', 'textarea']);

/** Elements that end a line (HTML block-level and line-breaking elements). */
const BLOCK = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'br',
  'caption',
  'center',
  'dd',
  'details',
  'dialog',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hgroup',
  'hr',
  'legend',
  'li',
  'main',
  'menu',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'summary',
  'table',
  'tbody',
  'td',
  'th',
  'thead',
  'tfoot',
  'tr',
  'ul',
  'body',
  'html',
]);

/** Elements with preformatted text. */
const PREFORMATTED = new Set(['pre', 'listing', 'xmp', 'plaintext']);

/** ARIA roles of boilerplate regions. */
const BOILERPLATE_ROLES = new Set(['navigation', 'banner', 'contentinfo', 'complementary', 'search', 'menu', 'menubar', 'dialog', 'alertdialog']);

/** Elements that scope `header`/`footer` to themselves (then they are not the page's banner/contentinfo). */
const SECTIONING = new Set(['article', 'aside', 'main', 'nav', 'section']);

/**
 * Class and id names of boilerplate. Each class (and the id) is lower-cased and split at `-` and `_`;
 * it names boilerplate when one of its parts ends with a BOILERPLATE_SUFFIXES word (`nav`, `topnav`,
 * `mainmenu`, `sidebar`, `site-footer`, `printfooter`, `breadcrumbs`...) or is a BOILERPLATE_WORDS
 * word (`cookie-banner`, `share-buttons`, `pagination`...), or when all its parts are banner words
 * (`header`, `site-header`, `header-left`, `masthead`) outside any sectioning element. A name whose
 * first part is a modifier (`has-sidebar`, `no-footer`, `with-nav`) describes the element's layout,
 * not its content, and does not count.
 */
const BOILERPLATE_SUFFIXES = ['nav', 'navi', 'navbar', 'navigation', 'menu', 'menubar', 'sidebar', 'footer', 'breadcrumb', 'breadcrumbs'];
const BOILERPLATE_WORDS = new Set([
  'cookie',
  'cookies',
  'consent',
  'gdpr',
  'share',
  'sharing',
  'social',
  'pagination',
  'pager',
  'popup',
  'modal',
  'newsletter',
  'skip',
  'skiplink',
  'toolbar',
  'topbar',
  'addthis',
  'sharethis',
]);
const BANNER_WORDS = new Set(['header', 'masthead', 'site', 'global', 'top', 'left', 'right', 'wrap', 'wrapper', 'container', 'inner', 'outer', 'area']);
const MODIFIERS = new Set(['has', 'no', 'with', 'without', 'is', 'not', 'show', 'hide']);

/** Elements never dropped as boilerplate (the document itself, or its main content). */
const NEVER_BOILERPLATE = new Set(['html', 'body', 'main', 'article']);

const WS = /[ \t\r\n\f\u00a0]+/g;
const collapse = (s: string) => s.replace(WS, ' ');

function boilerplateClass(attrs: Record<string, string>, sectioned: boolean): boolean {
  const names = `${attrs.class ?? ''} ${attrs.id ?? ''}`.toLowerCase();
  for (const token of names.split(/\s+/)) {
    if (!token) continue;
    const parts = token.split(/[-_]+/).filter(Boolean);
    if (parts.length === 0 || MODIFIERS.has(parts[0]!)) continue;
    for (const p of parts) if (BOILERPLATE_WORDS.has(p) || BOILERPLATE_SUFFIXES.some((w) => p.endsWith(w))) return true;
    if (!sectioned && (parts.includes('header') || parts.includes('masthead')) && parts.every((p) => BANNER_WORDS.has(p))) return true;
  }
  return false;
}

/** Why an element is boilerplate: a landmark (rescued only by a main landmark) or a guess (also rescued by article/h1). */
type Removal = 'landmark' | 'guess' | null;

interface Line {
  text: string;
  /** The main landmark this line is in (-1: none). */
  main: number;
}

interface Sink {
  lines: Line[];
  kind: 'landmark' | 'guess';
  rescued: boolean;
  /** The line being built when the sink opened, resumed if the sink is dropped. */
  savedLine: string;
  savedPending: string;
}

interface Frame {
  name: string;
  skipped: boolean;
  block: boolean;
  pre: boolean;
  code: boolean;
  sink: boolean;
  sectioning: boolean;
  /** The main landmark this element opens (-1: none). */
  opensMain: number;
}

/** End tags htmlparser2 acts on even when no such element is open (foreign content, `</p>`, `</br>`). */
const END_TAGS_WITH_EFFECT = new Set(['p', 'br', 'math', 'svg', 'mi', 'mo', 'mn', 'ms', 'mtext', 'annotation-xml', 'foreignobject', 'desc', 'title']);

/**
 * htmlparser2's Parser, minus its O(depth) stack search for an end tag whose element is not open
 * (which it then ignores): `open` counts the open elements by name, so such a tag costs O(1) and a
 * page of stray end tags stays linear.
 */
class LinearParser extends Parser {
  constructor(
    cbs: Partial<Handler>,
    opts: ParserOptions,
    private readonly src: string,
    private readonly open: Map<string, number>,
  ) {
    super(cbs, opts);
  }

  override onclosetag(start: number, endIndex: number): void {
    const name = this.src.slice(start, endIndex).toLowerCase();
    if (!this.open.get(name) && !END_TAGS_WITH_EFFECT.has(name)) {
      this.endIndex = endIndex;
      this.startIndex = endIndex + 1;
      return;
    }
    super.onclosetag(start, endIndex);
  }
}

/** Main-content text of an HTML page, one block per line. Throws HtmlTooDeep past the depth cap. */
export function htmlToText(html: string, opts: HtmlToTextOptions = {}): ExtractedText {
  const maxDepth = opts.maxDepth ?? DEFAULT_MAX_HTML_DEPTH;
  const frames: Frame[] = [];
  const open = new Map<string, number>();
  const sinks: Sink[] = [{ lines: [], kind: 'landmark', rescued: true, savedLine: '', savedPending: '' }];
  let skipped = 0;
  let pre = 0;
  let code = 0;
  let sectioning = 0;
  let mainNow = -1;
  let mains = 0;
  let title: string | null = null;
  let inTitle = false;
  let titleBuf = '';
  // The current line: `line` is final text, `pending` is text still to be whitespace-collapsed.
  let line = '';
  let pending = '';
  let preBuf = '';
  let codeBuf = '';

  const endLine = () => {
    const t = (line + collapse(pending)).trim();
    if (t) sinks[sinks.length - 1]!.lines.push({ text: t, main: mainNow });
    line = '';
    pending = '';
  };
  const emitVerbatim = (block: string) => {
    const rows = block.replace(/\r\n?/g, '\n').split('\n');
    let a = 0;
    let b = rows.length;
    while (a < b && !rows[a]!.trim()) a++;
    while (b > a && !rows[b - 1]!.trim()) b--;
    const out = sinks[sinks.length - 1]!.lines;
    for (let i = a; i < b; i++) out.push({ text: rows[i]!, main: mainNow });
  };
  const newline = () => {
    if (pre > 0) {
      if (preBuf && !preBuf.endsWith('\n')) preBuf += '\n';
    } else if (code > 0) {
      if (codeBuf && !codeBuf.endsWith('\n')) codeBuf += '\n';
    } else endLine();
  };
  const rescue = (all: boolean) => {
    for (const s of sinks) if (all || s.kind === 'guess') s.rescued = true;
  };

  const parser = new LinearParser(
    {
      onopentag(name, attrs) {
        if (frames.length >= maxDepth) throw new HtmlTooDeep(maxDepth, parser.startIndex);
        open.set(name, (open.get(name) ?? 0) + 1);
        const f: Frame = { name, skipped: false, block: false, pre: false, code: false, sink: false, sectioning: false, opensMain: -1 };
        frames.push(f);
        if (name === 'title' && title === null && skipped === 0) {
          inTitle = true;
          f.skipped = true;
          skipped++;
          return;
        }
        if (skipped > 0 || SKIPPED.has(name)) {
          f.skipped = true;
          skipped++;
          return;
        }
        const role = (attrs.role ?? '').toLowerCase().trim();
        const isMain = name === 'main' || role === 'main';
        if (isMain || name === 'article' || name === 'h1') rescue(isMain);
        let removal: Removal = null;
        if (!NEVER_BOILERPLATE.has(name) && role !== 'main') {
          if (name === 'nav' || name === 'aside' || BOILERPLATE_ROLES.has(role)) removal = 'landmark';
          else if ((name === 'header' || name === 'footer') && sectioning === 0) removal = 'guess';
          else if (name === 'form' || boilerplateClass(attrs, sectioning > 0)) removal = 'guess';
        }
        f.block = BLOCK.has(name);
        if (f.block) newline();
        if (removal && pre === 0 && code === 0) {
          // The line in progress continues after the element if the element is dropped.
          sinks.push({ lines: [], kind: removal, rescued: false, savedLine: line, savedPending: pending });
          line = '';
          pending = '';
          f.sink = true;
        }
        if (SECTIONING.has(name)) {
          f.sectioning = true;
          sectioning++;
        }
        if (isMain) {
          f.opensMain = mains++;
          mainNow = f.opensMain;
        }
        if (PREFORMATTED.has(name)) {
          if (pre === 0 && code === 0) preBuf = '';
          f.pre = true;
          pre++;
        } else if (name === 'code' && pre === 0) {
          if (code === 0) codeBuf = '';
          f.code = true;
          code++;
        }
      },
      ontext(data) {
        if (inTitle) titleBuf += data;
        if (skipped > 0) return;
        if (pre > 0) preBuf += data;
        else if (code > 0) codeBuf += data;
        else pending += data;
      },
      onclosetag(name) {
        open.set(name, open.get(name)! - 1);
        const f = frames.pop()!;
        if (f.skipped) {
          skipped--;
          if (inTitle && skipped === 0) {
            inTitle = false;
            title = collapse(titleBuf).trim();
          }
          return;
        }
        if (f.pre) {
          pre--;
          if (pre === 0 && code === 0) {
            endLine();
            emitVerbatim(preBuf);
            preBuf = '';
          }
        } else if (f.code) {
          code--;
          if (code === 0) {
            if (codeBuf.includes('\n')) {
              endLine();
              emitVerbatim(codeBuf);
            } else {
              line += collapse(pending) + codeBuf;
              pending = '';
            }
            codeBuf = '';
          }
        } else if (f.block || f.name === 'br') newline();
        if (f.sectioning) sectioning--;
        if (f.opensMain >= 0) {
          // Back to the landmark of the nearest enclosing main, if any.
          mainNow = -1;
          for (let i = frames.length - 1; i >= 0; i--)
            if (frames[i]!.opensMain >= 0) {
              mainNow = frames[i]!.opensMain;
              break;
            }
        }
        if (f.sink) {
          endLine();
          const s = sinks.pop()!;
          line = s.savedLine;
          pending = s.savedPending;
          if (s.rescued) {
            // Kept after all: the text before the element is a line of its own, then the element's.
            endLine();
            const into = sinks[sinks.length - 1]!.lines;
            for (const l of s.lines) into.push(l);
          }
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
    html,
    open,
  );
  parser.end(html);
  endLine();
  const lines = sinks[0]!.lines;
  let kept = lines;
  if (mains === 1) {
    const inMain = lines.filter((l) => l.main === 0);
    if (inMain.length > 0) kept = inMain;
  }
  return { title: title ?? '', text: kept.map((l) => l.text).join('\n') };
}
