/**
 * Posts.xml rows: one `<row Id="…" PostTypeId="…" … />` element per line. A hand-written attribute
 * scanner (the rows are flat, attributes double-quoted and XML-escaped) instead of an XML parser per
 * line: this is the hot loop of the StackExchange source. Values are decoded with decodeXmlText (the
 * predefined entities and character references only: no entity can be defined or expanded).
 */
import { decodeXmlText } from '../../io/xmltext.js';

export class RowError extends Error {}

/** The attributes of one row, decoded; null for lines that are not rows (`<?xml`, `<posts>`, `</posts>`). */
export function parseRow(line: string): Record<string, string> | null {
  let i = 0;
  while (i < line.length && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
  if (!line.startsWith('<row', i)) {
    const rest = line.slice(i);
    if (rest === '' || rest.startsWith('<?xml') || /^<\/?posts\s*>$/.test(rest.trimEnd())) return null;
    throw new RowError(`expected a <row …/> element`);
  }
  i += 4;
  const attrs: Record<string, string> = {};
  for (;;) {
    const start = i;
    while (i < line.length && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
    if (line.startsWith('/>', i)) {
      if (line.slice(i + 2).trim() !== '') throw new RowError('text after the end of the row');
      return attrs;
    }
    if (i === start || i >= line.length) throw new RowError(i >= line.length ? 'row is not closed with "/>"' : 'expected whitespace between attributes');
    const eq = line.indexOf('=', i);
    if (eq < 0 || line.charCodeAt(eq + 1) !== 34 /* " */) throw new RowError(`expected name="value" at column ${i + 1}`);
    const name = line.slice(i, eq);
    if (!/^[A-Za-z_][\w.-]*$/.test(name)) throw new RowError(`bad attribute name "${name.slice(0, 40)}"`);
    const close = line.indexOf('"', eq + 2);
    if (close < 0) throw new RowError(`attribute ${name} is not closed`);
    const raw = line.slice(eq + 2, close);
    if (raw.includes('<')) throw new RowError(`"<" inside attribute ${name}`);
    attrs[name] = decodeXmlText(raw);
    i = close + 1;
  }
}
