/**
 * `corpusmill classifier refs|train`: fastText-format classifiers for the model-based filters.
 * - The Wikipedia-reference classifier of LLaMA's CommonCrawl (RedPajama rp_v1
 *   data_prep/cc/classifier): `refs` extracts the URLs cited in a Wikipedia dump's `<ref>` tags;
 *   `train --urls` labels CommonCrawl documents whose URL is cited as `wiki` and a seeded random
 *   sample of the others as `cc`; the `wikiref_classifier` step loads the model.
 * - A quality classifier in DCLM's recipe: `train --positive <files> --negative <files>` labels the
 *   two document sets `hq` and `cc` (models/quality/corpus.ts), holds some out and reports accuracy
 *   on them; the `quality_classifier` step loads the model.
 * Both train the same deterministic linear model (models/fasttext-train.ts) that fastText reads.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { ConfigError } from '../../core/errors.js';
import { createLogger } from '../../core/log.js';
import { qualityScorer } from '../../filters/quality-classifier.js';
import { FastTextClassifier } from '../../models/fasttext.js';
import { DEFAULT_TRAIN_OPTIONS, type Example, type LinearTrainOptions, trainLinearClassifier } from '../../models/fasttext-train.js';
import { buildQualityTrainingSet, DCLM_NEGATIVE_LABEL, DCLM_POSITIVE_LABEL } from '../../models/quality/corpus.js';
import { buildTrainingSet, MIN_POSITIVE_CHARS, readUrlSet } from '../../models/wikiref/corpus.js';
import { extractReferenceUrls } from '../../models/wikiref/extract.js';
import { intOption } from '../options.js';

/** Bad training records shown one by one before the rest are only counted. */
const SHOWN_BAD_RECORDS = 10;

