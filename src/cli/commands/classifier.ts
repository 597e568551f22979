/**
 * `corpusmill classifier refs|train`: the Wikipedia-reference classifier of LLaMA's CommonCrawl
 * (RedPajama rp_v1 data_prep/cc/classifier). `refs` extracts the URLs cited in a Wikipedia dump's
 * `<ref>` tags; `train` labels CommonCrawl documents whose URL is cited as `wiki` and a seeded
 * random sample of the others as `cc`, and trains a fastText-format linear classifier that the
 * `wikiref_classifier` step (and fastText itself) loads.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { ConfigError } from '../../core/errors.js';
import { createLogger } from '../../core/log.js';
import { DEFAULT_TRAIN_OPTIONS, trainLinearClassifier } from '../../models/fasttext-train.js';
import { buildTrainingSet, MIN_POSITIVE_CHARS, readUrlSet } from '../../models/wikiref/corpus.js';
import { extractReferenceUrls } from '../../models/wikiref/extract.js';
import { intOption } from '../options.js';

function numberOption(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

export function registerClassifier(program: Command): void {
  const cmd = program.command('classifier').description('Wikipedia-reference classifier: reference URLs and training');
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
    .description('train a fastText-format classifier: cited pages (wiki) vs random CommonCrawl pages (cc)')
    .argument('<inputs...>', 'CommonCrawl JSONL documents with meta.url')
    .requiredOption('--urls <file>', 'reference URLs (from `classifier refs`)')
    .requiredOption('--out <file>', 'model file to write (fastText .bin format)')
    .option('--seed <n>', 'seed for negatives, initialisation and example order', intOption, DEFAULT_TRAIN_OPTIONS.seed)
    .option('--negatives-per-positive <x>', 'negatives per positive', numberOption, 1)
    .option('--max-negatives <n>', 'cap on negatives held while scanning', intOption, 1_000_000)
    .option('--min-positive-chars <n>', 'shortest positive page (RedPajama: 1000)', intOption, MIN_POSITIVE_CHARS)
    .option('--dim <n>', 'embedding size', intOption, DEFAULT_TRAIN_OPTIONS.dim)
    .option('--epochs <n>', 'passes over the data', intOption, DEFAULT_TRAIN_OPTIONS.epochs)
    .option('--lr <x>', 'learning rate', numberOption, DEFAULT_TRAIN_OPTIONS.lr)
    .option('--word-ngrams <n>', 'word n-gram length (2 = uni+bigrams)', intOption, DEFAULT_TRAIN_OPTIONS.wordNgrams)
    .option('--bucket <n>', 'hash buckets for word n-grams', intOption, DEFAULT_TRAIN_OPTIONS.bucket)
    .option('--json', 'machine-readable summary')
    .action(
      async (
        inputs: string[],
        o: {
          urls: string;
          out: string;
          seed: number;
          negativesPerPositive: number;
          maxNegatives: number;
          minPositiveChars: number;
          dim: number;
          epochs: number;
          lr: number;
          wordNgrams: number;
          bucket: number;
          json?: boolean;
        },
      ) => {
        const log = createLogger('classifier');
        const set = await buildTrainingSet(
          inputs,
          readUrlSet(o.urls),
          { seed: o.seed, negativesPerPositive: o.negativesPerPositive, minPositiveChars: o.minPositiveChars, maxNegatives: o.maxNegatives },
          (m) => log.warn(m),
        );
        if (set.positives === 0) throw new ConfigError(`no input document has a URL listed in ${o.urls} (with at least ${o.minPositiveChars} characters); nothing to train on`);
        if (set.negatives === 0) throw new ConfigError('no negative documents: every input page is a cited page');
        const model = trainLinearClassifier(set.examples, { seed: o.seed, dim: o.dim, epochs: o.epochs, lr: o.lr, wordNgrams: o.wordNgrams, bucket: o.bucket });
        writeFileSync(o.out, model.bytes);
        const summary = {
          out: o.out,
          positives: set.positives,
          negatives: set.negatives,
          scanned: set.scanned,
          bad_records: set.badRecords,
          labels: model.labels,
          bytes: model.bytes.length,
        };
        process.stdout.write(o.json ? `${JSON.stringify(summary)}\n` : `wrote ${o.out}: ${set.positives} wiki / ${set.negatives} cc examples from ${set.scanned} documents\n`);
      },
    );
}
