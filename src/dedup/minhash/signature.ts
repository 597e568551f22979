/**
 * MinHash signatures with RedPajama-V2's definition (app/src/dedupe/minhash.py): word n-gram shingles
 * (13 by default) over RPv2-normalized words, SHA-1 → 32-bit shingle hashes, and the universal-hash
 * permutations numpy RandomState(42) draws (data/perms-seed42.json, made by scripts/gen-minhash-perms.py).
 * The hashing runs in the native addon (native/text/minhash.cc) over a batch of documents.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { textNative } from '../../native/addons.js';
import { FOLD_BYTES, FOLD_FULL, foldChars, foldPlan } from '../../text/rpv2-normalize.js';
import { ConfigError } from '../../core/errors.js';

interface MinhashNative {
  minhashBatch(text: Buffer, offsets: Uint32Array, ngram: number, a: BigUint64Array, b: BigUint64Array, out: Uint32Array, folded?: boolean, raw?: Uint8Array): Uint8Array;
  sha1Hash32(buf: Buffer): number;
  shingleHashes(text: Buffer, offsets: Uint32Array, ngram: number): { hashes: Uint32Array; index: Uint32Array };
}

interface PermFile {
  seed: number;
  a: string[];
  b: string[];
}

function permPath(): string {
  const here = fileURLToPath(new URL('./data/perms-seed42.json', import.meta.url));
  return existsSync(here) ? here : here.replace(/([\\/])dist[\\/]src[\\/]/, '$1src$1');
}

let perms: PermFile | undefined;
/** Parsed permutations by count: a scan task builds a MinHasher, and BigInt parsing costs more than a small task's hashing. */
const permCache = new Map<number, { a: BigUint64Array; b: BigUint64Array }>();

/** The first `n` (a, b) permutation pairs of RPv2's RandomState(42) draws (shared arrays: do not modify). */
export function rpv2Permutations(n: number): { a: BigUint64Array; b: BigUint64Array } {
  let got = permCache.get(n);
  if (got) return got;
  perms ??= JSON.parse(readFileSync(permPath(), 'utf8')) as PermFile;
  if (n < 1 || n > perms.a.length) throw new ConfigError(`perms must be between 1 and ${perms.a.length} (got ${n})`);
  got = { a: BigUint64Array.from(perms.a.slice(0, n), BigInt), b: BigUint64Array.from(perms.b.slice(0, n), BigInt) };
  permCache.set(n, got);
  return got;
}

export interface SignatureBatch {
  /** `perms` uint32 values per document, document after document. */
  sigs: Uint32Array;
  /** 1 where the document had at least `ngram` words (otherwise RPv2's signature is null). */
  valid: Uint8Array;
}

export class MinHasher {
  readonly perms: number;
  readonly ngram: number;
  private readonly a: BigUint64Array;
  private readonly b: BigUint64Array;
  private readonly native = textNative<MinhashNative>();

  constructor(opts: { perms?: number; ngram?: number } = {}) {
    this.perms = opts.perms ?? 128;
    this.ngram = opts.ngram ?? 13;
    ({ a: this.a, b: this.b } = rpv2Permutations(this.perms));
  }

  /**
   * Signatures of raw texts, normalized the RPv2 way: the addon folds most texts byte-wise (ASCII
   * punctuation deleted, A-Z lower-cased; foldPlan), the others are folded here (punctuation, case,
   * NFD); the addon strips and collapses the whitespace while it splits words.
   */
  signatures(texts: readonly string[]): SignatureBatch {
    const { buf, offsets, raw } = packRaw(texts);
    const sigs = new Uint32Array(texts.length * this.perms);
    const valid = this.native.minhashBatch(buf, offsets, this.ngram, this.a, this.b, sigs, true, raw);
    return { sigs, valid };
  }

