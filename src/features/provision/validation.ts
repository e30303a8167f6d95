// The rules for what is typed into the provision pages: pure functions, each problem tied to the
// field it concerns so forms can show it in place (GOV.UK error summary and messages).
import type { FieldError } from '../../platform/errors.ts';
import { isIsoDate } from '../../platform/dates.ts';
import type { BroadArea } from '../register/census.ts';

export const TIERS = ['universal', 'targeted', 'specialist'] as const;
export type Tier = (typeof TIERS)[number];
export const TIER_LABELS: Record<Tier, string> = { universal: 'Universal', targeted: 'Targeted', specialist: 'Specialist' };
export const TIER_HINTS: Record<Tier, string> = {
  universal: 'Available to every pupil who needs it as part of good teaching (for example a lunchtime club)',
  targeted: 'For a small group or one pupil, usually run by a teaching assistant or teacher',
  specialist: 'From a specialist teacher or an outside professional, for the most complex needs',
};

/** The four broad areas of need (SEND Code of Practice 6.28–6.35). */
export const AREAS = ['Communication and interaction', 'Cognition and learning', 'Social, emotional and mental health', 'Sensory and/or physical'] as const satisfies readonly BroadArea[];
export type Area = (typeof AREAS)[number];

export const STAFF_TYPES = ['teacher', 'ta', 'specialist', 'external'] as const;
export type StaffType = (typeof STAFF_TYPES)[number];
export const STAFF_TYPE_LABELS: Record<StaffType, string> = {
  teacher: 'Teacher',
  ta: 'Teaching assistant',
  specialist: 'Specialist teacher (employed by the school)',
  external: 'External professional',
};

export const COST_MODELS = ['staff-time', 'per-session', 'per-term'] as const;
export type CostModel = (typeof COST_MODELS)[number];
export const COST_MODEL_LABELS: Record<CostModel, string> = {
  'staff-time': 'Staff time at the school’s hourly rate',
  'per-session': 'A fixed cost per session',
  'per-term': 'A fixed cost per term',
};

export const MEASURES = ['standardised', 'reading-age', 'spelling-age', 'scale', 'target'] as const;
export type Measure = (typeof MEASURES)[number];
export const MEASURE_LABELS: Record<Measure, string> = {
  standardised: 'Standardised score',
  'reading-age': 'Reading age',
  'spelling-age': 'Spelling age',
  scale: 'A scale of your own',
  target: 'Target met or not met',
};

export function isOneOf<T extends string>(list: readonly T[], value: string): value is T {
  return (list as readonly string[]).includes(value);
}

/** Standardised scores: the usual tests report 40–160 (mean 100, standard deviation 15). */
export const STANDARDISED_MIN = 40;
export const STANDARDISED_MAX = 160;
/** Reading and spelling ages, in whole months: 3 years 0 months to 18 years 11 months. */
export const AGE_MIN_MONTHS = 36;
export const AGE_MAX_MONTHS = 18 * 12 + 11;

// Money and numbers ----------------------------------------------------------------------------------

/** '£1,250.50', '1250.5', '45' → pence; undefined when it is not an amount of money. */
export function parsePounds(text: string): number | undefined {
  const clean = text.trim().replace(/^£/, '').replace(/,/g, '').trim();
  if (!/^\d{1,9}(\.\d{1,2})?$/.test(clean)) return undefined;
  return Math.round(Number(clean) * 100);
}

export function poundsText(pence: number | null | undefined): string {
  if (pence === null || pence === undefined) return '';
  return (pence / 100).toFixed(2).replace(/\.00$/, '');
}

// Made once: an Intl.NumberFormat costs far more to build than to use, and a map page formats hundreds of sums.
const WHOLE_POUNDS = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
const POUNDS_AND_PENCE = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** '£1,234' (whole pounds) or '£12.50'. */
export function formatMoney(pence: number, options: { exact?: boolean } = {}): string {
  const pounds = pence / 100;
  const exact = options.exact || (Math.abs(pounds) < 100 && pence % 100 !== 0);
  return `${pounds < 0 ? '−' : ''}£${(exact ? POUNDS_AND_PENCE : WHOLE_POUNDS).format(Math.abs(pounds))}`;
}

