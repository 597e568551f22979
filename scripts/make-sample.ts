/**
 * Writes the sample corpus inputs under samples/, in each source's real raw format, from a seeded
 * generator (same bytes on every run). The committed files are what `pipelines/sample.yaml` reads;
 * run `npm run make-sample` after changing a generator. Each source adds its generator under
 * scripts/sample/ and a line here.
 */
import { makeC4Sample } from './sample/c4.js';
import { makeDedupSample } from './sample/dedup.js';
import { makeGithubSample } from './sample/github.js';
import { makeStackExchangeSample } from './sample/stackexchange.js';
import { makeWikipediaSample } from './sample/wikipedia.js';
import { makeWebModelsSample } from './sample/web-models.js';
import { makeC4ValidationSample, makeCommonCrawlSample, makeWarcSample } from './sample/web.js';
import { makeArxivSample, makeGutenbergSample } from './sample/arxiv-books.js';
import { makeModernSample } from './sample/modern.js';
import { makeParquetSample } from './sample/parquet.js';

const root = new URL('../samples/', import.meta.url);
await makeC4Sample(root);
await makeDedupSample(root);
await makeGithubSample(root);
await makeWikipediaSample(root);
await makeStackExchangeSample(root);
await makeWebModelsSample(root);
await makeC4ValidationSample(root);
await makeCommonCrawlSample(root);
await makeWarcSample(root);
await makeArxivSample(root);
await makeGutenbergSample(root);
await makeModernSample(root);
await makeParquetSample(root);
process.stderr.write('sample inputs written under samples/\n');
