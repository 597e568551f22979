/**
 * The one download layer: `https://`, `http://` and `file://` URLs into local files.
 *
 * - Bounded concurrency (a semaphore per Fetcher).
 * - Retries with exponential backoff and full jitter on 5xx, 429 (honouring Retry-After),
 *   connection resets and truncated bodies; 4xx other than 408/429 fail at once.
 * - Resume with `Range: bytes=N-` from the `.part` file a failed attempt left behind; a server
 *   that ignores Range (200 instead of 206) restarts the file.
 * - Verification: the byte count against Content-Length / Content-Range, and the checksum
 *   (sha256, sha1 or md5) when the source publishes one. The sha256 is always computed.
 * - A cache folder: `<cache>/<host>/<path>`; a completed download has a `.meta.json` sidecar, so a
 *   later build (any output folder) reuses it without a request.
 * - `file://` URLs are read in place (no copy) and hashed once per size and mtime.
 * Each fetched file is reported to `onFetched` (the catalog keeps a row per file).
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, type Stats } from 'node:fs';
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
}

class RetryableError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
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
    return this.sem.run(() =>
      this.withRetries(url, async () => {
        await this.rateLimit.wait(url);
        const res = await request(url, { method: 'HEAD', dispatcher: this.dispatcher });
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
    const metaPath = `${path}.meta.json`;
    try {
      const meta = JSON.parse(await readFile(metaPath, 'utf8')) as FetchRecord;
      const st = await stat(path);
      if (cacheKeyUrl(meta.url) === cacheKeyUrl(remote.url) && st.size === meta.bytes && (!remote.sha256 || remote.sha256 === meta.sha256)) {
        this.opts.onFetched?.(meta);
        return { ...remote, path, size: meta.bytes, sha256: meta.sha256 };
      }
    } catch {
      // not cached yet
    }
    await mkdir(dirname(path), { recursive: true });
    const part = `${path}.part`;
    const rec = await this.withRetries(remote.url, () => this.downloadOnce(remote, part));
    const sha256 = await hashFile(part, 'sha256');
    try {
      await this.verifyChecksums(remote, part, sha256);
    } catch (e) {
      await rm(part, { force: true });
      throw e;
    }
    await rename(part, path);
    const record: FetchRecord = { url: remote.url, path, bytes: rec.bytes, sha256, etag: rec.etag, last_modified: rec.lastModified, fetched_at: new Date().toISOString() };
    await writeFile(metaPath, JSON.stringify(record, null, 1));
    this.opts.onFetched?.(record);
    return { ...remote, path, size: rec.bytes, sha256 };
  }

  private async downloadOnce(remote: RemoteFile, part: string): Promise<{ bytes: number; etag: string | null; lastModified: string | null }> {
    let have = 0;
    try {
      have = (await stat(part)).size;
    } catch {
      have = 0;
    }
    const headers: Record<string, string> = { 'accept-encoding': 'identity' };
    if (have > 0) headers.range = `bytes=${have}-`;
    const res = await this.get(remote.url, headers);
    let total: number | null;
    let append = false;
    if (res.statusCode === 206) {
      const m = /bytes (\d+)-(\d+)\/(\d+|\*)/.exec(headerString(res.headers['content-range']) ?? '');
      if (!m || Number(m[1]) !== have) {
        await res.body.dump();
        await rm(part, { force: true });
        throw new RetryableError('server sent an unexpected range; restarting the file');
      }
      total = m[3] === '*' ? null : Number(m[3]);
      append = true;
    } else if (res.statusCode === 416 && have > 0) {
      // The part file already holds everything (or more): restart to be safe.
      await res.body.dump();
      await rm(part, { force: true });
      throw new RetryableError('range not satisfiable; restarting the file');
    } else {
      const len = res.headers['content-length'];
      total = len === undefined ? null : Number(len);
      have = 0;
    }
    if (remote.size !== undefined && total !== null && total !== remote.size) {
      await res.body.dump();
      throw new CorpusError(`server reports ${total} bytes, the listing ${remote.size}`, { file: remote.url });
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
    if (have > 0) this.log.debug(`${remote.url}: resumed at byte ${have}`);
    return { bytes: got, etag: headerString(res.headers.etag), lastModified: headerString(res.headers['last-modified']) };
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
      throw new RetryableError(`request failed (${errorMessage(e)})`);
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
    throw new CorpusError(`HTTP ${status}`, { file: url });
  }

  private async withRetries<T>(url: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (!(e instanceof RetryableError)) throw e;
        if (attempt >= this.opts.retries) throw new CorpusError(`giving up after ${attempt + 1} attempts: ${e.message}`, { file: cacheKeyUrl(url) });
        const cap = Math.min(this.opts.maxBackoffMs, this.opts.backoffMs * 2 ** attempt);
        const wait = Math.max(e.retryAfterMs ?? 0, Math.random() * cap);
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
