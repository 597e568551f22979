/**
 * `corpusmill plan`: what a pipeline would fetch, without downloading data — files and bytes per
 * source input from the sources' listings (small listing files are fetched; data files only get
 * HEAD requests, sampled and extrapolated when there are many) — and an estimate of CPU-hours and
 * disk from per-core processing rates (src/pipeline/rates.ts, figures from the benchmarks).
 */
import { availableParallelism } from 'node:os';
import type { Logger } from '../core/log.js';
import type { RemoteFile } from '../fetch/files.js';
import type { SourceEnv } from './source.js';
import { openBuild } from './build.js';
import type { Registry } from './registry.js';
import { rateFor, OUTPUT_RATIO } from './rates.js';

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
  cpu_hours: number;
  rate_mb_s_per_core: number;
}

export interface PipelinePlan {
  pipeline: string;
  inputs: InputPlan[];
  total_bytes: number;
  cpu_hours: number;
  /** Disk for the downloads plus the shards of every stage (compressed). */
  disk_bytes: number;
  wall_hours_here: number;
  cores_here: number;
}

export async function planPipeline(opts: { pipelineFile: string; out?: string; log: Logger; registry: Registry; headSample?: number }): Promise<PipelinePlan> {
  const ctx = await openBuild(opts);
  const sample = opts.headSample ?? 16;
  const inputs: InputPlan[] = [];
  try {
    const env: SourceEnv = { pipelineDir: ctx.pipeline.dir, outDir: ctx.out, log: ctx.log, fetcher: ctx.fetcher, taskBytes: ctx.pipeline.settings.task_bytes };
    for (const stage of ctx.pipeline.stages) {
      for (const inp of stage.inputs) {
        if (inp.kind !== 'source') continue;
        const def = ctx.pipeline.registry.source(inp.source);
        const files: RemoteFile[] = await def.list(inp.params as never, env);
        const known = files.filter((f) => f.size !== undefined);
        const unknown = files.filter((f) => f.size === undefined);
        // HEAD a spread-out sample of the files the listing did not size.
        const picks = unknown.length <= sample ? unknown : Array.from({ length: sample }, (_, i) => unknown[Math.floor((i * unknown.length) / sample)]!);
        const heads = await Promise.all(
          picks.map((f) =>
            ctx.fetcher
              .head(f.url)
              .then((h) => h.size)
              .catch(() => null),
          ),
        );
        const headSizes = heads.filter((x): x is number => x !== null);
        const knownBytes = known.reduce((a, f) => a + f.size!, 0);
        const mean = headSizes.length ? headSizes.reduce((a, b) => a + b, 0) / headSizes.length : 0;
        const bytes = Math.round(knownBytes + mean * unknown.length);
        const rate = rateFor(def.source);
        inputs.push({
          stage: stage.name,
          source: inp.source,
          files: files.length,
          sized: known.length + headSizes.length,
          bytes,
          estimated: unknown.length > headSizes.length,
          examples: files.slice(0, 3).map((f) => f.url),
          rate_mb_s_per_core: rate,
          cpu_hours: bytes / (rate * 1e6) / 3600,
        });
      }
    }
  } finally {
    await ctx.fetcher.close();
    ctx.catalog.close();
  }
  const total = inputs.reduce((a, i) => a + i.bytes, 0);
  const cpu = inputs.reduce((a, i) => a + i.cpu_hours, 0);
  const cores = availableParallelism();
  return {
    pipeline: ctx.pipeline.name,
    inputs,
    total_bytes: total,
    cpu_hours: cpu,
    disk_bytes: Math.round(total * (1 + OUTPUT_RATIO * ctx.pipeline.stages.length)),
    wall_hours_here: cpu / cores,
    cores_here: cores,
  };
}
