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

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

const REF = /&(?:(lt|gt|amp|quot|apos)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));|&/g;

/** Decodes `&lt;` `&gt;` `&amp;` `&quot;` `&apos;` `&#NN;` `&#xHH;`; throws XmlTextError on any other `&`. */
export function decodeXmlText(s: string): string {
  if (s.indexOf('&') < 0) return s;
  return s.replace(REF, (m: string, name: string | undefined, dec: string | undefined, hex: string | undefined, offset: number) => {
    if (name !== undefined) return PREDEFINED[name]!;
    if (dec !== undefined || hex !== undefined) {
      const code = dec !== undefined ? parseInt(dec, 10) : parseInt(hex!, 16);
      if (code > 0x10ffff) throw new XmlTextError(`bad character reference "${m}"`, offset);
      return String.fromCodePoint(code);
    }
    const semi = s.indexOf(';', offset);
    const ref = semi > offset && semi - offset < 40 ? s.slice(offset, semi + 1) : '&';
    throw new XmlTextError(ref.length > 1 && /^&[A-Za-z_][\w.-]*;$/.test(ref) ? `undefined entity "${ref}" (entities are not expanded)` : 'bare "&" in character data', offset);
  });
}
