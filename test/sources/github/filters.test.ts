/**
 * RedPajama's GitHub filters on hand-worked cases, the line statistics against Python itself
 * (RedPajama's formulas run by /usr/bin/python3), header cleaning in both modes, and file
 * classification (binary, vendored, generated).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { classifyBytes, isVendored, languageOf, looksBinary, skipByPath } from '../../../src/sources/github/files.js';
import { globToRegex, parseGitattributes } from '../../../src/sources/github/gitattributes.js';
import { DEFAULT_FILTER_OPTIONS, githubFilterReason } from '../../../src/sources/github/filters.js';
import { stripHeaderFixed, stripHeaderRedPajama } from '../../../src/sources/github/header.js';
import { lineStats } from '../../../src/sources/github/stats.js';
import { pretokenCount } from '../../../src/sources/github/tokens.js';

const reason = (text: string, path = 'src/main.py') => githubFilterReason(text, path, DEFAULT_FILTER_OPTIONS, pretokenCount);

/** RedPajama's statistics (github_clean_dedup_local.py), computed by Python. */
const PY_STATS = `
import json, sys
out = []
for content in json.load(sys.stdin):
    lines = content.splitlines()
    if len(content) == 0:
        out.append([0, 0, 0, 0, 0]); continue
    out.append([len(lines), max(len(l) for l in lines) if lines else 0, len(content) / len(lines),
                sum(c.isalnum() for c in content) / len(content), sum(c.isalpha() for c in content)])
print(json.dumps(out))
`;

test('line statistics equal Python splitlines / len / isalnum / isalpha on tricky texts', () => {
  const texts = [
    'def f(x):\n    return x\n',
    'a\r\nb\rc\u2028d\u0085e\x0cf\x1cg',
    'no trailing newline',
    '\n\n\n',
    'émoji 😀 and 中文 text, digits ٣٤ and ²\n',
    'tabs\tand\u00a0nbsp\v',
    `${'x'.repeat(1500)}\nshort\n`,
    '',
  ];
  const py = JSON.parse(execFileSync('/usr/bin/python3', ['-c', PY_STATS], { input: JSON.stringify(texts) }).toString()) as number[][];
  texts.forEach((t, i) => {
    const s = lineStats(t);
    const [lines, maxLen, avg, alnum, alpha] = py[i]!;
    assert.equal(s.line_count, lines, `lines of text ${i}`);
    assert.equal(s.max_line_length, maxLen, `max of text ${i}`);
    assert.ok(Math.abs(s.avg_line_length - avg!) < 1e-9, `avg of text ${i}`);
    assert.ok(Math.abs(s.alnum_prop - alnum!) < 1e-9, `alnum of text ${i}: ${s.alnum_prop} vs ${alnum}`);
    assert.equal(s.alpha_chars, alpha, `alpha of text ${i}`);
  });
});

test('empty files are dropped as empty, and unknown extensions as extension (case-sensitive suffix)', () => {
  assert.equal(reason(''), 'empty');
  assert.equal(reason('Remember the changelog.\n', 'notes.txt'), 'extension');
  assert.equal(reason('print("hello world")\n', 'src/MAIN.PY'), 'extension');
  assert.equal(reason('FROM debian:stable\nRUN apt-get update\n', 'docker/app.Dockerfile'), null);
  assert.equal(reason('all:\n\tcompile everything here\n', 'tools/Makefile'), null);
});

test('a line of 1001 characters drops a file; 1000 keeps it (max_line_length > 1000)', () => {
  const body = 'value = compute(alpha, beta)\n'.repeat(40);
  assert.equal(reason(`s = "${'a'.repeat(994)}"\n${body}`), null); // 1000 characters
  assert.equal(reason(`s = "${'a'.repeat(995)}"\n${body}`), 'max_line_length');
});

