/**
 * A model-based quality filter: a fastText supervised classifier scores every document into
 * `meta.<key>` (default `meta.quality_score`); documents are kept above a fixed `threshold` or the
 * `top_fraction` of the stage's documents, or all kept with their score (neither set).
 *
 * Models: any fastText `.bin`/`.ftz` supervised model, loaded by the native fastText code
 * (models/fasttext.ts): DCLM's `openhermes_reddit_eli5_vs_rw_v2_bigram_200k_train.bin` (labels hq /
 * cc; DCLM-Baseline keeps `fasttext_oh_eli5_vs_rw_v2_prob >= 0.018112`, about its top 10%), a
 * FineWeb-Edu-style model with numeric labels (`__label__0` … `__label__5`), or one trained by
 * `corpusmill classifier train --positive … --negative …` (models/quality/corpus.ts).
 *
 * Score, on DCLM's input form `" ".join(text.strip().splitlines())`:
 * - `score: positive` (default): the probability of `positive_label`. For a two-label model it is
 *   computed as DCLM's classify_fasttext_hq_prob does (top-1 probability p, or 1 - p when the top
 *   label is the other one), so DCLM's threshold means the same here; with more labels it is the
 *   label's own probability.
 * - `score: expected`: the expected label value Σ p(label) × label over all labels, for models whose
 *   labels are numbers (educational-value scores).
 *
 * `top_fraction` needs the stage's score distribution: a scan pass writes each task's histogram of
 * scores rounded to 1e-6, a reduce pass finds the cutoff that keeps at least that fraction (ties at
 * the cutoff are all kept), and the main pass keeps scores at or above it. The cutoff does not
 * depend on task count or order. Scores are computed again in the main pass (same model, same
 * text, same result) rather than stored.
 * Memory: the model per worker; histograms hold one count per distinct rounded score (at most
 * 10^6 per unit of score range).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import type { Doc } from '../core/document.js';
import { FastTextClassifier } from '../models/fasttext.js';
import { DCLM_POSITIVE_LABEL } from '../models/quality/corpus.js';
import { classifierInput } from '../models/wikiref/corpus.js';
import { readStateLines } from '../pipeline/state.js';
import { defineStep, lazy, type Step, type TaskContext } from '../pipeline/step.js';

/** Scores are compared at this resolution when a cutoff is computed. */
const SCORE_RESOLUTION = 1e6;
const CUTOFF_FILE = 'cutoff.json';
const histName = (rank: number) => `hist-r${String(rank).padStart(5, '0')}.jsonl`;

const params = z
  .object({
    model: z.string(),
    score: z.enum(['positive', 'expected']).default('positive'),
    positive_label: z.string().default(DCLM_POSITIVE_LABEL),
    /** The meta key the score goes to. */
    key: z.string().regex(/^\w+$/).default('quality_score'),
    threshold: z.number().optional(),
    top_fraction: z.number().gt(0).max(1).optional(),
  })
  .strict()
  .refine((p) => p.threshold === undefined || p.top_fraction === undefined, 'set threshold or top_fraction, not both');

type Params = z.infer<typeof params>;

export type Scorer = (text: string) => number;

/** The score function of a loaded model (see the module comment). */
export function qualityScorer(model: FastTextClassifier, p: Pick<Params, 'score' | 'positive_label'>): Scorer {
  const labels = model.labels;
  if (p.score === 'expected') {
    const values = labels.map(Number);
    if (values.some((v) => !Number.isFinite(v))) throw new ConfigError(`${model.path}: score: expected needs numeric labels (labels: ${labels.join(', ')})`);
    const value = new Map(labels.map((l, i) => [l, values[i]!]));
    return (text) => {
      let s = 0;
      for (const pr of model.predict(classifierInput(text), labels.length)) s += pr.prob * value.get(pr.label)!;
      return s;
    };
  }
  if (!labels.includes(p.positive_label)) throw new ConfigError(`${model.path} has no label "${p.positive_label}" (labels: ${labels.join(', ')})`);
  if (labels.length === 2) {
    return (text) => {
      const [top] = model.predict(classifierInput(text), 1);
      if (!top) return 0;
      return top.label === p.positive_label ? top.prob : 1 - top.prob;
    };
  }
  return (text) => model.predict(classifierInput(text), labels.length).find((x) => x.label === p.positive_label)?.prob ?? 0;
}

