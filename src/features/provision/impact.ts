// The impact and cost calculations: pure functions, no database, no clock. Each rule is stated here
// once, and the pages say the same in words (see IMPACT_EXPLANATION), so a SENCO can check a figure
// by hand. Worked examples are in impact.test.ts.
import type { CostModel, Measure, MeasureSpec, Rates, StaffType } from './validation.ts';

// Expected progress ------------------------------------------------------------------------------

/** Standardised scores (mean 100, SD 15): a gain of 5 points, a third of a standard deviation, is catching up. */
export const EXPECTED_STANDARDISED_GAIN = 5;
/**
 * Ratio gain bands follow Greg Brooks, "What works for children and young people with literacy
 * difficulties?" (5th edition, 2016; after Topping): a ratio gain of 2.0 or more is "substantial
 * impact", 1.4 to 1.9 "useful impact", below 1.4 "modest impact" (of doubtful educational
 * significance). We count useful impact or better (1.4 or more) as the expected progress, and
 * show below 1.0 separately: the pupil progressed more slowly than the passing of time.
 */
export const RATIO_GAIN_SUBSTANTIAL = 2;
export const RATIO_GAIN_USEFUL = 1.4;
export const RATIO_GAIN_NORMAL = 1;
export const EXPECTED_RATIO_GAIN = RATIO_GAIN_USEFUL;
/** A custom scale: a gain of a tenth of the scale's range (1 point on 0–10). */
export const EXPECTED_SCALE_SHARE = 0.1;
/** Ages measured closer together than this give no ratio gain (a tiny gap makes a meaningless ratio). */
export const MIN_MONTHS_FOR_RATIO = 1;

/** A provision is flagged as not working when fewer than half of at least 5 pupils with exit measures made expected progress. */
export const NOT_WORKING_MIN_PUPILS = 5;
export const NOT_WORKING_SHARE = 0.5;

/** £6,000 a year: the mainstream threshold above which local authority top-up funding is usually sought. */
export const TOP_UP_THRESHOLD_PENCE = 600_000;
/** A term, for provision costed per term: 13 of the year's 39 teaching weeks. */
export const WEEKS_PER_TERM = 13;

export const IMPACT_EXPLANATION = {
  standardised: `Standardised scores: progress is the exit score minus the entry score. A gain of ${EXPECTED_STANDARDISED_GAIN} points or more counts as the expected progress (the pupil is catching up with pupils of the same age); 0 to ${EXPECTED_STANDARDISED_GAIN - 1} means they kept pace; a fall means they fell further behind.`,
  age: `Reading and spelling ages: the ratio gain is the months of reading (or spelling) age gained divided by the months between the two assessments. A ratio gain of 1 is normal progress. Following Greg Brooks’ “What works for children and young people with literacy difficulties?”, ${RATIO_GAIN_SUBSTANTIAL} or more is substantial impact and ${RATIO_GAIN_USEFUL} to 1.9 useful impact; we count ${EXPECTED_RATIO_GAIN} or more as the expected progress.`,
  scale: `A scale of your own: progress is the exit score minus the entry score. A gain of at least a tenth of the scale (1 point on a 0 to 10 scale) counts as the expected progress. Higher scores must mean better.`,
  target: 'Target met or not met: a pupil who met the target made the expected progress.',
  notWorking: `A provision is flagged as possibly not working when at least ${NOT_WORKING_MIN_PUPILS} pupils have exit measures and fewer than half of them made the expected progress.`,
  notProgressing: 'A pupil is flagged when they did not make the expected progress in each of their last two groups with exit measures.',
  attendance: 'Attendance counts late as attended: sessions attended or late, divided by sessions recorded for the pupil.',
  cost: 'Cost per pupil is the group’s cost divided by its pupils. Cost per unit of progress is the cost of the pupils with both measures divided by the progress they made together (points, months of age, or targets met).',
};

// Costs -------------------------------------------------------------------------------------------

export interface CostedProvision {
  costModel: CostModel;
  costPence: number | null;
  staffType: StaffType;
}

export interface Delivery {
  sessionsPerWeek: number;
  minutesPerSession: number;
  weeks: number;
}

/** Sessions planned: sessions a week × teaching weeks, rounded to a whole session (at least 1). */
export function plannedSessions(delivery: Delivery): number {
  return Math.max(1, Math.round(delivery.sessionsPerWeek * delivery.weeks));
}

/** Terms a group runs, for provision costed per term: teaching weeks ÷ 13, rounded, at least 1. */
export function termsOf(weeks: number): number {
  return Math.max(1, Math.round(weeks / WEEKS_PER_TERM));
}

