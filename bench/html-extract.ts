/**
 * `npm run bench:html`: main-content precision and recall of the WARC HTML extractor on the
 * labelled real pages in test/data/web (scores defined in test/sources/commoncrawl/html-eval.ts), one row per page,
 * then the totals; and `<pre>` lines that keep their leading indentation.
 */
import { scorePages, summarise } from '../test/sources/commoncrawl/html-eval.js';

const scores = await scorePages();
console.log('page'.padEnd(16), 'gold'.padStart(6), 'extracted'.padStart(9), 'P'.padStart(6), 'R'.padStart(6), ' url');
for (const s of scores)
  console.log(s.label.padEnd(16), String(s.gold).padStart(6), String(s.extracted).padStart(9), s.precision.toFixed(3).padStart(6), s.recall.toFixed(3).padStart(6), '', s.url);
const t = summarise(scores);
console.log(
  `tokens: precision ${t.precision.toFixed(3)} recall ${t.recall.toFixed(3)}; per-page mean: precision ${t.macroPrecision.toFixed(3)} recall ${t.macroRecall.toFixed(3)} (${scores.length} pages)`,
);
console.log(`indented <pre> lines kept verbatim: ${t.indentedPreKept} / ${t.indentedPre}`);
