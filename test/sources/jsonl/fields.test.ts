/**
 * The jsonl source on users' own JSON lines: text, id and meta taken from the fields the pipeline
 * names (dotted paths reach into objects); a record without its text field is quarantined with its
 * line; the default fields read RedPajama-style records as before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Doc } from '../../../src/core/document.js';
import { jsonlSource } from '../../../src/sources/jsonl/source.js';
import { collect, readContext, sourceEnv, tempDir } from '../../helpers.js';

async function readAll(params: Record<string, unknown>) {
  const p = jsonlSource.params.parse(params);
  const env = sourceEnv();
  const local = await Promise.all((await jsonlSource.list(p, env)).map((f) => env.fetcher.fetchFile(f)));
  const ctx = readContext();
  const docs: Doc[] = [];
  for (const t of await jsonlSource.plan(local, p, env)) docs.push(...(await collect(jsonlSource.read(t, p, ctx))));
  return { docs, ctx };
}

test('text, id and meta come from the named fields', async () => {
  const dir = tempDir();
  const file = join(dir, 'forum.jsonl');
  const lines = [
    { post: { body: 'First post body.' }, uid: 7, info: { lang: 'de', url: 'https://forum.example/7' }, views: 3 },
    { post: { body: 'Second post.' }, uid: 'p-8', info: { lang: 'fr' } },
    { post: { title: 'no body here' }, uid: 9 },
    { post: { body: 'Third, no id.' } },
  ].map((r) => JSON.stringify(r));
  writeFileSync(file, lines.join('\n'));
  const offset = (i: number) => lines.slice(0, i).reduce((a, l) => a + Buffer.byteLength(l) + 1, 0);
  const { docs, ctx } = await readAll({
    urls: [pathToFileURL(file).href],
    source_name: 'forum',
    text_field: 'post.body',
    id_field: 'uid',
    meta_fields: ['info.lang', 'info.url', 'views'],
  });
  assert.deepEqual(docs, [
    { id: '7', text: 'First post body.', source: 'forum', meta: { lang: 'de', url: 'https://forum.example/7', views: 3 } },
    { id: 'p-8', text: 'Second post.', source: 'forum', meta: { lang: 'fr' } },
    { id: `forum/forum.jsonl/@${offset(3)}`, text: 'Third, no id.', source: 'forum', meta: {} },
  ]);
  assert.deepEqual(
    ctx.bad.map((b) => [b.reason, b.record, b.detail]),
    [['bad_document', `byte ${offset(2)}`, 'expected a string "post.body" field']],
  );
});

test('the default fields read RedPajama-style records, meta and all', async () => {
  const dir = tempDir();
  const file = join(dir, 'rp.jsonl');
  const first = JSON.stringify({ text: 'hello', meta: { url: 'u' }, id: 'x1', source: 'c4' });
  writeFileSync(file, `${first}\n${JSON.stringify({ text: 'bye', metadata: { a: 1 } })}\n`);
  const { docs } = await readAll({ urls: [pathToFileURL(file).href] });
  assert.deepEqual(docs, [
    { id: 'x1', text: 'hello', source: 'c4', meta: { url: 'u' } },
    { id: `jsonl/rp.jsonl/@${Buffer.byteLength(first) + 1}`, text: 'bye', source: 'jsonl', meta: { a: 1 } },
  ]);
});

test('a field name that is not a name is a configuration error', () => {
  assert.equal(jsonlSource.params.safeParse({ urls: ['x.jsonl'], text_field: 'a..b' }).success, false);
  assert.equal(jsonlSource.params.safeParse({ urls: ['x.jsonl'], meta_fields: [] }).success, false);
});
