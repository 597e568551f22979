/**
 * The reference of everything a pipeline file can name, generated from the zod schemas the
 * pipeline loader validates with (so it cannot drift from what is accepted): per step and source,
 * its one-line description and parameters (type, default, whether required, description), as data
 * (`corpusmill steps|sources --json`), as text (`corpusmill steps|sources`), as Markdown
 * (docs/reference.md) and as one JSON Schema of the whole pipeline file (schema/pipeline.schema.json,
 * which editors use to validate and complete pipeline YAML). `npm run reference` rewrites both files.
 */
import { z } from 'zod';
import { pipelineSchema } from '../pipeline/config.js';
import type { Registry } from '../pipeline/registry.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON Schema is untyped JSON.
type Json = Record<string, any>;

interface ParamRef {
  name: string;
  /** A short type: `string`, `integer ≥ 1`, `"megatron" | "npy"`, `string[]`. */
  type: string;
  required: boolean;
  default?: unknown;
  description?: string;
}

export interface ItemRef {
  name: string;
  description: string;
  /** Sources: the corpus source written into documents (`source:` of each document). */
  source?: string;
  params: ParamRef[];
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** A schema as JSON Schema draft-07 (editors' language servers read it), input side of transforms. */
function jsonSchema(schema: z.ZodType): Json {
  const js = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-7' }) as Json;
  delete js.$schema;
  return stripSafeBounds(js);
}

/** Drops the ±2^53 bounds zod adds to every integer: noise to a reader and to an editor. */
function stripSafeBounds(js: Json): Json {
  if (Array.isArray(js)) return js.map((x) => (x && typeof x === 'object' ? stripSafeBounds(x) : x));
  for (const [k, v] of Object.entries(js)) {
    if ((k === 'maximum' && v === MAX_SAFE) || (k === 'minimum' && v === -MAX_SAFE)) delete js[k];
    else if (v && typeof v === 'object') js[k] = stripSafeBounds(v);
  }
  return js;
}

/** A JSON Schema type in a few words. */
function typeOf(js: Json): string {
  if (js.const !== undefined) return JSON.stringify(js.const);
  if (js.enum) return js.enum.map((x: unknown) => JSON.stringify(x)).join(' | ');
  if (js.anyOf || js.oneOf) return [...new Set((js.anyOf ?? js.oneOf).map((x: Json) => typeOf(x)))].join(' | ');
  const t = js.type;
  if (t === 'array') return `${js.items ? wrap(typeOf(js.items)) : 'any'}[]`;
  if (t === 'object') {
    if (js.additionalProperties && typeof js.additionalProperties === 'object' && !js.properties) return `{ string: ${typeOf(js.additionalProperties)} }`;
    return 'object';
  }
  if (t === 'integer' || t === 'number') return `${t}${bounds(js)}`;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return t.join(' | ');
  return 'any';
}

const wrap = (s: string) => (s.includes(' ') ? `(${s})` : s);

function bounds(js: Json): string {
  const lo = js.minimum !== undefined ? `≥ ${js.minimum}` : js.exclusiveMinimum !== undefined ? `> ${js.exclusiveMinimum}` : '';
  const hi = js.maximum !== undefined ? `≤ ${js.maximum}` : js.exclusiveMaximum !== undefined ? `< ${js.exclusiveMaximum}` : '';
  return lo && hi ? ` ${lo}, ${hi}` : lo || hi ? ` ${lo || hi}` : '';
}

/** The parameters of an object schema. */
function paramsOf(schema: z.ZodType): ParamRef[] {
  const rows = propertiesOf(jsonSchema(schema), '');
  // JSON Schema leaves out defaults of fields that transform their input (sizes like "64MiB"):
  // the schema itself says what an absent field becomes.
  const shape = (schema as unknown as { shape?: Record<string, z.ZodType> }).shape;
  for (const r of rows) {
    const field = shape?.[r.name];
    if (r.default !== undefined || r.required || !field) continue;
    const d = field.safeParse(undefined);
    if (d.success && d.data !== undefined) r.default = d.data;
  }
  return rows;
}

/** Rows for an object schema's properties; a nested object with properties of its own (settings.fetch) as `name.key` rows. */
function propertiesOf(js: Json, prefix: string): ParamRef[] {
  const required = new Set<string>(js.required ?? []);
  return Object.entries((js.properties ?? {}) as Record<string, Json>).flatMap(([name, p]) =>
    p.type === 'object' && p.properties
      ? propertiesOf(p, `${prefix}${name}.`)
      : [
          {
            name: `${prefix}${name}`,
            type: typeOf(p),
            required: required.has(name),
            ...(p.default !== undefined ? { default: p.default } : {}),
            ...(p.description ? { description: p.description as string } : {}),
          },
        ],
  );
}

const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);

export function stepsReference(registry: Registry): ItemRef[] {
  return registry.steps.sort(byName).map((d) => ({ name: d.name, description: d.description, params: paramsOf(d.params) }));
}

export function sourcesReference(registry: Registry): ItemRef[] {
  return registry.sources.sort(byName).map((d) => ({ name: d.name, description: d.description, source: d.source, params: paramsOf(d.params) }));
}

/** One entry per step or source for the editor: `{<key>: <name>, ...its parameters}`. */
function namedAlternative(key: 'step' | 'source', name: string, description: string, params: z.ZodType): Json {
  const js = jsonSchema(params);
  if (js.type !== 'object') throw new Error(`${key} ${name}: parameters are not an object schema`);
  return {
    type: 'object',
    description,
    properties: { [key]: { const: name, description }, ...(js.properties ?? {}) },
    required: [key, ...(js.required ?? [])],
    ...(js.additionalProperties === false ? { additionalProperties: false } : {}),
  };
}

/** Any other name (a plugin's step or source): only the name is checked. */
function otherName(key: 'step' | 'source', known: string[]): Json {
  return { type: 'object', properties: { [key]: { type: 'string', not: { enum: known } } }, required: [key] };
}

/**
 * The JSON Schema of a pipeline file: the framework's keys, each step and source with its own
 * parameters, and the sections the application adds (`mix:`).
 */
export function pipelineJsonSchema(registry: Registry): Json {
  const js = jsonSchema(pipelineSchema);
  const stage = js.properties.stages.items;
  const sources = registry.sources.sort(byName);
  const steps = registry.steps.sort(byName);
  const stageInput = stage.properties.inputs.items.anyOf.find((x: Json) => x.properties?.stage);
  stage.properties.inputs.items = {
    anyOf: [
      ...sources.map((d) => namedAlternative('source', d.name, d.description, d.params)),
      stageInput,
      otherName(
        'source',
        sources.map((d) => d.name),
      ),
    ],
  };
  stage.properties.steps.items = {
    anyOf: [
      ...steps.map((d) => namedAlternative('step', d.name, d.description, d.params)),
      otherName(
        'step',
        steps.map((d) => d.name),
      ),
    ],
  };
  for (const [key, schema] of registry.sections) js.properties[key] = jsonSchema(schema);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://corpusmill.dev/schema/pipeline.schema.json',
    title: 'corpusmill pipeline',
    description: 'A corpusmill pipeline file (generated from the schemas corpusmill validates with: npm run reference).',
    ...js,
  };
}

