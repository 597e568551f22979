/**
 * Pipeline files: YAML in `pipelines/`, validated with zod, with errors that name the file, the
 * line and the path in it, and what was expected:
 *   pipelines/sample.yaml:14:9: stages[0].steps[1].min_words: expected number, received string
 *
 * A pipeline is a list of stages; a stage reads inputs (sources, or the output of an earlier stage),
 * runs a list of steps, and writes shards that later stages read.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve, sep } from 'node:path';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import { z } from 'zod';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../core/errors.js';
import { didYouMean } from '../core/suggest.js';
import type { Logger } from '../core/log.js';
import { byteSize } from '../core/sizes.js';
import { DEFAULT_MAX_DECOMPRESSION_RATIO, DEFAULT_MAX_RECORD_BYTES } from '../io/limits.js';
import { DOC_FORMATS, type DocFormat } from '../io/doc-writer.js';
import type { Feature, Registry } from './registry.js';
import type { SourceDef } from './source.js';
import type { StepDef } from './step.js';

// Descriptions (`.describe`) are what `corpusmill validate`, docs/reference.md and the JSON Schema
// of pipeline files (schema/pipeline.schema.json, for editors) show.
const settingsSchema = z
  .object({
    workers: z.number().int().nonnegative().default(0).describe('worker processes (0: one per core)'),
    shard_bytes: byteSize.default(64 << 20).describe('output shards rotate after this many uncompressed bytes (a number or "64MiB")'),
    task_bytes: byteSize.default(32 << 20).describe('input bytes per task when a file can be split (JSON lines, Posts.xml, multistream dumps)'),
    zstd_level: z.number().int().min(1).max(19).default(3).describe('zstd level of document shards'),
    keep_rejects: z.boolean().default(false).describe('write removed documents to rejects/<stage>/<source>/ with meta.filter_reason'),
    on_bad_record: z.enum(['quarantine', 'fail']).default('quarantine').describe('a raw record that cannot be read: quarantine it (count, log, keep aside) or fail the task'),
    max_record_bytes: byteSize
      .default(DEFAULT_MAX_RECORD_BYTES)
      .describe('the largest raw record a reader holds (a JSON line, WARC record, wiki page, Posts.xml row, LaTeX file, book); longer ones are streamed past and quarantined'),
    max_decompression_ratio: z
      .number()
      .positive()
      .default(DEFAULT_MAX_DECOMPRESSION_RATIO)
      .describe('a compressed input expanding more than this many times is a decompression bomb: the rest of the file is quarantined'),
    report: z.boolean().default(true).describe('write <out>/report.html when a build completes'),
    cache_dir: z.string().optional().describe('download cache, relative to the pipeline file (default: <out>/cache)'),
    fetch: z
      .object({
        concurrency: z.number().int().positive().default(4).describe('downloads at once'),
        retries: z.number().int().nonnegative().default(8).describe('retries of a transient failure (5xx, 429, reset, truncated body)'),
        timeout_s: z.number().positive().default(60).describe('per-request timeout in seconds'),
      })
      .strict()
      .default({ concurrency: 4, retries: 8, timeout_s: 60 }),
  })
  .strict();

const inputSchema = z.union([
  z.object({ source: z.string().describe('a source (corpusmill sources)') }).passthrough(),
  z
    .object({
      stage: z.string().describe('an earlier stage whose documents this stage reads'),
      sources: z.array(z.string()).optional().describe('only these sources of that stage'),
    })
    .strict(),
]);

const stepSchema = z.object({ step: z.string().describe('a step (corpusmill steps)') }).passthrough();

const stageSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'a lowercase name of letters, digits, - and _'),
    description: z.string().optional(),
    inputs: z.array(inputSchema).min(1).describe('sources, or earlier stages'),
    steps: z.array(stepSchema).default([]).describe('steps run on every document, in order'),
    keep_rejects: z.boolean().optional().describe("this stage's keep_rejects (default: the setting)"),
    write_documents: z.boolean().default(true).describe("false: the stage's documents are not written (a stage that only writes token shards)"),
    format: z.enum(DOC_FORMATS).default('jsonl').describe('document shards as JSON lines (.jsonl.zst) or Parquet (.parquet, zstd)'),
  })
  .strict();

export const pipelineSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_.-]+$/),
    description: z.string().optional(),
    output: z.string().optional().describe('output folder, relative to the current directory (--out overrides; default out/<name>)'),
    plugins: z
      .array(z.string())
      .default([])
      .describe("modules exporting extra `steps` and `sources`: paths inside the pipeline's folder, or installed package names (others need --allow-plugin)"),
    settings: settingsSchema.default(() => settingsSchema.parse({})),
    stages: z.array(stageSchema).min(1),
  })
  .strict();

type Settings = z.infer<typeof settingsSchema>;

export interface SourceInput {
  kind: 'source';
  source: string;
  params: unknown;
}
interface StageInput {
  kind: 'stage';
  stage: string;
  sources?: string[];
}
type Input = SourceInput | StageInput;

interface StepConfig {
  step: string;
  params: unknown;
}

export interface StageConfig {
  name: string;
  description?: string;
  inputs: Input[];
  steps: StepConfig[];
  keepRejects: boolean;
  writeDocuments: boolean;
  /** Format of the document shards. */
  format: DocFormat;
  /** Hash of everything that decides this stage's output bytes, including upstream stages. */
  hash: string;
}

