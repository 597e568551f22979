/**
 * Shared by the tokenizer tests: the sample corpus as raw bytes, a SentencePiece ModelProto writer (to
 * hand the LLaMA vocabulary to Debian's `spm_encode`), and the edge-case texts.
 */
import { testData } from '../helpers.js';
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, gunzipSync } from 'node:zlib';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The real files of test/data (origins and licences in its MANIFEST.md). */
export const samplesDir = testData;

export interface SampleText {
  name: string;
  bytes: Buffer;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out;
}

let cache: SampleText[] | undefined;

/** Every file under test/data, decompressed (gzip, bzip2), as raw bytes (may be invalid UTF-8). */
export function sampleTexts(): SampleText[] {
  if (cache) return cache;
  cache = listFiles(samplesDir).map((p) => {
    let bytes = readFileSync(p);
    if (p.endsWith('.gz'))
      bytes = gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH }); // one sample is a clipped stream
    else if (p.endsWith('.bz2')) bytes = execFileSync('bzip2', ['-dc', p], { maxBuffer: 1 << 30 });
    return { name: relative(samplesDir, p), bytes };
  });
  return cache;
}

/** Documents for the slow JS references: paragraphs of every sample, at most `perFile` bytes per file. */
export function sampleParagraphs(perFile: number): string[] {
  const docs: string[] = [];
  for (const s of sampleTexts()) {
    const text = new TextDecoder().decode(s.bytes.subarray(0, perFile));
    for (const p of text.split(/\r?\n\s*\r?\n/)) if (p.length) docs.push(p);
  }
  return docs;
}

/** Hand-made edge cases: whitespace runs, digits, emoji, CJK, combining marks, specials typed as text, long words. */
export function edgeCases(): string[] {
  return [
    '',
    ' ',
    '  ',
    '   ',
    '\t',
    '\n',
    '\n\n\n',
    ' \n',
    '\n ',
    'a\n  ',
    '  a  ',
    `a${' '.repeat(40)}b`,
    ' '.repeat(100),
    '0123456789',
    '1'.repeat(1000),
    'about 25 and 3.14159 or 1,000,000',
    '🦙',
    '🦙Ꙋ',
    'Ꙋ🦙',
    '👩‍👩‍👧‍👦 family 🏳️‍🌈',
    '镇',
    '日本語のテキストと中文文本，以及한국어。',
    'e\u0301 a\u0300 n\u0303 Z\u0351\u0315\u0300',
    'Ελληνικά Русский עברית العربية हिन्दी',
    '<s>',
    '</s>',
    '<unk>',
    'text <s> in </s> the <unk> middle',
    '▁',
    'a▁b',
    '▁▁ ▁',
    '\u00a0nbsp\u3000ideographic\u2003em',
    'x'.repeat(5000),
    'ab'.repeat(3000),
    'supercalifragilisticexpialidocious'.repeat(50),
    '\u0000\u0001\u007f',
    'ax\n####\nboo',
    '\ttabs\t\t\t\tout here',
    "don't I'll we've 'S'LL",
    '\ufeffBOM',
    '\u0085NEL',
    '\ud7ff\ue000\uffff',
  ];
}

/** Invalid UTF-8 byte strings (sentencepiece replaces each bad byte by U+FFFD). */
export function invalidUtf8Cases(): Buffer[] {
  return [
    Buffer.from([0xff]),
    Buffer.from([0x61, 0x80, 0x62]),
    Buffer.from([0xc3]),
    Buffer.from([0xe2, 0x96]),
    Buffer.from([0xe2, 0x96, 0x41]),
    Buffer.from([0xc0, 0xaf]),
    Buffer.from([0xed, 0xa0, 0x80]),
    Buffer.from([0xf4, 0x90, 0x80, 0x80]),
    Buffer.from([0xf0, 0x9f, 0xa6]),
    Buffer.from('hello \xff\xfe world', 'latin1'),
    Buffer.from([0x20, 0xef, 0xbf, 0xbd, 0x20]),
  ];
}

// ---- SentencePiece ModelProto writer (test side, mirrors sentencepiece_model.proto field numbers) ----

function varint(n: number): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, BigInt(n));
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
}
function field(num: number, wire: number): number[] {
  return varint((num << 3) | wire);
}
function lenDelim(num: number, bytes: Uint8Array | number[]): number[] {
  return [...field(num, 2), ...varint(bytes.length), ...bytes];
}

export interface ProtoPiece {
  piece: string;
  score: number;
  type: number;
}

