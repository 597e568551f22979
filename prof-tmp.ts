import { TextViews } from './src/filters/signals/text-views.js';
import { computeSignals } from './src/filters/signals/signals.js';
import { stopWords } from './src/filters/signals/stopwords.js';
import { sampleTexts } from './test/dedup/samples.js';
const texts = sampleTexts();
const env = { stopWords: stopWords('en') };
for (let k = 0; k < 30; k++) for (const t of texts) computeSignals(new TextViews(t), env);
