/**
 * Runs one task: the only code that executes inside a worker (a thread here, a cluster job later).
 * Given (stage, phase, index) and the frozen TaskSpec it reads the input, chains the stage's steps,
 * writes shards under temporary names, renames them when the task is complete, and writes the
 * task's marker last. A task that dies before its marker is simply run again: its partial files are
 * removed first, so outputs are the same bytes whatever happened before.
 */
import { readdir, rm } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { basename, dirname } from 'node:path';
import { hostname } from 'node:os';
import { attemptPath, failurePath, type Attempt, type Failure } from './markers.js';
import type { Doc } from '../core/document.js';
import { ConfigError, CorpusError, errorMessage } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { addCount, newOutputStats, newStepStats, type StepStats, type TaskStats } from '../core/stats.js';
import { hashFile, type Fetcher } from '../fetch/fetcher.js';
import { removeTmpFiles, writeJsonAtomic } from '../io/atomic.js';
import { openDocWriter, type DocWriter } from '../io/doc-writer.js';
import { readShard, ShardWriter, type BadRecord } from '../io/shards.js';
import { CorruptInputError } from '../io/compression.js';
import { DEFAULT_MAX_RECORD_BYTES } from '../io/limits.js';
import type { ReadContext } from './source.js';
import type { Pipeline, SourceInput, StageConfig } from './config.js';
import { instrument, timedConsumer } from './instrument.js';
import { fanOut } from './fanout.js';
import { PrefixCache, prefixEnd } from './prefix-cache.js';
import { StepState } from './state.js';
import { markerPath, MAIN_PHASE, parsePassPhase, partPrefix, quarantineDir, rejectsDir, stageDir, stepStateDir } from './layout.js';
import type { Pass, Step, TaskContext } from './step.js';
import { upstreamShards, type TaskSpec } from './tasks.js';

export interface TaskRef {
  stage: string;
  phase: string;
  idx: number;
  spec: TaskSpec;
  /** Task count of the phase (world size). */
  of: number;
}

export interface Progress {
  bytes: number;
  docs: number;
}

/** What a worker keeps between tasks: the pipeline and each stage's step instances (models load once). */
export class WorkerRuntime {
  private readonly steps = new Map<string, Promise<Step[]>>();

  constructor(
    readonly pipeline: Pipeline,
    readonly outDir: string,
    readonly log: Logger,
    readonly fetcher: Fetcher,
    /** `limit`: each task reads only its first N documents (`build --limit`, a trial run). */
    readonly opts: { limit?: number } = {},
  ) {}

  stage(name: string): StageConfig {
    const s = this.pipeline.stages.find((x) => x.name === name);
    if (!s) throw new CorpusError(`the pipeline has no stage "${name}"`);
    return s;
  }

  stepsOf(stage: StageConfig): Promise<Step[]> {
    let p = this.steps.get(stage.name);
    if (!p) {
      p = createSteps(this.pipeline, stage, this.outDir, this.log, this.fetcher);
      this.steps.set(stage.name, p);
    }
    return p;
  }

  async close(): Promise<void> {
    for (const p of this.steps.values()) for (const s of await p) await s.close?.();
  }
}

export async function createSteps(pipeline: Pipeline, stage: StageConfig, outDir: string, log: Logger, fetcher: Fetcher): Promise<Step[]> {
  const steps: Step[] = [];
  for (const [i, sc] of stage.steps.entries()) {
    const def = pipeline.registry.step(sc.step);
    const state = new StepState(stepStateDir(outDir, stage.name, i, sc.step));
    steps.push(await def.create(sc.params as never, { pipelineDir: pipeline.dir, outDir, state, log: log.child(sc.step), fetcher }));
  }
  return steps;
}

/** Removes what an earlier, unfinished attempt of this task may have left. */
async function removePartial(dir: string, prefix: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  await Promise.all(names.filter((n) => n.startsWith(`${prefix}-`) || n.startsWith(`${prefix}.`)).map((n) => rm(`${dir}/${n}`, { force: true })));
}

/**
 * Runs a task; a failure is recorded (`.failed` beside the markers) and rethrown as one line naming
 * the task's input and how far it got. When the cause is a downloaded input that cannot be
 * decompressed, the cached copy is discarded and fetched again once, and the task rerun.
 */
