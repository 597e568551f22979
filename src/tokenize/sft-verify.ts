/**
 * What `corpusmill verify` checks in SFT shards (the `sft_tokenize` step) beyond the ids: the loss
 * mask has one 0/1 byte per token in the same sequences; examples (one per sequence, or the spans of
 * `.examples.npy` when packed) lie inside one sequence each, in order, without overlap; packed rows
 * are `pack_length` long and every token outside an example is the pad id with mask 0; every example
 * starts with the template's start token, masked; every trained span ends on one of the template's
 * end tokens (EOS, `<|eot_id|>`), unless it runs to the end of an example cut at `max_length`; and
 * the prompt (masked) and response (trained) token counts add up to the manifest's. Ids and mask are
 * streamed side by side, never loaded whole.
 */
import { open, readFile } from 'node:fs/promises';
import { type NpyArrayInfo, readNpyHeader } from './formats/npy.js';

/** The `sft` section of an SFT shard manifest. */
export interface SftManifestInfo {
  template: string;
  mask_mode: string;
  /** Longest example in tokens (longer ones were truncated to it). */
  max_length: number;
  /** Row length of packed shards, or null (one example per sequence). */
  pack_length: number | null;
  pad_id: number | null;
  /** The id every example starts with (BOS, `<|begin_of_text|>`), or null. */
  start_id: number | null;
  /** Ids that close a trained span; empty when the template's responses end in text. */
  end_ids: number[];
  examples: number;
  prompt_tokens: number;
  response_tokens: number;
  truncated: number;
}

export interface SftCounts {
  examples: number;
  prompt: number;
  response: number;
}

/** Where a shard's ids live (as verify.ts found them) and the path of its mask data. */
export interface SftShardData {
  base: string;
  lengths: Int32Array;
  ids: { path: string; offset: number; item: 1 | 2 | 4 };
  mask: { path: string; offset: number };
}

/** Fails with the file and what is wrong (verify.ts wraps it into a VerifyError). */
export type Fail = (file: string, message: string) => never;

/** Reads `count` items from `path` in chunks of up to 1M items. */
async function* chunks(path: string, offset: number, item: 1 | 2 | 4, count: number, fail: Fail): AsyncGenerator<Uint8Array | Uint16Array | Uint32Array> {
  const per = 1 << 20;
  const fh = await open(path, 'r');
  try {
    for (let done = 0; done < count; ) {
      const n = Math.min(per, count - done);
      const ab = new ArrayBuffer(n * item);
      const { bytesRead } = await fh.read(new Uint8Array(ab), 0, n * item, offset + done * item);
      if (bytesRead !== n * item) fail(path, `ends after ${done + bytesRead / item} items, ${count} expected`);
      yield item === 1 ? new Uint8Array(ab) : item === 2 ? new Uint16Array(ab) : new Uint32Array(ab);
      done += n;
    }
  } finally {
    await fh.close();
  }
}

