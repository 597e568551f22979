/** Wikipedia: multistream XML dumps of LLaMA's 20 languages, wikitext rendered to plain text. */
import { wikipediaSource } from './source.js';

export const sources = [wikipediaSource];
