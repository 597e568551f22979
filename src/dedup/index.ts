/** Dedup steps (`steps: [{step: <name>, ...}]`). */
import { exactDedupDef } from './exact.js';
import { minhashDedupDef } from './minhash/step.js';

export const steps = [exactDedupDef, minhashDedupDef];
