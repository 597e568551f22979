/** Options shared by the tokenizer commands (encode, decode, count, tokenize). */
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { intOption } from '../options.js';

export const TOKENIZER_HELP = 'llama2 | cl100k_base | o200k_base | llama3, or a path to tokenizer.model / tokenizer.json / .tiktoken';

export function tokenizerOption(cmd: Command): Command {
  return cmd.requiredOption('-t, --tokenizer <T>', TOKENIZER_HELP);
}

export function specialOptions(cmd: Command): Command {
  return cmd.option('--bos', 'prepend BOS (default for LLaMA tokenizers)').option('--no-bos', 'do not prepend BOS').option('--eos', 'append EOS to every document');
}

export function threadOption(cmd: Command): Command {
  return cmd.option('--threads <n>', 'tokenizer threads (default: all cores)', intOption, availableParallelism());
}

export interface SpecialFlags {
  bos?: boolean;
  eos?: boolean;
}