/**
 * What one session costs, in pence:
 * - staff time: minutes ÷ 60 × the hourly rate of the staff type (one member of staff per session;
 *   when a group has several staff they share the sessions, not double them);
 * - per session: the fixed cost;
 * - per term: the cost per term × terms, spread over the planned sessions.
 */
export function sessionCostPence(provision: CostedProvision, delivery: Delivery, rates: Rates): number {
  switch (provision.costModel) {
    case 'staff-time':
      return (delivery.minutesPerSession / 60) * rates[provision.staffType];
    case 'per-session':
      return provision.costPence ?? 0;
    case 'per-term':
      return ((provision.costPence ?? 0) * termsOf(delivery.weeks)) / plannedSessions(delivery);
  }
}

export interface GroupCost {
  sessionPence: number;
  plannedSessions: number;
  plannedPence: number;
  /** From the sessions delivered (a cancelled session costs nothing). Per-term costs never exceed the plan. */
  actualPence: number;
}

export function groupCost(provision: CostedProvision, delivery: Delivery, rates: Rates, deliveredSessions: number): GroupCost {
  const sessionPence = sessionCostPence(provision, delivery, rates);
  const planned = plannedSessions(delivery);
  const plannedPence = sessionPence * planned;
  const actual = sessionPence * deliveredSessions;
  return {
    sessionPence,
    plannedSessions: planned,
    plannedPence,
    actualPence: provision.costModel === 'per-term' ? Math.min(actual, plannedPence) : actual,
  };
}

/** Weekly hours a group asks of its staff, shared equally between them: sessions a week × minutes ÷ 60 ÷ staff. */
export function weeklyHoursPerStaff(delivery: Pick<Delivery, 'sessionsPerWeek' | 'minutesPerSession'>, staffCount: number): number {
  return (delivery.sessionsPerWeek * delivery.minutesPerSession) / 60 / Math.max(1, staffCount);
}

// Progress ----------------------------------------------------------------------------------------

export type Band =
  | 'expected'
  | 'kept-pace'
  | 'fell-behind'
  | 'substantial'
  | 'useful'
  | 'modest'
  | 'below-normal'
  | 'some'
  | 'none'
  | 'met'
  | 'not-met';

export const BAND_LABELS: Record<Band, string> = {
  expected: 'Expected progress',
  'kept-pace': 'Kept pace',
  'fell-behind': 'Fell behind',
  substantial: 'Substantial impact',
  useful: 'Useful impact',
  modest: 'Modest impact',
  'below-normal': 'Slower than normal progress',
  some: 'Some progress',
  none: 'No progress',
  met: 'Target met',
  'not-met': 'Target not met',
};

export interface Progress {
  /** The change from entry to exit: points, or months of age; 1/0 for a target. */
  change: number;
  /** Months between the two assessments (ages only). */
  monthsElapsed: number | null;
  /** Months gained ÷ months elapsed (ages only); null when assessed less than a month apart. */
  ratioGain: number | null;
  band: Band;
  expected: boolean;
  /** Progress in the measure's unit, for cost per unit: points, months of age, or 1 per target met. */
  units: number;
}

export interface Outcome {
  entry: number | null;
  entryDate: string | null;
  exit: number | null;
  exitDate: string | null;
}

/** Months between two dates, as a decimal (days ÷ 30.4375), to one decimal place. */
export function monthsBetween(from: string, to: string): number {
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000;
  return Math.round((days / 30.4375) * 10) / 10;
}

function round(value: number, places = 2): number {
  const factor = 10 ** places;
  return Math.round(value * factor) / factor;
}

/** Progress from entry to exit, or null while a measure is missing (a target needs only the exit). */
export function progressOf(spec: MeasureSpec, outcome: Outcome): Progress | null {
  if (outcome.exit === null) return null;
  if (spec.measure === 'target') {
    const met = outcome.exit >= 1;
    return { change: met ? 1 : 0, monthsElapsed: null, ratioGain: null, band: met ? 'met' : 'not-met', expected: met, units: met ? 1 : 0 };
  }
  if (outcome.entry === null) return null;
  const change = round(outcome.exit - outcome.entry);
  switch (spec.measure) {
    case 'standardised': {
      const band: Band = change >= EXPECTED_STANDARDISED_GAIN ? 'expected' : change >= 0 ? 'kept-pace' : 'fell-behind';
      return { change, monthsElapsed: null, ratioGain: null, band, expected: band === 'expected', units: change };
    }
    case 'reading-age':
    case 'spelling-age': {
      const monthsElapsed = outcome.entryDate && outcome.exitDate ? monthsBetween(outcome.entryDate, outcome.exitDate) : null;
      const ratioGain = monthsElapsed !== null && monthsElapsed >= MIN_MONTHS_FOR_RATIO ? round(change / monthsElapsed, 1) : null;
      const band: Band =
        ratioGain === null ? (change > 0 ? 'some' : 'none')
        : ratioGain >= RATIO_GAIN_SUBSTANTIAL ? 'substantial'
        : ratioGain >= RATIO_GAIN_USEFUL ? 'useful'
        : ratioGain >= RATIO_GAIN_NORMAL ? 'modest'
        : 'below-normal';
      return { change, monthsElapsed, ratioGain, band, expected: ratioGain !== null && ratioGain >= EXPECTED_RATIO_GAIN, units: change };
    }
    case 'scale': {
      const range = (spec.scaleMax ?? 10) - (spec.scaleMin ?? 0);
      const expected = change >= round(range * EXPECTED_SCALE_SHARE);
      return { change, monthsElapsed: null, ratioGain: null, band: expected ? 'expected' : change > 0 ? 'some' : 'none', expected, units: change };
    }
  }
}

