/**
 * The build orchestration: runs a pipeline's stages in order on an executor, resuming whatever a
 * previous run finished.
 *
 * Per stage: list and fetch the inputs, freeze the task lists in the catalog (first run only), then
 * hand each phase (passes of global steps, then the main pass) to the executor with the tasks that
 * are not done. A task is done when its marker exists; the catalog mirrors the markers, so a run
 * killed at any point, rerun, does only the remaining tasks and produces the same bytes. Which
 * executor runs the tasks, and what follows the stages (mixture, report), is the application's
 * choice (src/app/build.ts).
 */
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { Catalog } from '../catalog/catalog.js';
import { ConfigError, CorpusError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { removeTmpTree, writeJsonAtomic } from '../io/atomic.js';
import { Fetcher } from '../fetch/fetcher.js';
import type { LocalFile } from '../fetch/files.js';
import { loadPipeline, type Pipeline, type StageConfig } from './config.js';
import type { Executor } from './executor.js';
import { catalogPath, MAIN_PHASE, passPhase, phaseLabel, prefixCacheRoot, statsPath } from './layout.js';
import { syncMarkers } from './markers.js';
import type { Registry } from './registry.js';
import { createSteps, type TaskRef } from './runner.js';
import type { SourceEnv } from './source.js';
import { collectStats, type BuildStats } from './stats.js';
import { numberReadTasks, reduceTasks, stageInputTasks, taskReadBytes, type TaskInput, type TaskSpec } from './tasks.js';

export interface ProgressSink {
  startPhase(label: string, totalBytes: number, tasks: number, doneTasks: number): void;
  advance(bytes: number, docs: number): void;
  taskDone(): void;
  endPhase(): void;
}

export interface RunOptions {
  /** Run only this stage (its inputs must be built). */
  stage?: string;
  /** Download inputs only. */
  fetchOnly?: boolean;
  /** Rebuild stages whose configuration changed since they were planned (and the stages after them). */
  force?: boolean;
  progress?: ProgressSink;
}

/** The output folder; a trial run (`--limit N`) gets its own, `<out>-limitN`, never mixed with a full build. */
function resolveOut(pipeline: Pipeline, out?: string, limit?: number): string {
  const dir = resolve(out ?? pipeline.output ?? join('out', pipeline.name));
  return limit === undefined ? dir : `${dir}-limit${limit}`;
}

/** What planning and running share: the pipeline, its output folder, catalog and fetcher. */
export interface BuildContext {
  pipeline: Pipeline;
  catalog: Catalog<TaskSpec>;
  out: string;
  fetcher: Fetcher;
  cacheDir: string;
  log: Logger;
}

export interface OpenOptions {
  pipelineFile: string;
  out?: string;
  /** `build --limit N`: a trial run (its own output folder). */
  limit?: number;
  log: Logger;
  registry: Registry;
  /** Overrides of the pipeline's fetch settings (`plan` asks once, quickly). */
  fetch?: { retries?: number; timeoutMs?: number };
  /** Plugin paths outside the pipeline's folder the user allowed (`--allow-plugin`). */
  allowPlugins?: readonly string[];
  /** Make no network request: trust the download cache. */
  offline?: boolean;
}

export async function openBuild(opts: OpenOptions): Promise<BuildContext> {
  const pipeline = await loadPipeline(opts.pipelineFile, opts.registry, { allowPlugins: opts.allowPlugins, log: opts.log });
  const out = resolveOut(pipeline, opts.out, opts.limit);
  const settings = pipeline.settings;
  const catalog = new Catalog<TaskSpec>(catalogPath(out));
  const cacheDir = settings.cache_dir ? resolve(pipeline.dir, settings.cache_dir) : join(out, 'cache');
  const fetcher = new Fetcher({
    cacheDir,
    baseDir: pipeline.dir,
    concurrency: settings.fetch.concurrency,
    retries: opts.fetch?.retries ?? settings.fetch.retries,
    timeoutMs: opts.fetch?.timeoutMs ?? settings.fetch.timeout_s * 1000,
    log: opts.log.child('fetch'),
    onFetched: (r) => catalog.recordFetch(r),
    lookup: (u) => catalog.fetch(u),
    offline: opts.offline,
  });
  return { pipeline, out, catalog, fetcher, cacheDir, log: opts.log };
}

/**
 * Makes the output folder this pipeline's (call it holding the output lock): a folder another
 * pipeline built, or one with stages this pipeline does not have, would end up with both
 * pipelines' catalog rows, stats, reports and token shards mixed. That is refused (a ConfigError:
 * exit 2) unless `force`: then another pipeline's outputs are discarded (downloads stay), or this
 * pipeline's stages that it no longer has.
 */
export async function claimOutput(ctx: BuildContext, opts: { force?: boolean; fetchOnly?: boolean }): Promise<void> {
  const { pipeline, catalog, out, log } = ctx;
  const owner = catalog.owner();
  const names = new Set(pipeline.stages.map((s) => s.name));
  const planned = catalog.stageNames();
  const extra = planned.filter((n) => !names.has(n)).sort();
  if (owner && owner.pipeline !== pipeline.name) {
    if (!opts.force || opts.fetchOnly) {
      throw new ConfigError(
        `${out} holds the outputs of pipeline "${owner.pipeline}" (${owner.file}); building "${pipeline.name}" into it would mix the two: choose another --out${opts.fetchOnly ? '' : ', or pass --force to discard them (downloads are kept)'}`,
      );
    }
    log.warn(`--force: discarding the outputs of pipeline "${owner.pipeline}" in ${out} (downloads are kept)`);
    await discardAll(ctx);
  } else if (extra.length > 0 && !opts.fetchOnly) {
    const what = `stage${extra.length > 1 ? 's' : ''} ${extra.join(', ')}`;
    if (!opts.force) {
      throw new ConfigError(
        `${out} has ${what}, which ${pipeline.file} does not define${owner ? '' : ' (built by another pipeline?)'}; pass --force to discard ${extra.length > 1 ? 'them' : 'it'}, or choose another --out`,
      );
    }
    for (const name of extra) {
      log.warn(`--force: discarding stage ${name}, which the pipeline no longer has`);
      await discardStage(out, name, catalog);
    }
  }
  catalog.setOwner(pipeline.name, pipeline.hash, pipeline.file);
  // Whatever killed processes left under temporary names (shards, token shards, markers, pass
  // state, stats, the report, a mixture folder): the lock is held, so no live writer owns any of
  // them. The download cache is left alone: it may be shared with other output folders.
  const cache = resolve(ctx.cacheDir);
  await removeTmpTree(out, (path) => resolve(path) === cache);
}

/** Everything a pipeline wrote into `out`, except the catalog (its fetch rows), the lock and the download cache. */
async function discardAll(ctx: BuildContext): Promise<void> {
  const keep = new Set(['catalog.sqlite', 'catalog.sqlite-wal', 'catalog.sqlite-shm', 'corpusmill.lock']);
  const cache = resolve(ctx.cacheDir);
  for (const name of await readdir(ctx.out)) {
    const path = join(ctx.out, name);
    if (keep.has(name) || path === cache || cache.startsWith(path + sep)) continue;
    await rm(path, { recursive: true, force: true });
  }
  ctx.catalog.forgetAllStages();
}

export async function closeBuild(ctx: BuildContext): Promise<BuildStats> {
  await ctx.fetcher.close();
  const stats = collectStats(
    ctx.catalog,
    ctx.pipeline.name,
    ctx.pipeline.stages.map((s) => s.name),
  );
  await writeJsonAtomic(statsPath(ctx.out), stats);
  ctx.catalog.close();
  return stats;
}

/**
 * Plans a stage if it has no frozen task list yet: lists and fetches its inputs, splits them into
 * tasks, learns the passes of its steps. Stages reading an earlier stage need that stage planned
 * (not built). Returns false when only fetching.
 */
async function planStage(ctx: BuildContext, stage: StageConfig, opts: { force?: boolean; fetchOnly?: boolean; requireUpstreamDone?: boolean }): Promise<boolean> {
  const { pipeline, out, catalog, fetcher, log } = ctx;
  await prepareStage(pipeline, stage, out, catalog, opts, log);
  const planned = catalog.stage(stage.name);
  if (planned) {
    if (opts.fetchOnly) await ensureInputs(catalog, stage.name, fetcher);
    return !opts.fetchOnly;
  }
  const env: SourceEnv = { pipelineDir: pipeline.dir, outDir: out, log, fetcher, taskBytes: pipeline.settings.task_bytes };
  const readTasks = await planReadTasks(pipeline, catalog, stage, env, log);
  if (opts.fetchOnly) return false;
  const phases = await planPhases(pipeline, stage, out, readTasks, log, fetcher);
  catalog.planStage(
    stage.name,
    stage.hash,
    phases,
    stage.inputs.flatMap((i) => (i.kind === 'stage' ? [i.stage] : [])),
  );
  log.info(`stage ${stage.name}: planned ${readTasks.length} read tasks${phases.length > 1 ? ` and ${phases.length - 1} passes` : ''}`);
  return true;
}

function stagesToRun(pipeline: Pipeline, only?: string): StageConfig[] {
  return only ? [findStage(pipeline, only)] : pipeline.stages;
}

/**
 * Runs (or, on an executor that does not wait, submits) every stage not yet complete. With a
 * waiting executor a stage is planned only once the stages it reads are complete; otherwise every
 * stage is planned from its upstream task lists and queued behind them.
 */
export async function runStages(ctx: BuildContext, executor: Executor, opts: RunOptions = {}): Promise<void> {
  const { pipeline, catalog, log } = ctx;
  for (const stage of stagesToRun(pipeline, opts.stage)) {
    const planned = catalog.stage(stage.name);
    if (planned?.done_at && planned.hash === stage.hash) {
      log.info(`stage ${stage.name}: already complete`);
      continue;
    }
    if (!(await planStage(ctx, stage, { ...opts, requireUpstreamDone: executor.waits }))) continue;
    await runStage(ctx, stage, executor, opts.progress);
    if (executor.waits) {
      catalog.markStageDone(stage.name);
      // Main tasks remove their own prefix caches; this catches one killed between its marker and that.
      await rm(prefixCacheRoot(ctx.out, stage.name), { recursive: true, force: true });
      log.info(`stage ${stage.name}: complete`);
    }
  }
}

function findStage(p: Pipeline, name: string): StageConfig {
  const s = p.stages.find((x) => x.name === name);
  if (!s) throw new ConfigError(`${p.file}: no stage named "${name}" (stages: ${p.stages.map((x) => x.name).join(', ')})`);
  return s;
}

/** Checks upstream stages and configuration changes before a stage runs. */
async function prepareStage(
  p: Pipeline,
  stage: StageConfig,
  out: string,
  catalog: Catalog<TaskSpec>,
  opts: { force?: boolean; fetchOnly?: boolean; requireUpstreamDone?: boolean },
  log: Logger,
): Promise<void> {
  for (const inp of stage.inputs) {
    if (inp.kind !== 'stage' || opts.fetchOnly) continue;
    const up = catalog.stage(inp.stage);
    if (!up) throw new ConfigError(`stage ${stage.name} reads stage ${inp.stage}, which has not been planned; build it first`);
    if (opts.requireUpstreamDone && !up.done_at) throw new ConfigError(`stage ${stage.name} reads stage ${inp.stage}, which is not complete; build it first`);
  }
  const planned = catalog.stage(stage.name);
  if (planned && planned.hash !== stage.hash) {
    if (!opts.force) {
      throw new ConfigError(
        `stage ${stage.name} in ${out} was built from a different configuration; rerun with --force to rebuild it and the stages after it, or choose another --out`,
      );
    }
    const idx = p.stages.indexOf(stage);
    for (const s of p.stages.slice(idx)) {
      if (!catalog.stage(s.name)) continue;
      log.warn(`--force: discarding stage ${s.name}`);
      await discardStage(out, s.name, catalog);
    }
  }
}

async function discardStage(out: string, name: string, catalog: Catalog<TaskSpec>): Promise<void> {
  for (const dir of [join(out, name), join(out, 'rejects', name), join(out, 'quarantine', name), join(out, '_state', name), join(out, '_work', name)]) {
    await rm(dir, { recursive: true, force: true });
  }
  catalog.forgetStage(name);
}

async function planReadTasks(p: Pipeline, catalog: Catalog<TaskSpec>, stage: StageConfig, env: SourceEnv, log: Logger): Promise<TaskSpec[]> {
  const items: Array<{ source: string; input: TaskInput; bytes: number }> = [];
  for (const [i, inp] of stage.inputs.entries()) {
    if (inp.kind === 'stage') {
      const upstream = catalog.tasks(inp.stage, MAIN_PHASE).map((r) => r.spec);
      items.push(...stageInputTasks(upstream, inp));
      continue;
    }
    const def = p.registry.source(inp.source);
    const remote = await def.list(inp.params as never, env);
    log.info(`stage ${stage.name}: ${inp.source}: ${remote.length} input files`);
    const local: LocalFile[] = await Promise.all(remote.map((r) => env.fetcher.fetchFile(r)));
    const tasks = await def.plan(local, inp.params as never, env);
    const byPath = new Map(local.map((f) => [f.path, f]));
    for (const t of tasks) {
      const f = byPath.get(t.path);
      const file = f ? { url: f.url, name: f.name, size: f.size, sha256: f.sha256, sha1: f.sha1, md5: f.md5 } : { url: t.url, name: t.name, size: t.bytes };
      items.push({ source: def.sourceName?.(inp.params as never) ?? def.source, input: { type: 'source', input: i, task: t, file }, bytes: t.bytes });
    }
  }
  return numberReadTasks(items);
}

async function planPhases(
  p: Pipeline,
  stage: StageConfig,
  out: string,
  readTasks: TaskSpec[],
  log: Logger,
  fetcher: Fetcher,
): Promise<Array<{ phase: string; tasks: TaskSpec[]; label?: string }>> {
  const phases: Array<{ phase: string; tasks: TaskSpec[]; label?: string }> = [];
  if (stage.steps.length > 0) {
    // Steps are instantiated here only to learn their passes; workers create their own.
    const steps = await createSteps(p, stage, out, log, fetcher);
    const stepNames = stage.steps.map((x) => x.step);
    steps.forEach((s, i) => {
      const passes = s.passes ?? [];
      for (let k = 0; k < passes.length; ) {
        const pass = passes[k]!;
        if (pass.kind === 'reduce') {
          const phase = passPhase(i, pass.name);
          phases.push({ phase, tasks: reduceTasks(pass.tasks), label: phaseLabel(phase, stepNames) });
          k++;
          continue;
        }
        // Consecutive scan passes of one step read the same documents: one phase, one read (`a+b`).
        const names: string[] = [];
        for (; k < passes.length && passes[k]!.kind === 'scan'; k++) names.push(passes[k]!.name);
        const phase = passPhase(i, names.join('+'));
        phases.push({ phase, tasks: readTasks, label: phaseLabel(phase, stepNames) });
      }
    });
    for (const s of steps) await s.close?.();
  }
  phases.push({ phase: MAIN_PHASE, tasks: readTasks });
  return phases;
}

/**
 * Checks the input files of unfinished tasks before they run: each must still be the file the stage
 * was planned on (same sha256; a cached copy whose size or mtime changed is hashed again). A missing
 * or corrupt cached copy is fetched again; one that changed upstream, or a local file edited since,
 * is an error asking for --force (the frozen task list was cut from the old file).
 */
async function ensureInputs(catalog: Catalog<TaskSpec>, stage: string, fetcher: Fetcher): Promise<void> {
  const seen = new Set<string>();
  for (const t of catalog.tasks(stage)) {
    const inp = t.spec.input;
    if (t.state === 'done' || !inp || inp.type !== 'source' || seen.has(inp.task.path)) continue;
    seen.add(inp.task.path);
    // Inputs a source made up without fetching (a checkout folder) have no recorded bytes to check.
    if (!inp.file.sha256 && existsSync(inp.task.path)) continue;
    let got: { path: string };
    try {
      got = await fetcher.fetchFile(inp.file);
    } catch (e) {
      if (e instanceof CorpusError && /(sha256|sha1|md5) mismatch|bytes, the listing/.test(e.message)) {
        const detail = e.message.replace(/^.*?: (?=(sha256|sha1|md5) mismatch|server reports)/, '');
        throw new CorpusError(`changed since stage ${stage} was planned (${detail}); rebuild the stage with --force`, {
          file: inp.file.url,
        });
      }
      throw e;
    }
    // A source may read a file derived from the fetched one (Posts.xml extracted from a .7z).
    if (got.path !== inp.task.path && !existsSync(inp.task.path))
      throw new CorpusError(`input moved: expected ${inp.task.path}, fetched to ${got.path}; rebuild with --force`, { file: inp.file.url });
  }
}

async function runStage(ctx: BuildContext, stage: StageConfig, executor: Executor, progress?: ProgressSink): Promise<void> {
  const { catalog, out, pipeline } = ctx;
  const planned = catalog.stage(stage.name)!;
  await ensureInputs(catalog, stage.name, ctx.fetcher);
  // Markers are the truth: adopt any the catalog missed (a crash between the two, or a cluster run).
  await syncMarkers(catalog, out, stage.name, stage.hash);
  const stepNames = stage.steps.map((x) => x.step);
  for (const phase of planned.phases) {
    const rows = catalog.tasks(stage.name, phase);
    const pending = rows.filter((r) => r.state !== 'done');
    if (pending.length === 0) continue;
    for (const r of pending.filter((x) => x.state === 'failed')) ctx.log.warn(`${stage.name}/${phase}#${r.idx} failed in an earlier run (${r.error}); running it again`);
    const passLabel = planned.labels[phase] ?? phaseLabel(phase, stepNames);
    const label = phase === MAIN_PHASE ? stage.name : `${stage.name} ${passLabel}`;
    const tasks: TaskRef[] = pending.map((r) => ({ stage: stage.name, phase, idx: r.idx, spec: r.spec, of: rows.length }));
    const work = { pipelineFile: pipeline.file, stage: stage.name, hash: stage.hash, phase, of: rows.length, tasks };
    if (!executor.waits) {
      await executor.run(work, {});
      continue;
    }
    if (progress) {
      const bytes = await Promise.all(rows.map((r) => taskReadBytes(out, r.spec)));
      progress.startPhase(
        label,
        bytes.reduce((a, b) => a + b, 0),
        rows.length,
        rows.length - pending.length,
      );
      // Account for finished tasks so the bar starts where the last run stopped.
      progress.advance(
        rows.reduce((a, r, i) => a + (r.state === 'done' ? bytes[i]! : 0), 0),
        0,
      );
    }
    try {
      await executor.run(work, {
        onStart: (ref) => catalog.taskStarted(ref.stage, ref.phase, ref.idx),
        onDone: (ref, stats) => {
          catalog.taskDone(ref.stage, ref.phase, ref.idx, stats);
          progress?.taskDone();
        },
        onFail: (ref, err) => catalog.taskFailed(ref.stage, ref.phase, ref.idx, err.message),
        onProgress: (b, d) => progress?.advance(b, d),
      });
    } finally {
      progress?.endPhase();
    }
  }
}
