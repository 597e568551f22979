/**
 * Prompt templates, selected by name, each exact to its reference. A template renders a record into
 * parts, independent of any tokenizer:
 * - a text part: runs of text encoded together as ONE string, each run marked trained or not;
 * - a token part: one special token by name (`bos`, `eos`: the tokenizer's own; or its text, such as
 *   `<|eot_id|>`), placed as a single id, never spelled out as text.
 * Which text is encoded as one string follows the reference: Alpaca and Llama 2 encode whole strings,
 * Meta's Llama 3 ChatFormat encodes every piece on its own.
 *
 * - `alpaca`: Stanford Alpaca's train.py (github.com/tatsu-lab/stanford_alpaca, train.py, PROMPT_DICT
 *   and SupervisedDataset): BOS, then prompt + output encoded as one string, then EOS; the output and
 *   EOS are trained. The two prompt strings below are copied from PROMPT_DICT (they are data the format
 *   requires); "prompt_input" when `input` is not "", else "prompt_no_input".
 * - `llama2`: Meta's Llama 2 chat format (github.com/meta-llama/llama, llama/generation.py,
 *   Llama.chat_completion): a system message is folded into the first user message between
 *   `<<SYS>>\n` and `\n<</SYS>>\n\n`; each user/assistant pair is its own string
 *   `[INST] {user.strip()} [/INST] {answer.strip()} ` encoded with BOS and EOS. Trained: the answer
 *   from the space after `[/INST]`, and the EOS. A final user message is encoded as the prompt is
 *   (BOS, `[INST] {user.strip()} [/INST]`, no EOS), all masked.
 * - `llama3`: Meta's Llama 3 ChatFormat (github.com/meta-llama/llama3, llama/tokenizer.py):
 *   `<|begin_of_text|>`, then per message `<|start_header_id|>`, the role, `<|end_header_id|>`,
 *   "\n\n", `content.strip()`, `<|eot_id|>`, each text piece encoded on its own. Trained: the content
 *   of assistant messages and their `<|eot_id|>`.
 * - a template file (YAML or JSON, see docs/sft.md): role strings with `{content}`, encoded as one
 *   string between special tokens (as a tokenizer reads a rendered chat template); in `assistant`,
 *   the text from `{content}` to the end is trained.
 */
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import { pyStrip } from '../../text/python.js';
import { type Message, type SftRecord, toMessages } from './records.js';

export interface Run {
  text: string;
  train: boolean;
}

export type Part = { kind: 'text'; runs: Run[] } | { kind: 'token'; token: string; train: boolean };

export interface Template {
  /** The name given (`alpaca`) or the file's base name. */
  name: string;
  /** The token every rendering starts with, when there is one (verify checks it). */
  startToken: string | null;
  /** Tokens that close each trained span (verify checks them; empty: spans end in text). */
  endTokens: string[];
  /** Throws TemplateError when the record does not fit the template. */
  render(rec: SftRecord): Part[];
}

/** A record the template cannot render (the reason is quarantined or counted). */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

const BUILTIN_TEMPLATES = ['alpaca', 'llama2', 'llama3'] as const;

/** The text view of a rendering (the document's `text`): runs and special tokens as written; BOS/EOS left out. */
export function renderedText(parts: Part[]): string {
  let s = '';
  for (const p of parts) {
    if (p.kind === 'text') for (const r of p.runs) s += r.text;
    else if (p.token !== 'bos' && p.token !== 'eos') s += p.token;
  }
  return s;
}

/** Python's `str.format_map` for plain `{name}` fields: one pass, values never rescanned. */
function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => {
    if (!(k in values)) throw new TemplateError(`no value for {${k}}`);
    return values[k]!;
  });
}

// ---- Alpaca ---------------------------------------------------------------------------------------

/** PROMPT_DICT of Stanford Alpaca's train.py. */
const ALPACA_PROMPT_INPUT =
  'Below is an instruction that describes a task, paired with an input that provides further context. ' +
  'Write a response that appropriately completes the request.\n\n' +
  '### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:';
const ALPACA_PROMPT_NO_INPUT =
  'Below is an instruction that describes a task. ' + 'Write a response that appropriately completes the request.\n\n' + '### Instruction:\n{instruction}\n\n### Response:';

