/**
 * Rendered examples to token ids and a loss mask (1 = trained), a batch of examples per native call.
 *
 * `exact` (default): the ids are those of the whole example as its template encodes it (each text
 * part as one string), and the mask is computed on that very sequence: a token is trained when any
 * of its bytes belongs to a trained run. Where a run starts is found in the token sequence itself:
 * when the ids of the text before the boundary are a prefix of the part's ids, the boundary falls
 * between tokens there; otherwise a token spans it (Alpaca's "### Response:" followed by an output
 * that starts with `"`, `(`, `-`, `[` ... merges into one token `:"`), and the token is located by
 * decoding prefixes of the ids (binary search on decoded length). The spanning token carries the
 * response's first bytes, so it is trained.
 *
 * `alpaca_train_py`: Stanford Alpaca's train.py as written (preprocess / _tokenize_fn): the prompt
 * and the full example are tokenized separately, both truncated to model_max_length, and the first
 * len(prompt ids) tokens of the full example are masked, whether or not the prompt's last token
 * survived the merge. The full string is prompt + output + "</s>", which transformers' slow tokenizer
 * of the time splits at the special token after stripping whitespace on its left (the "We strip left
 * and right by default" branch of PreTrainedTokenizer.tokenize, since train.py gives "</s>" as a
 * plain string): so the text before EOS is rstripped here too.
 *
 * Truncation (both modes, train.py's rule: `truncation=True, max_length=model_max_length`, padding
 * side right): keep the first `maxLength` tokens of the example, BOS included; the EOS and the end of
 * the response are cut when the example is longer.
 */
import { ConfigError } from '../../core/errors.js';
import { pyRstrip } from '../../text/python.js';
import { packDocuments, type Tokenizer } from '../../tokenize/tokenizer.js';
import type { SftRecord } from './records.js';
import type { Part, Run, Template } from './templates.js';

export type MaskMode = 'exact' | 'alpaca_train_py';
export const MASK_MODES: readonly MaskMode[] = ['exact', 'alpaca_train_py'];

export interface SftEncodeOptions {
  mode: MaskMode;
  maxLength: number;
  /** The id placed for the template's `bos` (default: the tokenizer's BOS). */
  bosId?: number;
  threads?: number;
}

export interface EncodedExample {
  ids: Uint32Array;
  mask: Uint8Array;
  /** Tokens cut by truncation. */
  truncatedTokens: number;
  /** Boundaries between masked and trained text that fall inside a token (exact mode). */
  straddles: number;
}

/** One string the batch encodes, and where its ids go. */
interface Job {
  text: string;
}

export class SftEncoder {
  private readonly tokenIds = new Map<string, number>();
  readonly startId: number | null;
  readonly endIds: number[];

  constructor(
    private readonly tok: Tokenizer,
    private readonly template: Template,
    private readonly opts: SftEncodeOptions,
  ) {
    if (opts.mode === 'alpaca_train_py' && template.name !== 'alpaca')
      throw new ConfigError(`mask_mode alpaca_train_py reproduces Alpaca's train.py: it needs template alpaca, not ${template.name}`);
    if (!Number.isInteger(opts.maxLength) || opts.maxLength < 1) throw new ConfigError('max_length must be a positive integer');
    this.startId = template.startToken === null ? null : this.idOf(template.startToken);
    this.endIds = template.endTokens.map((t) => this.idOf(t));
  }

  /** The template's parts for a record (throws TemplateError when it does not fit). */
  render(rec: SftRecord): Part[] {
    return this.template.render(rec);
  }

  /** The id of a token part: `bos`, `eos`, or a special token's text. */
  idOf(token: string): number {
    let id = this.tokenIds.get(token);
    if (id !== undefined) return id;
    const info = this.tok.info;
    const found = token === 'bos' ? (this.opts.bosId ?? info.bosId) : token === 'eos' ? info.eosId : info.specials[token];
    if (found === undefined || found === null)
      throw new ConfigError(
        `template ${this.template.name} needs the special token ${token === 'bos' ? 'BOS' : token === 'eos' ? 'EOS' : token}, which tokenizer ${info.name} does not have`,
      );
    id = found;
    this.tokenIds.set(token, id);
    return id;
  }

  /** Encodes a batch of rendered examples (one native call for all their strings). */
  async encode(examples: Part[][]): Promise<EncodedExample[]> {
    const jobs: Job[] = [];
    const plans = examples.map((parts) => (this.opts.mode === 'exact' ? this.planExact(parts, jobs) : this.planTrainPy(parts, jobs)));
    const packed = packDocuments(jobs.map((j) => j.text));
    const r = await this.tok.encodeBatch(packed, { bos: false, eos: false, threads: this.opts.threads ?? 1 }, 4);
    const ids = r.ids as Uint32Array;
    const idsOf = (k: number) => ids.subarray(r.tokenOffsets[k]!, r.tokenOffsets[k + 1]!);
    return plans.map((p) => p(idsOf));
  }

