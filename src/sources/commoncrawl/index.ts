/** CommonCrawl: WET segments (CCNet's input) and WARC files with HTML extraction. */
import { commonCrawlSource, commonCrawlWarcSource } from './source.js';

export const sources = [commonCrawlSource, commonCrawlWarcSource];
