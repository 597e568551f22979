/**
 * Generic JSON-lines input (RedPajama, dolma or bare `{"text"}` records, and the project's own
 * shards), for users who bring their own data. Uncompressed files split into byte-range tasks.
 */
import { z } from 'zod';
import { readShard, isSplittable } from '../../io/shards.js';
import { byteRanges } from '../../io/lines.js';
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
    const tasks: ReadTask[] = [];
    for (const f of files) {
      if (!isSplittable(f.path)) {
        tasks.push({ path: f.path, name: f.name, url: f.url, bytes: f.size });
        continue;
      }
      for (const r of byteRanges(f.size, env.taskBytes)) tasks.push({ path: f.path, name: f.name, url: f.url, bytes: r.end - r.start, range: r });
    }
    return tasks;
  },
  read(task, p, ctx) {
    return readShard(task.path, { range: task.range, source: p.source_name, inputName: task.name, onBad: ctx.quarantine, onBytes: ctx.advance });
  },
});
