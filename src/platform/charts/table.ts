import type { ChartSpec } from './spec.ts';
import { formatNumber, valueOrNull } from './svg.ts';

/**
 * A chart's figures as a table: the same shape as a document's table block (so an impact report can
 * carry the figures), and, through `chartTableParams()`, as GOV.UK's table macro takes them.
 */
export interface ChartTable {
  caption: string;
  headers: string[];
  rows: string[][];
  /** Which columns hold numbers (right-aligned). */
  numeric: boolean[];
}

/** A single-series bar chart given as `values` rather than `series`. */
type WithValues = Omit<ChartSpec, 'series'> & { values: readonly (number | null)[] };

export function chartTable(spec: ChartSpec | WithValues): ChartTable {
  const series = 'series' in spec && Array.isArray(spec.series) ? spec.series : [{ name: spec.valueLabel, values: (spec as WithValues).values ?? [] }];
  const stacked = 'stacked' in spec && Boolean(spec.stacked) && series.length > 1;
  const format = (value: number | null) => (value === null ? 'No data' : formatNumber(value, spec.format));
  const headers = [spec.categoryLabel, ...series.map((entry) => (series.length === 1 ? spec.valueLabel : entry.name)), ...(stacked ? ['Total'] : [])];
  const rows = spec.categories.map((category, index) => {
    const values = series.map((entry) => valueOrNull(entry.values?.[index]));
    const cells = [String(category), ...values.map(format)];
    if (stacked) cells.push(values.every((value) => value === null) ? 'No data' : format(values.reduce<number>((sum, value) => sum + (value ?? 0), 0)));
    return cells;
  });
  return { caption: spec.title, headers, rows, numeric: headers.map((_, index) => index > 0) };
}

/** GOV.UK Frontend `govukTable()` parameters; Nunjucks escapes the `text` values. */
export interface GovukTableParams {
  caption: string;
  captionClasses: string;
  firstCellIsHeader: boolean;
  head: { text: string; format?: 'numeric' }[];
  rows: { text: string; format?: 'numeric' }[][];
}

/** `{{ govukTable(chartTableParams(spec)) }}` beside `{{ barChart(spec) | safe }}`. */
export function chartTableParams(spec: ChartSpec | WithValues, captionClasses = 'govuk-table__caption--s'): GovukTableParams {
  const table = chartTable(spec);
  const cell = (text: string, index: number) => (table.numeric[index] ? { text, format: 'numeric' as const } : { text });
  return {
    caption: table.caption,
    captionClasses,
    firstCellIsHeader: true,
    head: table.headers.map(cell),
    rows: table.rows.map((row) => row.map(cell)),
  };
}
