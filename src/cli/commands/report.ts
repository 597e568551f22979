/** `corpusmill report <out>`: one self-contained HTML file (or Markdown) of what happened to the data. */
import type { Command } from 'commander';
import { ConfigError } from '../../core/errors.js';
import { collectReport } from '../../report/collect.js';
import { renderHtml, renderMarkdown } from '../../report/render.js';
import { writeReport } from '../../report/write.js';
import { intOption } from '../options.js';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write a report of a build: funnel per source, drops by reason, tokens against the LLaMA mixture, histograms, samples')
    .argument('<out>', 'output folder of a build')
    .option('--format <f>', 'html or md', 'html')
    .option('-f, --file <path>', 'where to write it (default: <out>/report.html or report.md; "-" for stdout)')
    .option('--max-docs <n>', 'documents scanned per source for histograms', intOption, 50_000)
    .action(async (out: string, o: { format: string; file?: string; maxDocs: number }) => {
      if (o.format !== 'html' && o.format !== 'md') throw new ConfigError(`--format must be html or md, not ${o.format}`);
      if (o.file === '-') {
        const data = await collectReport(out, { maxDocsPerSource: o.maxDocs });
        process.stdout.write(o.format === 'html' ? renderHtml(data) : renderMarkdown(data));
        return;
      }
      process.stdout.write(`${await writeReport(out, o.format, o.file, o.maxDocs)}\n`);
    });
}
