/**
 * XML character data without a DTD: the five predefined entities and numeric character references,
 * nothing else. Both XML sources (Wikipedia dumps, StackExchange Posts.xml) decode their text with
 * this, so no input can define or expand an entity (no "billion laughs"): a reference to anything
 * else is malformed input, reported as XmlTextError for the caller to quarantine.
 */

export class XmlTextError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'XmlTextError';
  }
}

/** Decodes `&lt;` `&gt;` `&amp;` `&quot;` `&apos;` `&#NN;` `&#xHH;`; throws XmlTextError on any other `&`. */
export function decodeXmlText(s: string): string {
  let amp = s.indexOf('&');
  if (amp < 0) return s;
  let out = '';
  let from = 0;
  while (amp >= 0) {
    // The five predefined entities by their characters (the hot path: dumps are full of &lt; &quot;).
    const c1 = s.charCodeAt(amp + 1);
    let rep: string | null = null;
    let len = 0;
    if (c1 === 108 /* l */ && s.charCodeAt(amp + 2) === 116 && s.charCodeAt(amp + 3) === 59) {
      rep = '<';
      len = 4;
    } else if (c1 === 103 /* g */ && s.charCodeAt(amp + 2) === 116 && s.charCodeAt(amp + 3) === 59) {
      rep = '>';
      len = 4;
    } else if (c1 === 113 /* q */ && s.startsWith('quot;', amp + 1)) {
      rep = '"';
      len = 6;
    } else if (c1 === 97 /* a */ && s.startsWith('amp;', amp + 1)) {
      rep = '&';
      len = 5;
    } else if (c1 === 97 && s.startsWith('apos;', amp + 1)) {
      rep = "'";
      len = 6;
    } else if (c1 === 35 /* # */) {
      const semi = s.indexOf(';', amp + 2);
      const hex = s.charCodeAt(amp + 2) === 120 || s.charCodeAt(amp + 2) === 88;
      const digits = semi < 0 ? '' : s.slice(amp + (hex ? 3 : 2), semi);
      if (digits.length === 0 || digits.length > 7 || !(hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits)) throw new XmlTextError('bad character reference', amp);
      const code = parseInt(digits, hex ? 16 : 10);
      if (code > 0x10ffff) throw new XmlTextError(`bad character reference "&#${hex ? 'x' : ''}${digits};"`, amp);
      rep = String.fromCodePoint(code);
      len = semi + 1 - amp;
    } else {
      const semi = s.indexOf(';', amp + 1);
      const ref = semi > amp && semi - amp < 40 ? s.slice(amp, semi + 1) : '&';
      throw new XmlTextError(/^&[A-Za-z_][\w.-]*;$/.test(ref) ? `undefined entity "${ref}" (entities are not expanded)` : 'bare "&" in character data', amp);
    }
    out += s.slice(from, amp) + rep;
    from = amp + len;
    amp = s.indexOf('&', from);
  }
  return from < s.length ? out + s.slice(from) : out;
}