export async function runTask(rt: WorkerRuntime, ref: TaskRef, progress: Progress): Promise<TaskStats> {
  // A process killed while writing this task's marker or attempt record leaves a temporary file.
  const marker = markerPath(rt.outDir, ref.stage, ref.phase, ref.idx);
  await removeTmpFiles(dirname(marker), basename(marker).replace(/\.json$/, '.'));
  const attempt: Attempt = { started_at: new Date().toISOString(), host: hostname(), pid: process.pid, job: clusterJobId(), log: process.env.CORPUSMILL_LOG_FILE };
  await writeJsonAtomic(attemptPath(rt.outDir, ref.stage, ref.phase, ref.idx), attempt);
  try {
    try {
      return await runTaskAttempt(rt, ref, progress);
    } catch (e) {
      if (!(await refetchCorruptInput(rt, ref, e))) throw e;
      return await runTaskAttempt(rt, ref, progress);
    }
  } catch (e) {
    const failure: Failure = { ...attempt, failed_at: new Date().toISOString(), error: errorMessage(e) };
    await writeJsonAtomic(failurePath(rt.outDir, ref.stage, ref.phase, ref.idx), failure).catch(() => {});
    throw e;
  }
}

async function runTaskAttempt(rt: WorkerRuntime, ref: TaskRef, progress: Progress): Promise<TaskStats> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const stage = rt.stage(ref.stage);
  const steps = await rt.stepsOf(stage);
  const settings = rt.pipeline.settings;
  const spec = ref.spec;
  const source = spec.source;
  const log = rt.log.child(`${ref.stage}/${ref.phase}#${ref.idx}`);
  const stats: TaskStats = {
    source,
    input_bytes: spec.bytes,
    read_bytes: 0,
    quarantined: {},
    read_counts: {},
    steps: [],
    output: newOutputStats(),
    rejects: newOutputStats(),
    time_ms: 0,
  };
  const isMain = ref.phase === MAIN_PHASE;
  const reading: ReadPosition = { docs: 0, lastId: null };
  const pass = parsePassPhase(ref.phase);
  const prefix = partPrefix(spec.ordinal);

  // Outputs of the main phase: documents, rejects, quarantined records.
  const outDir = stageDir(rt.outDir, stage.name, source);
  const rejDir = rejectsDir(rt.outDir, stage.name, source);
  const qDir = quarantineDir(rt.outDir, stage.name, source);
  let writer: DocWriter | null = null;
  let rejects = null as ShardWriter | null;
  let quarantine = null as ShardWriter | null;
  const shardOpts = { maxBytes: settings.shard_bytes, level: settings.zstd_level };
  if (isMain && spec.kind === 'read') {
    await Promise.all([removePartial(outDir, prefix), removePartial(rejDir, prefix), removePartial(qDir, prefix)]);
    if (stage.writeDocuments) writer = openDocWriter(stage.format, outDir, prefix, shardOpts);
  }

  const writeReject = (doc: Doc) => {
    rejects ??= new ShardWriter(rejDir, prefix, shardOpts);
    rejects.enqueue(doc);
  };
  /** `onReject`: where a removed document goes (with its reason in meta), or null to only count it. */
  const makeCtx = (stepIndex: number, stepStats: StepStats, onReject: ((doc: Doc) => void) | null): TaskContext => {
    const stepState = new StepState(stepStateDir(rt.outDir, stage.name, stepIndex, stage.steps[stepIndex]?.step ?? 'stage'));
    return {
      rank: ref.idx,
      worldSize: ref.of,
      stage: stage.name,
      source,
      stats: stepStats,
      log,
      state: stepState,
      drop(doc: Doc, reason: string) {
        addCount(stepStats.drops, reason);
        onReject?.({ ...doc, meta: { ...doc.meta, filter_reason: reason, filter_step: stage.steps[stepIndex]!.step } });
      },
      count(name: string, n = 1) {
        addCount(stepStats.counts, name, n);
      },
    };
  };

  let cache: PrefixCache | null = null;
  try {
    if (spec.kind === 'reduce') {
      if (!pass) throw new CorpusError(`reduce task in phase ${ref.phase}`);
      const p = findPass(steps[pass.stepIndex]!, pass.pass, ref.phase);
      if (p.kind !== 'reduce') throw new CorpusError(`pass ${ref.phase} is not a reduce pass`);
      const st = newStepStats(`${stage.steps[pass.stepIndex]!.step}.${p.name}`);
      const ts = performance.now();
      await p.reduce(makeCtx(pass.stepIndex, st, null));
      st.time_ms = performance.now() - ts;
      stats.steps.push(st);
    } else {
      // Steps before the first global step run once per task: the first scan pass keeps their output
      // in the prefix cache, later passes and the main pass read it back (prefix-cache.ts).
      const end = prefixEnd(steps, spec);
      cache = end === null ? null : new PrefixCache(rt.outDir, stage.name, source, spec.ordinal);
      const cached = cache ? await cache.load() : null;
      const producer = cache && !cached && !isMain ? await cache.writer() : null;
      // Where what the reader and the prefix steps report goes: the cache while producing it, else this task.
      const quarantined = producer ? producer.quarantined : stats.quarantined;
      const readCounts = producer ? producer.readCounts : isMain ? stats.read_counts! : null;
      const writeQuarantine = (d: Doc) => {
        quarantine ??= new ShardWriter(qDir, prefix, shardOpts);
        quarantine.enqueue(d);
      };
      const keepQuarantine = producer ? (d: Doc) => producer.quarantineRecord(d) : isMain ? writeQuarantine : null;
      const keepReject = isMain && stage.keepRejects ? writeReject : null;
      const readCtx: ReadContext = {
        log,
        advance: (n) => {
          progress.bytes += n;
          stats.read_bytes = (stats.read_bytes ?? 0) + n;
          if (producer) producer.readBytes += n;
        },
        quarantine: (bad: BadRecord) => {
          if (settings.on_bad_record === 'fail') throw new CorpusError(`${bad.reason}: ${bad.detail}`, { file: bad.file, record: String(bad.record) });
          addCount(quarantined, bad.reason);
          log.warn(`quarantined ${bad.file}: ${bad.record}: ${bad.reason}: ${bad.detail}`);
          // Recorded by input name, not local path, so the bytes do not depend on where files live.
          const file = spec.input?.type === 'source' && bad.file === spec.input.task.path ? spec.input.task.name : basename(bad.file);
          keepQuarantine?.({ id: `${file}#${bad.record}`, text: bad.raw ?? '', source, meta: { reason: bad.reason, file, record: bad.record, detail: bad.detail } });
        },
        count: (name: string, n = 1) => {
          // Counted once: pass phases read the same records again.
          if (readCounts) addCount(readCounts, name, n);
        },
        limits: { maxRecordBytes: settings.max_record_bytes, maxDecompressionRatio: settings.max_decompression_ratio },
      };
      const upto = isMain ? steps.length : pass!.stepIndex;
      let docs: AsyncIterable<Doc>;
      let first = 0;
      if (cached) {
        if (isMain) {
          for (const [k, v] of Object.entries(cached.quarantined)) addCount(stats.quarantined, k, v);
          for (const [k, v] of Object.entries(cached.read_counts)) addCount(stats.read_counts!, k, v);
          stats.steps.push(...cached.steps);
          stats.read_bytes = cached.read_bytes ?? 0;
        }
        const scale = cached.file_bytes > 0 ? spec.bytes / cached.file_bytes : 0;
        docs = countProgress(
          cache!.replay(cached, source, {
            onReject: keepReject ?? undefined,
            onQuarantine: keepQuarantine ?? undefined,
            onBytes: (n) => {
              progress.bytes += n * scale;
            },
          }),
          progress,
          reading,
        );
        first = end!;
      } else {
        docs = countProgress(take(readInput(rt, stage, spec, readCtx), rt.opts.limit), progress, reading);
        if (producer) {
          // The prefix steps' counters go to the cache (the main pass reports them), their rejects too.
          for (let i = 0; i < end!; i++) {
            const st = newStepStats(stage.steps[i]!.step);
            producer.steps.push(st);
            docs = instrument(steps[i]!, docs, makeCtx(i, st, stage.keepRejects ? (d) => producer.reject(d) : null));
          }
          docs = producer.record(docs);
          first = end!;
        }
      }
      for (let i = first; i < upto; i++) {
        const st = newStepStats(stage.steps[i]!.step);
        stats.steps.push(st);
        docs = instrument(steps[i]!, docs, makeCtx(i, st, keepReject));
      }
      if (isMain) {
        for await (const doc of docs) {
          if (writer) await writer.write(doc);
          if (rejects) await rejects.settle();
        }
      } else {
        try {
          await runScans(steps[pass!.stepIndex]!, stage.steps[pass!.stepIndex]!.step, pass!.pass, ref.phase, docs, stats, (st) => makeCtx(pass!.stepIndex, st, null));
        } catch (e) {
          await producer?.abort();
          throw e;
        }
        if (producer && !(await producer.commit())) log.warn(`prefix cache of ${prefix} not kept: a scan pass stopped before the end of its documents`);
      }
    }
    // Commit: finish files, rename them into place, then the marker.
    for (const w of [writer, rejects, quarantine]) await w?.close();
    if (writer) {
      await writer.commit();
      stats.output = writer.stats;
    }
    if (rejects) {
      await rejects.commit();
      stats.rejects = rejects.stats;
    }
    if (quarantine) await quarantine.commit();
    stats.time_ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    stats.cpu_ms = (cpu.user + cpu.system) / 1000;
    await writeJsonAtomic(markerPath(rt.outDir, ref.stage, ref.phase, ref.idx), {
      stage: ref.stage,
      phase: ref.phase,
      idx: ref.idx,
      hash: stage.hash,
      finished_at: new Date().toISOString(),
      stats,
    });
    // The main pass is the last to read the prefix cache.
    if (isMain) await cache?.remove();
    return stats;
  } catch (e) {
    for (const w of [writer, rejects, quarantine]) await w?.abort().catch(() => {});
    throw taskFailure(e, ref, reading);
  }
}

