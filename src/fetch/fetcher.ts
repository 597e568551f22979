/**
 * The one download layer: `https://`, `http://` and `file://` URLs into local files.
 *
 * - Bounded concurrency (a semaphore per Fetcher).
 * - Retries with exponential backoff and full jitter on 5xx, 429 (honouring Retry-After),
 *   connection resets and truncated bodies. Permanent failures fail fast: 4xx other than 408/429
 *   at once, a DNS failure or a refused connection after one quick second attempt.
 * - Resume only when it is safe: `Range: bytes=N-` from the `.part` file a failed attempt left,
 *   with `If-Range` (the first response's strong ETag, else its Last-Modified), so a file that
 *   changed on the server comes back whole (200), never spliced; a 206 whose validator differs, or a
 *   part file without a validator, restarts the file. A server that ignores Range (200) restarts too.
 * - Verification: the byte count against Content-Length / Content-Range, and the checksum
 *   (sha256, sha1 or md5) when the source publishes one. The sha256 is always computed.
 * - A cache folder: `<cache>/<host>/<path>` with a `.meta.json` sidecar (bytes, sha256, ETag,
 *   Last-Modified, mtime). A cached file is used only if its size matches and, when its mtime
 *   changed, its sha256 still does (else it is discarded and fetched again). Unless a published
 *   checksum already vouches for it, it is revalidated with a conditional request (If-None-Match /
 *   If-Modified-Since); a 304 keeps it, a new version replaces it, and an unreachable server keeps
 *   it with a warning. `offline` trusts the cache and makes no request at all.
 * - `file://` URLs are read in place (no copy) and hashed once per size and mtime.
 * Each fetched file is reported to `onFetched` (the catalog keeps a row per file).
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, writeFileSync, type Stats } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, interceptors, request, type Dispatcher } from 'undici';
import { CorpusError, errorMessage } from '../core/errors.js';
import { createLogger, type Logger } from '../core/log.js';
import type { LocalFile, RemoteFile } from './files.js';
import { HostRateLimiter } from './rate-limit.js';
import { Semaphore } from './semaphore.js';

export interface FetchRecord {
  url: string;
  path: string;
  bytes: number;
  sha256: string;
  etag: string | null;
  last_modified: string | null;
  fetched_at: string;
}

/** The cache sidecar: the fetch record plus what lets a later build trust the file without hashing it. */
interface CacheMeta extends FetchRecord {
  /** mtime of the cached file when its sha256 was last computed. */
  mtime_ms?: number;
  /** Published checksums the file was verified against. */
  sha1?: string;
  md5?: string;
}

/** What a partial download was started from: the validator a resume must match (`If-Range`). */
interface PartValidator {
  url: string;
  etag: string | null;
  last_modified: string | null;
}

export interface FetcherOptions {
  cacheDir: string;
  /** Base folder for relative `file:` URLs and plain paths (the pipeline's folder). */
  baseDir?: string;
  concurrency?: number;
  retries?: number;
  /** First backoff in ms (doubles each attempt, full jitter, capped at maxBackoffMs). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Per-request timeouts in ms. */
  timeoutMs?: number;
  log?: Logger;
  onFetched?: (rec: FetchRecord) => void;
  /** Known record for a URL (from the catalog) to skip re-hashing unchanged local files. */
  lookup?: (url: string) => FetchRecord | undefined;
  /** Make no network request: cached files are trusted, anything not cached is an error. */
  offline?: boolean;
}

class RetryableError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    /** A failure that will not go away by waiting (DNS, refused connection): one quick retry only. */
    readonly permanent = false,
  ) {
    super(message);
  }
}

/** Connection errors that waiting does not fix: no such host, no route, nothing listening, bad certificate. */
const PERMANENT_NETWORK = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NONAME',
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_INVALID_URL',
]);

function requestError(e: unknown): RetryableError {
  const code = (e as NodeJS.ErrnoException).code;
  const permanent = code !== undefined && PERMANENT_NETWORK.has(code);
  const what =
    code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || code === 'EAI_FAIL' ? 'cannot resolve the host' : permanent ? 'cannot connect' : 'request failed';
  return new RetryableError(`${what} (${errorMessage(e)})`, undefined, permanent);
}

