import { LABEL_SIZE, PAD, TICK_SIZE, WIDTH, describe, finishFrame, legend, startFrame } from './frame.ts';
import type { BarChartSpec } from './spec.ts';
import { GRID, SECONDARY_TEXT, TEXT, escapeXml, fillFor, formatNumber, multilineText, n, niceTicks, patternDefs, textWidth, tickDecimals, valueOrNull, wrapText } from './svg.ts';

/**
 * A horizontal bar chart as an SVG string: one bar per category for one series, a group of bars per
 * category for several, or one stacked bar per category with `stacked`. Every bar is labelled with its
 * value, each series has its own colour and pattern, and the legend names them.
 */
export function barChart(spec: BarChartSpec): string {
  const series = spec.series.map((entry) => ({ name: String(entry.name ?? ''), values: spec.categories.map((_, index) => valueOrNull(entry.values?.[index])) }));
  const stacked = Boolean(spec.stacked) && series.length > 1;
  const kind = series.length <= 1 ? 'Bar chart' : stacked ? 'Stacked bar chart' : 'Grouped bar chart';
  const frame = startFrame(spec, stacked ? 'stacked' : 'bar');
  const format = (value: number) => formatNumber(value, spec.format);
  if (series.length > 1) frame.parts.push(patternDefs(frame.id, series.length));
  legend(
    frame,
    series.map((entry) => entry.name),
    (index, x, y) => `<rect x="${n(x)}" y="${n(y)}" width="24" height="14" fill="${fillFor(frame.id, index)}" stroke="${TEXT}" stroke-width="0.5"/>`,
  );

  // The value domain: bars start at zero; stacks add their positive and negative parts separately.
  let low = 0;
  let high = 0;
  for (let category = 0; category < spec.categories.length; category += 1) {
    if (stacked) {
      let positive = 0;
      let negative = 0;
      for (const entry of series) {
        const value = entry.values[category] ?? 0;
        if (value >= 0) positive += value;
        else negative += value;
      }
      high = Math.max(high, positive);
      low = Math.min(low, negative);
    } else {
      for (const entry of series) {
        const value = entry.values[category];
        if (value !== null && value !== undefined) {
          high = Math.max(high, value);
          low = Math.min(low, value);
        }
      }
    }
  }
  const ticks = niceTicks(low, high, 5);
  const domainLow = ticks[0]!;
  const domainHigh = ticks.at(-1)!;
  const tickFormat = { ...spec.format, decimals: spec.format?.decimals ?? tickDecimals(ticks) };

  // Layout: category labels on the left, room on the right (and left, for negative values) for value labels.
  const labelWidth = Math.min(Math.max(60, ...spec.categories.map((category) => textWidth(String(category), LABEL_SIZE))) + 4, WIDTH * 0.34);
  const valueRoom = Math.max(...[domainHigh, domainLow].map((value) => textWidth(format(value), TICK_SIZE, stacked))) + 10;
  const x0 = PAD + labelWidth + 10 + (domainLow < 0 ? valueRoom : 0);
  const x1 = WIDTH - PAD - valueRoom;
  const scale = (value: number) => x0 + ((value - domainLow) / (domainHigh - domainLow || 1)) * (x1 - x0);
  const zero = scale(0);
  const barHeight = series.length > 1 && !stacked ? 16 : 24;
  const barGap = 2;
  const groupHeight = stacked || series.length <= 1 ? barHeight : series.length * (barHeight + barGap) - barGap;

  // The category axis's name above the labels.
  const top = frame.y;
  frame.parts.push(`<text x="${PAD}" y="${n(top + LABEL_SIZE)}" font-size="${LABEL_SIZE}" font-weight="700" fill="${TEXT}">${escapeXml(spec.categoryLabel)}</text>`);
  let y = top + LABEL_SIZE + 12;
  const plotTop = y;
  const bars: string[] = [];
  const labels: string[] = [];
  for (const [category, name] of spec.categories.entries()) {
    const lines = wrapText(String(name), labelWidth, LABEL_SIZE, 2);
    const band = Math.max(groupHeight, lines.length * LABEL_SIZE * 1.2) + 14;
    const barTop = y + (band - groupHeight) / 2;
    labels.push(multilineText(lines, PAD, y + band / 2 - ((lines.length - 1) * LABEL_SIZE * 1.2) / 2 + LABEL_SIZE * 0.35, LABEL_SIZE, `fill="${TEXT}"`));
    if (stacked) {
      let positive = 0;
      let negative = 0;
      let anyValue = false;
      for (const [index, entry] of series.entries()) {
        const value = entry.values[category];
        if (value === null || value === undefined || value === 0) continue;
        anyValue = true;
        const start = value >= 0 ? positive : negative;
        const end = start + value;
        if (value >= 0) positive = end;
        else negative = end;
        const left = Math.min(scale(start), scale(end));
        const width = Math.abs(scale(end) - scale(start));
        bars.push(`<rect x="${n(left)}" y="${n(barTop)}" width="${n(width)}" height="${barHeight}" fill="${fillFor(frame.id, index)}" stroke="#fff" stroke-width="1"/>`);
        const text = format(value);
        if (textWidth(text, TICK_SIZE, true) + 8 <= width) {
          bars.push(
            `<text x="${n(left + width / 2)}" y="${n(barTop + barHeight / 2 + TICK_SIZE * 0.35)}" font-size="${TICK_SIZE}" font-weight="700" text-anchor="middle" fill="${TEXT}" stroke="#fff" stroke-width="3" paint-order="stroke">${escapeXml(text)}</text>`,
          );
        }
      }
      const total = series.reduce((sum, entry) => sum + (entry.values[category] ?? 0), 0);
      const hasData = series.some((entry) => entry.values[category] !== null);
      const text = hasData ? format(total) : 'No data';
      const end = anyValue ? scale(positive) : zero;
      bars.push(`<text x="${n(end + 6)}" y="${n(barTop + barHeight / 2 + TICK_SIZE * 0.35)}" font-size="${TICK_SIZE}" font-weight="700" fill="${hasData ? TEXT : SECONDARY_TEXT}">${escapeXml(text)}</text>`);
    } else {
      for (const [index, entry] of series.entries()) {
        const value = entry.values[category];
        const barY = barTop + index * (barHeight + barGap);
        const middle = barY + barHeight / 2 + TICK_SIZE * 0.35;
        if (value === null || value === undefined) {
          bars.push(`<text x="${n(zero + 6)}" y="${n(middle)}" font-size="${TICK_SIZE}" font-style="italic" fill="${SECONDARY_TEXT}">No data</text>`);
          continue;
        }
        const end = scale(value);
        const left = Math.min(zero, end);
        const width = Math.max(Math.abs(end - zero), value === 0 ? 0 : 1);
        bars.push(`<rect x="${n(left)}" y="${n(barY)}" width="${n(width)}" height="${barHeight}" fill="${fillFor(frame.id, index)}"/>`);
        const text = format(value);
        bars.push(
          value < 0
            ? `<text x="${n(end - 6)}" y="${n(middle)}" font-size="${TICK_SIZE}" text-anchor="end" fill="${TEXT}">${escapeXml(text)}</text>`
            : `<text x="${n(end + 6)}" y="${n(middle)}" font-size="${TICK_SIZE}" fill="${TEXT}">${escapeXml(text)}</text>`,
        );
      }
    }
    y += band;
  }
  const plotBottom = y;

  // Grid lines and ticks under the bars, the zero line over them.
  const grid = ticks
    .map((tick) => `<line x1="${n(scale(tick))}" y1="${n(plotTop)}" x2="${n(scale(tick))}" y2="${n(plotBottom)}" stroke="${GRID}" stroke-width="1"/>`)
    .join('');
  const tickLabels = ticks
    .map((tick) => `<text x="${n(scale(tick))}" y="${n(plotBottom + 18)}" font-size="${TICK_SIZE}" text-anchor="middle" fill="${SECONDARY_TEXT}">${escapeXml(formatNumber(tick, tickFormat))}</text>`)
    .join('');
  frame.parts.push(`<g class="app-chart__grid">${grid}</g>`);
  frame.parts.push(`<g class="app-chart__labels">${labels.join('')}</g>`);
  frame.parts.push(`<g class="app-chart__bars">${bars.join('')}</g>`);
  frame.parts.push(`<line x1="${n(zero)}" y1="${n(plotTop)}" x2="${n(zero)}" y2="${n(plotBottom)}" stroke="${TEXT}" stroke-width="1.5"/>`);
  frame.parts.push(`<g class="app-chart__axis">${tickLabels}</g>`);
  frame.parts.push(
    `<text x="${n((x0 + x1) / 2)}" y="${n(plotBottom + 18 + 24)}" font-size="${LABEL_SIZE}" font-weight="700" text-anchor="middle" fill="${TEXT}">${escapeXml(spec.valueLabel)}</text>`,
  );
  frame.y = plotBottom + 18 + 24;
  return finishFrame(frame, spec, describe(spec, kind));
}

/** A bar chart of one series: `horizontalBarChart({ title, categoryLabel, valueLabel, categories, values })`. */
export function horizontalBarChart(spec: Omit<BarChartSpec, 'series' | 'stacked'> & { values: readonly (number | null)[] }): string {
  const { values, ...rest } = spec;
  return barChart({ ...rest, series: [{ name: spec.valueLabel, values }] });
}