function parseNumber(text: string): number | undefined {
  const clean = text.trim();
  if (!/^-?\d{1,6}(\.\d{1,2})?$/.test(clean)) return undefined;
  return Number(clean);
}

// The catalogue ------------------------------------------------------------------------------------

export interface ProvisionInput {
  name: string;
  description: string;
  tier: string;
  area: string;
  groupSize: string;
  sessionsPerWeek: string;
  minutesPerSession: string;
  staffType: string;
  costModel: string;
  cost: string;
  measure: string;
  scaleMin: string;
  scaleMax: string;
}

export interface ProvisionDetails {
  name: string;
  description: string | null;
  tier: Tier;
  area: Area;
  groupSize: number;
  sessionsPerWeek: number;
  minutesPerSession: number;
  staffType: StaffType;
  costModel: CostModel;
  costPence: number | null;
  measure: Measure;
  scaleMin: number | null;
  scaleMax: number | null;
}

export function checkProvision(input: ProvisionInput): { details?: ProvisionDetails; problems: FieldError[] } {
  const problems: FieldError[] = [];
  const name = input.name.replace(/\s+/g, ' ').trim();
  const description = input.description.trim();
  if (!name) problems.push({ field: 'name', message: 'Enter the provision’s name, for example Lexia reading group' });
  else if (name.length > 120) problems.push({ field: 'name', message: 'Name must be 120 characters or fewer' });
  if (description.length > 2000) problems.push({ field: 'description', message: 'Description must be 2,000 characters or fewer' });
  if (!isOneOf(TIERS, input.tier)) problems.push({ field: 'tier', message: 'Choose the tier: universal, targeted or specialist' });
  if (!isOneOf(AREAS, input.area)) problems.push({ field: 'area', message: 'Choose the broad area of need this provision meets' });
  const groupSize = Number(input.groupSize.trim());
  if (!input.groupSize.trim()) problems.push({ field: 'groupSize', message: 'Enter how many pupils a group has, 1 for one-to-one' });
  else if (!Number.isInteger(groupSize) || groupSize < 1 || groupSize > 40) problems.push({ field: 'groupSize', message: 'Group size must be a whole number from 1 to 40' });
  const sessionsPerWeek = parseNumber(input.sessionsPerWeek);
  if (!input.sessionsPerWeek.trim()) problems.push({ field: 'sessionsPerWeek', message: 'Enter how many sessions a week, for example 3 (0.5 for once a fortnight)' });
  else if (sessionsPerWeek === undefined || sessionsPerWeek < 0.1 || sessionsPerWeek > 10) problems.push({ field: 'sessionsPerWeek', message: 'Sessions a week must be a number from 0.1 to 10, for example 3 or 0.5' });
  const minutes = Number(input.minutesPerSession.trim());
  if (!input.minutesPerSession.trim()) problems.push({ field: 'minutesPerSession', message: 'Enter how many minutes a session lasts' });
  else if (!Number.isInteger(minutes) || minutes < 5 || minutes > 480) problems.push({ field: 'minutesPerSession', message: 'Minutes a session must be a whole number from 5 to 480' });
  if (!isOneOf(STAFF_TYPES, input.staffType)) problems.push({ field: 'staffType', message: 'Choose who delivers it' });
  let costPence: number | null = null;
  if (!isOneOf(COST_MODELS, input.costModel)) problems.push({ field: 'costModel', message: 'Choose how it is costed' });
  else if (input.costModel !== 'staff-time') {
    const pence = parsePounds(input.cost);
    const what = input.costModel === 'per-session' ? 'per session' : 'per term';
    if (!input.cost.trim()) problems.push({ field: 'cost', message: `Enter the cost ${what} in pounds, for example 85 or 450.00` });
    else if (pence === undefined || pence <= 0) problems.push({ field: 'cost', message: `Cost ${what} must be an amount in pounds greater than 0, like 85 or 450.00` });
    else costPence = pence;
  }
  let scaleMin: number | null = null;
  let scaleMax: number | null = null;
  if (!isOneOf(MEASURES, input.measure)) problems.push({ field: 'measure', message: 'Choose the measure used to judge whether it works' });
  else if (input.measure === 'scale') {
    const min = parseNumber(input.scaleMin);
    const max = parseNumber(input.scaleMax);
    if (min === undefined) problems.push({ field: 'scaleMin', message: 'Enter the lowest score on your scale, for example 0' });
    if (max === undefined) problems.push({ field: 'scaleMax', message: 'Enter the highest score on your scale, for example 10' });
    if (min !== undefined && max !== undefined && max <= min) problems.push({ field: 'scaleMax', message: 'The highest score must be more than the lowest score' });
    scaleMin = min ?? null;
    scaleMax = max ?? null;
  }
  if (problems.length) return { problems };
  return {
    details: {
      name,
      description: description || null,
      tier: input.tier as Tier,
      area: input.area as Area,
      groupSize,
      sessionsPerWeek: sessionsPerWeek!,
      minutesPerSession: minutes,
      staffType: input.staffType as StaffType,
      costModel: input.costModel as CostModel,
      costPence,
      measure: input.measure as Measure,
      scaleMin,
      scaleMax,
    },
    problems,
  };
}

