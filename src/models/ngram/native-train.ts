/**
 * The native n-gram trainer (native/text/ngram_train.cc): counts, estimates interpolated modified
 * Kneser-Ney and writes ARPA with the same bytes as the TypeScript trainer (kneser-ney.ts +
 * writeArpa), ~50× faster and in a fraction of the memory.
 *
 * The division of work keeps the numbers identical: the addon does the counting and every +, −, ×, ÷
 * in the TypeScript order, and this module applies JavaScript's own Math.log10 and `**` to the
 * arrays it hands out, so no difference between libm and V8 can reach the file.
 * Lines that the native cc_net normaliser hands back (a Σ whose final form depends on context)
 * are normalised here in TypeScript and added in their place, so sentence order is kept.
 */
import { renameSync, rmSync } from 'node:fs';
import { tmpPath } from '../../io/atomic.js';
import { textNative } from '../../native/addons.js';
import { ccnetNormalize } from '../../text/ccnet-normalize.js';
import { BOS, BOS_LOG10, EOS, UNK } from './arpa.js';
import type { LmTokenizer } from './lm-tokenizer.js';

interface NativeTrainer {
  addDocument(text: string, fromLine: number): number;
  addText(text: string): number;
  prepare(): { ngrams: number[]; discounts: { d: [number, number, number]; fallback: boolean }[]; bos: number; sentences: number; tokens: number };
  interpolate(n: number): Float64Array;
  setLogs(n: number, logs: Float64Array, pows: Float64Array): void;
  gammas(n: number): Float64Array;
  setBackoffs(n: number, b: Float64Array): void;
  write(path: string, header: string): void;
}

export interface KnSummary {
  sentences: number;
  tokens: number;
  /** Distinct n-grams per order (unigrams include `<s>`, `<unk>` and `</s>`). */
  ngrams: number[];
  discounts: { d: [number, number, number]; fallback: boolean }[];
}

export class NativeKnTrainer {
  readonly order: number;
  private readonly t: NativeTrainer;
  private readonly tokenizer: LmTokenizer;

  constructor(order: number, tokenizer: LmTokenizer) {
    if (!Number.isInteger(order) || order < 1 || order > 10) throw new RangeError(`order must be 1..10, got ${order}`);
    const { NgramTrainer } = textNative<{ NgramTrainer: new (order: number, bos: string, eos: string, unk: string) => NativeTrainer }>();
    this.order = order;
    this.t = new NgramTrainer(order, BOS, EOS, UNK);
    this.tokenizer = tokenizer;
  }

  /** Every non-empty line of a document, normalised as cc_net does, is one sentence. */
  addDocument(text: string): void {
    if (this.tokenizer.name === 'whitespace') {
      // The addon splits on JavaScript's `\s`, exactly as the whitespace tokenizer does.
      let from = 0;
      for (;;) {
        const k = this.t.addDocument(text, from);
        if (k < 0) return;
        const norm = ccnetNormalize(text.split('\n')[k]!);
        if (norm.length > 0) this.t.addText(norm);
        from = k + 1;
      }
    }
    for (const line of text.split('\n')) {
      const norm = ccnetNormalize(line);
      if (norm.length === 0) continue;
      // Tokens hold no whitespace, so the addon's split of the joined string gives them back.
      this.t.addText(this.tokenizer.tokenize(norm).join(' '));
    }
  }

  /** Estimates the model and writes it as ARPA (atomically) with `# key: value` comment lines. */
  write(path: string, comments: Map<string, string>): KnSummary {
    const N = this.order;
    const prep = this.t.prepare();
    for (let n = 1; n <= N; n++) {
      const p = this.t.interpolate(n);
      const logs = new Float64Array(p.length);
      const pows = new Float64Array(n < N ? p.length : 0);
      for (let i = 0; i < p.length; i++) {
        const l = n === 1 && i === prep.bos ? BOS_LOG10 : Math.log10(p[i]!);
        logs[i] = l;
        if (n < N) pows[i] = 10 ** l;
      }
      this.t.setLogs(n, logs, pows);
    }
    for (let n = 1; n < N; n++) {
      const g = this.t.gammas(n + 1);
      for (let i = 0; i < g.length; i++) if (!Number.isNaN(g[i]!)) g[i] = Math.log10(g[i]!);
      this.t.setBackoffs(n, g);
    }
    const all = new Map(comments);
    all.set('sentences', String(prep.sentences));
    let header = '';
    for (const [k, v] of all) header += `# ${k}: ${v}\n`;
    if (all.size) header += '\n';
    const tmp = tmpPath(path);
    try {
      this.t.write(tmp, header);
      renameSync(tmp, path);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
    return { sentences: prep.sentences, tokens: prep.tokens, ngrams: prep.ngrams, discounts: prep.discounts };
  }
}
