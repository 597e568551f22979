/**
 * Trains a fastText-style supervised linear classifier (bag of words + hashed word bigrams,
 * averaged embeddings, softmax) and writes it in fastText's own `.bin` format (version 12), so
 * the same native loader scores it and Debian's `fasttext predict` can check it.
 *
 * Deterministic by construction: single-threaded SGD, examples visited in an order shuffled by a
 * seeded PRNG, weights initialised from the same PRNG, and the vocabulary sorted by (count desc,
 * word); the same data, settings and seed give the same model bytes (on the same Node.js major,
 * whose Math.exp is fixed).
 *
 * Features are computed exactly as fastText's Dictionary::getLine does for supervised models
 * (whitespace tokens, an end-of-line `</s>` token, word ids, FNV-1a word hashes mixed into bigram
 * buckets), so a trained model predicts the same in fastText as here. Training itself follows
 * fastText's supervised update (softmax loss, gradient averaged over the input rows, linearly
 * decaying learning rate) without claiming bit-identical weights to fastText's multi-threaded run.
 *
 * The written file (little endian):
 *   int32 793712314, int32 12; args (int32 dim, ws, epoch, minCount, neg, wordNgrams, loss=3 softmax,
 *   model=3 supervised, bucket, minn=0, maxn=0, lrUpdateRate; float64 t);
 *   dictionary (int32 size, nwords, nlabels; int64 ntokens, pruneidx_size=-1; entries: word\0,
 *   int64 count, int8 type); uint8 0 (dense input); int64 rows, int64 dim, float32 weights;
 *   uint8 0 (dense output); int64 labels, int64 dim, float32 weights.
 * Memory: (vocabulary + bucket) x dim float32 for the input matrix (bucket 2^18, dim 16: 16 MB).
 */
import { LABEL_PREFIX } from './fasttext.js';
import { rng as mulberry32 } from '../core/rng.js';

const EOS_TOKEN = '</s>';
const MAGIC = 793712314;
const VERSION = 12;
const LOSS_SOFTMAX = 3;
const MODEL_SUPERVISED = 3;

export interface LinearTrainOptions {
  dim: number;
  epochs: number;
  lr: number;
  /** Word n-gram length (2 = unigrams + bigrams). */
  wordNgrams: number;
  bucket: number;
  minCount: number;
  seed: number;
}

export const DEFAULT_TRAIN_OPTIONS: LinearTrainOptions = { dim: 16, epochs: 5, lr: 0.1, wordNgrams: 2, bucket: 1 << 18, minCount: 1, seed: 1 };

export interface Example {
  label: string;
  text: string;
}

/** fastText readWord separators. */
const FT_SPACE = /[ \n\r\t\v\f\0]+/;

/**
 * The tokens fastText reads from one line, plus `</s>` (text after a '\n' is another line and
 * ignored). Tokens that look like labels (`__label__x`) are not features for fastText, so they go.
 */
export function fastTextTokens(text: string): string[] {
  const line = text.split('\n', 1)[0]!;
  const toks = line.split(FT_SPACE).filter((t) => t.length > 0 && !t.startsWith(LABEL_PREFIX));
  toks.push(EOS_TOKEN);
  return toks;
}

const encoder = new TextEncoder();

/** fastText Dictionary::hash: FNV-1a 32 over UTF-8 bytes read as signed chars. */
export function fastTextHash(word: string): number {
  let h = 2166136261;
  for (const byte of encoder.encode(word)) {
    const signed = byte >= 0x80 ? byte - 0x100 : byte;
    h = Math.imul(h ^ (signed >>> 0), 16777619) >>> 0;
  }
  return h >>> 0;
}

const MASK64 = (1n << 64n) - 1n;

/** Input rows of a line: word ids, then hashed word n-grams (Dictionary::getLine + addWordNgrams). */
export function fastTextFeatures(tokens: readonly string[], vocab: ReadonlyMap<string, number>, nwords: number, wordNgrams: number, bucket: number): number[] {
  const ids: number[] = [];
  const hashes: bigint[] = [];
  for (const t of tokens) {
    if (t.startsWith(LABEL_PREFIX)) continue;
    const id = vocab.get(t);
    if (id !== undefined) ids.push(id);
    // The int32 hash is sign-extended to 64 bits, as fastText's `uint64_t h = hashes[i]` does.
    hashes.push(BigInt.asUintN(64, BigInt(fastTextHash(t) | 0)));
  }
  const b = BigInt(bucket);
  for (let i = 0; i < hashes.length; i++) {
    let h = hashes[i]!;
    for (let j = i + 1; j < hashes.length && j < i + wordNgrams; j++) {
      h = (h * 116049371n + hashes[j]!) & MASK64;
      ids.push(nwords + Number(h % b));
    }
  }
  return ids;
}

interface Entry {
  word: string;
  count: number;
}

function sortEntries(m: Map<string, number>): Entry[] {
  return [...m].map(([word, count]) => ({ word, count })).sort((x, y) => y.count - x.count || (x.word < y.word ? -1 : x.word > y.word ? 1 : 0));
}

export interface TrainedLinearModel {
  bytes: Buffer;
  labels: string[];
  nwords: number;
  examples: number;
}

