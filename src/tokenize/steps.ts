/**
 * Tokenizer steps (`steps: [{step: tokenize, ...}]`).
 *
 * `tokenize` encodes every document that reaches it and writes token shards to
 * `<out>/tokens/<tokenizer>/<source>/part-NNNNN_RRRRR.{bin,idx}` (or `.npy` + `.offsets.npy`), one shard
 * series per task, with `part-NNNNN.manifest.json` beside them (tokenizer hash, dtype, counts, sha256
 * of each file). Documents pass through unchanged, so a stage can both keep text shards and write
 * tokens. Counters: `tokens`, and `tokens_<source>` per source. Output bytes depend only on the task's
 * documents (never on `threads`). A rerun of a task rewrites its files (tmp-then-rename).
 * Batching, encode-ahead, shard writing and the manifest are the CLI's (run.ts): a batch is passed on
 * downstream while it encodes on native threads, and its ids are written while the next one encodes.
 */
import { join } from 'node:path';
import { z } from 'zod';
import type { Doc } from '../core/document.js';
import { tokenCountKey } from '../core/stats.js';
import { defineStep } from '../pipeline/step.js';
import { partPrefix } from '../pipeline/layout.js';
import { batchInputs } from './inputs.js';
import { TOKEN_FORMATS, type TokenFormat } from './token-shards.js';
import { loadTokenizer } from './tokenizer.js';
import { TokenizeRun } from './run.js';

const tokensDir = (out: string, tokenizer: string, source: string) => join(out, 'tokens', tokenizer, source);

/** The format parameter of the steps that write token shards (`tokenize`, `sft_tokenize`). */
export const tokenFormatParam = z.enum(TOKEN_FORMATS as [TokenFormat, ...TokenFormat[]]).default('megatron');

/**
 * The parameters every step that writes token shards ends with. (Key order is part of a stage's
 * config hash: these stay last.)
 */
export const tokenShardParams = {
  /** Native threads per task; the executor already runs tasks in parallel, so 1 by default. */
  threads: z.number().int().positive().default(1),
  max_shard_bytes: z
    .number()
    .int()
    .positive()
    .default(1 << 30),
  // Text per native call. 1 MiB holds ~60 MB less at a worker's peak over a long stage than 4 MiB
  // (bench:scale at 16×, A/B, two runs each: 249–253 MB against 309–312 MB) for about 2% more CPU
  // end to end (97.6 / 103.7 CPU-s against 95.5 / 100.9).
  batch_bytes: z
    .number()
    .int()
    .positive()
    .default(1 << 20),
};

const params = z.object({
  tokenizer: z.string().default('llama2'),
  format: tokenFormatParam,
  bos: z.boolean().optional(),
  eos: z.boolean().default(false),
  ...tokenShardParams,
});

export const tokenizeStep = defineStep({
  name: 'tokenize',
  description: 'encode documents with a tokenizer and write Megatron or .npy token shards under <out>/tokens/',
  params,
  async create(p, env) {
    const tok = await loadTokenizer(p.tokenizer);
    return {
      async *run(docs, ctx) {
        const prefix = partPrefix(ctx.rank);
        const run = new TokenizeRun(tok, {
          out: tokensDir(env.outDir, tok.info.name, ctx.source || 'all'),
          prefix,
          format: p.format,
          bos: p.bos,
          eos: p.eos,
          threads: p.threads,
          maxBytes: p.max_shard_bytes,
          manifestName: `${prefix}.manifest.json`,
          skipEmptyManifest: true,
          build: { stage: ctx.stage, task: ctx.rank },
          onBatch(sources, tokenOffsets, total) {
            for (let i = 0; i < sources.length; i++) ctx.count(`tokens_${sources[i]}`, tokenOffsets[i + 1]! - tokenOffsets[i]!);
            ctx.count('tokens', total);
            ctx.count(tokenCountKey(tok.info.name), total);
          },
        });
        let finished = false;
        try {
          for await (const batch of batchInputs<Doc>(docs, p.batch_bytes)) {
            await run.push(batch);
            yield* batch;
          }
          await run.finish();
          finished = true;
        } finally {
          // an upstream error, or downstream stopped early: nothing in flight may write after this task
          if (!finished) await run.abort();
        }
      },
    };
  },
});
