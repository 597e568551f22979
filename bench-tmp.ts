import { MinHasher } from './src/dedup/minhash/signature.js';
import { normalize } from './src/filters/signals/text-views.js';
import { sampleTexts } from './test/dedup/samples.js';
const texts = sampleTexts();
const bytes = texts.reduce((a, t) => a + Buffer.byteLength(t), 0);
const mh = new MinHasher();
const cpu = () => process.cpuUsage().user / 1e6;
for (let r = 0; r < 3; r++) {
  let t0 = cpu();
  for (let k = 0; k < 10; k++) mh.signatures(texts);
  console.log('sig MB/s', (bytes * 10 / 1e6 / (cpu() - t0)).toFixed(1));
  t0 = cpu();
  for (let k = 0; k < 10; k++) texts.map(normalize);
  console.log('normalize MB/s', (bytes * 10 / 1e6 / (cpu() - t0)).toFixed(1));
}
