/**
 * `quality_filter`: drops documents failing a rule set (gopher, gopher_quality, gopher_repetition, c4,
 * fineweb, or a custom list of {name, signal, min, max, agg}); the drop reason is the first failing
 * rule's name and every failing rule is also counted as `fail_<rule>`. Signals already stored in
 * meta.quality_signals (by `quality_signals`) are reused; the others are computed here, on views
 * shared by all of them.
 */
import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import { defineStep, filterStep } from '../../pipeline/step.js';
import { computeSignals, type Span } from '../signals/signals.js';
import { TextViews } from '../../text/rpv2-views.js';
import { signalEnvFactory } from '../signals/env.js';
import { checkSignalNames, signalEnvParams } from '../signals/step.js';
import { C4_BADWORDS, PRESETS, ruleSchema, ruleValue, passes, type Rule } from './rules.js';

const presetName = z.enum(Object.keys(PRESETS) as [string, ...string[]]);

const params = z
  .object({
    rules: z.union([presetName, z.array(z.union([presetName, ruleSchema]))]),
    /** Threshold overrides by rule name: {gopher_word_count: {min: 100}}. */
    overrides: z.record(z.string(), z.object({ min: z.number().optional(), max: z.number().optional() }).strict()).default({}),
    ...signalEnvParams,
  })
  .strict();

function resolveRules(spec: z.infer<typeof params>['rules'], overrides: Record<string, { min?: number; max?: number }>, badWords: boolean): Rule[] {
  const list: Rule[] = [];
  for (const item of Array.isArray(spec) ? spec : [spec]) {
    if (typeof item === 'string') {
      list.push(...PRESETS[item]!);
      if (item === 'c4' && badWords) list.push(C4_BADWORDS);
    } else list.push(item);
  }
  const names = new Set(list.map((r) => r.name));
  for (const name of Object.keys(overrides)) if (!names.has(name)) throw new ConfigError(`quality_filter: override for unknown rule "${name}" (rules: ${[...names].join(', ')})`);
  return list.map((r) => (overrides[r.name] ? { ...r, ...overrides[r.name] } : r));
}

export const qualityFilterStep = defineStep({
  name: 'quality_filter',
  description: 'drop documents failing Gopher / C4 / FineWeb / custom rules over quality signals',
  params,
  create(p, env) {
    const rules = resolveRules(p.rules, p.overrides, p.bad_words_file !== undefined);
    const needed = [...new Set(rules.map((r) => r.signal))];
    checkSignalNames(needed);
    const envOf = signalEnvFactory(p, env.pipelineDir);
    return filterStep((doc, ctx) => {
      const stored = (doc.meta.quality_signals ?? {}) as Record<string, Span[]>;
      const missing = needed.filter((n) => stored[n] === undefined);
      const computed = missing.length ? computeSignals(TextViews.of(doc.text), envOf(doc), missing) : {};
      let reason: string | null = null;
      for (const rule of rules) {
        if (passes(rule, ruleValue(rule, stored[rule.signal] ?? computed[rule.signal]))) continue;
        ctx.count(`fail_${rule.name}`);
        reason ??= rule.name;
      }
      return reason;
    });
  },
});
