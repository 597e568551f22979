/**
 * `corpusmill inspect <shard>`: prints documents of a document shard (any supported JSON-lines
 * format, Parquet) or of a token shard (Megatron `.bin/.idx`, `.npy`): ids and the decoded text of
 * document N, the tokenizer read from the manifest beside the shard (or --tokenizer). Given a
 * folder (a stage's or a source's output), it reads the document shards under it in name order, so
 * `--skip` and `--id` reach across shards.
 */
import { basename, dirname, join } from 'node:path';
import { readdir, readFile, stat } from 'node:fs/promises';
import { loadTokenizer } from '../../tokenize/tokenizer.js';
import { readTokenDocument, tokenShardInfo } from '../../tokenize/token-read.js';
import type { Command } from 'commander';
import { ConfigError } from '../../core/errors.js';
import { readShard, isDocumentFile } from '../../io/shards.js';
import type { Doc } from '../../core/document.js';
import { intOption } from '../options.js';

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('print documents from a shard (.jsonl, .jsonl.gz, .json.gz, .jsonl.zst, .parquet, token .bin/.idx/.npy) or from the shards under a folder')
    .argument('<shard>', 'shard file, or a folder of shards (e.g. out/<stage>/<source>)')
    .option('-n, --n <count>', 'how many documents to print', intOption, 3)
    .option('--skip <count>', 'documents to skip first', intOption, 0)
    .option('--id <id>', 'print only the document with this id')
    .option('--json', 'print raw JSON lines')
    .option('--chars <n>', 'truncate text to this many characters (0: no limit)', intOption, 600)
    .option('--doc <n>', 'token shards: the document to show (0-based; default: --skip)', intOption)
    .option('--tokenizer <name>', 'token shards: tokenizer to decode with (default: from the manifest)')
    .action(async (shard: string, o: { n: number; skip: number; id?: string; json?: boolean; chars: number; doc?: number; tokenizer?: string }) => {
      if (/\.(bin|idx|npy)$/.test(shard)) {
        await inspectTokens(shard, o.doc ?? o.skip, o.n, o.tokenizer, Boolean(o.json), o.chars);
        return;
      }
      const files = await documentShards(shard);
      let seen = 0;
      let printed = 0;
      for await (const doc of readShards(files)) {
        if (o.id !== undefined) {
          if (doc.id !== o.id) continue;
        } else if (seen++ < o.skip) continue;
        if (o.json) process.stdout.write(`${JSON.stringify({ text: doc.text, meta: doc.meta, id: doc.id, source: doc.source })}\n`);
        else {
          const text = o.chars > 0 && doc.text.length > o.chars ? `${doc.text.slice(0, o.chars)} … [${doc.text.length - o.chars} more chars]` : doc.text;
          process.stdout.write(`── ${doc.id}  (${doc.source}, ${doc.text.length} chars)\nmeta: ${JSON.stringify(doc.meta)}\n${text}\n\n`);
        }
        if (++printed >= (o.id !== undefined ? 1 : o.n)) break;
      }
      if (o.id !== undefined && printed === 0) throw new ConfigError(`${shard}: no document with id ${o.id}`);
    });
}

/** The document shards a path names: the file itself, or every document shard under a folder in path order (internal folders, `_work/` and `_state/`, skipped). */
async function documentShards(path: string): Promise<string[]> {
  const st = await stat(path).catch(() => {
    throw new ConfigError(`${path}: no such file or folder`);
  });
  if (!st.isDirectory()) {
    if (!isDocumentFile(path)) throw new ConfigError(`${path}: not a shard (expected .jsonl, .jsonl.gz, .json.gz, .jsonl.zst, .parquet, or a token shard .bin/.idx/.npy)`);
    return [path];
  }
  const found: string[] = [];
  let tokenShard: string | undefined;
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (!e.name.startsWith('_')) await walk(p);
      } else if (isDocumentFile(e.name))
        found.push(p); // a temporary name (`….tmp-<pid>-<n>`) never ends like a shard
      else if (tokenShard === undefined && /\.(bin|npy)$/.test(e.name) && !/\.(offsets|mask|examples)\.npy$|\.mask\.bin$/.test(e.name)) tokenShard = p;
    }
  };
  await walk(path);
  if (found.length === 0)
    throw new ConfigError(`${path}: no document shards in this folder${tokenShard ? `; it holds token shards: inspect one of them, e.g. ${tokenShard}` : ''}`);
  return found;
}

async function* readShards(files: string[]): AsyncGenerator<Doc> {
  for (const f of files) yield* readShard(f, { source: basename(f) });
}

/** The manifest beside a token shard names its tokenizer (`part-NNNNN_RRRRR.bin` → `part-NNNNN.manifest.json`, or `manifest.json`). */
async function tokenizerOf(shard: string): Promise<string | null> {
  const dir = dirname(shard);
  const stem = basename(shard).replace(/(\.offsets)?\.(npy|bin|idx)$/, '');
  for (const m of [`${stem.replace(/_\d+$/, '')}.manifest.json`, 'manifest.json']) {
    try {
      const j = JSON.parse(await readFile(join(dir, m), 'utf8')) as { tokenizer?: { name?: string }; files?: Array<{ name: string }> };
      if (j.tokenizer?.name && (!j.files || j.files.some((f) => f.name.startsWith(stem)))) return j.tokenizer.name;
    } catch {
      // not this one
    }
  }
  return null;
}

async function inspectTokens(shard: string, first: number, n: number, tokenizerName: string | undefined, json: boolean, chars: number): Promise<void> {
  const info = await tokenShardInfo(shard);
  const name = tokenizerName ?? (await tokenizerOf(shard));
  const tok = name ? await loadTokenizer(name) : null;
  if (!json) process.stdout.write(`${shard}: ${info.format}, ${info.documents} documents, ${info.tokens} tokens${name ? `, tokenizer ${name}` : ''}\n\n`);
  for (let d = first; d < Math.min(info.documents, first + n); d++) {
    const ids = await readTokenDocument(shard, d);
    const text = tok ? tok.decode(ids) : null;
    if (json) process.stdout.write(`${JSON.stringify({ document: d, ids, text })}\n`);
    else {
      const shown = text !== null && chars > 0 && text.length > chars ? `${text.slice(0, chars)} … [${text.length - chars} more chars]` : text;
      process.stdout.write(
        `── document ${d} (${ids.length} tokens)\nids: ${JSON.stringify(ids.slice(0, 32))}${ids.length > 32 ? ' …' : ''}\n${shown ?? '(no tokenizer: pass --tokenizer to decode)'}\n\n`,
      );
    }
  }
}