export class Fetcher {
  private readonly sem: Semaphore;
  private readonly dispatcher: Dispatcher;
  private readonly log: Logger;
  /** Per-host minimum interval between requests (sources set it for polite mirrors). */
  readonly rateLimit = new HostRateLimiter();
  readonly opts: Required<Pick<FetcherOptions, 'retries' | 'backoffMs' | 'maxBackoffMs' | 'timeoutMs'>> & FetcherOptions;

  constructor(opts: FetcherOptions) {
    this.opts = { retries: 8, backoffMs: 500, maxBackoffMs: 30_000, timeoutMs: 60_000, ...opts };
    this.sem = new Semaphore(opts.concurrency ?? 4);
    this.log = opts.log ?? createLogger('fetch');
    this.dispatcher = new Agent({
      headersTimeout: this.opts.timeoutMs,
      bodyTimeout: this.opts.timeoutMs,
      connections: 16,
    }).compose(interceptors.redirect({ maxRedirections: 5 }));
  }

  /** Downloads (or locates) a remote file and verifies it. */
  async fetchFile(remote: RemoteFile): Promise<LocalFile> {
    const local = this.localPath(remote.url);
    if (local) return this.fetchLocal(remote, local);
    return this.sem.run(() => this.fetchRemote(remote));
  }

  /** Fetches a small document (a listing, an index) into memory, with the same retries. */
  async fetchBuffer(url: string): Promise<Buffer> {
    const local = this.localPath(url);
    if (local) {
      try {
        return await readFile(local);
      } catch (e) {
        throw new CorpusError(`cannot read (${errorMessage(e)})`, { file: url });
      }
    }
    if (this.opts.offline) throw new CorpusError('not available offline (a listing is fetched when a stage is planned; plan it online once)', { file: cacheKeyUrl(url) });
    return this.sem.run(() =>
      this.withRetries(url, async () => {
        const res = await this.get(url, {});
        const chunks: Buffer[] = [];
        let n = 0;
        for await (const c of res.body) {
          chunks.push(c as Buffer);
          n += (c as Buffer).length;
        }
        const expected = res.headers['content-length'];
        if (expected !== undefined && res.headers['content-encoding'] === undefined && Number(expected) !== n) {
          throw new RetryableError(`truncated body: ${n} of ${expected} bytes`);
        }
        return Buffer.concat(chunks);
      }),
    );
  }

  async fetchText(url: string): Promise<string> {
    return (await this.fetchBuffer(url)).toString('utf8');
  }

  /** Size of a remote file from a HEAD request (for `plan`), or null when the server does not say. */
  async head(url: string): Promise<{ size: number | null; etag: string | null }> {
    const local = this.localPath(url);
    if (local) return { size: (await stat(local)).size, etag: null };
    if (this.opts.offline) throw new CorpusError('not available offline', { file: cacheKeyUrl(url) });
    return this.sem.run(() =>
      this.withRetries(url, async () => {
        await this.rateLimit.wait(url);
        let res: Dispatcher.ResponseData;
        try {
          res = await request(url, { method: 'HEAD', dispatcher: this.dispatcher });
        } catch (e) {
          throw requestError(e);
        }
        await res.body.dump();
        this.checkStatus(url, res.statusCode, res.headers);
        const len = res.headers['content-length'];
        return { size: len === undefined ? null : Number(len), etag: headerString(res.headers.etag) };
      }),
    );
  }

  /** The local path of a `file:` URL or a plain path, else null. */
  localPath(url: string): string | null {
    if (url.startsWith('file://')) return fileURLToPath(url);
    if (url.startsWith('file:')) {
      const rel = decodeURIComponent(url.slice('file:'.length));
      return isAbsolute(rel) ? rel : resolve(this.opts.baseDir ?? process.cwd(), rel);
    }
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return null;
    return isAbsolute(url) ? url : resolve(this.opts.baseDir ?? process.cwd(), url);
  }

