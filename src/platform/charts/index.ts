/**
 * Server-rendered, accessible SVG charts (ADR 8), as strings: no client JavaScript, no inline styles
 * (the CSP allows none), every text escaped, the same output for the same input.
 *
 * In a template, after `addChartGlobals(env)`:
 *   {{ barChart(chart) | safe }}
 *   {{ govukTable(chartTableParams(chart)) }}
 */
import { barChart, horizontalBarChart } from './bar.ts';
import { lineChart } from './line.ts';
import { chartTable, chartTableParams } from './table.ts';

export { barChart, horizontalBarChart, lineChart, chartTable, chartTableParams };
export type { BarChartSpec, ChartSeries, ChartSpec, LineChartSpec } from './spec.ts';
export type { ChartTable, GovukTableParams } from './table.ts';
export { PALETTE, escapeXml, formatNumber, type NumberFormat } from './svg.ts';

/** The chart functions under the names templates use. */
export const CHART_GLOBALS = { barChart, horizontalBarChart, lineChart, chartTable, chartTableParams } as const;

/** Makes the chart functions available to every template of a Nunjucks environment. */
export function addChartGlobals(env: { addGlobal(name: string, value: unknown): unknown }): void {
  for (const [name, value] of Object.entries(CHART_GLOBALS)) env.addGlobal(name, value);
}
