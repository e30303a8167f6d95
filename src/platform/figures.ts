// How figures are shown: one number format, and what may be shown to people who must not identify a child (governors).

/** Below this, a count could identify a child, so governors see "fewer than 5" (DfE practice). */
export const SMALL_NUMBER_THRESHOLD = 5;

const NUMBER_FORMAT = new Intl.NumberFormat('en-GB');

/** 1234 → '1,234'. One formatter for the app: building one per call is slow on long tables. */
export function formatNumber(value: number): string {
  return NUMBER_FORMAT.format(value);
}

/**
 * What a governor may see of a count: 0, "fewer than 5", or the count rounded to the nearest 5.
 * Rounding every figure, not just the small ones, stops a hidden cell being worked out by
 * subtracting the others from a total (secondary disclosure).
 */
export function governorCount(count: number): { count: number | null; suppressed: boolean; rounded: boolean } {
  if (count === 0) return { count: 0, suppressed: false, rounded: false };
  if (count < SMALL_NUMBER_THRESHOLD) return { count: null, suppressed: true, rounded: false };
  return { count: Math.round(count / 5) * 5, suppressed: false, rounded: true };
}

/** A count as text: as it is, or, when suppressing, as a governor may see it. */
export function countText(count: number, suppress: boolean): string {
  if (!suppress) return formatNumber(count);
  const safe = governorCount(count);
  return safe.suppressed ? `fewer than ${SMALL_NUMBER_THRESHOLD}` : formatNumber(safe.count!);
}