/** Example spans of a shard: one per sequence, or read from `<base>.examples.npy`. */
async function exampleSpans(d: SftShardData, sft: SftManifestInfo, starts: Float64Array, fail: Fail): Promise<Float64Array> {
  const n = d.lengths.length;
  if (sft.pack_length === null) {
    const spans = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      spans[2 * i] = starts[i]!;
      spans[2 * i + 1] = starts[i + 1]!;
    }
    return spans;
  }
  const path = `${d.base}.examples.npy`;
  const buf = await readFile(path).catch(() => fail(path, 'missing (a packed shard records its example spans there)'));
  let h: NpyArrayInfo;
  try {
    h = readNpyHeader(buf, path);
  } catch (e) {
    return fail(path, (e as Error).message);
  }
  if (h.dtype !== '<i8' || h.shape.length !== 2 || h.shape[1] !== 2) fail(path, `expected an (n, 2) int64 array, found ${h.dtype} ${JSON.stringify(h.shape)}`);
  if (buf.length !== h.dataOffset + 8 * h.length) fail(path, `${buf.length} bytes, the header describes ${h.dataOffset + 8 * h.length}`);
  const spans = new Float64Array(h.length);
  for (let i = 0; i < h.length; i++) spans[i] = Number(buf.readBigInt64LE(h.dataOffset + 8 * i));
  // rows: pack_length each; spans in order, inside one row, not overlapping
  for (let s = 0; s < n; s++) if (d.lengths[s] !== sft.pack_length) fail(d.ids.path, `sequence ${s} has ${d.lengths[s]} tokens, packed rows have ${sft.pack_length}`);
  let prevEnd = 0;
  for (let e = 0; e < spans.length / 2; e++) {
    const a = spans[2 * e]!;
    const b = spans[2 * e + 1]!;
    if (!(a >= prevEnd && b > a)) fail(path, `example ${e} [${a}, ${b}) is empty, out of order or overlaps the one before`);
    const row = Math.floor(a / sft.pack_length);
    if (b > (row + 1) * sft.pack_length) fail(path, `example ${e} [${a}, ${b}) crosses the end of row ${row}`);
    prevEnd = b;
  }
  if (prevEnd > starts[n]!) fail(path, `example spans end at ${prevEnd}, the shard has ${starts[n]} tokens`);
  return spans;
}

/** Checks one SFT shard's mask against its sequences and examples; returns its counts. */
export async function checkSftShard(d: SftShardData, sft: SftManifestInfo, fail: Fail): Promise<SftCounts> {
  const n = d.lengths.length;
  const starts = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) starts[i + 1] = starts[i]! + d.lengths[i]!;
  const total = starts[n]!;
  const spans = await exampleSpans(d, sft, starts, fail);
  const nEx = spans.length / 2;
  const ends = new Set(sft.end_ids);
  const counts: SftCounts = { examples: nEx, prompt: 0, response: 0 };
  let e = 0; // current or next example
  let inRun = false;
  let lastId = -1;
  let g = 0;
  const where = () => `token ${g} (example ${e})`;
  const idChunks = chunks(d.ids.path, d.ids.offset, d.ids.item, total, fail);
  const maskChunks = chunks(d.mask.path, d.mask.offset, 1, total, fail);
  for (;;) {
    const [ic, mc] = await Promise.all([idChunks.next(), maskChunks.next()]);
    if (ic.done || mc.done) break;
    const ids = ic.value;
    const mask = mc.value;
    for (let i = 0; i < ids.length; i++, g++) {
      const id = ids[i]!;
      const m = mask[i]!;
      if (m > 1) fail(d.mask.path, `${where()}: mask value ${m} (expected 0 or 1)`);
      while (e < nEx && g >= spans[2 * e + 1]!) e++;
      const a = e < nEx ? spans[2 * e]! : Infinity;
      if (g < a) {
        // outside every example: padding of a packed row
        if (sft.pack_length === null) fail(d.ids.path, `token ${g} belongs to no example`);
        if (id !== sft.pad_id || m !== 0) fail(d.ids.path, `token ${g} pads a packed row but is id ${id} with mask ${m} (expected pad id ${sft.pad_id}, mask 0)`);
        continue;
      }
      const b = spans[2 * e + 1]!;
      if (g === a) {
        if (m !== 0) fail(d.mask.path, `${where()}: an example's first token must be masked`);
        if (sft.start_id !== null && id !== sft.start_id) fail(d.ids.path, `${where()}: example starts with id ${id}, the template starts with ${sft.start_id}`);
        inRun = false;
      }
      if (m === 1) {
        counts.response++;
        inRun = true;
        lastId = id;
      } else {
        counts.prompt++;
        if (inRun && ends.size > 0 && !ends.has(lastId)) fail(d.mask.path, `${where()}: a trained span ends on id ${lastId}, not on an end token (${sft.end_ids.join(', ')})`);
        inRun = false;
      }
      if (g === b - 1 && inRun && ends.size > 0 && !ends.has(lastId) && b - a !== sft.max_length)
        fail(d.mask.path, `${where()}: the example ends inside a trained span on id ${lastId}, yet it is shorter than max_length ${sft.max_length}`);
    }
  }
  return counts;
}
