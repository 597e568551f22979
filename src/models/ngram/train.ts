/**
 * Trains a language model for the perplexity step from JSONL documents (any corpusmill output,
 * typically the Wikipedia stage): each non-empty line of each document, normalised as cc_net does
 * (src/text/ccnet-normalize.ts) and tokenized by the named LmTokenizer, is one sentence. cc_net trained its
 * KenLM models the same way, line by line, on normalised and SentencePiece-encoded Wikipedia text.
 *
 * `trainLmArpa` (the CLI's) runs the native trainer (native-train.ts) and writes the ARPA file;
 * `trainLm` is the TypeScript reference it is tested against byte for byte, and returns the model.
 */
import { readShard } from '../../io/shards.js';
import { ccnetNormalize } from '../../text/ccnet-normalize.js';
import { estimateKneserNey, NgramCounter, type KnEstimate } from './kneser-ney.js';
import { lmTokenizer } from './lm-tokenizer.js';
import { NativeKnTrainer, type KnSummary } from './native-train.js';
import type { Doc } from '../../core/document.js';

export interface LmTrainOptions {
  order: number;
  tokenizer: string;
  /** Stop after this many documents (memory grows with the number of distinct n-grams). */
  maxDocs?: number;
  /** Only documents whose meta.language is this (when set). */
  language?: string;
  onBad?: (msg: string) => void;
}

export interface LmTrainResult extends KnEstimate {
  docs: number;
  sentences: number;
  tokens: number;
  /** Input lines that were not documents (each also reported through onBad). */
  badRecords: number;
}

/** The documents training reads: inputs in sorted order, the language filter and `maxDocs`. */
async function* trainingDocs(inputs: string[], opts: LmTrainOptions, onBad: () => void): AsyncGenerator<Doc> {
  let docs = 0;
  for (const input of [...inputs].sort()) {
    const reader = readShard(input, {
      source: 'lm',
      onBad: (b) => {
        onBad();
        opts.onBad?.(`${b.file}: ${b.record}: ${b.reason}: ${b.detail}`);
      },
    });
    for await (const doc of reader) {
      if (opts.language !== undefined && doc.meta.language !== opts.language) continue;
      if (opts.maxDocs !== undefined && docs >= opts.maxDocs) return;
      docs++;
      yield doc;
    }
  }
}

function headerComments(order: number, tokenizer: string): Map<string, string> {
  return new Map([
    ['corpusmill', 'interpolated modified Kneser-Ney'],
    ['tokenizer', tokenizer],
    ['normalization', 'ccnet'],
    ['order', String(order)],
  ]);
}

/** The TypeScript reference trainer: the whole model in memory (Maps), returned for inspection and tests. */
export async function trainLm(inputs: string[], opts: LmTrainOptions): Promise<LmTrainResult> {
  const tokenizer = await lmTokenizer(opts.tokenizer);
  const counter = new NgramCounter(opts.order);
  let docs = 0;
  let sentences = 0;
  let tokens = 0;
  let badRecords = 0;
  for await (const doc of trainingDocs(inputs, opts, () => badRecords++)) {
    docs++;
    for (const line of doc.text.split('\n')) {
      const norm = ccnetNormalize(line);
      if (norm.length === 0) continue;
      const toks = tokenizer.tokenize(norm);
      counter.addSentence(toks);
      sentences++;
      tokens += toks.length;
    }
  }
  const est = estimateKneserNey(counter);
  for (const [k, v] of headerComments(opts.order, tokenizer.name)) est.model.comments.set(k, v);
  est.model.comments.set('sentences', String(sentences));
  return { ...est, docs, sentences, tokens, badRecords };
}

export interface LmArpaResult extends KnSummary {
  docs: number;
  badRecords: number;
}

/** `corpusmill lm train`: the native trainer, the same ARPA bytes as `trainLm` + `writeArpa`. */
export async function trainLmArpa(inputs: string[], out: string, opts: LmTrainOptions): Promise<LmArpaResult> {
  const tokenizer = await lmTokenizer(opts.tokenizer);
  const trainer = new NativeKnTrainer(opts.order, tokenizer);
  let docs = 0;
  let badRecords = 0;
  for await (const doc of trainingDocs(inputs, opts, () => badRecords++)) {
    docs++;
    trainer.addDocument(doc.text);
  }
  const summary = trainer.write(out, headerComments(opts.order, tokenizer.name));
  return { ...summary, docs, badRecords };
}
