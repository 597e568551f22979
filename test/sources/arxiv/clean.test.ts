/** The corpusmill LaTeX cleaner rule by rule: comments, macros, bounds, main file and \input. */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { cleanLatex, commentStart, cutPreamble, cutTail, newCleanStats, stripCommentBlocks, stripComments } from '../../../src/sources/arxiv/clean.js';
import { collectMacros, expandMacros, MAX_GROUP_CHARS, readGroup, type MacroDef } from '../../../src/sources/arxiv/macros.js';
import { cleanPaper, decodeTex, findMainFile, looksLikeTar } from '../../../src/sources/arxiv/project.js';
import { formatArxivId } from '../../../src/sources/arxiv/redpajama-cleaner.js';

const macrosOf = (tex: string) => {
  const m = new Map<string, MacroDef>();
  collectMacros(tex, m);
  return m;
};
const expand = (defs: string, text: string) => expandMacros(text, macrosOf(defs));
const files = (entries: Record<string, string>) => Object.entries(entries).map(([path, t]) => ({ path, data: Buffer.from(t) }));

describe('comments', () => {
  it('finds the first % not escaped by an odd run of backslashes', () => {
    assert.equal(commentStart('50\\% done % note'), 10);
    assert.equal(commentStart('line\\\\% note'), 6);
    assert.equal(commentStart('\\\\\\% text'), -1);
  });
  it('drops comment-only lines with their newline, keeps the text before an inline comment', () => {
    assert.equal(stripComments('a\n% whole\n  % indented\nb % tail\nc%\nd'), 'a\nb \nc\nd');
  });
  it('removes comment environments and \\iffalse blocks with nested \\if…\\fi', () => {
    assert.equal(stripCommentBlocks('a\\begin{comment}x\\end{comment}b\\iffalse y \\ifx\\a\\b z\\fi w\\fi c'), 'ab c');
  });
});

describe('preamble and tail', () => {
  it('starts at the first sectioning command, \\paragraph included', () => {
    assert.equal(cutPreamble('\\title{T}\\maketitle\n\\paragraph*[short]{Long} x'), '\\paragraph*[short]{Long} x');
    assert.equal(cutPreamble('\\sectionmark{x} no header'), null);
  });
  it('ends at the bibliography or the appendix', () => {
    assert.equal(cutTail('body\n\\printbibliography\nrefs'), 'body\n');
    assert.equal(cutTail('body\n\\bibliography{refs}'), 'body\n');
    assert.equal(cutTail('body\n\\appendix\n\\section{A}'), 'body\n');
  });
});

describe('macros', () => {
  it('expands arguments, optional defaults, \\def parameters and math operators', () => {
    assert.equal(expand('\\newcommand{\\pair}[2]{(#1,#2)}', '\\pair{a}{b} \\pair x y'), '(a,b) (x,y)');
    assert.equal(expand('\\newcommand\\opt[2][d]{#1-#2}', '\\opt{x} \\opt[o]{x}'), 'd-x o-x');
    assert.equal(expand('\\def\\sq#1{#1^2}', '$\\sq{n}$'), '$n^2$');
    assert.equal(expand('\\DeclareMathOperator*{\\am}{arg\\,max}', '\\am_x'), '\\operatorname*{arg\\,max}_x');
    assert.equal(expand('\\newcommand{\\a}{A}\\newcommand{\\b}{\\a\\a}', '\\b.'), 'AA.');
  });
  it('\\renewcommand overrides, \\providecommand does not, delimited \\def is skipped and counted', () => {
    const stats = newCleanStats();
    const m = new Map<string, MacroDef>();
    collectMacros('\\newcommand{\\x}{1}\\renewcommand{\\x}{2}\\providecommand{\\x}{3}\\def\\d#1.{#1}', m, stats);
    assert.equal(m.get('x')!.body, '2');
    assert.equal(m.has('d'), false);
    assert.equal(stats.skipped, 1);
  });
  it('leaves \\\\name (a line break, then text) and definitions themselves alone', () => {
    assert.equal(expand('\\newcommand{\\name}{N}', 'a\\\\name \\name'), 'a\\\\name N');
    assert.equal(expand('\\newcommand{\\x}{X}', '\\renewcommand{\\x}{Y} \\x'), '\\renewcommand{\\x}{Y} X');
  });
  it('stops a self-referencing macro at the depth bound and an exponential one at the growth bound', () => {
    const stats = newCleanStats();
    const self = expandMacros('\\a.', macrosOf('\\def\\a{x\\a}'), stats);
    assert.match(self, /^x+\\a\.$/);
    assert.equal(stats.capped, 1);
    const bomb = macrosOf(
      '\\def\\a{xxxxxxxxxx}\\def\\b{\\a\\a\\a\\a\\a\\a\\a\\a}\\def\\c{\\b\\b\\b\\b\\b\\b\\b\\b}\\def\\d{\\c\\c\\c\\c\\c\\c\\c\\c}\\def\\e{\\d\\d\\d\\d\\d\\d\\d\\d}\\def\\f{\\e\\e\\e\\e\\e\\e\\e\\e}\\def\\g{\\f\\f\\f\\f\\f\\f\\f\\f}',
    );
    const s2 = newCleanStats();
    const out = expandMacros('\\g \\g \\g', bomb, s2);
    assert.ok(out.length <= 3 * 10 + (1 << 20) + 100, `grew to ${out.length}`);
    assert.equal(s2.capped, 1);
  });
  it('treats a group longer than MAX_GROUP_CHARS as unbalanced', () => {
    assert.equal(readGroup(`{${'x'.repeat(MAX_GROUP_CHARS)}}`, 0), null);
    assert.deepEqual(readGroup('{a{b}c}d', 0), { inner: 'a{b}c', end: 7 });
  });
});

