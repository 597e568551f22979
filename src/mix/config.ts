/**
 * Mixture files (`corpusmill mix <mixture.yaml>`) and the `mix:` section of a pipeline, validated
 * like pipelines: paths in a mixture file are relative to it.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { byteSize } from '../core/sizes.js';
import type { MixConfig } from './mix.js';

/** Token counts: a number or "1.4T", "200B", "5M", "20k". */
const tokenCount = z.union([
  z.number().positive(),
  z.string().transform((s, ctx) => {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([kmbt]?)\s*$/i.exec(s);
    if (!m) {
      ctx.addIssue({ code: 'custom', message: `expected a token count like 1.4T, got "${s}"` });
      return z.NEVER;
    }
    return Math.round(Number(m[1]) * { '': 1, k: 1e3, m: 1e6, b: 1e9, t: 1e12 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'b' | 't']);
  }),
]);

const mixSettings = z
  .object({
    budget: tokenCount.optional(),
    seed: z.number().int().default(1234),
    weights: z.record(z.string(), z.number().nonnegative()).optional(),
    shard_bytes: byteSize.optional(),
  })
  .strict();

/** The `mix:` section of a pipeline: a mixture of `<out>/tokens/<tokenizer>` built after the stages. */
export const mixSection = mixSettings.extend({ tokenizer: z.string().default('llama2') }).strict();
export type MixSection = z.infer<typeof mixSection>;

const mixtureFile = mixSettings.extend({ tokens: z.string(), output: z.string() }).strict();

export function loadMixture(file: string): MixConfig {
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${file}: ${(e as Error).message.split('\n')[0]}`);
  }
  const r = mixtureFile.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new ConfigError(`${file}: ${i.path.join('.') || '(top level)'}: ${i.message}`);
  }
  const dir = dirname(resolve(file));
  return {
    tokens: resolve(dir, r.data.tokens),
    output: resolve(dir, r.data.output),
    budget: r.data.budget,
    weights: r.data.weights,
    seed: r.data.seed,
    shardBytes: r.data.shard_bytes,
  };
}