/** A BPE ModelProto with byte fallback and the identity normaliser (LLaMA's settings). */
export function writeModelProto(pieces: ProtoPiece[], opts: { unkId: number; bosId: number; eosId: number }): Buffer {
  const out: number[] = [];
  const f32 = Buffer.alloc(4);
  for (const p of pieces) {
    f32.writeFloatLE(p.score);
    const body = [...lenDelim(1, Buffer.from(p.piece, 'utf8')), ...field(2, 5), ...f32, ...field(3, 0), ...varint(p.type)];
    out.push(...lenDelim(1, body));
  }
  const trainer = [
    ...field(3, 0),
    ...varint(2), // model_type BPE
    ...field(4, 0),
    ...varint(pieces.length),
    ...field(35, 0),
    ...varint(1), // byte_fallback
    ...field(40, 0),
    ...varint(opts.unkId),
    ...field(41, 0),
    ...varint(opts.bosId),
    ...field(42, 0),
    ...varint(opts.eosId),
    ...field(43, 0),
    ...varint(-1),
  ];
  out.push(...lenDelim(2, trainer));
  const normalizer = [...lenDelim(1, Buffer.from('identity')), ...field(3, 0), ...varint(1), ...field(4, 0), ...varint(0)];
  out.push(...lenDelim(3, normalizer));
  return Buffer.from(out);
}

/** Runs `spm_encode --output_format=id` over lines; returns one id array per line. */
export function spmEncodeLines(modelPath: string, lines: Buffer[]): number[][] {
  const input = Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]));
  const r = spawnSync('spm_encode', [`--model=${modelPath}`, '--output_format=id'], { input, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`spm_encode failed: ${r.stderr.toString()}`);
  const out = r.stdout.toString('utf8').split('\n');
  out.pop();
  return out.map((l) => (l.length ? l.split(' ').map(Number) : []));
}

/** Splits bytes into lines at \n (the unit spm_encode reads). */
export function splitLines(bytes: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, start)) {
    lines.push(bytes.subarray(start, i));
    start = i + 1;
  }
  if (start < bytes.length) lines.push(bytes.subarray(start));
  return lines;
}

/** A legacy-style LLaMA `tokenizer.json` (Prepend + Replace normalizer, BPE with byte fallback), as HF's converter writes it. */
export function llamaTokenizerJson(pieces: string[], merges: Uint32Array): string {
  const special = (id: number) => ({ id, content: pieces[id], single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const vocab: Record<string, number> = {};
  for (const [i, p] of pieces.entries()) vocab[p] = i;
  const mergeList: string[] = [];
  for (let k = 0; k < merges.length; k += 2) mergeList.push(`${pieces[merges[k]!]} ${pieces[merges[k + 1]!]}`);
  return JSON.stringify({
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(0), special(1), special(2)],
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Prepend', prepend: '▁' },
        { type: 'Replace', pattern: { String: ' ' }, content: '▁' },
      ],
    },
    pre_tokenizer: null,
    post_processor: null,
    decoder: null,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<unk>',
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: true,
      vocab,
      merges: mergeList,
    },
  });
}

/** The LLaMA vocabulary as a SentencePiece ModelProto: scores from the merge order (best merge = highest score). */
export function llamaModelProto(pieces: string[], merges: Uint32Array): Buffer {
  const idOf = new Map(pieces.map((p, i) => [p, i] as [string, number]));
  const first = new Map<number, number>();
  for (let k = 0; k < merges.length / 2; k++) {
    const id = idOf.get(pieces[merges[2 * k]!]! + pieces[merges[2 * k + 1]!]!)!;
    if (!first.has(id)) first.set(id, k);
  }
  const proto = pieces.map((piece, i) => ({
    piece,
    score: first.has(i) ? -first.get(i)! : i < 259 ? 0 : -1e9,
    type: i === 0 ? 2 : i < 3 ? 3 : i < 259 ? 6 : 1,
  }));
  return writeModelProto(proto, { unkId: 0, bosId: 1, eosId: 2 });
}

/** Asserts two id lists per document are equal; reports the first differing documents with context. */
export function diffIds(label: string, docs: ReadonlyArray<string | Uint8Array>, want: number[][], got: ArrayLike<number>[]): { docs: number; ids: number; bad: string[] } {
  const bad: string[] = [];
  let ids = 0;
  for (let i = 0; i < docs.length; i++) {
    const w = want[i]!,
      g = Array.from(got[i]!);
    ids += w.length;
    if (w.length !== g.length || w.some((x, k) => x !== g[k])) {
      const k = w.findIndex((x, j) => x !== g[j]);
      const text = typeof docs[i] === 'string' ? (docs[i] as string) : Buffer.from(docs[i] as Uint8Array).toString('latin1');
      if (bad.length < 5) bad.push(`${label} doc ${i} ${JSON.stringify(text.slice(0, 80))}: first diff at ${k}: want ${w.slice(k, k + 8)} got ${g.slice(k, k + 8)}`);
      else bad.push('');
    }
  }
  return { docs: docs.length, ids, bad };
}
