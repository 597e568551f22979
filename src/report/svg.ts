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

/**
 * Estimated width in px of `s` at `px` font size, erring wide: per-character advances of DejaVu Sans
 * (the widest common default sans-serif), so text fitted with it fits in narrower fonts too.
 */
function textWidth(s: string, px: number, bold = false): number {
  let em = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (
      c >= 0x1100 &&
      (c <= 0x115f ||
        (c >= 0x2e80 && c <= 0xa4cf) ||
        (c >= 0xac00 && c <= 0xd7a3) ||
        (c >= 0xf900 && c <= 0xfaff) ||
        (c >= 0xfe30 && c <= 0xfe4f) ||
        (c >= 0xff00 && c <= 0xff60) ||
        c >= 0x1f000)
    )
      em += 1.05;
    else if (/[ijlI.,:;'|!()[\]{}`]/.test(ch) || ch === ' ') em += 0.36;
    else if (/[mwMW@%—…]/.test(ch)) em += 1.0;
    else if (/[A-Z]/.test(ch)) em += 0.78;
    else em += 0.66;
  }
  return em * px * (bold ? 1.1 : 1);
}

/** `s`, cut with `…` so that it is at most `width` px wide at `px` (full text stays in a <title>). */
function fitText(s: string, px: number, width: number, bold = false): string {
  if (textWidth(s, px, bold) <= width) return s;
  const chars = [...s];
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (textWidth(`${chars.slice(0, mid).join('')}…`, px, bold) <= width) lo = mid;
    else hi = mid - 1;
  }
  return `${chars.slice(0, lo).join('')}…`;
}

const WIDTH = 860;

/** Horizontal bars, one per label; `target` values show as a dark tick. Labels and notes never leave the chart. */
export function barChart(title: string, bars: Bar[], opts: { unit?: (n: number) => string } = {}): string {
  const unit = opts.unit ?? fmt;
  const rowH = 22;
  // Labels get what the longest needs, up to a third of the chart; values and notes the right side.
  const labelW = Math.min(290, Math.max(80, ...bars.map((b) => textWidth(b.label, 12) + 10)));
  const valueW = Math.min(250, Math.max(60, ...bars.map((b) => textWidth(`${unit(b.value)}${b.note ? ` ${b.note}` : ''}`, 12) + 10)));
  const barW = WIDTH - labelW - valueW;
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
      const valueX = labelW + w + 6;
      const value = fitText(`${unit(b.value)}${b.note ? ` ${b.note}` : ''}`, 12, WIDTH - valueX - 2);
      const label = fitText(b.label, 12, labelW - 8);
      return `<text x="${labelW - 6}" y="${y + 12}" text-anchor="end">${esc(label)}<title>${esc(b.label)}</title></text><rect x="${labelW}" y="${y}" width="${w}" height="14" fill="${color(i)}"><title>${esc(b.label)}: ${unit(b.value)}${b.note ? ` ${esc(b.note)}` : ''}</title></rect>${t}<text x="${valueX}" y="${y + 12}">${esc(value)}</text>`;
    })
    .join('');
  return `<figure><svg class="chart" data-points="${bars.length}" viewBox="0 0 ${WIDTH} ${h}" width="${WIDTH}" height="${h}" role="img" aria-label="${esc(title)}"><text x="0" y="14" class="title">${esc(fitText(title, 13, WIDTH - 2, true))}</text>${rows}</svg></figure>`;
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
        (i % Math.ceil(bins.length / 8) === 0 ? `<text x="${x}" y="${30 + plotH + 16}" class="tick">${esc(fitText(b.label, 10, w - x - 2))}</text>` : '')
      );
    })
    .join('');
  return `<figure><svg class="chart" data-points="${bins.filter((b) => b.count > 0).length}" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(title)}"><text x="0" y="14" class="title">${esc(fitText(title, 13, w - 2, true))}</text><text x="44" y="34" text-anchor="end" class="tick">${fmt(max)}</text><line x1="48" x2="48" y1="30" y2="${30 + plotH}" stroke="#999"/>${bars}</svg></figure>`;
}

/** A funnel: one row per step, the bar the documents that went on, the drops named beside it. */
export function funnel(title: string, rows: Array<{ label: string; docs: number; dropped: Array<[string, number]> }>): string {
  const bars: Bar[] = rows.map((r) => ({ label: r.label, value: r.docs, note: r.dropped.length ? `(−${r.dropped.map(([k, v]) => `${k} ${fmt(v)}`).join(', ')})` : '' }));
  return barChart(title, bars);
}

export { esc };
