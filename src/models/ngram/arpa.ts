/**
 * Back-off n-gram language models in the ARPA text format: read any ARPA file (ours, KenLM's
 * `lmplz`, SRILM's), write one, and score sentences the way KenLM's `Model.score(s, bos=True,
 * eos=True)` does, which is what cc_net's perplexity uses.
 *
 * Scoring a word w after context h (log10): if the n-gram h·w is in the model, its probability;
 * otherwise backoff(h) + the score of w after h without its first word (backoff = 0 when h itself
 * is not an n-gram), down to the unigram; a word not in the vocabulary is `<unk>` (KenLM's -100
 * when the model has no `<unk>`). KenLM's state minimisation computes the same numbers.
 *
 * Memory: one Map entry per n-gram (key = the words joined by a space) holding two float64s, plus
 * the native scoring table (~50 bytes per n-gram): roughly 150-250 bytes per n-gram; fine for the
 * sample and for pruned models, use KenLM itself for billion-n-gram models.
 */
import { createReadStream } from 'node:fs';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { CorpusError } from '../../core/errors.js';
import { textNative } from '../../native/addons.js';

export const BOS = '<s>';
export const EOS = '</s>';
export const UNK = '<unk>';
/** SRILM/KenLM convention for `<s>`, which is never predicted. */
export const BOS_LOG10 = -99;

export interface NgramEntry {
  /** log10 probability. */
  p: number;
  /** log10 backoff weight (0 when absent). */
  b: number;
}

/** What the perplexity step needs of a model: its header comments and the two scoring calls. */
export interface NgramScoring {
  readonly order: number;
  readonly comments: Map<string, string>;
  /** KenLM `score(sentence, bos=True, eos=True)`. */
  sentenceLogProb(tokens: readonly string[]): number;
  /** cc_net's DocLM sums with whitespace tokens, or null when the text needs the TypeScript normaliser. */
  scoreWhitespaceDocument(text: string, splitLines: boolean): [number, number] | null;
}

export class NgramModel implements NgramScoring {
  readonly order: number;
  /** One map per order (index 0 = unigrams), keyed by the words joined by ' '. */
  readonly grams: Map<string, NgramEntry>[];
  /** Free-form `# key: value` header comments (we record the tokenizer and normalisation). */
  readonly comments: Map<string, string>;

  constructor(order: number, grams?: Map<string, NgramEntry>[], comments?: Map<string, string>) {
    this.order = order;
    this.grams = grams ?? Array.from({ length: order }, () => new Map());
    this.comments = comments ?? new Map();
  }

  private scorer: NativeScorer | null = null;

  /** The native scoring index (native/text/ngram_lm.cc), built on first use. */
  private index(): NativeScorer {
    if (this.scorer) return this.scorer;
    const { NgramScorer } = textNative<{ NgramScorer: new (order: number, bos: string, eos: string, unk: string) => NativeScorer }>();
    const s = new NgramScorer(this.order, BOS, EOS, UNK);
    for (let n = 1; n <= this.order; n++) {
      const m = this.grams[n - 1]!;
      const p = new Float64Array(m.size);
      const b = new Float64Array(m.size);
      let i = 0;
      for (const e of m.values()) {
        p[i] = e.p;
        b[i++] = e.b;
      }
      s.add(n, [...m.keys()].join('\n'), p, b);
    }
    this.scorer = s;
    return s;
  }

  /** log10 P(word | context), context = the preceding words, oldest first. */
  wordLogProb(context: readonly string[], word: string): number {
    return this.index().logProb([...context, word].join(' '));
  }

  /**
   * cc_net's DocLM sums for a whole document with the `whitespace` tokenizer, in the addon:
   * normalisation (native/text/ccnet_text.cc), tokens, and scoring of each line with `<s>`/`</s>`.
   * Returns [Σ log10 score, Σ (tokens + 1)], or null when the text needs the TypeScript normaliser.
   */
  scoreWhitespaceDocument(text: string, splitLines: boolean): [number, number] | null {
    return this.index().scoreDocument(text, splitLines);
  }

  /** KenLM `score(sentence, bos=True, eos=True)`: the log10 probability of the tokens and `</s>` after `<s>`. */
  sentenceLogProb(tokens: readonly string[]): number {
    return this.index().score(tokens.join(' '));
  }
}

/**
 * Scoring runs in the addon: n-grams in per-order hash tables keyed by their word ids in reverse
 * order. P(w | c1..ck) extends the key w, ck, ck-1, ... to the longest known n-gram; the back-off
 * weights of the longer contexts are found along ck, ck-1, ... (KenLM's probing layout).
 */
interface NativeScorer {
  load(path: string): { order: number; comments: [string, string][] } | { error: string; line: number };
  add(n: number, keys: string, p: Float64Array, b: Float64Array): void;
  score(line: string): number;
  logProb(words: string): number;
  scoreDocument(text: string, splitLines: boolean): [number, number] | null;
}

