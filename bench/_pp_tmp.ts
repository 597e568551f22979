import { readFileSync } from 'node:fs';
import { readArpa } from '../src/models/ngram/arpa.js';
import { documentPerplexity, referencePerplexity } from '../src/filters/ccnet/perplexity.js';
import { whitespaceTokenizer } from '../src/models/ngram/lm-tokenizer.js';
const dir = process.argv[2]!;
const docs = readFileSync(`${dir}/in.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l).text as string);
const m = await readArpa(`${dir}/native-5-whitespace.arpa`);
const bytes = docs.reduce((s, d) => s + Buffer.byteLength(d), 0);
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
documentPerplexity(m, whitespaceTokenizer, 'warm up', false);
for (let r = 0; r < Number(process.argv[3] ?? 3); r++) {
  let t0 = cpu();
  for (const d of docs) documentPerplexity(m, whitespaceTokenizer, d, false);
  const a = cpu() - t0;
  t0 = cpu();
  if (!process.env.NOREF) for (const d of docs) referencePerplexity(m, whitespaceTokenizer, d, false);
  const b = cpu() - t0;
  console.log('native MB/s', (bytes / 1e6 / a).toFixed(1), 'reference MB/s', (bytes / 1e6 / b).toFixed(1));
}
