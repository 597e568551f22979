/**
 * The instruction sources, read through the fetch layer like every source (`urls`: https, file:,
 * globs; .gz / .zst allowed):
 * - `alpaca`: records with `instruction`, `input`, `output`, as one JSON array (Stanford's
 *   alpaca_data.json, streamed element by element), as JSON lines, or as Parquet (the Hub's
 *   `tatsu-lab/alpaca` files);
 * - `chat`: JSON lines (or an array, or Parquet) of `{"messages": [{"role", "content"}, ...]}`.
 * One task per file; document ids are `<source>/<file>/<record index>` (0-based element index, line
 * index, or row index). A document's `text` is the record rendered with `template` (so dedup and filters see
 * the example as it will be trained), and `meta.sft` keeps the record and the template's name for
 * `sft_tokenize`. Records that are not valid JSON, miss a field, or do not fit the template are
 * quarantined with the reason.
 */
import { z } from 'zod';
import { type Doc, provenanceId } from '../../core/document.js';
import { expandUrls, urlListParams } from '../../fetch/urls.js';
import { type JsonRecord, readJsonRecords } from '../../io/json-records.js';
import { isParquetFile, readParquetRows } from '../../io/parquet.js';
import { defineSource, type ReadContext, type ReadTask, wholeFileTasks } from '../../pipeline/source.js';
import { checkAlpaca, checkChat, isRejected, type Rejected, type SftRecord } from './records.js';
import { loadTemplate, renderedText, TemplateError } from './templates.js';

function params(defaultTemplate: string, defaultName: string) {
  return urlListParams.extend({
    /** Prompt template the text is rendered with: alpaca, llama2, llama3 or a template file (relative to the pipeline). */
    template: z.string().default(defaultTemplate),
    /** `source` written into the documents. */
    source_name: z.string().default(defaultName),
  });
}

async function* readRecords(task: ReadTask, p: { template: string; source_name: string }, ctx: ReadContext, check: (v: unknown) => SftRecord | Rejected): AsyncGenerator<Doc> {
  // the template was loaded (and its path checked) in plan(); the task carries where it lives
  const template = loadTemplate(p.template, String(task.extra?.templateDir ?? '.'));
  const parquet = isParquetFile(task.path);
  for await (const r of parquet
    ? parquetRecords(task.path, ctx)
    : readJsonRecords(task.path, { onBytes: ctx.advance, maxRecordBytes: ctx.limits?.maxRecordBytes, maxRatio: ctx.limits?.maxDecompressionRatio })) {
    const where = { file: task.path, record: parquet ? `row ${r.index}` : `record ${r.index} (byte ${r.offset})` };
    if (r.reason) {
      ctx.quarantine({ reason: r.reason, ...where, detail: r.detail ?? '', raw: r.raw });
      continue;
    }
    const rec = check(r.value);
    if (isRejected(rec)) {
      ctx.quarantine({ reason: rec.reason, ...where, detail: rec.detail, raw: JSON.stringify(r.value).slice(0, 200) });
      continue;
    }
    let text: string;
    try {
      text = renderedText(template.render(rec));
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      ctx.quarantine({ reason: 'template_mismatch', ...where, detail: err.message, raw: JSON.stringify(r.value).slice(0, 200) });
      continue;
    }
    yield { id: provenanceId(p.source_name, task.name, r.index), text, source: p.source_name, meta: { sft: { template: p.template, ...rec } } };
  }
}

/** The rows of a Parquet file as records (offset: the row index; a row is never malformed JSON). */
async function* parquetRecords(path: string, ctx: ReadContext): AsyncGenerator<JsonRecord> {
  let index = 0;
  for await (const value of readParquetRows(path, { onBytes: ctx.advance })) yield { index, offset: index++, value };
}

/** An instruction source: records checked by `check`, rendered with `template` (default `defaultTemplate`). */
function instructSource(name: string, description: string, defaultTemplate: string, check: (v: unknown) => SftRecord | Rejected) {
  return defineSource({
    name,
    source: name,
    description,
    params: params(defaultTemplate, name),
    sourceName: (p) => p.source_name,
    async list(p, env) {
      loadTemplate(p.template, env.pipelineDir);
      return expandUrls(p, env.fetcher);
    },
    async plan(files, _p, env) {
      return (await wholeFileTasks(files)).map((t) => ({ ...t, extra: { templateDir: env.pipelineDir } }));
    },
    read(task, p, ctx) {
      return readRecords(task, p, ctx, check);
    },
  });
}

export const alpacaSource = instructSource(
  'alpaca',
  'instruction records {instruction, input, output}: a JSON array (alpaca_data.json), JSON lines or Parquet',
  'alpaca',
  checkAlpaca,
);

export const chatSource = instructSource('chat', 'chat records {messages: [{role, content}]} (system/user/assistant), JSON lines, a JSON array or Parquet', 'llama2', checkChat);
