/**
 * Writes what is generated from the schemas corpusmill validates pipelines with:
 * schema/pipeline.schema.json (the JSON Schema editors use for pipeline YAML) and docs/reference.md
 * (every setting, source and step with its parameters). `npm run reference`; a test
 * (test/app/reference.test.ts) fails when the committed files are out of date.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pipelineJsonSchema, referenceMarkdown } from '../src/app/reference.js';
import { createRegistry } from '../src/app/registry.js';

export const SCHEMA_FILE = fileURLToPath(new URL('../schema/pipeline.schema.json', import.meta.url));
export const REFERENCE_FILE = fileURLToPath(new URL('../docs/reference.md', import.meta.url));

export function generated(): Record<string, string> {
  return {
    [SCHEMA_FILE]: `${JSON.stringify(pipelineJsonSchema(createRegistry()), null, 2)}\n`,
    [REFERENCE_FILE]: referenceMarkdown(createRegistry()),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [file, text] of Object.entries(generated())) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    process.stderr.write(`wrote ${file}\n`);
  }
}
