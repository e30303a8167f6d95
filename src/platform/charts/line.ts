import { LABEL_SIZE, PAD, TICK_SIZE, WIDTH, describe, finishFrame, legend, startFrame } from './frame.ts';
import type { LineChartSpec } from './spec.ts';
import { GRID, SECONDARY_TEXT, TEXT, colourFor, escapeXml, formatNumber, multilineText, n, niceTicks, textWidth, tickDecimals, valueOrNull, wrapText } from './svg.ts';

const DASHES = ['', '9 5', '2 4', '12 4 2 4', '5 5', '1 3'];
const PLOT_HEIGHT = 260;

/** A marker shape per series (circle, square, triangle, diamond, …), centred on (x, y). */
function marker(index: number, x: number, y: number, colour: string): string {
  const attributes = `fill="${colour}" stroke="#fff" stroke-width="1.5"`;
  switch (index % 6) {
    case 0:
      return `<circle cx="${n(x)}" cy="${n(y)}" r="5" ${attributes}/>`;
    case 1:
      return `<rect x="${n(x - 4.5)}" y="${n(y - 4.5)}" width="9" height="9" ${attributes}/>`;
    case 2:
      return `<path d="M${n(x)} ${n(y - 6)}L${n(x + 6)} ${n(y + 4.5)}L${n(x - 6)} ${n(y + 4.5)}Z" ${attributes}/>`;
    case 3:
      return `<path d="M${n(x)} ${n(y - 6.5)}L${n(x + 6.5)} ${n(y)}L${n(x)} ${n(y + 6.5)}L${n(x - 6.5)} ${n(y)}Z" ${attributes}/>`;
    case 4:
      return `<path d="M${n(x)} ${n(y + 6)}L${n(x + 6)} ${n(y - 4.5)}L${n(x - 6)} ${n(y - 4.5)}Z" ${attributes}/>`;
    default:
      return `<path d="M${n(x - 5)} ${n(y - 5)}L${n(x + 5)} ${n(y + 5)}M${n(x + 5)} ${n(y - 5)}L${n(x - 5)} ${n(y + 5)}" stroke="${colour}" stroke-width="3"/>`;
  }
}

/**
 * A line chart as an SVG string, for progress over time: each series a line with its own colour, dash
 * and marker; gaps where a value is missing; an optional dashed reference line.
 */
