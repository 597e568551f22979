/** The sources a pipeline can read (`inputs: [{source: <name>, ...}]`). */
import type { SourceDef } from './source.js';
import { c4Source } from './c4/source.js';
import { jsonlSource } from './jsonl.js';
import { githubSource } from './github/source.js';
import { commonCrawlSource, commonCrawlWarcSource } from './commoncrawl/source.js';

export const sources: SourceDef[] = [jsonlSource, c4Source, githubSource, commonCrawlSource, commonCrawlWarcSource] as SourceDef[];
