/**
 * Generic JSON-lines input (RedPajama, dolma or bare `{"text"}` records, the project's own shards, or
 * any JSON lines whose text, id and metadata live under other names), for users who bring their own
 * data. Uncompressed files split into byte-range tasks.
 */
import { z } from 'zod';
import { type Doc, provenanceId } from '../../core/document.js';
import { readJsonLines } from '../../io/jsonl.js';
import { readShard } from '../../io/shards.js';
import { splitLineFile } from '../../io/byte-ranges.js';
import { defineSource, type ReadTask } from '../../pipeline/source.js';
import { expandUrls, urlListParams } from '../../fetch/urls.js';

const fieldPath = z.string().regex(/^[^.\s]+(\.[^.\s]+)*$/, 'a field name, or a dotted path like "document.body"');

const params = urlListParams.extend({
  urls: urlListParams.shape.urls.describe('files: URLs or paths relative to the pipeline; a * in the last path segment globs a local folder'),
  source_name: z.string().default('jsonl').describe('`source` written into records that carry none (and the output folder name)'),
  text_field: fieldPath.default('text').describe('field holding the document text (a dotted path reaches into objects)'),
  id_field: fieldPath.default('id').describe('field holding the document id; records without one get <source>/<file>/<line or byte offset>'),
  meta_fields: z.array(fieldPath).min(1).optional().describe('fields copied into meta (under their last name); default: the record\'s own "meta" or "metadata" object'),
});
type Params = z.infer<typeof params>;

/** The value at a dotted path of a JSON record. */
function at(record: Record<string, unknown>, path: string): unknown {
  let v: unknown = record;
  for (const k of path.split('.')) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/** One record as a document, with the fields the pipeline names. */
function recordDocument(value: unknown, p: Params, fallbackId: string): Doc {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new TypeError('expected a JSON object');
  const r = value as Record<string, unknown>;
  const text = at(r, p.text_field);
  if (typeof text !== 'string') throw new TypeError(`expected a string "${p.text_field}" field`);
  const id = at(r, p.id_field);
  let meta: Doc['meta'];
  if (p.meta_fields) {
    meta = {};
    for (const f of p.meta_fields) {
      const v = at(r, f);
      if (v !== undefined) meta[f.split('.').at(-1)!] = v;
    }
  } else {
    const m = r.meta ?? r.metadata;
    meta = m && typeof m === 'object' && !Array.isArray(m) ? { ...(m as Doc['meta']) } : {};
  }
  return { id: typeof id === 'string' || typeof id === 'number' ? String(id) : fallbackId, text, source: typeof r.source === 'string' ? r.source : p.source_name, meta };
}

export const jsonlSource = defineSource({
  name: 'jsonl',
  source: 'jsonl',
  description: 'JSON lines of your own (.jsonl, .jsonl.gz, .json.gz, .jsonl.zst): text, id and meta fields configurable',
  params,
  sourceName: (p) => p.source_name,
  async list(p, env) {
    return expandUrls(p, env.fetcher);
  },
  async plan(files, _p, env) {
    return files.flatMap((f): ReadTask[] => splitLineFile(f.path, f.size, env.taskBytes).map((s) => ({ path: f.path, name: f.name, url: f.url, ...s })));
  },
  read(task, p, ctx) {
    const standard = p.text_field === 'text' && p.id_field === 'id' && !p.meta_fields;
    if (standard) return readShard(task.path, { range: task.range, source: p.source_name, inputName: task.name, onBad: ctx.quarantine, onBytes: ctx.advance, limits: ctx.limits });
    const ranged = task.range !== undefined;
    return readJsonLines(task.path, {
      range: task.range,
      onBytes: ctx.advance,
      onBad: ctx.quarantine,
      maxRecordBytes: ctx.limits?.maxRecordBytes,
      maxRatio: ctx.limits?.maxDecompressionRatio,
      reasons: { json: 'malformed_json', record: 'bad_document' },
      convert: (line) => recordDocument(line.value, p, provenanceId(p.source_name, task.name, ranged ? `@${line.offset}` : line.index)),
    });
  },
});
