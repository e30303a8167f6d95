// The rules of SEN support plans, as pure functions: when a review falls by default, what a closed
// cycle carries into the next, and what makes a target, strategy or "do" item complete.
import { addDays } from 'date-fns/addDays';
import { differenceInCalendarDays } from 'date-fns/differenceInCalendarDays';
import { format } from 'date-fns/format';
import { parseISO } from 'date-fns/parseISO';
import { isIsoDate } from '../../platform/dates.ts';
import { ValidationError, type FieldError } from '../../platform/errors.ts';

// Review dates --------------------------------------------------------------------------------------

/** Month and day each term ends, in the order they fall in a calendar year (an approximation: schools set their own dates). */
export const TERM_ENDS: ReadonlyArray<{ month: number; day: number; name: string }> = [
  { month: 3, day: 31, name: 'spring' },
  { month: 7, day: 20, name: 'summer' },
  { month: 12, day: 19, name: 'autumn' },
];
/** A plan runs at least this long before its first review. */
export const MIN_DAYS_BEFORE_REVIEW = 42;
/** The review is held this many days before the end of term, so there is time to act on it. */
export const DAYS_BEFORE_TERM_END = 14;

export const REVIEW_RULE_EXPLANATION =
  'Reviews are termly by default: the review falls two weeks before the end of the first term that ends at least six weeks after the plan starts, ' +
  'taking terms to end on 19 December, 31 March and 20 July, and moving a weekend date back to the Friday. Schools set their own term dates, so change the date if it does not suit.';

function iso(date: Date): string {
  return format(date, 'yyyy-MM-dd');
}

/** The end of the first term on or after a date. */
export function termEndOnOrAfter(date: string): string {
  const year = Number(date.slice(0, 4));
  for (const y of [year, year + 1]) {
    for (const end of TERM_ENDS) {
      const candidate = `${y}-${String(end.month).padStart(2, '0')}-${String(end.day).padStart(2, '0')}`;
      if (candidate >= date) return candidate;
    }
  }
  throw new Error(`No term end after ${date}`);
}

/** A Saturday or Sunday moves back to the Friday before. */
export function weekdayOnOrBefore(date: string): string {
  const day = parseISO(date).getDay();
  if (day === 6) return iso(addDays(parseISO(date), -1));
  if (day === 0) return iso(addDays(parseISO(date), -2));
  return date;
}

/**
 * The default review date of a cycle that starts on `startedOn`: 14 days before the end of the first
 * term that ends at least 6 weeks (42 days) after the start, moved back to the Friday if it falls at a
 * weekend. Worked examples are in rules.test.ts.
 */
export function defaultReviewDate(startedOn: string): string {
  if (!isIsoDate(startedOn)) throw new TypeError(`Not a date: ${startedOn}`);
  const termEnd = termEndOnOrAfter(iso(addDays(parseISO(startedOn), MIN_DAYS_BEFORE_REVIEW)));
  return weekdayOnOrBefore(iso(addDays(parseISO(termEnd), -DAYS_BEFORE_TERM_END)));
}

export type ReviewState = 'overdue' | 'due-soon' | 'later';
/** "Due soon" is the next six weeks. */
export const DUE_SOON_DAYS = 42;

export function reviewState(reviewDueOn: string, today: string): ReviewState {
  const days = differenceInCalendarDays(parseISO(reviewDueOn), parseISO(today));
  if (days < 0) return 'overdue';
  if (days <= DUE_SOON_DAYS) return 'due-soon';
  return 'later';
}

export function addDaysIso(date: string, days: number): string {
  return iso(addDays(parseISO(date), days));
}

// Carry-forward ---------------------------------------------------------------------------------------

export const RATINGS = ['achieved', 'partly', 'not-yet'] as const;
export type Rating = (typeof RATINGS)[number];
export const RATING_LABELS: Record<Rating, string> = { achieved: 'Achieved', partly: 'Partly achieved', 'not-yet': 'Not yet achieved' };

export function isRating(value: string | null | undefined): value is Rating {
  return (RATINGS as readonly (string | null | undefined)[]).includes(value);
}

/** Whether a target is carried into the next plan unless the SENCO says otherwise: those not fully achieved. */
export function carriesByDefault(rating: Rating | null): boolean {
  return rating === 'partly' || rating === 'not-yet';
}

export interface CarryTarget { id: string; position: number; area: string | null; target: string; success_criterion: string; due_on: string; rating: string | null; continues: 0 | 1 | null }
export interface CarryStrategy { id: string; position: number; strategy: string }
export interface CarryDoItem { id: string; position: number; who: string; what: string; how_often: string }

export interface NextCycleRows {
  targets: Array<{ id: string; cycle_id: string; position: number; area: string | null; target: string; success_criterion: string; due_on: string; carried_from: string; rating: null; review_note: null; continues: null }>;
  strategies: Array<{ id: string; cycle_id: string; position: number; strategy: string; carried_from: string }>;
  doItems: Array<{ id: string; cycle_id: string; position: number; who: string; what: string; how_often: string; carried_from: string }>;
  assess: Record<string, string>;
}