export interface Pipeline {
  name: string;
  description?: string;
  file: string;
  dir: string;
  output?: string;
  settings: Settings;
  stages: StageConfig[];
  /** Hash of the pipeline's name and every stage's hash: which pipeline built an output folder. */
  hash: string;
  /** The sources and steps this pipeline's names resolve to (built-ins plus its plugins). */
  registry: Registry;
  /** Validated top-level sections the registry added (`mix:`), by key. */
  sections: Record<string, unknown>;
  /** The plugin modules loaded for this pipeline (paths, or package names). */
  plugins: string[];
  /** Parameters a source or step does not know and ignores, as `file:line:col: where: what` (most often a typo). */
  warnings: string[];
}

type Path = Array<string | number>;

function formatPath(path: Path): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${p}` : p;
  return s || '(top level)';
}

class Locator {
  constructor(
    private readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** `file:line:col` of the deepest node on `path` that exists. */
  where(path: Path): string {
    for (let n = path.length; n >= 0; n--) {
      const node = this.doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) {
        const { line, col } = this.lines.linePos(node.range[0]);
        return `${this.file}:${line}:${col}`;
      }
    }
    return this.file;
  }

  error(path: Path, message: string): ConfigError {
    return new ConfigError(`${this.where(path)}: ${formatPath(path)}: ${message}`);
  }
}

function zodIssue(loc: Locator, base: Path, err: z.ZodError, schema: z.ZodType): ConfigError {
  const issue = err.issues[0]!;
  let message = issue.message;
  // A mistyped parameter: name the one it was probably meant to be.
  if (issue.code === 'unrecognized_keys' && issue.keys.length === 1) message += didYouMean(issue.keys[0]!, objectKeys(schema, issue.path));
  return loc.error([...base, ...(issue.path as Path)], message);
}

/** The keys of the object schema at `path` inside `schema` (through arrays, optionals, defaults and pipes), or none. */
function objectKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let s: z.ZodType | undefined = schema;
  let i = 0;
  while (s) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
    else if (s instanceof z.ZodPipe) s = s.in as z.ZodType;
    else if (i === path.length) return s instanceof z.ZodObject ? Object.keys(s.shape) : [];
    else if (s instanceof z.ZodObject) s = (s.shape as Record<string, z.ZodType>)[String(path[i++])];
    else if (s instanceof z.ZodArray) {
      s = s.element as z.ZodType;
      i++;
    } else return [];
  }
  return [];
}

/** A source's or step's parameters, parsed by its definition (found by `lookup`); `at` is the path of its name. */
function parseParams(loc: Locator, at: Path, lookup: () => SourceDef | StepDef, rest: Record<string, unknown>, warnings: string[]): unknown {
  let def: SourceDef | StepDef;
  try {
    def = lookup();
  } catch (e) {
    throw loc.error(at, (e as Error).message);
  }
  const r = def.params.safeParse(rest);
  if (!r.success) throw zodIssue(loc, at.slice(0, -1), r.error, def.params);
  // A schema that is not strict drops what it does not know: most often a typo, so say so.
  const known = objectKeys(def.params, []);
  const kind = at.at(-1) as string;
  if (known.length > 0)
    for (const k of Object.keys(rest))
      if (!known.includes(k))
        warnings.push(`${loc.where([...at.slice(0, -1), k])}: ${formatPath(at.slice(0, -1))}: ${kind} ${def.name} has no parameter "${k}"${didYouMean(k, known)} (ignored)`);
  return r.data;
}

export interface LoadOptions {
  /** Plugin modules outside the pipeline's folder the user allowed by path (`--allow-plugin`). */
  allowPlugins?: readonly string[];
  /** Told which plugin modules were loaded (the CLI names them). */
  log?: Logger;
}

/** Reads and validates a pipeline file, adding its plugins to `registry` first. */
export async function loadPipeline(file: string, registry: Registry, opts: LoadOptions = {}): Promise<Pipeline> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`${file}: cannot read the pipeline file (${(e as Error).message})`);
  }
  const plugins = await loadPlugins(text, file, registry, opts);
  const pipeline = parsePipeline(text, file, registry);
  pipeline.plugins = plugins;
  for (const w of pipeline.warnings) opts.log?.warn(w);
  return pipeline;
}

/** A package name (`corpusmill-foo`, `@org/steps`, `@org/steps/web`), as opposed to a path. */
const PACKAGE_NAME = /^(@[a-z0-9][\w.~-]*\/)?[a-z0-9][\w.~-]*(\/[\w.~-]+)*$/i;

function realOrResolved(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/**
 * Where a plugin may come from: an installed package (by name), or a module inside the pipeline's
 * own folder. A path anywhere else runs code the pipeline's folder does not vouch for (a copied
 * pipeline naming `../../x.mjs`), so it needs an explicit `--allow-plugin PATH`.
 */
function pluginLocation(spec: string, file: string, allow: readonly string[]): { url: string; name: string } {
  const dir = realOrResolved(dirname(resolve(file)));
  // A file beside the pipeline wins over a package of the same name (`plugins: [steps.ts]`).
  if (PACKAGE_NAME.test(spec) && !existsSync(resolve(dir, spec))) {
    try {
      return { url: pathToFileURL(createRequire(resolve(file)).resolve(spec)).href, name: spec };
    } catch {
      // an ESM-only package, or one installed beside corpusmill rather than the pipeline: let import() find it
      return { url: spec, name: spec };
    }
  }
  const path = realOrResolved(resolve(dir, spec));
  const inside = path.startsWith(dir + sep);
  if (!inside && !allow.some((a) => realOrResolved(resolve(a)) === path)) {
    throw new ConfigError(
      `${file}: plugin ${spec} is outside the pipeline's folder (${dir}); plugins load from that folder or an installed package, or pass --allow-plugin ${path}`,
    );
  }
  return { url: pathToFileURL(path).href, name: path };
}

