/**
 * `sft_tokenize`: instruction documents (`meta.sft`, written by the `alpaca` and `chat` sources) into
 * SFT shards under `<out>/sft/<tokenizer>/<source>/`: token ids plus a loss mask, as Megatron
 * `part-NNNNN_RRRRR.{bin,idx}` with `.mask.{bin,idx}` (uint8 indexed dataset, same sequence lengths)
 * or `.npy` + `.offsets.npy` + `.mask.npy`; packed shards add `.examples.npy` ((n, 2) int64 spans).
 * One shard series and one `part-NNNNN.manifest.json` per task (the token manifest plus an `sft`
 * section: template, mask mode, lengths, pad id, start/end ids, prompt and response token counts),
 * which `corpusmill verify` checks. Shard writing is token-shards.ts's, as for `tokenize`.
 *
 * The template is the one the source rendered the document with (`meta.sft.template`) unless
 * `template` says otherwise; see encode.ts for the masking modes and the truncation rule, and
 * sequences.ts for packing. Documents pass through; a document without `meta.sft`, one its template
 * cannot render, and (with `overlong: drop`) one longer than `max_length` are removed with that reason.
 * Counters: sft_examples, sft_prompt_tokens, sft_response_tokens, sft_truncated, sft_boundary_straddles,
 * sft_no_trained_tokens, sft_rows, sft_pad_tokens.
 */
import { join } from 'node:path';
import { z } from 'zod';
import type { Doc } from '../../core/document.js';
import { ConfigError } from '../../core/errors.js';
import { utf8Length } from '../../core/stats.js';
import { partPrefix } from '../../pipeline/layout.js';
import { defineStep } from '../../pipeline/step.js';
import { tokenDtype } from '../../tokenize/formats/megatron.js';
import { batchInputs } from '../../tokenize/inputs.js';
import { manifestTokenizer, Tally, type TokenManifest, writeManifest } from '../../tokenize/run.js';
import type { SftManifestInfo } from '../../tokenize/sft-verify.js';
import { tokenFormatParam, tokenShardParams } from '../../tokenize/steps.js';
import { TokenShardWriter } from '../../tokenize/token-shards.js';
import { loadTokenizer } from '../../tokenize/tokenizer.js';
import { type EncodedExample, MASK_MODES, type MaskMode, SftEncoder } from './encode.js';
import { sftMetaOf } from './records.js';
import { Packer, SequenceBatch } from './sequences.js';
import { loadTemplate, type Part, TemplateError } from './templates.js';

const sftDir = (out: string, tokenizer: string, source: string) => join(out, 'sft', tokenizer, source);

const params = z.object({
  tokenizer: z.string().default('llama2'),
  /** Override the template the source rendered with (a name or a template file). */
  template: z.string().optional(),
  mask_mode: z.enum(MASK_MODES as [MaskMode, ...MaskMode[]]).default('exact'),
  /** Tokens per example, BOS and EOS included (default 2048, or pack_length; train.py's model_max_length is 512). */
  max_length: z.number().int().positive().optional(),
  /** What to do with a longer example: keep its first max_length tokens (the reference's rule), or drop it. */
  overlong: z.enum(['truncate', 'drop']).default('truncate'),
  /** Pack examples into rows of this many tokens (unset: one sequence per example). */
  pack_length: z.number().int().positive().optional(),
  /** Padding id of packed rows (default: the tokenizer's EOS). */
  pad_id: z.number().int().nonnegative().optional(),
  /** The id placed for the template's BOS (default: the tokenizer's; 2 reproduces train.py on a "llama" model path). */
  bos_token_id: z.number().int().nonnegative().optional(),
  format: tokenFormatParam,
  ...tokenShardParams,
});

