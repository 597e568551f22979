/**
 * `corpusmill lm train --order 5 --out model.arpa <inputs...>`: trains the n-gram language model
 * the `perplexity` step scores with (interpolated modified Kneser-Ney, written as ARPA), from JSONL
 * documents normalised as cc_net does and tokenized by the named LmTokenizer.
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { trainLmArpa } from '../../models/ngram/train.js';
import { intOption } from '../options.js';
import { createLogger } from '../../core/log.js';

function orderOption(value: string): number {
  const n = intOption(value);
  if (n < 1 || n > 10) throw new InvalidArgumentError('expected an order from 1 to 10');
  return n;
}

export function registerLm(program: Command): void {
  const lm = program.command('lm').description('n-gram language models for the perplexity step');
  lm.command('train')
    .description('train an interpolated modified Kneser-Ney model on JSONL documents and write it as ARPA')
    .argument('<inputs...>', 'JSONL documents (.jsonl, .jsonl.gz, .jsonl.zst), e.g. a Wikipedia stage output')
    .requiredOption('--out <file>', 'ARPA file to write')
    .option('--order <n>', 'n-gram order (cc_net: 5)', orderOption, 5)
    .option('--tokenizer <name>', 'LM tokenizer (must match the perplexity step)', 'whitespace')
    .option('--language <code>', 'only documents whose meta.language is this')
    .option('--max-docs <n>', 'stop after this many documents (memory grows with distinct n-grams)', intOption)
    .option('--json', 'machine-readable summary')
    .action(async (inputs: string[], o: { out: string; order: number; tokenizer: string; language?: string; maxDocs?: number; json?: boolean }) => {
      const log = createLogger('lm');
      const res = await trainLmArpa(inputs, o.out, { order: o.order, tokenizer: o.tokenizer, language: o.language, maxDocs: o.maxDocs, onBad: (m) => log.warn(m) });
      const summary = {
        out: o.out,
        order: o.order,
        tokenizer: o.tokenizer,
        docs: res.docs,
        sentences: res.sentences,
        tokens: res.tokens,
        bad_records: res.badRecords,
        ngrams: res.ngrams,
        discounts: res.discounts.map((d) => ({ d: d.d, fallback: d.fallback })),
      };
      if (o.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
      else {
        process.stdout.write(`wrote ${o.out}: order ${o.order}, ${res.docs} docs, ${res.sentences} sentences, ${res.tokens} tokens\n`);
        for (const [i, n] of summary.ngrams.entries()) process.stdout.write(`  ${i + 1}-grams: ${n}${res.discounts[i]!.fallback ? ' (fallback discounts)' : ''}\n`);
      }
    });
}
