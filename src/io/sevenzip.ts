/**
 * Extracting one member of a 7z archive to a file, streaming (StackExchange ships each site as a
 * `.7z`; Stack Overflow's Posts.xml is ~100 GB, so it is never held in memory).
 *
 * Tool: the system `7z`/`7za`/`7zz` (Debian p7zip-full), else the binary of the `7zip-bin` npm
 * package. npm installs that binary without the execute bit, so it is copied once to a cache folder
 * and made executable there. Output goes to a temporary name (io/atomic.ts) and is renamed when 7z exits cleanly, so a
 * crash never leaves a partial file under the final name.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { chmod, copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { CorpusError } from '../core/errors.js';
import { tmpPath } from './atomic.js';
import { DecompressionBombError, toolErrorLine } from './compression.js';
import { DEFAULT_MAX_DECOMPRESSION_RATIO, DEFAULT_MAX_RECORD_BYTES } from './limits.js';
import { limitBytes, SizeLimitError } from './tar.js';
import { findTool } from './tools.js';

let resolved: Promise<string> | null = null;

/** Path of a usable 7z executable. */
function sevenZip(): Promise<string> {
  resolved ??= (async () => {
    const sys = findTool(['7z', '7za', '7zz']);
    if (sys) return sys;
    let bundled: string;
    try {
      bundled = (createRequire(import.meta.url)('7zip-bin') as { path7za: string }).path7za;
    } catch {
      throw new CorpusError('7z archives need the `7z` command (Debian: apt-get install p7zip-full) or the 7zip-bin package');
    }
    const dest = join(process.env.XDG_CACHE_HOME ?? join(tmpdir(), 'corpusmill-cache'), '7zip-bin', '7za');
    try {
      await stat(dest);
    } catch {
      await mkdir(dirname(dest), { recursive: true });
      const tmp = tmpPath(dest);
      await copyFile(bundled, tmp);
      await chmod(tmp, 0o755);
      await rename(tmp, dest);
    }
    return dest;
  })();
  return resolved;
}

/**
 * Writes `member` of `archive` to `dest` (streamed through 7z's stdout). Returns the bytes written.
 * Errors name the archive in one line: a missing member, a corrupt or truncated archive, or a
 * member expanding more than `maxRatio` times the archive (a decompression bomb: stopped, nothing kept).
 */
export async function extractMember(archive: string, member: string, dest: string, opts: { maxRatio?: number; slack?: number } = {}): Promise<number> {
  const tool = await sevenZip();
  await mkdir(dirname(dest), { recursive: true });
  const tmp = tmpPath(dest);
  const limit = (opts.maxRatio ?? DEFAULT_MAX_DECOMPRESSION_RATIO) * (await stat(archive)).size + (opts.slack ?? DEFAULT_MAX_RECORD_BYTES);
  const child = spawn(tool, ['e', '-so', '-bd', '-y', archive, member], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 8000) stderr += d.toString();
  });
  const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
  try {
    await pipeline(child.stdout, limitBytes(limit), createWriteStream(tmp));
  } catch (e) {
    child.kill();
    await rm(tmp, { force: true });
    if (e instanceof SizeLimitError) throw new DecompressionBombError(archive, limit, (await stat(archive)).size, opts.maxRatio ?? DEFAULT_MAX_DECOMPRESSION_RATIO);
    throw new CorpusError(`extracting ${member} failed (${(e as Error).message.split('\n')[0]})`, { file: archive });
  }
  const code = await exited;
  const bytes = (await stat(tmp)).size;
  if (code !== 0 || bytes === 0) {
    await rm(tmp, { force: true });
    const why = code !== 0 ? toolErrorLine(stderr) || `7z exited with ${code}` : `no ${member} in the archive`;
    throw new CorpusError(`cannot extract ${member}: ${why}`, { file: archive });
  }
  await rename(tmp, dest);
  return bytes;
}