// Intervention groups --------------------------------------------------------------------------------

export const WEEKDAYS = [
  { value: '1', text: 'Monday' },
  { value: '2', text: 'Tuesday' },
  { value: '3', text: 'Wednesday' },
  { value: '4', text: 'Thursday' },
  { value: '5', text: 'Friday' },
] as const;

export interface GroupInput {
  provisionId: string;
  name: string;
  startDate: string;
  endDate: string;
  weeks: string;
  sessionsPerWeek: string;
  minutesPerSession: string;
  days: string[];
  time: string;
}

export interface GroupDetails {
  provisionId: string;
  name: string;
  startDate: string;
  endDate: string;
  weeks: number;
  sessionsPerWeek: number;
  minutesPerSession: number;
  days: string;
  time: string | null;
}

/** Calendar weeks from start to end (inclusive), rounded up: the default for teaching weeks. */
export function calendarWeeks(startDate: string, endDate: string): number {
  const days = (Date.parse(`${endDate}T00:00:00Z`) - Date.parse(`${startDate}T00:00:00Z`)) / 86_400_000 + 1;
  return Math.max(1, Math.ceil(days / 7));
}

export function checkGroup(input: GroupInput): { details?: GroupDetails; problems: FieldError[] } {
  const problems: FieldError[] = [];
  const name = input.name.replace(/\s+/g, ' ').trim();
  if (!input.provisionId) problems.push({ field: 'provisionId', message: 'Choose the provision this group runs' });
  if (!name) problems.push({ field: 'name', message: 'Enter a name for the group, for example Year 7 Lexia – autumn' });
  else if (name.length > 120) problems.push({ field: 'name', message: 'Name must be 120 characters or fewer' });
  const startOk = isIsoDate(input.startDate);
  const endOk = isIsoDate(input.endDate);
  if (!input.startDate) problems.push({ field: 'startDate', message: 'Enter the date the group starts' });
  else if (!startOk) problems.push({ field: 'startDate', message: 'The start date must be a real date' });
  if (!input.endDate) problems.push({ field: 'endDate', message: 'Enter the date the group ends' });
  else if (!endOk) problems.push({ field: 'endDate', message: 'The end date must be a real date' });
  else if (startOk && input.endDate < input.startDate) problems.push({ field: 'endDate', message: 'The end date must be the same as or after the start date' });
  else if (startOk && calendarWeeks(input.startDate, input.endDate) > 53) problems.push({ field: 'endDate', message: 'A group can run for a year at most: start a new group for the next year' });
  let weeks = 0;
  if (input.weeks.trim()) {
    weeks = Number(input.weeks.trim());
    const most = startOk && endOk && input.endDate >= input.startDate ? calendarWeeks(input.startDate, input.endDate) : 53;
    if (!Number.isInteger(weeks) || weeks < 1) problems.push({ field: 'weeks', message: 'Teaching weeks must be a whole number, 1 or more' });
    else if (weeks > most) problems.push({ field: 'weeks', message: `Teaching weeks must be ${most} or fewer: there are ${most} weeks from the start to the end date` });
  } else if (startOk && endOk && input.endDate >= input.startDate) weeks = calendarWeeks(input.startDate, input.endDate);
  const sessionsPerWeek = parseNumber(input.sessionsPerWeek);
  if (sessionsPerWeek === undefined || sessionsPerWeek < 0.1 || sessionsPerWeek > 10) problems.push({ field: 'sessionsPerWeek', message: 'Sessions a week must be a number from 0.1 to 10, for example 3 or 0.5' });
  const minutes = Number(input.minutesPerSession.trim());
  if (!input.minutesPerSession.trim() || !Number.isInteger(minutes) || minutes < 5 || minutes > 480) problems.push({ field: 'minutesPerSession', message: 'Minutes a session must be a whole number from 5 to 480' });
  const days = [...new Set(input.days)].filter((day) => WEEKDAYS.some((entry) => entry.value === day)).sort();
  if (days.length !== new Set(input.days).size) problems.push({ field: 'days', message: 'Choose days from Monday to Friday' });
  const time = input.time.trim();
  if (time && !/^([01]?\d|2[0-3])[:.][0-5]\d$/.test(time)) problems.push({ field: 'time', message: 'Enter the time as hours and minutes, like 9:30 or 13:15' });
  if (problems.length) return { problems };
  const [hours, mins] = time.split(/[:.]/);
  return {
    details: {
      provisionId: input.provisionId,
      name,
      startDate: input.startDate,
      endDate: input.endDate,
      weeks,
      sessionsPerWeek: sessionsPerWeek!,
      minutesPerSession: minutes,
      days: days.join(','),
      time: time ? `${hours!.padStart(2, '0')}:${mins}` : null,
    },
    problems,
  };
}

