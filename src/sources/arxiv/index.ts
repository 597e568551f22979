/** ArXiv: LaTeX sources cleaned as RedPajama did. */
import { arxivSource } from './source.js';

export const sources = [arxivSource];