export function unitName(measure: Measure, count = 2): string {
  switch (measure) {
    case 'standardised':
      return count === 1 ? 'standardised point' : 'standardised points';
    case 'reading-age':
      return count === 1 ? 'month of reading age' : 'months of reading age';
    case 'spelling-age':
      return count === 1 ? 'month of spelling age' : 'months of spelling age';
    case 'scale':
      return count === 1 ? 'point' : 'points';
    case 'target':
      return count === 1 ? 'target met' : 'targets met';
  }
}

// Summaries ----------------------------------------------------------------------------------------

export interface Attendance {
  present: number;
  late: number;
  absent: number;
}

export function attendanceRate(attendance: Attendance): number | null {
  const recorded = attendance.present + attendance.late + attendance.absent;
  return recorded === 0 ? null : (attendance.present + attendance.late) / recorded;
}

export interface PupilResult {
  progress: Progress | null;
  attendance: Attendance;
  /** The pupil's share of the group's cost (actual to date), in pence. */
  costPence: number;
}

export interface ImpactSummary {
  pupils: number;
  withMeasures: number;
  expected: number;
  /** Share of pupils with measures who made expected progress; null with none. */
  expectedShare: number | null;
  meanChange: number | null;
  meanRatioGain: number | null;
  attendanceRate: number | null;
  costPence: number;
  costPerPupilPence: number | null;
  unitsGained: number;
  /** The cost of the pupils with measures ÷ the units they gained; null when nothing was gained. */
  costPerUnitPence: number | null;
  notWorking: boolean;
}

/** Pools pupils (of a group, a provision, or the school) into one summary. */
export function summarise(results: PupilResult[]): ImpactSummary {
  const measured = results.filter((result) => result.progress !== null);
  const expected = measured.filter((result) => result.progress!.expected).length;
  const ratios = measured.map((result) => result.progress!.ratioGain).filter((value): value is number => value !== null);
  const attendance = results.reduce((sum, result) => ({ present: sum.present + result.attendance.present, late: sum.late + result.attendance.late, absent: sum.absent + result.attendance.absent }), { present: 0, late: 0, absent: 0 });
  const costPence = results.reduce((sum, result) => sum + result.costPence, 0);
  const unitsGained = round(measured.reduce((sum, result) => sum + result.progress!.units, 0));
  const measuredCost = measured.reduce((sum, result) => sum + result.costPence, 0);
  const expectedShare = measured.length ? expected / measured.length : null;
  return {
    pupils: results.length,
    withMeasures: measured.length,
    expected,
    expectedShare,
    meanChange: measured.length ? round(measured.reduce((sum, result) => sum + result.progress!.change, 0) / measured.length, 1) : null,
    meanRatioGain: ratios.length ? round(ratios.reduce((sum, value) => sum + value, 0) / ratios.length, 1) : null,
    attendanceRate: attendanceRate(attendance),
    costPence,
    costPerPupilPence: results.length ? costPence / results.length : null,
    unitsGained,
    costPerUnitPence: unitsGained > 0 ? measuredCost / unitsGained : null,
    notWorking: measured.length >= NOT_WORKING_MIN_PUPILS && expectedShare !== null && expectedShare < NOT_WORKING_SHARE,
  };
}

/**
 * A pupil who did not make expected progress in each of their last two groups with exit measures
 * (ordered by the exit assessment's date, then the group's end date).
 */
export function notProgressing(history: Array<{ exitDate: string | null; endDate: string; progress: Progress | null }>): boolean {
  const measured = history
    .filter((entry) => entry.progress !== null)
    .sort((a, b) => (a.exitDate ?? a.endDate).localeCompare(b.exitDate ?? b.endDate) || a.endDate.localeCompare(b.endDate));
  if (measured.length < 2) return false;
  return measured.slice(-2).every((entry) => !entry.progress!.expected);
}
