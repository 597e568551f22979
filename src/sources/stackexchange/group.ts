/**
 * `stackexchange_group`: questions and their answers into one document each, `Q: …\nA: …\nA: …`
 * (RedPajama's post_processing.py format), answers by score, highest first — with memory bounded at
 * Stack Overflow scale (tens of millions of posts), where RedPajama's in-memory `parents` dict ran
 * out of memory.
 *
 * A shuffle in three passes of the step API:
 * 1. scan `partition` (the stage's read tasks): every post document from the stackexchange source is
 *    written as one record line to `runs/<task>/p<k>.jsonl`, k = hash(site, question id) mod
 *    `partitions`. Other documents are not touched. Memory: a 1 MiB buffer per partition file.
 * 2. reduce `group` (`partitions` tasks): partition k's records are sorted by (site, question id,
 *    question first, score descending, id) — in memory up to `memory_mb`, else in sorted runs spilled
 *    to disk and merged (io/external-sort.ts) — and the groups written to `grouped/p<k>.jsonl` as finished documents.
 * 3. main pass: post documents are consumed (already grouped); other documents pass through; each
 *    stackexchange read task then emits the grouped partitions k with k mod n = its index among the
 *    n stackexchange tasks, so every group is written exactly once, into the stackexchange output.
 * Output is deterministic: records sort on a total order and partition ownership depends only on
 * the task list, never on workers or timing.
 *
 * QUIRK (RedPajama sorts `score` strings, so "9" > "10" > "-1"): fixed, answers sort by numeric score
 * (ties by post id, which is file order); `score_order: string` restores RedPajama's order for parity
 * checks. Orphan answers (question deleted or in no dump) are dropped and counted, as RedPajama
 * silently dropped them; a title-less question without answers is dropped as RedPajama did.
 */
