/**
 * ArXiv (2.5% of LLaMA's tokens): the monthly source tars `arXiv_src_YYMM_NNN.tar`, each holding
 * `YYMM/<id>.gz` per paper, read from arXiv's requester-pays bucket `s3://arxiv/src/` (presigned
 * SigV4 URLs, s3.ts), from an https mirror with the same layout, or from a local folder.
 *
 * Listing: the bucket's `arXiv_src_manifest.xml` (sizes and md5 of every tar, so the fetcher
 * verifies downloads) for s3 and mirrors; a glob for folders. One task per tar (tars are streamed,
 * never extracted). Each paper becomes one document (project.ts opens and cleans it; clean.ts is
 * the corpusmill cleaner, redpajama-cleaner.ts the reference one for `cleaner: redpajama`).
 *
 * Meta (RedPajama's keys): `arxiv_id` (`hep-th/9901001` for old-style ids), `yymm`, `timestamp`
 * (the member's mtime in ISO 8601 UTC; QUIRK fixed: RedPajama wrote local time without a zone),
 * `url` (https://arxiv.org/abs/<id>). `language` is left to the language-id step (RedPajama ran
 * fastText lid.176 here, as metadata only; nothing was filtered on it).
 */
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { provenanceId, type Doc } from '../../core/document.js';
import { ConfigError, errorMessage } from '../../core/errors.js';
import { readTar } from '../../io/tar.js';
import { defineSource, wholeFileTasks, type ReadContext, type SourceEnv } from '../../pipeline/source.js';
import type { RemoteFile } from '../../fetch/files.js';
import { urlsOrListing } from '../../fetch/urls.js';
import { cleanPaper, cleanPaperRedPajama, GzipBombError, isTexPath, openPaper, type CleanPaperResult, type OpenedPaper } from './project.js';
import { DEFAULT_MAX_RECORD_BYTES } from '../../io/limits.js';
import { RedPajamaMacroError, formatArxivId } from './redpajama-cleaner.js';
import { parseManifest, presignS3, resolveCredentials, type ManifestEntry } from './s3.js';

const ARXIV_ABS_URL = 'https://arxiv.org/abs/';
const MANIFEST = 'arXiv_src_manifest.xml';
const TAR_NAME_RE = /^arXiv_src_(\d{4})_(\d{3})\.tar$/;

const params = z
  .object({
    /** `s3://arxiv/src/` (requester pays), an https mirror folder, or a local folder / `file:` URL. */
    base_url: z.string().default('s3://arxiv/src/'),
    /** Explicit tar URLs or paths instead of a listing. */
    urls: z.array(z.string()).min(1).optional(),
    /** Months to take, `YYMM`, inclusive bounds. */
    from_yymm: z
      .string()
      .regex(/^\d{4}$/)
      .optional(),
    to_yymm: z
      .string()
      .regex(/^\d{4}$/)
      .optional(),
    /** Take only the first N tars (trials). */
    max_tars: z.number().int().positive().optional(),
    region: z.string().default('us-east-1'),
    access_key_id: z.string().optional(),
    secret_access_key: z.string().optional(),
    session_token: z.string().optional(),
    /** Presigned URLs stay valid this long (the whole download must start within it). */
    url_expires_s: z
      .number()
      .int()
      .min(60)
      .max(604800)
      .default(7 * 86400),
    /** `corpusmill` (default: QUIRKs fixed, \input resolved, macros with arguments) or `redpajama` (bit-exact reference). */
    cleaner: z.enum(['corpusmill', 'redpajama']).default('corpusmill'),
    /** A paper that decompresses to more than this is a gzip bomb: counted and skipped. */
    max_paper_bytes: z
      .number()
      .int()
      .positive()
      .default(256 << 20),
  })
  .strict();

type Params = z.infer<typeof params>;

function inMonths(yymm: string, p: Params): boolean {
  // Old ids (9107…9912) sort after new ones as text; compare on a 4-digit year.
  const key = (s: string) => (Number(s.slice(0, 2)) >= 91 ? '19' : '20') + s;
  if (p.from_yymm && key(yymm) < key(p.from_yymm)) return false;
  if (p.to_yymm && key(yymm) > key(p.to_yymm)) return false;
  return true;
}

