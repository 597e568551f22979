/** Every CLI command; each file registers one command (or a group) on the program. */
import type { Command } from 'commander';
import { registerDedup } from './dedup.js';

export const commandRegistrars: Array<(program: Command) => void> = [registerDedup];
