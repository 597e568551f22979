/** Every CLI command; each file registers one command (or a group) on the program. */
import type { Command } from 'commander';
import { registerBuild } from './build.js';
import { registerFetch } from './fetch.js';
import { registerStats } from './stats.js';
import { registerInspect } from './inspect.js';
import { registerTask } from './task.js';
import { registerFinish } from './finish.js';
import { registerStatus } from './status.js';
import { registerLogs } from './logs.js';
import { registerReport } from './report.js';
import { registerPlan } from './plan.js';
import { registerEncode } from './encode.js';
import { registerDecode } from './decode.js';
import { registerCount } from './count.js';
import { registerTokenize } from './tokenize.js';
import { registerVerify } from './verify.js';
import { registerMix } from './mix.js';
import { registerDedup } from './dedup.js';
import { registerLicense } from './license.js';
import { registerLm } from './lm.js';
import { registerClassifier } from './classifier.js';
import { registerReference } from './reference.js';
import { registerValidate } from './validate.js';

export const commandRegistrars: Array<(program: Command) => void> = [
  registerBuild,
  registerValidate,
  registerReference,
  registerFetch,
  registerStats,
  registerInspect,
  registerStatus,
  registerLogs,
  registerReport,
  registerPlan,
  registerEncode,
  registerDecode,
  registerCount,
  registerTokenize,
  registerVerify,
  registerMix,
  registerDedup,
  registerTask,
  registerFinish,
  registerLicense,
  registerLm,
  registerClassifier,
];
