/**
 * Parquet input (Hugging Face datasets layout: FineWeb, FineWeb-Edu, SlimPajama and RedPajama-V2
 * exports, DCLM, or any table with a text column). Which columns hold the text, the id, the source
 * and the meta is configurable; row groups are the unit of work: consecutive row groups of a file
 * make one task of about `settings.task_bytes` compressed bytes (a larger row group is a task of its
 * own), so a big file is read by several workers and ids never depend on how it was split.
 *
 * A row becomes the document a JSON line with the same fields would (the `jsonl` source): text from
 * the text column, id from the id column (else `<source_name>/<file>/<row>`, row counted from 0 in
 * the file), source from the source column (else `source_name`), meta from the meta column (a
 * struct, a map or a JSON-object string), plus any `meta_columns`. Values become JSON: int64 as
 * numbers, timestamps as ISO 8601 strings, bytes as base64.
 */
import { z } from 'zod';
import { readParquetDocs, readParquetMetadata, rowGroupBytes } from '../../io/parquet.js';
import { defineSource, type ReadTask } from '../../pipeline/source.js';
import { expandUrls, urlListParams } from '../../fetch/urls.js';

const params = urlListParams
  .extend({
    /** `source` of rows that carry none (and the stage's output folder). */
    source_name: z.string().default('parquet'),
    text_column: z.string().default('text'),
    /** Default: `id` when the file has it. */
    id_column: z.string().optional(),
    /** Default: `source` when the file has it. */
    source_column: z.string().optional(),
    /** Default: `meta`, else `metadata`, when the file has it; null: none. */
    meta_column: z.string().nullable().optional(),
    /** Columns copied into meta by name; `'*'` takes every column not used above (FineWeb's url, dump, date, ...). */
    meta_columns: z.union([z.array(z.string()), z.literal('*')]).optional(),
  })
  .strict();
type Params = z.infer<typeof params>;

/** Consecutive row groups of one file, about `taskBytes` compressed bytes each. */
export function rowGroupTasks(sizes: number[], taskBytes: number): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  let start = 0;
  let bytes = 0;
  for (let g = 0; g < sizes.length; g++) {
    bytes += sizes[g]!;
    if (bytes >= taskBytes || g === sizes.length - 1) {
      out.push([start, g + 1, bytes]);
      start = g + 1;
      bytes = 0;
    }
  }
  return out;
}

function columns(p: Params) {
  return { text: p.text_column, id: p.id_column, source: p.source_column, meta: p.meta_column, metaColumns: p.meta_columns };
}

export const parquetSource = defineSource({
  name: 'parquet',
  source: 'parquet',
  description: 'Parquet files (HF datasets: FineWeb, SlimPajama, RedPajama-V2 exports, ...); text/id/source/meta columns configurable; row groups as tasks',
  params,
  sourceName: (p) => p.source_name,
  async list(p, env) {
    return expandUrls(p, env.fetcher);
  },
  async plan(files, _p, env) {
    const tasks: ReadTask[] = [];
    for (const f of files) {
      const { metadata } = await readParquetMetadata(f.path);
      const sizes = metadata.row_groups.map((_, g) => rowGroupBytes(metadata, g));
      for (const [from, to, bytes] of rowGroupTasks(sizes, env.taskBytes)) tasks.push({ path: f.path, name: f.name, url: f.url, bytes, extra: { row_groups: [from, to] } });
    }
    return tasks;
  },
  read(task, p, ctx) {
    const rowGroups = task.extra?.row_groups as [number, number] | undefined;
    return readParquetDocs(task.path, { source: p.source_name, inputName: task.name, columns: columns(p), rowGroups, onBad: ctx.quarantine, onBytes: ctx.advance });
  },
});
