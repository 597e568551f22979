/**
 * Merges task counters into per-stage, per-source stats (stats.json and `corpusmill stats`), and
 * renders them as a table. Merging is addition over tasks, so it never depends on the worker count.
 */
import type { Catalog } from '../catalog/catalog.js';
import {
  mergeStepStats,
  mergeTaskIntoSource,
  newSourceStageStats,
  newStepStats,
  type SourceStageStats,
  type StepStats,
  TOKEN_COUNT_PREFIX,
  tokensByTokenizer,
} from '../core/stats.js';
import { MAIN_PHASE } from './layout.js';

interface PassStats {
  /** What the pass does, for people (`minhash_dedup: signatures`). */
  label: string;
  tasks: number;
  time_ms: number;
  cpu_ms?: number;
  steps: StepStats[];
}

interface StageStats {
  name: string;
  done: boolean;
  /** Stages this one reads (empty when it reads sources). */
  upstream: string[];
  tasks: { total: number; done: number };
  sources: Record<string, SourceStageStats>;
  /** Passes of global steps (dedup scans, reductions), by phase, in run order: steps and time only. */
  passes: Record<string, PassStats>;
  totals: {
    docs: number;
    text_bytes: number;
    file_bytes: number;
    quarantined: number;
    rejected_docs: number;
    /** What the stage read: raw input bytes for sources, shard bytes for earlier stages' output. */
    read_bytes: number;
    /** Tokens written, per tokenizer (never added across tokenizers). */
    tokens: Record<string, number>;
  };
}

export interface BuildStats {
  pipeline: string;
  stages: StageStats[];
  /** Tokens per tokenizer over every stage. */
  tokens: Record<string, number>;
}

export function collectStats(catalog: Catalog, pipelineName: string, stageNames: string[]): BuildStats {
  const stages: StageStats[] = [];
  const buildTokens: Record<string, number> = {};
  for (const name of stageNames) {
    const info = catalog.stage(name);
    if (!info) continue;
    const st: StageStats = {
      name,
      done: info.done_at !== null,
      upstream: info.upstream,
      tasks: { total: 0, done: 0 },
      sources: {},
      passes: {},
      totals: { docs: 0, text_bytes: 0, file_bytes: 0, quarantined: 0, rejected_docs: 0, read_bytes: 0, tokens: {} },
    };
    const passes = new Map<string, PassStats>(info.phases.filter((p) => p !== MAIN_PHASE).map((p) => [p, { label: info.labels[p] ?? p, tasks: 0, time_ms: 0, steps: [] }]));
    for (const t of catalog.tasks(name)) {
      st.tasks.total++;
      if (t.state !== 'done' || !t.stats) continue;
      st.tasks.done++;
      if (t.phase === MAIN_PHASE) {
        st.sources[t.spec.source] ??= newSourceStageStats();
        mergeTaskIntoSource(st.sources[t.spec.source], t.stats);
      } else {
        const p = passes.get(t.phase) ?? { label: t.phase, tasks: 0, time_ms: 0, cpu_ms: 0, steps: [] };
        passes.set(t.phase, p);
        p.tasks++;
        p.time_ms += t.stats.time_ms;
        p.cpu_ms = (p.cpu_ms ?? 0) + (t.stats.cpu_ms ?? 0);
        t.stats.steps.forEach((s, i) => {
          p.steps[i] ??= newStepStats(s.step);
          mergeStepStats(p.steps[i], s);
        });
      }
    }
    for (const [phase, p] of passes) {
      // Catalogs planned before phases had labels: the pass's own step is named `<step>.<pass>`.
      if (p.label === phase && p.steps.length) p.label = p.steps.at(-1)!.step.replace('.', ': ');
      if (p.tasks > 0) st.passes[phase] = p;
    }
    for (const s of Object.values(st.sources)) {
      st.totals.docs += s.output.docs;
      st.totals.text_bytes += s.output.text_bytes;
      st.totals.file_bytes += s.output.file_bytes;
      st.totals.rejected_docs += s.rejects.docs;
      st.totals.read_bytes += s.read_bytes;
      st.totals.quarantined += Object.values(s.quarantined).reduce((a, b) => a + b, 0);
      tokensByTokenizer(s.steps, st.totals.tokens);
    }
    for (const [k, v] of Object.entries(st.totals.tokens)) buildTokens[k] = (buildTokens[k] ?? 0) + v;
    stages.push(st);
  }
  return { pipeline: pipelineName, stages, tokens: buildTokens };
}