async function loadPlugins(text: string, file: string, registry: Registry, opts: LoadOptions): Promise<string[]> {
  let plugins: unknown;
  try {
    plugins = (parseDocument(text).toJS() as { plugins?: unknown } | null)?.plugins;
  } catch {
    return []; // parsePipeline reports YAML errors with positions
  }
  if (!Array.isArray(plugins)) return [];
  const loaded: string[] = [];
  for (const p of plugins) {
    if (typeof p !== 'string') continue;
    const where = pluginLocation(p, file, opts.allowPlugins ?? []);
    let mod: Feature;
    try {
      mod = (await import(where.url)) as Feature;
    } catch (e) {
      throw new ConfigError(`${file}: cannot load plugin ${p} (${(e as Error).message.split('\n')[0]})`);
    }
    registry.add(mod, where.name);
    const names = [...(mod.steps ?? []).map((s) => `step ${s.name}`), ...(mod.sources ?? []).map((s) => `source ${s.name}`)];
    opts.log?.info(`plugin ${where.name}: ${names.join(', ') || 'no steps or sources'}`);
    loaded.push(where.name);
  }
  return loaded;
}

export function parsePipeline(text: string, file: string, registry: Registry): Pipeline {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const { line, col } = lines.linePos(e.pos[0]);
    throw new ConfigError(`${file}:${line}:${col}: invalid YAML: ${e.message.split('\n')[0]}`);
  }
  const loc = new Locator(file, doc, lines);
  const raw = doc.toJS() as unknown;
  const extra = new Set(registry.sections.keys());
  const { framework, sections: rawSections } = splitSections(raw, extra);
  const parsed = pipelineSchema.safeParse(framework);
  if (!parsed.success) throw zodIssue(loc, [], parsed.error, pipelineSchema);
  const p = parsed.data;
  const sections: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rawSections)) {
    const r = registry.sections.get(key)!.safeParse(value);
    if (!r.success) throw zodIssue(loc, [key], r.error, registry.sections.get(key)!);
    sections[key] = r.data;
  }

  const warnings: string[] = [];
  const seen = new Set<string>();
  const noDocs = new Set<string>();
  const hashes = new Map<string, string>();
  const stages: StageConfig[] = p.stages.map((st, si) => {
    if (seen.has(st.name)) throw loc.error(['stages', si, 'name'], `a stage named "${st.name}" already exists`);
    const inputs: Input[] = st.inputs.map((inp, ii) => {
      const path: Path = ['stages', si, 'inputs', ii];
      if ('stage' in inp) {
        const i = inp as { stage: string; sources?: string[] };
        if (!seen.has(i.stage)) throw loc.error([...path, 'stage'], `"${i.stage}" is not an earlier stage`);
        if (noDocs.has(i.stage)) throw loc.error([...path, 'stage'], `stage "${i.stage}" does not write documents (write_documents: false)`);
        return { kind: 'stage', stage: i.stage, sources: i.sources };
      }
      const { source, ...rest } = inp as { source: string };
      return { kind: 'source', source, params: parseParams(loc, [...path, 'source'], () => registry.source(source), rest, warnings) };
    });
    const steps: StepConfig[] = st.steps.map((s, ki) => {
      const path: Path = ['stages', si, 'steps', ki];
      const { step, ...rest } = s as { step: string };
      return { step, params: parseParams(loc, [...path, 'step'], () => registry.step(step), rest, warnings) };
    });
    seen.add(st.name);
    if (!st.write_documents) noDocs.add(st.name);
    const keepRejects = st.keep_rejects ?? p.settings.keep_rejects;
    const upstream = inputs.filter((i): i is StageInput => i.kind === 'stage').map((i) => hashes.get(i.stage));
    const hash = createHash('sha256')
      .update(
        JSON.stringify({
          inputs,
          steps,
          keepRejects,
          writeDocuments: st.write_documents,
          upstream,
          shard_bytes: p.settings.shard_bytes,
          task_bytes: p.settings.task_bytes,
          zstd_level: p.settings.zstd_level,
          // Only when not the default, so existing stages keep their hashes (record caps decide
          // what is quarantined, so they count when set).
          ...(st.format !== 'jsonl' ? { format: st.format } : {}),
          ...(p.settings.max_record_bytes !== DEFAULT_MAX_RECORD_BYTES ? { max_record_bytes: p.settings.max_record_bytes } : {}),
          ...(p.settings.max_decompression_ratio !== DEFAULT_MAX_DECOMPRESSION_RATIO ? { max_decompression_ratio: p.settings.max_decompression_ratio } : {}),
        }),
      )
      .digest('hex')
      .slice(0, 16);
    hashes.set(st.name, hash);
    return { name: st.name, description: st.description, inputs, steps, keepRejects, writeDocuments: st.write_documents, format: st.format, hash };
  });

  return {
    name: p.name,
    description: p.description,
    file: resolve(file),
    dir: dirname(resolve(file)),
    output: p.output,
    settings: p.settings,
    stages,
    hash: createHash('sha256')
      .update(JSON.stringify({ name: p.name, stages: stages.map((s) => [s.name, s.hash]) }))
      .digest('hex')
      .slice(0, 16),
    registry,
    sections,
    plugins: [],
    warnings,
  };
}

/** Separates the registry's extra top-level keys from the framework's own. */
function splitSections(raw: unknown, keys: Set<string>): { framework: unknown; sections: Record<string, unknown> } {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { framework: raw, sections: {} };
  const framework: Record<string, unknown> = {};
  const sections: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) (keys.has(k) ? sections : framework)[k] = v;
  return { framework, sections };
}
