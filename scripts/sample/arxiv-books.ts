/**
 * Writes the small generated inputs of the ArXiv and Books sources (committed; read by
 * pipelines/sample.yaml through file: URLs and by the tests):
 *   samples/arxiv/arXiv_src_2301_001.tar  a monthly source tar of gzipped papers: a single file
 *     with argument macros, a multi-file project (\input, \include, macOS junk, .bbl, an unused
 *     draft), a comment-heavy file, a Latin-1 file and a PDF-only submission;
 *   samples/gutenberg/  Gutenberg-style plain texts in three header styles (one a near-duplicate
 *     edition of another), their pg_catalog.csv, and cache/epub/<id>/pg<id>.txt as the mirror lays
 *     them out.
 * Output is byte-identical on every run (fixed mtimes, gzip without a timestamp).
 * Run through `npm run make-sample`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { rng } from './rng.js';

const MTIME = new Date('2023-01-02T03:04:05Z');

async function tarOf(entries: Array<{ name: string; data: Buffer | string; mtime?: Date }>): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((r) => pack.on('end', () => r()));
  for (const e of entries) {
    const data = typeof e.data === 'string' ? Buffer.from(e.data, 'utf8') : e.data;
    pack.entry({ name: e.name, size: data.length, mtime: e.mtime ?? MTIME, mode: 0o644, uid: 0, gid: 0, uname: '', gname: '' }, data);
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

const gz = (b: Buffer | string) => gzipSync(typeof b === 'string' ? Buffer.from(b, 'utf8') : b, { level: 9 });

// --- ArXiv -------------------------------------------------------------------------------------

const singleFile = String.raw`\documentclass{article}
\usepackage{amsmath}
\newcommand{\R}{\mathbb{R}}
\newcommand{\norm}[1]{\left\lVert #1 \right\rVert}
\newcommand{\inner}[2]{\langle #1, #2 \rangle}
\newcommand{\loss}[2][\theta]{\mathcal{L}_{#1}(#2)}
\DeclareMathOperator*{\argmin}{arg\,min}
\renewcommand{\vec}[1]{\mathbf{#1}}
\def\eps{\varepsilon}
\title{Norms of Small Things}
\begin{document}
\maketitle
\begin{abstract}
We study norms.
\end{abstract}
\section{Introduction}
Let $x \in \R^n$. We write $\norm{x}$ for its norm and $\inner{x}{y}$ for the inner product,
so that $\norm{x}^2 = \inner{x}{x}$. The loss $\loss{x}$ and the tuned loss $\loss[\phi]{x}$ are
minimised by $\argmin_{\vec{w}} \loss{\vec{w}}$ up to $\eps$.
\section{Results}
For every $\eps > 0$ there is $\vec{v}$ with $\norm{\vec{v}} < \eps$.
\bibliographystyle{plain}
\bibliography{refs}
\end{document}
`;

const mainTex = String.raw`\documentclass[11pt]{article}
\input{commands}
\title{A Multi-File Project}
\begin{document}
\maketitle
\input{sections/abstract}
\input{sections/intro.tex}
\include{sections/method}
% \input{old_intro}
\section{Conclusion}
We conclude that \sys works.
\appendix
\section{Proofs}
Long proofs nobody reads.
\end{document}
`;
const commandsTex = String.raw`\newcommand{\sys}{\textsc{Mill}\xspace}
\newcommand\todo[1]{\textcolor{red}{TODO: #1}}
\newcommand{\cite2}{not a macro name}
`;
const abstractTex = String.raw`\begin{abstract}
The abstract sits before the first section and goes with the preamble.
\end{abstract}
`;
const introTex = String.raw`\section{Introduction}
This paper presents \sys, a system for milling corpora.\todo{add numbers}
`;
const methodTex = String.raw`\section{Method}
\sys reads tars in document order, not archive order.
\input{sections/table}
`;
const tableTex = String.raw`\begin{tabular}{ll}
a & b \\
\end{tabular}
`;
const oldIntro = String.raw`\section{Old Introduction}
This draft is not part of the paper.
`;
const appleDouble = Buffer.concat([
  Buffer.from([0x00, 0x05, 0x16, 0x07, 0x00, 0x02, 0x00, 0x00]),
  Buffer.from('Mac OS X        ', 'latin1'),
  Buffer.from([0x00, 0x02, 0xa2, 0xff, 0xfe, 0x00]),
]);
const bbl = String.raw`\begin{thebibliography}{1}
\bibitem{a} A. Author. A paper. 2020.
\end{thebibliography}
`;

const commentHeavy = String.raw`\documentclass{article}
% \section{This commented-out header must not start the text}
\begin{document}
%\section{Neither must this one}
\section{Comments}
Half of this line stays.% and this comment goes
Fifty percent: 50\% of the line is text.
A line break then a comment: end\\% comment after a line break
Glued words: word%
continues on the next line.
   % an indented comment line
\begin{comment}
A comment environment.
\end{comment}
\iffalse
Switched-off text \ifx\a\b nested \fi still off.
\fi
The end.
\end{document}
`;

const latin1Paper = Buffer.from(
  `${String.raw`\documentclass{article}
\begin{document}
\paragraph{R\'esum\'e} Cette \'etude est \'ecrite en Latin-1: caf`}\xe9, na\xefve, \xe0 bient\xf4t.\n\\end{document}\n`,
  'latin1',
);

export async function makeArxivSample(root: URL): Promise<void> {
  const project = await tarOf([
    { name: 'main.tex', data: mainTex },
    { name: '._main.tex', data: appleDouble },
    { name: '.DS_Store', data: Buffer.from([0, 0, 0, 1, 0x42, 0x75, 0x64, 0x31]) },
    { name: 'commands.tex', data: commandsTex },
    { name: 'sections/abstract.tex', data: abstractTex },
    { name: 'sections/intro.tex', data: introTex },
    { name: 'sections/._intro.tex', data: appleDouble },
    { name: 'sections/method.tex', data: methodTex },
    { name: 'sections/table.tex', data: tableTex },
    { name: 'old_intro.tex', data: oldIntro },
    { name: 'main.bbl', data: bbl },
    { name: 'figure.png', data: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]) },
  ]);
  const monthly = await tarOf([
    { name: '2301/2301.00001.gz', data: gz(singleFile) },
    { name: '2301/2301.00002.gz', data: gz(project) },
    { name: '2301/2301.00003.gz', data: gz(commentHeavy) },
    { name: '2301/2301.00004.gz', data: gz(latin1Paper) },
    { name: '2301/2301.00005.pdf', data: Buffer.from('%PDF-1.4\n%%EOF\n') },
  ]);
  const out = join(fileURLToPath(root), 'arxiv');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'arXiv_src_2301_001.tar'), monthly);
}

// --- Gutenberg ----------------------------------------------------------------------------------

/** A deterministic word stream (the shared seeded PRNG), so the books are prose-like and reproducible. */
function prose(seed: number, lines: number): string[] {
  const words = [
    'the',
    'river',
    'ran',
    'under',
    'old',
    'bridge',
    'and',
    'she',
    'watched',
    'lanterns',
    'of',
    'a',
    'town',
    'that',
    'had',
    'forgotten',
    'its',
    'name',
    'while',
    'bells',
    'rang',
    'slowly',
    'over',
    'grey',
    'roofs',
    'in',
    'winter',
    'light',
    'he',
    'said',
    'nothing',
    'more',
    'until',
    'morning',
    'came',
    'with',
    'rain',
    'letters',
    'from',
    'abroad',
  ];
  const r = rng(seed);
  const next = () => Math.floor(r() * 2 ** 32);
  const out: string[] = [];
  for (let l = 0; l < lines; l++) {
    const n = 8 + (next() % 6);
    const ws: string[] = [];
    for (let i = 0; i < n; i++) ws.push(words[next() % words.length]!);
    ws[0] = ws[0]![0]!.toUpperCase() + ws[0]!.slice(1);
    out.push(ws.join(' ') + (l % 7 === 6 ? '.' : ','));
    if (l % 7 === 6) out.push('');
  }
  return out;
}