  /** Exact mode: every text part and the text before each of its boundaries go into the batch. */
  private planExact(parts: Part[], jobs: Job[]): (idsOf: (k: number) => Uint32Array) => EncodedExample {
    const slots = parts.map((p) => {
      if (p.kind === 'token') return null;
      const runs = normalizeRuns(p.runs);
      const text = runs.map((r) => r.text).join('');
      const full = jobs.length;
      jobs.push({ text });
      // one boundary before every run but the first: the text before it goes into the batch too
      const bounds: Boundary[] = [];
      let chars = 0;
      for (let i = 0; i < runs.length - 1; i++) {
        chars += runs[i]!.text.length;
        const before = text.slice(0, chars);
        bounds.push({ job: jobs.length, bytes: Buffer.byteLength(before) });
        jobs.push({ text: before });
      }
      return { full, runs, bounds };
    });
    return (idsOf) => {
      const ids: number[] = [];
      const mask: number[] = [];
      let straddles = 0;
      parts.forEach((p, k) => {
        if (p.kind === 'token') {
          ids.push(this.idOf(p.token));
          mask.push(p.train ? 1 : 0);
          return;
        }
        const slot = slots[k]!;
        const pid = idsOf(slot.full);
        const flags = trainedTokens(this.tok, slot.runs, pid, slot.bounds, idsOf);
        straddles += flags.straddles;
        for (let i = 0; i < pid.length; i++) {
          ids.push(pid[i]!);
          mask.push(flags.mask[i]!);
        }
      });
      return this.finish(ids, mask, straddles);
    };
  }

  /** alpaca_train_py: the prompt and the full example, each encoded on its own. */
  private planTrainPy(parts: Part[], jobs: Job[]): (idsOf: (k: number) => Uint32Array) => EncodedExample {
    const text = parts.find((p) => p.kind === 'text');
    if (text?.kind !== 'text' || text.runs.length !== 2) throw new Error('alpaca_train_py: expected an alpaca rendering');
    const [prompt, output] = text.runs as [Run, Run];
    const promptJob = jobs.length;
    jobs.push({ text: prompt.text });
    jobs.push({ text: pyRstrip(prompt.text + output.text) });
    return (idsOf) => {
      const bos = this.idOf('bos');
      const full = [bos, ...idsOf(promptJob + 1), this.idOf('eos')];
      const sourceLen = Math.min(1 + idsOf(promptJob).length, this.opts.maxLength);
      const mask = full.map((_, i) => (i < sourceLen ? 0 : 1));
      return this.finish(full, mask, 0);
    };
  }

  private finish(ids: number[], mask: number[], straddles: number): EncodedExample {
    const n = Math.min(ids.length, this.opts.maxLength);
    return { ids: Uint32Array.from(ids.slice(0, n)), mask: Uint8Array.from(mask.slice(0, n)), truncatedTokens: ids.length - n, straddles };
  }
}

interface Boundary {
  /** The job that encodes the text before the boundary. */
  job: number;
  /** UTF-8 length of that text. */
  bytes: number;
}

/** Runs without empty ones, neighbours of equal flag merged: every edge left is a boundary. */
function normalizeRuns(runs: ReadonlyArray<Run>): Run[] {
  const out: Run[] = [];
  for (const r of runs) {
    if (r.text === '') continue;
    const last = out.at(-1);
    if (last && last.train === r.train) out[out.length - 1] = { text: last.text + r.text, train: r.train };
    else out.push({ ...r });
  }
  return out;
}

/**
 * The trained flag of each token of one text part. Run i covers the tokens from the one holding its
 * first byte to the one holding its last byte; a token is trained when any run it overlaps is.
 */
function trainedTokens(
  tok: Tokenizer,
  runs: ReadonlyArray<Run>,
  ids: Uint32Array,
  bounds: ReadonlyArray<Boundary>,
  idsOf: (k: number) => Uint32Array,
): { mask: Uint8Array; straddles: number } {
  const mask = new Uint8Array(ids.length);
  let straddles = 0;
  // for each boundary: the token holding its first byte, and whether that token starts exactly there
  const at = bounds.map((b) => {
    const pre = idsOf(b.job);
    if (pre.length <= ids.length && pre.every((x, i) => x === ids[i])) return { index: pre.length, exact: true };
    const found = tokenAtByte(tok, ids, b.bytes);
    if (!found.exact) straddles++;
    return found;
  });
  for (let i = 0; i < runs.length; i++) {
    if (!runs[i]!.train) continue;
    const first = i === 0 ? 0 : at[i - 1]!.index;
    const last = i === runs.length - 1 ? ids.length - 1 : at[i]!.exact ? at[i]!.index - 1 : at[i]!.index;
    for (let t = first; t <= Math.min(last, ids.length - 1); t++) mask[t] = 1;
  }
  return { mask, straddles };
}

/** The token holding byte `b` of the decoded text: the largest j with decoded(ids[0:j]).length <= b. */
function tokenAtByte(tok: Tokenizer, ids: Uint32Array, b: number): { index: number; exact: boolean } {
  const startOf = (j: number) => (j === 0 ? 0 : tok.decodeBytes(ids.subarray(0, j)).length);
  let lo = 0;
  let hi = ids.length; // invariant: startOf(lo) <= b; answer in [lo, hi]
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (startOf(mid) <= b) lo = mid;
    else hi = mid - 1;
  }
  return { index: lo, exact: startOf(lo) === b };
}
