/** GitHub: repositories under permissive licences, with RedPajama's file filters. */
import { githubFiltersStep } from './filters.js';
import { githubSource } from './source.js';

export const sources = [githubSource];
export const steps = [githubFiltersStep];
