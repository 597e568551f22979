/**
 * `corpusmill mix`: a training mixture from per-source token shards.
 *
 * Targets: a proportion per source (LLaMA's Table 1 by default) and a total token budget (LLaMA's
 * 1.4T by default). Each source gives `proportion × budget` tokens: whole epochs repeat every
 * document, the fraction takes documents in a seeded random order until the next one would move
 * the total further from the target, passing over documents that would overshoot (so a source
 * misses its target by at most half of its shortest document not taken).
 * Selected documents are interleaved in one seeded shuffle and written as Megatron shards (with a
 * manifest `verify` reads), plus the data-blend strings Megatron-LM (`--data-path`) and GPT-NeoX
 * (`train-data-paths` / `train-data-weights`) take to blend the per-source shards themselves. Their
 * paths are relative to the mixture folder (so the folder can move with its tokens, and a build
 * gives the same bytes wherever it ran): run the trainer from there, or prefix them.
 * Sources with token shards but no weight are left out, and said so (`left_out`, and a warning).
 * Nothing in the output names an absolute path.
 *
 * Memory: 8 bytes per selected document (source and document number) plus each source's document
 * lengths (4 bytes per document); token data streams through one batch.
 */
import { tmpPath } from '../io/atomic.js';
import { open, type FileHandle } from 'node:fs/promises';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { createHash } from 'node:crypto';
import { ConfigError } from '../core/errors.js';
import { readMegatronIndex, dtypeBytes, type TokenDtype } from '../tokenize/formats/megatron.js';
import type { TokenManifest } from '../tokenize/run.js';
import { TokenShardWriter } from '../tokenize/token-shards.js';
import { LLAMA_MIXTURE, LLAMA_TOKENS } from '../report/mixture.js';
import { rng } from '../core/rng.js';

export interface MixConfig {
  /** Folder with one sub-folder of Megatron token shards (and manifests) per source. */
  tokens: string;
  output: string;
  /** Total tokens of the mixture. */
  budget?: number;
  /** Target proportion per source (renormalised over the sources present). */
  weights?: Record<string, number>;
  seed?: number;
  shardBytes?: number;
}

interface SourceShards {
  source: string;
  manifest: TokenManifest['tokenizer'];
  dtype: TokenDtype;
  /** Shard base paths and their document lengths. */
  shards: Array<{ base: string; lengths: Int32Array; pointers: BigInt64Array; tokens: number }>;
  tokens: number;
  documents: number;
}

interface MixRow {
  source: string;
  target: number;
  achieved: number;
  available_tokens: number;
  tokens: number;
  documents: number;
  epochs: number;
}

export interface MixResult {
  output: string;
  budget: number;
  tokens: number;
  documents: number;
  rows: MixRow[];
  /** Sources with token shards that the weights leave out, and their tokens. */
  left_out: Array<{ source: string; tokens: number }>;
  /** Per-source shard paths in the blends are relative to the mixture folder. */
  blend_paths: 'relative to the mixture folder';
  megatron_blend: string;
  neox_blend: { 'train-data-paths': string[]; 'train-data-weights': number[] };
}

async function loadSource(dir: string, source: string): Promise<SourceShards | null> {
  const names = (await readdir(dir)).sort();
  const manifests = names.filter((n) => n.endsWith('manifest.json'));
  if (manifests.length === 0) return null;
  let tok: TokenManifest['tokenizer'] | null = null;
  let dtype: TokenDtype | null = null;
  const shards: SourceShards['shards'] = [];
  for (const mName of manifests) {
    const m = JSON.parse(await readFile(join(dir, mName), 'utf8')) as TokenManifest;
    if (m.format !== 'megatron') throw new ConfigError(`${join(dir, mName)}: mix reads Megatron shards (this one is ${m.format})`);
    if (tok && tok.hash !== m.tokenizer.hash) throw new ConfigError(`${join(dir, mName)}: a different tokenizer than the other shards`);
    tok = m.tokenizer;
    dtype = m.dtype;
    for (const f of m.files.filter((x) => x.name.endsWith('.idx')).sort((a, b) => a.name.localeCompare(b.name))) {
      const base = join(dir, f.name.slice(0, -4));
      const idx = readMegatronIndex(await readFile(`${base}.idx`), `${base}.idx`);
      shards.push({ base, lengths: idx.lengths, pointers: idx.pointers, tokens: idx.lengths.reduce((a, b) => a + b, 0) });
    }
  }
  const tokens = shards.reduce((a, s) => a + s.tokens, 0);
  return { source, manifest: tok!, dtype: dtype!, shards, tokens, documents: shards.reduce((a, s) => a + s.lengths.length, 0) };
}

