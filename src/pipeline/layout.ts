/**
 * Where a build puts things (documented in the README, "Output layout"):
 *   <out>/catalog.sqlite                         runs, frozen task lists, task states, fetches
 *   <out>/<stage>/<source>/part-NNNNN-RRR.jsonl.zst   documents (task ordinal NNNNN, rotation RRR)
 *   <out>/rejects/<stage>/<source>/…             removed documents with meta.filter_reason (keep_rejects)
 *   <out>/quarantine/<stage>/<source>/…          raw records that could not be read, with the reason
 *   <out>/_state/<stage>/<phase>/NNNNNN.json     completion marker + stats of each task
 *   <out>/_work/<stage>/stepK-<name>/            state a step's passes share (hash buckets, cutoffs)
 *   <out>/_work/<stage>/_prefix/<source>/        output of the steps before the first global step, per task,
 *                                                kept from the first scan pass to the main pass (prefix-cache.ts)
 *   <out>/cache/                                 downloads (unless settings.cache_dir)
 *   <out>/stats.json                             merged counters of every stage
 */
import { join } from 'node:path';

export const catalogPath = (out: string) => join(out, 'catalog.sqlite');
export const stageDir = (out: string, stage: string, source: string) => join(out, stage, source);
export const rejectsDir = (out: string, stage: string, source: string) => join(out, 'rejects', stage, source);
export const quarantineDir = (out: string, stage: string, source: string) => join(out, 'quarantine', stage, source);
export const markerDir = (out: string, stage: string, phase: string) => join(out, '_state', stage, phase);
export const markerPath = (out: string, stage: string, phase: string, idx: number) => join(markerDir(out, stage, phase), `${String(idx).padStart(6, '0')}.json`);
export const failurePath = (out: string, stage: string, phase: string, idx: number) => markerPath(out, stage, phase, idx).replace(/\.json$/, '.failed');
export const stepStateDir = (out: string, stage: string, stepIndex: number, step: string) => join(out, '_work', stage, `step${stepIndex}-${step}`);
export const prefixCacheRoot = (out: string, stage: string) => join(out, '_work', stage, '_prefix');
export const prefixCacheDir = (out: string, stage: string, source: string) => join(prefixCacheRoot(out, stage), source);
export const statsPath = (out: string) => join(out, 'stats.json');
export const partPrefix = (ordinal: number) => `part-${String(ordinal).padStart(5, '0')}`;

/** Phase names: `main`, and `step<K>.<pass>` for the passes of step K (`step<K>.<a>+<b>`: scan passes sharing one read). */
export const MAIN_PHASE = 'main';
export const passPhase = (stepIndex: number, pass: string) => `step${stepIndex}.${pass}`;
export function parsePassPhase(phase: string): { stepIndex: number; pass: string } | null {
  const m = /^step(\d+)\.(.+)$/.exec(phase);
  return m ? { stepIndex: Number(m[1]), pass: m[2]! } : null;
}

/** What a phase does, for people: `minhash_dedup: signatures` for `step1.signatures` (`main` stays). */
export function phaseLabel(phase: string, stepNames: readonly string[]): string {
  const p = parsePassPhase(phase);
  const step = p ? stepNames[p.stepIndex] : undefined;
  return p && step ? `${step}: ${p.pass}` : phase;
}
