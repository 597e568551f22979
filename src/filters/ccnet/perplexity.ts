/**
 * CCNet's language-model quality signal (cc_net/perplexity.py `DocLM` and `PerplexityBucket`):
 * the document's perplexity under an n-gram model goes into `meta.perplexity`, and `meta.bucket`
 * is head / middle / tail by the language's cutoffs; the tail is dropped by default.
 *
 * Score (DocLM with cc_net's mine.py settings): the text is normalised (src/text/ccnet-normalize.ts) and
 * tokenized; each line is scored with `<s>`/`</s>`; log_score and length (tokens + 1 per line, the
 * `</s>`) are summed over the document; perplexity = round(10^(-Σlog / Σlength), 1).
 * QUIRK (cc_net): normalisation removes '\n', so the whole document is ONE line whose lines are
 * glued without a space. Kept by default for parity; `split_lines: true` scores line by line.
 *
 * Cutoffs: from the config (`cutoffs: {en: [340, 520]}`, cc_net's cutoff.csv rows 30 and 60 for
 * en), or computed from this stage's own documents: a scan pass writes each task's perplexities,
 * a reduce pass takes the 30th and 60th percentiles per language (numpy's linear interpolation),
 * and the main pass assigns buckets. The percentiles do not depend on task count or order.
 * Memory: the model's native scoring tables (arpa.ts loadNgramScorer, ~50 bytes per n-gram), and
 * 8 bytes per document per language in the reduce pass.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import type { Doc } from '../../core/document.js';
import { defineStep, lazy, lazyStep, mapStep, type Step } from '../../pipeline/step.js';
import { loadNgramScorer, type NgramScoring } from '../../models/ngram/arpa.js';
import { lmTokenizer, type LmTokenizer } from '../../models/ngram/lm-tokenizer.js';
import { ccnetNormalize } from '../../text/ccnet-normalize.js';
import { pythonRound } from '../../core/rounding.js';

/** cc_net cutoff.csv: rows 30 and 60, i.e. the 30th and 60th percentiles. */
const CCNET_PERCENTILES: readonly [number, number] = [30, 60];
/** cc_net DocLM: `round(pp(...), 1)`. */
const PERPLEXITY_DECIMALS = 1;
/** Language key used when a single model scores every document. */
const ANY = '*';

const params = z
  .object({
    /** An ARPA file for every document, or one per language (`{en: en.arpa}`) as cc_net has. */
    model: z.union([z.string(), z.record(z.string(), z.string())]),
    /** The LmTokenizer the model was trained with (see lm-tokenizer.ts). */
    tokenizer: z.string().default('whitespace'),
    split_lines: z.boolean().default(false),
    /** [head, tail] perplexity cutoffs per language (or `*`); computed from the stage when absent. */
    cutoffs: z.record(z.string(), z.tuple([z.number(), z.number()])).optional(),
    percentiles: z.tuple([z.number().min(0).max(100), z.number().min(0).max(100)]).default([...CCNET_PERCENTILES]),
    /** Buckets removed from the output; RedPajama kept only head and middle. */
    drop_buckets: z.array(z.enum(['head', 'middle', 'tail', 'all'])).default(['tail']),
  })
  .strict();

type Params = z.infer<typeof params>;

export function perplexityFromScore(logScore: number, length: number): number {
  return 10 ** (-logScore / length);
}

/**
 * cc_net's document perplexity, rounded to one decimal. With the `whitespace` tokenizer the whole
 * computation runs in the addon (same normalisation, tokens and sums; the TypeScript path below is
 * the reference and handles the texts the native normaliser hands back).
 */
export function documentPerplexity(model: NgramScoring, tokenizer: LmTokenizer, text: string, splitLines: boolean): number {
  if (tokenizer.name === 'whitespace') {
    const sums = model.scoreWhitespaceDocument(text, splitLines);
    if (sums) return pythonRound(perplexityFromScore(sums[0], sums[1]), PERPLEXITY_DECIMALS);
  }
  return referencePerplexity(model, tokenizer, text, splitLines);
}

/** The TypeScript computation of `documentPerplexity` (any tokenizer). */
export function referencePerplexity(model: NgramScoring, tokenizer: LmTokenizer, text: string, splitLines: boolean): number {
  const lines = splitLines
    ? text
        .split('\n')
        .map(ccnetNormalize)
        .filter((l) => l.length > 0)
    : [ccnetNormalize(text)];
  let logScore = 0;
  let length = 0;
  for (const line of lines.length ? lines : ['']) {
    const tokens = tokenizer.tokenize(line);
    logScore += model.sentenceLogProb(tokens);
    length += tokens.length + 1;
  }
  return pythonRound(perplexityFromScore(logScore, length), PERPLEXITY_DECIMALS);
}

/** numpy.percentile's default (linear) interpolation over sorted values. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** cc_net PerplexityBucket.get_bucket. */
export function bucketOf(pp: number | undefined, cutoffs: readonly [number, number] | undefined): 'head' | 'middle' | 'tail' | 'all' {
  if (pp === undefined || pp < 0 || !cutoffs) return 'all';
  if (pp < cutoffs[0]) return 'head';
  if (pp < cutoffs[1]) return 'middle';
  return 'tail';
}

interface Scorer {
  /** The language key the document is scored under, or null when no model covers it. */
  key(doc: Doc): string | null;
  score(doc: Doc, key: string): number;
}