/** Seeded Fisher–Yates over 0..n-1. */
function permutation(n: number, random: () => number): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

export async function runMix(cfg: MixConfig): Promise<MixResult> {
  const seed = cfg.seed ?? 1234;
  const budget = cfg.budget ?? LLAMA_TOKENS;
  const found: SourceShards[] = [];
  for (const e of (await readdir(cfg.tokens, { withFileTypes: true })).filter((d) => d.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const s = await loadSource(join(cfg.tokens, e.name), e.name);
    if (s && s.tokens > 0) found.push(s);
  }
  if (found.length === 0) throw new ConfigError(`${cfg.tokens}: no per-source token shards (expected <source>/…manifest.json)`);
  const hashes = new Set(found.map((s) => s.manifest.hash));
  if (hashes.size > 1) throw new ConfigError(`${cfg.tokens}: sources were tokenized with different tokenizers`);
  const weightsIn = cfg.weights ?? Object.fromEntries(LLAMA_MIXTURE.map((m) => [m.source, m.proportion]));
  const present = found.filter((s) => (weightsIn[s.source] ?? 0) > 0);
  const leftOut = found.filter((s) => !present.includes(s)).map((s) => ({ source: s.source, tokens: s.tokens }));
  if (present.length === 0) throw new ConfigError(`none of the sources in ${cfg.tokens} (${found.map((s) => s.source).join(', ')}) has a weight`);
  const wsum = present.reduce((a, s) => a + weightsIn[s.source]!, 0);

  // Select documents per source: whole epochs, then a seeded prefix for the fraction.
  const selSource: number[] = [];
  const selDoc: number[] = [];
  const rows: MixRow[] = [];
  present.forEach((s, si) => {
    const target = weightsIn[s.source]! / wsum;
    const want = target * budget;
    const lengths: number[] = [];
    for (const sh of s.shards) for (const l of sh.lengths) lengths.push(l);
    const full = Math.floor(want / s.tokens);
    let got = full * s.tokens;
    let docs = full * lengths.length;
    for (let e = 0; e < full; e++) {
      for (let d = 0; d < lengths.length; d++) {
        selSource.push(si);
        selDoc.push(d);
      }
    }
    const order = permutation(lengths.length, rng(seed ^ hash32(s.source)));
    for (const d of order) {
      // Take a document when it brings the source closer to its target; a long one that would
      // overshoot is passed over and shorter ones later in the seeded order get their chance.
      const next = got + lengths[d]!;
      if (Math.abs(want - next) >= Math.abs(want - got)) continue;
      got = next;
      docs++;
      selSource.push(si);
      selDoc.push(d);
    }
    rows.push({ source: s.source, target, achieved: 0, available_tokens: s.tokens, tokens: got, documents: docs, epochs: got / s.tokens });
  });
  const total = rows.reduce((a, r) => a + r.tokens, 0);
  for (const r of rows) r.achieved = total ? r.tokens / total : 0;

  // Interleave and write.
  const order = permutation(selSource.length, rng(seed));
  const tmp = tmpPath(cfg.output);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  const dtype = present[0]!.dtype;
  const item = dtypeBytes(dtype);
  const writer = new TokenShardWriter(tmp, 'mix', { format: 'megatron', dtype, maxBytes: cfg.shardBytes ?? 1 << 30 });
  const locate = present.map((s) => {
    // Global document number → (shard, document in shard).
    const starts: number[] = [];
    let n = 0;
    for (const sh of s.shards) {
      starts.push(n);
      n += sh.lengths.length;
    }
    return starts;
  });
  const handles = new Map<string, FileHandle>();
  const read = async (si: number, d: number): Promise<Buffer> => {
    const starts = locate[si]!;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= d) lo = mid;
      else hi = mid - 1;
    }
    const sh = present[si]!.shards[lo]!;
    const k = d - starts[lo]!;
    let fh = handles.get(sh.base);
    if (!fh) {
      fh = await open(`${sh.base}.bin`, 'r');
      handles.set(sh.base, fh);
    }
    const buf = Buffer.alloc(sh.lengths[k]! * item);
    await fh.read(buf, 0, buf.length, Number(sh.pointers[k]!));
    return buf;
  };
  const perSource: Record<string, { documents: number; tokens: number; bytes: number }> = {};
  try {
    let batch: Buffer[] = [];
    let batchBytes = 0;
    const flush = async () => {
      const data = Buffer.concat(batch);
      const ids = item === 2 ? new Uint16Array(data.buffer, data.byteOffset, data.length / 2) : new Uint32Array(data.buffer, data.byteOffset, data.length / 4);
      const offsets = [0];
      for (const b of batch) offsets.push(offsets.at(-1)! + b.length / item);
      await writer.add(ids, offsets);
      batch = [];
      batchBytes = 0;
    };
    for (const o of order) {
      const si = selSource[o]!;
      const buf = await read(si, selDoc[o]!);
      const name = present[si]!.source;
      perSource[name] ??= { documents: 0, tokens: 0, bytes: 0 };
      const t = perSource[name];
      t.documents++;
      t.tokens += buf.length / item;
      batch.push(buf);
      batchBytes += buf.length;
      if (batchBytes >= 8 << 20) await flush();
    }
    if (batch.length) await flush();
  } finally {
    for (const fh of handles.values()) await fh.close();
  }
  const files = await writer.close();
  const manifest: TokenManifest = {
    format: 'megatron',
    dtype,
    tokenizer: present[0]!.manifest,
    documents: selSource.length,
    tokens: total,
    bytes: 0,
    sources: perSource,
    files,
  };
  await writeFile(join(tmp, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);

  // Blend strings for trainers that mix the per-source shards themselves.
  const paths: string[] = [];
  const weights: number[] = [];
  present.forEach((s, si) => {
    const r = rows[si]!;
    for (const sh of s.shards) {
      paths.push(relative(cfg.output, sh.base));
      weights.push(Number(((r.target * sh.tokens) / s.tokens).toPrecision(6)));
    }
  });
  const megatronBlend = paths.map((p, i) => `${weights[i]} ${p}`).join(' ');
  const neox = { 'train-data-paths': paths, 'train-data-weights': weights };
  await writeFile(join(tmp, 'blend.megatron.txt'), `${megatronBlend}\n`);
  await writeFile(join(tmp, 'blend.neox.json'), `${JSON.stringify(neox, null, 2)}\n`);
  const result: MixResult = {
    output: cfg.output,
    budget,
    tokens: total,
    documents: selSource.length,
    rows,
    left_out: leftOut,
    blend_paths: 'relative to the mixture folder',
    megatron_blend: megatronBlend,
    neox_blend: neox,
  };
  const { output: _absolute, ...portable } = result;
  await writeFile(join(tmp, 'mix.json'), `${JSON.stringify({ ...portable, tokens_dir: relative(cfg.output, cfg.tokens), seed }, null, 2)}\n`);
  await rm(cfg.output, { recursive: true, force: true });
  await rename(tmp, cfg.output);
  return result;
}

function hash32(s: string): number {
  return createHash('sha1').update(s).digest().readUInt32LE(0);
}

/** The mixture as a table: target and achieved share, tokens and epochs per source. */
export function formatMix(r: MixResult): string {
  const lines = [
    `mixture: ${r.tokens} tokens, ${r.documents} documents in ${r.output} (budget ${r.budget}; blend files: paths relative to that folder)`,
    'source          target  achieved      tokens  epochs',
  ];
  for (const x of r.rows) {
    lines.push(
      `${x.source.padEnd(14)} ${(100 * x.target).toFixed(2).padStart(6)}%  ${(100 * x.achieved).toFixed(2).padStart(7)}%  ${String(x.tokens).padStart(10)}  ${x.epochs.toFixed(2).padStart(6)}`,
    );
  }
  for (const x of r.left_out) lines.push(`${x.source.padEnd(14)}  left out: no weight (${x.tokens} tokens)`);
  return `${lines.join('\n')}\n`;
}

/** One warning line per source the mixture left out. */
export function mixWarnings(r: MixResult): string[] {
  return r.left_out.map((x) => `mix: source ${x.source} has token shards (${x.tokens} tokens) but no weight: left out of the mixture; give it one under weights: to include it`);
}