  /** Signatures of texts already normalized (words separated by single spaces). */
  signaturesOfNormalized(norm: readonly string[]): SignatureBatch {
    const { buf, offsets } = pack(norm);
    const sigs = new Uint32Array(norm.length * this.perms);
    const valid = this.native.minhashBatch(buf, offsets, this.ngram, this.a, this.b, sigs);
    return { sigs, valid };
  }
}

let scratch = Buffer.allocUnsafe(1 << 20);

/** Makes the scratch buffer hold at least `size` bytes, keeping its first `keep` bytes. */
function reserve(size: number, keep: number): void {
  if (scratch.length >= size) return;
  const bigger = Buffer.allocUnsafe(Math.max(size, scratch.length * 2));
  scratch.copy(bigger, 0, 0, keep);
  scratch = bigger;
}

/**
 * Texts as one UTF-8 buffer and the byte offset of each (n + 1 entries). The buffer is reused by the
 * next call: the addon reads (and, for folded texts, rewrites) it before this returns to the caller.
 */
function pack(texts: readonly string[]): { buf: Buffer; offsets: Uint32Array } {
  let most = 0;
  for (const t of texts) most += t.length * 3; // a UTF-16 unit is at most 3 UTF-8 bytes
  reserve(most, 0);
  const offsets = new Uint32Array(texts.length + 1);
  let bytes = 0;
  for (let i = 0; i < texts.length; i++) {
    bytes += scratch.write(texts[i]!, bytes, 'utf8');
    offsets[i + 1] = bytes;
  }
  return { buf: scratch, offsets };
}

/**
 * Raw texts packed as `pack` does, with `raw[i]` 1 where the addon is to fold text i byte-wise: a
 * pure-ASCII text or one whose foldPlan allows it (as it is, or after NFD here); any other text is
 * replaced by its `foldChars`.
 */
function packRaw(texts: readonly string[]): { buf: Buffer; offsets: Uint32Array; raw: Uint8Array } {
  const offsets = new Uint32Array(texts.length + 1);
  const raw = new Uint8Array(texts.length);
  let bytes = 0;
  for (let i = 0; i < texts.length; i++) {
    const t = texts[i]!;
    reserve(bytes + t.length * 3, bytes); // a UTF-16 unit is at most 3 UTF-8 bytes
    const n = scratch.write(t, bytes, 'utf8');
    const plan = n === t.length ? FOLD_BYTES : foldPlan(t);
    if (plan === FOLD_BYTES) {
      bytes += n;
    } else {
      const f = plan === FOLD_FULL ? foldChars(t) : t.normalize('NFD'); // both may lengthen the text
      reserve(bytes + f.length * 3, bytes);
      bytes += scratch.write(f, bytes, 'utf8');
    }
    raw[i] = plan === FOLD_FULL ? 0 : 1;
    offsets[i + 1] = bytes;
  }
  return { buf: scratch, offsets, raw };
}

/**
 * Each normalized text's distinct shingle hashes (the sets MinHash estimates the Jaccard similarity
 * of), sorted, document d at hashes[index[d], index[d + 1]).
 */
export function shingleSets(norm: readonly string[], ngram: number): { hashes: Uint32Array; index: Uint32Array } {
  const { buf, offsets } = pack(norm);
  return textNative<MinhashNative>().shingleHashes(buf, offsets, ngram);
}

/** Jaccard similarity of two sorted sets of distinct values. */
export function jaccard(a: Uint32Array, b: Uint32Array): number {
  let i = 0;
  let j = 0;
  let inter = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      inter++;
      i++;
      j++;
    } else if (a[i]! < b[j]!) i++;
    else j++;
  }
  const union = a.length + b.length - inter;
  return union === 0 ? 0 : inter / union;
}

/** RPv2's band byte strings: big-endian uint32 slices [i*rows, (i+1)*rows) of a signature, hex-encoded. */
export function rpv2Bands(sig: Uint32Array, bands: number, rows: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < bands; i++) {
    let hex = '';
    for (let r = 0; r < rows; r++) hex += sig[i * rows + r]!.toString(16).padStart(8, '0');
    out.push(hex);
  }
  return out;
}
