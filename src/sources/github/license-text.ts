/**
 * Licence-text normalisation the way licensee (github/licensee, `ContentHelper`) does it, so a
 * LICENSE file and a licence template compare on wording only: titles, version lines, copyright
 * lines, markdown, bullets, quotes, dashes, British spellings, "end of terms" instructions and
 * whitespace are all taken out or folded before words are compared.
 *
 * The order of operations and every pattern follow licensee's constants (REGEXES, NORMALIZATIONS,
 * VARIETAL_WORDS, STRIP_METHODS). Ruby and JavaScript regexes differ in three ways that matter here,
 * handled throughout: Ruby's `^`/`$` are always line anchors (written `(?<=^|\n)` / `(?=\n|$)`),
 * Ruby's `\s` is ASCII whitespace only (written `S` below) and Ruby's `.` stops only at `\n`
 * (written `[^\n]`). `normalizedHash()` is the SHA-1 licensee prints as a file's "hash", so parity
 * is checked against licensee's own fixtures (test/sources/github/license.test.ts).
 */
import { createHash } from 'node:crypto';

/** Ruby's `\s` (ASCII whitespace); JavaScript's `\s` also takes NBSP and the BOM. */
const S = '[ \\t\\r\\n\\f\\v]';
const BOL = '(?<=^|\\n)';
const EOL = '(?=\\n|$)';

const rx = (src: string, flags = 'g') => new RegExp(src, flags);

/** Ruby's String#strip: ASCII whitespace and NUL at both ends. */
export function rubyStrip(s: string): string {
  return s.replace(/^[\t\n\v\f\r \0]+/, '').replace(/[\t\n\v\f\r \0]+$/, '');
}

/** licensee's `strip(regex)`: replace with a space, squeeze spaces, strip. */
function stripWith(s: string, re: RegExp): string {
  return rubyStrip(s.replace(re, ' ').replace(/ {2,}/g, ' '));
}

