/**
 * Trains a language model for the perplexity step from JSONL documents (any corpusmill output,
 * typically the Wikipedia stage): each non-empty line of each document, normalised as cc_net does
 * (src/text/ccnet-normalize.ts) and tokenized by the named LmTokenizer, is one sentence. cc_net trained its
 * KenLM models the same way, line by line, on normalised and SentencePiece-encoded Wikipedia text.
 */
import { readShard } from '../../io/shards.js';
import { ccnetNormalize } from '../../text/ccnet-normalize.js';
import { estimateKneserNey, NgramCounter, type KnEstimate } from './kneser-ney.js';
import { lmTokenizer } from './lm-tokenizer.js';

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

export async function trainLm(inputs: string[], opts: LmTrainOptions): Promise<LmTrainResult> {
  const tokenizer = await lmTokenizer(opts.tokenizer);
  const counter = new NgramCounter(opts.order);
  let docs = 0;
  let sentences = 0;
  let tokens = 0;
  let badRecords = 0;
  outer: for (const input of [...inputs].sort()) {
    const reader = readShard(input, {
      source: 'lm',
      onBad: (b) => {
        badRecords++;
        opts.onBad?.(`${b.file}: ${b.record}: ${b.reason}: ${b.detail}`);
      },
    });
    for await (const doc of reader) {
      if (opts.language !== undefined && doc.meta.language !== opts.language) continue;
      if (opts.maxDocs !== undefined && docs >= opts.maxDocs) break outer;
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
  }
  const est = estimateKneserNey(counter);
  est.model.comments.set('corpusmill', 'interpolated modified Kneser-Ney');
  est.model.comments.set('tokenizer', tokenizer.name);
  est.model.comments.set('normalization', 'ccnet');
  est.model.comments.set('order', String(opts.order));
  est.model.comments.set('sentences', String(sentences));
  return { ...est, docs, sentences, tokens, badRecords };
}
