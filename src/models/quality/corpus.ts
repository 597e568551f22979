/**
 * The training set of a quality classifier in DCLM's recipe (Li et al. 2024, "DataComp-LM", §4.3:
 * fastText on bigrams, positives = instruction-style and explanatory text such as OpenHermes 2.5 and
 * r/ExplainLikeImFive answers, negatives = random web documents; their model
 * `openhermes_reddit_eli5_vs_rw_v2_bigram_200k_train` labels them `hq` and `cc`): documents from
 * the user's positive and negative files, labelled, sampled and split into train and held-out sets.
 *
 * Sampling is independent of file order and task split: each class keeps the `max_per_class`
 * documents with the smallest seeded hash of their id (a bounded heap), then both classes are cut to
 * the smaller one when `balance` is set. A seeded hash of the id also puts `holdout` of each class
 * aside for evaluation. Texts are classified as DCLM classifies them:
 * `" ".join(text.strip().splitlines())` (the same line form RedPajama's wikiref classifier reads).
 * Memory: the kept examples (at most 2 × max_per_class documents).
 */
import { readShard } from '../../io/shards.js';
import type { Example } from '../fasttext-train.js';
import { BottomK, classifierInput, seededHash } from '../wikiref/corpus.js';

export const DCLM_POSITIVE_LABEL = 'hq';
export const DCLM_NEGATIVE_LABEL = 'cc';

export interface QualityCorpusOptions {
  seed: number;
  maxPerClass: number;
  /** Cut both classes to the size of the smaller one. */
  balance: boolean;
  /** Fraction of each class held out for evaluation (0 = none). */
  holdout: number;
  positiveLabel: string;
  negativeLabel: string;
  /** Documents shorter than this (characters) are skipped. */
  minChars: number;
}

export interface QualityTrainingSet {
  train: Example[];
  heldout: Example[];
  positives: number;
  negatives: number;
  scanned: number;
  badRecords: number;
  /** Documents read per class (before --min-chars, sampling and balancing), and bad records per class. */
  read: { positive: number; negative: number };
  bad: { positive: number; negative: number };
}

const TWO_53 = 2 ** 53;

type TrainingClass = 'positive' | 'negative';

async function sample(files: readonly string[], o: QualityCorpusOptions, onBad: (msg: string) => void): Promise<{ train: string[]; heldout: string[]; read: number; bad: number }> {
  let read = 0;
  let bad = 0;
  const train = new BottomK(o.maxPerClass);
  const heldout = new BottomK(Math.ceil(o.maxPerClass * o.holdout) + 1);
  for (const file of [...files].sort()) {
    for await (const doc of readShard(file, {
      source: 'input',
      onBad: (b) => {
        bad++;
        onBad(`${b.file}: ${b.record}: ${b.reason}: ${b.detail}`);
      },
    })) {
      read++;
      if (doc.text.length < o.minChars) continue;
      const key = `${doc.source}\u0000${doc.id}`;
      const held = o.holdout > 0 && seededHash(key, o.seed ^ 0x5eed) / TWO_53 < o.holdout;
      (held ? heldout : train).offer({ key: seededHash(key, o.seed), id: key, text: doc.text });
    }
  }
  return { train: train.sorted().map((c) => c.text), heldout: o.holdout > 0 ? heldout.sorted().map((c) => c.text) : [], read, bad };
}

/** Reads, samples and labels positive and negative documents (JSON lines in any compression). */
export async function buildQualityTrainingSet(
  positive: readonly string[],
  negative: readonly string[],
  o: QualityCorpusOptions,
  onBad: (msg: string, cls: TrainingClass) => void = () => {},
): Promise<QualityTrainingSet> {
  const pos = await sample(positive, o, (m) => onBad(m, 'positive'));
  const neg = await sample(negative, o, (m) => onBad(m, 'negative'));
  const n = o.balance ? Math.min(pos.train.length, neg.train.length) : Infinity;
  const h = o.balance ? Math.min(pos.heldout.length, neg.heldout.length) : Infinity;
  const label = (texts: string[], k: number, lbl: string) => texts.slice(0, k).map((t) => ({ label: lbl, text: classifierInput(t) }));
  const train = [...label(pos.train, n, o.positiveLabel), ...label(neg.train, n, o.negativeLabel)];
  const heldout = [...label(pos.heldout, h, o.positiveLabel), ...label(neg.heldout, h, o.negativeLabel)];
  return {
    train,
    heldout,
    positives: train.filter((e) => e.label === o.positiveLabel).length,
    negatives: train.filter((e) => e.label === o.negativeLabel).length,
    scanned: pos.read + neg.read,
    badRecords: pos.bad + neg.bad,
    read: { positive: pos.read, negative: neg.read },
    bad: { positive: pos.bad, negative: neg.bad },
  };
}
