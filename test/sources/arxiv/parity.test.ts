/**
 * Parity with RedPajama's arXiv cleaner. test/sources/arxiv/reference/rp_arxiv_clean.py re-expresses the
 * reference regexes with Python's own `re` (Debian /usr/bin/python3). Two claims are checked:
 * 1. the `redpajama` cleaner gives byte-identical output (or the same failure) on every real paper
 *    in test/data/arxiv and on the generated sample tar;
 * 2. the `corpusmill` cleaner differs from it only by the QUIRKs we fixed: each fix is shown on a
 *    small paper where Python's output is the reference behaviour and ours is the fixed one.
 */
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { readTar } from '../../../src/io/tar.js';
import { cleanPaper, cleanPaperRedPajama, openPaper } from '../../../src/sources/arxiv/project.js';
import { RedPajamaMacroError } from '../../../src/sources/arxiv/redpajama-cleaner.js';
import { stripComments } from '../../../src/sources/arxiv/clean.js';
import { collectMacros, expandMacros, type MacroDef } from '../../../src/sources/arxiv/macros.js';
import { python, repoRoot, tempDir, testData } from '../../helpers.js';

const tmp = (prefix: string) => tempDir(`cm-${prefix}-`);

const SCRIPT = join(import.meta.dirname, 'reference', 'rp_arxiv_clean.py');

async function ours(path: string): Promise<{ rp: string | null; cm: string }> {
  const opened = await openPaper(readFileSync(path), path, 1 << 28);
  let rp: string | null;
  try {
    rp = cleanPaperRedPajama(opened);
  } catch (e) {
    if (!(e instanceof RedPajamaMacroError)) throw e;
    rp = null;
  }
  return { rp, cm: cleanPaper(opened.files).text };
}

function reference(paths: string[]): Record<string, string | null> {
  return JSON.parse(python(SCRIPT, paths)) as Record<string, string | null>;
}

async function tarBuffer(entries: Array<[string, string | Buffer]>): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const end = new Promise<void>((r) => pack.on('end', () => r()));
  for (const [name, data] of entries) pack.entry({ name, mtime: new Date(0) }, typeof data === 'string' ? Buffer.from(data) : data);
  pack.finalize();
  await end;
  return Buffer.concat(chunks);
}

