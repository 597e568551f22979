/** The sources a pipeline can read (`inputs: [{source: <name>, ...}]`). */
import type { SourceDef } from './source.js';
import { c4Source } from './c4/source.js';
import { jsonlSource } from './jsonl.js';
import { commonCrawlSource, commonCrawlWarcSource } from './commoncrawl/source.js';

export const sources: SourceDef[] = [jsonlSource, c4Source, commonCrawlSource, commonCrawlWarcSource] as SourceDef[];
