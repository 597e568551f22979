/**
 * Gathers what the report shows from a build's output folder: the counters of every stage (the
 * funnel and drops by reason), a scan of the last stage's shards (lengths, languages, perplexity
 * buckets, dedup clusters; capped per source so a report of a huge build stays quick), samples of
 * removed documents per reason from rejects/, token counts from token manifests, and the prompt and
 * response token counts of SFT shards (<out>/sft/).
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Catalog } from '../catalog/catalog.js';
import { ConfigError } from '../core/errors.js';
import { readShard, isDocumentFile } from '../io/shards.js';
import { catalogPath } from '../pipeline/layout.js';
import { syncMarkers } from '../pipeline/markers.js';
import { collectStats, type BuildStats } from '../pipeline/stats.js';

interface FunnelRow {
  label: string;
  docs: number;
  bytes: number;
  dropped: Array<[string, number]>;
}

/**
 * The documents of one source along one line of stages (a stage reading sources, then each stage
 * that reads only that stage's output for this source). A stage that merges several lines of the
 * same source starts a funnel of its own, so a funnel never chains unrelated stages.
 */
export interface Funnel {
  source: string;
  stages: string[];
  rows: FunnelRow[];
}

interface DroppedSample {
  stage: string;
  source: string;
  reason: string;
  count: number;
  samples: Array<{ id: string; text: string }>;
}

export interface ReportData {
  pipeline: string;
  out: string;
  generated_at: string;
  stats: BuildStats;
  funnels: Funnel[];
  final: {
    stage: string;
    scanned: Record<string, number>;
    lengths: number[];
    /** Natural languages (ISO 639 codes from language id or the source) and programming languages (code). */
    languages: Record<string, number>;
    programming: Record<string, number>;
    buckets: Record<string, number>;
    clusterSizes: Record<string, number>;
    perplexities: number[];
  } | null;
  /** Tokens per tokenizer, then per source (never added across tokenizers). */
  tokens: Record<string, Record<string, number>> | null;
  /** SFT shards per tokenizer and source: examples, masked prompt and trained response tokens. */
  sft: SftRow[] | null;
  dropped: DroppedSample[];
}

interface SftRow {
  tokenizer: string;
  source: string;
  template: string;
  examples: number;
  prompt_tokens: number;
  response_tokens: number;
  truncated: number;
}

export async function collectReport(out: string, opts: { maxDocsPerSource?: number; samplesPerReason?: number } = {}): Promise<ReportData> {
  if (!existsSync(catalogPath(out))) throw new ConfigError(`${out}: not a build output folder (no catalog.sqlite)`);
  const maxDocs = opts.maxDocsPerSource ?? 50_000;
  const perReason = opts.samplesPerReason ?? 3;
  const cat = new Catalog(catalogPath(out));
  let stats: BuildStats;
  try {
    const stages = cat.db.prepare('SELECT name, hash FROM stages ORDER BY planned_at, rowid').all() as Array<{ name: string; hash: string }>;
    for (const s of stages) await syncMarkers(cat, out, s.name, s.hash);
    const run = cat.db.prepare('SELECT pipeline FROM runs ORDER BY id DESC LIMIT 1').get() as { pipeline: string } | undefined;
    stats = collectStats(
      cat,
      run?.pipeline ?? '',
      stages.map((s) => s.name),
    );
  } finally {
    cat.close();
  }

  const funnels = buildFunnels(stats);

  // What a trainer gets: the documents of the stages no later document-writing stage reads.
  const writing = stats.stages.filter((s) => s.totals.docs > 0);
  const consumed = new Set(writing.flatMap((s) => s.upstream));
  const finals = writing.filter((s) => !consumed.has(s.name));
  let final: ReportData['final'] = null;
  if (finals.length) {
    final = { stage: finals.map((s) => s.name).join(', '), scanned: {}, lengths: [], languages: {}, programming: {}, buckets: {}, clusterSizes: {}, perplexities: [] };
    for (const finalStage of finals) {
      for (const source of Object.keys(finalStage.sources).sort()) {
        const dir = join(out, finalStage.name, source);
        if (!existsSync(dir)) continue;
        let n = 0;
        outer: for (const f of (await readdir(dir)).filter(isDocumentFile).sort()) {
          for await (const d of readShard(join(dir, f), { source })) {
            if (n++ >= maxDocs) break outer;
            final.lengths.push(codePoints(d.text));
            const m = d.meta;
            const lang = typeof m.language === 'string' && m.language ? m.language : 'unknown';
            const code = d.source === 'github' || (lang !== 'unknown' && !NATURAL_LANGUAGE.test(lang));
            const into = code ? final.programming : final.languages;
            into[lang] = (into[lang] ?? 0) + 1;
            if (typeof m.bucket === 'string') final.buckets[m.bucket] = (final.buckets[m.bucket] ?? 0) + 1;
            if (typeof m.perplexity === 'number') final.perplexities.push(m.perplexity);
            const dedup = m.dedup as { cluster_size?: number } | undefined;
            const size = String(dedup?.cluster_size ?? 1);
            final.clusterSizes[size] = (final.clusterSizes[size] ?? 0) + 1;
          }
        }
        final.scanned[source] = (final.scanned[source] ?? 0) + Math.min(n, maxDocs);
      }
    }
  }

  return {
    pipeline: stats.pipeline,
    out,
    generated_at: new Date().toISOString(),
    stats,
    funnels,
    final,
    tokens: await tokenCounts(out),
    sft: await sftCounts(out),
    dropped: await droppedSamples(out, stats, perReason),
  };
}

