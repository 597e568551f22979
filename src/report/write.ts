/** Writes a build's report file atomically (used by `corpusmill report` and at the end of `build`). */
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { collectReport } from './collect.js';
import { renderHtml, renderMarkdown } from './render.js';

export async function writeReport(out: string, format: 'html' | 'md', file?: string, maxDocs?: number): Promise<string> {
  const data = await collectReport(out, { maxDocsPerSource: maxDocs });
  const target = file ?? join(out, format === 'html' ? 'report.html' : 'report.md');
  await writeFileAtomic(target, format === 'html' ? renderHtml(data) : renderMarkdown(data));
  return target;
}