/** Bytes in decimal units: `812 B`, `20.0 KB`, `176 KB`, `1.4 GB`. */
export function humanBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  let v = n;
  while (Math.abs(v) >= 999.5 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${Math.round(n)} B` : `${v.toFixed(v >= 99.95 ? 0 : 1)} ${units[i]}`;
}

/** A count with thousands separators: `1,001,409`. */
export function humanCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Seconds as `0.4s`, `12s`, `3m05s`, `2h07m`. */
export function humanDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  if (s < 9.95) return `${s.toFixed(1)}s`;
  if (s < 59.5) return `${Math.round(s)}s`;
  if (s < 3599.5) {
    const t = Math.round(s);
    return `${Math.floor(t / 60)}m${String(t % 60).padStart(2, '0')}s`;
  }
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Tokens per tokenizer as `llama2 120,945 tokens` (several joined by `, `). */
export function formatTokens(tokens: Record<string, number>): string {
  return Object.entries(tokens)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${humanCount(v)} tokens`)
    .join(', ');
}

/** Rows as aligned columns (`rightAlign` per column), header first. */
export function textTable(rows: string[][], rightAlign: boolean[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (rightAlign[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const sortedCounts = (o: Record<string, number>) =>
  Object.entries(o)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');

/** The table `build` prints at the end and `stats` prints by default. */
export function formatStats(stats: BuildStats): string {
  const out: string[] = [];
  for (const st of stats.stages) {
    out.push(`stage ${st.name}${st.done ? '' : ` (incomplete: ${st.tasks.done}/${st.tasks.total} tasks)`}`);
    const rows: string[][] = [['source', 'step', 'docs in', 'docs out', 'bytes in', 'bytes out', 'time', 'dropped (by reason)']];
    for (const [source, s] of Object.entries(st.sources).sort(([a], [b]) => a.localeCompare(b))) {
      const q = sortedCounts(s.quarantined);
      const counted = sortedCounts(s.read_counts ?? {});
      const readNotes = [q ? `quarantined ${q}` : '', counted ? `counted ${counted}` : ''].filter(Boolean).join('; ');
      // What this stage read for the source: raw input for a source, shard bytes for an earlier stage.
      rows.push([source, '(read)', '', humanCount(s.steps[0]?.docs_in ?? s.output.docs), humanBytes(s.read_bytes ?? s.input_bytes), '', '', readNotes]);
      for (const step of s.steps) {
        const drops = sortedCounts(step.drops);
        // Counts a step reports besides drops (PII replaced, lines removed, ...); tokens get their own row.
        const counted = sortedCounts(Object.fromEntries(Object.entries(step.counts ?? {}).filter(([k]) => !k.startsWith(TOKEN_COUNT_PREFIX))));
        const notes = [drops, counted ? `counted ${counted}` : ''].filter(Boolean).join('; ');
        rows.push([
          '',
          step.step,
          humanCount(step.docs_in),
          humanCount(step.docs_out),
          humanBytes(step.bytes_in),
          humanBytes(step.bytes_out),
          humanDuration(step.time_ms / 1000),
          notes,
        ]);
      }
      const tokens = tokensByTokenizer(s.steps);
      const last = s.steps.at(-1);
      // A stage that writes no documents (write_documents: false) shows what it did write: tokens.
      const wroteDocs = s.output.docs > 0 || !last || last.docs_out === 0;
      if (wroteDocs) rows.push(['', '(written)', '', humanCount(s.output.docs), '', humanBytes(s.output.text_bytes), '', s.rejects.docs ? `rejects kept: ${s.rejects.docs}` : '']);
      if (Object.keys(tokens).length) rows.push(['', '(tokens)', '', humanCount(last?.docs_out ?? 0), '', '', '', formatTokens(tokens)]);
    }
    if (rows.length > 1) out.push(textTable(rows, [false, false, true, true, true, true, true, false]));
    for (const p of Object.values(st.passes)) out.push(`  pass ${p.label}: ${p.tasks} task${p.tasks === 1 ? '' : 's'}, ${humanDuration(p.time_ms / 1000)}`);
    const parts: string[] = [];
    if (st.totals.docs > 0 || Object.keys(st.totals.tokens).length === 0)
      parts.push(`${humanCount(st.totals.docs)} documents, ${humanBytes(st.totals.text_bytes)} of text in ${humanBytes(st.totals.file_bytes)} of shards`);
    if (Object.keys(st.totals.tokens).length) parts.push(formatTokens(st.totals.tokens));
    const quarantined = st.totals.quarantined ? `; ${humanCount(st.totals.quarantined)} ${st.totals.quarantined === 1 ? 'record' : 'records'} quarantined` : '';
    out.push(`  total: read ${humanBytes(st.totals.read_bytes)}; wrote ${parts.join('; ')}${quarantined}`);
    out.push('');
  }
  if (Object.keys(stats.tokens).length) out.push(`tokens: ${formatTokens(stats.tokens)}`, '');
  return out.join('\n');
}
