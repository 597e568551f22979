/**
 * The names a pipeline file can use: sources (`inputs: [{source: …}]`), steps (`steps: [{step: …}]`)
 * and extra top-level sections (`mix:`). The framework defines no implementation of its own: the
 * application's composition root (src/app/registry.ts) fills a Registry from the feature folders'
 * export lists, and plugins (`plugins:` in a pipeline) add theirs the same way.
 */
import { didYouMean } from '../core/suggest.js';
import type { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import type { SourceDef } from './source.js';
import type { StepDef } from './step.js';

/** What a feature folder (or a plugin module) contributes. */
export interface Feature {
  sources?: readonly SourceDef[];
  steps?: readonly StepDef[];
}

export class Registry {
  private readonly stepMap = new Map<string, StepDef>();
  private readonly sourceMap = new Map<string, SourceDef>();
  /** Top-level pipeline keys beyond the framework's own, each validated by its schema. */
  readonly sections = new Map<string, z.ZodType>();

  constructor(features: readonly Feature[] = []) {
    for (const f of features) this.add(f, 'corpusmill');
  }

  /** Adds a feature's sources and steps; `origin` names it in the error when a name is taken. */
  add(feature: Feature, origin: string): this {
    for (const s of feature.steps ?? []) claim(this.stepMap, s, 'step', origin);
    for (const s of feature.sources ?? []) claim(this.sourceMap, s, 'source', origin);
    return this;
  }

  addSection(name: string, schema: z.ZodType): this {
    this.sections.set(name, schema);
    return this;
  }

  get steps(): StepDef[] {
    return [...this.stepMap.values()];
  }

  get sources(): SourceDef[] {
    return [...this.sourceMap.values()];
  }

  step(name: string): StepDef {
    const def = this.stepMap.get(name);
    if (!def) throw new ConfigError(`unknown step "${name}"${didYouMean(name, this.stepMap.keys())} (known: ${[...this.stepMap.keys()].sort().join(', ')})`);
    return def;
  }

  source(name: string): SourceDef {
    const def = this.sourceMap.get(name);
    if (!def) throw new ConfigError(`unknown source "${name}"${didYouMean(name, this.sourceMap.keys())} (known: ${[...this.sourceMap.keys()].sort().join(', ')})`);
    return def;
  }
}

function claim<T extends { name: string }>(map: Map<string, T>, item: T, kind: string, origin: string): void {
  const existing = map.get(item.name);
  if (existing && existing !== item) throw new ConfigError(`${origin}: ${kind} "${item.name}" is already defined`);
  map.set(item.name, item);
}
