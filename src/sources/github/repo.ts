/**
 * Reading one whole repository (a codeload tarball or a local checkout) into documents, in two
 * passes over its files so memory stays flat whatever the repository's size:
 * 1. only the root licence files, README and .gitattributes are read, and the licence decided
 *    (license-detect.ts);
 *    a repository whose licence is not allowed yields nothing (counted `license_not_allowed`);
 * 2. every other file is read one at a time: vendored / generated-by-name files are skipped before
 *    their bytes are read, binary / non-UTF-8 / generated-by-content files after; the rest become
 *    documents (document.ts).
 * Tarball members go through src/io/tar.ts, so `..` paths, absolute paths, links and device files
 * never reach the file system or the corpus (counted `tar_<reason>`).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Doc } from '../../core/document.js';
import { compressionOfMagic, openDecompressed, type Compression } from '../../io/compression.js';
import { limitBytes, readTar, type TarSkip } from '../../io/tar.js';
import { classifyBytes, skipByPath } from './files.js';
import { NO_OVERRIDES, parseGitattributes, type LinguistOverrides } from './gitattributes.js';
import { githubDocument } from './document.js';
import type { HeaderMode } from './header.js';
import { detectProjectLicense, isAllowed, isLicenseFilePath, isReadmePath, type MultiLicensePolicy, type ProjectLicense } from './license-detect.js';
import { isPackageManagerPath } from './license-packages.js';

interface RepoMember {
  /** Path relative to the repository root. */
  path: string;
  data: Buffer;
}

/** Walks a repository's regular files whose path passes `select`, reading only those. */
export type RepoWalker = (select: (path: string) => boolean, onSkip: (reason: string, path: string) => void) => AsyncIterable<RepoMember>;

export interface LicensePolicy {
  /** SPDX ids kept. */
  allow: string[];
  multi: MultiLicensePolicy;
  /** Read the licence a package manifest declares (default true, as licensee's `--packages`). */
  packages?: boolean;
}

export interface RepoReadOptions {
  /** `<input name>` in ids: `github/<input name>/<repo>/<path>`. */
  inputName: string;
  repoName: string;
  license: LicensePolicy;
  header: HeaderMode;
  /** Counts a skipped file (or repository) under a reason. */
  count: (reason: string, n?: number) => void;
  /** Told the licence decision once per repository. */
  onLicense?: (lic: ProjectLicense, allowed: boolean) => void;
}

const GITATTRIBUTES = '.gitattributes';

function isPreambleFile(path: string): boolean {
  return isLicenseFilePath(path) || isReadmePath(path) || isPackageManagerPath(path) || path === GITATTRIBUTES;
}

/** Pass 1: the root licence files, README, package manifests and .gitattributes. */
async function readPreamble(walk: RepoWalker, packages = true): Promise<{ license: ProjectLicense; overrides: LinguistOverrides }> {
  const licenseFiles: Array<{ path: string; text: string }> = [];
  let overrides = NO_OVERRIDES;
  for await (const m of walk(isPreambleFile, () => {})) {
    if (m.path === GITATTRIBUTES) overrides = parseGitattributes(m.data.toString('utf8'));
    else licenseFiles.push({ path: m.path, text: m.data.toString('utf8') });
  }
  return { license: detectProjectLicense(licenseFiles, { packages }), overrides };
}

/** The repository's licence from its root licence files, package manifest and README. */
export async function repositoryLicense(walk: RepoWalker, opts: { packages?: boolean } = {}): Promise<ProjectLicense> {
  return (await readPreamble(walk, opts.packages ?? true)).license;
}

export async function* readRepository(walk: RepoWalker, opts: RepoReadOptions): AsyncGenerator<Doc> {
  const { license: lic, overrides } = await readPreamble(walk, opts.license.packages ?? true);
  const allowed = isAllowed(lic, opts.license.allow, opts.license.multi);
  opts.onLicense?.(lic, allowed);
  if (!allowed) {
    opts.count('license_not_allowed');
    return;
  }
  const spdx = lic.spdx ?? lic.keys.map((k) => k.toUpperCase()).join(' AND ');
  const select = (path: string) => {
    if (isLicenseFilePath(path)) {
      opts.count('license_file');
      return false;
    }
    const reason = skipByPath(path, overrides);
    if (reason) {
      opts.count(reason);
      return false;
    }
    return true;
  };
  for await (const m of walk(select, (reason) => opts.count(reason))) {
    const c = classifyBytes(m.path, m.data, overrides);
    if ('skip' in c) {
      opts.count(c.skip);
      continue;
    }
    yield githubDocument({ id: `github/${opts.inputName}/${opts.repoName}/${m.path}`, repo_name: opts.repoName, path: m.path, license: spdx, content: c.text }, opts.header);
  }
}

/** Drops the first `n` path components (codeload tarballs wrap everything in `<repo>-<ref>/`). */
function stripComponents(path: string, n: number): string | null {
  const parts = path.split('/');
  return parts.length > n ? parts.slice(n).join('/') : null;
}

/** Compression of a file from its first bytes (codeload URLs end in the ref, not `.tar.gz`). */
function sniffCompression(file: string): Compression {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(4);
    const n = readSync(fd, head, 0, 4, 0);
    return compressionOfMagic(head.subarray(0, n));
  } finally {
    closeSync(fd);
  }
}

/** A gzipped, zstd, bzip2 or plain tarball on disk as a RepoWalker; each call re-reads the archive. */
export function tarballWalker(file: string, opts: { stripComponents: number; maxFileBytes: number; maxArchiveBytes: number }): RepoWalker {
  return async function* (select, onSkip) {
    // A decompression bomb stops at maxArchiveBytes (SizeLimitError, wrapped by readTar).
    const raw = openDecompressed(file, { compression: sniffCompression(file) });
    const input = raw.pipe(limitBytes(opts.maxArchiveBytes));
    raw.on('error', (e) => input.destroy(e));
    const onTarSkip = (s: TarSkip) => {
      if (s.path !== 'pax_global_header') onSkip(s.reason === 'too_large' ? 'too_large' : `tar_${s.reason}`, s.path);
    };
    const sel = (p: string) => {
      const rel = stripComponents(p, opts.stripComponents);
      return rel !== null && select(rel);
    };
    for await (const m of readTar(input, { label: file, maxMemberBytes: opts.maxFileBytes, onSkip: onTarSkip, select: sel })) {
      const rel = stripComponents(m.path, opts.stripComponents);
      if (rel !== null) yield { path: rel, data: m.data };
    }
  };
}

/**
 * A local checkout as a RepoWalker: files in sorted order, `.git` skipped, symbolic links and
 * special files never followed (counted `link` / `special_file`).
 */
export function checkoutWalker(root: string, opts: { maxFileBytes: number }): RepoWalker {
  return async function* (select, onSkip) {
    async function* walk(dir: string, rel: string): AsyncGenerator<RepoMember> {
      const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) {
        const path = rel ? `${rel}/${e.name}` : e.name;
        const full = join(dir, e.name);
        if (e.isDirectory()) {
          if (e.name === '.git') continue;
          yield* walk(full, path);
        } else if (e.isSymbolicLink()) {
          if (select(path)) onSkip('link', path);
        } else if (!e.isFile()) {
          if (select(path)) onSkip('special_file', path);
        } else if (select(path)) {
          const st = await lstat(full);
          if (st.size > opts.maxFileBytes) {
            onSkip('too_large', path);
            continue;
          }
          yield { path, data: await readFile(full) };
        }
      }
    }
    yield* walk(root, '');
  };
}
