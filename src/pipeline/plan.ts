/**
 * `corpusmill plan`: what a pipeline would fetch, without downloading data — files and bytes per
 * source input from the sources' listings (small listing files are fetched; data files only get
 * HEAD requests, sampled and extrapolated when there are many) — and an estimate of CPU-hours and
 * disk from the measured per-core rates of src/pipeline/rates.ts: reading each source, then every
 * step of every stage over the text it reads (a stage reading an earlier stage gets all of that
 * stage's text: no filter is assumed to remove anything, so the estimate errs high).
 *
 * It answers in seconds, online or not: listings are asked for once with a short timeout; an input
 * whose listing cannot be reached is estimated from the task list a previous build froze in the
 * same output folder when there is one, and is otherwise named as unreachable and left out of the
 * totals.
 */
import { availableParallelism } from 'node:os';
import type { Logger } from '../core/log.js';
import type { Catalog } from '../catalog/catalog.js';
import type { RemoteFile } from '../fetch/files.js';
import { MAIN_PHASE } from './layout.js';
import type { TaskSpec } from './tasks.js';
import type { SourceEnv } from './source.js';
import { openBuild } from './build.js';
import type { Registry } from './registry.js';
import { OUTPUT_RATIO, readRateOf, stepRateOf, textPerInputByte } from './rates.js';

interface InputPlan {
  stage: string;
  source: string;
  files: number;
  /** Files whose size the listing gave or a HEAD request returned. */
  sized: number;
  bytes: number;
  /** True when `bytes` extrapolates from a sample of HEAD requests. */
  estimated: boolean;
  examples: string[];
  /** Reading this input plus its share of its stage's steps. */
  cpu_hours: number;
  /** MB of this input per CPU-second, reading and steps together. */
  rate_mb_s_per_core: number;
  /** Where the file list came from: the source's listing, or (offline) the catalog of an earlier build in this output folder. */
  from: 'listing' | 'catalog';
  /** The listing could not be reached (and nothing was cached): why. The input counts as 0 bytes. */
  unreachable?: string;
}

interface StagePlan {
  stage: string;
  /** Estimated UTF-8 text the stage's steps read. */
  text_bytes: number;
  /** Reading the stage's sources. */
  read_cpu_hours: number;
  steps: Array<{ step: string; rate_mb_s_per_core: number; cpu_hours: number }>;
  cpu_hours: number;
}

export interface PipelinePlan {
  pipeline: string;
  inputs: InputPlan[];
  stages: StagePlan[];
  total_bytes: number;
  cpu_hours: number;
  /** Disk for the downloads plus the shards of every stage (compressed). */
  disk_bytes: number;
  wall_hours_here: number;
  cores_here: number;
  /** Inputs left out of the totals because their listing could not be reached. */
  unreachable: number;
}

/** Listings are asked for once, with this timeout: a plan must answer in seconds, offline too. */
const PLAN_FETCH = { retries: 0, timeoutMs: 10_000 };

