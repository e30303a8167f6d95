import type { ChartSpec } from './spec.ts';
import { FONT_FAMILY, TEXT, chartId, escapeXml, formatNumber, multilineText, n, textWidth, valueOrNull, wrapText } from './svg.ts';

/** What the parts of every chart share: the canvas, the title block, the legend and the description. */

export const WIDTH = 640;
export const PAD = 16;
export const TITLE_SIZE = 19;
export const LABEL_SIZE = 14;
export const TICK_SIZE = 13;

export interface Frame {
  id: string;
  /** Markup so far, in drawing order. */
  parts: string[];
  /** The y where the next part starts. */
  y: number;
}

export function startFrame(spec: ChartSpec, kind: string): Frame {
  const id = chartId({ kind, spec }, spec.id);
  const frame: Frame = { id, parts: [], y: PAD };
  const lines = wrapText(spec.title, WIDTH - 2 * PAD, TITLE_SIZE, 3, true);
  frame.parts.push(multilineText(lines, PAD, frame.y + TITLE_SIZE, TITLE_SIZE, `font-weight="700" fill="${TEXT}"`));
  frame.y += lines.length * TITLE_SIZE * 1.2 + 12;
  return frame;
}

/** Legend entries flowing in rows; `swatch` draws an entry's key in a 24 × 14 box at (x, y). */
export function legend(frame: Frame, names: readonly string[], swatch: (index: number, x: number, y: number) => string): void {
  if (names.length < 2) return;
  const items: string[] = [];
  let x = PAD;
  let y = frame.y;
  for (const [index, name] of names.entries()) {
    const label = wrapText(name, WIDTH - 2 * PAD - 32, LABEL_SIZE, 1)[0] ?? '';
    const itemWidth = 24 + 6 + textWidth(label, LABEL_SIZE) + 20;
    if (x > PAD && x + itemWidth > WIDTH - PAD) {
      x = PAD;
      y += 24;
    }
    items.push(swatch(index, x, y + 2));
    items.push(`<text x="${n(x + 30)}" y="${n(y + 14)}" font-size="${LABEL_SIZE}" fill="${TEXT}">${escapeXml(label)}</text>`);
    x += itemWidth;
  }
  frame.parts.push(`<g class="app-chart__legend">${items.join('')}</g>`);
  frame.y = y + 24 + 10;
}

export function finishFrame(frame: Frame, spec: ChartSpec, description: string): string {
  const height = Math.ceil(frame.y + PAD);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-labelledby="${frame.id}-title ${frame.id}-desc" font-family="${escapeXml(FONT_FAMILY)}">`,
    `<title id="${frame.id}-title">${escapeXml(spec.title)}</title>`,
    `<desc id="${frame.id}-desc">${escapeXml(spec.description ?? description)}</desc>`,
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    ...frame.parts,
    '</svg>',
  ].join('');
}

/** A plain-language summary of the figures for the chart's description. */
export function describe(spec: ChartSpec, kind: string): string {
  const format = (value: number | null) => (value === null ? 'no data' : formatNumber(value, spec.format));
  const sentences = [`${kind} of ${spec.valueLabel.toLowerCase()} by ${spec.categoryLabel.toLowerCase()}.`];
  if (spec.categories.length === 0 || spec.series.length === 0) {
    sentences.push('There are no figures to show.');
  } else if (spec.categories.length * spec.series.length <= 24) {
    for (const series of spec.series) {
      const values = spec.categories.map((category, index) => `${category}: ${format(valueOrNull(series.values[index]))}`).join('; ');
      sentences.push(spec.series.length > 1 ? `${series.name}: ${values}.` : `${values}.`);
    }
  } else {
    for (const series of spec.series) {
      const known = spec.categories.map((category, index) => ({ category, value: valueOrNull(series.values[index]) })).filter((entry) => entry.value !== null);
      if (known.length === 0) continue;
      const highest = known.reduce((best, entry) => (entry.value! > best.value! ? entry : best));
      const lowest = known.reduce((best, entry) => (entry.value! < best.value! ? entry : best));
      sentences.push(`${spec.series.length > 1 ? `${series.name}: ` : ''}highest ${highest.category} (${format(highest.value)}), lowest ${lowest.category} (${format(lowest.value)}).`);
    }
  }
  sentences.push('The figures are also in the table with this chart.');
  return sentences.join(' ');
}