function numberOption(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

export function registerClassifier(program: Command): void {
  const cmd = program.command('classifier').description('fastText classifiers: Wikipedia reference URLs, wikiref and quality training');
  cmd
    .command('refs')
    .description('extract the URLs cited in <ref> tags of Wikipedia dumps (XML, .bz2/.gz/.zst) or wikitext JSONL')
    .argument('<inputs...>', 'pages-articles dumps or JSONL documents whose text is wikitext')
    .requiredOption('--out <file>', 'URL list to write, one per line')
    .option('--json', 'machine-readable summary')
    .action(async (inputs: string[], o: { out: string; json?: boolean }) => {
      const log = createLogger('refs');
      const res = await extractReferenceUrls(inputs, (m) => log.warn(m));
      writeFileSync(o.out, res.urls.map((u) => `${u}\n`).join(''));
      const summary = { out: o.out, urls: res.urls.length, cited: res.cited, bad_records: res.badRecords };
      process.stdout.write(o.json ? `${JSON.stringify(summary)}\n` : `wrote ${o.out}: ${res.urls.length} distinct URLs (${res.cited} citations)\n`);
    });
  cmd
    .command('train')
    .description('train a fastText-format classifier: --urls (cited pages vs CommonCrawl, wikiref) or --positive/--negative (quality, DCLM recipe)')
    .argument('[inputs...]', 'with --urls: CommonCrawl JSONL documents with meta.url')
    .option('--urls <file>', 'wikiref: reference URLs (from `classifier refs`)')
    .option('--positive <files...>', 'quality: documents of the positive class (JSON lines, any compression)')
    .option('--negative <files...>', 'quality: documents of the negative class')
    .requiredOption('--out <file>', 'model file to write (fastText .bin format)')
    .option('--seed <n>', 'seed for sampling, initialisation and example order', intOption, DEFAULT_TRAIN_OPTIONS.seed)
    .option('--negatives-per-positive <x>', 'wikiref: negatives per positive', numberOption, 1)
    .option('--max-negatives <n>', 'wikiref: cap on negatives held while scanning', intOption, 1_000_000)
    .option('--min-positive-chars <n>', 'wikiref: shortest positive page (RedPajama: 1000)', intOption, MIN_POSITIVE_CHARS)
    .option('--positive-label <label>', 'quality: label of the positive class', DCLM_POSITIVE_LABEL)
    .option('--negative-label <label>', 'quality: label of the negative class', DCLM_NEGATIVE_LABEL)
    .option('--max-per-class <n>', 'quality: documents kept per class (DCLM: 200k)', intOption, 200_000)
    .option('--holdout <x>', 'quality: fraction of each class held out for evaluation', fractionOption, 0.1)
    .option('--no-balance', 'quality: keep all sampled documents of both classes (default: as many of each)')
    .option('--min-chars <n>', 'quality: skip shorter documents', intOption, 1)
    .option('--dim <n>', 'embedding size', intOption, DEFAULT_TRAIN_OPTIONS.dim)
    .option('--epochs <n>', 'passes over the data', intOption, DEFAULT_TRAIN_OPTIONS.epochs)
    .option('--lr <x>', 'learning rate', numberOption, DEFAULT_TRAIN_OPTIONS.lr)
    .option('--word-ngrams <n>', 'word n-gram length (2 = uni+bigrams)', intOption, DEFAULT_TRAIN_OPTIONS.wordNgrams)
    .option('--bucket <n>', 'hash buckets for word n-grams', intOption, DEFAULT_TRAIN_OPTIONS.bucket)
    .option('--json', 'machine-readable summary')
    .action(async (inputs: string[], o: TrainOptions) => {
      const trainOpts = { seed: o.seed, dim: o.dim, epochs: o.epochs, lr: o.lr, wordNgrams: o.wordNgrams, bucket: o.bucket };
      if (o.urls !== undefined) {
        if (o.positive || o.negative) throw new ConfigError('classifier train: use --urls (wikiref) or --positive/--negative (quality), not both');
        if (inputs.length === 0) throw new ConfigError('classifier train --urls: name the CommonCrawl JSONL inputs');
        await trainWikiref(inputs, o, trainOpts);
        return;
      }
      if (!o.positive || !o.negative) throw new ConfigError('classifier train: give --urls <file> with inputs, or --positive <files...> and --negative <files...>');
      if (inputs.length) throw new ConfigError('classifier train --positive/--negative takes no other inputs');
      const log = createLogger('classifier');
      // Every bad record is counted; the first few are shown, so a file of the wrong shape is one screen, not thousands of lines.
      let shown = 0;
      const firstBad: { positive?: string; negative?: string } = {};
      const set = await buildQualityTrainingSet(
        o.positive,
        o.negative,
        { seed: o.seed, maxPerClass: o.maxPerClass, balance: o.balance, holdout: o.holdout, positiveLabel: o.positiveLabel, negativeLabel: o.negativeLabel, minChars: o.minChars },
        (m, cls) => {
          firstBad[cls] ??= m;
          if (shown++ < SHOWN_BAD_RECORDS) log.warn(m);
          else if (shown === SHOWN_BAD_RECORDS + 1) log.warn('further bad records are counted, not shown');
        },
      );
      if (set.badRecords > 0) log.warn(`${set.badRecords} bad records skipped (positive ${set.bad.positive}, negative ${set.bad.negative})`);
      for (const [cls, files] of [
        ['positive', o.positive],
        ['negative', o.negative],
      ] as const)
        if (set.read[cls] === 0)
          throw new ConfigError(
            `classifier train: no --${cls} documents read from ${files.join(', ')}` +
              (set.bad[cls] > 0 ? ` (${set.bad[cls]} records skipped; the first: ${firstBad[cls]}); records need a string "text" field` : ''),
          );
      if (set.positives === 0 || set.negatives === 0)
        throw new ConfigError(
          `classifier train: no ${set.positives === 0 ? 'positive' : 'negative'} training documents after --min-chars, the hold-out and balancing (read: ${set.read.positive} positive, ${set.read.negative} negative)`,
        );
      const summary = trainAndWrite(set.train, trainOpts, o.out, set);
      // Held-out evaluation: the positive-label probability as the quality_classifier step computes it, cut at 0.5.
      const score = qualityScorer(FastTextClassifier.load(o.out), { score: 'positive', positive_label: o.positiveLabel });
      let tp = 0;
      let fp = 0;
      let fn = 0;
      let correct = 0;
      for (const e of set.heldout) {
        const pos = score(e.text) >= 0.5;
        const truth = e.label === o.positiveLabel;
        if (pos === truth) correct++;
        if (pos && truth) tp++;
        if (pos && !truth) fp++;
        if (!pos && truth) fn++;
      }
      const r3 = (x: number) => Math.round(x * 1000) / 1000;
      const heldout = set.heldout.length
        ? { documents: set.heldout.length, accuracy: r3(correct / set.heldout.length), precision: r3(tp / Math.max(1, tp + fp)), recall: r3(tp / Math.max(1, tp + fn)) }
        : null;
      process.stdout.write(
        o.json
          ? `${JSON.stringify({ ...summary, heldout })}\n`
          : `wrote ${o.out}: ${set.positives} ${o.positiveLabel} / ${set.negatives} ${o.negativeLabel} examples from ${set.scanned} documents` +
              (heldout ? `; held out ${heldout.documents}: accuracy ${heldout.accuracy}, precision ${heldout.precision}, recall ${heldout.recall}` : '') +
              '\n',
      );
    });
}

interface TrainOptions {
  urls?: string;
  positive?: string[];
  negative?: string[];
  out: string;
  seed: number;
  negativesPerPositive: number;
  maxNegatives: number;
  minPositiveChars: number;
  positiveLabel: string;
  negativeLabel: string;
  maxPerClass: number;
  holdout: number;
  balance: boolean;
  minChars: number;
  dim: number;
  epochs: number;
  lr: number;
  wordNgrams: number;
  bucket: number;
  json?: boolean;
}

function fractionOption(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n >= 1) throw new InvalidArgumentError('expected a fraction in [0, 1)');
  return n;
}

