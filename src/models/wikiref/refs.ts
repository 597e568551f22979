/**
 * Extracts the URLs Wikipedia articles cite: the positives of the Wikipedia-reference classifier
 * (LLaMA §2.1; RedPajama rp_v1 data_prep/cc/classifier/extract_urls.py).
 *
 * RedPajama matched `&lt;ref&gt(.*)&lt;/ref&gt;` on each line of the XML dump, then ran a URL regex
 * inside the match.
 * QUIRK (RedPajama): that pattern only sees `<ref>` WITHOUT attributes (most citations are
 * `<ref name="...">`), never a reference spanning lines, and its greedy `.*` runs from the first
 * `<ref>` to the last `</ref>` of a line, taking the article text between references too.
 * Decision: fixed. We unescape the XML, take every `<ref ...>...</ref>` (attributes allowed,
 * non-greedy, across lines; self-closing `<ref name=x/>` has no content), and inside it take
 * `{{cite ... |url=...}}` values and bare URLs matched by RedPajama's URL regex.
 */
import { PY_WORD_CLASS } from '../../text/python.js';

/**
 * RedPajama's URL regex (extract_urls.py), with Python's Unicode `\w` and `\b` spelled out for
 * JavaScript: \w = PY_WORD_CLASS, and \b at a URL start = not preceded by a word character.
 */
const W = PY_WORD_CLASS;
export const URL_RE = new RegExp(`(?<![${W}])(?:https?|telnet|gopher|file|wais|ftp):[${W}/#~:.?+=&%@!\\-.:?\\\\-]+?(?=[.:?\\-]*(?:[^${W}/#~:.?+=&%@!\\-.:?\\-]|$))`, 'gu');

const REF_RE = /<ref(?:\s[^>]*?)?(?<!\/)>([\s\S]*?)<\/ref\s*>/giu;
/** `|url=` (also `| url =`, `|archive-url=` is deliberately excluded: it cites the archive, not the page). */
const CITE_URL_RE = /\|\s*url\s*=\s*([^|}\s]+)/giu;

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Unescapes the XML entities a MediaWiki dump uses in article text. */
export function unescapeXml(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-f]+);/giu, (m, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

/** The URLs cited in the `<ref>` tags of one piece of (unescaped) wikitext, in order, duplicates kept. */
export function refUrls(wikitext: string): string[] {
  const out: string[] = [];
  for (const ref of wikitext.matchAll(REF_RE)) {
    const body = ref[1]!;
    const seen = new Set<string>();
    for (const m of body.matchAll(CITE_URL_RE)) {
      const u = m[1]!;
      if (/^(?:https?|ftp):\/\//iu.test(u) && !seen.has(u)) {
        seen.add(u);
        out.push(u);
      }
    }
    for (const m of body.matchAll(URL_RE)) {
      if (!seen.has(m[0])) {
        seen.add(m[0]);
        out.push(m[0]);
      }
    }
  }
  return out;
}

/**
 * Collects a dump's lines page by page (`<page>` ... `</page>`) and yields the URLs of each page's
 * references, so a reference spanning lines is seen whole and work stays linear in the input.
 * A page longer than `maxPageChars` is scanned in pieces of that size (a reference cut at a
 * piece boundary is lost; no real article comes near the default 32 MB).
 */
export class PageRefScanner {
  private parts: string[] = [];
  private size = 0;
  constructor(private readonly maxPageChars = 1 << 25) {}

  /** One line of the dump, already unescaped, without its newline. */
  push(line: string): string[] {
    this.parts.push(line);
    this.size += line.length + 1;
    if (line.includes('</page>') || this.size >= this.maxPageChars) return this.flush();
    return [];
  }

  flush(): string[] {
    if (this.parts.length === 0) return [];
    const text = this.parts.join('\n');
    this.parts = [];
    this.size = 0;
    return refUrls(text);
  }
}
