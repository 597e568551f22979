/**
 * `corpusmill verify <tokens-dir>`: checks token shards the way a trainer will read them, and stops
 * at the first problem (file, document, what was expected). For every manifest under the folder:
 * each listed file exists with its sha256; a Megatron `.idx` has the MMIDIDX magic, version 1, the
 * dtype code the vocabulary calls for (uint16 below 65,500 ids, int32 above: Megatron's
 * optimal_dtype), one sequence per document with document indices 0..N, sizes and pointers that
 * agree with each other and with the `.bin` size; `.npy` shards have offsets that cover the data;
 * every id is below the vocabulary size; BOS opens and EOS closes every document when the
 * manifest's tokenizer settings say so. SFT shards (manifests with an `sft` section) also have their
 * loss masks checked against sequence and example boundaries (sft-verify.ts). Each manifest's
 * counts must match its shards' indexes. Shards a pipeline wrote are also checked for completeness
 * against the build's catalog (found above the folder): every task of the stage is done, every task
 * that tokenized documents has its manifest, and each manifest holds exactly the documents (SFT:
 * examples) and tokens the task counted, so a missing shard or a short task is an error. Token
 * data is streamed, never loaded whole.
 */
import { createReadStream, existsSync } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Catalog } from '../catalog/catalog.js';
import { catalogPath, MAIN_PHASE, partPrefix } from '../pipeline/layout.js';
import type { TaskSpec } from '../pipeline/tasks.js';
import { hashFile } from '../fetch/fetcher.js';
import { dtypeBytes, MEGATRON_DTYPE_CODE, MMIDIDX_MAGIC, type ShardDtype, tokenDtype, type TokenDtype } from './formats/megatron.js';
import { readNpyHeader } from './formats/npy.js';
import type { TokenManifest } from './run.js';
import { checkSftShard, type SftCounts } from './sft-verify.js';

class VerifyError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'VerifyError';
  }
}

export interface VerifyResult {
  manifests: number;
  files: number;
  documents: number;
  tokens: number;
  /** Examples in SFT shards (when there are any). */
  examples?: number;
  /** The build catalog the manifests were checked against for completeness, and how many tasks. */
  complete?: { catalog: string; tasks: number };
}

async function findManifests(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of (await readdir(d, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name === 'manifest.json' || e.name.endsWith('.manifest.json')) out.push(p);
    }
  };
  await walk(dir);
  return out;
}

export async function verifyTokens(dir: string): Promise<VerifyResult> {
  if (!existsSync(dir)) throw new VerifyError(dir, 'no such folder');
  const manifests = await findManifests(dir);
  if (manifests.length === 0) throw new VerifyError(dir, 'no manifest.json (or *.manifest.json) found');
  const res: VerifyResult = { manifests: manifests.length, files: 0, documents: 0, tokens: 0 };
  const built: Array<{ path: string; m: TokenManifest }> = [];
  for (const mPath of manifests) {
    const m = JSON.parse(await readFile(mPath, 'utf8')) as TokenManifest;
    if (m.build) built.push({ path: mPath, m });
    const before = { documents: res.documents, tokens: res.tokens };
    const here = dirname(mPath);
    const vocab = m.tokenizer.vocab_size;
    const want = tokenDtype(vocab);
    if (m.dtype !== want) throw new VerifyError(mPath, `dtype ${m.dtype} for a vocabulary of ${vocab} (expected ${want})`);
    for (const f of m.files) {
      const p = join(here, f.name);
      if (!existsSync(p)) throw new VerifyError(p, 'listed in the manifest but missing');
      const size = (await stat(p)).size;
      if (size !== f.bytes) throw new VerifyError(p, `${size} bytes, the manifest says ${f.bytes}`);
      const sha = await hashFile(p, 'sha256');
      if (sha !== f.sha256) throw new VerifyError(p, `sha256 ${sha} does not match the manifest (${f.sha256})`);
      res.files++;
    }
    const boundaries = { bos: m.tokenizer.bos ? m.tokenizer.bos_id : null, eos: m.tokenizer.eos ? m.tokenizer.eos_id : null };
    // the token shards: files with no role (an SFT shard's mask and example spans are checked with it)
    const bases = [...new Set(m.files.filter((f) => !f.role).map((f) => f.name.replace(/(\.offsets)?\.(npy|bin|idx)$/, '')))];
    const sft: SftCounts = { examples: 0, prompt: 0, response: 0 };
    for (const b of bases) {
      const base = join(here, b);
      const { lengths, dataPath, dataOffset, item } = m.format === 'megatron' ? await checkMegatron(base, m.dtype) : await checkNpy(base, m.dtype);
      const t = await checkTokens(dataPath, dataOffset, item, lengths, vocab, boundaries);
      res.documents += lengths.length;
      res.tokens += t;
      if (m.sft) {
        const mask = m.format === 'megatron' ? await checkMegatronMask(base, lengths) : await checkNpyMask(base, t);
        const c = await checkSftShard({ base, lengths, ids: { path: dataPath, offset: dataOffset, item }, mask }, m.sft, (file, message) => {
          throw new VerifyError(file, message);
        });
        sft.examples += c.examples;
        sft.prompt += c.prompt;
        sft.response += c.response;
      }
    }
    if (m.sft) {
      const want = { examples: m.sft.examples, prompt: m.sft.prompt_tokens, response: m.sft.response_tokens };
      if (sft.examples !== want.examples || sft.prompt !== want.prompt || sft.response !== want.response)
        throw new VerifyError(
          mPath,
          `the shards hold ${sft.examples} examples, ${sft.prompt} prompt and ${sft.response} trained tokens; the manifest says ${want.examples}, ${want.prompt} and ${want.response}`,
        );
      res.examples = (res.examples ?? 0) + sft.examples;
    }
    const docs = res.documents - before.documents;
    const toks = res.tokens - before.tokens;
    if (docs !== m.documents || toks !== m.tokens)
      throw new VerifyError(mPath, `the shards' indexes hold ${docs} documents and ${toks} tokens; the manifest says ${m.documents} and ${m.tokens}`);
  }
  if (built.length > 0) res.complete = checkComplete(dir, built);
  return res;
}

