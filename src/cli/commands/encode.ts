/** `corpusmill encode --tokenizer T`: stdin as one document -> a JSON array of token ids on stdout. */
import type { Command } from 'commander';
import { loadTokenizer } from '../../tokenize/tokenizer.js';
import { readStdin } from './stdin.js';
import { specialOptions, tokenizerOption, type SpecialFlags } from './tokenize-options.js';

export function registerEncode(program: Command): void {
  const cmd = program.command('encode').description('encode stdin (one document) and print its token ids as a JSON array');
  specialOptions(tokenizerOption(cmd)).action(async (o: { tokenizer: string } & SpecialFlags) => {
    const tok = await loadTokenizer(o.tokenizer);
    const ids = tok.encode(await readStdin(), { bos: o.bos, eos: o.eos });
    process.stdout.write(`${JSON.stringify(ids)}\n`);
  });
}
