/**
 * Which StackExchange archives to take: archive.org's item listing `<base>/<item>_files.xml`
 * (`<file name="math.stackexchange.com.7z" source="original"><size>…</size><md5>…</md5><sha1>…</sha1>`)
 * gives every archive's size and checksums before anything large is downloaded.
 *
 * LLaMA kept "the 28 largest websites" (Touvron et al. 2023 §2.1); RedPajama ranked sites by the line
 * count of their extracted Posts.xml (data_prep/stack_exchange/count.py), which needs every archive
 * downloaded first. Here sites rank by the compressed size of their posts in the listing: the site
 * archive `<site>.7z` (Posts dominate it), and for Stack Overflow, whose tables are split into
 * `stackoverflow.com-<Table>.7z`, the `stackoverflow.com-Posts.7z` file. Meta sites are kept in the
 * ranking as RedPajama did (none is large enough to place). docs/xml.md records the difference.
 */
import { XMLParser } from 'fast-xml-parser';
import type { RemoteFile } from '../../fetch/files.js';

/** LLaMA §2.1: "we kept the data from the 28 largest websites". */
export const LLAMA_SITE_COUNT = 28;

export interface SiteArchive {
  site: string;
  file: RemoteFile;
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', processEntities: false, parseTagValue: false });

/** The site archives (one per site, posts only) listed in a `_files.xml`, with sizes and checksums. */
export function siteArchives(filesXml: string, base: string): SiteArchive[] {
  const doc = parser.parse(filesXml) as { files?: { file?: unknown } };
  const raw = doc.files?.file;
  const list = (Array.isArray(raw) ? raw : raw ? [raw] : []) as Array<Record<string, unknown>>;
  const out: SiteArchive[] = [];
  for (const f of list) {
    const name = String(f.name ?? '');
    if (!name.endsWith('.7z')) continue;
    let site: string;
    const split = /^(.+)-([A-Za-z]+)\.7z$/.exec(name);
    if (split) {
      // Split sites (stackoverflow.com-Posts.7z, …-Comments.7z, …): only the Posts archive counts.
      if (split[2] !== 'Posts') continue;
      site = split[1]!.toLowerCase();
    } else site = name.slice(0, -3).toLowerCase();
    const file: RemoteFile = { url: `${base}/${encodeURIComponent(name)}`, name };
    const size = Number(f.size);
    if (Number.isFinite(size)) file.size = size;
    if (typeof f.sha1 === 'string') file.sha1 = f.sha1;
    if (typeof f.md5 === 'string') file.md5 = f.md5;
    out.push({ site, file });
  }
  return out;
}

/** The `count` sites with the largest posts archives (ties by name), largest first. */
export function largestSites(archives: SiteArchive[], count: number): SiteArchive[] {
  return [...archives].sort((a, b) => (b.file.size ?? 0) - (a.file.size ?? 0) || a.site.localeCompare(b.site)).slice(0, count);
}

/** The site of an archive or extracted file name: `math.stackexchange.com.7z` → `math.stackexchange.com`. */
export function siteOf(name: string): string {
  const base = name.replace(/^.*\//, '');
  const m = /^(.+?)(?:-Posts)?\.(?:7z|xml)$/i.exec(base);
  return (m ? m[1]! : base).replace(/-Posts$/i, '').toLowerCase();
}
