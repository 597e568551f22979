/**
 * A small leveled logger writing one line per event to stderr (progress and logs go to stderr,
 * results to stdout: the README, "Conventions"). Worker threads share the process's stderr.
 */

export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  child(prefix: string): Logger;
}

let threshold: Level = (process.env.CORPUSMILL_LOG as Level) in ORDER ? (process.env.CORPUSMILL_LOG as Level) : 'info';
let sink: (line: string) => void = (line) => process.stderr.write(`${line}\n`);

export function setLogLevel(level: Level): void {
  threshold = level;
}

/** Redirects log lines (the progress display uses this to keep bars and lines apart). */
export function setLogSink(fn: (line: string) => void): void {
  sink = fn;
}

export function createLogger(prefix = ''): Logger {
  const emit = (level: Level, msg: string) => {
    if (ORDER[level] < ORDER[threshold]) return;
    const time = new Date().toISOString().slice(11, 19);
    sink(`${time} ${level.padEnd(5)} ${prefix ? `${prefix} ` : ''}${msg}`);
  };
  return {
    debug: (m) => emit('debug', m),
    info: (m) => emit('info', m),
    warn: (m) => emit('warn', m),
    error: (m) => emit('error', m),
    child: (p) => createLogger(prefix ? `${prefix} ${p}` : p),
  };
}