export const sftTokenizeStep = defineStep({
  name: 'sft_tokenize',
  description: 'render instruction records with their prompt template and write SFT shards (token ids + loss mask) under <out>/sft/',
  params,
  async create(p, env) {
    if (p.pack_length !== undefined && p.max_length !== undefined && p.max_length > p.pack_length)
      throw new ConfigError(`sft_tokenize: max_length ${p.max_length} is longer than pack_length ${p.pack_length}: an example must fit a packed row`);
    const maxLength = p.max_length ?? p.pack_length ?? 2048;
    const encoders = new Map<string, SftEncoder>();
    return {
      async *run(docs, ctx) {
        const tok = await loadTokenizer(p.tokenizer);
        const dtype = tokenDtype(tok.info.vocabSize);
        const idBytes = dtype === 'uint16' ? 2 : 4;
        const prefix = partPrefix(ctx.rank);
        const out = sftDir(env.outDir, tok.info.name, ctx.source || 'all');
        const packed = p.pack_length !== undefined;
        const padId = p.pad_id ?? tok.info.eosId;
        if (packed && padId === null) throw new ConfigError(`sft_tokenize: tokenizer ${tok.info.name} has no EOS; set pad_id`);
        const writer = new TokenShardWriter(out, prefix, { format: p.format, dtype, maxBytes: p.max_shard_bytes, mask: true, examples: packed });
        const packer = packed ? new Packer(p.pack_length!, padId!) : null;
        const batch = new SequenceBatch();
        const totals = { prompt: 0, response: 0, truncated: 0 };
        const tally = new Tally();
        let templateName: string | null = null;
        let encoder: SftEncoder | null = null;
        const write = async () => {
          if (batch.sequences === 0) return;
          const b = batch.take(idBytes);
          await writer.add(b.ids, b.offsets, { mask: b.mask, examples: packed ? b.spans : undefined });
        };
        let finished = false;
        try {
          for await (const docsIn of batchInputs<Doc>(docs, p.batch_bytes)) {
            const kept: Doc[] = [];
            const rendered: Part[][] = [];
            for (const doc of docsIn) {
              const meta = sftMetaOf(doc.meta);
              if (!meta) {
                ctx.drop(doc, 'not_instruction_data');
                continue;
              }
              const name = p.template ?? meta.template;
              if (templateName === null) {
                templateName = name;
                encoder =
                  encoders.get(name) ?? new SftEncoder(tok, loadTemplate(name, env.pipelineDir), { mode: p.mask_mode, maxLength, bosId: p.bos_token_id, threads: p.threads });
                encoders.set(name, encoder);
              } else if (name !== templateName)
                throw new ConfigError(`sft_tokenize: task ${ctx.rank} of ${ctx.source} mixes templates ${templateName} and ${name}; set template: on the step`);
              try {
                rendered.push(encoder!.render(meta));
                kept.push(doc);
              } catch (err) {
                if (!(err instanceof TemplateError)) throw err;
                ctx.drop(doc, 'template_mismatch');
              }
            }
            const encoded: EncodedExample[] = rendered.length ? await encoder!.encode(rendered) : [];
            const passed: Doc[] = [];
            encoded.forEach((ex, i) => {
              const doc = kept[i]!;
              if (ex.truncatedTokens > 0 && p.overlong === 'drop') {
                ctx.drop(doc, 'too_long');
                return;
              }
              let trained = 0;
              for (const m of ex.mask) trained += m;
              const prompt = ex.ids.length - trained;
              if (packer) packer.add(ex, batch);
              else batch.push(ex.ids, ex.mask, []);
              totals.prompt += prompt;
              totals.response += trained;
              tally.addOne(doc.source, ex.ids.length, utf8Length(doc.text));
              ctx.count('sft_examples');
              ctx.count('sft_prompt_tokens', prompt);
              ctx.count('sft_response_tokens', trained);
              if (ex.truncatedTokens > 0) {
                totals.truncated++;
                ctx.count('sft_truncated');
              }
              if (ex.straddles > 0) ctx.count('sft_boundary_straddles', ex.straddles);
              if (trained === 0) ctx.count('sft_no_trained_tokens');
              passed.push(doc);
            });
            await write();
            yield* passed;
          }
          if (packer) {
            packer.flush(batch);
            await write();
            ctx.count('sft_rows', packer.rows);
            ctx.count('sft_pad_tokens', packer.padTokens);
          }
          const files = await writer.close();
          finished = true;
          if (tally.total.documents > 0) {
            const sft: SftManifestInfo = {
              template: templateName!,
              mask_mode: p.mask_mode,
              max_length: maxLength,
              pack_length: p.pack_length ?? null,
              pad_id: packed ? padId : null,
              start_id: encoder!.startId,
              end_ids: encoder!.endIds,
              examples: tally.total.documents,
              prompt_tokens: totals.prompt,
              response_tokens: totals.response,
              truncated: totals.truncated,
            };
            const idsFiles = files.filter((f) => !f.role && (f.name.endsWith('.bin') || (f.name.endsWith('.npy') && !f.name.endsWith('.offsets.npy'))));
            const manifest: TokenManifest = {
              format: p.format,
              dtype,
              tokenizer: manifestTokenizer(tok, encoder!.startId !== null && encoder!.startId === tok.info.bosId, false),
              documents: idsFiles.reduce((a, f) => a + f.documents, 0),
              tokens: idsFiles.reduce((a, f) => a + f.tokens, 0),
              bytes: tally.total.bytes,
              sources: tally.sorted(),
              files,
              sft,
              build: { stage: ctx.stage, task: ctx.rank },
            };
            await writeManifest(join(out, `${prefix}.manifest.json`), manifest);
          }
        } finally {
          // an upstream error, or downstream stopped early: drop the open shard's partial files
          if (!finished) await writer.abort();
        }
      },
    };
  },
});