export function daysText(days: string): string {
  const names = days.split(',').filter(Boolean).map((day) => WEEKDAYS.find((entry) => entry.value === day)?.text ?? day);
  return names.length ? names.join(', ') : '';
}

// Entry and exit measures ---------------------------------------------------------------------------

export interface MeasureSpec {
  measure: Measure;
  scaleMin: number | null;
  scaleMax: number | null;
}

/** A value as typed: one box, or years and months for reading and spelling ages; target 'met'/'not-met'. */
export interface MeasureEntry {
  value?: string;
  years?: string;
  months?: string;
}

/** '9 years 4 months' for 112 months. */
export function ageText(months: number): string {
  const years = Math.floor(months / 12);
  const rest = Math.round(months - years * 12);
  return `${years} year${years === 1 ? '' : 's'} ${rest} month${rest === 1 ? '' : 's'}`;
}

export function measureValueText(spec: MeasureSpec, value: number | null): string {
  if (value === null) return '';
  switch (spec.measure) {
    case 'reading-age':
    case 'spelling-age':
      return ageText(value);
    case 'target':
      return value >= 1 ? 'Met' : 'Not met';
    default:
      return String(Math.round(value * 100) / 100);
  }
}

/**
 * Reads one pupil's value against the provision's measure. Empty is null (no measure). A problem
 * names the field (the value box, or the years box of an age) and the pupil.
 */