function fmt(x: number): string {
  // 7 significant digits, as KenLM prints, without exponent noise for ordinary values.
  if (x === 0) return '0';
  return Number(x.toPrecision(7)).toString();
}

/** Writes a model as ARPA, n-grams of each order in the given map order (callers sort). */
export async function writeArpa(model: NgramModel, path: string): Promise<void> {
  const out = createWriteStream(path);
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  for (const [k, v] of model.comments) await write(`# ${k}: ${v}\n`);
  if (model.comments.size) await write('\n');
  await write('\\data\\\n');
  for (let n = 1; n <= model.order; n++) await write(`ngram ${n}=${model.grams[n - 1]!.size}\n`);
  for (let n = 1; n <= model.order; n++) {
    await write(`\n\\${n}-grams:\n`);
    const last = n === model.order;
    for (const [key, e] of model.grams[n - 1]!) {
      await write(last || e.b === 0 ? `${fmt(e.p)}\t${key}\n` : `${fmt(e.p)}\t${key}\t${fmt(e.b)}\n`);
    }
  }
  await write('\n\\end\\\n');
  out.end();
  await once(out, 'finish');
}

/**
 * Loads an ARPA file straight into the addon's scoring tables, without the Maps of `readArpa`:
 * the perplexity step's loader. Same reading rules and errors as `readArpa` (native/text/ngram_lm.cc
 * load()); memory is the tables only, ~50 bytes per n-gram instead of ~250.
 */
export function loadNgramScorer(path: string): NgramScoring {
  const { NgramScorer } = textNative<{ NgramScorer: new (order: number, bos: string, eos: string, unk: string) => NativeScorer }>();
  const s = new NgramScorer(16, BOS, EOS, UNK);
  const r = s.load(path);
  if ('error' in r) throw new CorpusError(r.error, r.line > 0 ? { file: path, record: `line ${r.line}` } : { file: path });
  return {
    order: r.order,
    comments: new Map(r.comments),
    sentenceLogProb: (tokens) => s.score(tokens.join(' ')),
    scoreWhitespaceDocument: (text, splitLines) => s.scoreDocument(text, splitLines),
  };
}

/** Reads an ARPA file (KenLM, SRILM or ours); errors name the file and line. */
export async function readArpa(path: string): Promise<NgramModel> {
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  const declared: number[] = [];
  const comments = new Map<string, string>();
  let grams: Map<string, NgramEntry>[] | null = null;
  let section: 'head' | 'data' | number | 'end' = 'head';
  let lineNo = 0;
  const fail = (msg: string): never => {
    throw new CorpusError(msg, { file: path, record: `line ${lineNo}` });
  };
  for await (const raw of rl) {
    lineNo++;
    const line = raw.trim();
    if (section === 'end') break;
    if (line === '') continue;
    if (section === 'head') {
      const c = /^#\s*([^:]+):\s*(.*)$/.exec(line);
      if (c) comments.set(c[1]!.trim(), c[2]!.trim());
      if (line === '\\data\\') section = 'data';
      continue;
    }
    if (line === '\\end\\') {
      section = 'end';
      continue;
    }
    const hdr = /^\\(\d+)-grams:$/.exec(line);
    if (hdr) {
      const n = Number(hdr[1]);
      if (n < 1 || n > declared.length) fail(`section \\${n}-grams: not declared in \\data\\`);
      grams ??= declared.map(() => new Map());
      section = n;
      continue;
    }
    if (section === 'data') {
      const m = /^ngram\s+(\d+)\s*=\s*(\d+)$/.exec(line);
      if (!m) fail(`expected "ngram N=count" in \\data\\, got "${line.slice(0, 80)}"`);
      declared[Number(m![1]) - 1] = Number(m![2]);
      continue;
    }
    const n = section as number;
    const parts = line.split(/\s+/);
    if (parts.length !== n + 1 && parts.length !== n + 2) fail(`a ${n}-gram line needs a probability, ${n} words and an optional backoff`);
    const p = Number(parts[0]);
    const b = parts.length === n + 2 ? Number(parts[n + 1]) : 0;
    if (!Number.isFinite(p) || !Number.isFinite(b)) fail(`bad number in "${line.slice(0, 80)}"`);
    grams![n - 1]!.set(parts.slice(1, n + 1).join(' '), { p, b });
  }
  if (!grams) throw new CorpusError('not an ARPA file: no \\data\\ section with n-grams', { file: path });
  for (let n = 1; n <= declared.length; n++) {
    if (grams[n - 1]!.size !== declared[n - 1]) {
      throw new CorpusError(`\\data\\ declares ${declared[n - 1]} ${n}-grams but the file has ${grams[n - 1]!.size}`, { file: path });
    }
  }
  return new NgramModel(declared.length, grams, comments);
}
