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

export const STEPS: ReadonlyMap<string, StepDef> = indexByName(stepList, 'step');
export const SOURCE_DEFS: ReadonlyMap<string, SourceDef> = indexByName(sources, 'source');

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