export function lineChart(spec: LineChartSpec): string {
  const series = spec.series.map((entry) => ({ name: String(entry.name ?? ''), values: spec.categories.map((_, index) => valueOrNull(entry.values?.[index])) }));
  const frame = startFrame(spec, 'line');
  const format = (value: number) => formatNumber(value, spec.format);
  const reference = spec.reference && valueOrNull(spec.reference.value) !== null ? spec.reference : undefined;
  const referenceName = reference ? `${reference.label} (${format(reference.value)})` : undefined;
  // The legend names the series and the reference line (a label on the plot would collide with the lines).
  legend(frame, [...series.map((entry) => entry.name), ...(referenceName ? [referenceName] : [])], (index, x, y) =>
    index >= series.length
      ? `<line x1="${n(x)}" y1="${n(y + 7)}" x2="${n(x + 24)}" y2="${n(y + 7)}" stroke="${TEXT}" stroke-width="1.5" stroke-dasharray="6 4"/>`
      : `<line x1="${n(x)}" y1="${n(y + 7)}" x2="${n(x + 24)}" y2="${n(y + 7)}" stroke="${colourFor(index)}" stroke-width="3"${DASHES[index % DASHES.length] ? ` stroke-dasharray="${DASHES[index % DASHES.length]}"` : ''}/>${marker(index, x + 12, y + 7, colourFor(index))}`,
  );

  const known = series.flatMap((entry) => entry.values.filter((value): value is number => value !== null));
  if (reference) known.push(reference.value);
  const low = valueOrNull(spec.min) ?? (known.length ? Math.min(...known) : 0);
  const high = valueOrNull(spec.max) ?? (known.length ? Math.max(...known) : 1);
  const ticks = niceTicks(low, high, 5).filter((tick) => (spec.min === undefined || tick >= spec.min) && (spec.max === undefined || tick <= spec.max));
  const domainLow = valueOrNull(spec.min) ?? ticks[0] ?? 0;
  const domainHigh = valueOrNull(spec.max) ?? ticks.at(-1) ?? 1;
  const tickFormat = { ...spec.format, decimals: spec.format?.decimals ?? tickDecimals(ticks) };

  // The value axis's name, rotated, at the far left; tick labels beside the plot.
  const tickWidth = Math.max(...ticks.map((tick) => textWidth(formatNumber(tick, tickFormat), TICK_SIZE))) + 8;
  const x0 = PAD + LABEL_SIZE + 10 + tickWidth;
  const x1 = WIDTH - PAD - 12;
  const plotTop = frame.y + 8;
  const plotBottom = plotTop + PLOT_HEIGHT;
  const scaleY = (value: number) => plotBottom - ((value - domainLow) / (domainHigh - domainLow || 1)) * PLOT_HEIGHT;
  const count = spec.categories.length;
  const inset = 14;
  const scaleX = (index: number) => (count <= 1 ? (x0 + x1) / 2 : x0 + inset + (index * (x1 - x0 - 2 * inset)) / (count - 1));

  const parts: string[] = [];
  parts.push(
    `<g class="app-chart__grid">${ticks
      .map((tick) => `<line x1="${n(x0)}" y1="${n(scaleY(tick))}" x2="${n(x1)}" y2="${n(scaleY(tick))}" stroke="${GRID}" stroke-width="1"/>`)
      .join('')}</g>`,
  );
  parts.push(
    `<g class="app-chart__axis">${ticks
      .map((tick) => `<text x="${n(x0 - 8)}" y="${n(scaleY(tick) + TICK_SIZE * 0.35)}" font-size="${TICK_SIZE}" text-anchor="end" fill="${SECONDARY_TEXT}">${escapeXml(formatNumber(tick, tickFormat))}</text>`)
      .join('')}</g>`,
  );
  const baseline = domainLow <= 0 && domainHigh >= 0 ? scaleY(0) : plotBottom;
  parts.push(`<line x1="${n(x0)}" y1="${n(baseline)}" x2="${n(x1)}" y2="${n(baseline)}" stroke="${TEXT}" stroke-width="1.5"/>`);
  parts.push(`<line x1="${n(x0)}" y1="${n(plotTop)}" x2="${n(x0)}" y2="${n(plotBottom)}" stroke="${TEXT}" stroke-width="1.5"/>`);
  parts.push(
    `<text transform="translate(${n(PAD + LABEL_SIZE)} ${n((plotTop + plotBottom) / 2)}) rotate(-90)" font-size="${LABEL_SIZE}" font-weight="700" text-anchor="middle" fill="${TEXT}">${escapeXml(spec.valueLabel)}</text>`,
  );

  if (reference) {
    const y = scaleY(reference.value);
    parts.push(`<line class="app-chart__reference" x1="${n(x0)}" y1="${n(y)}" x2="${n(x1)}" y2="${n(y)}" stroke="${TEXT}" stroke-width="1.5" stroke-dasharray="6 4"/>`);
  }

  // Category labels: every one when there is room, otherwise every k-th (the table has them all).
  const spacing = count <= 1 ? x1 - x0 : (x1 - x0 - 2 * inset) / (count - 1);
  const every = Math.max(1, Math.ceil(56 / Math.max(1, spacing)));
  const labelWidth = Math.max(40, spacing * every - 6);
  let labelLines = 1;
  const categoryLabels: string[] = [];
  for (const [index, category] of spec.categories.entries()) {
    if (index % every !== 0 && index !== count - 1) continue;
    if (index === count - 1 && index % every !== 0 && count > 1 && spacing * (index % every) < 40) continue;
    const lines = wrapText(String(category), labelWidth, TICK_SIZE, 2);
    labelLines = Math.max(labelLines, lines.length);
    categoryLabels.push(multilineText(lines, scaleX(index), plotBottom + 20, TICK_SIZE, `text-anchor="middle" fill="${SECONDARY_TEXT}"`));
    parts.push(`<line x1="${n(scaleX(index))}" y1="${n(plotBottom)}" x2="${n(scaleX(index))}" y2="${n(plotBottom + 5)}" stroke="${TEXT}" stroke-width="1"/>`);
  }
  parts.push(`<g class="app-chart__axis">${categoryLabels.join('')}</g>`);

  // Lines (broken where a value is missing), then markers, then point labels for a single short series.
  const lines: string[] = [];
  const markers: string[] = [];
  const pointLabels: string[] = [];
  for (const [index, entry] of series.entries()) {
    const colour = colourFor(index);
    let path = '';
    let drawing = false;
    for (const [point, value] of entry.values.entries()) {
      if (value === null) {
        drawing = false;
        continue;
      }
      path += `${drawing ? 'L' : 'M'}${n(scaleX(point))} ${n(scaleY(value))}`;
      drawing = true;
      markers.push(marker(index, scaleX(point), scaleY(value), colour));
      if (series.length === 1 && count <= 12) {
        pointLabels.push(
          `<text x="${n(scaleX(point))}" y="${n(scaleY(value) - 11)}" font-size="${TICK_SIZE}" font-weight="700" text-anchor="middle" fill="${TEXT}" stroke="#fff" stroke-width="3" paint-order="stroke">${escapeXml(format(value))}</text>`,
        );
      }
    }
    const dash = DASHES[index % DASHES.length];
    if (path) lines.push(`<path d="${path}" fill="none" stroke="${colour}" stroke-width="3" stroke-linejoin="round" stroke-linecap="round"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
  }
  parts.push(`<g class="app-chart__lines">${lines.join('')}</g>`, `<g class="app-chart__markers">${markers.join('')}</g>`, `<g class="app-chart__values">${pointLabels.join('')}</g>`);
  if (known.length === 0) {
    parts.push(`<text x="${n((x0 + x1) / 2)}" y="${n((plotTop + plotBottom) / 2)}" font-size="${LABEL_SIZE}" font-style="italic" text-anchor="middle" fill="${SECONDARY_TEXT}">No data</text>`);
  }
  const axisNameY = plotBottom + 20 + (labelLines - 1) * TICK_SIZE * 1.2 + 26;
  parts.push(`<text x="${n((x0 + x1) / 2)}" y="${n(axisNameY)}" font-size="${LABEL_SIZE}" font-weight="700" text-anchor="middle" fill="${TEXT}">${escapeXml(spec.categoryLabel)}</text>`);
  frame.parts.push(...parts);
  frame.y = axisNameY;
  return finishFrame(frame, spec, describe(spec, 'Line chart'));
}
