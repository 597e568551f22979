/**
 * The `pii` step: precision and recall per kind on the labelled sets in test/data/pii (the numbers
 * docs/modern.md states; labelled.txt was written with the detector, heldout.txt after it was
 * frozen), the Dolma and datatrove replacements, annotate mode and the per-kind counts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Doc } from '../../src/core/document.js';
import { findPii, isPublicIPv4, isPublicIPv6, PII_KINDS, type PiiKind } from '../../src/filters/pii-detect.js';
import { piiStepDef } from '../../src/filters/pii.js';
import { runStepDef } from '../../src/pipeline/standalone.js';
import { tempDir } from '../helpers.js';
import { labelledPiiDocs, score } from './pii-labelled.js';

function measure(file: 'labelled.txt' | 'heldout.txt'): Record<PiiKind, ReturnType<typeof score>> {
  const counts: Record<string, [number, number, number]> = { email: [0, 0, 0], ip: [0, 0, 0], phone: [0, 0, 0] };
  for (const d of labelledPiiDocs(file)) {
    const key = (s: { kind: string; start: number; end: number }) => `${s.kind}:${s.start}:${s.end}`;
    const pred = findPii(d.text, { kinds: new Set(PII_KINDS) });
    const gold = new Set(d.gold.map(key));
    const found = new Set(pred.map(key));
    for (const s of pred) counts[s.kind]![gold.has(key(s)) ? 0 : 1]++;
    for (const s of d.gold) if (!found.has(key(s))) counts[s.kind]![2]++;
  }
  return { email: score(...counts.email!), ip: score(...counts.ip!), phone: score(...counts.phone!) };
}

test('labelled set (written with the detector): spans found exactly, per kind', () => {
  const m = measure('labelled.txt');
  // email: git@github.com counted, "bob [at] example [dot] net" missed; ip: a 4-part version in a table; phone: 1-800-FLOWERS missed.
  assert.deepEqual([m.email.tp, m.email.fp, m.email.fn], [32, 1, 1]);
  assert.deepEqual([m.ip.tp, m.ip.fp, m.ip.fn], [29, 1, 0]);
  assert.deepEqual([m.phone.tp, m.phone.fp, m.phone.fn], [27, 0, 1]);
});

test('held-out set (written after the detector was frozen): spans found exactly, per kind', () => {
  const m = measure('heldout.txt');
  // ip: a section number 4.2.1.3 read as an address; phone: a 7-digit local number and a UK mobile without +44 missed.
  assert.deepEqual([m.email.tp, m.email.fp, m.email.fn], [12, 0, 0]);
  assert.deepEqual([m.ip.tp, m.ip.fp, m.ip.fn], [13, 1, 0]);
  assert.deepEqual([m.phone.tp, m.phone.fp, m.phone.fn], [12, 0, 2]);
});

test('public ranges: private, loopback, shared, documentation, multicast and reserved addresses are not PII', () => {
  for (const ip of ['8.8.8.8', '1.1.1.1', '93.184.215.14', '185.220.101.47']) assert.ok(isPublicIPv4(ip), ip);
  for (const ip of [
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '127.0.0.1',
    '169.254.169.254',
    '100.64.0.1',
    '192.0.2.5',
    '198.51.100.1',
    '203.0.113.9',
    '198.18.0.1',
    '224.0.0.251',
    '255.255.255.255',
    '0.0.0.0',
  ])
    assert.ok(!isPublicIPv4(ip), ip);
  assert.ok(isPublicIPv4('172.32.0.1') && isPublicIPv4('100.128.0.1'), 'just outside private and shared ranges');
  for (const ip of ['2606:4700:4700::1111', '2001:4860:4860::8888', '2a03:2880:f10c:83:face:b00c:0:25de']) assert.ok(isPublicIPv6(ip), ip);
  for (const ip of ['::1', '::', 'fe80::1', 'fd12:3456:789a::1', '2001:db8::1', 'ff02::1', '::ffff:192.168.1.1', 'dead::beef']) assert.ok(!isPublicIPv6(ip), ip);
  assert.ok(isPublicIPv6('::ffff:8.8.8.8'));
});

const doc = (text: string): Doc => ({ id: 'd', text, source: 'web', meta: {} });
const TEXT = 'Write to ann@uni-example.edu or bob@mail.example.org, call (212) 555-0147, servers 8.8.8.8 and 9.9.9.9 and 2606:4700:4700::1111 (not 10.0.0.1).';

test('Dolma replacements, counts per kind and meta.pii', async () => {
  const r = await runStepDef(piiStepDef, {}, [[doc(TEXT), doc('nothing here')]], { stateDir: tempDir() });
  const [out, plain] = r.kept[0]!;
  assert.equal(
    out!.text,
    'Write to |||EMAIL_ADDRESS||| or |||EMAIL_ADDRESS|||, call |||PHONE_NUMBER|||, servers |||IP_ADDRESS||| and |||IP_ADDRESS||| and |||IP_ADDRESS||| (not 10.0.0.1).',
  );
  assert.deepEqual(out!.meta.pii, { email: 2, phone: 1, ip: 3 });
  assert.deepEqual(plain!.meta, {});
  assert.deepEqual(r.stats.counts, { email: 2, ip: 3, phone: 1, docs_with_pii: 1 });
});

test('datatrove replacements take turns, restarting with each document', async () => {
  const r = await runStepDef(piiStepDef, { style: 'datatrove' }, [[doc(TEXT), doc('again: x@y.io and 8.8.4.4')]], { stateDir: tempDir() });
  const [a, b] = r.kept[0]!;
  assert.equal(
    a!.text,
    'Write to email@example.com or firstname.lastname@example.org, call |||PHONE_NUMBER|||, servers 22.214.171.124 and 126.96.36.199 and 188.8.131.52 (not 10.0.0.1).',
  );
  assert.equal(b!.text, 'again: email@example.com and 22.214.171.124');
});

test('annotate mode leaves the text and records code-point spans; kinds, overrides and max_spans', async () => {
  const dir = tempDir();
  const text = '😀 mail me: zoë@example.de, phone +44 20 7946 0958.';
  const a = await runStepDef(piiStepDef, { mode: 'annotate' }, [[doc(text)]], { stateDir: join(dir, 'a') });
  const out = a.kept[0]![0]!;
  assert.equal(out.text, text);
  // Offsets count the emoji as one code point (two UTF-16 units). "zoë@…" is no address: ASCII local parts only, and
  // "@example.de" after the ë has none.
  assert.deepEqual(out.meta.pii, { phone: 1, spans: [['phone', 33, 49]] });
  const onlyEmail = await runStepDef(piiStepDef, { kinds: ['email'], replacements: { email: '<EMAIL>' } }, [[doc('a@b.co and c@d.co at 8.8.8.8')]], { stateDir: join(dir, 'b') });
  assert.equal(onlyEmail.kept[0]![0]!.text, '<EMAIL> and <EMAIL> at 8.8.8.8');
  const capped = await runStepDef(piiStepDef, { max_spans: 5 }, [[doc(TEXT), doc('just ann@uni-example.edu')]], { stateDir: join(dir, 'c') });
  assert.deepEqual(
    capped.dropped.map((d) => [d.reason, d.doc.text === TEXT]),
    [['too_much_pii', true]],
  );
  assert.equal(capped.kept[0]!.length, 1);
});
