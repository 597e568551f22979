/**
 * Generic JSON-lines input (RedPajama, dolma or bare `{"text"}` records, and the project's own
 * shards), for users who bring their own data. Uncompressed files split into byte-range tasks.
 */
import { z } from 'zod';
import { readShard } from '../../io/shards.js';
import { splitLineFile } from '../../io/byte-ranges.js';
import { defineSource, type ReadTask } from '../../pipeline/source.js';
import { expandUrls, urlListParams } from '../../fetch/urls.js';

const params = urlListParams.extend({
  /** `source` written into records that carry none. */
  source_name: z.string().default('jsonl'),
});

export const jsonlSource = defineSource({
  name: 'jsonl',
  source: 'jsonl',
  description: 'JSON lines with a "text" field (.jsonl, .jsonl.gz, .json.gz, .jsonl.zst)',
  params,
  sourceName: (p) => p.source_name,
  async list(p, env) {
    return expandUrls(p, env.fetcher);
  },
  async plan(files, _p, env) {
    return files.flatMap((f): ReadTask[] => splitLineFile(f.path, f.size, env.taskBytes).map((s) => ({ path: f.path, name: f.name, url: f.url, ...s })));
  },
  read(task, p, ctx) {
    return readShard(task.path, { range: task.range, source: p.source_name, inputName: task.name, onBad: ctx.quarantine, onBytes: ctx.advance, limits: ctx.limits });
  },
});
