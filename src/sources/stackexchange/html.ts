/**
 * Post bodies (HTML) to text, as RedPajama's post_processing.py `cleanhtml` does it, parsed with
 * cheerio's HTML parser (htmlparser2) instead of BeautifulSoup(…, "lxml").
 *
 * RedPajama: replace `<li>` → `\n*`, `</li>` → ``, `<ol>` → `\n*`, `</ol>` → `` (string replaces, so
 * `<ul>` is not mapped and an `<ol>` adds a bullet of its own: kept for parity), then
 * `BeautifulSoup(html, "lxml").get_text()`. To give the same text, the walk reproduces what libxml2's
 * HTML parser does with whitespace, measured against bs4 4.11 + libxml2 2.9.14 on the coffee.SE
 * dump (test/xml/stackexchange.test.ts checks every post):
 * - a text node of only whitespace between elements becomes one character: `\n` if it holds a
 *   newline, else a space;
 * - whitespace at the very start of the document is dropped;
 * - text inside `<script>`, `<style>` and `<template>` and comments are not text (bs4 ≥ 4.10).
 */
import * as cheerio from 'cheerio';
import type { AnyNode } from 'domhandler';

/** RedPajama's list rewrite before parsing (rp_v1 data_prep/stack_exchange/post_processing.py). */
export function rpListMarkers(html: string): string {
  if (!html.includes('<li>') && !html.includes('</li>') && !html.includes('<ol>') && !html.includes('</ol>')) return html;
  return html.replaceAll('<li>', '\n*').replaceAll('</li>', '').replaceAll('<ol>', '\n*').replaceAll('</ol>', '');
}

const NOT_TEXT = new Set(['script', 'style', 'template']);
const BLANK = /^[ \t\n\r]+$/;
const LEADING_BLANK = /^[ \t\n\r]+/;

interface Walk {
  out: string[];
  /** An element has been seen: whitespace is no longer at the document's start. */
  started: boolean;
}

function collect(nodes: AnyNode[], w: Walk): void {
  for (const n of nodes) {
    if (n.type === 'text') {
      let t = n.data;
      if (!w.started) t = t.replace(LEADING_BLANK, '');
      if (t.length === 0) continue;
      if (BLANK.test(t)) w.out.push(t.includes('\n') ? '\n' : ' ');
      else w.out.push(t);
    } else if (n.type === 'tag' || n.type === 'cdata') {
      w.started = true;
      if (n.type === 'tag' && NOT_TEXT.has(n.name)) continue;
      collect(n.children, w);
    } else if (n.type === 'root') collect(n.children, w);
  }
}

/** cleanhtml(): the text of a post body (or of "Title Body" for a question). */
export function cleanHtml(html: string): string {
  const src = rpListMarkers(html);
  if (!src.includes('<') && !src.includes('&')) return src.replace(LEADING_BLANK, '');
  const $ = cheerio.load(src, { xml: { xmlMode: false, decodeEntities: true } }, false);
  const w: Walk = { out: [], started: false };
  collect($.root().toArray(), w);
  return w.out.join('');
}
