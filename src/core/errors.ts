/**
 * Errors that carry the context a user needs: which file, which record, what was expected.
 * The CLI prints `message` as one line (stack only with --verbose) and picks the exit code by kind.
 */

export interface Where {
  file?: string;
  /** Line number, byte offset or document id. */
  record?: string | number;
}

function describe(where: Where): string {
  const parts: string[] = [];
  if (where.file) parts.push(where.file);
  if (where.record !== undefined) parts.push(typeof where.record === 'number' ? `record ${where.record}` : where.record);
  return parts.join(': ');
}

/** A failure of the work (bad input, network, disk): exit code 1. */
export class CorpusError extends Error {
  readonly where: Where;
  constructor(message: string, where: Where = {}, options?: { cause?: unknown }) {
    const prefix = describe(where);
    super(prefix ? `${prefix}: ${message}` : message, options);
    this.name = 'CorpusError';
    this.where = where;
  }
}

/** Bad usage or configuration: exit code 2. */
export class ConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
