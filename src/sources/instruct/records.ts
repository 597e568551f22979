/**
 * Instruction records as the `alpaca` and `chat` sources read them, and as documents carry them in
 * `meta.sft` so `sft_tokenize` can render them again:
 * - Alpaca: `{instruction, input, output}` (Stanford's alpaca_data.json; `input` may be absent, as
 *   train.py reads it with `example.get("input", "")`).
 * - chat: `{messages: [{role, content}, ...]}` with roles system / user / assistant (the layout of
 *   most SFT sets and of chat-completion APIs).
 * `checkAlpaca` / `checkChat` return the record or the reason it is quarantined.
 */

type Role = 'system' | 'user' | 'assistant';
const ROLES: readonly Role[] = ['system', 'user', 'assistant'];

export interface Message {
  role: Role;
  content: string;
}

export interface AlpacaRecord {
  format: 'alpaca';
  instruction: string;
  input: string;
  output: string;
}

export interface ChatRecord {
  format: 'chat';
  messages: Message[];
}

export type SftRecord = AlpacaRecord | ChatRecord;

/** `meta.sft` of an instruction document: the record and the template its `text` was rendered with. */
export type SftMeta = SftRecord & { template: string };

export interface Rejected {
  reason: string;
  detail: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function checkAlpaca(v: unknown): AlpacaRecord | Rejected {
  if (!isObject(v)) return { reason: 'not_an_object', detail: 'expected a JSON object with instruction, input and output' };
  for (const k of ['instruction', 'output'] as const) {
    if (!(k in v) || v[k] === null) return { reason: `missing_${k}`, detail: `no "${k}" field` };
    if (typeof v[k] !== 'string') return { reason: 'bad_field', detail: `"${k}" is a ${typeof v[k]}, expected a string` };
  }
  if (v.input !== undefined && v.input !== null && typeof v.input !== 'string') return { reason: 'bad_field', detail: `"input" is a ${typeof v.input}, expected a string` };
  return { format: 'alpaca', instruction: v.instruction as string, input: (v.input as string | undefined | null) ?? '', output: v.output as string };
}

export function checkChat(v: unknown): ChatRecord | Rejected {
  if (!isObject(v)) return { reason: 'not_an_object', detail: 'expected a JSON object with "messages"' };
  if (!Array.isArray(v.messages)) return { reason: 'missing_messages', detail: v.messages === undefined ? 'no "messages" field' : '"messages" is not an array' };
  const messages: Message[] = [];
  for (const [i, m] of v.messages.entries()) {
    if (!isObject(m) || typeof m.role !== 'string' || typeof m.content !== 'string')
      return { reason: 'bad_message', detail: `message ${i} needs a string "role" and a string "content"` };
    if (!ROLES.includes(m.role as Role)) return { reason: 'unknown_role', detail: `message ${i} has role "${m.role}" (expected system, user or assistant)` };
    messages.push({ role: m.role as Role, content: m.content });
  }
  if (!messages.some((m) => m.role === 'assistant')) return { reason: 'no_response', detail: 'no assistant message to train on' };
  return { format: 'chat', messages };
}

export function isRejected(r: SftRecord | Rejected): r is Rejected {
  return 'reason' in r;
}

/**
 * A record as chat messages: an Alpaca record is one user turn (the instruction, then a blank line
 * and the input when there is one) and one assistant turn.
 */
export function toMessages(r: SftRecord): Message[] {
  if (r.format === 'chat') return r.messages;
  const user = r.input !== '' ? `${r.instruction}\n\n${r.input}` : r.instruction;
  return [
    { role: 'user', content: user },
    { role: 'assistant', content: r.output },
  ];
}

/** The record of an instruction document's `meta.sft`, or null when the document carries none. */
export function sftMetaOf(meta: Record<string, unknown>): SftMeta | null {
  const s = meta.sft;
  if (!isObject(s) || typeof s.template !== 'string') return null;
  const r = s.format === 'alpaca' ? checkAlpaca(s) : s.format === 'chat' ? checkChat(s) : null;
  if (!r || isRejected(r)) return null;
  return { ...r, template: s.template };
}