// licensee ContentHelper::REGEXES (the ones used in normalisation).
const HRS = rx(`${BOL}${S}*[=\\-*]{3,}${S}*${EOL}`);
const MARKDOWN_HEADINGS = rx(`${BOL}${S}*#+`);
const LINK_MARKUP = /\[([^\n]+?)\]\([^\n]+?\)/g;
const COMMENT_LINE = /^[ \t\r\n\f\v]*?[/*]{1,2}/;
const COMMENT_MARKUP = rx(`${BOL}${S}*?[/*]{1,2}`);
const VERSION = rx(`^${S}*version[^\\n]*${EOL}`, 'gi');
const BOM = rx(`^${S}*\\uFEFF`);
const CC_DEDICATION = rx(`The${S}+text${S}+of${S}+the${S}+Creative${S}+Commons[\\s\\S]*?Public${S}+Domain${S}+Dedication.`, 'gi');
const CC_WIKI = /wiki.creativecommons.org/gi;
const CC_LEGAL_CODE = rx(`${BOL}${S}*Creative Commons Legal Code${S}*${EOL}`, 'gi');
const CC0_INFO = rx(`For more information, please see${S}*[^ \\t\\r\\n\\f\\v]+zero[^ \\t\\r\\n\\f\\v]+`, 'gi');
const CC0_DISCLAIMER = /CREATIVE COMMONS CORPORATION[\s\S]*?\n\n/gi;
const UNLICENSE_INFO = /For more information, please[\s\S]*[^ \t\r\n\f\v]+unlicense[^ \t\r\n\f\v]+/gi;
const BORDER_MARKUP = rx(`${BOL}[*-]([^\\n]*?)[*-]${EOL}`);
const URL = rx(`^${S}*https?://[^ ]+\\n`);
const ALL_RIGHTS_RESERVED = rx(`^${S}*all rights reserved\\.?${EOL}`, 'i');
const BLOCK_MARKUP = rx(`${BOL}${S}*>`);
const DEVELOPED_BY = rx(`^${S}*developed by:[\\s\\S]*?\\n\\n`, 'gi');
const END_OF_TERMS = rx(`${BOL}[ \\t\\r\\n\\f\\v#*_]*end of (the )?terms and conditions[ \\t\\r\\n\\f\\v#*_]*${EOL}`, 'i');
const WHITESPACE = rx(`${S}+`);
const MIT_OPTIONAL = /\(including the next paragraph\)/gi;
const SPAN_MARKUP = /[_*~]+([^\n]*?)[_*~]+/g;
const BULLET = rx(`\\n\\n${S}*(?:[*-]|\\(?[\\da-z]{1,2}[).])${S}+`, 'gi');

/**
 * licensee Matchers::Copyright::REGEX: one or more copyright lines (with year continuation lines
 * and "with Reserved Font Name" lines) at the start of the text.
 */
const COPYRIGHT_LINES =
  `(?:[_*\\-\\t\\n\\v\\f\\r ]*(?:copyright|\\(c\\)|\\u00A9)[^\\n]*${EOL}` +
  `(?:\\n[ \\t]+\\d{4}[^\\n]*)*` +
  // Not in the licensee code we read: up to 3 wrapped lines of a holder's name (starting "and",
  // "by", "&" or ","); licensee's fixture bsd-3-multilinecopyright needs it.
  `(?:\\n[ \\t]*(?:and |by |& |, )[^\\n]*){0,3}` +
  `(?:[_*\\-\\t\\n\\v\\f\\r ]*with Reserved Font Name[^\\n]*${EOL})*)+${EOL}`;
const COPYRIGHT_REGEX = rx(`^${S}*${COPYRIGHT_LINES}`, 'i');
/** The whole (stripped) text is copyright lines and nothing else: licensee's Copyright matcher. */
export const COPYRIGHT_ONLY = rx(`^${S}*${COPYRIGHT_LINES}$`, 'i');

// licensee ContentHelper::NORMALIZATIONS, in order.
const NORMALIZATIONS: Array<[RegExp, string]> = [
  [rx(`${BOL}${S}*(?:\\d\\.|[*-])(?: [*_]{0,2}\\(?[\\da-z]\\)[*_]{0,2})?${S}+([^\\n])`), '- $1'], // lists
  [/http:/g, 'https:'], // https
  [/&/g, 'and'], // ampersands
  [/(?<!\n)(?<!^)([—–-]+)(?!\n|$)/g, '-'], // dashes
  [/[`'"‘“’”]/g, "'"], // quote
  [/(\w+)-[ \t\r\n\f\v]*\n[ \t\r\n\f\v]*(\w+)/g, '$1-$2'], // hyphenated
];

/** Legally equivalent spellings folded together (licensee VARIETAL_WORDS, from the SPDX matching guidelines). */
const VARIETAL_WORDS: Record<string, string> = {
  acknowledgment: 'acknowledgement',
  analogue: 'analog',
  analyse: 'analyze',
  artefact: 'artifact',
  authorisation: 'authorization',
  authorised: 'authorized',
  calibre: 'caliber',
  cancelled: 'canceled',
  capitalisations: 'capitalizations',
  catalogue: 'catalog',
  categorise: 'categorize',
  centre: 'center',
  emphasised: 'emphasized',
  favour: 'favor',
  favourite: 'favorite',
  fulfil: 'fulfill',
  fulfilment: 'fulfillment',
  initialise: 'initialize',
  judgment: 'judgement',
  labelling: 'labeling',
  labour: 'labor',
  licence: 'license',
  maximise: 'maximize',
  modelled: 'modeled',
  modelling: 'modeling',
  offence: 'offense',
  optimise: 'optimize',
  organisation: 'organization',
  organise: 'organize',
  practise: 'practice',
  programme: 'program',
  realise: 'realize',
  recognise: 'recognize',
  signalling: 'signaling',
  'sub-license': 'sublicense',
  'sub license': 'sublicense',
  utilisation: 'utilization',
  whilst: 'while',
  wilful: 'wilfull',
  'non-commercial': 'noncommercial',
  'per cent': 'percent',
  'copyright owner': 'copyright holder',
};
const SPELLING = new RegExp(`\\b(?:${Object.keys(VARIETAL_WORDS).map(escapeRegex).join('|')})\\b`, 'g');

/** Template fields (choosealicense `_data/fields.yml`): `[year]`, `[fullname]`, ... */
const FIELD_REGEX = /\[(fullname|login|email|project|description|year|projecturl)\]/g;

export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
}

function stripComments(s: string): string {
  const lines = s.split('\n');
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop(); // Ruby split drops trailing empties
  if (lines.length === 1) return s;
  if (!lines.every((l) => COMMENT_LINE.test(l))) return s;
  return stripWith(s, COMMENT_MARKUP);
}

function stripTitle(s: string, title: RegExp): string {
  while (title.test(s)) s = stripWith(s, title);
  return s;
}

function stripCopyright(s: string): string {
  for (;;) {
    const before = s;
    if (COPYRIGHT_REGEX.test(s)) s = stripWith(s, COPYRIGHT_REGEX);
    else if (ALL_RIGHTS_RESERVED.test(s)) s = stripWith(s, ALL_RIGHTS_RESERVED);
    else return s;
    if (s === before) return s;
  }
}

/** Crude HTML to text for `LICENSE.html` files (licensee converts them with ReverseMarkdown). */
function htmlToText(s: string): string {
  return s
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, '')
    .replace(/<\/(p|div|h[1-6]|li|tr|br)\s*>|<br\s*\/?>/gi, '\n\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

export interface NormalizeOptions {
  /** The title-stripping regex built from the licence catalogue (see license-catalog.ts). */
  title: RegExp;
  /** The file is HTML (`LICENSE.html`). */
  html?: boolean;
}

/** licensee `content_without_title_and_version`: case kept, markup and title lines gone. */
function withoutTitleAndVersion(content: string, opts: NormalizeOptions): string {
  let s = rubyStrip(content);
  if (opts.html) s = rubyStrip(htmlToText(s));
  s = stripWith(s, HRS);
  s = stripComments(s);
  s = stripWith(s, MARKDOWN_HEADINGS);
  s = s.replace(LINK_MARKUP, '$1');
  s = stripTitle(s, opts.title);
  return stripWith(s, VERSION);
}

/** licensee `content_normalized`: the text that licence comparison and the SHA-1 hash are based on. */
export function normalizeLicenseText(content: string, opts: NormalizeOptions): string {
  let s = withoutTitleAndVersion(content, opts).toLowerCase();
  for (const [from, to] of NORMALIZATIONS) s = s.replace(from, to);
  s = s.replace(SPELLING, (w) => VARIETAL_WORDS[w] ?? w);
  s = s.replace(SPAN_MARKUP, '$1');
  s = s.replace(BULLET, '\n\n- ').replace(/\)[ \t\r\n\f\v]+\(/g, ')(');
  // STRIP_METHODS, in licensee's order.
  s = stripWith(s, BOM);
  if (s.includes('creative commons')) s = stripWith(stripWith(s, CC_DEDICATION), CC_WIKI);
  if (s.includes('associating cc0')) s = stripWith(stripWith(stripWith(s, CC_LEGAL_CODE), CC0_INFO), CC0_DISCLAIMER);
  if (s.includes('unlicense')) s = stripWith(s, UNLICENSE_INFO);
  s = s.replace(BORDER_MARKUP, '$1');
  s = stripTitle(s, opts.title);
  s = stripWith(s, VERSION);
  s = stripWith(s, URL);
  s = stripCopyright(s);
  s = stripTitle(s, opts.title);
  s = stripWith(s, BLOCK_MARKUP);
  s = stripWith(s, DEVELOPED_BY);
  const end = END_OF_TERMS.exec(s);
  if (end) s = s.slice(0, end.index);
  s = stripWith(s, WHITESPACE);
  return stripWith(s, MIT_OPTIONAL);
}

/**
 * Folds the replaceable parts of licence texts (the SPDX templates' `<alt match=".+">` segments:
 * who is named as the holder in BSD-style disclaimers and endorsement clauses, "express" vs
 * "expressed") to fixed words, in template and file alike. licensee gets the same effect from the
 * SPDX XML templates, which are not shipped here; without it "THE AUTHOR" in place of "THE COPYRIGHT
 * HOLDERS AND CONTRIBUTORS" drops a BSD licence below the 98% threshold.
 */
export function foldAlternatives(normalized: string): string {
  return normalized
    .replace(/\bprovided by (?:(?!\bas is\b).){1,120}? 'as is'/g, "provided by holder 'as is'")
    .replace(/\bin no event shall (?:(?!\bbe liable\b).){1,120}? be liable/g, 'in no event shall holder be liable')
    .replace(
      /\bneither the name(?: of)? (?:(?!\bnor\b).){1,120}? nor the names of (?:its|his|her|their|the|other|any) contributors/g,
      'neither the name of holder nor the names of its contributors',
    )
    .replace(/\bexpressed or implied\b/g, 'express or implied');
}

/** The set of words licensee compares (`wordset`): words with `/` and `-`, and `'s` possessives. */
export function wordSet(normalized: string): Set<string> {
  return new Set(normalized.match(/(?:[\w/-](?:'s|(?<=s)')?)+/g) ?? []);
}

/** SHA-1 hex of the normalised text: the `hash` licensee reports for a file or licence. */
export function normalizedHash(normalized: string): string {
  return createHash('sha1').update(normalized, 'utf8').digest('hex');
}

/** Template field names found in a normalised licence text (`year`, `fullname`, ...), with repeats. */
export function templateFields(normalized: string): string[] {
  return [...normalized.matchAll(FIELD_REGEX)].map((m) => m[1]!);
}
