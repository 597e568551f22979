/** Option parsers shared by commands: bad values are usage errors (exit 2) with a clear message. */
import { InvalidArgumentError, type Command } from 'commander';

export function intOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/** Repeatable options (`--allow-plugin a --allow-plugin b`). */
export const collectOption = (v: string, acc: string[]) => [...acc, v];

/** The `--allow-plugin` paths given (a global option): plugins outside the pipeline's folder the user vouches for. */
export function allowedPlugins(cmd: Command): string[] {
  return (cmd.optsWithGlobals() as { allowPlugin?: string[] }).allowPlugin ?? [];
}