/** The prompt and the output of an Alpaca record (a chat record fits when it is one user and one assistant turn). */
function alpacaPrompt(rec: SftRecord): { prompt: string; output: string } {
  let r = rec;
  if (r.format === 'chat') {
    const m = r.messages;
    if (m.length !== 2 || m[0]!.role !== 'user' || m[1]!.role !== 'assistant')
      throw new TemplateError('the alpaca template takes instruction/input/output records, or chats of exactly one user and one assistant message');
    r = { format: 'alpaca', instruction: m[0]!.content, input: '', output: m[1]!.content };
  }
  const prompt = r.input !== '' ? fill(ALPACA_PROMPT_INPUT, { instruction: r.instruction, input: r.input }) : fill(ALPACA_PROMPT_NO_INPUT, { instruction: r.instruction });
  return { prompt, output: r.output };
}

const alpaca: Template = {
  name: 'alpaca',
  startToken: 'bos',
  endTokens: ['eos'],
  render(rec) {
    const { prompt, output } = alpacaPrompt(rec);
    return [
      { kind: 'token', token: 'bos', train: false },
      {
        kind: 'text',
        runs: [
          { text: prompt, train: false },
          { text: output, train: true },
        ],
      },
      { kind: 'token', token: 'eos', train: true },
    ];
  },
};

// ---- Llama 2 chat ---------------------------------------------------------------------------------

const B_INST = '[INST]';
const E_INST = '[/INST]';
const B_SYS = '<<SYS>>\n';
const E_SYS = '\n<</SYS>>\n\n';

const llama2: Template = {
  name: 'llama2',
  startToken: 'bos',
  endTokens: ['eos'],
  render(rec) {
    let dialog: Message[] = toMessages(rec);
    if (dialog[0]?.role === 'system') {
      if (dialog.length < 2) throw new TemplateError('llama2: a system message must be followed by a user message');
      dialog = [{ role: dialog[1]!.role, content: B_SYS + dialog[0].content + E_SYS + dialog[1]!.content }, ...dialog.slice(2)];
    }
    dialog.forEach((m, i) => {
      if (m.role !== (i % 2 === 0 ? 'user' : 'assistant'))
        throw new TemplateError(`llama2: message ${i} is "${m.role}"; the roles must be an optional system message, then user and assistant alternating`);
    });
    const parts: Part[] = [];
    for (let i = 0; i < dialog.length; i += 2) {
      const prompt = `${B_INST} ${pyStrip(dialog[i]!.content)} ${E_INST}`;
      parts.push({ kind: 'token', token: 'bos', train: false });
      const answer = dialog[i + 1];
      if (!answer) {
        parts.push({ kind: 'text', runs: [{ text: prompt, train: false }] });
        break;
      }
      parts.push({
        kind: 'text',
        runs: [
          { text: prompt, train: false },
          { text: ` ${pyStrip(answer.content)} `, train: true },
        ],
      });
      parts.push({ kind: 'token', token: 'eos', train: true });
    }
    return parts;
  },
};

// ---- Llama 3 chat ---------------------------------------------------------------------------------

const llama3: Template = {
  name: 'llama3',
  startToken: '<|begin_of_text|>',
  endTokens: ['<|eot_id|>'],
  render(rec) {
    const parts: Part[] = [{ kind: 'token', token: '<|begin_of_text|>', train: false }];
    const text = (t: string, train = false): Part => ({ kind: 'text', runs: [{ text: t, train }] });
    for (const m of toMessages(rec)) {
      const train = m.role === 'assistant';
      parts.push({ kind: 'token', token: '<|start_header_id|>', train: false }, text(m.role), { kind: 'token', token: '<|end_header_id|>', train: false }, text('\n\n'));
      parts.push(text(pyStrip(m.content), train), { kind: 'token', token: '<|eot_id|>', train });
    }
    return parts;
  },
};

// ---- Template files -------------------------------------------------------------------------------

const fileSchema = z
  .object({
    name: z.string().min(1).optional(),
    /** Text in the template strings that is a special token (never recognised inside content). */
    special_tokens: z.array(z.string().min(1)).default([]),
    begin: z.string().default(''),
    system: z.string().optional(),
    user: z.string(),
    assistant: z.string(),
    end: z.string().default(''),
    /** Used when a record has no system message. */
    default_system: z.string().optional(),
    /** Apply Python's str.strip() to every message's content. */
    strip: z.boolean().default(false),
  })
  .strict();

