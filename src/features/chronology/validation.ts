// What a meeting (with its actions) and a logged contact must hold, field by field, with messages that
// say which field or which action row is wrong.
import { isIsoDate } from '../../platform/dates.ts';
import type { FieldError } from '../../platform/errors.ts';

export const MEETING_KINDS = ['parents', 'review', 'multi-agency', 'other'] as const;
export type MeetingKind = (typeof MEETING_KINDS)[number];
export const MEETING_KIND_LABELS: Record<MeetingKind, string> = {
  parents: 'Meeting with parents',
  review: 'Review meeting',
  'multi-agency': 'Multi-agency meeting',
  other: 'Other meeting',
};
export const MEETING_KIND_HINTS: Record<MeetingKind, string> = {
  parents: 'For example, a termly catch-up or a meeting parents asked for',
  review: 'Reviewing the SEN support plan or the EHC plan',
  'multi-agency': 'With professionals from other services, such as the educational psychologist or social care',
  other: 'Any other meeting about the pupil',
};

export const ENTRY_KINDS = ['phone-call', 'email', 'agency', 'referral', 'note'] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];
export const ENTRY_KIND_LABELS: Record<EntryKind, string> = {
  'phone-call': 'Phone call',
  email: 'Email',
  agency: 'Agency involvement',
  referral: 'Referral',
  note: 'Note',
};
export const ENTRY_KIND_HINTS: Record<EntryKind, string> = {
  'phone-call': 'With parents, carers or a professional',
  email: 'Sent or received',
  agency: 'A visit, assessment, report or advice from an outside agency',
  referral: 'The school referred the pupil to an agency',
  note: 'Anything else worth keeping on the record',
};
/** Timeline filter of each kind. */
export const ENTRY_CATEGORY: Record<EntryKind, string> = { 'phone-call': 'contact', email: 'contact', note: 'contact', agency: 'agency', referral: 'agency' };

/** The agencies schools work with most; "Another agency" takes a name. */
export const AGENCIES = [
  'Educational psychology service',
  'Speech and language therapy',
  'Occupational therapy',
  'CAMHS',
  'Social care',
  'School nurse',
  'Early help',
  'Paediatrics',
  'Specialist teaching service',
  'Sensory support service',
] as const;
export const OTHER_AGENCY = 'other';

export const MAX_ACTIONS = 20;

export function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}

export interface ActionInput {
  /** An existing action's id, when editing. */
  id: string;
  description: string;
  ownerUserId: string;
  dueOn: string;
}

export interface MeetingInput {
  heldOn: string;
  kind: string;
  withParents: string;
  attendees: string;
  notes: string;
  cycleId: string;
  actions: ActionInput[];
}

export interface MeetingDetails {
  heldOn: string;
  kind: MeetingKind;
  withParents: boolean;
  attendees: string;
  notes: string;
  cycleId: string | null;
  actions: Array<{ id: string; description: string; ownerUserId: string; dueOn: string }>;
}

function dateProblem(value: string, what: string): string | undefined {
  if (!value) return `Enter the date ${what}`;
  if (!isIsoDate(value)) return `The date ${what} must be a real date, like 14 3 2026`;
  return undefined;
}

/** An action row with nothing typed in it is left out rather than refused. */
export function isBlankAction(action: ActionInput): boolean {
  return !action.id && !action.description.trim() && !action.ownerUserId && !action.dueOn;
}