  /** Where a URL is cached: `<cache>/<host>/<path>` (query strings folded into the name). */
  cachePath(url: string): string {
    const u = new URL(cacheKeyUrl(url));
    const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');
    const parts = u.pathname
      .split('/')
      .filter((p) => p && p !== '.' && p !== '..')
      .map(safe);
    if (parts.length === 0) parts.push('index');
    if (u.search) parts[parts.length - 1] += `_${createHash('sha1').update(u.search).digest('hex').slice(0, 10)}`;
    return join(this.opts.cacheDir, safe(u.host), ...parts);
  }

  private async fetchLocal(remote: RemoteFile, path: string): Promise<LocalFile> {
    let st: Stats;
    try {
      st = await stat(path);
    } catch {
      throw new CorpusError('input file not found', { file: path });
    }
    const known = this.opts.lookup?.(remote.url);
    let sha256: string;
    if (known && known.bytes === st.size && known.last_modified === st.mtime.toISOString()) sha256 = known.sha256;
    else sha256 = await hashFile(path, 'sha256');
    await this.verifyChecksums(remote, path, sha256);
    this.opts.onFetched?.({ url: remote.url, path, bytes: st.size, sha256, etag: null, last_modified: st.mtime.toISOString(), fetched_at: new Date().toISOString() });
    return { ...remote, path, size: st.size, sha256 };
  }

  private async fetchRemote(remote: RemoteFile): Promise<LocalFile> {
    const path = this.cachePath(remote.url);
    const cached = await this.cachedCopy(remote, path);
    if (cached) {
      const vouched = (remote.sha256 || remote.sha1 || remote.md5) !== undefined;
      if (this.opts.offline || vouched || (await this.stillCurrent(remote, cached))) {
        this.opts.onFetched?.(cached);
        return { ...remote, path, size: cached.bytes, sha256: cached.sha256 };
      }
    } else if (this.opts.offline) {
      throw new CorpusError('not in the download cache (--offline makes no request)', { file: cacheKeyUrl(remote.url) });
    }
    return this.download(remote, path);
  }

  /**
   * Discards the cached copy of `remote` (one that failed to decompress) and downloads it again.
   * Offline there is nothing to fetch with: the cached copy stays and this fails.
   */
  async refetch(remote: RemoteFile): Promise<LocalFile> {
    if (this.localPath(remote.url)) throw new CorpusError('a local file cannot be fetched again', { file: remote.url });
    if (this.opts.offline) throw new CorpusError('cannot fetch again offline', { file: cacheKeyUrl(remote.url) });
    const path = this.cachePath(remote.url);
    await this.discard(path);
    return this.sem.run(() => this.download(remote, path));
  }

  private async discard(path: string): Promise<void> {
    await Promise.all([path, `${path}.meta.json`, `${path}.part`, `${path}.part.json`].map((p) => rm(p, { force: true })));
  }

  /**
   * The cache record of `path` when the file there is still the one recorded and the one wanted:
   * same URL, same size, the same sha256 when its mtime changed, and the published checksums.
   * A file that fails any check is discarded (null).
   */
  private async cachedCopy(remote: RemoteFile, path: string): Promise<CacheMeta | null> {
    const metaPath = `${path}.meta.json`;
    let meta: CacheMeta;
    let st: Stats;
    try {
      meta = JSON.parse(await readFile(metaPath, 'utf8')) as CacheMeta;
      st = await stat(path);
    } catch {
      return null; // not cached yet
    }
    const url = cacheKeyUrl(remote.url);
    if (cacheKeyUrl(meta.url) !== url) return null;
    const reject = async (why: string) => {
      this.log.warn(`${url}: discarding the cached copy (${why}); fetching it again`);
      await this.discard(path);
      return null;
    };
    if (st.size !== meta.bytes) return reject(`${st.size} bytes, ${meta.bytes} when it was downloaded`);
    if (remote.size !== undefined && remote.size !== meta.bytes) return reject(`${meta.bytes} bytes, the listing says ${remote.size}`);
    let changed = false;
    if (meta.mtime_ms !== st.mtimeMs) {
      const sha = await hashFile(path, 'sha256');
      if (sha !== meta.sha256) return reject(`sha256 ${sha} differs from the ${meta.sha256} it was downloaded with`);
      meta.mtime_ms = st.mtimeMs;
      changed = true;
    }
    if (remote.sha256 && remote.sha256.toLowerCase() !== meta.sha256) return reject(`sha256 ${meta.sha256}, expected ${remote.sha256}`);
    for (const algo of ['sha1', 'md5'] as const) {
      const want = remote[algo]?.toLowerCase();
      if (!want || meta[algo] === want) continue;
      const got = await hashFile(path, algo);
      if (got !== want) return reject(`${algo} ${got}, expected ${want}`);
      meta[algo] = want;
      changed = true;
    }
    if (changed) await writeFile(metaPath, JSON.stringify(meta, null, 1));
    return meta;
  }

