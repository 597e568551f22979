/** C4: allenai/c4 `json.gz` files (LLaMA's second web source). */
import { c4Source } from './source.js';

export const sources = [c4Source];
