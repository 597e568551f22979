/**
 * Generates native/tokenize/unicode_tables.{h,cc}: the per-code-point character classes the hand-written
 * tiktoken pre-tokenizers (native/tokenize/pretok.cc) need, as a two-stage lookup table.
 *
 * Why the classes come from the reference regex engine and not from Node's own `\p{..}` escapes: parity
 * is judged against tiktoken, whose Rust `regex-syntax` (0.8.5 in the `tiktoken` npm package) carries its
 * own Unicode version (16.0), while Node 20 here ships ICU with Unicode 17.0; letters assigned in 17.0
 * would otherwise split text differently from the reference. So each class is read off the engine
 * itself: a `Tiktoken` built with only the 256 single-byte tokens and the one-class pattern (e.g.
 * `\p{L}`) returns exactly the bytes of the code points the class matches (unmatched text is skipped by
 * tiktoken's `find_iter`). Node's escapes are used as a cross-check and every difference is printed.
 *
 * Run: `npx tsx scripts/gen-unicode-tables.ts` (writes the two files; they are committed).
 */
import { writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tiktoken } from 'tiktoken';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Every Unicode scalar value (no surrogates), in order. */
function allCodePoints(): number[] {
  const cps: number[] = [];
  for (let cp = 0; cp <= 0x10ffff; cp++) if (cp < 0xd800 || cp > 0xdfff) cps.push(cp);
  return cps;
}

const byteRanks = Array.from({ length: 256 }, (_, b) => `${Buffer.from([b]).toString('base64')} ${b}`).join('\n');

/** The set of code points the reference engine matches with `pattern` (a single-code-point class). */
function referenceClass(pattern: string, cps: number[]): Set<number> {
  const enc = new Tiktoken(byteRanks, {}, pattern);
  const out = new Set<number>();
  try {
    const CHUNK = 0x10000;
    for (let i = 0; i < cps.length; i += CHUNK) {
      const text = String.fromCodePoint(...cps.slice(i, i + CHUNK));
      const ids = enc.encode_ordinary(text);
      const matched = Buffer.from(Uint8Array.from(ids)).toString('utf8');
      for (const ch of matched) out.add(ch.codePointAt(0)!);
    }
  } finally {
    enc.free();
  }
  return out;
}

/** The same class by Node's RegExp, for the cross-check only. */
function nodeClass(source: string, cps: number[]): Set<number> {
  const re = new RegExp(`^${source}$`, 'u');
  return new Set(cps.filter((cp) => re.test(String.fromCodePoint(cp))));
}

// Flag bits; keep in sync with the enum in the generated header.
const CLASSES: Array<{ name: string; bit: number; pattern: string; node: string; doc: string }> = [
  { name: 'kLetter', bit: 1, pattern: '\\p{L}', node: '\\p{L}', doc: '\\p{L}' },
  { name: 'kNumber', bit: 2, pattern: '\\p{N}', node: '\\p{N}', doc: '\\p{N}' },
  { name: 'kSpace', bit: 4, pattern: '\\s', node: '[\\p{White_Space}]', doc: '\\s (Unicode White_Space, as Rust regex)' },
  { name: 'kMark', bit: 8, pattern: '\\p{M}', node: '\\p{M}', doc: '\\p{M}' },
  { name: 'kUpperish', bit: 16, pattern: '[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]', node: '[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]', doc: 'o200k [\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]' },
  { name: 'kLowerish', bit: 32, pattern: '[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]', node: '[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]', doc: 'o200k [\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]' },
];
const CONTRACTION_LETTERS = ['s', 't', 'd', 'm', 'l', 'v', 'e', 'r'];

