// Small helpers every demo feature generator shares: day arithmetic (days since 1970, UTC) and the
// chance/int/pick draws from one seeded stream (mulberry32 from generator.ts), so each generator stays
// deterministic while none keeps its own copy.

export const DAY_MS = 86_400_000;

/** A 'YYYY-MM-DD' date as days since 1970. */
export const toDays = (date: string): number => Date.parse(`${date}T00:00:00Z`) / DAY_MS;

/** Days since 1970 (rounded to the nearest day) as a 'YYYY-MM-DD' date. */
export const fromDays = (days: number): string => new Date(Math.round(days) * DAY_MS).toISOString().slice(0, 10);

/** The draws a generator makes from its seeded stream `next` (numbers in [0, 1)). */
export function drawsFrom(next: () => number) {
  return {
    chance: (probability: number): boolean => next() < probability,
    /** A whole number from min to max inclusive. */
    int: (min: number, max: number): number => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
  };
}
