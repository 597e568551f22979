/**
 * Finds e-mail addresses, public IP addresses (v4 and v6) and phone numbers in text, for the `pii`
 * step. Regular expressions find candidates; validators drop what only looks like PII.
 *
 * - e-mail: `local@domain.tld` with the characters real addresses use (datatrove's PIIFormatter and
 *   dolma's regex taggers match the same shape); not when the "TLD" is an image or code file
 *   extension (`logo@2x.png`, `icon@3x.webp`).
 * - IPv4: four dotted octets 0-255 without leading zeros, not inside a longer dotted number
 *   (`1.3.6.1.4.1` OIDs, `2.4.1.0.3` versions) nor after a version word (`version 1.2.3.4`).
 * - IPv6: any form Node's `net.isIPv6` accepts (compressed, embedded IPv4), found as runs of hex
 *   groups and colons, so clock times (`12:30:45`) and MAC addresses (six groups) are not addresses.
 * - public (`public_only`, the default, as datatrove's `only_remove_public_ips`): IPv4 outside the
 *   IANA special-purpose ranges (private, loopback, link-local, shared, documentation, benchmarking,
 *   multicast, reserved); IPv6 inside global unicast 2000::/3 minus documentation and IETF protocol
 *   ranges, IPv4-mapped addresses judged as IPv4. datatrove uses Python's `ip.is_global`, which
 *   also calls multicast and most of ::/3 "global"; those are not anybody's address.
 * - phone: North American numbers (`(212) 555-0147`, `212-555-0147`, `+1 212.555.0147`, area and
 *   exchange codes starting 2-9, separators required, as dolma's regex expects) and international
 *   numbers written with a leading `+` (8 to 15 digits, E.164), not when the number follows an
 *   identifier word (`ISBN`, `order`, `invoice`, `ticket`, `#`, ...: dolma rejects phones near `isbn`,
 *   `doi` and `#` the same way) nor inside a longer run of digits and dashes.
 * Spans never overlap: when candidates overlap, the earlier (then the longer) wins.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';

export const PII_KINDS = ['email', 'ip', 'phone'] as const;
export type PiiKind = (typeof PII_KINDS)[number];

export interface PiiSpan {
  kind: PiiKind;
  /** UTF-16 offsets in the text. */
  start: number;
  end: number;
}

const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+([A-Za-z]{2,24})(?![A-Za-z0-9-])/g;
const FILE_EXTENSIONS = new Set(['png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'bmp', 'ico', 'tif', 'tiff', 'avif', 'css', 'js', 'mjs', 'ts', 'json', 'map']);

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`(?<![\\w.])${OCTET}(?:\\.${OCTET}){3}(?![\\w]|\\.\\d)`, 'g');
const VERSION_BEFORE = /(?:^|[^a-z])(?:version|versions|ver|v|release|build|firmware|update|rev|revision|oid|snmp)[\s.:=("']*$/i;
const IPV6 = /(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?![\w:])/g;

const NANP = /(?<![\w@/.#$+-])(?:\+?1[-. ]?)?(?:\([2-9]\d{2}\)[-. ]?|[2-9]\d{2}[-. ])[2-9]\d{2}[-. ]\d{4}(?![\w-]|[.,]\d)/g;
const INTL = /(?<![\w@/.#$+-])\+[1-9]\d{0,2}(?:[ .-]?\(?\d{1,4}\)?){2,6}(?![\w-]|[.,]\d)/g;
const ID_BEFORE = /(?:isbn|issn|doi|order|invoice|ticket|serial|tracking|account|acct|part|sku|item|id|ref|case|no\.?|#)\s*[:#.]?\s*$/i;
const PHONE_WORD = /\b(?:phone|tel|telephone|fax|mobile|cell|call)\b/i;

/** IANA special-purpose ranges (RFC 6890 and successors) and multicast/reserved space: not anybody's address. */
const NOT_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  NOT_PUBLIC.addSubnet(net, prefix, 'ipv4');
const V6_GLOBAL = new BlockList();
V6_GLOBAL.addSubnet('2000::', 3, 'ipv6');
const V6_SPECIAL = new BlockList();
for (const [net, prefix] of [
  ['2001::', 23],
  ['2001:db8::', 32],
  ['3fff::', 20],
] as const)
  V6_SPECIAL.addSubnet(net, prefix, 'ipv6');

export function isPublicIPv4(ip: string): boolean {
  return isIPv4(ip) && !NOT_PUBLIC.check(ip, 'ipv4');
}

export function isPublicIPv6(ip: string): boolean {
  if (!isIPv6(ip)) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return isPublicIPv4(mapped[1]!);
  return V6_GLOBAL.check(ip, 'ipv6') && !V6_SPECIAL.check(ip, 'ipv6');
}

function digitCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) n++;
  return n;
}

export interface DetectOptions {
  kinds: ReadonlySet<PiiKind>;
  /** Only public IP addresses (default true). */
  publicOnly?: boolean;
}

/** PII spans of `text`, sorted and non-overlapping. */
export function findPii(text: string, opts: DetectOptions): PiiSpan[] {
  const spans: PiiSpan[] = [];
  const publicOnly = opts.publicOnly ?? true;
  if (opts.kinds.has('email') && text.includes('@')) {
    for (const m of text.matchAll(EMAIL)) {
      if (FILE_EXTENSIONS.has(m[1]!.toLowerCase())) continue;
      spans.push({ kind: 'email', start: m.index, end: m.index + m[0].length });
    }
  }
  if (opts.kinds.has('ip')) {
    if (text.includes('.')) {
      for (const m of text.matchAll(IPV4)) {
        if (VERSION_BEFORE.test(text.slice(Math.max(0, m.index - 24), m.index))) continue;
        if (publicOnly ? !isPublicIPv4(m[0]) : !isIPv4(m[0])) continue;
        spans.push({ kind: 'ip', start: m.index, end: m.index + m[0].length });
      }
    }
    if (text.includes(':')) {
      for (const m of text.matchAll(IPV6)) {
        if (publicOnly ? !isPublicIPv6(m[0]) : !isIPv6(m[0])) continue;
        spans.push({ kind: 'ip', start: m.index, end: m.index + m[0].length });
      }
    }
  }
  if (opts.kinds.has('phone')) {
    for (const re of [NANP, INTL]) {
      for (const m of text.matchAll(re)) {
        const before = text.slice(Math.max(0, m.index - 24), m.index);
        if (ID_BEFORE.test(before) && !PHONE_WORD.test(before)) continue;
        if (re === INTL) {
          const d = digitCount(m[0]);
          if (d < 8 || d > 15) continue;
        }
        // Trailing separators are not part of the number.
        let end = m.index + m[0].length;
        while (end > m.index && /[ .-]/.test(text[end - 1]!)) end--;
        spans.push({ kind: 'phone', start: m.index, end });
      }
    }
  }
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: PiiSpan[] = [];
  for (const s of spans) if (out.length === 0 || s.start >= out[out.length - 1]!.end) out.push(s);
  return out;
}