const quantizeScore = (s: number): number => Math.round(s * SCORE_RESOLUTION);

/** The smallest rounded score whose documents, with all those above it, make at least `fraction` of `total`. */
export function cutoffFromHistogram(hist: ReadonlyMap<number, number>, fraction: number): { cutoff: number; total: number; kept: number } {
  let total = 0;
  for (const n of hist.values()) total += n;
  const want = Math.ceil(fraction * total);
  let kept = 0;
  let cutoff = Infinity;
  for (const q of [...hist.keys()].sort((a, b) => b - a)) {
    if (kept >= want) break;
    kept += hist.get(q)!;
    cutoff = q;
  }
  return { cutoff, total, kept };
}

function qualityClassifierStep(p: Params, pipelineDir: string): Step {
  const path = isAbsolute(p.model) ? p.model : resolve(pipelineDir, p.model);
  const scorer = lazy(() => qualityScorer(FastTextClassifier.load(path), p));
  let cutoff: number | undefined;
  const drop = (score: number, ctx: TaskContext): boolean => {
    if (p.threshold !== undefined) return score < p.threshold;
    if (p.top_fraction !== undefined) {
      cutoff ??= (JSON.parse(readFileSync(ctx.state.path(CUTOFF_FILE), 'utf8')) as { cutoff: number }).cutoff;
      return quantizeScore(score) < cutoff;
    }
    return false;
  };
  return {
    passes:
      p.top_fraction === undefined
        ? []
        : [
            {
              kind: 'scan',
              name: 'scores',
              async scan(docs, ctx) {
                const hist = new Map<number, number>();
                for await (const doc of docs) {
                  const q = quantizeScore(scorer()(doc.text));
                  hist.set(q, (hist.get(q) ?? 0) + 1);
                }
                const out = ctx.state.lines(histName(ctx.rank));
                for (const q of [...hist.keys()].sort((a, b) => a - b)) await out.write(`${q}\t${hist.get(q)}`);
                await out.commit();
              },
            },
            {
              kind: 'reduce',
              name: 'cutoff',
              tasks: 1,
              async reduce(ctx) {
                const hist = new Map<number, number>();
                for (const f of await ctx.state.list(/^hist-r\d+\.jsonl$/)) {
                  for await (const line of readStateLines(f)) {
                    const [q, n] = line.split('\t').map(Number) as [number, number];
                    hist.set(q, (hist.get(q) ?? 0) + n);
                  }
                }
                const c = cutoffFromHistogram(hist, p.top_fraction!);
                await ctx.state.writeJson(CUTOFF_FILE, { top_fraction: p.top_fraction, cutoff: c.cutoff, score: c.cutoff / SCORE_RESOLUTION, documents: c.total, kept: c.kept });
                ctx.count('documents', c.total);
                ctx.count('kept', c.kept);
              },
            },
          ],
    async *run(docs, ctx) {
      const score = scorer();
      for await (const doc of docs) {
        const s = score(doc.text);
        const out: Doc = { ...doc, meta: { ...doc.meta, [p.key]: s } };
        if (drop(s, ctx)) ctx.drop(out, p.threshold !== undefined ? 'quality_below_threshold' : 'quality_below_top_fraction');
        else yield out;
      }
    },
  };
}

export const qualityClassifierStepDef = defineStep({
  name: 'quality_classifier',
  description: 'fastText quality classifier (DCLM / FineWeb-Edu style): score into meta, keep by threshold or top fraction',
  params,
  create: (p, env) => qualityClassifierStep(p, env.pipelineDir),
});
