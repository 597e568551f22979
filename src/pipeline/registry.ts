/**
 * Every step and source a pipeline can name. Each layer lists its own in an index file
 * (src/sources/index.ts, src/filters/index.ts, src/dedup/index.ts, src/tokenize/steps.ts), so adding
 * one touches only that layer.
 */
import { ConfigError } from '../core/errors.js';
import type { SourceDef } from '../sources/source.js';
import type { StepDef } from './step.js';
import { sources } from '../sources/index.js';
import { filterSteps } from '../filters/index.js';
import { dedupSteps } from '../dedup/index.js';
import { tokenizeSteps } from '../tokenize/steps.js';

const stepList: StepDef[] = [...filterSteps, ...dedupSteps, ...tokenizeSteps];

const STEP_MAP = indexByName(stepList, 'step');
const SOURCE_MAP = indexByName(sources, 'source');
export const STEPS: ReadonlyMap<string, StepDef> = STEP_MAP;
export const SOURCE_DEFS: ReadonlyMap<string, SourceDef> = SOURCE_MAP;

/**
 * Adds a plugin's steps and sources (pipeline `plugins:`): a module exporting `steps` and/or
 * `sources` arrays, loaded by the coordinator and every worker, so users add their own rules
 * without forking corpusmill.
 */
export function registerPlugin(file: string, mod: { steps?: StepDef[]; sources?: SourceDef[] }): void {
  for (const s of mod.steps ?? []) {
    const existing = STEP_MAP.get(s.name);
    if (existing && existing !== s) throw new ConfigError(`${file}: step "${s.name}" is already defined`);
    STEP_MAP.set(s.name, s);
  }
  for (const s of mod.sources ?? []) {
    const existing = SOURCE_MAP.get(s.name);
    if (existing && existing !== s) throw new ConfigError(`${file}: source "${s.name}" is already defined`);
    SOURCE_MAP.set(s.name, s);
  }
}

function indexByName<T extends { name: string }>(items: T[], kind: string): Map<string, T> {
  const m = new Map<string, T>();
  for (const it of items) {
    if (m.has(it.name)) throw new Error(`two ${kind}s are named ${it.name}`);
    m.set(it.name, it);
  }
  return m;
}

export function getStep(name: string): StepDef {
  const def = STEPS.get(name);
  if (!def) throw new ConfigError(`unknown step "${name}" (known: ${[...STEPS.keys()].sort().join(', ')})`);
  return def;
}

export function getSource(name: string): SourceDef {
  const def = SOURCE_DEFS.get(name);
  if (!def) throw new ConfigError(`unknown source "${name}" (known: ${[...SOURCE_DEFS.keys()].sort().join(', ')})`);
  return def;
}