type FileSpec = z.infer<typeof fileSchema>;

/** Splits template text into runs and special tokens (`{bos}`, `{eos}` and the file's special tokens). */
function tokenizeTemplate(s: string, specials: string[], train: boolean): Array<Run | { token: string; train: boolean }> {
  const names = ['{bos}', '{eos}', ...specials].sort((a, b) => b.length - a.length);
  const out: Array<Run | { token: string; train: boolean }> = [];
  let text = '';
  for (let i = 0; i < s.length; ) {
    const hit = names.find((n) => s.startsWith(n, i));
    if (hit) {
      if (text) out.push({ text, train });
      text = '';
      out.push({ token: hit === '{bos}' ? 'bos' : hit === '{eos}' ? 'eos' : hit, train });
      i += hit.length;
    } else text += s[i++];
  }
  if (text) out.push({ text, train });
  return out;
}

function fileTemplate(spec: FileSpec, name: string, label: string): Template {
  for (const role of ['system', 'user', 'assistant'] as const) {
    const t = spec[role];
    if (t !== undefined && t.split('{content}').length !== 2) throw new ConfigError(`${label}: "${role}" must contain {content} exactly once`);
  }
  const [, tail] = spec.assistant.split('{content}') as [string, string];
  const tailPieces = tokenizeTemplate(tail, spec.special_tokens, true);
  const lastTail = tailPieces.at(-1);
  const beginPieces = tokenizeTemplate(spec.begin, spec.special_tokens, false);
  const first = beginPieces[0];
  return {
    name,
    startToken: first && 'token' in first ? first.token : null,
    endTokens: lastTail && 'token' in lastTail ? [lastTail.token] : [],
    render(rec) {
      let messages = toMessages(rec);
      if (spec.default_system !== undefined && messages[0]?.role !== 'system') messages = [{ role: 'system', content: spec.default_system }, ...messages];
      const pieces: Array<Run | { token: string; train: boolean }> = [...beginPieces];
      for (const m of messages) {
        const t = spec[m.role];
        if (t === undefined) throw new TemplateError(`${name}: the template has no "${m.role}" string`);
        const [head, after] = t.split('{content}') as [string, string];
        const train = m.role === 'assistant';
        pieces.push(...tokenizeTemplate(head, spec.special_tokens, false));
        pieces.push({ text: spec.strip ? pyStrip(m.content) : m.content, train });
        pieces.push(...tokenizeTemplate(after, spec.special_tokens, train));
      }
      pieces.push(...tokenizeTemplate(spec.end, spec.special_tokens, false));
      // text between special tokens is one string, as a tokenizer reads a rendered template
      const parts: Part[] = [];
      for (const p of pieces) {
        if ('token' in p) parts.push({ kind: 'token', token: p.token, train: p.train });
        else if (p.text === '') continue;
        else {
          const last = parts.at(-1);
          if (last?.kind === 'text') last.runs.push(p);
          else parts.push({ kind: 'text', runs: [p] });
        }
      }
      return parts;
    },
  };
}

const BUILTINS: Record<(typeof BUILTIN_TEMPLATES)[number], Template> = { alpaca, llama2, llama3 };
const files = new Map<string, Template>();

/** A template by name (`alpaca`, `llama2`, `llama3`) or path to a template file (relative to `baseDir`). */
export function loadTemplate(nameOrPath: string, baseDir: string): Template {
  const builtin = BUILTINS[nameOrPath as keyof typeof BUILTINS];
  if (builtin) return builtin;
  if (!/\.(ya?ml|json)$/i.test(nameOrPath)) throw new ConfigError(`unknown template "${nameOrPath}": use ${BUILTIN_TEMPLATES.join(', ')} or a path to a .yaml/.json template file`);
  const path = resolve(baseDir, nameOrPath);
  const hit = files.get(path);
  if (hit) return hit;
  let raw: unknown;
  try {
    const text = readFileSync(path, 'utf8');
    raw = path.toLowerCase().endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigError(`template ${path}: ${(err as Error).message}`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`template ${path}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ')}`);
  const t = fileTemplate(parsed.data, parsed.data.name ?? basename(path).replace(/\.(ya?ml|json)$/i, ''), path);
  files.set(path, t);
  return t;
}