  /**
   * Asks the server whether the cached copy is current (If-None-Match / If-Modified-Since): true on
   * 304, on a 200 with the same ETag, when the record has no validator, or when the server cannot be
   * reached (the copy is kept, with a warning); false when the server has a new version.
   */
  private async stillCurrent(remote: RemoteFile, meta: CacheMeta): Promise<boolean> {
    const headers: Record<string, string> = { 'accept-encoding': 'identity' };
    if (meta.etag) headers['if-none-match'] = meta.etag;
    if (meta.last_modified) headers['if-modified-since'] = meta.last_modified;
    if (!meta.etag && !meta.last_modified) return true;
    const url = cacheKeyUrl(remote.url);
    let res: Dispatcher.ResponseData;
    try {
      await this.rateLimit.wait(remote.url);
      res = await request(remote.url, { method: 'GET', headers, dispatcher: this.dispatcher });
    } catch (e) {
      this.log.warn(`${url}: cannot revalidate the cached copy (${errorMessage(requestError(e))}); using it`);
      return true;
    }
    // Only the status matters: a new version is downloaded by the usual path (resumable, verified).
    res.body.on('error', () => {});
    res.body.destroy();
    const etag = headerString(res.headers.etag);
    if (res.statusCode === 304 || (res.statusCode < 300 && meta.etag !== null && etag === meta.etag)) return true;
    if (res.statusCode >= 300) {
      this.log.warn(`${url}: revalidating the cached copy gave HTTP ${res.statusCode}; using it`);
      return true;
    }
    this.log.warn(`${url}: changed on the server since it was cached (ETag ${meta.etag ?? '-'} → ${etag ?? '-'}); fetching the new version`);
    return false;
  }

  private async download(remote: RemoteFile, path: string): Promise<LocalFile> {
    const metaPath = `${path}.meta.json`;
    await mkdir(dirname(path), { recursive: true });
    const part = `${path}.part`;
    const rec = await this.withRetries(remote.url, () => this.downloadOnce(remote, part));
    const sha256 = await hashFile(part, 'sha256');
    try {
      await this.verifyChecksums(remote, part, sha256);
    } catch (e) {
      await Promise.all([rm(part, { force: true }), rm(`${part}.json`, { force: true })]);
      throw e;
    }
    await rename(part, path);
    await rm(`${part}.json`, { force: true });
    const mtime = (await stat(path)).mtimeMs;
    const record: FetchRecord = { url: remote.url, path, bytes: rec.bytes, sha256, etag: rec.etag, last_modified: rec.lastModified, fetched_at: new Date().toISOString() };
    const meta: CacheMeta = { ...record, mtime_ms: mtime, ...(remote.sha1 ? { sha1: remote.sha1.toLowerCase() } : {}), ...(remote.md5 ? { md5: remote.md5.toLowerCase() } : {}) };
    await writeFile(metaPath, JSON.stringify(meta, null, 1));
    this.opts.onFetched?.(record);
    return { ...remote, path, size: rec.bytes, sha256 };
  }

