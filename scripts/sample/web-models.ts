/**
 * Tiny models for the CCNet steps of the sample build, generated from seeded text (same bytes on
 * every run) and committed under samples/models/:
 * - `sample-lm.arpa`: a 3-gram modified-KN model (`corpusmill lm train`'s code) on encyclopedic
 *   paragraphs, standing in for a model trained on the Wikipedia stage's output;
 * - `sample-wikiref.bin`: a fastText-format classifier (`corpusmill classifier train`'s trainer),
 *   `wiki` = the same kind of paragraphs, `cc` = boilerplate and spam lines.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeArpa } from '../../src/models/ngram/arpa.js';
import { trainLm } from '../../src/models/ngram/train.js';
import { trainLinearClassifier, type Example } from '../../src/models/fasttext-train.js';
import { paragraph, pick, rng } from './rng.js';

const SPAM = [
  'Click here to buy now',
  'Best price guaranteed, free shipping today',
  'Sign up for our newsletter',
  'Cookies help us deliver our services',
  'Login | Register | Forgot password',
  'Hot deals on cheap watches and bags',
  'Call now for a free quote',
  'All rights reserved. Privacy policy. Terms of use.',
  'Limited offer: 50% off everything',
  'Share on Facebook Tweet Pin it',
];

export async function makeWebModelsSample(root: URL): Promise<void> {
  const dir = fileURLToPath(new URL('models/', root));
  mkdirSync(dir, { recursive: true });
  const r = rng(21);
  const tmp = mkdtempSync(join(tmpdir(), 'sample-lm-'));
  try {
    const wiki = Array.from({ length: 300 }, () => paragraph(r, 3));
    const input = join(tmp, 'wiki.jsonl');
    writeFileSync(input, `${wiki.map((text) => JSON.stringify({ text })).join('\n')}\n`);
    const lm = await trainLm([input], { order: 3, tokenizer: 'whitespace' });
    await writeArpa(lm.model, join(dir, 'sample-lm.arpa'));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const examples: Example[] = [];
  for (let i = 0; i < 200; i++) {
    examples.push({ label: 'wiki', text: paragraph(r, 2) });
    examples.push({ label: 'cc', text: Array.from({ length: 3 }, () => pick(r, SPAM)).join(' ') });
  }
  const clf = trainLinearClassifier(examples, { dim: 8, bucket: 1 << 10, epochs: 10, lr: 0.5, seed: 21 });
  writeFileSync(join(dir, 'sample-wikiref.bin'), clf.bytes);
}