export function checkMeeting(
  input: MeetingInput,
  context: { today: string; staffIds: ReadonlySet<string>; cycleIds: ReadonlySet<string> },
): { details?: MeetingDetails; problems: FieldError[] } {
  const problems: FieldError[] = [];
  const heldOnProblem = dateProblem(input.heldOn, 'of the meeting');
  if (heldOnProblem) problems.push({ field: 'heldOn', message: heldOnProblem });
  else if (input.heldOn > context.today) problems.push({ field: 'heldOn', message: 'The date of the meeting must be today or in the past' });
  else if (input.heldOn < '2000-01-01') problems.push({ field: 'heldOn', message: 'The date of the meeting must be after 1 January 2000' });
  if (!isOneOf(MEETING_KINDS, input.kind)) problems.push({ field: 'kind', message: 'Choose what kind of meeting it was' });
  if (input.withParents !== 'yes' && input.withParents !== 'no') problems.push({ field: 'withParents', message: 'Say whether parents or carers took part' });
  else if (input.kind === 'parents' && input.withParents === 'no') problems.push({ field: 'withParents', message: 'A meeting with parents needs parents or carers taking part: say yes, or choose another kind of meeting' });
  const attendees = input.attendees.trim();
  if (!attendees) problems.push({ field: 'attendees', message: 'Enter who attended' });
  else if (attendees.length > 1000) problems.push({ field: 'attendees', message: 'Who attended must be 1,000 characters or fewer' });
  const notes = input.notes.trim();
  if (!notes) problems.push({ field: 'notes', message: 'Enter notes of what was discussed and agreed' });
  else if (notes.length > 20_000) problems.push({ field: 'notes', message: 'Notes must be 20,000 characters or fewer' });
  if (input.cycleId && !context.cycleIds.has(input.cycleId)) problems.push({ field: 'cycleId', message: 'Choose one of this pupil’s plans, or none' });

  const actions: MeetingDetails['actions'] = [];
  const rows = input.actions;
  if (rows.filter((row) => !isBlankAction(row)).length > MAX_ACTIONS) problems.push({ field: 'action-0-description', message: `A meeting can have at most ${MAX_ACTIONS} actions: record the rest on another meeting` });
  rows.forEach((row, index) => {
    if (isBlankAction(row)) return;
    const label = `Action ${index + 1}`;
    const description = row.description.trim();
    let ok = true;
    if (!description) {
      problems.push({ field: `action-${index}-description`, message: `${label}: enter what needs to be done` });
      ok = false;
    } else if (description.length > 500) {
      problems.push({ field: `action-${index}-description`, message: `${label}: what needs to be done must be 500 characters or fewer` });
      ok = false;
    }
    if (!row.ownerUserId) {
      problems.push({ field: `action-${index}-owner`, message: `${label}: choose who will do it` });
      ok = false;
    } else if (!context.staffIds.has(row.ownerUserId)) {
      problems.push({ field: `action-${index}-owner`, message: `${label}: choose a member of staff in this school` });
      ok = false;
    }
    const dueProblem = dateProblem(row.dueOn, 'it is due');
    if (dueProblem) {
      problems.push({ field: `action-${index}-due`, message: `${label}: ${dueProblem.charAt(0).toLowerCase()}${dueProblem.slice(1)}` });
      ok = false;
    } else if (!heldOnProblem && row.dueOn < input.heldOn && !row.id) {
      problems.push({ field: `action-${index}-due`, message: `${label}: the date it is due must be on or after the date of the meeting` });
      ok = false;
    } else if (row.dueOn > '2099-12-31') {
      problems.push({ field: `action-${index}-due`, message: `${label}: the date it is due must be before 2100` });
      ok = false;
    }
    if (ok) actions.push({ id: row.id, description, ownerUserId: row.ownerUserId, dueOn: row.dueOn });
  });
  if (problems.length) return { problems };
  return {
    details: {
      heldOn: input.heldOn,
      kind: input.kind as MeetingKind,
      withParents: input.withParents === 'yes',
      attendees,
      notes,
      cycleId: input.cycleId || null,
      actions,
    },
    problems,
  };
}

export interface EntryInput {
  kind: string;
  occurredOn: string;
  agency: string;
  otherAgency: string;
  summary: string;
  details: string;
}

export interface EntryDetails {
  kind: EntryKind;
  occurredOn: string;
  agency: string | null;
  summary: string;
  details: string | null;
}

export function checkEntry(input: EntryInput, today: string): { details?: EntryDetails; problems: FieldError[] } {
  const problems: FieldError[] = [];
  if (!isOneOf(ENTRY_KINDS, input.kind)) problems.push({ field: 'kind', message: 'Choose what you are recording' });
  const dateIssue = dateProblem(input.occurredOn, 'it happened');
  if (dateIssue) problems.push({ field: 'occurredOn', message: dateIssue });
  else if (input.occurredOn > today) problems.push({ field: 'occurredOn', message: 'The date it happened must be today or in the past' });
  else if (input.occurredOn < '2000-01-01') problems.push({ field: 'occurredOn', message: 'The date it happened must be after 1 January 2000' });
  let agency: string | null = null;
  if (input.agency === OTHER_AGENCY) {
    agency = input.otherAgency.trim();
    if (!agency) problems.push({ field: 'otherAgency', message: 'Enter the name of the agency' });
    else if (agency.length > 200) problems.push({ field: 'otherAgency', message: 'The name of the agency must be 200 characters or fewer' });
  } else if (input.agency) {
    if (isOneOf(AGENCIES, input.agency)) agency = input.agency;
    else problems.push({ field: 'agency', message: 'Choose an agency from the list' });
  }
  if (!input.agency && (input.kind === 'agency' || input.kind === 'referral')) {
    problems.push({ field: 'agency', message: input.kind === 'referral' ? 'Choose which agency the pupil was referred to' : 'Choose which agency was involved' });
  }
  const summary = input.summary.trim();
  if (!summary) problems.push({ field: 'summary', message: 'Enter a summary, in a sentence' });
  else if (summary.length > 300) problems.push({ field: 'summary', message: 'The summary must be 300 characters or fewer' });
  const details = input.details.trim();
  if (details.length > 20_000) problems.push({ field: 'details', message: 'Details must be 20,000 characters or fewer' });
  if (problems.length) return { problems };
  return { details: { kind: input.kind as EntryKind, occurredOn: input.occurredOn, agency, summary, details: details || null }, problems };
}
