/** The sources a pipeline can read (`inputs: [{source: <name>, ...}]`). */
import type { SourceDef } from './source.js';
import { c4Source } from './c4/source.js';
import { jsonlSource } from './jsonl.js';
import { githubSource } from './github/source.js';
import { wikipediaSource } from './wikipedia/source.js';
import { stackexchangeSource } from './stackexchange/source.js';
import { commonCrawlSource, commonCrawlWarcSource } from './commoncrawl/source.js';
import { arxivSource } from './arxiv/source.js';
import { gutenbergSource, pg19Source } from './books/source.js';

export const sources: SourceDef[] = [jsonlSource, c4Source, githubSource, commonCrawlSource, commonCrawlWarcSource, arxivSource, gutenbergSource, pg19Source, wikipediaSource, stackexchangeSource] as SourceDef[];
