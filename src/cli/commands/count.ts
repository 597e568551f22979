/** `corpusmill count --tokenizer T <inputs...>`: documents, tokens and bytes per source and in total; writes nothing. */
import type { Command } from 'commander';
import { createLogger } from '../../core/log.js';

const log = createLogger('tokenize');
import { countTokens, type CountReport } from '../../tokenize/run.js';
import { encodeInputs, type InputEncodeFlags, inputEncodeCommand } from './tokenize-options.js';

export function formatCount(r: CountReport): string {
  const rows = [...Object.entries(r.sources), ['total', r] as const];
  const width = Math.max(6, ...rows.map(([k]) => k.length));
  const num = (n: number) => n.toLocaleString('en-US').padStart(16);
  const lines = [`${'source'.padEnd(width)} ${'documents'.padStart(16)} ${'tokens'.padStart(16)} ${'bytes'.padStart(16)} ${'bytes/token'.padStart(12)}`];
  for (const [k, s] of rows) {
    const ratio = s.tokens ? (s.bytes / s.tokens).toFixed(3) : '-';
    lines.push(`${k.padEnd(width)} ${num(s.documents)} ${num(s.tokens)} ${num(s.bytes)} ${ratio.padStart(12)}`);
  }
  return `tokenizer: ${r.tokenizer}\n${lines.join('\n')}\n`;
}

export function registerCount(program: Command): void {
  inputEncodeCommand(program, 'count', 'count tokens of .txt / .jsonl(.gz|.zst) inputs and corpusmill shards, per source and in total', 'input files')
    .option('--json', 'machine-readable output')
    .action(async (inputs: string[], o: InputEncodeFlags & { json?: boolean }) => {
      const { result: r, seconds: s } = await encodeInputs(inputs, o, (tok, docs, opts) => countTokens(tok, docs, opts));
      log.info(`counted ${r.documents} documents, ${r.bytes} bytes in ${s.toFixed(2)} s (${(r.bytes / 1e6 / s).toFixed(1)} MB/s, ${o.threads} threads)`);
      process.stdout.write(o.json ? `${JSON.stringify(r, null, 2)}\n` : formatCount(r));
    });
}
