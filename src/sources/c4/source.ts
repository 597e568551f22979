/**
 * C4 (15% of LLaMA's tokens): `en/c4-train.NNNNN-of-01024.json.gz` from the allenai/c4 layout,
 * each line `{"text", "url", "timestamp"}`.
 *
 * RedPajama reformats C4 without filtering (rp_v1 data_prep/c4/c4_reformat.py): meta keeps
 * `timestamp` and `url` and adds `language: "en"`. QUIRK (decided: fixed): RedPajama's `*.json.gz`
 * glob also took the validation files; here `splits` says which to take (train only by default).
 */
import { z } from 'zod';
import { provenanceId, type Doc } from '../../core/document.js';
import { readJsonLines } from '../../io/jsonl.js';
import { defineSource, wholeFileTasks } from '../../pipeline/source.js';
import { urlsOrListing } from '../../fetch/urls.js';

const TRAIN_FILES = 1024;
const VALIDATION_FILES = 8;

const params = z
  .object({
    /** Explicit files (URLs or local paths/globs); when absent, the files are listed from base_url. */
    urls: z.array(z.string()).min(1).optional(),
    base_url: z.string().default('https://huggingface.co/datasets/allenai/c4/resolve/main/'),
    splits: z.array(z.enum(['train', 'validation'])).default(['train']),
    /** Take only the first N files of each split (for trials). */
    max_files: z.number().int().positive().optional(),
  })
  .strict();

/** The C4 file names of a split (`en/c4-train.00000-of-01024.json.gz`, ...). */
function c4FileNames(split: 'train' | 'validation', max?: number): string[] {
  const total = split === 'train' ? TRAIN_FILES : VALIDATION_FILES;
  const n = Math.min(total, max ?? total);
  const width = 5;
  return Array.from({ length: n }, (_, i) => `en/c4-${split}.${String(i).padStart(width, '0')}-of-${String(total).padStart(width, '0')}.json.gz`);
}

/** One C4 record as a corpus document. */
function c4Document(record: unknown, id: string): Doc {
  if (record === null || typeof record !== 'object') throw new TypeError('expected a JSON object');
  const r = record as Record<string, unknown>;
  if (typeof r.text !== 'string') throw new TypeError('expected a string "text"');
  const meta: Record<string, unknown> = { language: 'en' };
  if (typeof r.url === 'string') meta.url = r.url;
  // Real C4 uses "timestamp"; some re-exports (OLMo samples) call it "date".
  const ts = typeof r.timestamp === 'string' ? r.timestamp : typeof r.date === 'string' ? r.date : undefined;
  if (ts !== undefined) meta.timestamp = ts;
  return { id, text: r.text, source: 'c4', meta };
}

export const c4Source = defineSource({
  name: 'c4',
  source: 'c4',
  description: 'C4 en json.gz shards ({"text","url","timestamp"} per line)',
  params,
  list: urlsOrListing(async (p) => {
    const base = p.base_url.endsWith('/') ? p.base_url : `${p.base_url}/`;
    return p.splits.flatMap((s) => c4FileNames(s, p.max_files)).map((name) => ({ url: base + name, name: name.split('/').pop()! }));
  }),
  plan: (files) => wholeFileTasks(files),
  read(task, _p, ctx) {
    return readJsonLines(task.path, {
      onBytes: ctx.advance,
      onBad: ctx.quarantine,
      maxRecordBytes: ctx.limits?.maxRecordBytes,
      maxRatio: ctx.limits?.maxDecompressionRatio,
      reasons: { json: 'malformed_record', record: 'malformed_record' },
      convert: (line) => c4Document(line.value, provenanceId('c4', task.name, line.index)),
    });
  },
});
