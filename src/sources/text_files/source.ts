/**
 * Folders of plain text files (`.txt` by default), one document per file: for users who bring their
 * own data as files rather than JSON lines. A folder is read recursively, in sorted path order;
 * files are grouped into tasks of about `task_bytes`. A file that is not valid UTF-8 is quarantined
 * (named, counted), never dropped silently. Ids are `<source>/<path below the folder>/0`.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { provenanceId } from '../../core/document.js';
import type { RemoteFile } from '../../fetch/files.js';
import { expandUrls } from '../../fetch/urls.js';
import { defineSource, type ReadTask } from '../../pipeline/source.js';

const params = z
  .object({
    urls: z.array(z.string().min(1)).min(1).describe('folders (read recursively), files, or globs (a * in the last path segment); relative to the pipeline file'),
    extensions: z
      .array(z.string().regex(/^\.[A-Za-z0-9._-]+$/, 'an extension like ".txt"'))
      .min(1)
      .default(['.txt'])
      .describe('file name endings read from folders'),
    source_name: z.string().default('text').describe('`source` written into the documents (and the output folder name)'),
  })
  .strict();

interface TaskFile {
  path: string;
  name: string;
  bytes: number;
}

/** Every file under `dir` with one of `exts`, as paths relative to `root`, sorted. */
async function walk(dir: string, root: string, exts: string[], into: string[]): Promise<void> {
  for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await walk(p, root, exts, into);
    else if (e.isFile() && exts.includes(extname(e.name).toLowerCase())) into.push(relative(root, p));
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export const textFilesSource = defineSource({
  name: 'text_files',
  source: 'text',
  description: 'folders of plain text files (.txt by default), one document per file',
  params,
  sourceName: (p) => p.source_name,
  async list(p, env): Promise<RemoteFile[]> {
    const out: RemoteFile[] = [];
    const exts = p.extensions.map((e) => e.toLowerCase());
    for (const url of p.urls) {
      const local = env.fetcher.localPath(url);
      const isDir = local !== null && !local.includes('*') && (await stat(local).catch(() => null))?.isDirectory();
      if (!isDir) {
        out.push(...(await expandUrls({ urls: [url] }, env.fetcher)));
        continue;
      }
      const names: string[] = [];
      await walk(local, local, exts, names);
      for (const n of names) out.push({ url: pathToFileURL(join(local, n)).href, name: n.split('\\').join('/') });
    }
    return out;
  },
  async plan(files, _p, env) {
    // Consecutive files share a task up to task_bytes, so a folder of small files is not a task per file.
    const tasks: ReadTask[] = [];
    let group: TaskFile[] = [];
    let bytes = 0;
    const flush = () => {
      if (group.length === 0) return;
      const first = group[0]!;
      tasks.push({ path: first.path, name: first.name, url: pathToFileURL(first.path).href, bytes, extra: { files: group } });
      group = [];
      bytes = 0;
    };
    for (const f of files) {
      if (group.length && bytes + f.size > env.taskBytes) flush();
      group.push({ path: f.path, name: f.name, bytes: f.size });
      bytes += f.size;
    }
    flush();
    return tasks;
  },
  async *read(task, p, ctx) {
    for (const f of (task.extra?.files as TaskFile[] | undefined) ?? [{ path: task.path, name: task.name, bytes: task.bytes }]) {
      const data = await readFile(f.path);
      ctx.advance(data.length);
      let text: string;
      try {
        text = utf8.decode(data);
      } catch {
        ctx.quarantine({ reason: 'invalid_utf8', file: f.path, record: f.name, detail: 'the file is not valid UTF-8', raw: data.toString('latin1', 0, 200) });
        continue;
      }
      yield { id: provenanceId(p.source_name, f.name, 0), text, source: p.source_name, meta: {} };
    }
  },
});
