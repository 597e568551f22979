/**
 * Tokenizer steps (`steps: [{step: tokenize, ...}]`).
 *
 * `tokenize` encodes every document that reaches it and writes token shards to
 * `<out>/tokens/<tokenizer>/<source>/part-NNNNN_RRRRR.{bin,idx}` (or `.npy` + `.offsets.npy`), one shard
 * series per task, with `part-NNNNN.manifest.json` beside them (tokenizer hash, dtype, counts, sha256
 * of each file). Documents pass through unchanged, so a stage can both keep text shards and write
 * tokens. Counters: `tokens`, and `tokens_<source>` per source. Output bytes depend only on the task's
 * documents (never on `threads`). A rerun of a task rewrites its files (tmp-then-rename).
 */
import { join } from 'node:path';
import { rename, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Doc } from '../core/document.js';
import { defineStep } from '../pipeline/step.js';
import { partPrefix } from '../pipeline/layout.js';
import { tokenDtype } from './formats/megatron.js';
import { TOKEN_FORMATS, TokenShardWriter } from './token-shards.js';
import { loadTokenizer, packDocuments } from './tokenizer.js';
import type { TokenManifest } from './run.js';

export const tokensDir = (out: string, tokenizer: string, source: string) => join(out, 'tokens', tokenizer, source);

const params = z.object({
  tokenizer: z.string().default('llama2'),
  format: z.enum(TOKEN_FORMATS as [string, ...string[]]).default('megatron'),
  bos: z.boolean().optional(),
  eos: z.boolean().default(false),
  /** Native threads per task; the executor already runs tasks in parallel, so 1 by default. */
  threads: z.number().int().positive().default(1),
  max_shard_bytes: z.number().int().positive().default(1 << 30),
  batch_bytes: z.number().int().positive().default(4 << 20),
});

export const tokenizeStep = defineStep({
  name: 'tokenize',
  description: 'encode documents with a tokenizer and write Megatron or .npy token shards under <out>/tokens/',
  params,
  async create(p, env) {
    const tok = await loadTokenizer(p.tokenizer);
    const format = p.format as (typeof TOKEN_FORMATS)[number];
    const dtype = tokenDtype(tok.info.vocabSize);
    const opts = { bos: p.bos, eos: p.eos, threads: p.threads };
    return {
      async *run(docs, ctx) {
        const dir = tokensDir(env.outDir, tok.info.name, ctx.source || 'all');
        const prefix = partPrefix(ctx.rank);
        const writer = new TokenShardWriter(dir, prefix, { format, dtype, maxBytes: p.max_shard_bytes });
        let documents = 0, tokens = 0, bytes = 0;
        const sources: TokenManifest['sources'] = {};
        let batch: Doc[] = [];
        let batchChars = 0;
        const flush = async () => {
          const packed = packDocuments(batch.map((d) => d.text));
          const r = await tok.encodeBatch(packed, opts, tok.idBytes);
          await writer.add(r.ids!, r.tokenOffsets);
          batch.forEach((d, i) => {
            const t = r.tokenOffsets[i + 1]! - r.tokenOffsets[i]!;
            const b = packed.offsets[i + 1]! - packed.offsets[i]!;
            const s = (sources[d.source] ??= { documents: 0, tokens: 0, bytes: 0 });
            s.documents++;
            s.tokens += t;
            s.bytes += b;
            documents++;
            tokens += t;
            bytes += b;
            ctx.count(`tokens_${d.source}`, t);
          });
          ctx.count('tokens', r.total);
          const out = batch;
          batch = [];
          batchChars = 0;
          return out;
        };
        for await (const doc of docs) {
          batch.push(doc);
          batchChars += doc.text.length;
          if (batchChars >= p.batch_bytes) yield* await flush();
        }
        if (batch.length) yield* await flush();
        const files = await writer.close();
        const manifest: TokenManifest = {
          format,
          dtype,
          tokenizer: { name: tok.info.name, hash: tok.info.hash, vocab_size: tok.info.vocabSize, bos_id: tok.info.bosId, eos_id: tok.info.eosId, bos: p.bos ?? tok.info.defaultBos, eos: p.eos },
          documents, tokens, bytes, sources, files,
        };
        const path = join(dir, `${prefix}.manifest.json`);
        if (files.length || documents) {
          await writeFile(path + '.tmp', JSON.stringify(manifest, null, 2) + '\n');
          await rename(path + '.tmp', path);
        }
      },
    };
  },
});

