/** Bring your own data: folders of plain text files, one document per file. */
import { textFilesSource } from './source.js';

export const sources = [textFilesSource];
