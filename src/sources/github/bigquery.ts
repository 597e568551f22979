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
import { errorMessage } from '../../core/errors.js';
import { readLines, type LineRange } from '../../io/lines.js';
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
  range?: LineRange;
  license: LicensePolicy;
  header: HeaderMode;
  count: (reason: string, n?: number) => void;
}

/** BigQuery fields kept in meta besides repo_name, path and license. */
const KEPT_FIELDS = ['ref', 'size', 'copies', 'mode'] as const;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export async function* readBigQuery(opts: BigQueryReadOptions, ctx: ReadContext): AsyncGenerator<Doc> {
  const allowed = new Set(opts.license.allow.map((a) => a.toLowerCase()));
  for await (const line of readLines(opts.path, opts.range, undefined, ctx.advance)) {
    if (line.bytes.length === 0) continue;
    const where = { file: opts.path, record: `byte ${line.offset}` };
    let row: Record<string, unknown>;
    try {
      const v = JSON.parse(utf8.decode(line.bytes)) as unknown;
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new TypeError('expected a JSON object');
      row = v as Record<string, unknown>;
      if (typeof row.repo_name !== 'string' || typeof row.path !== 'string') throw new TypeError('expected string "repo_name" and "path"');
    } catch (e) {
      ctx.quarantine({ reason: 'malformed_record', ...where, detail: errorMessage(e), raw: line.bytes.toString('utf8').slice(0, 200) });
      continue;
    }
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
    yield githubDocument({ id: `github/${opts.name}/${line.offset}`, repo_name: row.repo_name as string, path, license: spdx, content, extra }, opts.header);
  }
}
