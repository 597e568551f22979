/**
 * Renders ReportData as one self-contained HTML file (inline CSS and SVG: nothing to fetch at view
 * time) or as Markdown. Sections without data in this build say what would provide it, rather than
 * drawing an empty chart.
 */
import { formatTokens, humanBytes } from '../pipeline/stats.js';
import { clipText, type Funnel, type ReportData } from './collect.js';
import { LLAMA_MIXTURE } from './mixture.js';
import { barChart, esc, fmt, funnel, histogram } from './svg.js';

function lengthBins(lengths: number[]): Array<{ label: string; count: number }> {
  const bins: Array<{ label: string; count: number }> = [];
  for (let e = 4; e <= 20; e++) bins.push({ label: e === 4 ? '≤16' : fmt(2 ** e), count: 0 });
  for (const n of lengths) bins[Math.min(bins.length - 1, Math.max(0, Math.ceil(Math.log2(Math.max(1, n))) - 4))]!.count++;
  while (bins.length > 1 && bins.at(-1)!.count === 0) bins.pop();
  return bins;
}

function linearBins(values: number[], n = 20): Array<{ label: string; count: number }> {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const step = (hi - lo) / n || 1;
  const bins = Array.from({ length: n }, (_, i) => ({ label: fmt(lo + i * step), count: 0 }));
  for (const v of values) bins[Math.min(n - 1, Math.floor((v - lo) / step))]!.count++;
  return bins;
}

function sortedEntries(o: Record<string, number>, numericKeys = false): Array<[string, number]> {
  return Object.entries(o).sort(numericKeys ? (a, b) => Number(a[0]) - Number(b[0]) : (a, b) => b[1] - a[1]);
}

interface Section {
  id: string;
  title: string;
  html: string;
  md: string;
}

