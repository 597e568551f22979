/**
 * The step contract every reader, filter, dedup stage and tokenizer honours, and the helpers that
 * do the bookkeeping once so a concrete step holds only its rule.
 *
 * A step turns an async iterable of documents into another, given a TaskContext (rank and world
 * size of the task, its counters, a logger, a folder for state shared by the stage's tasks).
 * Steps that need to see the whole stage first (global dedup, perplexity cutoffs) declare
 * `passes`: the runner runs each pass as its own set of tasks before the main pass, and the step
 * reads what its passes wrote from `ctx.state` during the main pass.
 *
 * `create` must be cheap: it runs in the coordinator too, which only reads a step's passes. A step
 * that needs a model loads it with `lazy` / `lazyStep`, in the worker that uses it.
 */
import type { z } from 'zod';
import type { Doc } from '../core/document.js';
import type { Logger } from '../core/log.js';
import type { StepStats } from '../core/stats.js';
import type { Fetcher } from '../fetch/fetcher.js';
import type { StepState } from './state.js';

export interface TaskContext {
  /** Index of this task within its phase, and the phase's task count. */
  rank: number;
  worldSize: number;
  stage: string;
  /** The source of the documents this task reads ('' in reduce passes). */
  source: string;
  /** This step's counters; `drop()` and `count()` write here. */
  stats: StepStats;
  log: Logger;
  /** A folder owned by this step for this stage, shared by all its tasks and passes. */
  state: StepState;
  /** Records a removed document: counted under `reason`, kept in rejects/ when the pipeline asks. */
  drop(doc: Doc, reason: string): void;
  /** Adds to a named counter of this step. */
  count(name: string, n?: number): void;
}

/** What create() gets: where the pipeline lives and shared services. */
export interface StepEnv {
  /** Folder of the pipeline YAML (relative paths in parameters resolve against it). */
  pipelineDir: string;
  outDir: string;
  /** This step's state folder (the same as TaskContext.state). */
  state: StepState;
  log: Logger;
  fetcher: Fetcher;
}

/** A pass over the whole stage that runs before the main pass. */
export type Pass =
  | {
      kind: 'scan';
      name: string;
      /** Sees every document that reaches this step, task by task (same tasks as the main pass). */
      scan(docs: AsyncIterable<Doc>, ctx: TaskContext): Promise<void>;
    }
  | {
      kind: 'reduce';
      name: string;
      /** How many tasks this pass has (for example, one per hash bucket). */
      tasks: number;
      reduce(ctx: TaskContext): Promise<void>;
    };

export interface Step {
  run(docs: AsyncIterable<Doc>, ctx: TaskContext): AsyncIterable<Doc>;
  passes?: Pass[];
  close?(): Promise<void> | void;
}

export interface StepDef<S extends z.ZodType = z.ZodType> {
  name: string;
  /** One line for `corpusmill steps` and error messages. */
  description: string;
  params: S;
  create(params: z.infer<S>, env: StepEnv): Step | Promise<Step>;
}

export function defineStep<S extends z.ZodType>(def: StepDef<S>): StepDef<S> {
  return def;
}

/**
 * A filter: `check` returns null to keep the document, or the reason it is dropped.
 * Counting, timing and rejects are the runner's job.
 */
export function filterStep(check: (doc: Doc, ctx: TaskContext) => string | null): Step {
  return {
    async *run(docs, ctx) {
      for await (const doc of docs) {
        const reason = check(doc, ctx);
        if (reason === null) yield doc;
        else ctx.drop(doc, reason);
      }
    },
  };
}

/**
 * A per-document transform: return the document (changed or not), or a string reason to drop it.
 */
export function mapStep(fn: (doc: Doc, ctx: TaskContext) => Doc | string): Step {
  return {
    async *run(docs, ctx) {
      for await (const doc of docs) {
        const out = fn(doc, ctx);
        if (typeof out === 'string') ctx.drop(doc, out);
        else yield out;
      }
    },
  };
}

/**
 * A value made on first use and kept. Models (fastText, language models, tokenizers) load through
 * this, so creating a step is cheap: the coordinator creates steps only to learn their passes, and
 * loads nothing it would not use.
 */
export function lazy<T>(make: () => T): () => T {
  let made = false;
  let value: T;
  return () => {
    if (!made) {
      value = make();
      made = true;
    }
    return value;
  };
}

/** A step built on first use (in the worker that runs a task): for steps that need a model. */
export function lazyStep(build: () => Step | Promise<Step>): Step {
  let built: Step | null = null;
  const step = lazy(async () => {
    built = await build();
    return built;
  });
  return {
    async *run(docs, ctx) {
      yield* (await step()).run(docs, ctx);
    },
    async close() {
      await built?.close?.();
    },
  };
}