function main(): void {
  const cps = allCodePoints();
  const flags = new Uint8Array(0x110000);
  for (const c of CLASSES) {
    const ref = referenceClass(c.pattern, cps);
    for (const cp of ref) flags[cp] |= c.bit;
    const node = nodeClass(c.node, cps);
    const onlyRef = [...ref].filter((cp) => !node.has(cp));
    const onlyNode = [...node].filter((cp) => !ref.has(cp));
    console.log(`${c.name}: ${ref.size} code points; not in Node ${onlyRef.length}, only in Node ${onlyNode.length}`);
  }
  // Case-insensitive contraction letters: which code points `(?i:x)` matches besides x and X.
  const folds: Array<[number, string]> = [];
  for (const letter of CONTRACTION_LETTERS) {
    for (const cp of referenceClass(`(?i:${letter})`, cps)) {
      if (String.fromCodePoint(cp).toLowerCase() !== letter) folds.push([cp, letter]);
    }
  }
  console.log(`non-ASCII contraction folds: ${folds.map(([cp, l]) => `U+${cp.toString(16).toUpperCase()}→${l}`).join(', ')}`);

  // Two-stage table: stage1[cp >> 8] -> block number, stage2[block * 256 + (cp & 255)] -> flags.
  const blocks: string[] = [];
  const blockIndex = new Map<string, number>();
  const stage1: number[] = [];
  for (let hi = 0; hi < 0x1100; hi++) {
    const block = flags.subarray(hi * 256, hi * 256 + 256);
    const key = Buffer.from(block).toString('hex');
    let idx = blockIndex.get(key);
    if (idx === undefined) {
      idx = blocks.length;
      blocks.push(key);
      blockIndex.set(key, idx);
    }
    stage1.push(idx);
  }
  if (blocks.length > 256) throw new Error(`too many unique blocks (${blocks.length}) for a u8 stage 1`);
  console.log(`${blocks.length} unique 256-entry blocks, ${stage1.length + blocks.length * 256} bytes`);

  const header = `// GENERATED by scripts/gen-unicode-tables.ts; do not edit. Character classes of the tiktoken
// pre-tokenizer regexes, read off the reference regex engine (Rust regex-syntax 0.8.5, Unicode 16.0, as
// compiled into the \`tiktoken\` npm package), so code points split exactly as the reference splits them.
#pragma once
#include <cstdint>

namespace corpusmill {
namespace unicode {

enum ClassFlag : uint8_t {
${CLASSES.map((c) => `  ${c.name} = ${c.bit},  // ${c.doc}`).join('\n')}
};

extern const uint8_t kStage1[${stage1.length}];
extern const uint8_t kStage2[${blocks.length * 256}];

// Flags of one code point (0 for anything above U+10FFFF).
inline uint8_t flags(uint32_t cp) {
  if (cp > 0x10FFFF) return 0;
  return kStage2[(uint32_t(kStage1[cp >> 8]) << 8) | (cp & 0xFF)];
}

// The ASCII letter a code point folds to under Rust regex \`(?i)\` when that letter starts an English
// contraction ('s 't 're 've 'm 'll 'd), else 0. Besides ASCII case this is only ${folds.map(([cp, l]) => `U+${cp.toString(16).toUpperCase()}→'${l}'`).join(', ') || 'nothing'}.
inline char contraction_fold(uint32_t cp) {
  if (cp < 128) {
    char c = char(cp | 0x20);
    return (c == 's' || c == 't' || c == 'd' || c == 'm' || c == 'l' || c == 'v' || c == 'e' || c == 'r') && (cp | 0x20) >= 'a' ? c : 0;
  }
${folds.map(([cp, l]) => `  if (cp == 0x${cp.toString(16).toUpperCase()}) return '${l}';`).join('\n')}
  return 0;
}

}  // namespace unicode
}  // namespace corpusmill
`;
  const hex = (arr: ArrayLike<number>): string => {
    const lines: string[] = [];
    for (let i = 0; i < arr.length; i += 24) {
      lines.push(`  ${Array.from({ length: Math.min(24, arr.length - i) }, (_, j) => `${arr[i + j]}`).join(',')}`);
    }
    return lines.join(',\n');
  };
  const stage2 = new Uint8Array(blocks.length * 256);
  for (const [i, key] of blocks.entries()) stage2.set(Buffer.from(key, 'hex'), i * 256);
  const source = `// GENERATED by scripts/gen-unicode-tables.ts; do not edit. See unicode_tables.h.
#include "unicode_tables.h"

namespace corpusmill {
namespace unicode {

const uint8_t kStage1[${stage1.length}] = {
${hex(stage1)}
};

const uint8_t kStage2[${stage2.length}] = {
${hex(stage2)}
};

}  // namespace unicode
}  // namespace corpusmill
`;
  writeFileSync(join(root, 'native/tokenize/unicode_tables.h'), header);
  writeFileSync(join(root, 'native/tokenize/unicode_tables.cc'), source);
}

main();
