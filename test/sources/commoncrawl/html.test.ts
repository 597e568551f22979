/** HTTP payload decoding, charset detection and HTML-to-text rules, on pages written here. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { decodeHtml, decodePayload, parseHttpResponse } from '../../../src/sources/commoncrawl/html.js';
import { htmlToText } from '../../../src/sources/commoncrawl/html-text.js';

test('block elements become lines; script, style, nav, header, footer, aside are removed', () => {
  const html = `<html><head><title> The  Title </title><style>p{color:red}</style></head><body>
    <header>Site header</header><nav><a>Home</a> <a>About</a></nav>
    <h1>Heading</h1><p>First <b>bold</b>
    paragraph.</p><div>Second<br>line</div><ul><li>one</li><li>two</li></ul>
    <script>var x = 1;</script><aside>Related links</aside><footer>Footer text</footer></body></html>`;
  assert.deepEqual(htmlToText(html), { title: 'The Title', text: 'Heading\nFirst bold paragraph.\nSecond\nline\none\ntwo' });
});

test('a single <main> is the content; <pre> keeps its line breaks and indentation', () => {
  const html = '<body><div>Menu entry</div><main><p>Main text.</p><pre>a = 1\n  b = 2</pre></main><div>Sidebar</div></body>';
  assert.equal(htmlToText(html).text, 'Main text.\na = 1\n  b = 2');
});

test('charset: HTTP header first, then meta tag, then UTF-8 validity, else windows-1252', () => {
  const cyr = Buffer.from([0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2]); // "Привет" in windows-1251
  const page = Buffer.concat([Buffer.from('<meta charset="windows-1251"><p>'), cyr, Buffer.from('</p>')]);
  assert.equal(decodeHtml(page, 'text/html').charset, 'windows-1251');
  assert.match(decodeHtml(page, 'text/html').html, /Привет/);
  assert.equal(decodeHtml(page, 'text/html; charset=koi8-r').charset, 'koi8-r');
  assert.equal(decodeHtml(Buffer.from('<p>héllo</p>'), undefined).charsetSource, 'utf8-valid');
  const latin = decodeHtml(Buffer.from([0x3c, 0x70, 0x3e, 0xe9, 0x3c, 0x2f, 0x70, 0x3e]), undefined);
  assert.deepEqual([latin.charset, latin.charsetSource, latin.html], ['windows-1252', 'fallback', '<p>é</p>']);
  const eucjp = Buffer.from([0xc6, 0xfc, 0xcb, 0xdc]); // "日本" in EUC-JP
  assert.equal(decodeHtml(eucjp, 'text/html; charset=EUC-JP').html, '日本');
  const gb = Buffer.from([0xd6, 0xd0, 0xce, 0xc4]); // "中文" in GB2312
  assert.equal(decodeHtml(gb, 'text/html; charset=gb2312').html, '中文');
});

test('chunked and gzip payloads are decoded; a stale Content-Encoding is ignored and flagged', () => {
  const body = Buffer.from('<p>hello world</p>');
  const chunked = Buffer.concat([
    Buffer.from('5\r\n'),
    body.subarray(0, 5),
    Buffer.from('\r\n'),
    Buffer.from(`${(body.length - 5).toString(16)}\r\n`),
    body.subarray(5),
    Buffer.from('\r\n0\r\n\r\n'),
  ]);
  const msg = parseHttpResponse(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/html\r\n\r\n'), chunked]))!;
  assert.equal(msg.status, 200);
  assert.equal(decodePayload(msg).body.toString(), body.toString());
  const gz = parseHttpResponse(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n'), gzipSync(body)]))!;
  assert.deepEqual([decodePayload(gz).body.toString(), decodePayload(gz).encodingIgnored], [body.toString(), false]);
  const stale = parseHttpResponse(Buffer.concat([Buffer.from('HTTP/1.0 200 OK\nContent-Encoding: gzip\n\n'), body]))!;
  assert.deepEqual([decodePayload(stale).body.toString(), decodePayload(stale).encodingIgnored], [body.toString(), true]);
  assert.equal(parseHttpResponse(Buffer.from('not http')), null);
});