/** The build folder a token folder belongs to (`<out>/tokens/<tokenizer>`), by its catalog, or null. */
function findCatalog(dir: string): string | null {
  let d = resolve(dir);
  for (let i = 0; i < 4; i++) {
    const c = catalogPath(d);
    if (existsSync(c)) return c;
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  return null;
}

/**
 * Completeness against the build's catalog: for each stage that wrote manifests here, every task is
 * done, and every task whose tokenizing step saw documents has a manifest with exactly its counts.
 */
function checkComplete(dir: string, built: Array<{ path: string; m: TokenManifest }>): { catalog: string; tasks: number } | undefined {
  const path = findCatalog(dir);
  if (!path) return undefined;
  const catalog = new Catalog<TaskSpec>(path);
  let tasks = 0;
  try {
    const byTask = new Map(built.map((b) => [`${b.m.build!.stage}#${b.m.build!.task}`, b]));
    const stages = [...new Set(built.map((b) => b.m.build!.stage))].sort();
    for (const stage of stages) {
      const first = built.find((b) => b.m.build!.stage === stage)!.path;
      if (!catalog.stage(stage)) throw new VerifyError(first, `written by stage ${stage}, which is not in ${path} (left from another build?)`);
      const rows = catalog.tasks(stage, MAIN_PHASE);
      const done = rows.filter((r) => r.state === 'done').length;
      if (done < rows.length) throw new VerifyError(path, `stage ${stage} is not complete: ${done} of ${rows.length} tasks done, so its token shards are not all there`);
      for (const row of rows) {
        tasks++;
        const steps = (row.stats?.steps ?? []).filter((s) => s.step === 'tokenize' || s.step === 'sft_tokenize');
        const seen = steps.reduce((a, s) => a + s.docs_in, 0);
        const b = byTask.get(`${stage}#${row.idx}`);
        const expected = join(dir, row.spec.source || 'all', `${partPrefix(row.idx)}.manifest.json`);
        if (!b) {
          if (seen > 0 && steps.some((s) => (s.step === 'tokenize' ? s.counts.tokens : s.counts.sft_examples) > 0))
            throw new VerifyError(expected, `missing: task ${row.idx} of stage ${stage} tokenized ${seen} documents`);
          continue;
        }
        byTask.delete(`${stage}#${row.idx}`);
        const m = b.m;
        const match = steps.some((s) =>
          s.step === 'sft_tokenize' ? m.sft !== undefined && s.counts.sft_examples === m.sft.examples : s.docs_in === m.documents && (s.counts.tokens ?? 0) === m.tokens,
        );
        if (!match) {
          const counted = steps
            .map((s) => (s.step === 'sft_tokenize' ? `${s.counts.sft_examples ?? 0} examples` : `${s.docs_in} documents, ${s.counts.tokens ?? 0} tokens`))
            .join('; ');
          const holds = m.sft ? `${m.sft.examples} examples` : `${m.documents} documents, ${m.tokens} tokens`;
          throw new VerifyError(b.path, `holds ${holds}; task ${row.idx} of stage ${stage} counted ${counted || 'no tokenizing step'}`);
        }
      }
    }
    const stray = [...byTask.values()][0];
    if (stray)
      throw new VerifyError(stray.path, `written by task ${stray.m.build!.task} of stage ${stray.m.build!.stage}, which the catalog does not have (left from an earlier build?)`);
  } finally {
    catalog.close();
  }
  return { catalog: path, tasks };
}

/** The mask of a Megatron SFT shard: a uint8 indexed dataset with the ids' sequence lengths. */
async function checkMegatronMask(base: string, lengths: Int32Array): Promise<{ path: string; offset: number }> {
  const mask = await checkMegatron(`${base}.mask`, 'uint8');
  if (mask.lengths.length !== lengths.length || mask.lengths.some((l, i) => l !== lengths[i]))
    throw new VerifyError(`${base}.mask.idx`, "sequence lengths differ from the token shard's (one mask byte per token expected)");
  return { path: mask.dataPath, offset: 0 };
}

/** The mask of an .npy SFT shard: `|u1`, one byte per token. */
async function checkNpyMask(base: string, tokens: number): Promise<{ path: string; offset: number }> {
  const path = `${base}.mask.npy`;
  if (!existsSync(path)) throw new VerifyError(path, 'missing (an SFT shard has a loss mask)');
  const head = Buffer.alloc(512);
  const fh = await open(path, 'r');
  await fh.read(head, 0, head.length, 0);
  await fh.close();
  const h = readNpyHeader(head, path);
  if (h.dtype !== '|u1' || h.length !== tokens) throw new VerifyError(path, `expected ${tokens} uint8 values (|u1), found ${h.length} ${h.dtype}`);
  const size = (await stat(path)).size;
  if (size !== h.dataOffset + tokens) throw new VerifyError(path, `${size} bytes, the header describes ${h.dataOffset + tokens}`);
  return { path, offset: h.dataOffset };
}

async function checkMegatron(base: string, dtype: ShardDtype): Promise<{ lengths: Int32Array; dataPath: string; dataOffset: number; item: 1 | 2 | 4 }> {
  const idxPath = `${base}.idx`;
  const binPath = `${base}.bin`;
  const buf = await readFile(idxPath);
  if (buf.length < 34 || !buf.subarray(0, 9).equals(MMIDIDX_MAGIC)) throw new VerifyError(idxPath, 'missing the MMIDIDX magic');
  if (buf.readBigUInt64LE(9) !== 1n) throw new VerifyError(idxPath, `version ${buf.readBigUInt64LE(9)}, expected 1`);
  const code = buf.readUInt8(17);
  if (code !== MEGATRON_DTYPE_CODE[dtype]) throw new VerifyError(idxPath, `dtype code ${code}, expected ${MEGATRON_DTYPE_CODE[dtype]} (${dtype})`);
  const n = Number(buf.readBigUInt64LE(18));
  const d = Number(buf.readBigUInt64LE(26));
  if (d !== n + 1) throw new VerifyError(idxPath, `${d} document indices for ${n} sequences (expected one sequence per document: ${n + 1})`);
  const expectedSize = 34 + 12 * n + 8 * d;
  if (buf.length !== expectedSize) throw new VerifyError(idxPath, `${buf.length} bytes, expected ${expectedSize} for ${n} sequences`);
  const item = dtypeBytes(dtype);
  const lengths = new Int32Array(n);
  let pointer = 0n;
  for (let i = 0; i < n; i++) {
    lengths[i] = buf.readInt32LE(34 + 4 * i);
    if (lengths[i]! < 0) throw new VerifyError(idxPath, `sequence ${i} has negative length`);
    const p = buf.readBigInt64LE(34 + 4 * n + 8 * i);
    if (p !== pointer) throw new VerifyError(idxPath, `sequence ${i} points at byte ${p}, expected ${pointer}`);
    pointer += BigInt(lengths[i]! * item);
  }
  for (let i = 0; i < d; i++) {
    const v = buf.readBigInt64LE(34 + 12 * n + 8 * i);
    if (v !== BigInt(i)) throw new VerifyError(idxPath, `document index ${i} is ${v}, expected ${i}`);
  }
  const binSize = (await stat(binPath).catch(() => null))?.size;
  if (binSize === undefined) throw new VerifyError(binPath, 'missing');
  if (BigInt(binSize) !== pointer) throw new VerifyError(binPath, `${binSize} bytes, the index describes ${pointer}`);
  return { lengths, dataPath: binPath, dataOffset: 0, item };
}

async function checkNpy(base: string, dtype: TokenDtype): Promise<{ lengths: Int32Array; dataPath: string; dataOffset: number; item: 2 | 4 }> {
  const dataPath = `${base}.npy`;
  const offPath = `${base}.offsets.npy`;
  const head = Buffer.alloc(512);
  const fh = await open(dataPath, 'r');
  await fh.read(head, 0, head.length, 0);
  await fh.close();
  const h = readNpyHeader(head, dataPath);
  const wantDtype = dtype === 'uint16' ? '<u2' : '<i4';
  if (h.dtype !== wantDtype) throw new VerifyError(dataPath, `dtype ${h.dtype}, expected ${wantDtype}`);
  const item = dtype === 'uint16' ? 2 : 4;
  const size = (await stat(dataPath)).size;
  if (size !== h.dataOffset + h.length * item) throw new VerifyError(dataPath, `${size} bytes, the header describes ${h.dataOffset + h.length * item}`);
  const ob = await readFile(offPath);
  const oh = readNpyHeader(ob, offPath);
  if (oh.dtype !== '<i8') throw new VerifyError(offPath, `dtype ${oh.dtype}, expected <i8`);
  const lengths = new Int32Array(Math.max(0, oh.length - 1));
  let prev = ob.readBigInt64LE(oh.dataOffset);
  if (prev !== 0n) throw new VerifyError(offPath, 'offsets must start at 0');
  for (let i = 1; i < oh.length; i++) {
    const v = ob.readBigInt64LE(oh.dataOffset + 8 * i);
    if (v < prev) throw new VerifyError(offPath, `offset ${i} goes backwards`);
    lengths[i - 1] = Number(v - prev);
    prev = v;
  }
  if (Number(prev) !== h.length) throw new VerifyError(offPath, `offsets end at ${prev}, the data has ${h.length} tokens`);
  return { lengths, dataPath, dataOffset: h.dataOffset, item };
}

/** Streams the token data: ids below the vocabulary size, BOS/EOS at every document boundary. */
async function checkTokens(path: string, offset: number, item: 1 | 2 | 4, lengths: Int32Array, vocab: number, b: { bos: number | null; eos: number | null }): Promise<number> {
  let doc = 0;
  let pos = 0; // position within the current document
  while (doc < lengths.length && lengths[doc] === 0) {
    if (b.bos !== null || b.eos !== null) throw new VerifyError(path, `document ${doc} is empty but should hold BOS/EOS`);
    doc++;
  }
  let total = 0;
  let carry: Buffer | null = null;
  for await (const chunk0 of createReadStream(path, { start: offset, highWaterMark: 1 << 20 })) {
    let chunk = chunk0 as Buffer;
    if (carry) {
      chunk = Buffer.concat([carry, chunk]);
      carry = null;
    }
    const usable = chunk.length - (chunk.length % item);
    for (let i = 0; i < usable; i += item) {
      const id = item === 1 ? chunk[i]! : item === 2 ? chunk.readUInt16LE(i) : chunk.readInt32LE(i);
      if (id < 0 || id >= vocab) throw new VerifyError(path, `document ${doc}, token ${pos}: id ${id} is outside the vocabulary (${vocab})`);
      if (pos === 0 && b.bos !== null && id !== b.bos) throw new VerifyError(path, `document ${doc} starts with ${id}, expected BOS ${b.bos}`);
      if (pos === lengths[doc]! - 1 && b.eos !== null && id !== b.eos) throw new VerifyError(path, `document ${doc} ends with ${id}, expected EOS ${b.eos}`);
      total++;
      if (++pos === lengths[doc]) {
        pos = 0;
        doc++;
        while (doc < lengths.length && lengths[doc] === 0) doc++;
      }
    }
    if (usable < chunk.length) carry = Buffer.from(chunk.subarray(usable));
  }
  const expected = lengths.reduce((a, x) => a + x, 0);
  if (total !== expected) throw new VerifyError(path, `${total} tokens, the index describes ${expected}`);
  return total;
}