export function parseMeasure(spec: MeasureSpec, entry: MeasureEntry, field: string, who: string): { value: number | null; problem?: FieldError } {
  switch (spec.measure) {
    case 'standardised': {
      const text = (entry.value ?? '').trim();
      if (!text) return { value: null };
      const number = Number(text);
      if (!/^\d{2,3}$/.test(text) || number < STANDARDISED_MIN || number > STANDARDISED_MAX) {
        return { value: null, problem: { field, message: `${who}’s standardised score must be a whole number from ${STANDARDISED_MIN} to ${STANDARDISED_MAX}` } };
      }
      return { value: number };
    }
    case 'reading-age':
    case 'spelling-age': {
      const yearsText = (entry.years ?? '').trim();
      const monthsText = (entry.months ?? '').trim();
      if (!yearsText && !monthsText) return { value: null };
      const kind = spec.measure === 'reading-age' ? 'reading age' : 'spelling age';
      if (!/^\d{1,2}$/.test(yearsText) || (monthsText && !/^\d{1,2}$/.test(monthsText)) || Number(monthsText || 0) > 11) {
        return { value: null, problem: { field, message: `${who}’s ${kind} must be in years and months, like 8 years 6 months (months 0 to 11)` } };
      }
      const months = Number(yearsText) * 12 + Number(monthsText || 0);
      if (months < AGE_MIN_MONTHS || months > AGE_MAX_MONTHS) return { value: null, problem: { field, message: `${who}’s ${kind} must be from 3 years 0 months to 18 years 11 months` } };
      return { value: months };
    }
    case 'scale': {
      const text = (entry.value ?? '').trim();
      if (!text) return { value: null };
      const number = parseNumber(text);
      const min = spec.scaleMin ?? 0;
      const max = spec.scaleMax ?? 10;
      if (number === undefined || number < min || number > max) return { value: null, problem: { field, message: `${who}’s score must be a number from ${min} to ${max}` } };
      return { value: number };
    }
    case 'target': {
      const text = (entry.value ?? '').trim();
      if (!text) return { value: null };
      if (text === 'met') return { value: 1 };
      if (text === 'not-met') return { value: 0 };
      return { value: null, problem: { field, message: `Choose whether ${who} met the target` } };
    }
  }
}

// Settings ----------------------------------------------------------------------------------------

export interface RatesInput {
  teacher: string;
  ta: string;
  specialist: string;
  external: string;
  budget: string;
}

export interface Rates {
  teacher: number;
  ta: number;
  specialist: number;
  external: number;
}

/** Hourly cost of staff time, including on-costs, when a school has not set its own (pence per hour). */
export const DEFAULT_RATES: Rates = { teacher: 4800, ta: 1950, specialist: 5500, external: 7500 };

export function checkRates(input: RatesInput): { rates?: Rates; budgetPence?: number | null; problems: FieldError[] } {
  const problems: FieldError[] = [];
  const rates: Partial<Rates> = {};
  for (const type of STAFF_TYPES) {
    const pence = parsePounds(input[type]);
    if (!input[type].trim()) problems.push({ field: type, message: `Enter the hourly cost of a ${STAFF_TYPE_LABELS[type].toLowerCase()}, for example 19.50` });
    else if (pence === undefined || pence <= 0 || pence > 100_000) problems.push({ field: type, message: `The hourly cost of a ${STAFF_TYPE_LABELS[type].toLowerCase()} must be an amount in pounds from £0.01 to £1,000` });
    else rates[type] = pence;
  }
  let budgetPence: number | null = null;
  if (input.budget.trim()) {
    const pence = parsePounds(input.budget);
    if (pence === undefined) problems.push({ field: 'budget', message: 'The notional SEN budget must be an amount in pounds, like 250000' });
    else budgetPence = pence;
  }
  if (problems.length) return { problems };
  return { rates: rates as Rates, budgetPence, problems };
}

export function checkContractedHours(text: string): { hours?: number | null; problems: FieldError[] } {
  const clean = text.trim();
  if (!clean) return { hours: null, problems: [] };
  const hours = parseNumber(clean);
  if (hours === undefined || hours <= 0 || hours > 60) return { problems: [{ field: 'hours', message: 'Contracted hours must be a number of hours a week from 0.5 to 60, like 32.5' }] };
  return { hours, problems: [] };
}