export function trainLinearClassifier(examples: readonly Example[], options: Partial<LinearTrainOptions> = {}): TrainedLinearModel {
  const o = { ...DEFAULT_TRAIN_OPTIONS, ...options };
  if (examples.length === 0) throw new Error('no training examples');
  const tokenized = examples.map((e) => fastTextTokens(e.text));
  const wordCounts = new Map<string, number>();
  const labelCounts = new Map<string, number>();
  let ntokens = 0;
  tokenized.forEach((toks, i) => {
    for (const t of toks) wordCounts.set(t, (wordCounts.get(t) ?? 0) + 1);
    const label = LABEL_PREFIX + examples[i]!.label;
    labelCounts.set(label, (labelCounts.get(label) ?? 0) + 1);
    ntokens += toks.length + 1;
  });
  const words = sortEntries(wordCounts).filter((e) => e.count >= o.minCount);
  const labels = sortEntries(labelCounts);
  if (labels.length < 2) throw new Error('training needs at least two labels');
  const vocab = new Map(words.map((e, i) => [e.word, i]));
  const nwords = words.length;
  const labelIndex = new Map(labels.map((e, i) => [e.word, i]));
  const data = tokenized.map((toks, i) => ({
    ids: fastTextFeatures(toks, vocab, nwords, o.wordNgrams, o.bucket),
    target: labelIndex.get(LABEL_PREFIX + examples[i]!.label)!,
  }));

  const rand = mulberry32(o.seed);
  const rows = nwords + o.bucket;
  const dim = o.dim;
  const input = new Float32Array(rows * dim);
  // fastText initialises the input matrix uniformly in [-1/dim, 1/dim] and the output with zeros.
  for (let i = 0; i < input.length; i++) input[i] = (rand() * 2 - 1) / dim;
  const nl = labels.length;
  const output = new Float32Array(nl * dim);
  const hidden = new Float64Array(dim);
  const grad = new Float64Array(dim);
  const scores = new Float64Array(nl);
  const order = data.map((_, i) => i);
  const total = o.epochs * data.length;
  let step = 0;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    // Fisher-Yates with the seeded PRNG: a fixed, seed-dependent visiting order.
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const idx of order) {
      const { ids, target } = data[idx]!;
      const lr = o.lr * (1 - step / total);
      step++;
      if (ids.length === 0) continue;
      hidden.fill(0);
      for (const id of ids) for (let d = 0; d < dim; d++) hidden[d]! += input[id * dim + d]!;
      for (let d = 0; d < dim; d++) hidden[d]! /= ids.length;
      let max = -Infinity;
      for (let l = 0; l < nl; l++) {
        let s = 0;
        for (let d = 0; d < dim; d++) s += output[l * dim + d]! * hidden[d]!;
        scores[l] = s;
        if (s > max) max = s;
      }
      let z = 0;
      for (let l = 0; l < nl; l++) z += scores[l] = Math.exp(scores[l]! - max);
      grad.fill(0);
      for (let l = 0; l < nl; l++) {
        const alpha = lr * ((l === target ? 1 : 0) - scores[l]! / z);
        for (let d = 0; d < dim; d++) {
          grad[d]! += alpha * output[l * dim + d]!;
          output[l * dim + d]! += alpha * hidden[d]!;
        }
      }
      for (const id of ids) for (let d = 0; d < dim; d++) input[id * dim + d]! += grad[d]! / ids.length;
    }
  }
  const bytes = serialize({ o, words, labels, ntokens, input, output, rows });
  return { bytes, labels: labels.map((l) => l.word.slice(LABEL_PREFIX.length)), nwords, examples: data.length };
}

function serialize(m: { o: LinearTrainOptions; words: Entry[]; labels: Entry[]; ntokens: number; input: Float32Array; output: Float32Array; rows: number }): Buffer {
  const parts: Buffer[] = [];
  const i32 = (...v: number[]) => {
    const b = Buffer.alloc(4 * v.length);
    for (let i = 0; i < v.length; i++) b.writeInt32LE(v[i]!, 4 * i);
    parts.push(b);
  };
  const i64 = (v: number) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(BigInt(v));
    parts.push(b);
  };
  const u8 = (v: number) => parts.push(Buffer.from([v]));
  const f32 = (a: Float32Array) => parts.push(Buffer.from(a.buffer, a.byteOffset, a.byteLength));
  const { o } = m;
  i32(MAGIC, VERSION);
  i32(o.dim, 5, o.epochs, o.minCount, 5, o.wordNgrams, LOSS_SOFTMAX, MODEL_SUPERVISED, o.bucket, 0, 0, 100);
  const t = Buffer.alloc(8);
  t.writeDoubleLE(1e-4);
  parts.push(t);
  i32(m.words.length + m.labels.length, m.words.length, m.labels.length);
  i64(m.ntokens);
  i64(-1);
  for (const [entries, type] of [
    [m.words, 0],
    [m.labels, 1],
  ] as const) {
    for (const e of entries) {
      parts.push(Buffer.from(`${e.word}\0`, 'utf8'));
      i64(e.count);
      u8(type);
    }
  }
  u8(0);
  i64(m.rows);
  i64(o.dim);
  f32(m.input);
  u8(0);
  i64(m.labels.length);
  i64(o.dim);
  f32(m.output);
  return Buffer.concat(parts);
}
