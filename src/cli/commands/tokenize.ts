/** `corpusmill tokenize --tokenizer T <inputs...> --out DIR --format megatron|npy`: token shards + manifest.json. */
import { Option, type Command } from 'commander';
import { createLogger } from '../../core/log.js';

const log = createLogger('tokenize');
import { checkInputs, readPackedInputs } from '../../tokenize/inputs.js';
import { tokenizeToShards } from '../../tokenize/run.js';
import { TOKEN_FORMATS, type TokenFormat } from '../../tokenize/token-shards.js';
import { loadTokenizer } from '../../tokenize/tokenizer.js';
import { intOption } from '../options.js';
import { specialOptions, threadOption, tokenizerOption, type SpecialFlags } from './tokenize-options.js';

export function registerTokenize(program: Command): void {
  const cmd = program
    .command('tokenize')
    .description('tokenize inputs into trainer-ready shards (Megatron .bin/.idx or .npy) with a manifest.json')
    .argument('<inputs...>', 'input files (.txt, .jsonl, .jsonl.gz, .jsonl.zst, corpusmill shards)');
  threadOption(specialOptions(tokenizerOption(cmd)))
    .requiredOption('-o, --out <dir>', 'output folder')
    .addOption(new Option('-f, --format <format>', 'shard format').choices([...TOKEN_FORMATS]).default('megatron'))
    .option('--max-shard-bytes <n>', 'start a new shard after this many bytes of token data', intOption, 1 << 30)
    .option('--prefix <name>', 'shard base name', 'tokens')
    .action(async (inputs: string[], o: { tokenizer: string; threads: number; out: string; format: TokenFormat; maxShardBytes: number; prefix: string } & SpecialFlags) => {
      checkInputs(inputs);
      const tok = await loadTokenizer(o.tokenizer);
      const t0 = performance.now();
      const m = await tokenizeToShards(tok, readPackedInputs(inputs), {
        out: o.out,
        format: o.format,
        threads: o.threads,
        bos: o.bos,
        eos: o.eos,
        maxBytes: o.maxShardBytes,
        prefix: o.prefix,
      });
      const s = (performance.now() - t0) / 1000;
      log.info(`tokenized ${m.documents} documents, ${m.bytes} bytes in ${s.toFixed(2)} s (${(m.bytes / 1e6 / s).toFixed(1)} MB/s)`);
      process.stdout.write(`${m.documents} documents, ${m.tokens} tokens (${m.dtype}) -> ${m.files.length} files in ${o.out}\n`);
    });
}