import { tmpPath } from '../../io/atomic.js';
import type { StepState } from '../../pipeline/state.js';
import { access, appendFile, mkdir, readdir, rename, rm, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { docFromJson, docToJson, provenanceId, type Doc } from '../../core/document.js';
import { CorpusError } from '../../core/errors.js';
import { defineStep, type Step, type TaskContext } from '../../pipeline/step.js';
import { ExternalSorter, jsonLinesCodec, RunReader } from '../../io/external-sort.js';
import { readLines } from '../../io/lines.js';
import { siteLanguage, type PostMeta } from './source.js';

const params = z
  .object({
    /** Hash partitions of the shuffle (reduce tasks). */
    partitions: z.number().int().positive().max(4096).default(64),
    /** Records held in memory per reduce task before a sorted run is spilled to disk. */
    memory_mb: z.number().positive().default(256),
    /** numeric (fixed) or string (RedPajama's QUIRK: scores compared as strings). */
    score_order: z.enum(['numeric', 'string']).default('numeric'),
  })
  .strict();
type Params = z.infer<typeof params>;

/** One post in the shuffle: [site, question id, kind (0 question, 1 answer), score, post id, text, has title, timestamp, file]. */
type Rec = [string, number, 0 | 1, number, number, string, boolean, string | null, string];

const FLUSH_BYTES = 1 << 20;

function isPost(doc: Doc): boolean {
  return doc.source === 'stackexchange' && (doc.meta.post_type === 'question' || doc.meta.post_type === 'answer');
}

/** FNV-1a over UTF-16 code units: a stable partition for (site, question id). */
function partitionOf(site: string, qid: number, partitions: number): number {
  let h = 0x811c9dc5;
  const key = `${site}\u0000${qid}`;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}

function fileOf(doc: Doc): string {
  // ids are stackexchange/<file>/<post id>
  const parts = doc.id.split('/');
  return parts.length >= 3 ? parts.slice(1, -1).join('/') : '';
}

/** Answer order: score descending, numeric (fixed) or as strings (RedPajama), then post id. */
function compareRecs(order: Params['score_order']): (a: Rec, b: Rec) => number {
  return (a, b) => {
    if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
    if (a[1] !== b[1]) return a[1] - b[1];
    if (a[2] !== b[2]) return a[2] - b[2];
    if (a[3] !== b[3]) {
      if (order === 'numeric') return b[3] - a[3];
      const sa = String(a[3]);
      const sb = String(b[3]);
      if (sa !== sb) return sa < sb ? 1 : -1;
    }
    return a[4] - b[4];
  };
}

/** Partition files of one scan task, buffered. */
class RunWriter {
  private bufs = new Map<number, string[]>();
  private sizes = new Map<number, number>();
  constructor(private readonly dir: string) {}

  async add(part: number, line: string): Promise<void> {
    const b = this.bufs.get(part);
    if (b) b.push(line);
    else this.bufs.set(part, [line]);
    const n = (this.sizes.get(part) ?? 0) + line.length;
    this.sizes.set(part, n);
    if (n >= FLUSH_BYTES) await this.flush(part);
  }

  private async flush(part: number): Promise<void> {
    const b = this.bufs.get(part);
    if (!b || b.length === 0) return;
    await appendFile(join(this.dir, `p${part}.jsonl`), b.join(''));
    this.bufs.set(part, []);
    this.sizes.set(part, 0);
  }

  async close(): Promise<void> {
    for (const part of [...this.bufs.keys()].sort((a, b) => a - b)) await this.flush(part);
  }
}

async function scanPartition(docs: AsyncIterable<Doc>, ctx: TaskContext, p: Params): Promise<void> {
  const runs = ctx.state.path('runs');
  const done = join(runs, String(ctx.rank));
  const tmp = tmpPath(done);
  await mkdir(tmp, { recursive: true });
  const w = new RunWriter(tmp);
  let posts = 0;
  for await (const doc of docs) {
    if (!isPost(doc)) continue;
    const m = doc.meta as PostMeta;
    const rec: Rec = [m.site, m.question_id, m.post_type === 'question' ? 0 : 1, m.score, m.post_id, doc.text, m.has_title, m.timestamp, fileOf(doc)];
    await w.add(partitionOf(m.site, m.question_id, p.partitions), `${JSON.stringify(rec)}\n`);
    posts++;
  }
  await w.close();
  await rm(done, { recursive: true, force: true });
  await rename(tmp, done);
  // Which tasks read stackexchange documents: the main pass shares the grouped output among them.
  await ctx.state.writeJson(`tasks/${ctx.rank}.json`, { source: ctx.source, posts, worldSize: ctx.worldSize });
  ctx.count('posts_partitioned', posts);
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

const recCodec = jsonLinesCodec<Rec>();

/** The grouped document of one question, or the reason it has none. */
function groupDocument(group: Rec[]): Doc | string {
  const q = group[0]!;
  if (q[2] !== 0) return 'orphan_answers';
  const answers = group.slice(1).filter((r) => r[2] === 1);
  if (answers.length === 0 && !q[6]) return 'untitled_without_answers';
  const text = answers.length ? `Q: ${q[5]}\nA: ${answers.map((a) => a[5]).join('\nA: ')}` : `Q: ${q[5]}`;
  const site = q[0];
  return {
    id: provenanceId('stackexchange', q[8], q[1]),
    text,
    source: 'stackexchange',
    meta: { site, question_id: q[1], url: `https://${site}/questions/${q[1]}`, question_score: q[3], language: siteLanguage(site), timestamp: q[7] },
  };
}

async function reduceGroup(ctx: TaskContext, p: Params): Promise<void> {
  const part = ctx.rank;
  const runs = ctx.state.path('runs');
  const sortDir = ctx.state.path(join('sort', `p${part}`));
  await rm(sortDir, { recursive: true, force: true });
  const inputs = (await scanRecords(ctx.state)).map((r) => join(runs, String(r.rank), `p${part}.jsonl`));
  // Phase A: sorted runs of at most `memory_mb` of records (a JS string holds 2 bytes a character).
  const sorter = new ExternalSorter<Rec>({
    dir: sortDir,
    codec: recCodec,
    compare: compareRecs(p.score_order),
    memoryBytes: Math.floor(p.memory_mb * (1 << 20)),
    sizeOf: (r) => 2 * r[5].length + 200,
  });
  for (const path of inputs) {
    if (!(await exists(path))) continue; // that task had no post of this partition
    const reader = new RunReader(path, recCodec);
    while (reader.next()) sorter.add(reader.value!);
  }
  if (sorter.runs > 0) ctx.count('sorted_runs_spilled', sorter.runs);
  const sorted = sorter.sorted();
  // Phase B: consecutive records of one (site, question) form a group.
  const out = ctx.state.file(join('grouped', `p${part}.jsonl`), { createEmpty: true });
  let group: Rec[] = [];
  const emit = async () => {
    if (group.length === 0) return;
    const d = groupDocument(group);
    if (typeof d === 'string') ctx.count(d, d === 'orphan_answers' ? group.length : 1);
    else {
      out.writeString(`${docToJson(d)}\n`);
      ctx.count('questions_grouped');
    }
    group = [];
  };
  for (const r of sorted) {
    const g = group[0];
    if (g && (g[0] !== r[0] || g[1] !== r[1])) await emit();
    group.push(r);
  }
  await emit();
  out.commit();
  await rm(sortDir, { recursive: true, force: true });
}

interface ScanRecord {
  rank: number;
  source: string;
  worldSize: number;
}

/**
 * The scan tasks of the current run. A state folder left by an earlier run with more tasks still
 * holds records of ranks beyond the current task count; every current record names that count, and
 * stale ones name a larger one, so the smallest recorded count is the current one.
 */
async function scanRecords(state: StepState): Promise<ScanRecord[]> {
  const dir = state.path('tasks');
  const recs: ScanRecord[] = [];
  for (const f of await readdir(dir).catch(() => [] as string[])) {
    const m = /^(\d+)\.json$/.exec(f);
    if (!m) continue;
    const info = JSON.parse(await readFile(join(dir, f), 'utf8')) as { source: string; worldSize: number };
    recs.push({ rank: Number(m[1]), source: info.source, worldSize: info.worldSize });
  }
  const current = Math.min(...recs.map((r) => r.worldSize));
  return recs.filter((r) => r.rank < current).sort((a, b) => a.rank - b.rank);
}

/** The partitions this main-pass task emits: its share among the stackexchange read tasks. */
async function ownedPartitions(ctx: TaskContext, p: Params): Promise<number[]> {
  if (ctx.source !== 'stackexchange') return [];
  const dir = ctx.state.path('tasks');
  const ranks = (await scanRecords(ctx.state)).filter((r) => r.source === 'stackexchange').map((r) => r.rank);
  const me = ranks.indexOf(ctx.rank);
  if (me < 0) throw new CorpusError(`stackexchange_group: task ${ctx.rank} has no scan record in ${dir} (did the scan pass run?)`);
  const owned: number[] = [];
  for (let k = me; k < p.partitions; k += ranks.length) owned.push(k);
  return owned;
}

export const stackexchangeGroupStep = defineStep({
  name: 'stackexchange_group',
  description: 'Group StackExchange posts into "Q: …\\nA: …" documents, answers by score (external sort, bounded memory)',
  params,
  create(p): Step {
    return {
      passes: [
        { kind: 'scan', name: 'partition', scan: (docs, ctx) => scanPartition(docs, ctx, p) },
        { kind: 'reduce', name: 'group', tasks: p.partitions, reduce: (ctx) => reduceGroup(ctx, p) },
      ],
      async *run(docs, ctx) {
        for await (const doc of docs) {
          if (isPost(doc)) ctx.count('posts_consumed');
          else yield doc;
        }
        for (const k of await ownedPartitions(ctx, p)) {
          const path = ctx.state.path(join('grouped', `p${k}.jsonl`));
          if (!(await exists(path))) throw new CorpusError(`stackexchange_group: partition ${k} was not grouped (did the reduce pass run?)`, { file: path });
          let i = 0;
          for await (const line of readLines(path)) {
            if (!line.bytes.length) continue;
            yield docFromJson(JSON.parse(line.bytes.toString('utf8')), `${path}:${i++}`, 'stackexchange');
          }
        }
      },
    };
  },
});