/** The bucket and key prefix of an `s3://bucket/prefix/` URL. */
function parseS3(url: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!m) throw new ConfigError(`arxiv: bad s3 URL ${url}`);
  const prefix = m[2]!;
  return { bucket: m[1]!, prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/` };
}

async function listTars(p: Params, env: SourceEnv): Promise<RemoteFile[]> {
  const pick = (entries: ManifestEntry[]) =>
    entries
      .filter((e) => TAR_NAME_RE.test(basename(e.filename)) && inMonths(e.yymm, p))
      .sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0))
      .slice(0, p.max_tars);
  if (p.base_url.startsWith('s3://')) {
    const { bucket, prefix } = parseS3(p.base_url);
    const credentials = resolveCredentials(p);
    const sign = (key: string) => presignS3({ bucket, key, region: p.region, credentials, requesterPays: true, expires: p.url_expires_s });
    const manifest = parseManifest(await env.fetcher.fetchText(sign(prefix + MANIFEST)));
    return pick(manifest).map((e) => ({ url: sign(e.filename), name: basename(e.filename), size: e.size, md5: e.md5 }));
  }
  const local = env.fetcher.localPath(p.base_url);
  if (local) {
    let names: string[];
    try {
      names = (await readdir(local)).filter((n) => TAR_NAME_RE.test(n)).sort();
    } catch {
      throw new ConfigError(`arxiv: folder ${local} does not exist`);
    }
    const picked = names.filter((n) => inMonths(TAR_NAME_RE.exec(n)![1]!, p)).slice(0, p.max_tars);
    if (picked.length === 0) throw new ConfigError(`arxiv: no arXiv_src_YYMM_NNN.tar in ${local} for the months asked`);
    return picked.map((n) => ({ url: pathToFileURL(join(local, n)).href, name: n }));
  }
  const base = p.base_url.endsWith('/') ? p.base_url : `${p.base_url}/`;
  const manifest = parseManifest(await env.fetcher.fetchText(base + MANIFEST));
  // The manifest names keys as `src/arXiv_src_…`; a mirror serves them under its base folder.
  return pick(manifest).map((e) => ({ url: base + basename(e.filename), name: basename(e.filename), size: e.size, md5: e.md5 }));
}

/** `2301/2301.00001.gz` → yymm `2301`, raw id `2301.00001`; null for anything else (PDF-only papers). */
export function paperMember(path: string): { yymm: string; rawId: string } | null {
  const m = /(?:^|\/)(\d{4})\/([^/]+)\.gz$/.exec(path);
  if (!m) return null;
  return { yymm: m[1]!, rawId: m[2]! };
}

export interface PaperOutcome {
  doc?: Doc;
  /** Why there is no document (counted by the reader). */
  reason?: string;
}

/** Turns one tar member into a document (or the reason there is none). */
async function paperToDoc(
  member: { path: string; data: Buffer; mtime?: Date },
  tarName: string,
  p: Pick<Params, 'cleaner' | 'max_paper_bytes'>,
  ctx: Pick<ReadContext, 'quarantine' | 'limits'>,
): Promise<PaperOutcome> {
  const info = paperMember(member.path);
  const where = { file: tarName, record: member.path };
  // Every member that yields no document is quarantined with its reason, so counts add up.
  const none = (reason: string, detail: string): PaperOutcome => {
    ctx.quarantine({ reason, ...where, detail });
    return { reason };
  };
  if (!info) return member.path.toLowerCase().endsWith('.pdf') ? none('pdf_only', 'PDF-only submission, no LaTeX') : none('not_a_paper', 'not a YYMM/<id>.gz member');
  let opened: OpenedPaper;
  try {
    opened = await openPaper(member.data, `${tarName}:${member.path}`, p.max_paper_bytes);
  } catch (e) {
    return none(e instanceof GzipBombError ? 'gzip_bomb' : 'unreadable_paper', errorMessage(e));
  }
  for (const s of opened.skipped) ctx.quarantine({ reason: `tar_member_${s.reason}`, ...where, detail: `member ${s.path} skipped (${s.reason})` });
  // A LaTeX file is a record like any other: one past max_record_bytes is not cleaned (the paper goes to quarantine, named).
  const maxTex = ctx.limits?.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const huge = opened.files.find((f) => isTexPath(f.path) && f.data.length > maxTex);
  if (huge) return none('record_too_large', `${huge.path}: a LaTeX file of ${huge.data.length} bytes is longer than max_record_bytes (${maxTex})`);
  let text: string;
  const extra: Record<string, unknown> = {};
  if (p.cleaner === 'redpajama') {
    let out: string | null;
    try {
      out = cleanPaperRedPajama(opened);
    } catch (e) {
      if (!(e instanceof RedPajamaMacroError)) throw e;
      return none('redpajama_macro_error', errorMessage(e));
    }
    if (out === null) return none('not_utf8', 'RedPajama cleaner: a .tex file is not UTF-8');
    text = out;
  } else {
    let r: CleanPaperResult;
    try {
      r = cleanPaper(opened.files);
    } catch (e) {
      // A cleaner bug must cost one paper, named, not the whole monthly tar.
      return none('clean_error', errorMessage(e));
    }
    text = r.text;
    if (r.latin1Files > 0) extra.latin1_files = r.latin1Files;
  }
  if (text.length === 0) return none('no_section', 'no \\section-like command: nothing left after the preamble cut');
  const arxivId = formatArxivId(info.rawId);
  const doc: Doc = {
    id: provenanceId('arxiv', tarName, info.rawId),
    text,
    source: 'arxiv',
    meta: {
      arxiv_id: arxivId,
      yymm: info.yymm,
      ...(member.mtime ? { timestamp: member.mtime.toISOString().replace(/\.\d{3}Z$/, 'Z') } : {}),
      url: ARXIV_ABS_URL + arxivId,
      ...extra,
    },
  };
  return { doc };
}

export const arxivSource = defineSource({
  name: 'arxiv',
  source: 'arxiv',
  description: 'arXiv LaTeX sources: monthly arXiv_src_YYMM_NNN.tar from s3://arxiv (requester pays), a mirror or a folder',
  params,
  list: urlsOrListing(listTars),
  plan: (files) => wholeFileTasks(files),
  async *read(task, p, ctx) {
    const stream = createReadStream(task.path, { highWaterMark: 1 << 20 });
    const members = readTar(stream, {
      label: task.path,
      // A compressed paper larger than the decompressed cap cannot be a paper either.
      maxMemberBytes: p.max_paper_bytes,
      onSkip: (s) => ctx.quarantine({ reason: `tar_member_${s.reason}`, file: task.name, record: s.path, detail: `member skipped (${s.reason})` }),
    });
    for await (const member of members) {
      ctx.advance(member.size + 512);
      const out = await paperToDoc(member, task.name, p, ctx);
      if (out.doc) yield out.doc;
    }
  },
});
