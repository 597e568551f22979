#!/usr/bin/env node
/**
 * The corpusmill command line. Results go to stdout, progress and logs to stderr. Exit codes:
 * 0 success, 1 a failure of the work (one line naming the file and record), 2 bad usage or
 * configuration. --verbose adds stack traces.
 */
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../core/errors.js';
import { setLogLevel } from '../core/log.js';
import { commandRegistrars } from './commands/index.js';
import { collectOption } from './options.js';

export function makeProgram(): Command {
  const program = new Command();
  program
    .name('corpusmill')
    .description('Rebuild the LLaMA / RedPajama pre-training corpus: fetch, clean, dedup, tokenize.')
    .option('-v, --verbose', 'debug logs and stack traces on errors')
    .option('-q, --quiet', 'warnings and errors only')
    .option('--allow-plugin <path>', "load this plugin module although it is outside the pipeline's folder (repeatable)", collectOption, [])
    // Usage errors (commander's own included: a bad option value, a missing option) exit 2, as the
    // README states; set before the commands are added so every subcommand inherits both.
    .exitOverride()
    .configureOutput({ outputError: (s, write) => write(`corpusmill: ${s}`) })
    .showHelpAfterError('(add --help for usage)')
    .hook('preAction', (cmd) => {
      const o = cmd.opts<{ verbose?: boolean; quiet?: boolean }>();
      if (o.verbose) setLogLevel('debug');
      else if (o.quiet) setLogLevel('warn');
    });
  for (const register of commandRegistrars) register(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = makeProgram();
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    // --help and --version exit 0; every other commander exit (help shown because a command is
    // missing, an unknown option, a bad value) is a usage error.
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    const err = e instanceof Error ? e : new Error(String(e));
    process.stderr.write(`corpusmill: ${err.message}\n`);
    if (verbose && err.stack) process.stderr.write(`${err.stack}\n`);
    return err instanceof ConfigError || err.name === 'ConfigError' ? 2 : 1;
  }
}

// Run when executed directly (`tsx src/cli/main.ts`); bin/corpusmill.js calls main() itself.
const isEntry = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isEntry) {
  const code = await main(process.argv.slice(2));
  process.exitCode = code;
}
