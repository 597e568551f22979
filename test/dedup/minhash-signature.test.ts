/** MinHash signatures equal RedPajama-V2's definition, computed independently in Python with numpy. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { jaccard, MinHasher, rpv2Bands, rpv2Permutations, shingleSets } from '../../src/dedup/minhash/signature.js';
import { normalize } from '../../src/text/rpv2-normalize.js';
import { EDGE_TEXTS, sampleTexts } from './samples.js';
import { repoRoot } from '../helpers.js';

// 7 permutations: the addon's four-at-a-time fold ends with a remainder.
for (const perms of [128, 7])
  test(`signatures equal the numpy reference on samples and edge cases (${perms} permutations)`, () => {
    const texts = [...sampleTexts(), ...EDGE_TEXTS];
    const out = execFileSync('/usr/bin/python3', [join(repoRoot, 'test', 'dedup', 'minhash_reference.py'), String(perms)], {
      input: `${texts.map((text) => JSON.stringify({ text })).join('\n')}\n`,
      maxBuffer: 1 << 28,
    });
    const ref = out
      .toString()
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { sig: number[] | null }).sig);
    const { sigs, valid } = new MinHasher({ perms }).signatures(texts);
    let withSig = 0;
    texts.forEach((_, i) => {
      if (ref[i] === null) {
        assert.equal(valid[i], 0, `text #${i} has fewer than 13 words`);
        return;
      }
      withSig++;
      assert.equal(valid[i], 1);
      assert.deepEqual(Array.from(sigs.subarray(i * perms, (i + 1) * perms)), ref[i], `signature of text #${i}`);
    });
    assert.ok(withSig > 50);
  });

test('the committed permutations carry the checksum RPv2 logs for RandomState(42), 128 permutations', () => {
  const { a, b } = rpv2Permutations(128);
  // RPv2 hashes the (2, 128) uint64 array: all a values, then all b values, little-endian.
  const buf = Buffer.alloc(2 * 128 * 8);
  for (const [i, v] of a.entries()) buf.writeBigUInt64LE(v, i * 8);
  for (const [i, v] of b.entries()) buf.writeBigUInt64LE(v, (128 + i) * 8);
  const py = execFileSync('/usr/bin/python3', [
    '-c',
    'import numpy as np,hashlib\nr=np.random.RandomState(42);p=np.uint64((1<<61)-1)\nx=np.array([(r.randint(1,p,dtype=np.uint64),r.randint(0,p,dtype=np.uint64)) for _ in range(128)],dtype=np.uint64).T\nprint(hashlib.sha256(x.tobytes()).hexdigest())',
  ]);
  assert.equal(createHash('sha256').update(buf).digest('hex'), py.toString().trim());
});

test('bands are big-endian slices of the signature', () => {
  const sig = Uint32Array.from({ length: 6 }, (_, i) => 0x01020300 + i);
  assert.deepEqual(rpv2Bands(sig, 2, 3), ['010203000102030101020302', '010203030102030401020305']);
});

test('shingle sets give the exact Jaccard similarity Python computes on the shingle strings', () => {
  const texts = sampleTexts().slice(0, 6);
  const pairs = texts.map((t, i) => [t, i % 2 === 0 ? `${t.split(' ').reverse().slice(0, 40).join(' ')} ${t}` : texts[(i + 1) % texts.length]!]);
  const script = [
    'import json,re,string,sys,unicodedata',
    'def norm(t):',
    '  t=t.translate(str.maketrans("","",string.punctuation)).lower().strip()',
    '  return unicodedata.normalize("NFD",re.sub(r"\\s+"," ",t))',
    'def sh(t):',
    '  w=norm(t).split()',
    '  return {" ".join(w[i:i+13]) for i in range(len(w)-12)}',
    'for line in sys.stdin:',
    '  a,b=json.loads(line)',
    '  A,B=sh(a),sh(b)',
    '  print(len(A&B)/len(A|B))',
  ].join('\n');
  const out = execFileSync('/usr/bin/python3', ['-c', script], { input: `${pairs.map((p) => JSON.stringify(p)).join('\n')}\n` });
  const expected = out.toString().trim().split('\n').map(Number);
  pairs.forEach(([a, b], i) => {
    const { hashes, index } = shingleSets([normalize(a!), normalize(b!)], 13);
    const j = jaccard(hashes.subarray(index[0], index[1]), hashes.subarray(index[1], index[2]));
    assert.ok(Math.abs(j - expected[i]!) < 1e-12, `pair ${i}: ${j} vs ${expected[i]}`);
  });
  assert.ok(expected.some((x) => x > 0.5) && expected.some((x) => x < 0.1));
});