/** Trains the model, writes it to `out`, and returns the summary fields both kinds print. */
function trainAndWrite(
  examples: readonly Example[],
  trainOpts: Partial<LinearTrainOptions>,
  out: string,
  set: { positives: number; negatives: number; scanned: number; badRecords: number },
) {
  const model = trainLinearClassifier(examples, trainOpts);
  writeFileSync(out, model.bytes);
  return { out, positives: set.positives, negatives: set.negatives, scanned: set.scanned, bad_records: set.badRecords, labels: model.labels, bytes: model.bytes.length };
}

async function trainWikiref(
  inputs: string[],
  o: TrainOptions,
  trainOpts: { seed: number; dim: number; epochs: number; lr: number; wordNgrams: number; bucket: number },
): Promise<void> {
  const urls = o.urls!;
  const log = createLogger('classifier');
  const set = await buildTrainingSet(
    inputs,
    readUrlSet(urls),
    { seed: o.seed, negativesPerPositive: o.negativesPerPositive, minPositiveChars: o.minPositiveChars, maxNegatives: o.maxNegatives },
    (m) => log.warn(m),
  );
  if (set.positives === 0) throw new ConfigError(`no input document has a URL listed in ${urls} (with at least ${o.minPositiveChars} characters); nothing to train on`);
  if (set.negatives === 0) throw new ConfigError('no negative documents: every input page is a cited page');
  const summary = trainAndWrite(set.examples, trainOpts, o.out, set);
  process.stdout.write(o.json ? `${JSON.stringify(summary)}\n` : `wrote ${o.out}: ${set.positives} wiki / ${set.negatives} cc examples from ${set.scanned} documents\n`);
}
