/** Reads test/data/pii/labelled.txt: documents with their gold PII spans (see the file's header). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PiiKind } from '../../src/filters/pii-detect.js';
import { repoRoot } from '../helpers.js';

export interface LabelledDoc {
  id: string;
  text: string;
  gold: Array<{ kind: PiiKind; start: number; end: number }>;
}

const KIND: Record<string, PiiKind> = { e: 'email', i: 'ip', p: 'phone' };

export function labelledPiiDocs(file: 'labelled.txt' | 'heldout.txt'): LabelledDoc[] {
  const raw = readFileSync(join(repoRoot, 'test', 'data', 'pii', file), 'utf8');
  const docs: LabelledDoc[] = [];
  for (const block of raw.split(/^=== /m).slice(1)) {
    const nl = block.indexOf('\n');
    const id = block.slice(0, nl).trim();
    const body = block.slice(nl + 1).replace(/\n$/, '');
    let text = '';
    const gold: LabelledDoc['gold'] = [];
    let at = 0;
    for (const m of body.matchAll(/⟦([eip]):([^⟧]*)⟧/g)) {
      text += body.slice(at, m.index);
      gold.push({ kind: KIND[m[1]!]!, start: text.length, end: text.length + m[2]!.length });
      text += m[2]!;
      at = m.index + m[0].length;
    }
    text += body.slice(at);
    docs.push({ id, text, gold });
  }
  return docs;
}

export interface Score {
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
}

export function score(tp: number, fp: number, fn: number): Score {
  return { tp, fp, fn, precision: tp / (tp + fp), recall: tp / (tp + fn) };
}