describe('projects', () => {
  it('picks the main file and inlines \\input recursively, ignoring cycles and missing files', () => {
    const r = cleanPaper(
      files({
        'sec/a.tex': '\\section{A}\nA text.\n\\input{sec/b}\n',
        'sec/b.tex': 'B text.\n\\input{sec/a}\n\\input{missing}\n',
        'paper.tex': '\\documentclass{article}\\begin{document}\n\\input{sec/a}\n\\end{document}\n',
        'notes.tex': '\\section{Notes}\nNot part of the paper.\n',
      }),
    );
    assert.equal(r.mainFile, 'paper.tex');
    assert.equal(r.text, '\\section{A}\nA text.\n\nB text.\n');
    assert.equal(r.missingInputs, 1);
  });
  it('resolves an \\input relative to the including file when the root has no such file', () => {
    const r = cleanPaper(
      files({
        'paper/main.tex': '\\documentclass{article}\\begin{document}\n\\section{S}\n\\input{part}\n\\end{document}\n',
        'paper/part.tex': 'Part text.\n',
      }),
    );
    assert.equal(r.text, '\\section{S}\n\nPart text.\n');
  });
  it('without a main file cleans every .tex on its own, macros shared', () => {
    const r = cleanPaper(files({ 'b.tex': '\\section{B}\n\\m\n', 'a.tex': '\\newcommand{\\m}{M}\n\\section{A}\n' }));
    assert.equal(r.mainFile, null);
    assert.equal(r.text, '\\section{A}\n\n\\section{B}\nM\n');
  });
  it('prefers \\documentclass + \\begin{document}, then the top level', () => {
    const t = new Map([
      ['sub/main.tex', '\\documentclass{a}\\begin{document}'],
      ['main.tex', '\\documentclass{a}\\begin{document}'],
      ['style.tex', '\\documentclass{a}'],
    ]);
    assert.equal(findMainFile(t), 'main.tex');
  });
  it('decodes UTF-8 with a BOM, else Latin-1, and normalises CRLF', () => {
    assert.deepEqual(decodeTex(Buffer.from('\ufeffa\r\nb', 'utf8')), { text: 'a\nb', latin1: false });
    assert.deepEqual(decodeTex(Buffer.from([0x63, 0x61, 0x66, 0xe9])), { text: 'café', latin1: true });
  });
  it('recognises a tar by its header checksum, not by its name', () => {
    const header = Buffer.alloc(512);
    header.write('a.tex', 0);
    header.write('0000644\0', 100);
    header.write('00000000000\0', 124);
    header.fill(' ', 148, 156);
    let sum = 0;
    for (const b of header) sum += b;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    assert.equal(looksLikeTar(header), true);
    assert.equal(looksLikeTar(Buffer.from('\\documentclass{article}'.padEnd(600, ' '))), false);
  });
  it('formats old-style ids with their archive', () => {
    assert.equal(formatArxivId('hep-th9901001'), 'hep-th/9901001');
    assert.equal(formatArxivId('2301.00001'), '2301.00001');
  });
  it('a whole document end to end', () => {
    const tex = '\\documentclass{article}\n\\newcommand{\\R}{\\mathbb{R}}\n\\begin{document}\n\\section{Intro}\n$x\\in\\R$% real\n\n\n\n\\bibliography{b}\n\\end{document}\n';
    assert.equal(cleanLatex(tex), '\\section{Intro}\n$x\\in\\mathbb{R}$\n');
  });
});