function sections(d: ReportData): Section[] {
  const out: Section[] = [];
  const last = d.stats.stages.at(-1);
  // Summary.
  const tokensOf = (s: (typeof d.stats.stages)[number]) => formatTokens(s.totals.tokens ?? {});
  const rows = d.stats.stages
    .map(
      (s) =>
        `<tr><td>${esc(s.name)}</td><td>${s.tasks.done}/${s.tasks.total}</td><td>${fmt(s.totals.docs)}</td><td>${humanBytes(s.totals.text_bytes)}</td><td>${esc(tokensOf(s))}</td><td>${fmt(s.totals.rejected_docs)}</td><td>${fmt(s.totals.quarantined)}</td></tr>`,
    )
    .join('');
  out.push({
    id: 'summary',
    title: 'Stages',
    html: `<table><tr><th>stage</th><th>tasks</th><th>documents out</th><th>text out</th><th>tokens out</th><th>rejects kept</th><th>quarantined</th></tr>${rows}</table>`,
    md:
      '| stage | tasks | documents out | text out | tokens out | quarantined |\n|---|---:|---:|---:|---:|---:|\n' +
      d.stats.stages
        .map((s) => `| ${s.name} | ${s.tasks.done}/${s.tasks.total} | ${s.totals.docs} | ${humanBytes(s.totals.text_bytes)} | ${tokensOf(s)} | ${s.totals.quarantined} |`)
        .join('\n'),
  });
  // Funnels: one per source and line of stages (a stage merging several lines starts its own).
  const funnelTitle = (f: Funnel) => (d.funnels.filter((x) => x.source === f.source).length > 1 ? `${f.source} (${f.stages.join(' → ')})` : f.source);
  const funnelHtml = d.funnels.map((f) => funnel(`${funnelTitle(f)}: documents after each step`, f.rows)).join('');
  const funnelMd = d.funnels
    .map(
      (f) =>
        `**${funnelTitle(f)}**\n\n| step | documents | bytes | dropped |\n|---|---:|---:|---|\n` +
        f.rows.map((r) => `| ${r.label} | ${r.docs} | ${humanBytes(r.bytes)} | ${r.dropped.map(([k, v]) => `${k} ${v}`).join(', ')} |`).join('\n'),
    )
    .join('\n\n');
  out.push({ id: 'funnel', title: 'Funnel per source', html: funnelHtml, md: funnelMd });
  // What steps counted besides drops (PII replaced, repeated lines removed, ...), per stage, source and step.
  const counted = d.stats.stages.flatMap((st) =>
    Object.entries(st.sources)
      .sort(([a], [b]) => a.localeCompare(b))
      .flatMap(([source, s]) =>
        s.steps
          .filter((step) => Object.keys(step.counts ?? {}).length)
          .map((step) => ({ label: `${st.name}: ${step.step} (${source})`, counts: Object.entries(step.counts).sort(([a], [b]) => a.localeCompare(b)) })),
      ),
  );
  if (counted.length)
    out.push({
      id: 'counts',
      title: 'Counts by step',
      html: `<table><tr><th>step</th><th>counts</th></tr>${counted.map((c) => `<tr><td>${esc(c.label)}</td><td>${esc(c.counts.map(([k, v]) => `${k} ${fmt(v)}`).join(', '))}</td></tr>`).join('')}</table>`,
      md: `| step | counts |\n|---|---|\n${counted.map((c) => `| ${c.label} | ${c.counts.map(([k, v]) => `${k} ${v}`).join(', ')} |`).join('\n')}`,
    });
  // Drops by reason.
  const reasons = d.dropped.map((x) => ({ label: `${x.reason} (${x.source}, ${x.stage})`, value: x.count }));
  if (reasons.length)
    out.push({
      id: 'drops',
      title: 'Removed documents by reason',
      html: barChart('documents removed, by reason', reasons),
      md: reasons.map((r) => `- ${r.label}: ${r.value}`).join('\n'),
    });
  // Tokens (or bytes) per source, against the LLaMA mixture for the sources LLaMA has: one chart per
  // tokenizer, since tokens of different tokenizers do not add up.
  const targetOf = (s: string) => LLAMA_MIXTURE.find((m) => m.source === s)?.proportion;
  const shareBars = (entries: Array<[string, number]>, label: (s: string, v: number) => string) => {
    const total = entries.reduce((a, [, v]) => a + v, 0) || 1;
    return entries
      .sort((a, b) => b[1] - a[1])
      .map(([s, v]) => {
        const t = targetOf(s);
        return { label: `${label(s, v)}${t === undefined ? ', no LLaMA target' : ''}`, value: (100 * v) / total, target: t === undefined ? undefined : t * 100 };
      });
  };
  const pct = (n: number | undefined) => (n === undefined ? '—' : `${n.toFixed(1)}%`);
  const chartTitle = (what: string, bars: Array<{ target?: number }>) => `share of ${what}, %${bars.some((b) => b.target !== undefined) ? ' (tick: LLaMA target)' : ''}`;
  if (d.tokens) {
    const tokenizers = Object.keys(d.tokens).sort();
    const html: string[] = [];
    const md: string[] = [];
    for (const tk of tokenizers) {
      const bars = shareBars(Object.entries(d.tokens[tk]!), (s, t) => `${s} (${fmt(t)} tokens)`);
      html.push(barChart(`${tokenizers.length > 1 ? `${tk}: ` : ''}${chartTitle(`${tk} tokens`, bars)}`, bars, { unit: (n) => `${n.toFixed(1)}%` }));
      const total = Object.values(d.tokens[tk]!).reduce((a, b) => a + b, 0) || 1;
      md.push(
        `**${tk}**\n\n| source | tokens | share | LLaMA target |\n|---|---:|---:|---:|\n` +
          Object.entries(d.tokens[tk]!)
            .sort((a, b) => b[1] - a[1])
            .map(([s, t]) => `| ${s} | ${t} | ${((100 * t) / total).toFixed(1)}% | ${pct(targetOf(s) === undefined ? undefined : targetOf(s)! * 100)} |`)
            .join('\n'),
      );
    }
    out.push({ id: 'tokens', title: 'Tokens per source against the LLaMA mixture', html: html.join(''), md: md.join('\n\n') });
  } else if (last) {
    const bars = shareBars(
      Object.entries(last.sources).map(([s, x]) => [s, x.output.text_bytes]),
      (s, v) => `${s} (${humanBytes(v)})`,
    );
    out.push({
      id: 'tokens',
      title: 'Text per source against the LLaMA mixture',
      html:
        `<p class="note">No token shards in this build yet: shares of text bytes in stage ${esc(last.name)} instead.</p>` +
        barChart(chartTitle('text bytes', bars), bars, { unit: (n) => `${n.toFixed(1)}%` }),
      md: bars.map((b) => `- ${b.label}: ${b.value.toFixed(1)}%${b.target === undefined ? '' : ` (target ${b.target.toFixed(1)}%)`}`).join('\n'),
    });
  }
  // Instruction data: what the loss is computed on.
  if (d.sft?.length) {
    const pct = (r: { prompt_tokens: number; response_tokens: number }) => `${((100 * r.response_tokens) / Math.max(1, r.prompt_tokens + r.response_tokens)).toFixed(1)}%`;
    const head = ['source', 'tokenizer', 'template', 'examples', 'prompt tokens (masked)', 'response tokens (trained)', 'trained share', 'truncated'];
    const cells = d.sft.map((r) => [r.source, r.tokenizer, r.template, fmt(r.examples), fmt(r.prompt_tokens), fmt(r.response_tokens), pct(r), fmt(r.truncated)]);
    out.push({
      id: 'sft',
      title: 'Instruction data (SFT shards)',
      html: `<table><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${cells.map((c) => `<tr>${c.map((x) => `<td>${esc(x)}</td>`).join('')}</tr>`).join('')}</table>`,
      md: `| ${head.join(' | ')} |\n|---|---|---|---:|---:|---:|---:|---:|\n${cells.map((c) => `| ${c.join(' | ')} |`).join('\n')}`,
    });
  }
  const f = d.final;
  if (f?.lengths.length) {
    out.push({
      id: 'lengths',
      title: 'Document lengths',
      html: `<p class="note">Documents of the final stages: ${esc(f.stage)}.</p>${histogram('documents by length in characters (log scale bins)', lengthBins(f.lengths))}`,
      md: lengthBins(f.lengths)
        .map((b) => `- ≤${b.label} chars: ${b.count}`)
        .join('\n'),
    });
    const langHtml = [
      Object.keys(f.languages).length
        ? barChart(
            'documents by natural language',
            sortedEntries(f.languages).map(([k, v]) => ({ label: k, value: v })),
          )
        : '',
      Object.keys(f.programming).length
        ? barChart(
            'code files by programming language',
            sortedEntries(f.programming).map(([k, v]) => ({ label: k, value: v })),
          )
        : '',
    ].join('');
    out.push({
      id: 'languages',
      title: 'Languages',
      html: langHtml,
      md: [
        Object.keys(f.languages).length
          ? `Natural languages:\n\n${sortedEntries(f.languages)
              .map(([k, v]) => `- ${k}: ${v}`)
              .join('\n')}`
          : '',
        Object.keys(f.programming).length
          ? `Programming languages (code):\n\n${sortedEntries(f.programming)
              .map(([k, v]) => `- ${k}: ${v}`)
              .join('\n')}`
          : '',
      ]
        .filter(Boolean)
        .join('\n\n'),
    });
    if (Object.keys(f.buckets).length) {
      const order = ['head', 'middle', 'tail'];
      const b = Object.entries(f.buckets).sort((x, y) => order.indexOf(x[0]) - order.indexOf(y[0]));
      out.push({
        id: 'perplexity',
        title: 'Perplexity buckets',
        html:
          barChart(
            'documents by perplexity bucket',
            b.map(([k, v]) => ({ label: k, value: v })),
          ) + (f.perplexities.length ? histogram('perplexity', linearBins(f.perplexities)) : ''),
        md: b.map(([k, v]) => `- ${k}: ${v}`).join('\n'),
      });
    } else
      out.push({
        id: 'perplexity',
        title: 'Perplexity buckets',
        html: '<p class="note">No perplexity in this build (the CCNet <code>perplexity</code> step adds it).</p>',
        md: '_No perplexity in this build._',
      });
    const clusters = sortedEntries(f.clusterSizes, true);
    if (clusters.some(([k]) => k !== '1'))
      out.push({
        id: 'dedup',
        title: 'Dedup clusters',
        html: barChart(
          'surviving documents by size of their duplicate cluster',
          clusters.map(([k, v]) => ({ label: k === '1' ? 'unique' : `cluster of ${k}`, value: v })),
        ),
        md: clusters.map(([k, v]) => `- cluster size ${k}: ${v}`).join('\n'),
      });
    else
      out.push({
        id: 'dedup',
        title: 'Dedup clusters',
        html: '<p class="note">No duplicate clusters recorded (dedup steps write meta.dedup).</p>',
        md: '_No duplicate clusters recorded._',
      });
  }
  // Samples of removed documents.
  const samplesHtml = d.dropped
    .map(
      (x) =>
        `<details><summary>${esc(x.reason)} — ${esc(x.source)}, stage ${esc(x.stage)}: ${x.count} removed</summary>${x.samples.map((s) => `<div class="sample"><div class="id">${esc(s.id)}</div><pre>${esc(s.text)}</pre></div>`).join('') || '<p class="note">(rejects not kept: set keep_rejects)</p>'}</details>`,
    )
    .join('');
  if (d.dropped.length)
    out.push({
      id: 'samples',
      title: 'Samples of removed documents',
      html: samplesHtml,
      md: d.dropped
        .map((x) => `**${x.reason}** (${x.source}, ${x.stage}, ${x.count} removed)\n\n${x.samples.map((s) => `\`\`\`\n${clipText(s.text, 300)}\n\`\`\``).join('\n')}`)
        .join('\n\n'),
    });
  return out;
}

const CSS = `body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;max-width:860px;color:#222}
h1{font-size:1.6em}h2{font-size:1.2em;border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse}td,th{padding:.25em .8em;border-bottom:1px solid #eee;text-align:right}td:first-child,th:first-child{text-align:left}
svg.chart text{font-size:12px;fill:#333}svg.chart text.title{font-weight:600;font-size:13px}svg.chart text.tick{font-size:10px;fill:#666}
figure{margin:1em 0}.note{color:#666;font-style:italic}details{margin:.4em 0}summary{cursor:pointer}
.sample{margin:.4em 1em}.sample .id{font:11px monospace;color:#666}pre{white-space:pre-wrap;background:#f6f6f6;padding:.5em;margin:.2em 0;font-size:12px}
nav a{margin-right:1em}`;

export function renderHtml(d: ReportData): string {
  const secs = sections(d);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>corpusmill report: ${esc(d.pipeline)}</title><style>${CSS}</style></head><body>
<h1>corpusmill report: ${esc(d.pipeline)}</h1><p class="note">${esc(d.out)} — generated ${esc(d.generated_at)}</p>
<nav>${secs.map((s) => `<a href="#${s.id}">${esc(s.title)}</a>`).join('')}</nav>
${secs.map((s) => `<section id="${s.id}"><h2>${esc(s.title)}</h2>${s.html}</section>`).join('\n')}
</body></html>
`;
}

export function renderMarkdown(d: ReportData): string {
  return (
    `# corpusmill report: ${d.pipeline}\n\n${d.out}, generated ${d.generated_at}\n\n` +
    sections(d)
      .map((s) => `## ${s.title}\n\n${s.md}\n`)
      .join('\n')
  );
}
