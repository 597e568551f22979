/** Books: Project Gutenberg and PG-19, with book-level near-dedup. */
import { bookNearDedupStep } from './near-dedup.js';
import { gutenbergSource, pg19Source } from './source.js';

export const sources = [gutenbergSource, pg19Source];
export const steps = [bookNearDedupStep];
