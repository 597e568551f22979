/** Instruction data (Alpaca, chat) and SFT shards with loss masks: docs/sft.md. */
import { alpacaSource, chatSource } from './source.js';
import { sftTokenizeStep } from './step.js';

export const sources = [alpacaSource, chatSource];
export const steps = [sftTokenizeStep];
