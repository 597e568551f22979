/**
 * `quality_signals`: computes RedPajama-V2 quality signals once per document (shared text views) and
 * stores them under meta.quality_signals in RPv2's span format, so filters can be decided downstream
 * (the RPv2 model: annotate once, filter many times).
 */
import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import { defineStep, mapStep } from '../../pipeline/step.js';
import { computeSignals, RPV2_SIGNALS, SIGNAL_NAMES } from './signals.js';
import { TextViews } from '../../text/rpv2-views.js';
import { signalEnvFactory } from './env.js';

export const signalEnvParams = {
  /** Stop-word language when meta.language has no list (de, en, es, fr, it). */
  lang: z.string().default('en'),
  /** LDNOOBW list (one entry per line) for rps_doc_ldnoobw_words; without it that signal is null. */
  bad_words_file: z.string().optional(),
};

const params = z
  .object({
    /** Signal names (default: every RPv2 rps_ signal implemented). */
    signals: z.array(z.string()).optional(),
    ...signalEnvParams,
  })
  .strict();

export function checkSignalNames(names: readonly string[]): void {
  const unknown = names.filter((n) => !SIGNAL_NAMES.has(n));
  if (unknown.length) throw new ConfigError(`unknown quality signal(s): ${unknown.join(', ')} (known: ${[...SIGNAL_NAMES].join(', ')})`);
}

export const qualitySignalsStep = defineStep({
  name: 'quality_signals',
  description: 'RedPajama-V2 quality signals stored under meta.quality_signals',
  params,
  create(p, env) {
    const names = p.signals ?? RPV2_SIGNALS;
    checkSignalNames(names);
    const envOf = signalEnvFactory(p, env.pipelineDir);
    return mapStep((doc) => {
      const prev = doc.meta.quality_signals && typeof doc.meta.quality_signals === 'object' ? doc.meta.quality_signals : {};
      const signals = computeSignals(TextViews.of(doc.text), envOf(doc), names);
      return { ...doc, meta: { ...doc.meta, quality_signals: { ...prev, ...signals } } };
    });
  },
});
