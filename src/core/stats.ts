/**
 * Counters for one step of one task, and how they merge across tasks.
 *
 * Every step gets a StepStats from the runner; the shared step helpers fill `docs_in/out`,
 * `bytes_in/out` (UTF-8 bytes of text) and `time_ms`, so a concrete filter only names its drop
 * reasons. Stats are plain JSON so they travel from worker threads, marker files and the catalog
 * alike, and merging is plain addition, so the result never depends on the worker count.
 */

export interface StepStats {
  step: string;
  docs_in: number;
  docs_out: number;
  bytes_in: number;
  bytes_out: number;
  time_ms: number;
  /** Documents removed, by reason (`too_short`, `duplicate`, …). */
  drops: Record<string, number>;
  /** Any other named count a step wants to report (lines removed, tokens, …). */
  counts: Record<string, number>;
}

export interface OutputStats {
  docs: number;
  /** UTF-8 bytes of document text written. */
  text_bytes: number;
  /** Bytes of the shard files on disk. */
  file_bytes: number;
  files: string[];
}

/** What a task reports when it completes. */
export interface TaskStats {
  source: string;
  /** Input bytes the task was planned with (for an earlier stage's output, an estimate). */
  input_bytes: number;
  /** Bytes the task actually read: raw input for a source, shard bytes for an earlier stage's output. */
  read_bytes?: number;
  /** Raw records the reader could not turn into documents, by reason; each also logged with its file and record. */
  quarantined: Record<string, number>;
  /** Reader counts that are not errors: records skipped by design (a WARC `request` record), records read despite a fault. */
  read_counts?: Record<string, number>;
  steps: StepStats[];
  output: OutputStats;
  rejects: OutputStats;
  time_ms: number;
  /** CPU time of the process while it ran the task (all its threads): with time_ms, how busy the core was. */
  cpu_ms?: number;
}

export function newStepStats(step: string): StepStats {
  return { step, docs_in: 0, docs_out: 0, bytes_in: 0, bytes_out: 0, time_ms: 0, drops: {}, counts: {} };
}

export function newOutputStats(): OutputStats {
  return { docs: 0, text_bytes: 0, file_bytes: 0, files: [] };
}

export function addCount(into: Record<string, number>, key: string, n = 1): void {
  into[key] = (into[key] ?? 0) + n;
}

function addRecord(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) addCount(into, k, v);
}

export function mergeStepStats(into: StepStats, from: StepStats): void {
  into.docs_in += from.docs_in;
  into.docs_out += from.docs_out;
  into.bytes_in += from.bytes_in;
  into.bytes_out += from.bytes_out;
  into.time_ms += from.time_ms;
  addRecord(into.drops, from.drops);
  addRecord(into.counts, from.counts);
}

function mergeOutputStats(into: OutputStats, from: OutputStats, keepFiles = false): void {
  into.docs += from.docs;
  into.text_bytes += from.text_bytes;
  into.file_bytes += from.file_bytes;
  if (keepFiles) into.files.push(...from.files);
}

/** Stats of one stage for one source, summed over its tasks. */
export interface SourceStageStats {
  tasks: number;
  input_bytes: number;
  /** What the stage read for this source (TaskStats.read_bytes summed). */
  read_bytes: number;
  quarantined: Record<string, number>;
  read_counts: Record<string, number>;
  steps: StepStats[];
  output: OutputStats;
  rejects: OutputStats;
  time_ms: number;
  cpu_ms?: number;
}

export function newSourceStageStats(): SourceStageStats {
  return { tasks: 0, input_bytes: 0, read_bytes: 0, quarantined: {}, read_counts: {}, steps: [], output: newOutputStats(), rejects: newOutputStats(), time_ms: 0, cpu_ms: 0 };
}

export function mergeTaskIntoSource(into: SourceStageStats, task: TaskStats): void {
  into.tasks += 1;
  into.input_bytes += task.input_bytes;
  // Markers written before read_bytes existed: the planned bytes are the best figure they have.
  into.read_bytes = (into.read_bytes ?? 0) + (task.read_bytes ?? task.input_bytes);
  into.time_ms += task.time_ms;
  into.cpu_ms = (into.cpu_ms ?? 0) + (task.cpu_ms ?? 0);
  addRecord(into.quarantined, task.quarantined);
  into.read_counts ??= {};
  addRecord(into.read_counts, task.read_counts ?? {});
  task.steps.forEach((s, i) => {
    into.steps[i] ??= newStepStats(s.step);
    mergeStepStats(into.steps[i], s);
  });
  mergeOutputStats(into.output, task.output);
  mergeOutputStats(into.rejects, task.rejects);
}

export const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');

/**
 * Tokens are counted under `tokens:<tokenizer>` (a step's `counts`), so totals never add up tokens
 * of different tokenizers.
 */
export const TOKEN_COUNT_PREFIX = 'tokens:';
export const tokenCountKey = (tokenizer: string): string => `${TOKEN_COUNT_PREFIX}${tokenizer}`;

/** Tokens per tokenizer counted by these steps. */
export function tokensByTokenizer(steps: readonly StepStats[], into: Record<string, number> = {}): Record<string, number> {
  for (const st of steps) {
    for (const [k, v] of Object.entries(st.counts ?? {})) if (k.startsWith(TOKEN_COUNT_PREFIX)) addCount(into, k.slice(TOKEN_COUNT_PREFIX.length), v);
  }
  return into;
}
