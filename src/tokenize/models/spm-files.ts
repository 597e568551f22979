/**
 * SentencePiece-style BPE vocabularies from a user's files:
 * - `tokenizer.model` (SentencePiece ModelProto): passed as bytes; native/tokenize/spm_model.cc parses it.
 * - HF `tokenizer.json` with a BPE model over "▁"-escaped text (LLaMA, Mistral, …): pieces and the
 *   ranked merge list. Byte-level BPE files (GPT-2 style, `ByteLevel` pre-tokenizer) are refused with a
 *   pointer to the `.tiktoken` route, since their algorithm differs.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../core/errors.js';
import type { EncoderSpec } from '../native.js';

export function spmModelSpec(path: string): EncoderSpec {
  return { kind: 'spm_bpe', model: readFileSync(path) };
}

interface HfAddedToken {
  id: number;
  content: string;
  special?: boolean;
}
interface HfJson {
  added_tokens?: HfAddedToken[];
  normalizer?: unknown;
  pre_tokenizer?: unknown;
  model?: { type?: string; vocab?: Record<string, number>; merges?: Array<string | [string, string]>; unk_token?: string | null; byte_fallback?: boolean };
}

/** True when a normalizer / pre_tokenizer tree contains a node matching `pred`. */
function hasNode(node: unknown, pred: (o: Record<string, unknown>) => boolean): boolean {
  if (!node || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some((n) => hasNode(n, pred));
  const o = node as Record<string, unknown>;
  if (pred(o)) return true;
  return Object.values(o).some((v) => hasNode(v, pred));
}

export function hfTokenizerJsonSpec(path: string): EncoderSpec {
  let json: HfJson;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as HfJson;
  } catch (err) {
    throw new ConfigError(`${path}: not a JSON file (${(err as Error).message})`);
  }
  const model = json.model;
  if (model?.type !== 'BPE' || !model.vocab || !model.merges) throw new ConfigError(`${path}: expected a tokenizer.json with model.type "BPE", vocab and merges`);
  if (hasNode(json.pre_tokenizer, (o) => o.type === 'ByteLevel'))
    throw new ConfigError(`${path}: byte-level BPE tokenizer.json is not supported; pass the model's .tiktoken file instead`);
  const size = Math.max(...Object.values(model.vocab), ...(json.added_tokens ?? []).map((t) => t.id)) + 1;
  const pieces: string[] = new Array<string>(size).fill('');
  for (const [piece, id] of Object.entries(model.vocab)) pieces[id] = piece;
  for (const t of json.added_tokens ?? []) pieces[t.id] = t.content;
  const idOf = new Map<string, number>();
  for (const [piece, id] of Object.entries(model.vocab)) idOf.set(piece, id);
  const merges = new Uint32Array(model.merges.length * 2);
  model.merges.forEach((m, k) => {
    const [a, b] = typeof m === 'string' ? splitMerge(m) : m;
    const ia = idOf.get(a),
      ib = idOf.get(b);
    if (ia === undefined || ib === undefined) throw new ConfigError(`${path}: merge ${k} "${a} ${b}" names a piece not in the vocab`);
    merges[2 * k] = ia;
    merges[2 * k + 1] = ib;
  });
  const dummy =
    hasNode(json.normalizer, (o) => o.type === 'Prepend') ||
    hasNode(json.pre_tokenizer, (o) => o.type === 'Metaspace' && o.prepend_scheme !== 'never' && o.add_prefix_space !== false);
  const control = (json.added_tokens ?? []).filter((t) => t.special && t.content !== model.unk_token).map((t) => t.content);
  return {
    kind: 'spm_bpe',
    pieces,
    merges,
    unkPiece: model.unk_token ?? '<unk>',
    controlPieces: control,
    byteFallback: model.byte_fallback ?? false,
    addDummyPrefix: dummy,
  };
}

function splitMerge(m: string): [string, string] {
  const i = m.indexOf(' ');
  if (i <= 0) throw new ConfigError(`tokenizer.json: malformed merge "${m}"`);
  return [m.slice(0, i), m.slice(i + 1)];
}