  private async downloadOnce(remote: RemoteFile, part: string): Promise<{ bytes: number; etag: string | null; lastModified: string | null }> {
    const sidecar = `${part}.json`;
    let have = 0;
    try {
      have = (await stat(part)).size;
    } catch {
      have = 0;
    }
    // A part file may be continued only against the version it came from.
    let validator: PartValidator | null = null;
    if (have > 0) {
      try {
        validator = JSON.parse(await readFile(sidecar, 'utf8')) as PartValidator;
      } catch {
        validator = null;
      }
      if (validator && cacheKeyUrl(validator.url) !== cacheKeyUrl(remote.url)) validator = null;
    }
    const strongEtag = validator?.etag && !validator.etag.startsWith('W/') ? validator.etag : null;
    const ifRange = strongEtag ?? validator?.last_modified ?? null;
    if (have > 0 && !ifRange) {
      this.log.debug(`${cacheKeyUrl(remote.url)}: the partial download has no validator to resume against; restarting`);
      await rm(part, { force: true });
      have = 0;
    }
    const headers: Record<string, string> = { 'accept-encoding': 'identity' };
    if (have > 0) {
      headers.range = `bytes=${have}-`;
      headers['if-range'] = ifRange!;
    }
    const res = await this.get(remote.url, headers);
    let total: number | null;
    let append = false;
    const etag = headerString(res.headers.etag);
    const lastModified = headerString(res.headers['last-modified']);
    if (res.statusCode === 206) {
      const m = /bytes (\d+)-(\d+)\/(\d+|\*)/.exec(headerString(res.headers['content-range']) ?? '');
      const sameVersion = strongEtag ? etag === null || etag === strongEtag : lastModified === null || lastModified === validator?.last_modified;
      if (!m || Number(m[1]) !== have || have === 0 || !sameVersion) {
        await res.body.dump();
        await Promise.all([rm(part, { force: true }), rm(sidecar, { force: true })]);
        throw new RetryableError(sameVersion ? 'server sent an unexpected range; restarting the file' : 'the file changed on the server during the download; restarting it');
      }
      total = m[3] === '*' ? null : Number(m[3]);
      append = true;
    } else if (res.statusCode === 416 && have > 0) {
      // The part file already holds everything (or more): restart to be safe.
      await res.body.dump();
      await Promise.all([rm(part, { force: true }), rm(sidecar, { force: true })]);
      throw new RetryableError('range not satisfiable; restarting the file');
    } else {
      // A whole body: a first request, a server that ignores Range, or If-Range saying the file changed.
      if (have > 0) this.log.debug(`${cacheKeyUrl(remote.url)}: the server sent the whole file (HTTP ${res.statusCode}); restarting`);
      const len = res.headers['content-length'];
      total = len === undefined ? null : Number(len);
      have = 0;
      // Synchronously: the body must be read at once (a connection reset discards what is unread).
      writeFileSync(sidecar, JSON.stringify({ url: remote.url, etag, last_modified: lastModified } satisfies PartValidator));
    }
    if (remote.size !== undefined && total !== null && total !== remote.size) {
      await res.body.dump();
      throw new CorpusError(`server reports ${total} bytes, the listing ${remote.size}`, { file: cacheKeyUrl(remote.url) });
    }
    const out = createWriteStream(part, { flags: append ? 'a' : 'w' });
    let got = have;
    try {
      for await (const chunk of res.body) {
        got += (chunk as Buffer).length;
        if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      }
    } catch (e) {
      await closeStream(out);
      throw new RetryableError(`connection lost after ${got} bytes (${errorMessage(e)})`);
    }
    await closeStream(out);
    const expected = total ?? remote.size ?? null;
    if (expected !== null && got !== expected) throw new RetryableError(`truncated body: ${got} of ${expected} bytes`);
    if (append) this.log.debug(`${cacheKeyUrl(remote.url)}: resumed at byte ${have}`);
    return { bytes: got, etag: etag ?? validator?.etag ?? null, lastModified: lastModified ?? validator?.last_modified ?? null };
  }

  /** At least `minIntervalMs` between the starts of two requests to `host` (0 removes the limit). */
  limitHost(host: string, minIntervalMs: number): void {
    this.rateLimit.limit(host, minIntervalMs);
  }

