import type { NumberFormat } from './svg.ts';

/** One named series of values, one per category; null (or anything not a finite number) is "no data". */
export interface ChartSeries {
  name: string;
  values: readonly (number | null)[];
}

interface ChartSpecBase {
  /** Shown above the chart, and its accessible name. */
  title: string;
  /** The accessible description; by default a summary of the figures is written. */
  description?: string;
  /** What the categories are, for example "Year group" or "Term". */
  categoryLabel: string;
  /** What the values measure, for example "Pupils" or "Standardised score". */
  valueLabel: string;
  categories: readonly string[];
  series: readonly ChartSeries[];
  format?: NumberFormat;
  /** A stable id when a page shows the same chart twice; by default one is derived from the content. */
  id?: string;
}

/** Horizontal bars: one series is a simple bar chart; several are grouped, or stacked with `stacked`. */
export interface BarChartSpec extends ChartSpecBase {
  stacked?: boolean;
}

/** Lines over categories in order (terms, dates, assessment points). */
export interface LineChartSpec extends ChartSpecBase {
  /** The value axis's range; by default from the data, in round numbers. */
  min?: number;
  max?: number;
  /** A dashed line for a threshold or an expectation, for example 85 "Below average". */
  reference?: { value: number; label: string };
}

export type ChartSpec = BarChartSpec | LineChartSpec;
