/** `corpusmill decode --tokenizer T`: token ids on stdin (JSON array or whitespace-separated) -> text on stdout. */
import type { Command } from 'commander';
import { ConfigError } from '../../core/errors.js';
import { loadTokenizer } from '../../tokenize/tokenizer.js';
import { readStdin } from './stdin.js';
import { tokenizerOption } from './tokenize-options.js';

export function parseIds(text: string): number[] {
  const body = text.trim().replace(/^\[|\]$/g, '');
  if (!body) return [];
  return body.split(/[\s,]+/).map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 0) throw new ConfigError(`decode: "${s}" is not a token id`);
    return n;
  });
}

export function registerDecode(program: Command): void {
  const cmd = program.command('decode').description('decode token ids from stdin (JSON array or whitespace-separated) to text');
  tokenizerOption(cmd).action(async (o: { tokenizer: string }) => {
    const tok = await loadTokenizer(o.tokenizer);
    const ids = parseIds((await readStdin()).toString('utf8'));
    process.stdout.write(tok.decodeBytes(ids));
  });
}
