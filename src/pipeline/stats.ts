/**
 * Merges task counters into per-stage, per-source stats (stats.json and `corpusmill stats`), and
 * renders them as a table. Merging is addition over tasks, so it never depends on the worker count.
 */
import type { Catalog } from '../catalog/catalog.js';
import { mergeTaskIntoSource, newSourceStageStats, type SourceStageStats, mergeStepStats, newStepStats, type StepStats } from '../core/stats.js';
import { MAIN_PHASE } from './layout.js';

interface StageStats {
  name: string;
  done: boolean;
  /** Stages this one reads (empty when it reads sources). */
  upstream: string[];
  tasks: { total: number; done: number };
  sources: Record<string, SourceStageStats>;
  /** Passes of global steps (dedup scans, reductions): steps and time only. */
  passes: Record<string, { tasks: number; time_ms: number; steps: StepStats[] }>;
  totals: { docs: number; text_bytes: number; file_bytes: number; quarantined: number; rejected_docs: number };
}

export interface BuildStats {
  pipeline: string;
  stages: StageStats[];
}

export function collectStats(catalog: Catalog, pipelineName: string, stageNames: string[]): BuildStats {
  const stages: StageStats[] = [];
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
      totals: { docs: 0, text_bytes: 0, file_bytes: 0, quarantined: 0, rejected_docs: 0 },
    };
    for (const t of catalog.tasks(name)) {
      st.tasks.total++;
      if (t.state !== 'done' || !t.stats) continue;
      st.tasks.done++;
      if (t.phase === MAIN_PHASE) {
        st.sources[t.spec.source] ??= newSourceStageStats();
        mergeTaskIntoSource(st.sources[t.spec.source], t.stats);
      } else {
        st.passes[t.phase] ??= { tasks: 0, time_ms: 0, steps: [] };
        const p = st.passes[t.phase];
        p.tasks++;
        p.time_ms += t.stats.time_ms;
        t.stats.steps.forEach((s, i) => {
          p.steps[i] ??= newStepStats(s.step);
          mergeStepStats(p.steps[i], s);
        });
      }
    }
    for (const s of Object.values(st.sources)) {
      st.totals.docs += s.output.docs;
      st.totals.text_bytes += s.output.text_bytes;
      st.totals.file_bytes += s.output.file_bytes;
      st.totals.rejected_docs += s.rejects.docs;
      st.totals.quarantined += Object.values(s.quarantined).reduce((a, b) => a + b, 0);
    }
    stages.push(st);
  }
  return { pipeline: pipelineName, stages };
}

export function humanBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}

function table(rows: string[][], rightAlign: boolean[]): string {
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

/** The table `build` prints at the end and `stats` prints by default. */
export function formatStats(stats: BuildStats): string {
  const out: string[] = [];
  for (const st of stats.stages) {
    out.push(`stage ${st.name}${st.done ? '' : ` (incomplete: ${st.tasks.done}/${st.tasks.total} tasks)`}`);
    const rows: string[][] = [['source', 'step', 'docs in', 'docs out', 'bytes in', 'bytes out', 'time', 'dropped (by reason)']];
    for (const [source, s] of Object.entries(st.sources).sort(([a], [b]) => a.localeCompare(b))) {
      const q = Object.entries(s.quarantined);
      const counted = Object.entries(s.read_counts ?? {}).sort(([a], [b]) => a.localeCompare(b));
      const readNotes = [
        q.length ? `quarantined ${q.map(([k, v]) => `${k}=${v}`).join(' ')}` : '',
        counted.length ? `counted ${counted.map(([k, v]) => `${k}=${v}`).join(' ')}` : '',
      ]
        .filter(Boolean)
        .join('; ');
      rows.push([source, '(read)', '', String(s.steps[0]?.docs_in ?? s.output.docs), humanBytes(s.input_bytes), '', '', readNotes]);
      for (const step of s.steps) {
        const drops = Object.entries(step.drops)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, v]) => `${k}=${v}`)
          .join(' ');
        // Counts a step reports besides drops (PII replaced, lines removed, ...), as the read row shows its counts.
        const counted = Object.entries(step.counts ?? {})
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, v]) => `${k}=${v}`)
          .join(' ');
        const notes = [drops, counted ? `counted ${counted}` : ''].filter(Boolean).join('; ');
        rows.push([
          '',
          step.step,
          String(step.docs_in),
          String(step.docs_out),
          humanBytes(step.bytes_in),
          humanBytes(step.bytes_out),
          `${(step.time_ms / 1000).toFixed(2)}s`,
          notes,
        ]);
      }
      rows.push(['', '(written)', '', String(s.output.docs), '', humanBytes(s.output.text_bytes), '', s.rejects.docs ? `rejects kept: ${s.rejects.docs}` : '']);
    }
    if (rows.length > 1) out.push(table(rows, [false, false, true, true, true, true, true, false]));
    for (const [phase, p] of Object.entries(st.passes)) out.push(`  pass ${phase}: ${p.tasks} tasks, ${(p.time_ms / 1000).toFixed(2)}s`);
    out.push(
      `  total: ${st.totals.docs} documents, ${humanBytes(st.totals.text_bytes)} of text in ${humanBytes(st.totals.file_bytes)} of shards` +
        (st.totals.quarantined ? `, ${st.totals.quarantined} records quarantined` : ''),
    );
    out.push('');
  }
  return out.join('\n');
}
