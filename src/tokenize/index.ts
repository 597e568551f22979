/** Tokenizer steps (`steps: [{step: tokenize, ...}]`). */
import { tokenizeStep } from './steps.js';

export const steps = [tokenizeStep];
