/**
 * RedPajama's raw GitHub input: the BigQuery `github_repos` export (rp_v1 data_prep/github/README.md),
 * JSON lines of `contents ⋈ files ⋈ licenses ⋈ languages` rows:
 *   {id, size, content, binary, copies, repo_name, ref, path, mode, symlink_target, license, language}
 * RedPajama's query already kept `license LIKE 'mit%' OR 'bsd%' OR 'apache%'`; here the licence
 * is checked again against the configured allow list (BigQuery's keys are choosealicense keys, so
 * `apache-2.0` -> Apache-2.0), so an unfiltered export works too.
 *
 * Rows that are not documents are counted, not lost: `no_content` (BigQuery stores no content for
 * large files), `binary`, `license_not_allowed`, `license_file` (RedPajama skipped `LICENSE`),
 * vendored / generated. A line that is not a JSON object is quarantined with its file and offset.
 */
import type { Doc } from '../../core/document.js';
import type { ByteRange } from '../../io/byte-ranges.js';
import { readJsonLines, type JsonLine } from '../../io/jsonl.js';
import type { ReadContext } from '../../pipeline/source.js';
import { generatedByContent, skipByPath } from './files.js';
import { githubDocument } from './document.js';
import type { HeaderMode } from './header.js';
import { isLicenseFilePath, spdxForKey } from './license-detect.js';
import type { LicensePolicy } from './repo.js';

export interface BigQueryReadOptions {
  path: string;
  /** File name for ids: `github/<name>/<byte offset>`. */
  name: string;
  range?: ByteRange;
  license: LicensePolicy;
  header: HeaderMode;
  count: (reason: string, n?: number) => void;
}

/** BigQuery fields kept in meta besides repo_name, path and license. */
const KEPT_FIELDS = ['ref', 'size', 'copies', 'mode'] as const;

/** A parsed line as a BigQuery row (a JSON object with string repo_name and path), or a throw. */
function bigQueryRow(line: JsonLine): { row: Record<string, unknown>; offset: number } {
  const v = line.value;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new TypeError('expected a JSON object');
  const row = v as Record<string, unknown>;
  if (typeof row.repo_name !== 'string' || typeof row.path !== 'string') throw new TypeError('expected string "repo_name" and "path"');
  return { row, offset: line.offset };
}

export async function* readBigQuery(opts: BigQueryReadOptions, ctx: ReadContext): AsyncGenerator<Doc> {
  const allowed = new Set(opts.license.allow.map((a) => a.toLowerCase()));
  const rows = readJsonLines(opts.path, {
    range: opts.range,
    onBytes: ctx.advance,
    onBad: ctx.quarantine,
    maxRecordBytes: ctx.limits?.maxRecordBytes,
    maxRatio: ctx.limits?.maxDecompressionRatio,
    position: 'byte',
    reasons: { utf8: 'malformed_record', json: 'malformed_record', record: 'malformed_record' },
    convert: bigQueryRow,
  });
  for await (const { row, offset } of rows) {
    const path = row.path as string;
    if (typeof row.content !== 'string') {
      opts.count('no_content');
      continue;
    }
    if (row.binary === true) {
      opts.count('binary');
      continue;
    }
    const spdx = typeof row.license === 'string' ? spdxForKey(row.license) : null;
    if (!spdx || !allowed.has(spdx.toLowerCase())) {
      opts.count('license_not_allowed');
      continue;
    }
    if (isLicenseFilePath(path)) {
      opts.count('license_file');
      continue;
    }
    const byPath = skipByPath(path);
    if (byPath) {
      opts.count(byPath);
      continue;
    }
    let content = row.content;
    if (content.includes('\u0000')) {
      opts.count('binary');
      continue;
    }
    if (content.charCodeAt(0) === 0xfeff) content = content.slice(1);
    if (generatedByContent(path, content)) {
      opts.count('generated');
      continue;
    }
    const extra: Record<string, unknown> = {};
    for (const k of KEPT_FIELDS) if (row[k] !== undefined && row[k] !== null) extra[k] = row[k];
    yield githubDocument({ id: `github/${opts.name}/${offset}`, repo_name: row.repo_name as string, path, license: spdx, content, extra }, opts.header);
  }
}
