/**
 * C4 sample: `c4-train.0000N-of-00002.json.gz` with `{"text","timestamp","url"}` lines as in
 * allenai/c4, including pages too short to keep, exact duplicates and one malformed line, so
 * every step of the sample build has work.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { paragraph, pick, rng } from './rng.js';

const HOSTS = ['www.example-news.com', 'blog.example.org', 'cooking.example.net', 'travel.example.com', 'science.example.edu'];

export async function makeC4Sample(root: URL): Promise<void> {
  const dir = new URL('c4/', root);
  mkdirSync(dir, { recursive: true });
  const r = rng(4);
  const files = 2;
  const perFile = 120;
  const earlier: string[] = [];
  for (let f = 0; f < files; f++) {
    const lines: string[] = [];
    for (let i = 0; i < perFile; i++) {
      const host = pick(r, HOSTS);
      const url = `https://${host}/${f}/${i}/${Math.floor(r() * 1e6).toString(36)}`;
      const ts = new Date(Date.UTC(2019, 3, 18 + Math.floor(r() * 10), Math.floor(r() * 24), Math.floor(r() * 60), Math.floor(r() * 60))).toISOString().replace('.000', '');
      let text: string;
      const roll = r();
      if (roll < 0.08) text = paragraph(r, 1).split(' ').slice(0, 3).join(' ');
      else if (roll < 0.14 && earlier.length > 0) text = pick(r, earlier);
      else text = Array.from({ length: 2 + Math.floor(r() * 4) }, () => paragraph(r, 2 + Math.floor(r() * 4))).join('\n');
      earlier.push(text);
      lines.push(JSON.stringify({ text, timestamp: ts, url }));
      if (f === 1 && i === 57) lines.push('{"text": "a record cut short by a broken export');
    }
    const name = `c4-train.${String(f).padStart(5, '0')}-of-${String(files).padStart(5, '0')}.json.gz`;
    writeFileSync(new URL(name, dir), gzipSync(Buffer.from(`${lines.join('\n')}\n`), { level: 9 }));
  }
}
