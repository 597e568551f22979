/** Dedup steps (`steps: [{step: <name>, ...}]`). */
import { decontaminateDef } from './decontaminate.js';
import { exactDedupDef } from './exact.js';
import { minhashDedupDef } from './minhash/step.js';
import { paragraphDedupDef } from './paragraph.js';

export const steps = [exactDedupDef, minhashDedupDef, paragraphDedupDef, decontaminateDef];