test('a mean line over 100 characters drops a file (avg_line_length counts newlines)', () => {
  // 10 lines of 100 characters + newline: 1010 / 10 = 101 > 100.
  const line = 'word '.repeat(20).slice(0, 100);
  assert.equal(reason(`${line}\n`.repeat(10)), 'avg_line_length');
  // 99 characters + newline: 100, kept.
  assert.equal(reason(`${line.slice(0, 99)}\n`.repeat(10)), null);
});

test('less than 25% alphanumeric characters drops a file (alnum_prop)', () => {
  // Per line: "ab" + 7 symbols + newline = 2 / 10 alphanumeric.
  assert.equal(reason('ab-------\n'.repeat(20)), 'alnum_prop');
  // "abc" + 6 symbols + newline = 3 / 10: kept by this rule.
  assert.notEqual(reason('abc------\n'.repeat(20)), 'alnum_prop');
});

test('fewer than 1.5 letters per token drops a file (alpha_per_token)', () => {
  // "x = 1\n": pieces x, " =", " 1", "\n": 1 letter / 4 tokens.
  assert.equal(reason('x = 1\n'.repeat(30)), 'alpha_per_token');
  // "total = price\n": total, " =", " price", "\n": 10 letters / 4 tokens = 2.5.
  assert.equal(reason('total = price\n'.repeat(30)), null);
});

test('the stand-in token count counts GPT-2 pre-tokenizer pieces', () => {
  assert.equal(pretokenCount('hello world'), 2); // hello | " world"
  assert.equal(pretokenCount('a  b'), 3); // a | " " | " b"
  assert.equal(pretokenCount('x=1'), 3); // x | = | 1
  assert.equal(pretokenCount('foo.bar()'), 4); // foo | . | bar | ()
  assert.equal(pretokenCount('\n\n'), 1);
});

test('QUIRK kept in redpajama mode: leading #include, shebang and plain comment lines are stripped', () => {
  assert.equal(stripHeaderRedPajama('#include <stdio.h>\n#define N 3\nint main(void) { return N; }\n'), 'int main(void) { return N; }\n');
  assert.equal(stripHeaderRedPajama('#!/bin/sh\n# build it\nmake all\n'), 'make all\n');
  // The first block comment anywhere is cut when it says copyright.
  assert.equal(stripHeaderRedPajama('int x;\n/* Copyright 2020 A */\nint y;\n'), 'int x;\n\nint y;\n');
  assert.equal(stripHeaderRedPajama('/* helpers */\nint x;\n'), '/* helpers */\nint x;\n');
});

test('QUIRK fixed by default: only a copyright comment in the preamble goes; code, shebangs and directives stay', () => {
  assert.equal(stripHeaderFixed('#include <stdio.h>\n#define N 3\nint main(void) { return N; }\n'), '#include <stdio.h>\n#define N 3\nint main(void) { return N; }\n');
  assert.equal(stripHeaderFixed('#!/bin/sh\n# build it\nmake all\n'), '#!/bin/sh\n# build it\nmake all\n');
  assert.equal(stripHeaderFixed('#!/usr/bin/env python3\n# Copyright (c) 2024 A\n# SPDX-License-Identifier: MIT\nimport os\n'), '#!/usr/bin/env python3\nimport os\n');
  assert.equal(stripHeaderFixed('#include <stdio.h>\n\n/* Copyright 2024 A */\n\nint x;\n'), '#include <stdio.h>\n\nint x;\n');
  assert.equal(stripHeaderFixed('/*\n * Copyright 2024 A\n */\n\npackage main\n'), 'package main\n');
  assert.equal(stripHeaderFixed('-- Copyright 2024 A\nSELECT 1;\n'), 'SELECT 1;\n');
  assert.equal(stripHeaderFixed('int x;\n/* Copyright 2020 A */\nint y;\n'), 'int x;\n/* Copyright 2020 A */\nint y;\n');
  assert.equal(stripHeaderFixed('// Package util has helpers.\npackage util\n'), '// Package util has helpers.\npackage util\n');
});

