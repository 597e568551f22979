/** Writes a build's report file atomically (used by `corpusmill report` and at the end of `build`). */
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { collectReport } from './collect.js';
import { renderHtml, renderMarkdown } from './render.js';

export async function writeReport(out: string, format: 'html' | 'md', file?: string, maxDocs?: number): Promise<string> {
  const data = await collectReport(out, { maxDocsPerSource: maxDocs });
  const target = file ?? join(out, format === 'html' ? 'report.html' : 'report.md');
  await writeFile(target + '.tmp', format === 'html' ? renderHtml(data) : renderMarkdown(data));
  await rename(target + '.tmp', target);
  return target;
}
