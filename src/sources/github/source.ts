/**
 * GitHub (4.5% of LLaMA's tokens): source files of Apache / BSD / MIT repositories, from three
 * kinds of input that can be mixed in one pipeline input:
 * - `bigquery`: RedPajama's raw input, the BigQuery `github_repos` export as JSON lines
 *   (bigquery.ts); uncompressed files split into byte-range tasks;
 * - `repos`: repository tarballs from codeload.github.com (`owner/repo@ref`) or any URL, fetched
 *   through the fetch layer (retries, resume, cache), one task per repository (repo.ts);
 * - `checkouts`: local folders (a clone), one task per folder.
 * Every kept file becomes one document; the licence, binary, vendored and generated rules live in
 * license-detect.ts and files.ts, header removal in header.ts. RedPajama's filters run after as the
 * `github_filters` step (filters.ts), and exact dedup on meta.content_hash as a dedup step.
 *
 * Ids: `github/<name>/<owner>/<repo>/<path>` for repositories and checkouts,
 * `github/<file>/<byte offset>` for BigQuery rows.
 */
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { ConfigError, CorpusError, errorMessage } from '../../core/errors.js';
import { SizeLimitError } from '../../io/tar.js';
import { CorruptInputError, DecompressionBombError } from '../../io/compression.js';
import { splitLineFile } from '../../io/byte-ranges.js';
import { defineSource, type ReadContext, type ReadTask, type SourceEnv } from '../../pipeline/source.js';
import type { LocalFile, RemoteFile } from '../../fetch/files.js';
import { expandUrls } from '../../fetch/urls.js';
import { readBigQuery } from './bigquery.js';
import { DEFAULT_ALLOWED } from './license-detect.js';
import { checkoutWalker, readRepository, tarballWalker, type LicensePolicy } from './repo.js';

const repoSpec = z.union([
  z.string().regex(/^[\w.-]+\/[\w.-]+(?:@[^\s]+)?$/, 'expected owner/repo or owner/repo@ref'),
  z
    .object({
      /** owner/repo, used in ids and meta.repo_name. */
      repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/),
      ref: z.string().optional(),
      /** Where the tarball is (default: codeload). Any URL or local path. */
      url: z.string().optional(),
    })
    .strict(),
]);

export const githubParams = z
  .object({
    /** `<name>` in repository document ids. */
    name: z
      .string()
      .regex(/^[\w.-]+$/)
      .default('repos'),
    /** BigQuery JSONL exports (URLs or paths; `*` globs a local folder). */
    bigquery: z.array(z.string().min(1)).optional(),
    /** Repositories to fetch as tarballs. */
    repos: z.array(repoSpec).optional(),
    /** A file with one `owner/repo[@ref]` per line (`#` comments), relative to the pipeline. */
    repos_file: z.string().optional(),
    codeload_base: z.string().default('https://codeload.github.com'),
    /** Ref for repositories given without one. */
    default_ref: z.string().default('HEAD'),
    /** Local checkouts; the folder name is the repository name unless given as {path, repo}. */
    checkouts: z.array(z.union([z.string(), z.object({ path: z.string(), repo: z.string() }).strict()])).optional(),
    licenses: z
      .object({
        /** SPDX ids kept (LLaMA: Apache, BSD, MIT). */
        allow: z.array(z.string()).default(DEFAULT_ALLOWED),
        /** Several licence files with different licences: `other` (refuse, as licensee) or `all_allowed`. */
        multi: z.enum(['other', 'all_allowed']).default('other'),
        /** Also read the licence a root package manifest declares (package.json, Cargo.toml, ...); default true, as licensee's `--packages`. */
        packages: z.boolean().optional(),
      })
      .strict()
      .default({ allow: DEFAULT_ALLOWED, multi: 'other' }),
    /** Copyright-header removal: `fixed` (default), `redpajama` (parity, with its QUIRK), `off`. */
    header: z.enum(['fixed', 'redpajama', 'off']).default('fixed'),
    /** Files larger than this are skipped (`too_large`); BigQuery holds no content above 1 MiB either. */
    max_file_bytes: z
      .number()
      .int()
      .positive()
      .default(1 << 20),
    /** A tarball that decompresses to more than this is stopped and quarantined (`archive_too_large`). */
    max_archive_bytes: z
      .number()
      .int()
      .positive()
      .default(4 * 2 ** 30),
    /** Leading path components dropped from tarball members (codeload wraps files in `<repo>-<ref>/`). */
    strip_components: z.number().int().nonnegative().default(1),
  })
  .strict()
  .refine((p) => p.bigquery || p.repos || p.repos_file || p.checkouts, { message: 'give at least one of bigquery, repos, repos_file, checkouts' });

type GithubParams = z.infer<typeof githubParams>;

interface Repo {
  repo: string;
  url: string;
}