async function droppedSamples(out: string, stats: BuildStats, perReason: number): Promise<DroppedSample[]> {
  const res: DroppedSample[] = [];
  for (const st of stats.stages) {
    for (const [source, s] of Object.entries(st.sources)) {
      const counts = new Map<string, number>();
      for (const step of s.steps) for (const [r, n] of Object.entries(step.drops)) counts.set(r, (counts.get(r) ?? 0) + n);
      if (counts.size === 0) continue;
      const samples = new Map<string, Array<{ id: string; text: string }>>();
      const dir = join(out, 'rejects', st.name, source);
      if (existsSync(dir)) {
        outer: for (const f of (await readdir(dir)).filter(isDocumentFile).sort()) {
          for await (const d of readShard(join(dir, f), { source })) {
            const reason = String(d.meta.filter_reason ?? 'unknown');
            const list = samples.get(reason) ?? [];
            if (list.length < perReason) list.push({ id: d.id, text: clipText(d.text, SAMPLE_CHARS) });
            samples.set(reason, list);
            if ([...counts.keys()].every((r) => (samples.get(r)?.length ?? 0) >= perReason)) break outer;
          }
        }
      }
      for (const [reason, count] of [...counts.entries()].sort((a, b) => b[1] - a[1])) res.push({ stage: st.name, source, reason, count, samples: samples.get(reason) ?? [] });
    }
  }
  return res;
}

/**
 * Tokens per tokenizer and source from token manifests under `<out>/tokens/<tokenizer>/` (any depth
 * below, `manifest.json` or `part-NNNNN.manifest.json`): a manifest's `tokens_per_source` object,
 * or `sources.<name>.tokens`. The tokenizer is the manifest's own name for it, else the folder.
 */
async function tokenCounts(out: string): Promise<Record<string, Record<string, number>> | null> {
  const root = join(out, 'tokens');
  if (!existsSync(root)) return null;
  const totals: Record<string, Record<string, number>> = {};
  const walk = async (dir: string, folder: string): Promise<void> => {
    for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p, folder);
      else if (e.name === 'manifest.json' || e.name.endsWith('.manifest.json')) {
        const m = JSON.parse(await readFile(p, 'utf8')) as {
          tokenizer?: { name?: string };
          tokens_per_source?: Record<string, number>;
          sources?: Record<string, { tokens?: number }>;
        };
        const per = m.tokens_per_source ?? Object.fromEntries(Object.entries(m.sources ?? {}).map(([k, v]) => [k, v.tokens ?? 0]));
        const tokenizer = m.tokenizer?.name ?? folder;
        totals[tokenizer] ??= {};
        const into = totals[tokenizer];
        for (const [k, v] of Object.entries(per)) into[k] = (into[k] ?? 0) + v;
      }
    }
  };
  for (const e of (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory()).sort((a, b) => (a.name < b.name ? -1 : 1))) await walk(join(root, e.name), e.name);
  for (const [k, v] of Object.entries(totals)) if (Object.keys(v).length === 0) delete totals[k];
  return Object.keys(totals).length ? totals : null;
}

