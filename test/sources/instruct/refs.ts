/**
 * Independent references for the SFT tests: token ids from llama-tokenizer-js (LLaMA-1/2) and
 * llama3-tokenizer-js (LLaMA-3), never from corpusmill's native tokenizers, and the Alpaca / Llama 2 /
 * Llama 3 strings spelled out here from their references (train.py PROMPT_DICT, Meta's
 * chat_completion and ChatFormat), not from src/.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import llamaJs from 'llama-tokenizer-js';
import llama3Js from 'llama3-tokenizer-js';
import { repoRoot } from '../../helpers.js';

export { llamaJs, llama3Js };

export interface AlpacaExample {
  instruction: string;
  input: string;
  output: string;
}

export interface ChatExample {
  messages: Array<{ role: string; content: string }>;
}

/** The well-formed records of the sample (the sample plants one record without an output). */
export function sampleAlpaca(): AlpacaExample[] {
  const all = JSON.parse(readFileSync(join(repoRoot, 'samples', 'sft', 'alpaca_data_sample.json'), 'utf8')) as Array<Partial<AlpacaExample>>;
  return all.filter((r): r is AlpacaExample => typeof r.output === 'string').map((r) => ({ ...r, input: r.input ?? '' }));
}

export function sampleChats(): ChatExample[] {
  return readFileSync(join(repoRoot, 'samples', 'sft', 'chat_sample.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as ChatExample);
}

/** Stanford Alpaca train.py PROMPT_DICT, written out. */
export function alpacaPromptRef(e: AlpacaExample): string {
  if (e.input !== '')
    return `Below is an instruction that describes a task, paired with an input that provides further context. Write a response that appropriately completes the request.\n\n### Instruction:\n${e.instruction}\n\n### Input:\n${e.input}\n\n### Response:`;
  return `Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\n${e.instruction}\n\n### Response:`;
}

/** Python's str.strip() for the whitespace the samples use. */
export function strip(s: string): string {
  return s.replace(/^[\s\u0085]+|[\s\u0085]+$/g, '');
}

/** Bytes of one LLaMA-1/2 piece as it decodes (`<0xNN>` is one byte, `▁` a space). */
function pieceBytes(id: number): number {
  const p = llamaJs.vocabById[id]!;
  if (/^<0x[0-9A-F]{2}>$/.test(p)) return 1;
  return Buffer.byteLength(p.replace(/▁/g, ' '));
}

/**
 * The mask of `llamaJs.encode(text, true)` (BOS first) when the bytes from `promptBytes` on are
 * trained: a token is trained when it ends after `promptBytes` (it holds a byte of the response).
 * The first piece carries the dummy-prefix space, which is not part of the text.
 */
export function llamaMaskAfter(ids: number[], promptBytes: number): number[] {
  let end = -1; // the dummy prefix
  return ids.map((id, i) => {
    if (i === 0) return 0;
    end += pieceBytes(id);
    return end > promptBytes ? 1 : 0;
  });
}

/** Llama 2 chat_completion's string of one user/assistant pair, written out. */
export function llama2TurnRef(user: string, answer: string): { prompt: string; full: string } {
  const prompt = `[INST] ${strip(user)} [/INST]`;
  return { prompt, full: `${prompt} ${strip(answer)} ` };
}