/** `corpusmill steps` / `corpusmill sources` as text: one block per item. */
export function formatReference(items: ItemRef[]): string {
  const out: string[] = [];
  for (const it of items) {
    out.push(`${it.name}${it.source && it.source !== it.name ? ` (documents: source "${it.source}")` : ''}`, `  ${it.description}`);
    for (const p of it.params) {
      const dflt = p.required ? 'required' : p.default !== undefined ? `default ${JSON.stringify(p.default)}` : 'optional';
      out.push(`    ${p.name}: ${p.type}; ${dflt}${p.description ? ` — ${p.description}` : ''}`);
    }
    if (it.params.length === 0) out.push('    (no parameters)');
    out.push('');
  }
  return out.join('\n');
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function paramTable(params: ParamRef[]): string {
  if (params.length === 0) return 'No parameters.\n';
  const rows = params.map(
    (p) =>
      `| \`${p.name}\` | ${cell(p.type)} | ${p.required ? 'required' : p.default !== undefined ? `\`${cell(JSON.stringify(p.default))}\`` : ''} | ${cell(p.description ?? '')} |`,
  );
  return `| parameter | type | default | description |\n|---|---|---|---|\n${rows.join('\n')}\n`;
}

/** docs/reference.md. */
export function referenceMarkdown(registry: Registry): string {
  const settings = paramsOf((pipelineSchema.shape.settings as unknown as { unwrap(): z.ZodType }).unwrap());
  const parts = [
    '# Reference: every setting, source and step',
    '',
    '<!-- Generated from the schemas corpusmill validates pipeline files with: `npm run reference` rewrites this file',
    'and schema/pipeline.schema.json; a test fails when they are out of date. Do not edit by hand. -->',
    '',
    'Pipeline files are described in [pipelines.md](pipelines.md). The same reference is printed by',
    '`corpusmill steps`, `corpusmill sources` (`--json` for tools), and editors that read',
    '`# yaml-language-server: $schema=../schema/pipeline.schema.json` validate and complete pipeline files with it.',
    '',
    '## Settings',
    '',
    paramTable(settings),
    '## Sources',
    '',
    ...sourcesReference(registry).flatMap((s) => [
      `### \`${s.name}\``,
      '',
      `${s.description}${s.source && s.source !== s.name ? ` Documents get \`source: ${s.source}\` unless a parameter names another.` : ''}`,
      '',
      paramTable(s.params),
    ]),
    '## Steps',
    '',
    ...stepsReference(registry).flatMap((s) => [`### \`${s.name}\``, '', s.description, '', paramTable(s.params)]),
    '## Sections',
    '',
    ...[...registry.sections].flatMap(([key, schema]) => [`### \`${key}:\``, '', paramTable(paramsOf(schema))]),
  ];
  return `${parts.join('\n').trimEnd()}\n`;
}
