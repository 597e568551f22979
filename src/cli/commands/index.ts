/** Every CLI command; each file registers one command (or a group) on the program. */
import type { Command } from 'commander';
import { registerBuild } from './build.js';
import { registerFetch } from './fetch.js';
import { registerStats } from './stats.js';
import { registerInspect } from './inspect.js';
import { registerLm } from './lm.js';
import { registerClassifier } from './classifier.js';

export const commandRegistrars: Array<(program: Command) => void> = [registerBuild, registerFetch, registerStats, registerInspect, registerLm, registerClassifier];
