import { MinHasher } from './src/dedup/minhash/signature.js';
import { normalize } from './src/filters/signals/text-views.js';
import { sampleTexts } from './test/dedup/samples.js';
const texts = sampleTexts().map(normalize);
const bytes = texts.reduce((a, t) => a + Buffer.byteLength(t), 0);
const cpu = () => process.cpuUsage().user / 1e6;
for (const p of [1, 128]) {
  const mh = new MinHasher({ perms: p });
  for (let r = 0; r < 2; r++) {
    const t0 = cpu();
    for (let k = 0; k < 10; k++) mh.signaturesOfNormalized(texts);
    console.log(p, 'sig-only MB/s', (bytes * 10 / 1e6 / (cpu() - t0)).toFixed(1));
  }
}