describe('arXiv cleaner parity with RedPajama (Python re on the same files)', () => {
  it('the redpajama cleaner matches byte for byte on the real papers and the generated tar', async () => {
    const dir = tmp('arxiv-parity');
    const paths: string[] = [];
    for (const id of ['1707.08043', '1708.00137', '1803.07574']) {
      const p = join(dir, `${id}.gz`);
      writeFileSync(p, gzipSync(readFileSync(join(testData, 'arxiv', 'engrafo-papers', id, 'main.tex'))));
      paths.push(p);
    }
    const alc = join(dir, 'latex-cleaner.gz');
    writeFileSync(alc, gzipSync(readFileSync(join(testData, 'arxiv', 'arxiv-latex-cleaner-test_data', 'main.tex'))));
    paths.push(alc, join(testData, 'arxiv', 'arXiv-eprint-1911.02782.tar.gz'), join(testData, 'arxiv', 'arXiv-eprint-2004.14974.nofigures.tar.gz'));
    for await (const m of readTar(Readable.from([readFileSync(join(repoRoot, 'samples', 'arxiv', 'arXiv_src_2301_001.tar'))]), { label: 'sample' })) {
      if (!m.path.endsWith('.gz')) continue;
      const p = join(dir, m.path.replace('/', '_'));
      writeFileSync(p, m.data);
      paths.push(p);
    }
    const ref = reference(paths);
    let texts = 0;
    for (const p of paths) {
      const { rp } = await ours(p);
      assert.equal(rp, ref[p], `redpajama cleaner differs from Python on ${p}`);
      if (rp) texts++;
    }
    // Not a vacuous comparison: several papers do produce text, and the known failures fail.
    assert.ok(texts >= 4, `only ${texts} papers produced text`);
    assert.equal(ref[paths[0]!], null, '1707.08043 is Latin-1: RedPajama drops it');
    assert.equal(ref[join(testData, 'arxiv', 'arXiv-eprint-2004.14974.nofigures.tar.gz')], null, 'AppleDouble ._*.tex files make RedPajama drop the paper');
  });

  it('on real papers without macro uses or glued comments, the cleaners agree up to blank-line tidying', async () => {
    // 1803.07574 and 1911.02782 hit none of the fixed QUIRKs (their non-argument macros expand the
    // same way), so the only difference left is squeezeBlankLines (trailing blanks, blank runs).
    const dir = tmp('arxiv-agree');
    const single = join(dir, '1803.07574.gz');
    writeFileSync(single, gzipSync(readFileSync(join(testData, 'arxiv', 'engrafo-papers', '1803.07574', 'main.tex'))));
    const paths = [single, join(testData, 'arxiv', 'arXiv-eprint-1911.02782.tar.gz')];
    const ref = reference(paths);
    const tidy = (s: string) =>
      s
        .replace(/[ \t]+(?=\n|$)/g, '')
        .replace(/\n{3,}/g, '\n\n')
        .replace(/^\n+|\n+$/g, '');
    for (const p of paths) {
      const { cm } = await ours(p);
      assert.ok(ref[p] && ref[p]!.length > 20_000);
      assert.notEqual(cm, ref[p], 'the comparison is not vacuous: whitespace does differ');
      assert.equal(tidy(cm), tidy(ref[p]!), p);
    }
  });

  it('1708.00137: every line that differs from RedPajama is explained by QUIRK 3, 4 or 10', async () => {
    // Undo on RedPajama's output what can be undone (QUIRK 4: the kept trailing %, QUIRK 10: the
    // unexpanded \\DeclareMathOperator and argument macros, expanded with the paper's own
    // definitions); what is left must be QUIRK 3: our line is theirs plus the one character their
    // inline-comment regex ate.
    const raw = readFileSync(join(testData, 'arxiv', 'engrafo-papers', '1708.00137', 'main.tex'));
    const dir = tmp('arxiv-1708');
    const path = join(dir, '1708.00137.gz');
    writeFileSync(path, gzipSync(raw));
    const rp = reference([path])[path]!;
    const { cm } = await ours(path);
    const defs = new Map<string, MacroDef>();
    collectMacros(stripComments(raw.toString('utf8')), defs);
    const tidy = (s: string) =>
      s
        .replace(/[ \t]+(?=\n|$)/g, '')
        .replace(/\n{3,}/g, '\n\n')
        .replace(/^\n+|\n+$/g, '');
    const rpFixed = tidy(expandMacros(rp.replace(/(?<!\\)%$/gm, ''), defs)).split('\n');
    const cmLines = tidy(cm).split('\n');
    assert.equal(rpFixed.length, cmLines.length);
    let quirk3 = 0;
    for (const [i, line] of cmLines.entries()) {
      if (line === rpFixed[i]) continue;
      assert.ok(line.startsWith(rpFixed[i]!) && line.length === rpFixed[i]!.length + 1, `line ${i + 1}: ${JSON.stringify(rpFixed[i])} vs ${JSON.stringify(line)}`);
      quirk3++;
    }
    assert.ok(quirk3 > 0, 'the paper does show QUIRK 3');
    assert.notEqual(tidy(rp), tidy(cm));
  });

  // Each QUIRK: a paper where the reference (Python) shows the quirk and the corpusmill cleaner the fix.
  const doc = (body: string, preamble = '') => `\\documentclass{article}\n${preamble}\\begin{document}\n${body}\n\\end{document}\n`;
  const cases: Array<{ quirk: string; tex: string | Buffer; rp: (t: string | null) => void; cm: (t: string) => void }> = [
    {
      quirk: 'broken \\paragraph alternative: a paper whose only headers are \\paragraph loses everything',
      tex: doc('\\paragraph{Setting} We study things.'),
      rp: (t) => assert.equal(t, ''),
      cm: (t) => assert.match(t, /^\\paragraph\{Setting\} We study things\./),
    },
    {
      quirk: 'a commented-out %\\section counts as the first header',
      tex: doc('%\\section{Draft}\nPreamble-ish text.\n\\section{Real}\nBody.'),
      rp: (t) => assert.match(t!, /^\\section\{Draft\}/),
      cm: (t) => assert.match(t, /^\\section\{Real\}\nBody\.\n?$/),
    },
    {
      quirk: 'inline comment removal eats the character before %',
      tex: doc('\\section{A}\nThe end.% remark'),
      rp: (t) => assert.match(t!, /The end\n/),
      cm: (t) => assert.match(t, /The end\.\n?$/),
    },
    {
      quirk: 'a % at the end of a line (nothing after it) stays',
      tex: doc('\\section{A}\nglued%\nword'),
      rp: (t) => assert.match(t!, /glued%\nword/),
      cm: (t) => assert.match(t, /glued\nword/),
    },
    {
      quirk: 'a comment after a \\\\ line break is kept',
      tex: doc('\\section{A}\nline\\\\% secret note'),
      rp: (t) => assert.match(t!, /secret note/),
      cm: (t) => assert.doesNotMatch(t, /secret note/),
    },
    {
      quirk: 'a macro at the very end of a file is not expanded',
      tex: '\\newcommand{\\sys}{Mill}\n\\section{A}\nWe built \\sys',
      rp: (t) => assert.match(t!, /We built \\sys$/),
      cm: (t) => assert.match(t, /We built Mill$/),
    },
    {
      quirk: 'back-to-back uses: the second of \\x\\x is not expanded',
      tex: doc('\\section{A}\n\\ab\\ab done', '\\newcommand{\\ab}{AB}\n'),
      rp: (t) => assert.match(t!, /AB\\ab done/),
      cm: (t) => assert.match(t, /ABAB done/),
    },
    {
      quirk: 'definitions must end at a line end, so CRLF files get no macros',
      tex: doc('\\section{A}\nWe use \\sys.', '\\newcommand{\\sys}{Mill}\n').replace(/\n/g, '\r\n'),
      rp: (t) => assert.match(t!, /We use \\sys\./),
      cm: (t) => assert.match(t, /We use Mill\./),
    },
    {
      quirk: 'a macro whose value is not ASCII makes Python re fail and the paper is dropped',
      tex: doc('\\section{A}\nSee \\name.', '\\newcommand{\\name}{Gödel}\n'),
      rp: (t) => assert.equal(t, null),
      cm: (t) => assert.match(t, /See Gödel\./),
    },
    {
      quirk: 'macros with arguments (and optional defaults) are not expanded',
      tex: doc('\\section{A}\n$\\norm{x} + \\lossf{y} + \\lossf[w]{z}$', '\\newcommand{\\norm}[1]{\\|#1\\|}\n\\newcommand{\\lossf}[2][\\theta]{L_{#1}(#2)}\n'),
      rp: (t) => assert.match(t!, /\\norm\{x\} \+ \\lossf\{y\} \+ \\lossf\[w\]\{z\}/),
      cm: (t) => assert.match(t, /\\\|x\\\| \+ L_\{\\theta\}\(y\) \+ L_\{w\}\(z\)/),
    },
    {
      quirk: '\\renewcommand and \\DeclareMathOperator are not read',
      tex: doc('\\section{A}\n$\\Tr(\\rho)$ and \\vec{v}', '\\DeclareMathOperator{\\Tr}{Tr}\n\\renewcommand{\\vec}[1]{\\mathbf{#1}}\n'),
      rp: (t) => assert.match(t!, /\\Tr\(\\rho\)\$ and \\vec\{v\}/),
      cm: (t) => assert.match(t, /\\operatorname\{Tr\}\(\\rho\)\$ and \\mathbf\{v\}/),
    },
    {
      quirk: 'a non-UTF-8 (Latin-1) file drops the whole paper',
      tex: Buffer.from(doc('\\section{A}\nCaf\xe9.'), 'latin1'),
      rp: (t) => assert.equal(t, null),
      cm: (t) => assert.match(t, /Café\./),
    },
  ];

  it('differs from the reference only where a QUIRK is fixed (each shown against Python)', async () => {
    const dir = tmp('arxiv-quirks');
    const paths = cases.map((c, i) => {
      const p = join(dir, `quirk${i}.gz`);
      writeFileSync(p, gzipSync(typeof c.tex === 'string' ? Buffer.from(c.tex) : c.tex));
      return p;
    });
    // Archive order versus document order: RedPajama joins every .tex in archive order.
    const project = join(dir, 'order.gz');
    writeFileSync(
      project,
      gzipSync(
        await tarBuffer([
          ['results.tex', '\\section{Results}\nSecond.\n'],
          ['draft.tex', '\\section{Old draft}\nUnused.\n'],
          ['main.tex', doc('\\section{Intro}\nFirst.\n\\input{results}')],
        ]),
      ),
    );
    const ref = reference([...paths, project]);
    for (const [i, c] of cases.entries()) {
      const got = await ours(paths[i]!);
      assert.equal(got.rp, ref[paths[i]!], `redpajama cleaner differs from Python for: ${c.quirk}`);
      c.rp(ref[paths[i]!]!);
      c.cm(got.cm);
    }
    const order = await ours(project);
    assert.equal(order.rp, ref[project]);
    assert.match(ref[project]!, /^\\section\{Results\}[\s\S]*\\section\{Old draft\}[\s\S]*\\section\{Intro\}/);
    assert.match(order.cm, /^\\section\{Intro\}\nFirst\.\n\n?\\section\{Results\}\nSecond\.\n?$/);
  });
});
