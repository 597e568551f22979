/**
 * What follows a build's stages: the training mixture of the pipeline's `mix:` section and the
 * report. A local build runs it at its end; a cluster build submits `corpusmill finish` as its last
 * job (after every phase, `afterok`), which first checks from the task markers that every stage is
 * complete, records them done and writes stats.json, so the cluster gives the same files as a
 * local build, mix/ included.
 */
import { resolve, join } from 'node:path';
import { Catalog } from '../catalog/catalog.js';
import { CorpusError, ConfigError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { writeJsonAtomic } from '../io/atomic.js';
import type { MixSection } from '../mix/config.js';
import { formatMix, mixWarnings, runMix } from '../mix/mix.js';
import { loadPipeline, type Pipeline } from '../pipeline/config.js';
import { catalogPath, statsPath } from '../pipeline/layout.js';
import { syncMarkers } from '../pipeline/markers.js';
import { collectStats, type BuildStats } from '../pipeline/stats.js';
import type { TaskSpec } from '../pipeline/tasks.js';
import { writeReport } from '../report/write.js';
import { createRegistry } from './registry.js';

/** The mixture (when the pipeline has `mix:`) and the report (unless `settings.report` is false). */
export async function afterStages(pipeline: Pipeline, out: string, log: Logger): Promise<void> {
  const mix = pipeline.sections.mix as MixSection | undefined;
  if (mix) {
    const r = await runMix({
      tokens: join(out, 'tokens', mix.tokenizer),
      output: join(out, 'mix'),
      budget: mix.budget,
      weights: mix.weights,
      seed: mix.seed,
      shardBytes: mix.shard_bytes,
    });
    for (const w of mixWarnings(r)) log.warn(w);
    log.info(formatMix(r).trimEnd());
  }
  if (pipeline.settings.report) log.info(`report: ${await writeReport(out, 'html')}`);
}

/** `corpusmill finish`: checks every stage is complete (markers), records it, writes stats.json, then afterStages. */
export async function finishBuild(opts: { pipelineFile: string; out: string; log: Logger; allowPlugins?: readonly string[] }): Promise<BuildStats> {
  const pipeline = await loadPipeline(opts.pipelineFile, createRegistry(), { allowPlugins: opts.allowPlugins });
  const out = resolve(opts.out);
  const catalog = new Catalog<TaskSpec>(catalogPath(out));
  let stats: BuildStats;
  try {
    for (const st of pipeline.stages) {
      const info = catalog.stage(st.name);
      if (!info) throw new ConfigError(`${out}: stage ${st.name} was never planned here; build the pipeline first`);
      if (info.hash !== st.hash) throw new ConfigError(`${out}: stage ${st.name} was built from a different configuration of ${pipeline.file}`);
      await syncMarkers(catalog, out, st.name, st.hash);
      const left = catalog.tasks(st.name).filter((t) => t.state !== 'done').length;
      if (left) throw new CorpusError(`${out}: stage ${st.name} has ${left} tasks without a completion marker; relaunch the build`);
      if (!info.done_at) catalog.markStageDone(st.name);
    }
    stats = collectStats(
      catalog,
      pipeline.name,
      pipeline.stages.map((s) => s.name),
    );
    await writeJsonAtomic(statsPath(out), stats);
  } finally {
    catalog.close();
  }
  await afterStages(pipeline, out, opts.log);
  return stats;
}