/**
 * What a closed cycle carries into the next. Targets marked "carry into the next plan" continue with
 * the same wording, pointing back at the target they continue (carried_from), their rating and note
 * cleared and a new date: the next review date. Targets not carried stay in the closed cycle as the
 * record of what was achieved. Every strategy and "do" item continues (the SENCO then changes or
 * removes what no longer applies), and the assess sections are copied to be brought up to date.
 */
export function carryForward(
  previous: { targets: readonly CarryTarget[]; strategies: readonly CarryStrategy[]; doItems: readonly CarryDoItem[]; assess: Record<string, string> },
  next: { cycleId: string; reviewDueOn: string },
  newId: () => string,
): NextCycleRows {
  const byPosition = <T extends { position: number }>(rows: readonly T[]) => [...rows].sort((a, b) => a.position - b.position);
  return {
    targets: byPosition(previous.targets)
      .filter((target) => target.continues === 1)
      .map((target, index) => ({
        id: newId(), cycle_id: next.cycleId, position: index + 1, area: target.area, target: target.target, success_criterion: target.success_criterion,
        due_on: next.reviewDueOn, carried_from: target.id, rating: null, review_note: null, continues: null,
      })),
    strategies: byPosition(previous.strategies).map((strategy, index) => ({ id: newId(), cycle_id: next.cycleId, position: index + 1, strategy: strategy.strategy, carried_from: strategy.id })),
    doItems: byPosition(previous.doItems).map((item, index) => ({ id: newId(), cycle_id: next.cycleId, position: index + 1, who: item.who, what: item.what, how_often: item.how_often, carried_from: item.id })),
    assess: { ...previous.assess },
  };
}

// Validation -------------------------------------------------------------------------------------------

export const TARGET_MAX = 500;
export const CRITERION_MAX = 500;
export const STRATEGY_MAX = 500;
export const WHO_MAX = 120;
export const WHAT_MAX = 500;
export const HOW_OFTEN_MAX = 120;
export const SECTION_TEXT_MAX = 10_000;
export const NOTE_MAX = 1_000;
/** A target's date may fall this long after the review date ("within the cycle or soon after"). */
export const TARGET_DAYS_AFTER_REVIEW = 42;

export interface TargetInput { area: string; target: string; successCriterion: string; dueOn: string }
export interface StrategyInput { strategy: string }
export interface DoItemInput { who: string; what: string; howOften: string }

function required(errors: FieldError[], field: string, value: string, label: string, max: number): string {
  const text = value.trim();
  if (!text) errors.push({ field, message: `Enter ${label}` });
  else if (text.length > max) errors.push({ field, message: `${label.replace(/^(the|a|an) /, '').replace(/^./, (c) => c.toUpperCase())} must be ${max} characters or fewer` });
  return text;
}

/** A target must be specific and measurable: what, how we will know (the success criterion) and by when. */
export function checkTarget(input: TargetInput, cycle: { startedOn: string; reviewDueOn: string }): { area: string | null; target: string; success_criterion: string; due_on: string } {
  const errors: FieldError[] = [];
  const target = required(errors, 'target', input.target, 'the target', TARGET_MAX);
  const criterion = required(errors, 'successCriterion', input.successCriterion, 'the success criterion: how you will know the target is met', CRITERION_MAX);
  const area = input.area.trim();
  if (area.length > 120) errors.push({ field: 'area', message: 'Area must be 120 characters or fewer' });
  const latest = addDaysIso(cycle.reviewDueOn, TARGET_DAYS_AFTER_REVIEW);
  if (!input.dueOn) errors.push({ field: 'dueOn', message: 'Enter the date the target should be met by' });
  else if (!isIsoDate(input.dueOn)) errors.push({ field: 'dueOn', message: 'The target date must be a real date, for example 19 3 2026' });
  else if (input.dueOn < cycle.startedOn) errors.push({ field: 'dueOn', message: 'The target date must be on or after the day the plan started' });
  else if (input.dueOn > latest) errors.push({ field: 'dueOn', message: `The target date must be within the plan: no later than six weeks after the review date (${latest})` });
  if (errors.length) throw new ValidationError(errors);
  return { area: area || null, target, success_criterion: criterion, due_on: input.dueOn };
}

export function checkStrategy(input: StrategyInput): string {
  const errors: FieldError[] = [];
  const strategy = required(errors, 'strategy', input.strategy, 'the strategy for teachers', STRATEGY_MAX);
  if (errors.length) throw new ValidationError(errors);
  return strategy;
}

export function checkDoItem(input: DoItemInput): { who: string; what: string; how_often: string } {
  const errors: FieldError[] = [];
  const who = required(errors, 'who', input.who, 'who does it', WHO_MAX);
  const what = required(errors, 'what', input.what, 'what they do', WHAT_MAX);
  const howOften = required(errors, 'howOften', input.howOften, 'how often', HOW_OFTEN_MAX);
  if (errors.length) throw new ValidationError(errors);
  return { who, what, how_often: howOften };
}