async function repoList(p: GithubParams, env: SourceEnv): Promise<Repo[]> {
  const specs: Array<z.infer<typeof repoSpec>> = [...(p.repos ?? [])];
  if (p.repos_file) {
    const text = await env.fetcher.fetchText(p.repos_file.includes('://') ? p.repos_file : resolve(env.pipelineDir, p.repos_file));
    for (const raw of text.split('\n')) {
      const line = raw.replace(/#.*$/, '').trim();
      if (!line) continue;
      const parsed = repoSpec.safeParse(line);
      if (!parsed.success) throw new ConfigError(`${p.repos_file}: "${line}": expected owner/repo or owner/repo@ref`);
      specs.push(parsed.data);
    }
  }
  const base = p.codeload_base.replace(/\/+$/, '');
  return specs.map((s) => {
    const o = typeof s === 'string' ? { repo: s.split('@')[0]!, ref: s.includes('@') ? s.slice(s.indexOf('@') + 1) : undefined, url: undefined } : s;
    const ref = o.ref ?? p.default_ref;
    let url = o.url ?? `${base}/${o.repo}/tar.gz/${encodeURIComponent(ref)}`;
    const local = env.fetcher.localPath(url);
    if (local) url = pathToFileURL(local).href;
    return { repo: o.repo, url };
  });
}

function checkoutList(p: GithubParams, env: SourceEnv): Array<{ path: string; repo: string }> {
  return (p.checkouts ?? []).map((c) => {
    const path = resolve(env.pipelineDir, typeof c === 'string' ? c : c.path);
    return { path, repo: typeof c === 'string' ? basename(path) : c.repo };
  });
}

function policy(p: GithubParams): LicensePolicy {
  return { allow: p.licenses.allow, multi: p.licenses.multi, packages: p.licenses.packages };
}

/** Counts a skip reason on the task's stats (`skipped_<reason>`), and in a tally logged per repository. */
function counter(ctx: ReadContext, label: string): { count: (reason: string, n?: number) => void; flush: () => void } {
  const tally = new Map<string, number>();
  return {
    count(reason, n = 1) {
      ctx.count?.(`skipped_${reason}`, n);
      tally.set(reason, (tally.get(reason) ?? 0) + n);
    },
    flush() {
      if (tally.size > 0) ctx.log.debug(`${label}: skipped ${[...tally].map(([k, v]) => `${k}=${v}`).join(' ')}`);
    },
  };
}

export const githubSource = defineSource({
  name: 'github',
  source: 'github',
  description: 'GitHub code: BigQuery github_repos JSONL, repository tarballs (codeload) and local checkouts; licence-checked',
  params: githubParams,
  async list(p, env): Promise<RemoteFile[]> {
    const files: RemoteFile[] = [];
    if (p.bigquery) files.push(...(await expandUrls({ urls: p.bigquery }, env.fetcher)));
    for (const r of await repoList(p, env)) files.push({ url: r.url, name: r.repo });
    return files;
  },
  async plan(files: LocalFile[], p, env): Promise<ReadTask[]> {
    const repos = new Map((await repoList(p, env)).map((r) => [r.url, r.repo]));
    const tasks: ReadTask[] = [];
    for (const f of files) {
      const repo = repos.get(f.url);
      if (repo !== undefined) {
        tasks.push({ path: f.path, name: f.name, url: f.url, bytes: f.size, extra: { kind: 'tarball', repo } });
      } else {
        for (const s of splitLineFile(f.path, f.size, env.taskBytes)) tasks.push({ path: f.path, name: f.name, url: f.url, ...s, extra: { kind: 'bigquery' } });
      }
    }
    for (const c of checkoutList(p, env)) {
      let st: Stats;
      try {
        st = await stat(c.path);
      } catch {
        throw new ConfigError(`checkout ${c.path} does not exist`);
      }
      if (!st.isDirectory()) throw new ConfigError(`checkout ${c.path} is not a folder`);
      tasks.push({ path: c.path, name: c.repo, url: pathToFileURL(c.path).href, bytes: 0, extra: { kind: 'checkout', repo: c.repo } });
    }
    return tasks;
  },
  async *read(task, p, ctx) {
    const kind = task.extra?.kind;
    const { count, flush } = counter(ctx, task.name);
    const common = { license: policy(p), header: p.header, count };
    try {
      if (kind === 'bigquery') {
        yield* readBigQuery({ path: task.path, name: task.name, range: task.range, ...common }, ctx);
      } else {
        const repo = String(task.extra?.repo ?? task.name);
        const walker =
          kind === 'checkout'
            ? checkoutWalker(task.path, { maxFileBytes: p.max_file_bytes })
            : tarballWalker(task.path, { stripComponents: p.strip_components, maxFileBytes: p.max_file_bytes, maxArchiveBytes: p.max_archive_bytes });
        const inputName = kind === 'checkout' ? 'checkouts' : p.name;
        try {
          yield* readRepository(walker, {
            inputName,
            repoName: repo,
            ...common,
            onLicense: (lic, ok) => ctx.log.debug(`${repo}: licence ${lic.spdx ?? lic.key ?? 'none'} (${ok ? 'kept' : 'skipped'})`),
          });
        } catch (e) {
          // A tarball that cannot be read to its end (truncated, corrupt) fails the task, like any
          // input (the build fetches a download again once). An archive over max_archive_bytes is
          // one bad record: quarantined, or the task fails when the pipeline says on_bad_record: fail.
          if (!(e instanceof CorpusError) || e instanceof CorruptInputError || kind === 'checkout') throw e;
          const reason = e.cause instanceof SizeLimitError || e instanceof DecompressionBombError ? 'archive_too_large' : 'bad_archive';
          ctx.quarantine({ reason, file: task.path, record: repo, detail: errorMessage(e) });
        }
        if (kind !== 'checkout') ctx.advance(task.bytes);
      }
    } finally {
      flush();
    }
  },
});
