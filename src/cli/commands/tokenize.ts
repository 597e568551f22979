/** `corpusmill tokenize --tokenizer T <inputs...> --out DIR --format megatron|npy`: token shards + manifest.json. */
import { Option, type Command } from 'commander';
import { createLogger } from '../../core/log.js';

const log = createLogger('tokenize');
import { tokenizeToShards } from '../../tokenize/run.js';
import { TOKEN_FORMATS, type TokenFormat } from '../../tokenize/token-shards.js';
import { intOption } from '../options.js';
import { encodeInputs, type InputEncodeFlags, inputEncodeCommand } from './tokenize-options.js';

export function registerTokenize(program: Command): void {
  inputEncodeCommand(
    program,
    'tokenize',
    'tokenize inputs into trainer-ready shards (Megatron .bin/.idx or .npy) with a manifest.json',
    'input files (.txt, .jsonl, .jsonl.gz, .jsonl.zst, corpusmill shards)',
  )
    .requiredOption('-o, --out <dir>', 'output folder')
    .addOption(new Option('-f, --format <format>', 'shard format').choices([...TOKEN_FORMATS]).default('megatron'))
    .option('--max-shard-bytes <n>', 'start a new shard after this many bytes of token data', intOption, 1 << 30)
    .option('--prefix <name>', 'shard base name', 'tokens')
    .action(async (inputs: string[], o: InputEncodeFlags & { out: string; format: TokenFormat; maxShardBytes: number; prefix: string }) => {
      const { result: m, seconds: s } = await encodeInputs(inputs, o, (tok, docs, opts) =>
        tokenizeToShards(tok, docs, { ...opts, out: o.out, format: o.format, maxBytes: o.maxShardBytes, prefix: o.prefix }),
      );
      log.info(`tokenized ${m.documents} documents, ${m.bytes} bytes in ${s.toFixed(2)} s (${(m.bytes / 1e6 / s).toFixed(1)} MB/s)`);
      process.stdout.write(`${m.documents} documents, ${m.tokens} tokens (${m.dtype}) -> ${m.files.length} files in ${o.out}\n`);
    });
}