/** Free-text sections (assess or review), by key, each within the limit. Field names are `section-<key>`. */
export function checkSections(sections: ReadonlyArray<{ key: string; heading: string }>, values: Record<string, string>): Record<string, string> {
  const errors: FieldError[] = [];
  const out: Record<string, string> = {};
  for (const section of sections) {
    const text = (values[section.key] ?? '').replace(/\r\n?/g, '\n').trim();
    if (text.length > SECTION_TEXT_MAX) errors.push({ field: `section-${section.key}`, message: `${section.heading} must be ${SECTION_TEXT_MAX.toLocaleString('en-GB')} characters or fewer` });
    if (text) out[section.key] = text;
  }
  if (errors.length) throw new ValidationError(errors);
  return out;
}

export interface ReviewInput {
  heldOn: string;
  nextReviewOn: string;
  sections: Record<string, string>;
  /** carry: null when the SENCO has not said, and the rule decides (carriesByDefault). */
  targets: Record<string, { rating: string; note: string; carry: boolean | null }>;
}

/** The review: every target rated, the date it was held (not in the future, not before the plan started), the next review after it. */
export function checkReview(
  input: ReviewInput,
  cycle: { startedOn: string; targets: ReadonlyArray<{ id: string; position: number }>; sections: ReadonlyArray<{ key: string; heading: string }> },
  today: string,
): { heldOn: string; nextReviewOn: string; sections: Record<string, string>; targets: Record<string, { rating: Rating; note: string | null; carry: boolean }> } {
  const errors: FieldError[] = [];
  const targets: Record<string, { rating: Rating; note: string | null; carry: boolean }> = {};
  for (const [index, target] of [...cycle.targets].sort((a, b) => a.position - b.position).entries()) {
    const given = input.targets[target.id];
    const rating = given?.rating ?? '';
    const note = (given?.note ?? '').trim();
    if (!isRating(rating)) errors.push({ field: `rating-${target.id}`, message: `Choose how far target ${index + 1} was achieved` });
    if (note.length > NOTE_MAX) errors.push({ field: `note-${target.id}`, message: `The note on target ${index + 1} must be ${NOTE_MAX} characters or fewer` });
    if (isRating(rating)) targets[target.id] = { rating, note: note || null, carry: given?.carry ?? carriesByDefault(rating) };
  }
  if (!input.heldOn) errors.push({ field: 'heldOn', message: 'Enter the date the review was held' });
  else if (!isIsoDate(input.heldOn)) errors.push({ field: 'heldOn', message: 'The review date must be a real date, for example 5 12 2025' });
  else if (input.heldOn > today) errors.push({ field: 'heldOn', message: 'The review date must be today or in the past' });
  else if (input.heldOn < cycle.startedOn) errors.push({ field: 'heldOn', message: 'The review date must be on or after the day the plan started' });
  if (!input.nextReviewOn) errors.push({ field: 'nextReviewOn', message: 'Enter the date of the next review' });
  else if (!isIsoDate(input.nextReviewOn)) errors.push({ field: 'nextReviewOn', message: 'The next review date must be a real date, for example 19 3 2026' });
  else if (isIsoDate(input.heldOn) && input.nextReviewOn <= input.heldOn) errors.push({ field: 'nextReviewOn', message: 'The next review date must be after the date of this review' });
  else if (isIsoDate(input.heldOn) && input.nextReviewOn > addDaysIso(input.heldOn, 366)) errors.push({ field: 'nextReviewOn', message: 'The next review date must be within a year of this review' });
  let sections: Record<string, string> = {};
  try {
    sections = checkSections(cycle.sections, input.sections);
  } catch (error) {
    if (error instanceof ValidationError) errors.push(...error.errors);
    else throw error;
  }
  if (errors.length) throw new ValidationError(errors);
  return { heldOn: input.heldOn, nextReviewOn: input.nextReviewOn, sections, targets };
}

/** A review date the SENCO sets: a real date, not before the plan started, within a year of it. */
export function checkReviewDue(value: string, startedOn: string): string {
  if (!value) throw new ValidationError([{ field: 'reviewDueOn', message: 'Enter the review date' }]);
  if (!isIsoDate(value)) throw new ValidationError([{ field: 'reviewDueOn', message: 'The review date must be a real date, for example 5 12 2025' }]);
  if (value <= startedOn) throw new ValidationError([{ field: 'reviewDueOn', message: 'The review date must be after the day the plan started' }]);
  if (value > addDaysIso(startedOn, 366)) throw new ValidationError([{ field: 'reviewDueOn', message: 'The review date must be within a year of the day the plan started' }]);
  return value;
}

/** Parses a JSON object of section texts; anything else reads as empty. */
export function parseTextMap(text: string | null | undefined): Record<string, string> {
  if (!text) return {};
  try {
    const value = JSON.parse(text) as unknown;
    if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  } catch {
    return {};
  }
}

/**
 * What the plan is called for this pupil. SEN support plans are for pupils on SEN support (K); a pupil
 * with an EHC plan (E) has the same assess–plan–do–review cycle, but it is the school's support plan
 * towards the EHC plan's outcomes, not "SEN support" (CoP 6.48, 9.166).
 */
export function planName(senProvision: string): string {
  return senProvision === 'E' ? 'Support plan' : 'SEN support plan';
}
