/** `corpusmill inspect <shard>`: prints documents of a shard (any supported JSON-lines format). */
import { basename } from 'node:path';
import type { Command } from 'commander';
import { ConfigError } from '../../core/errors.js';
import { readShard, isDocumentFile } from '../../io/shards.js';
import { intOption } from '../options.js';

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('print documents from a shard (.jsonl, .jsonl.gz, .json.gz, .jsonl.zst)')
    .argument('<shard>', 'shard file')
    .option('-n, --n <count>', 'how many documents to print', intOption, 3)
    .option('--skip <count>', 'documents to skip first', intOption, 0)
    .option('--id <id>', 'print only the document with this id')
    .option('--json', 'print raw JSON lines')
    .option('--chars <n>', 'truncate text to this many characters (0: no limit)', intOption, 600)
    .action(async (shard: string, o: { n: number; skip: number; id?: string; json?: boolean; chars: number }) => {
      if (!isDocumentFile(shard)) throw new ConfigError(`${shard}: not a document shard (expected .jsonl, .jsonl.gz, .json.gz or .jsonl.zst)`);
      let seen = 0;
      let printed = 0;
      for await (const doc of readShard(shard, { source: basename(shard) })) {
        if (o.id !== undefined) {
          if (doc.id !== o.id) continue;
        } else if (seen++ < o.skip) continue;
        if (o.json) process.stdout.write(JSON.stringify({ text: doc.text, meta: doc.meta, id: doc.id, source: doc.source }) + '\n');
        else {
          const text = o.chars > 0 && doc.text.length > o.chars ? doc.text.slice(0, o.chars) + ` … [${doc.text.length - o.chars} more chars]` : doc.text;
          process.stdout.write(`── ${doc.id}  (${doc.source}, ${doc.text.length} chars)\nmeta: ${JSON.stringify(doc.meta)}\n${text}\n\n`);
        }
        if (++printed >= (o.id !== undefined ? 1 : o.n)) break;
      }
      if (o.id !== undefined && printed === 0) throw new ConfigError(`${shard}: no document with id ${o.id}`);
    });
}
