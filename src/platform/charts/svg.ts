/** What every chart shares: escaping, number formatting, scales, colours and patterns, text estimates. */

/** Escapes text for SVG/XML content and attribute values, and drops characters XML cannot carry. */
export function escapeXml(value: unknown): string {
  return String(value ?? '')
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** How values are written: "£1,250", "45%", "12.5". */
export interface NumberFormat {
  prefix?: string;
  suffix?: string;
  /** Decimal places; by default as few as the value needs, up to 2. */
  decimals?: number;
}

/** A value as text, en-GB style with thousands separators; the same on every machine. */
export function formatNumber(value: number, format: NumberFormat = {}): string {
  const decimals = format.decimals ?? (Number.isInteger(value) ? 0 : Math.abs(value * 10) % 1 < 1e-9 ? 1 : 2);
  const fixed = Math.abs(value).toFixed(Math.max(0, Math.min(6, decimals)));
  const [whole, fraction] = fixed.split('.');
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const negative = value < 0 && Number(fixed) !== 0;
  return `${negative ? '-' : ''}${format.prefix ?? ''}${grouped}${fraction ? `.${fraction}` : ''}${format.suffix ?? ''}`;
}

/** Coordinates rounded to 2 places, without "-0", so output is identical run to run. */
export function n(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

/** Round tick values spanning [min, max], about `target` of them, starting at or below min and ending at or above max. */
export function niceTicks(min: number, max: number, target = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (min > max) [min, max] = [max, min];
  if (min === max) {
    if (min > 0) min = 0;
    else if (max < 0) max = 0;
    else max = 1;
  }
  const step = niceStep((max - min) / Math.max(1, target));
  const first = Math.floor(min / step + 1e-9) * step;
  const last = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let value = first, i = 0; value <= last + step / 2 && i < 100; value += step, i += 1) {
    ticks.push(Number(value.toPrecision(12)));
  }
  return ticks;
}

function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/** Decimal places a tick step needs (0.25 → 2), so axis labels read 0, 0.25, 0.5. */
export function tickDecimals(ticks: number[]): number {
  return Math.max(0, ...ticks.map((tick) => (String(tick).split('.')[1] ?? '').length));
}

/**
 * GOV.UK colours, each with at least 3:1 contrast against white (WCAG 1.4.11), in an order that keeps
 * neighbouring series apart for the common colour-vision deficiencies. Every series also has its own
 * pattern (bars) or dash and marker (lines), so colour is never the only cue.
 */
export const PALETTE = ['#1d70b8', '#b58840', '#4c2c92', '#28a197', '#d53880', '#003078', '#00703c', '#505a5f'] as const;
export const TEXT = '#0b0c0c';
export const SECONDARY_TEXT = '#505a5f';
export const GRID = '#b1b4b6';
export const FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";

export const colourFor = (index: number): string => PALETTE[index % PALETTE.length]!;

/** A fill pattern per series: solid, then diagonal stripes, dots, cross-hatch, horizontal and vertical stripes… */
export function patternDefs(id: string, count: number): string {
  const defs: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const colour = colourFor(index);
    const kind = index % 6;
    if (kind === 0) continue;
    const marks = [
      '',
      `<path d="M0 8L8 0M-2 2L2 -2M6 10L10 6" stroke="#fff" stroke-width="2"/>`,
      `<circle cx="4" cy="4" r="1.6" fill="#fff"/>`,
      `<path d="M0 8L8 0M0 0L8 8" stroke="#fff" stroke-width="1.5"/>`,
      `<path d="M0 4H8" stroke="#fff" stroke-width="2"/>`,
      `<path d="M4 0V8" stroke="#fff" stroke-width="2"/>`,
    ][kind];
    defs.push(`<pattern id="${id}-p${index}" width="8" height="8" patternUnits="userSpaceOnUse"><rect width="8" height="8" fill="${colour}"/>${marks}</pattern>`);
  }
  return defs.length ? `<defs>${defs.join('')}</defs>` : '';
}

/** The fill for series `index`: its colour, or its pattern. */
export function fillFor(id: string, index: number): string {
  return index % 6 === 0 ? colourFor(index) : `url(#${id}-p${index})`;
}

/**
 * A deterministic id for a chart's internal references (patterns, title, description) from its
 * content, so two charts on one page do not clash and the same chart always renders the same.
 */
export function chartId(seed: unknown, given?: string): string {
  if (given) return `chart-${given.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  const text = JSON.stringify(seed) ?? '';
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `chart-${hash.toString(36)}`;
}

/**
 * A generous estimate of the width of text in a system sans-serif at `size` px (the widest common
 * one, DejaVu Sans on Linux, sets the scale), so labels laid out on the server do not collide.
 */
export function textWidth(text: string, size: number, bold = false): number {
  let units = 0;
  for (const character of text.normalize('NFC')) {
    if (/[\u0300-\u036F]/.test(character)) continue;
    if (/[iljtf.,:;'’|!I ()\[\]-]/.test(character)) units += 0.34;
    else if (/[mwMW@%]/.test(character)) units += 0.92;
    else if (/[A-Z0-9£$&#]/.test(character)) units += 0.68;
    else if (/[\u1100-\uFFDC]/.test(character)) units += 1;
    else units += 0.6;
  }
  return units * size * (bold ? 1.08 : 1);
}

/** Words wrapped into at most `maxLines` lines of `width` px; the last ends with "…" when text is left over. */
export function wrapText(text: string, width: number, size: number, maxLines = 2, bold = false): string[] {
  const words = String(text).trim().split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const candidate = line ? `${line} ${word}` : word;
    if (textWidth(candidate, size, bold) <= width || !line) {
      line = candidate;
    } else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  if (lines.length > maxLines) {
    const kept = lines.slice(0, maxLines);
    kept[maxLines - 1] = truncate(`${kept[maxLines - 1]} ${lines[maxLines]}`, width, size, bold);
    return kept;
  }
  return lines.map((entry) => (textWidth(entry, size, bold) > width ? truncate(entry, width, size, bold) : entry));
}

function truncate(text: string, width: number, size: number, bold: boolean): string {
  const characters = Array.from(text);
  while (characters.length > 1 && textWidth(`${characters.join('')}…`, size, bold) > width) characters.pop();
  return `${characters.join('').trimEnd()}…`;
}

/** `<text>` with one `<tspan>` per line, escaped. */
export function multilineText(lines: string[], x: number, y: number, size: number, attributes = ''): string {
  const lineHeight = size * 1.2;
  const spans = lines.map((line, index) => `<tspan x="${n(x)}" dy="${index === 0 ? 0 : n(lineHeight)}">${escapeXml(line)}</tspan>`).join('');
  return `<text x="${n(x)}" y="${n(y)}" font-size="${size}"${attributes ? ` ${attributes}` : ''}>${spans}</text>`;
}

/** The finite values, with anything else (null, NaN, a string) counted as missing. */
export function valueOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
