import { TextViews } from './src/filters/signals/text-views.js';
import { computeSignals } from './src/filters/signals/signals.js';
import { stopWords } from './src/filters/signals/stopwords.js';
import { sampleTexts } from './test/dedup/samples.js';
const texts = sampleTexts();
const bytes = texts.reduce((a, t) => a + Buffer.byteLength(t), 0);
const env = { stopWords: stopWords('en') };
for (let r = 0; r < 4; r++) {
  let t0 = (process.cpuUsage().user/1000);
  const reps = 20;
  for (let k = 0; k < reps; k++) for (const t of texts) new TextViews(t);
  const a = ((process.cpuUsage().user/1000) - t0) / 1000;
  t0 = (process.cpuUsage().user/1000);
  for (let k = 0; k < reps; k++) for (const t of texts) computeSignals(new TextViews(t), env);
  const b = ((process.cpuUsage().user/1000) - t0) / 1000;
  console.log('views MB/s', (bytes * reps / 1e6 / a).toFixed(1), 'all MB/s', (bytes * reps / 1e6 / b).toFixed(1));
}
