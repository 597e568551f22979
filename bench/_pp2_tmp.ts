import { readFileSync, writeFileSync } from 'node:fs';
import { readArpa } from '../src/models/ngram/arpa.js';
import { trainLmArpa } from '../src/models/ngram/train.js';
import { documentPerplexity, referencePerplexity } from '../src/filters/ccnet/perplexity.js';
import { whitespaceTokenizer } from '../src/models/ngram/lm-tokenizer.js';
const dir = process.argv[2]!;
const docs = readFileSync(`${dir}/in.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l).text as string);
const half = docs.length >> 1;
writeFileSync(`${dir}/half.jsonl`, docs.slice(0, half).map((t) => JSON.stringify({ text: t })).join('\n') + '\n');
await trainLmArpa([`${dir}/half.jsonl`], `${dir}/half.arpa`, { order: 5, tokenizer: 'whitespace' });
const m = await readArpa(`${dir}/half.arpa`);
const scored = docs.slice(half);
const bytes = scored.reduce((s, d) => s + Buffer.byteLength(d), 0);
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
documentPerplexity(m, whitespaceTokenizer, 'warm up', false);
for (let r = 0; r < 3; r++) {
  let t0 = cpu();
  for (const d of scored) documentPerplexity(m, whitespaceTokenizer, d, false);
  const a = cpu() - t0;
  t0 = cpu();
  for (const d of scored) referencePerplexity(m, whitespaceTokenizer, d, false);
  const b = cpu() - t0;
  console.log('native MB/s', (bytes / 1e6 / a).toFixed(1), 'reference MB/s', (bytes / 1e6 / b).toFixed(1));
}