const crlf = (lines: string[]) => `${lines.join('\r\n')}\r\n`;

function book1990s(title: string, author: string, body: string[]): string {
  return crlf([
    `The Project Gutenberg Etext of ${title}, by ${author}`,
    '',
    'Copyright laws are changing all over the world, be sure to check',
    'the copyright laws for your country before posting these files!!',
    '',
    '**Welcome To The World of Free Plain Vanilla Electronic Texts**',
    '',
    `${title}`,
    '',
    '*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*',
    '',
    `${title.toUpperCase()}`,
    '',
    `by ${author}`,
    '',
    ...body,
    '',
    `End of Project Gutenberg Etext of ${title}, by ${author}`,
  ]);
}

function book2010s(id: number, title: string, author: string, body: string[]): string {
  return (
    '\ufeff' +
    crlf([
      `The Project Gutenberg EBook of ${title}, by ${author}`,
      '',
      'This eBook is for the use of anyone anywhere at no cost and with',
      'almost no restrictions whatsoever.',
      '',
      `Title: ${title}`,
      '',
      `Author: ${author}`,
      '',
      `Release Date: May, 2004 [EBook #${id}]`,
      '',
      'Language: English',
      '',
      `*** START OF THIS PROJECT GUTENBERG EBOOK ${title.toUpperCase()} ***`,
      '',
      'Produced by a volunteer of Distributed Proofreaders',
      '',
      `${title.toUpperCase()}`,
      '',
      ...body,
      '',
      `End of the Project Gutenberg EBook of ${title}, by ${author}`,
      '',
      `*** END OF THIS PROJECT GUTENBERG EBOOK ${title.toUpperCase()} ***`,
      '',
      `***** This file should be named ${id}.txt *****`,
      '',
      'Updated editions will replace the previous one--the old editions',
      'will be renamed.',
    ])
  );
}

