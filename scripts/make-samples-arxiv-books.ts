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
 * Run: npx tsx scripts/make-samples-arxiv-books.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
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
const appleDouble = Buffer.concat([Buffer.from([0x00, 0x05, 0x16, 0x07, 0x00, 0x02, 0x00, 0x00]), Buffer.from('Mac OS X        ', 'latin1'), Buffer.from([0x00, 0x02, 0xa2, 0xff, 0xfe, 0x00])]);
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
  String.raw`\documentclass{article}
\begin{document}
\paragraph{R\'esum\'e} Cette \'etude est \'ecrite en Latin-1: caf` +
    '\xe9, na\xefve, \xe0 bient\xf4t.\n\\end{document}\n',
  'latin1',
);

async function makeArxiv(): Promise<void> {
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
  const out = join(root, 'samples', 'arxiv');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'arXiv_src_2301_001.tar'), monthly);
}

await makeArxiv();
