// The rules for concerns: what a member of staff must say when they raise one, the outcomes the SENCO
// records (a note is required when the answer is a referral or no further action, so the member of
// staff who raised it learns why), and the triage list's filters. Pure functions, no database.
import type { FieldError } from '../../platform/errors.ts';
import { BROAD_AREAS } from '../register/census.ts';

/** The four broad areas of need (SEND Code of Practice 6.28–6.35). */
export const CONCERN_AREAS = BROAD_AREAS.filter((area) => area !== 'Other');

export const OUTCOMES = ['monitor', 'sen-support', 'refer', 'no-further-action'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const OUTCOME_LABELS: Record<Outcome, string> = {
  monitor: 'Monitor',
  'sen-support': 'Start SEN support',
  refer: 'Refer to an agency',
  'no-further-action': 'No further action',
};

export const OUTCOME_HINTS: Record<Outcome, string> = {
  monitor: 'Keep watching with the class teacher, using quality first teaching; raise it again if it continues',
  'sen-support': 'Add the pupil to SEN support and start a plan: assess, plan, do, review',
  refer: 'For example to the educational psychologist, speech and language therapy, the school nurse or early help. Say which in the note',
  'no-further-action': 'Say why in the note: the member of staff who raised it will read it',
};

export const OUTCOME_TAGS: Record<Outcome, string> = {
  monitor: 'govuk-tag--blue',
  'sen-support': 'govuk-tag--purple',
  refer: 'govuk-tag--orange',
  'no-further-action': 'govuk-tag--grey',
};

/** Outcomes that need a note saying why (which agency; why nothing more is needed). */
export const NOTE_REQUIRED: ReadonlySet<Outcome> = new Set(['refer', 'no-further-action']);

export function isOutcome(value: string): value is Outcome {
  return (OUTCOMES as readonly string[]).includes(value);
}

export function outcomeLabel(value: string | null | undefined): string {
  return value && isOutcome(value) ? OUTCOME_LABELS[value] : '';
}

export const TEXT_LIMIT = 4000;
export const DURATION_LIMIT = 200;

export interface ConcernInput {
  observed: string;
  tried: string;
  duration: string;
  area: string;
}

export function concernProblems(input: ConcernInput): FieldError[] {
  const problems: FieldError[] = [];
  const observed = input.observed.trim();
  const tried = input.tried.trim();
  const duration = input.duration.trim();
  if (!observed) problems.push({ field: 'observed', message: 'Enter what you see: what the pupil does or finds hard, and when' });
  else if (observed.length > TEXT_LIMIT) problems.push({ field: 'observed', message: `What you see must be ${TEXT_LIMIT.toLocaleString('en-GB')} characters or fewer` });
  if (!tried) problems.push({ field: 'tried', message: 'Enter what you have tried, even if it did not help' });
  else if (tried.length > TEXT_LIMIT) problems.push({ field: 'tried', message: `What you have tried must be ${TEXT_LIMIT.toLocaleString('en-GB')} characters or fewer` });
  if (!duration) problems.push({ field: 'duration', message: 'Enter how long you have noticed this, for example since October half term' });
  else if (duration.length > DURATION_LIMIT) problems.push({ field: 'duration', message: `How long must be ${DURATION_LIMIT} characters or fewer` });
  if (input.area && !(CONCERN_AREAS as readonly string[]).includes(input.area)) problems.push({ field: 'area', message: 'Choose one of the areas of need listed, or “Not sure”' });
  return problems;
}

export interface OutcomeInput {
  outcome: string;
  note: string;
}

/** What is wrong with an outcome the SENCO records; a concern that already has one must be reopened first. */
export function outcomeProblems(input: OutcomeInput, status: string): FieldError[] {
  const problems: FieldError[] = [];
  if (status !== 'open') return [{ field: 'outcome', message: 'This concern already has an outcome: reopen it to record a different one' }];
  if (!input.outcome) problems.push({ field: 'outcome', message: 'Choose the outcome' });
  else if (!isOutcome(input.outcome)) problems.push({ field: 'outcome', message: 'Choose one of the outcomes listed' });
  const note = input.note.trim();
  if (isOutcome(input.outcome) && NOTE_REQUIRED.has(input.outcome) && !note) {
    problems.push({
      field: 'note',
      message: input.outcome === 'refer' ? 'Enter a note saying which agency the pupil is referred to, and why' : 'Enter a note saying why no further action is needed',
    });
  }
  if (note.length > TEXT_LIMIT) problems.push({ field: 'note', message: `The note must be ${TEXT_LIMIT.toLocaleString('en-GB')} characters or fewer` });
  return problems;
}

// The triage list's filters ----------------------------------------------------------------------------

export type StatusFilter = 'open' | 'closed' | 'all';

export interface TriageQuery {
  status: StatusFilter;
  outcome: Outcome | '';
  yearGroup: number | null;
  q: string;
  page: number;
}

export const TRIAGE_PAGE_SIZE = 25;

export function parseTriageQuery(raw: Record<string, unknown>): TriageQuery {
  const text = (name: string) => (typeof raw[name] === 'string' ? (raw[name] as string).trim() : '');
  const status = text('status');
  const outcome = text('outcome');
  const year = Number.parseInt(text('yearGroup'), 10);
  const page = Number.parseInt(text('page'), 10);
  return {
    status: status === 'open' || status === 'closed' ? status : 'all',
    outcome: isOutcome(outcome) ? outcome : '',
    yearGroup: Number.isInteger(year) && year >= -2 && year <= 14 ? year : null,
    q: text('q').slice(0, 100),
    page: Number.isInteger(page) && page > 0 ? Math.min(page, 10_000) : 1,
  };
}

/** The query string for a triage list link, with some filters changed; a change of filter goes back to page 1. */
export function triageQueryString(query: TriageQuery, changes: Partial<TriageQuery> = {}): string {
  const next = { ...query, ...(Object.keys(changes).some((key) => key !== 'page') ? { page: 1 } : {}), ...changes };
  const params = new URLSearchParams();
  if (next.status !== 'all') params.set('status', next.status);
  if (next.outcome) params.set('outcome', next.outcome);
  if (next.yearGroup !== null) params.set('yearGroup', String(next.yearGroup));
  if (next.q) params.set('q', next.q);
  if (next.page > 1) params.set('page', String(next.page));
  const text = params.toString();
  return text ? `?${text}` : '';
}
