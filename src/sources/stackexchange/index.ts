/** StackExchange: Posts.xml of the largest sites, answers grouped under their questions. */
import { stackexchangeGroupStep } from './group.js';
import { stackexchangeSource } from './source.js';

export const sources = [stackexchangeSource];
export const steps = [stackexchangeGroupStep];
