/**
 * Books: Gutenberg header/licence stripping against c-w/gutenberg's expected files, the real PG
 * texts of every header era, the catalog, the gutenberg and pg19 sources end to end (mirror on
 * 127.0.0.1 with the rate limit), RedPajama's SimHash against Python, and the near-dedup step.
 */
import { strict as assert } from 'node:assert';
import { createServer } from 'node:http';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Doc } from '../../../src/core/document.js';
import { createLogger } from '../../../src/core/log.js';
import { Fetcher } from '../../../src/fetch/fetcher.js';
import { HostRateLimiter } from '../../../src/fetch/rate-limit.js';
import { parseCatalog, parseCsv } from '../../../src/sources/books/catalog.js';
import { readRdfArchive } from '../../../src/sources/books/rdf.js';
import { bookNearDedupStep, findClusters, bookSignature } from '../../../src/sources/books/near-dedup.js';
import { exactDedupDef, exactDedupStep } from '../../../src/dedup/exact.js';
import { minhashDedupDef, minhashDedupStep } from '../../../src/dedup/minhash/step.js';
import { estimatedJaccard, minhashSignature } from '../../../src/sources/books/overlap.js';
import { hamming64, simhash64, simhashBucketKeys } from '../../../src/sources/books/simhash.js';
import { gutenbergSource, pg19Source, selectBooks } from '../../../src/sources/books/source.js';
import { stripGutenberg } from '../../../src/sources/books/strip.js';
import type { SourceDef, SourceEnv } from '../../../src/pipeline/source.js';
import { runStep as runStandalone } from '../../../src/pipeline/standalone.js';
import type { Step } from '../../../src/pipeline/step.js';
import { collect, python, readContext, repoRoot, tempDir, testData } from '../../helpers.js';

const tmp = (prefix: string) => tempDir(`cm-${prefix}-`);

/** Runs a step over tasks (passes, then main) and returns its kept documents as one list. */
async function runStep(step: Step, tasks: Doc[][], stateDir: string) {
  const r = await runStandalone(step, tasks, { stateDir });
  return { kept: r.kept.flat(), dropped: r.dropped, counts: r.stats.counts };
}

const G = join(testData, 'gutenberg');

async function readSource(def: SourceDef, params: unknown, env: SourceEnv) {
  const p = def.params.parse(params);
  const remote = await def.list(p, env);
  const local = [];
  for (const r of remote) local.push(await env.fetcher.fetchFile(r));
  const tasks = await def.plan(local, p, env);
  const ctx = readContext();
  const docs: Doc[] = [];
  for (const t of tasks) docs.push(...(await collect(def.read(t, p, ctx))));
  return { docs, ctx, remote, tasks };
}

function envFor(fetcher: Fetcher, taskBytes = 1 << 26): SourceEnv {
  return { pipelineDir: repoRoot, outDir: tmp('books-out'), log: createLogger('t'), fetcher, taskBytes };
}