function book2020s(id: number, title: string, author: string, body: string[]): string {
  return crlf([
    `The Project Gutenberg eBook of ${title}`,
    '',
    'This ebook is for the use of anyone anywhere in the United States and',
    'most other parts of the world at no cost and with almost no restrictions',
    'whatsoever.',
    '',
    `Title: ${title}`,
    '',
    `Author: ${author}`,
    '',
    `Release date: January 1, 2023 [eBook #${id}]`,
    '',
    'Language: French',
    '',
    `*** START OF THE PROJECT GUTENBERG EBOOK ${title.toUpperCase()} ***`,
    '',
    ...body,
    '',
    '',
    `        *** END OF THE PROJECT GUTENBERG EBOOK ${title.toUpperCase()} ***`,
    '',
    'Updated editions will replace the previous one—the old editions will',
    'be renamed.',
  ]);
}

export async function makeGutenbergSample(root: URL): Promise<void> {
  const out = join(fileURLToPath(root), 'gutenberg');
  const river = prose(7, 150);
  // A second edition: new front matter and two corrected lines, otherwise the same text.
  const riverEdition = ['SECOND EDITION, REVISED', '', ...river.map((l, i) => (i === 40 ? l.replace('river', 'stream') : i === 90 ? l.replace('bells', 'chimes') : l))];
  const books: Array<{ id: number; text: string }> = [
    { id: 90001, text: book1990s('Lanterns Over the River', 'Ada Example', river) },
    { id: 90002, text: book2010s(90002, 'The Grey Town', 'Ben Sample', prose(11, 140)) },
    { id: 90003, text: book2020s(90003, 'Le Pont', 'Claire Exemple', prose(23, 130)) },
    { id: 90004, text: book2010s(90004, 'Lanterns Over the River', 'Ada Example', riverEdition) },
  ];
  for (const b of books) {
    const dir = join(out, 'cache', 'epub', String(b.id));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `pg${b.id}.txt`), b.text, 'utf8');
  }
  const catalog = [
    'Text#,Type,Issued,Title,Language,Authors,Subjects,LoCC,Bookshelves',
    '90001,Text,1994-03-01,Lanterns Over the River,en,"Example, Ada, 1850-1920",River life -- Fiction,PR,Browsing: Fiction',
    '90002,Text,2004-05-01,"The Grey Town\nA Winter Chronicle",en,"Sample, Ben",Towns -- Fiction; Winter -- Fiction,PR,Browsing: Fiction',
    '90003,Text,2023-01-01,Le Pont,fr,"Exemple, Claire",Ponts -- Romans,PQ,Browsing: Fiction',
    '90004,Text,2004-06-01,"Lanterns Over the River, Second Edition",en,"Example, Ada, 1850-1920",River life -- Fiction,PR,Browsing: Fiction',
    '90005,Sound,2005-01-01,Lanterns Over the River (audio reading),en,"Example, Ada, 1850-1920",River life -- Fiction,PR,',
  ];
  writeFileSync(join(out, 'pg_catalog.csv'), `${catalog.join('\n')}\n`, 'utf8');
}
