/** Bring your own data: generic JSON-lines input. */
import { jsonlSource } from './source.js';

export const sources = [jsonlSource];