async function loadScorer(p: Params, pipelineDir: string): Promise<Scorer> {
  const tokenizer = await lmTokenizer(p.tokenizer);
  const paths: Record<string, string> = typeof p.model === 'string' ? { [ANY]: p.model } : p.model;
  const models = new Map<string, NgramScoring>();
  for (const [lang, rel] of Object.entries(paths)) {
    const path = isAbsolute(rel) ? rel : resolve(pipelineDir, rel);
    const m = loadNgramScorer(path);
    const trained = m.comments.get('tokenizer');
    if (trained !== undefined && trained !== tokenizer.name) {
      throw new ConfigError(`${path} was trained with the "${trained}" tokenizer but the perplexity step uses "${tokenizer.name}"`);
    }
    models.set(lang, m);
  }
  return {
    key: (doc) => (models.has(ANY) ? ANY : typeof doc.meta.language === 'string' && models.has(doc.meta.language) ? doc.meta.language : null),
    score: (doc, key) => documentPerplexity(models.get(key)!, tokenizer, doc.text, p.split_lines),
  };
}

const CUTOFFS_FILE = 'cutoffs.json';
const scanFileName = (rank: number) => `pp-${String(rank).padStart(5, '0')}.tsv`;

/** A scan line is `<doc id>\t<language key>\t<perplexity>`; the id may hold anything but a newline. */
function parseScanLine(line: string): { id: string; key: string; pp: number } | null {
  const b = line.lastIndexOf('\t');
  const a = line.lastIndexOf('\t', b - 1);
  if (a < 0) return null;
  return { id: line.slice(0, a), key: line.slice(a + 1, b), pp: Number(line.slice(b + 1)) };
}

export const perplexityStep = defineStep({
  name: 'perplexity',
  description: 'CCNet n-gram LM perplexity and head/middle/tail bucket (tail dropped by default)',
  params,
  create(p, env): Step {
    const loadedScorer = lazy(() => loadScorer(p, env.pipelineDir));
    const drop = new Set<string>(p.drop_buckets);
    let cutoffs: Record<string, [number, number]> | undefined = p.cutoffs;
    const cutoffFor = (key: string | null, doc: Doc): [number, number] | undefined => {
      if (key === null || !cutoffs) return undefined;
      const lang = typeof doc.meta.language === 'string' ? doc.meta.language : ANY;
      return cutoffs[key] ?? cutoffs[lang] ?? cutoffs[ANY];
    };
    // With computed cutoffs the scan pass has already scored every document of each task, in the
    // main pass's order; the main pass reuses those scores (checked by document id) instead of
    // scoring twice, and scores anything that does not line up.
    const scanned = new Map<number, { lines: string[]; next: number }>();
    const scannedScore = (doc: Doc, rank: number): number | undefined => {
      if (p.cutoffs !== undefined) return undefined;
      let s = scanned.get(rank);
      if (!s) {
        const file = env.state.path(scanFileName(rank));
        s = { lines: existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [], next: 0 };
        scanned.set(rank, s);
      }
      const rec = parseScanLine(s.lines[s.next] ?? '');
      if (!rec || rec.id !== doc.id) return undefined;
      s.next++;
      return rec.pp;
    };
    const main = lazyStep(async () => {
      const scorer = await loadedScorer();
      return mapStep((doc, ctx) => {
        if (!cutoffs && p.cutoffs === undefined) cutoffs = JSON.parse(readFileSync(env.state.path(CUTOFFS_FILE), 'utf8')) as Record<string, [number, number]>;
        const key = scorer.key(doc);
        let pp: number | undefined;
        if (key !== null) {
          pp = scannedScore(doc, ctx.rank);
          if (pp === undefined) pp = scorer.score(doc, key);
          else ctx.count('scores_reused_from_scan');
          doc.meta.perplexity = pp;
        }
        const bucket = bucketOf(pp, cutoffFor(key, doc));
        doc.meta.bucket = bucket;
        return drop.has(bucket) ? `bucket_${bucket}` : doc;
      });
    });
    if (p.cutoffs !== undefined) return main;
    return {
      ...main,
      passes: [
        {
          kind: 'scan',
          name: 'perplexities',
          async scan(docs, ctx) {
            const scorer = await loadedScorer();
            const out = ctx.state.file(scanFileName(ctx.rank), { createEmpty: true });
            try {
              for await (const doc of docs) {
                const key = scorer.key(doc);
                if (key !== null) out.writeString(`${doc.id.replace(/\n/g, ' ')}\t${key}\t${scorer.score(doc, key)}\n`);
              }
              out.commit();
            } catch (e) {
              out.abort();
              throw e;
            }
          },
        },
        {
          kind: 'reduce',
          name: 'cutoffs',
          tasks: 1,
          async reduce(ctx) {
            const byKey = new Map<string, number[]>();
            for (const f of await ctx.state.list(/^pp-\d+\.tsv$/)) {
              for (const line of readFileSync(f, 'utf8').split('\n')) {
                const rec = parseScanLine(line);
                if (!rec) continue;
                const arr = byKey.get(rec.key);
                if (arr) arr.push(rec.pp);
                else byKey.set(rec.key, [rec.pp]);
              }
            }
            const out: Record<string, [number, number]> = {};
            for (const k of [...byKey.keys()].sort()) {
              const sorted = byKey.get(k)!.sort((a, b) => a - b);
              out[k] = [percentile(sorted, p.percentiles[0]), percentile(sorted, p.percentiles[1])];
              ctx.count(`cutoff_docs_${k}`, sorted.length);
            }
            await ctx.state.write(CUTOFFS_FILE, `${JSON.stringify(out)}\n`);
          },
        },
      ],
    };
  },
});