describe('gutenberg header and licence stripping', () => {
  for (const id of ['10089', '33956', '39397']) {
    it(`pg${id}: identical to c-w/gutenberg's expected clean text`, () => {
      const raw = readFileSync(join(G, 'c-w-raw-and-clean', `pg${id}.raw.txt`), 'utf8');
      const expected = readFileSync(join(G, 'c-w-raw-and-clean', `pg${id}.clean-expected.txt`), 'utf8');
      assert.equal(stripGutenberg(raw), expected);
    });
  }

  const eras: Array<[string, RegExp, RegExp]> = [
    ['244-0.txt', /^A STUDY IN SCARLET\./, /endearing epithet\.\]$/],
    ['48020.txt', /^\(http:\/\/www\.freeliterature\.org\)/, /END OF VOL\. I\.$/],
    ['pg42.txt', /^\[Editor's Note/, /Henry Jekyll to an end\.$/],
    ['pg64317-modern-2024-header.txt', /^The Great Gatsby/, /ceaselessly into\s+the past\.$/],
    ['pg84-modern-2020s-header.txt', /^Frankenstein;/, /lost in darkness and distance\.$/],
  ];
  for (const [file, start, end] of eras) {
    it(`${file}: header and licence gone, book intact`, () => {
      const out = stripGutenberg(readFileSync(join(G, file), 'utf8')).trim();
      assert.match(out, start);
      assert.match(out, end);
      assert.doesNotMatch(out, /\*\*\* ?(START|END) OF TH(E|IS) PROJECT GUTENBERG|FULL LICENSE|Foundation's EIN/i);
    });
  }
});

describe('gutenberg catalog', () => {
  it('reads quoted multi-line titles of the real pg_catalog.csv head', () => {
    const entries = parseCatalog(readFileSync(join(G, 'catalog', 'pg_catalog.head12.csv'), 'utf8'));
    assert.equal(entries.length, 12);
    assert.equal(entries[1]!.title, 'The United States Bill of Rights: The Ten Original Amendments to the Constitution of the United States');
    assert.deepEqual(entries[0]!.authors, ['Jefferson, Thomas, 1743-1826']);
    assert.equal(entries[0]!.issued, '1971-12-01');
  });

  it('reads the RDF catalog archive (tar.bz2 of 2015 records, plain tar of 2021 records)', async () => {
    const a = await readRdfArchive(join(G, 'catalog', 'c-w-sample-rdf-files.tar.bz2'));
    assert.deepEqual(
      a.map((e) => [e.id, e.languages.join(), e.type]),
      [
        [5, 'en', 'Text'],
        [2701, 'en', 'Text'],
        [14287, 'fr', 'Text'],
        [23962, 'zh', 'Text'],
        [30929, 'nl', 'Text'],
        [50405, 'en', 'Text'],
      ],
    );
    const moby = a.find((e) => e.id === 2701)!;
    assert.equal(moby.title, 'Moby Dick; Or, The Whale');
    assert.deepEqual(moby.authors, ['Melville, Herman']);
    assert.equal(moby.issued, '2001-07-01');
    const b = await readRdfArchive(join(G, 'catalog', 'pgrdf-rdf-files-test.tar'));
    assert.deepEqual(
      b.map((e) => [e.id, e.title]),
      [
        [1400, 'Great Expectations'],
        [11, "Alice's Adventures in Wonderland"],
      ],
    );
    assert.deepEqual(
      selectBooks(a, { languages: ['fr', 'nl'], types: ['Text'] }).map((e) => e.id),
      [14287, 30929],
    );
  });

  it('parses RFC 4180 quoting', () => {
    assert.deepEqual(parseCsv('a,"b ""q"", c",d\r\n"x\ny",z\n'), [
      ['a', 'b "q", c', 'd'],
      ['x\ny', 'z'],
    ]);
  });

  it('keeps a stray quote as text, and names file and line of an unclosed quote', () => {
    assert.deepEqual(parseCsv('\ufeffa,b"c\r\rd,e\r'), [
      ['a', 'b"c'],
      ['d', 'e'],
    ]);
    assert.throws(() => parseCatalog('Text#,Title\n1,ok\n2,"never closed\n3,x\n', 'cat.csv'), /^CorpusError: cat\.csv: line \d+: bad CSV: Quote Not Closed/);
  });

  it('selects by language and type, in id order', () => {
    const entries = parseCatalog(readFileSync(join(repoRoot, 'samples', 'gutenberg', 'pg_catalog.csv'), 'utf8'));
    assert.deepEqual(
      selectBooks(entries, { languages: ['en'], types: ['Text'] }).map((e) => e.id),
      [90001, 90002, 90004],
    );
    assert.deepEqual(
      selectBooks(entries, { languages: ['fr'], types: ['Text'] }).map((e) => e.id),
      [90003],
    );
  });
});

describe('gutenberg source', () => {
  it('reads the generated samples through file: URLs with catalog meta', async () => {
    const fetcher = new Fetcher({ cacheDir: tmp('books-cache'), baseDir: repoRoot });
    try {
      const { docs } = await readSource(
        gutenbergSource,
        { catalog_url: 'file:samples/gutenberg/pg_catalog.csv', mirror: 'file:samples/gutenberg/cache/epub/', languages: ['en', 'fr'] },
        envFor(fetcher),
      );
      assert.deepEqual(
        docs.map((d) => d.id),
        ['books/pg90001.txt/90001', 'books/pg90002.txt/90002', 'books/pg90003.txt/90003', 'books/pg90004.txt/90004'],
      );
      assert.deepEqual(docs[1]!.meta, {
        gutenberg_id: 90002,
        title: 'The Grey Town: A Winter Chronicle',
        authors: ['Sample, Ben'],
        language: 'en',
        issued: '2004-05-01',
        url: 'https://www.gutenberg.org/ebooks/90002',
      });
      for (const d of docs) {
        assert.doesNotMatch(d.text, /Project Gutenberg|SMALL PRINT|\*\*\*/, d.id);
        assert.ok(d.text.split('\n').length > 100, d.id);
      }
      // LF line endings, no blank lines left over at either end.
      assert.match(docs[0]!.text, /^LANTERNS OVER THE RIVER\n\nby Ada Example\n/);
      assert.match(docs[2]!.text, /^[A-Z][^\r]*[.,]\n$/);
    } finally {
      await fetcher.close();
    }
  });

  it('takes its catalog from an RDF archive as well (rdf-files.tar)', async () => {
    const rdf = (id: number, title: string, lang: string, type: string) =>
      `<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF xmlns:dcterms="http://purl.org/dc/terms/" xmlns:pgterms="http://www.gutenberg.org/2009/pgterms/" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` +
      `<pgterms:ebook rdf:about="ebooks/${id}"><dcterms:title>${title}</dcterms:title><dcterms:issued>2001-01-01</dcterms:issued>` +
      `<dcterms:creator><pgterms:agent rdf:about="2009/agents/1"><pgterms:name>Example, Ada</pgterms:name></pgterms:agent></dcterms:creator>` +
      `<dcterms:language><rdf:Description><rdf:value>${lang}</rdf:value></rdf:Description></dcterms:language>` +
      `<dcterms:type><rdf:Description><rdf:value>${type}</rdf:value></rdf:Description></dcterms:type></pgterms:ebook></rdf:RDF>\n`;
    const { default: tarStream } = await import('tar-stream');
    const pack = tarStream.pack();
    const chunks: Buffer[] = [];
    pack.on('data', (c: unknown) => chunks.push(c as Buffer));
    const end = new Promise<void>((r) => pack.on('end', () => r()));
    pack.entry({ name: 'cache/epub/90001/pg90001.rdf' }, rdf(90001, 'Lanterns (RDF title)', 'en', 'Text'));
    pack.entry({ name: 'cache/epub/90003/pg90003.rdf' }, rdf(90003, 'Le Pont', 'fr', 'Text'));
    pack.entry({ name: 'cache/epub/90005/pg90005.rdf' }, rdf(90005, 'Audio', 'en', 'Sound'));
    pack.finalize();
    await end;
    const dir = tmp('rdf');
    writeFileSync(join(dir, 'rdf-files.tar'), Buffer.concat(chunks));
    const fetcher = new Fetcher({ cacheDir: tmp('books-cache'), baseDir: repoRoot });
    try {
      const { docs } = await readSource(gutenbergSource, { catalog_url: `file://${join(dir, 'rdf-files.tar')}`, mirror: 'file:samples/gutenberg/cache/epub/' }, envFor(fetcher));
      assert.deepEqual(
        docs.map((d) => [d.meta.gutenberg_id, d.meta.title, d.meta.authors]),
        [[90001, 'Lanterns (RDF title)', ['Example, Ada']]],
      );
    } finally {
      await fetcher.close();
    }
  });

  it('downloads from an http mirror with at least min_interval_ms between requests to it', async () => {
    const root = join(repoRoot, 'samples', 'gutenberg');
    const starts: number[] = [];
    const server = createServer((req, res) => {
      starts.push(Date.now());
      try {
        res.end(readFileSync(join(root, req.url!.replace(/^\/mirror\//, 'cache/epub/').replace('/feeds/', '/'))));
      } catch {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const fetcher = new Fetcher({ cacheDir: tmp('books-cache'), retries: 0, concurrency: 4 });
    try {
      const { docs } = await readSource(gutenbergSource, { catalog_url: `${base}/feeds/pg_catalog.csv`, mirror: `${base}/mirror/`, min_interval_ms: 150 }, envFor(fetcher, 15_000));
      assert.equal(docs.length, 3);
      assert.equal(starts.length, 4);
      // The limit is set on the mirror's host (reserve() spacing is tested exactly below); arrival
      // times at the server only bound it loosely, since a loaded machine delays requests unevenly.
      assert.equal(fetcher.rateLimit.intervalFor(new URL(base).host), 150);
      assert.ok(starts[3]! - starts[1]! >= 150, `three book requests within ${starts[3]! - starts[1]!} ms`);
    } finally {
      await fetcher.close();
      server.close();
    }
  });

  it('the rate limiter hands out one slot per interval per host and leaves other hosts alone', () => {
    let now = 1000;
    const rl = new HostRateLimiter(() => now);
    rl.limit('a.example', 50);
    assert.equal(rl.reserve('http://b.example/x'), 0, 'unlimited host');
    assert.equal(rl.reserve('http://a.example/x'), 0, 'first request');
    assert.equal(rl.reserve('http://a.example/y'), 50, 'second request waits a full interval');
    assert.equal(rl.reserve('http://A.EXAMPLE/z'), 100, 'queued behind the second; host names are case-insensitive');
    now = 1200;
    assert.equal(rl.reserve('http://a.example/w'), 0, 'after a quiet spell no wait');
  });
});

describe('pg19 layout', () => {
  it('reads train/validation/test folders with metadata.csv', async () => {
    const root = tmp('pg19');
    for (const [split, id] of [
      ['train', '10146'],
      ['validation', '10068'],
      ['test', '10542'],
    ] as const) {
      mkdirSync(join(root, split), { recursive: true });
      writeFileSync(join(root, split, `${id}.txt`), `Book ${id} text.\n`);
    }
    writeFileSync(
      join(root, 'metadata.csv'),
      '10146,The Ancient Ballad of Chevy Chase,1900,http://www.gutenberg.org/ebooks/10146\n10068,"Wood, Sweet",1912,http://www.gutenberg.org/ebooks/10068\n',
    );
    const fetcher = new Fetcher({ cacheDir: tmp('pg19-cache') });
    try {
      const { docs } = await readSource(pg19Source, { root }, envFor(fetcher));
      assert.deepEqual(
        docs.map((d) => d.id),
        ['books/pg19/train/10146.txt/10146', 'books/pg19/validation/10068.txt/10068', 'books/pg19/test/10542.txt/10542'],
      );
      assert.equal(docs[0]!.meta.short_book_title, 'The Ancient Ballad of Chevy Chase');
      assert.equal(docs[0]!.meta.publication_date, 1900);
      assert.equal(docs[1]!.meta.title, 'Wood, Sweet');
      assert.equal(docs[2]!.meta.url, 'https://www.gutenberg.org/ebooks/10542');
    } finally {
      await fetcher.close();
    }
  });
});

describe('book near-duplicates', () => {
  const SIMHASH_PY = join(import.meta.dirname, 'reference', 'rp_simhash.py');

  it("SimHash equals RedPajama's (md5 last 8 bytes, 6-grams of \\w-only lower text), computed by Python", () => {
    const texts = ['', 'abc', 'Hello, World!  Tabs\tand_underscores_1234.', 'Ünïcödé 日本語のテキスト — emoji 😀 ok', readFileSync(join(G, 'pg42.txt'), 'utf8').slice(0, 30_000)];
    const dir = tmp('simhash');
    const input = join(dir, 'texts.json');
    writeFileSync(input, JSON.stringify(texts));
    const ref = JSON.parse(python(SIMHASH_PY, [input])) as string[];
    assert.deepEqual(
      texts.map((t) => simhash64(t)),
      ref,
    );
  });

  it('bucket keys are RedPajama SimhashIndex keys (6 blocks at bit offsets 0,10,…,50)', () => {
    assert.deepEqual(simhashBucketKeys('ffffffffffffffff'), ['3ff:0', '3ff:1', '3ff:2', '3ff:3', '3ff:4', '3fff:5']);
    assert.deepEqual(simhashBucketKeys('0000000000000401'), ['1:0', '1:1', '0:2', '0:3', '0:4', '0:5']);
    assert.equal(hamming64('0000000000000000', '8000000000000011'), 3);
  });

  it('MinHash estimates Jaccard: an edition with a few changed words is >0.9, a different book far below', () => {
    const a = stripGutenberg(readFileSync(join(repoRoot, 'samples', 'gutenberg', 'cache', 'epub', '90001', 'pg90001.txt'), 'utf8'));
    const b = stripGutenberg(readFileSync(join(repoRoot, 'samples', 'gutenberg', 'cache', 'epub', '90004', 'pg90004.txt'), 'utf8'));
    const c = stripGutenberg(readFileSync(join(repoRoot, 'samples', 'gutenberg', 'cache', 'epub', '90002', 'pg90002.txt'), 'utf8'));
    assert.ok(estimatedJaccard(minhashSignature(a)!, minhashSignature(b)!) > 0.9);
    assert.ok(estimatedJaccard(minhashSignature(a)!, minhashSignature(c)!) < 0.5);
    assert.equal(minhashSignature('four words only here'), null, 'fewer than 5 words: no signature (RPv2: null)');
    assert.ok(hamming64(simhash64(a), simhash64(b)) <= 5);
    assert.ok(hamming64(simhash64(a), simhash64(c)) > 5);
  });

  let books: Promise<Doc[]> | undefined;
  /** The sample's Gutenberg books (en, fr), read once. */
  const sampleBooks = () =>
    (books ??= (async () => {
      const fetcher = new Fetcher({ cacheDir: tmp('books-cache'), baseDir: repoRoot });
      try {
        return (
          await readSource(
            gutenbergSource,
            { catalog_url: 'file:samples/gutenberg/pg_catalog.csv', mirror: 'file:samples/gutenberg/cache/epub/', languages: ['en', 'fr'] },
            envFor(fetcher),
          )
        ).docs;
      } finally {
        await fetcher.close();
      }
    })());
  const nearDedup = () => bookNearDedupStep.create(bookNearDedupStep.params.parse({}), undefined as never);

  it('the step removes the later edition, links it to its survivor, whatever the task split', async () => {
    const docs = await sampleBooks();
    const results = [];
    for (const split of [[docs], [docs.slice(2), docs.slice(0, 2)], docs.map((d) => [d])]) {
      results.push(await runStep(await nearDedup(), split, tmp('near-dedup')));
    }
    for (const r of results) {
      assert.deepEqual(
        r.dropped.map((d) => [d.doc.id, d.reason, d.doc.meta.dedup]),
        [['books/pg90004.txt/90004', 'near_duplicate_book', { cluster_id: 'books/pg90001.txt/90001', cluster_size: 2, duplicate_of: 'books/pg90001.txt/90001', method: 'both' }]],
      );
      const survivor = r.kept.find((d) => d.id === 'books/pg90001.txt/90001')!;
      assert.deepEqual(survivor.meta.dedup, { cluster_id: 'books/pg90001.txt/90001', cluster_size: 2 });
      assert.equal(r.kept.length, 3);
      assert.equal(r.counts.books_to_remove, 1);
    }
  });

  it('a book exact_dedup or minhash_dedup clustered first keeps that result; this step adds its own under meta.dedup.book_near_dedup', async () => {
    const docs = await sampleBooks();
    const A = 'books/pg90001.txt/90001';
    const B = 'books/pg90004.txt/90004';
    const a = docs.find((d) => d.id === A)!;
    const b = docs.find((d) => d.id === B)!;
    // copies' ids sort after the original's, so the original survives exact and MinHash dedup
    const copy = (d: Doc, n: number): Doc => ({ ...d, id: `${d.id}/copy${n}`, meta: { ...d.meta } });

    const exact = await runStep(exactDedupStep(exactDedupDef.params.parse({ buckets: 2 })), [[...docs, copy(a, 1), copy(a, 2), copy(b, 1)]], tmp('exact'));
    assert.deepEqual(exact.dropped.map((d) => d.doc.id).sort(), [`${A}/copy1`, `${A}/copy2`, `${B}/copy1`]);
    const afterExact = await runStep(await nearDedup(), [exact.kept], tmp('near-after-exact'));
    assert.deepEqual(
      afterExact.dropped.map((d) => [d.doc.id, d.reason, d.doc.meta.dedup]),
      [[B, 'near_duplicate_book', { cluster_id: B, cluster_size: 2, book_near_dedup: { cluster_id: A, cluster_size: 2, duplicate_of: A, method: 'both' } }]],
    );
    assert.deepEqual(afterExact.kept.find((d) => d.id === A)!.meta.dedup, { cluster_id: A, cluster_size: 3, book_near_dedup: { cluster_id: A, cluster_size: 2 } });

    // MinHash first (pg90004 joins from another input afterwards, so only this step sees the pair)
    const minhash = await runStep(minhashDedupStep(minhashDedupDef.params.parse({})), [[...docs.filter((d) => d.id !== B), copy(a, 1), copy(a, 2)]], tmp('minhash'));
    assert.deepEqual(minhash.dropped.map((d) => d.doc.id).sort(), [`${A}/copy1`, `${A}/copy2`]);
    const afterMinhash = await runStep(await nearDedup(), [[...minhash.kept, b]], tmp('near-after-minhash'));
    assert.deepEqual(afterMinhash.kept.find((d) => d.id === A)!.meta.dedup, { cluster_id: A, cluster_size: 3, book_near_dedup: { cluster_id: A, cluster_size: 2 } });
    // pg90004 was clustered by no earlier step: the flat fields, as when this step runs alone
    assert.deepEqual(
      afterMinhash.dropped.map((d) => [d.doc.id, d.doc.meta.dedup]),
      [[B, { cluster_id: A, cluster_size: 2, duplicate_of: A, method: 'both' }]],
    );
  });

  it('one cluster across book sets, the survivor is the lowest Gutenberg id (QUIRK fixed: RedPajama ids collided across sets)', () => {
    // RedPajama numbered each set from "0", so PG-19's book 0 and Books3's book 0 shared keep/drop
    // decisions; here ids are provenance ids, unique across sets, and only real duplicates cluster.
    const base = readFileSync(join(G, 'pg42.txt'), 'utf8').slice(5000, 45_000);
    const mk = (id: string, gid: number | undefined, text: string): Doc => ({ id, text, source: 'books', meta: gid === undefined ? {} : { gutenberg_id: gid } });
    const docs = [
      mk('books/pg19/train/500.txt/500', 500, base),
      mk('books/pg42.txt/42', 42, `${base} An added closing line of no consequence.`),
      mk('books/books3/0', undefined, base.replace('Utterson', 'Uterson')),
      mk('books/pg19/train/0.txt/0', 0, readFileSync(join(G, '244-0.txt'), 'utf8').slice(5000, 45_000)),
    ];
    const c = findClusters(
      docs.map((d) => bookSignature(d, { simhash: true, minhash: true })),
      { simhash_max_hamming: 5, overlap_threshold: 0.9 },
    );
    assert.deepEqual(c.duplicate_of, { 'books/pg19/train/500.txt/500': 'books/pg42.txt/42', 'books/books3/0': 'books/pg42.txt/42' });
    assert.equal(c.cluster['books/pg19/train/0.txt/0'], undefined);
  });
});
