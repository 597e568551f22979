/**
 * The shared way a source names its input files: explicit `urls` (https, http, file:, or paths
 * relative to the pipeline), and local glob patterns for `file:` folders. Listing-based sources
 * (CommonCrawl paths files, Wikipedia dumpstatus.json, ...) build on their own listings instead.
 */
import { readdir } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { ConfigError, CorpusError, errorMessage } from '../core/errors.js';
import type { Fetcher } from './fetcher.js';
import type { RemoteFile } from './files.js';

export const urlListParams = z.object({
  /** URLs or paths; a `*` in the last path segment of a local path globs that folder. */
  urls: z.array(z.string().min(1)).min(1),
});

/** Turns `urls` into RemoteFiles with stable names (the file name, or the path below a glob's folder). */
export async function expandUrls(p: { urls: string[] }, fetcher: Fetcher): Promise<RemoteFile[]> {
  const out: RemoteFile[] = [];
  for (const url of p.urls) {
    const local = fetcher.localPath(url);
    if (local && basename(local).includes('*')) {
      const dir = dirname(local);
      const re = new RegExp(`^${basename(local).split('*').map(escapeRe).join('.*')}$`);
      let names: string[];
      try {
        names = (await readdir(dir)).filter((n) => re.test(n)).sort();
      } catch {
        throw new ConfigError(`${url}: folder ${dir} does not exist`);
      }
      if (names.length === 0) throw new ConfigError(`${url}: no file matches`);
      for (const n of names) out.push({ url: pathToFileURL(join(dir, n)).href, name: n });
      continue;
    }
    const name = local ? relative(dirname(local), local) : decodeURIComponent(new URL(url).pathname.split('/').filter(Boolean).pop() ?? url);
    out.push({ url: local ? pathToFileURL(local).href : url, name });
  }
  return out;
}

/**
 * The `list` of a source that names its files from a published listing (a dump index, a status file,
 * a paths file): explicit `urls`, when given, are taken instead.
 */
export function urlsOrListing<P extends { urls?: string[] }, E extends { fetcher: Fetcher }>(
  fromListing: (p: P, env: E) => Promise<RemoteFile[]>,
): (p: P, env: E) => Promise<RemoteFile[]> {
  return (p, env) => (p.urls ? expandUrls({ urls: p.urls }, env.fetcher) : fromListing(p, env));
}

/** A listing's text, parsed by `parse`; failing to fetch or parse it is an error naming the listing (`what`) and its URL. */
export async function fetchListing<T = string>(fetcher: Fetcher, url: string, what: string, parse: (text: string) => T = (text) => text as T): Promise<T> {
  try {
    return parse(await fetcher.fetchText(url));
  } catch (e) {
    throw new CorpusError(`cannot read the ${what} (${errorMessage(e)})`, { file: url });
  }
}

function escapeRe(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}