  private async get(url: string, headers: Record<string, string>): Promise<Dispatcher.ResponseData> {
    let res: Dispatcher.ResponseData;
    await this.rateLimit.wait(url);
    try {
      res = await request(url, { method: 'GET', headers, dispatcher: this.dispatcher });
    } catch (e) {
      throw requestError(e);
    }
    if (res.statusCode >= 400) {
      await res.body.dump().catch(() => {});
      this.checkStatus(url, res.statusCode, res.headers);
    }
    return res;
  }

  private checkStatus(url: string, status: number, headers: Dispatcher.ResponseData['headers']): void {
    if (status < 400) return;
    if (status === 429 || status === 408 || status >= 500) {
      throw new RetryableError(`HTTP ${status}`, parseRetryAfter(headerString(headers['retry-after'])));
    }
    if (status === 416) return;
    throw new CorpusError(`HTTP ${status}`, { file: cacheKeyUrl(url) });
  }

  private async withRetries<T>(url: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (!(e instanceof RetryableError)) throw e;
        // A permanent failure gets one quick second try (a flapping resolver), not the full backoff.
        const limit = e.permanent ? Math.min(1, this.opts.retries) : this.opts.retries;
        if (attempt >= limit) throw new CorpusError(`giving up after ${attempt + 1} attempt${attempt ? 's' : ''}: ${e.message}`, { file: cacheKeyUrl(url) });
        const cap = Math.min(this.opts.maxBackoffMs, this.opts.backoffMs * 2 ** attempt);
        const wait = e.permanent ? Math.min(this.opts.backoffMs, 250) : Math.max(e.retryAfterMs ?? 0, Math.random() * cap);
        this.log.warn(`${cacheKeyUrl(url)}: ${e.message}; retry ${attempt + 1}/${this.opts.retries} in ${Math.round(wait)} ms`);
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  private async verifyChecksums(remote: RemoteFile, path: string, sha256: string): Promise<void> {
    const checks: Array<['sha256' | 'sha1' | 'md5', string | undefined]> = [
      ['sha256', remote.sha256],
      ['sha1', remote.sha1],
      ['md5', remote.md5],
    ];
    for (const [algo, want] of checks) {
      if (!want) continue;
      const got = algo === 'sha256' ? sha256 : await hashFile(path, algo);
      if (got.toLowerCase() !== want.toLowerCase()) {
        throw new CorpusError(`${algo} mismatch: expected ${want}, got ${got}`, { file: remote.url });
      }
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}

/**
 * The URL a download is cached under: presigned S3 URLs (sources/arxiv/s3.ts) carry a fresh
 * signature, date and credential on every listing, so the `X-Amz-*` authentication parameters are
 * left out; a re-signed URL then finds the finished file or resumes its `.part`. Retry warnings
 * and errors print this form too, so logs carry no signatures.
 */
export function cacheKeyUrl(url: string): string {
  if (!/[?&]X-Amz-/i.test(url)) return url;
  const u = new URL(url);
  for (const k of [...u.searchParams.keys()]) if (/^x-amz-(algorithm|credential|date|expires|signedheaders|signature|security-token)$/i.test(k)) u.searchParams.delete(k);
  return u.href;
}

function headerString(v: string | string[] | undefined): string | null {
  if (v === undefined) return null;
  return Array.isArray(v) ? (v[0] ?? null) : v;
}

function parseRetryAfter(v: string | null): number | undefined {
  if (!v) return undefined;
  const secs = Number(v);
  if (Number.isFinite(secs)) return Math.min(secs * 1000, 120_000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.min(Math.max(0, at - Date.now()), 120_000);
}

async function closeStream(s: NodeJS.WritableStream & { close?: unknown }): Promise<void> {
  await new Promise<void>((resolveDone, reject) => {
    s.once('error', reject);
    s.end(() => resolveDone());
  });
}

export async function hashFile(path: string, algo: 'sha256' | 'sha1' | 'md5'): Promise<string> {
  const h = createHash(algo);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}
