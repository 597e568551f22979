/** Options shared by the tokenizer commands (encode, decode, count, tokenize), and the run of count and tokenize. */
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { checkInputs, readPackedInputs } from '../../tokenize/inputs.js';
import { loadTokenizer, type Tokenizer } from '../../tokenize/tokenizer.js';
import { intOption } from '../options.js';

const TOKENIZER_HELP = 'llama2 | cl100k_base | o200k_base | llama3, or a path to tokenizer.model / tokenizer.json / .tiktoken';

export function tokenizerOption(cmd: Command): Command {
  return cmd.requiredOption('-t, --tokenizer <T>', TOKENIZER_HELP);
}

export function specialOptions(cmd: Command): Command {
  return cmd.option('--bos', 'prepend BOS (default for LLaMA tokenizers)').option('--no-bos', 'do not prepend BOS').option('--eos', 'append EOS to every document');
}

function threadOption(cmd: Command): Command {
  return cmd.option('--threads <n>', 'tokenizer threads (default: all cores)', intOption, availableParallelism());
}

export interface SpecialFlags {
  bos?: boolean;
  eos?: boolean;
}

/** A command that encodes input files (count, tokenize), with the tokenizer, BOS/EOS and thread options. */
export function inputEncodeCommand(program: Command, name: string, description: string, inputsHelp: string): Command {
  return threadOption(specialOptions(tokenizerOption(program.command(name).description(description).argument('<inputs...>', inputsHelp))));
}

export interface InputEncodeFlags extends SpecialFlags {
  tokenizer: string;
  threads: number;
}

/**
 * Checks the input files (before the tokenizer loads), loads the tokenizer and runs `fn` on the
 * inputs' documents; returns what it returned and the seconds it took.
 */
export async function encodeInputs<T>(
  inputs: string[],
  o: InputEncodeFlags,
  fn: (tok: Tokenizer, docs: ReturnType<typeof readPackedInputs>, opts: { threads: number; bos?: boolean; eos?: boolean }) => Promise<T>,
): Promise<{ result: T; seconds: number }> {
  checkInputs(inputs);
  const tok = await loadTokenizer(o.tokenizer);
  const t0 = performance.now();
  const result = await fn(tok, readPackedInputs(inputs), { threads: o.threads, bos: o.bos, eos: o.eos });
  return { result, seconds: (performance.now() - t0) / 1000 };
}