/** Examples and prompt / response tokens from the manifests of SFT shards under `<out>/sft/<tokenizer>/<source>/`. */
async function sftCounts(out: string): Promise<SftRow[] | null> {
  const root = join(out, 'sft');
  if (!existsSync(root)) return null;
  const rows = new Map<string, SftRow>();
  for (const tokenizer of (await readdir(root)).sort()) {
    const tdir = join(root, tokenizer);
    for (const e of (await readdir(tdir, { withFileTypes: true })).filter((d) => d.isDirectory()).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      for (const f of (await readdir(join(tdir, e.name))).filter((n) => n.endsWith('.manifest.json')).sort()) {
        const m = JSON.parse(await readFile(join(tdir, e.name, f), 'utf8')) as {
          sft?: { template: string; examples: number; prompt_tokens: number; response_tokens: number; truncated: number };
        };
        if (!m.sft) continue;
        const key = `${tokenizer}/${e.name}`;
        const r = rows.get(key) ?? { tokenizer, source: e.name, template: m.sft.template, examples: 0, prompt_tokens: 0, response_tokens: 0, truncated: 0 };
        r.examples += m.sft.examples;
        r.prompt_tokens += m.sft.prompt_tokens;
        r.response_tokens += m.sft.response_tokens;
        r.truncated += m.sft.truncated;
        rows.set(key, r);
      }
    }
  }
  return rows.size ? [...rows.values()] : null;
}

/** Language ids as language id models and sources write them (ISO 639-1/3, optionally a script or region). */
const NATURAL_LANGUAGE = /^[a-z]{2,3}([-_][A-Za-z0-9]{2,8})?$/;

/** Characters of removed-document samples kept in the report. */
const SAMPLE_CHARS = 400;

function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A high surrogate followed by a low one is one character.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * The first `max` characters (grapheme clusters: never half an emoji or a letter without its accent)
 * of a text, with `…` when cut, as a new string: a slice would keep the whole document alive.
 */
export function clipText(text: string, max: number): string {
  // Bounded input for the segmenter: a cluster is rarely longer than a few dozen code units.
  const head = text.length > max * 4 + 64 ? text.slice(0, max * 4 + 64) : text;
  let out = '';
  let n = 0;
  let cut = head.length < text.length;
  for (const { segment } of graphemes.segment(head)) {
    if (n === max) {
      cut = true;
      break;
    }
    out += segment;
    n++;
  }
  return Buffer.from(cut ? `${out}…` : out, 'utf8').toString('utf8');
}

/** Funnels along each line of stages, per source (see Funnel). */
function buildFunnels(stats: BuildStats): Funnel[] {
  const funnels: Funnel[] = [];
  const byName = new Map(stats.stages.map((s) => [s.name, s]));
  // Per source: the funnel whose last stage is this one, while no other stage has continued it.
  const open = new Map<string, Map<string, Funnel>>();
  for (const st of stats.stages) {
    for (const [source, s] of Object.entries(st.sources).sort(([a], [b]) => a.localeCompare(b))) {
      const ends = open.get(source) ?? new Map<string, Funnel>();
      open.set(source, ends);
      const from = st.upstream.filter((u) => byName.get(u)?.sources[source]);
      let f = from.length === 1 ? ends.get(from[0]!) : undefined;
      if (f) {
        ends.delete(from[0]!);
        f.stages.push(st.name);
      } else {
        f = { source, stages: [st.name], rows: [] };
        funnels.push(f);
        const dropped = Object.entries(s.quarantined).map(([k, v]) => [`quarantined ${k}`, v] as [string, number]);
        for (const [k, v] of Object.entries(s.read_counts ?? {}).sort((a, b) => b[1] - a[1])) dropped.push([k.replace(/_/g, ' '), v]);
        const label = from.length ? `${st.name}: read (${from.join(', ')})` : `${st.name}: read`;
        f.rows.push({ label, docs: s.steps[0]?.docs_in ?? s.output.docs, bytes: s.steps[0]?.bytes_in ?? 0, dropped });
      }
      for (const step of s.steps)
        f.rows.push({ label: `${st.name}: ${step.step}`, docs: step.docs_out, bytes: step.bytes_out, dropped: Object.entries(step.drops).sort((a, b) => b[1] - a[1]) });
      ends.set(st.name, f);
    }
  }
  return funnels;
}
