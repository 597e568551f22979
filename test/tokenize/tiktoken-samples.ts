/**
 * Test inputs for the byte-level BPE parity tests: every file under test/data (books, wikitext,
 * LaTeX, code, HTML, XML dumps, multilingual), decompressed (.gz, .bz2), as UTF-8 text. Binary files
 * (NUL bytes, e.g. figures inside an arXiv tarball) are cut at NUL runs into separate documents, so the
 * reference is not fed megabyte-long runs of one byte class.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { constants, gunzipSync } from 'node:zlib';
import { join, relative } from 'node:path';
import { openDecompressed } from '../../src/io/compression.js';
import { testData } from '../helpers.js';

/** The real files of test/data (origins and licences in its MANIFEST.md). */
export const samplesDir = testData;

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

/** The first `maxBytes` decompressed bytes of a file (all of it by default). */
async function readStart(path: string, maxBytes: number): Promise<Buffer> {
  // gzip by hand so a deliberately truncated sample (resiliparse-clipped.warc.gz) gives what it holds.
  if (path.endsWith('.gz')) return gunzipSync(readFileSync(path), { finishFlush: constants.Z_SYNC_FLUSH }).subarray(0, maxBytes);
  const chunks: Buffer[] = [];
  let n = 0;
  const stream = openDecompressed(path);
  for await (const c of stream) {
    chunks.push(c as Buffer);
    n += (c as Buffer).length;
    if (n >= maxBytes) break;
  }
  stream.destroy();
  return Buffer.concat(chunks).subarray(0, maxBytes);
}

export interface SampleDoc {
  name: string;
  text: string;
}

/** All sample files as documents; each at most `maxBytes` (from its start) to bound test time. */
export async function sampleDocs(maxBytes = Infinity): Promise<SampleDoc[]> {
  const docs: SampleDoc[] = [];
  for (const file of walk(samplesDir)) {
    const name = relative(samplesDir, file);
    const bytes = await readStart(file, maxBytes);
    const parts = bytes.includes(0) ? bytes.toString('utf8').split(/\0+/) : [bytes.toString('utf8')];
    parts.forEach((text, i) => {
      if (text) docs.push({ name: parts.length > 1 ? `${name}#${i}` : name, text });
    });
  }
  return docs;
}
