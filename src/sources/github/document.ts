/**
 * One kept source file as a corpus document: header cleaned, then the meta RedPajama records
 * (repo_name, path, license, line statistics) plus language and a content hash.
 *
 * `content_hash` is the SHA-256 (hex) of the document text after header removal, so any dedup step
 * can key on it (`exact_dedup` with key meta.content_hash). RedPajama hashed the raw content with
 * MD5; hashing the cleaned text also folds copies that differ only in their copyright header.
 */
import { createHash } from 'node:crypto';
import type { Doc } from '../../core/document.js';
import { languageOf } from './files.js';
import { stripHeader, type HeaderMode } from './header.js';
import { lineStats } from './stats.js';

export interface GithubFile {
  id: string;
  repo_name: string;
  path: string;
  /** SPDX id of the repository licence. */
  license: string;
  content: string;
  /** Extra meta (BigQuery fields such as ref). */
  extra?: Record<string, unknown>;
}

function contentHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;

export function githubDocument(file: GithubFile, header: HeaderMode): Doc {
  const text = stripHeader(file.content, header);
  const st = lineStats(text);
  return {
    id: file.id,
    text,
    source: 'github',
    meta: {
      repo_name: file.repo_name,
      path: file.path,
      license: file.license,
      language: languageOf(file.path),
      content_hash: contentHash(text),
      line_count: st.line_count,
      max_line_length: st.max_line_length,
      avg_line_length: round(st.avg_line_length),
      alnum_prop: round(st.alnum_prop),
      ...file.extra,
    },
  };
}
