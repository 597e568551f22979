/**
 * Inline SVG charts for the report: horizontal bars and histograms, drawn server-side so the HTML
 * is one self-contained file that needs no script or network to view. Each chart carries
 * `data-points` (how many values it draws) so a test can check that every chart has data.
 */

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

function color(i: number): string {
  return PALETTE[i % PALETTE.length]!;
}

export interface Bar {
  label: string;
  value: number;
  /** A second value drawn as a marker (a target). */
  target?: number;
  note?: string;
}

export function fmt(n: number): string {
  if (Math.abs(n) >= 1e9) return `${(n / 1e9).toFixed(1)}G`;
  if (Math.abs(n) >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (Math.abs(n) >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

/** Horizontal bars, one per label; `target` values show as a dark tick. */
export function barChart(title: string, bars: Bar[], opts: { unit?: (n: number) => string } = {}): string {
  const unit = opts.unit ?? fmt;
  const rowH = 22;
  const labelW = 270;
  const barW = 330;
  const h = bars.length * rowH + 30;
  const max = Math.max(1e-12, ...bars.map((b) => Math.max(b.value, b.target ?? 0)));
  const rows = bars
    .map((b, i) => {
      const y = 24 + i * rowH;
      const w = Math.max(1, (b.value / max) * barW);
      const t =
        b.target !== undefined
          ? `<line x1="${labelW + (b.target / max) * barW}" x2="${labelW + (b.target / max) * barW}" y1="${y - 2}" y2="${y + 16}" stroke="#222" stroke-width="2"><title>target ${unit(b.target)}</title></line>`
          : '';
      return `<text x="${labelW - 6}" y="${y + 12}" text-anchor="end">${esc(b.label)}</text><rect x="${labelW}" y="${y}" width="${w}" height="14" fill="${color(i)}"><title>${esc(b.label)}: ${unit(b.value)}</title></rect>${t}<text x="${labelW + w + 6}" y="${y + 12}">${esc(unit(b.value))}${b.note ? ` ${esc(b.note)}` : ''}</text>`;
    })
    .join('');
  return `<figure><svg class="chart" data-points="${bars.length}" viewBox="0 0 860 ${h}" width="860" height="${h}" role="img" aria-label="${esc(title)}"><text x="0" y="14" class="title">${esc(title)}</text>${rows}</svg></figure>`;
}

/** A histogram over log-spaced or linear bins. */
export function histogram(title: string, bins: Array<{ label: string; count: number }>): string {
  const w = 760;
  const h = 220;
  const plotH = 150;
  const max = Math.max(1, ...bins.map((b) => b.count));
  const bw = (w - 60) / Math.max(1, bins.length);
  const bars = bins
    .map((b, i) => {
      const bh = (b.count / max) * plotH;
      const x = 50 + i * bw;
      return (
        `<rect x="${x + 1}" y="${30 + plotH - bh}" width="${Math.max(1, bw - 2)}" height="${bh}" fill="${color(0)}"><title>${esc(b.label)}: ${b.count}</title></rect>` +
        (i % Math.ceil(bins.length / 8) === 0 ? `<text x="${x}" y="${30 + plotH + 16}" class="tick">${esc(b.label)}</text>` : '')
      );
    })
    .join('');
  return `<figure><svg class="chart" data-points="${bins.filter((b) => b.count > 0).length}" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(title)}"><text x="0" y="14" class="title">${esc(title)}</text><text x="44" y="34" text-anchor="end" class="tick">${fmt(max)}</text><line x1="48" x2="48" y1="30" y2="${30 + plotH}" stroke="#999"/>${bars}</svg></figure>`;
}

/** A funnel: one row per step, the bar the documents that went on, the drops named beside it. */
export function funnel(title: string, rows: Array<{ label: string; docs: number; dropped: Array<[string, number]> }>): string {
  const bars: Bar[] = rows.map((r) => ({ label: r.label, value: r.docs, note: r.dropped.length ? `(−${r.dropped.map(([k, v]) => `${k} ${fmt(v)}`).join(', ')})` : '' }));
  return barChart(title, bars);
}

export { esc };