/** Where a task's reading got to: the last document read (the record before a failure). */
interface ReadPosition {
  docs: number;
  lastId: string | null;
}

/** What a task reads, for messages: the input file (and range), or the upstream shards, or the reduce task. */
export function taskInputLabel(ref: Pick<TaskRef, 'stage' | 'phase' | 'idx' | 'spec'>): string {
  const input = ref.spec.input;
  if (!input) return `${ref.stage}/${ref.phase}#${ref.idx}`;
  if (input.type === 'stage') return `${input.stage}/${input.source}/${partPrefix(input.ordinal)}-*`;
  const t = input.task;
  return t.range ? `${t.path} (bytes ${t.range.start}-${t.range.end})` : t.path;
}

/**
 * The error a failed task reports: one line that names the file and the last record. Errors that
 * already name their file (CorpusError with `where.file`) keep their message; anything else (a bug
 * in a step, a full disk) is prefixed with the task's input and how far reading got.
 */
function taskFailure(e: unknown, ref: TaskRef, pos: ReadPosition): Error {
  const oneLine = (s: string) => s.replace(/\s*\n\s*/g, '; ').trim();
  if (e instanceof ConfigError) {
    e.message = oneLine(e.message);
    return e;
  }
  if (e instanceof CorpusError && e.where.file) {
    e.message = oneLine(e.message);
    return e;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  const code = (err as NodeJS.ErrnoException).code;
  const what = code === 'ENOSPC' ? `no space left on device (${oneLine(err.message)})` : oneLine(err.message) || err.name;
  const where = pos.lastId === null ? 'before the first document' : `after ${pos.docs} documents, the last ${pos.lastId}`;
  const out = new CorpusError(`${what} (${where})`, { file: taskInputLabel(ref) }, { cause: err });
  out.stack = err.stack;
  return out;
}

/**
 * A downloaded input that fails to decompress is discarded from the cache and fetched again, once:
 * true when a different copy came and the task may run again on it. False (the error stands, with
 * what was tried added) for local files, offline builds, the same bytes again, or a split file whose
 * new copy is not the one the stage was planned on.
 */
async function refetchCorruptInput(rt: WorkerRuntime, ref: TaskRef, e: unknown): Promise<boolean> {
  const input = ref.spec.input;
  if (!(e instanceof CorruptInputError) || input?.type !== 'source' || e.where.file !== input.task.path) return false;
  if (rt.fetcher.localPath(input.file.url) || rt.fetcher.opts.offline) return false;
  const before = await hashFile(input.task.path, 'sha256').catch(() => null);
  rt.log.warn(`${input.file.url}: the cached copy cannot be read (${e.message}); fetching it again`);
  // Only published checksums are expectations here; the planned sha256 is that of the copy that failed.
  const { url, name, sha1, md5 } = input.file;
  let again: { sha256?: string };
  try {
    again = await rt.fetcher.refetch({ url, name, sha1, md5 });
  } catch (f) {
    e.message = `${e.message}; fetching it again failed: ${errorMessage(f)}`;
    return false;
  }
  if (again.sha256 === before) {
    e.message = `${e.message} (fetched again: the server sends the same bytes)`;
    return false;
  }
  if (input.task.range && again.sha256 !== input.file.sha256) {
    e.message = `${e.message} (fetched again, but the new copy is not the file this stage was planned on; rebuild the stage with --force)`;
    return false;
  }
  rt.log.warn(`${input.file.url}: fetched again (sha256 ${again.sha256}); running ${ref.stage}/${ref.phase}#${ref.idx} again`);
  return true;
}

/** `<array job>_<index>` (or the job id) when running inside a Slurm job. */
function clusterJobId(): string | undefined {
  const e = process.env;
  if (e.SLURM_ARRAY_JOB_ID && e.SLURM_ARRAY_TASK_ID) return `${e.SLURM_ARRAY_JOB_ID}_${e.SLURM_ARRAY_TASK_ID}`;
  return e.SLURM_JOB_ID;
}

/**
 * Runs the scan pass(es) of one phase: `a+b` names consecutive scan passes of one step that read the
 * same documents, so they share one read (each gets its own counters).
 */
async function runScans(
  step: Step,
  stepName: string,
  names: string,
  phase: string,
  docs: AsyncIterable<Doc>,
  stats: TaskStats,
  ctxFor: (st: StepStats) => TaskContext,
): Promise<void> {
  const passes = names.split('+').map((n) => findPass(step, n, phase));
  for (const p of passes) if (p.kind !== 'scan') throw new CorpusError(`pass ${phase} is not a scan pass`);
  const inputs = passes.length === 1 ? [docs] : fanOut(docs, passes.length);
  const results = await Promise.allSettled(
    passes.map(async (p, k) => {
      if (p.kind !== 'scan') return;
      const st = newStepStats(`${stepName}.${p.name}`);
      stats.steps.push(st);
      const { input, timer } = timedConsumer(inputs[k]!, st);
      const ts = performance.now();
      await p.scan(input, ctxFor(st));
      st.time_ms = performance.now() - ts - timer.up;
    }),
  );
  for (const r of results) if (r.status === 'rejected') throw r.reason;
}

function findPass(step: Step, name: string, phase: string): Pass {
  const p = step.passes?.find((x) => x.name === name);
  if (!p) throw new CorpusError(`step has no pass "${name}" (phase ${phase})`);
  return p;
}

/** The first `n` documents (all when `n` is undefined). */
async function* take(docs: AsyncIterable<Doc>, n: number | undefined): AsyncGenerator<Doc> {
  if (n === undefined) return yield* docs;
  if (n <= 0) return;
  let i = 0;
  for await (const d of docs) {
    yield d;
    if (++i >= n) return;
  }
}

async function* countProgress(docs: AsyncIterable<Doc>, progress: Progress, pos: ReadPosition): AsyncGenerator<Doc> {
  for await (const d of docs) {
    progress.docs++;
    pos.docs++;
    pos.lastId = d.id;
    yield d;
  }
}

async function* readUpstream(out: string, input: { stage: string; source: string; ordinal: number }, source: string, ctx: ReadContext): AsyncGenerator<Doc> {
  // Our own shards: no bomb to fear, and a document re-serialised may be a little longer than its raw record.
  const limits = { maxRecordBytes: 2 * (ctx.limits?.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES), maxDecompressionRatio: Infinity };
  for (const path of await upstreamShards(out, input)) yield* readShard(path, { source, onBad: ctx.quarantine, onBytes: ctx.advance, ownShard: true, limits });
}

function readInput(rt: WorkerRuntime, stage: StageConfig, spec: TaskSpec, ctx: ReadContext): AsyncIterable<Doc> {
  const input = spec.input;
  if (!input) throw new CorpusError('read task without input');
  if (input.type === 'stage') return readUpstream(rt.outDir, input, spec.source, ctx);
  const cfg = stage.inputs[input.input] as SourceInput;
  const def = rt.pipeline.registry.source(cfg.source);
  return def.read(input.task, cfg.params as never, ctx);
}