test('binary files are recognised by a NUL byte, and non-UTF-8 text is skipped', () => {
  assert.equal(looksBinary(Buffer.from('89504e470d0a1a0a0000000d', 'hex')), true);
  assert.equal(looksBinary(Buffer.from('plain text\n')), false);
  assert.deepEqual(classifyBytes('a.c', Buffer.from([0x69, 0x6e, 0x74, 0xff, 0xfe, 0x0a])), { skip: 'not_utf8' });
  assert.deepEqual(classifyBytes('a.c', Buffer.from('\ufeffint x;\n')), { text: 'int x;\n' });
});

test('vendored folders and generated files are skipped by reason', () => {
  for (const p of ['node_modules/x/index.js', 'vendor/github.com/a/b.go', 'third_party/zlib/inflate.c', 'lib/ThirdParty/x.c', 'static/js/jquery-3.7.1.js']) {
    assert.equal(isVendored(p), true, p);
  }
  for (const p of ['src/vendors.ts', 'src/main.c', 'docs/vendor.md']) assert.equal(isVendored(p), false, p);
  for (const p of ['package-lock.json', 'web/Cargo.lock', 'dist/app.min.js', 'api/service.pb.go', 'proto/msg_pb2.py']) assert.equal(skipByPath(p), 'generated', p);
  assert.deepEqual(classifyBytes('gen/parser.py', Buffer.from('# Generated by ANTLR 4.13 - DO NOT EDIT\nclass P: pass\n')), { skip: 'generated' });
  assert.deepEqual(classifyBytes('web/bundle.js', Buffer.from(`${'var a=1;'.repeat(50)}\n`)), { skip: 'generated' });
  assert.ok('text' in classifyBytes('web/app.js', Buffer.from('const a = 1;\nconsole.log(a);\n')));
});

test('languages come from the extension, Dockerfile and Makefile from the name', () => {
  assert.equal(languageOf('src/lib.rs'), 'Rust');
  assert.equal(languageOf('inc/x.H'), 'C++');
  assert.equal(languageOf('build/Dockerfile'), 'Dockerfile');
  assert.equal(languageOf('Makefile'), 'Makefile');
  assert.equal(languageOf('README'), '');
});

test('gitattributes globs: bare names match in any folder, slashes anchor, ** crosses folders', () => {
  const m = (glob: string, path: string) => globToRegex(glob).test(path);
  assert.equal(m('*.pb.go', 'api/v1/x.pb.go'), true);
  assert.equal(m('*.go', 'api/x.pb.go'), true);
  assert.equal(m('src/*.js', 'src/a.js'), true);
  assert.equal(m('src/*.js', 'src/lib/a.js'), false);
  assert.equal(m('src/*.js', 'web/src/a.js'), false);
  assert.equal(m('/dist/**', 'dist/a/b.js'), true);
  assert.equal(m('**/gen/*.ts', 'a/b/gen/x.ts'), true);
  assert.equal(m('**/gen/*.ts', 'gen/x.ts'), true);
  assert.equal(m('file?.c', 'file1.c'), true);
  assert.equal(m('file[0-9].c', 'filex.c'), false);
});

test('.gitattributes linguist overrides win over the default rules, last matching line first', () => {
  const o = parseGitattributes(
    [
      '# comment',
      'gen/** linguist-generated',
      'vendor/ours/** -linguist-vendored',
      'docs/*.md linguist-vendored=true',
      'gen/keep.py linguist-generated=false',
      '*.txt text eol=lf',
    ].join('\n'),
  );
  assert.equal(skipByPath('gen/api.py', o), 'generated');
  assert.equal(skipByPath('gen/keep.py', o), null);
  assert.equal(skipByPath('vendor/ours/lib.c', o), null);
  assert.equal(skipByPath('vendor/theirs/lib.c', o), 'vendored');
  assert.equal(skipByPath('docs/guide.md', o), 'vendored');
  assert.equal(skipByPath('notes.txt', o), null);
  // A file the repository says is not generated is kept even with a "generated by" marker.
  assert.ok('text' in classifyBytes('gen/keep.py', Buffer.from('# generated by hand, kept\nx = 1\n'), o));
});