export async function planPipeline(opts: {
  pipelineFile: string;
  out?: string;
  log: Logger;
  registry: Registry;
  headSample?: number;
  allowPlugins?: readonly string[];
}): Promise<PipelinePlan> {
  const ctx = await openBuild({ ...opts, fetch: PLAN_FETCH });
  const sample = opts.headSample ?? 16;
  const inputs: InputPlan[] = [];
  const stages: StagePlan[] = [];
  try {
    const env: SourceEnv = { pipelineDir: ctx.pipeline.dir, outDir: ctx.out, log: ctx.log, fetcher: ctx.fetcher, taskBytes: ctx.pipeline.settings.task_bytes };
    const textOf = new Map<string, number>();
    for (const stage of ctx.pipeline.stages) {
      const stageInputs: Array<{ plan: InputPlan; text: number; readS: number }> = [];
      let text = 0;
      for (const [index, inp] of stage.inputs.entries()) {
        if (inp.kind !== 'source') {
          text += textOf.get(inp.stage) ?? 0;
          continue;
        }
        const def = ctx.pipeline.registry.source(inp.source);
        let files: RemoteFile[];
        let from: InputPlan['from'] = 'listing';
        try {
          files = await def.list(inp.params as never, env);
        } catch (e) {
          const cached = frozenFiles(ctx.catalog, stage.name, index);
          if (!cached) {
            const why = e instanceof Error ? e.message : String(e);
            ctx.log.warn(`${stage.name}/${inp.source}: listing not reachable, left out of the estimate: ${why}`);
            inputs.push({
              stage: stage.name,
              source: inp.source,
              files: 0,
              sized: 0,
              bytes: 0,
              estimated: true,
              examples: [],
              rate_mb_s_per_core: 0,
              cpu_hours: 0,
              from,
              unreachable: why,
            });
            continue;
          }
          files = cached;
          from = 'catalog';
        }
        const known = files.filter((f) => f.size !== undefined);
        const unknown = files.filter((f) => f.size === undefined);
        // HEAD a spread-out sample of the files the listing did not size.
        const picks = unknown.length <= sample ? unknown : Array.from({ length: sample }, (_, i) => unknown[Math.floor((i * unknown.length) / sample)]!);
        let headError: string | undefined;
        const heads = await Promise.all(
          picks.map((f) =>
            ctx.fetcher
              .head(f.url)
              .then((h) => h.size)
              .catch((e: unknown) => {
                headError ??= e instanceof Error ? e.message : String(e);
                return null;
              }),
          ),
        );
        const headSizes = heads.filter((x): x is number => x !== null);
        const knownBytes = known.reduce((a, f) => a + f.size!, 0);
        const mean = headSizes.length ? headSizes.reduce((a, b) => a + b, 0) / headSizes.length : 0;
        const bytes = Math.round(knownBytes + mean * unknown.length);
        const inputText = bytes * textPerInputByte(def.source);
        text += inputText;
        const plan: InputPlan = {
          stage: stage.name,
          source: inp.source,
          files: files.length,
          sized: known.length + headSizes.length,
          bytes,
          estimated: unknown.length > headSizes.length,
          examples: files.slice(0, 3).map((f) => f.url),
          rate_mb_s_per_core: 0,
          cpu_hours: 0,
          from,
          // Listed, but no file could be sized: the estimate knows the files, not their bytes.
          ...(picks.length > 0 && headSizes.length === 0 && known.length === 0 ? { unreachable: `no file could be sized: ${headError}` } : {}),
        };
        inputs.push(plan);
        stageInputs.push({ plan, text: inputText, readS: bytes / (readRateOf(def.source) * 1e6) });
      }
      textOf.set(stage.name, text);
      const steps = stage.steps.map((sc) => {
        const rate = stepRateOf(sc.step);
        return { step: sc.step, rate_mb_s_per_core: rate, cpu_hours: text / (rate * 1e6) / 3600 };
      });
      const stepS = steps.reduce((a, x) => a + x.cpu_hours * 3600, 0);
      const readS = stageInputs.reduce((a, x) => a + x.readS, 0);
      // Each source input carries its read and its share (by text) of the stage's steps.
      for (const x of stageInputs) {
        const cpuS = x.readS + (text > 0 ? (stepS * x.text) / text : 0);
        x.plan.cpu_hours = cpuS / 3600;
        x.plan.rate_mb_s_per_core = cpuS > 0 ? Math.round((x.plan.bytes / 1e6 / cpuS) * 100) / 100 : 0;
      }
      stages.push({ stage: stage.name, text_bytes: Math.round(text), read_cpu_hours: readS / 3600, steps, cpu_hours: (readS + stepS) / 3600 });
    }
  } finally {
    await ctx.fetcher.close();
    ctx.catalog.close();
  }
  const total = inputs.reduce((a, i) => a + i.bytes, 0);
  const cpu = stages.reduce((a, s) => a + s.cpu_hours, 0);
  const cores = availableParallelism();
  return {
    pipeline: ctx.pipeline.name,
    inputs,
    stages,
    total_bytes: total,
    cpu_hours: cpu,
    disk_bytes: Math.round(total * (1 + OUTPUT_RATIO * ctx.pipeline.stages.length)),
    wall_hours_here: cpu / cores,
    cores_here: cores,
    unreachable: inputs.filter((i) => i.unreachable).length,
  };
}

/** The files of one source input as an earlier build in this output folder froze them, with sizes. */
function frozenFiles(catalog: Catalog<TaskSpec>, stage: string, input: number): RemoteFile[] | null {
  if (!catalog.stage(stage)) return null;
  const files = new Map<string, RemoteFile>();
  for (const t of catalog.tasks(stage, MAIN_PHASE)) {
    const inp = t.spec.input;
    if (inp?.type === 'source' && inp.input === input) files.set(inp.file.url, { url: inp.file.url, name: inp.file.name, size: inp.file.size });
  }
  return files.size ? [...files.values()] : null;
}
