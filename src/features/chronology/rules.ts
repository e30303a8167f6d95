// The chronology's rules, as pure functions: the school year and the three meetings with parents a
// year (SEND Code of Practice 6.65), the wording of deadlines, and how the timeline merges, filters and
// orders events from every feature.
import type { ChronologyEvent } from '../../platform/context.ts';
import { academicYearStart, describeDeadline } from '../../platform/dates.ts';

// The school year and three meetings with parents --------------------------------------------------

export interface SchoolYear {
  /** The calendar year it starts in: 2025 for 1 September 2025 to 31 August 2026. */
  start: number;
  from: string;
  to: string;
  label: string;
}

/** The school year (1 September to 31 August) a date falls in. */
export function schoolYearOf(onDate: string): SchoolYear {
  const start = academicYearStart(onDate);
  return { start, from: `${start}-09-01`, to: `${start + 1}-08-31`, label: `${start} to ${start + 1}` };
}

/** The Code of Practice asks schools to meet parents of pupils on SEN support at least three times a year. */
export const MEETINGS_EXPECTED = 3;

export interface MeetingForCount {
  heldOn: string;
  /** Parents took part (pupil_meetings.with_parents = 1). */
  withParents: boolean;
}

export interface ParentMeetingCount {
  /** Days this school year, up to and including today, on which the school met the parents. */
  count: number;
  /** The latest meeting with parents up to today, in any year. */
  lastMeeting: string | null;
  /** Three or more this school year. */
  met: boolean;
}

/**
 * How many times this school year the school has met a pupil's parents. Only meetings parents took
 * part in count, whatever their kind (a review meeting with parents counts; an internal review does
 * not); meetings from 1 September up to today count; two records of the same day count once, since
 * parents met the school once that day.
 */
export function countParentMeetings(meetings: readonly MeetingForCount[], today: string): ParentMeetingCount {
  const year = schoolYearOf(today);
  const days = new Set<string>();
  let lastMeeting: string | null = null;
  for (const meeting of meetings) {
    if (!meeting.withParents || meeting.heldOn > today) continue;
    if (lastMeeting === null || meeting.heldOn > lastMeeting) lastMeeting = meeting.heldOn;
    if (meeting.heldOn >= year.from && meeting.heldOn <= year.to) days.add(meeting.heldOn);
  }
  return { count: days.size, lastMeeting, met: days.size >= MEETINGS_EXPECTED };
}

// Deadlines ----------------------------------------------------------------------------------------

export type DeadlineState = 'done' | 'overdue' | 'today' | 'soon' | 'later';

/** An action's deadline as people say it ('due in 5 days', '3 days overdue'), and how urgent it is. */
export function actionDeadline(dueOn: string, doneAt: string | null, today: string): { text: string; state: DeadlineState } {
  if (doneAt) return { text: 'done', state: 'done' };
  const text = describeDeadline(dueOn, today);
  if (dueOn < today) return { text, state: 'overdue' };
  if (dueOn === today) return { text, state: 'today' };
  const soon = Date.parse(`${dueOn}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`) <= 7 * 86_400_000;
  return { text, state: soon ? 'soon' : 'later' };
}

/** Open actions: overdue first, then by due date; done ones after, most recently done first. */
export function compareActions(a: { dueOn: string; doneAt: string | null; createdAt: string }, b: { dueOn: string; doneAt: string | null; createdAt: string }): number {
  if (!a.doneAt !== !b.doneAt) return a.doneAt ? 1 : -1;
  if (a.doneAt && b.doneAt && a.doneAt !== b.doneAt) return a.doneAt < b.doneAt ? 1 : -1;
  if (a.dueOn !== b.dueOn) return a.dueOn < b.dueOn ? -1 : 1;
  return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0;
}

// The timeline -------------------------------------------------------------------------------------

/** The filters, in the order they are offered. Features may add categories of their own. */
export const CATEGORY_LABELS: Record<string, string> = {
  sen: 'SEN status',
  concern: 'Concerns',
  plan: 'Plans',
  review: 'Reviews',
  contribution: 'Views of parents and pupil',
  meeting: 'Meetings',
  action: 'Actions',
  contact: 'Calls, emails and notes',
  agency: 'Agencies and referrals',
  document: 'Documents',
  passport: 'Passports',
  provision: 'Provision',
};

export function categoryLabel(category: string): string {
  return CATEGORY_LABELS[category] ?? category.charAt(0).toUpperCase() + category.slice(1).replace(/[-_]/g, ' ');
}

export interface TimelineFilter {
  /** Categories to show; empty shows every category. */
  categories: string[];
  from?: string;
  to?: string;
}

/** Newest first: by date, then by when it was recorded, then by title so the order never wobbles. */
export function compareEvents(a: ChronologyEvent, b: ChronologyEvent): number {
  if (a.date !== b.date) return a.date < b.date ? 1 : -1;
  if (a.recordedAt !== b.recordedAt) return a.recordedAt < b.recordedAt ? 1 : -1;
  return a.title.localeCompare(b.title, 'en-GB');
}

/** Every source's events in one list, filtered and newest first. */
export function mergeTimeline(sources: ReadonlyArray<readonly ChronologyEvent[]>, filter: TimelineFilter): ChronologyEvent[] {
  const wanted = new Set(filter.categories);
  return sources
    .flat()
    .filter((event) => (wanted.size === 0 || wanted.has(event.category)) && (!filter.from || event.date >= filter.from) && (!filter.to || event.date <= filter.to))
    .sort(compareEvents);
}

/** The categories to offer as filters: the known ones first, then any a feature added, in name order. */
export function categoriesOffered(events: readonly ChronologyEvent[]): string[] {
  const known = Object.keys(CATEGORY_LABELS);
  const extra = [...new Set(events.map((event) => event.category))].filter((category) => !known.includes(category)).sort();
  return [...known, ...extra];
}

/** One page of a list, with the page number kept in range. */
export function pageOf<T>(items: readonly T[], page: number, size: number): { items: T[]; page: number; pageCount: number; total: number } {
  const pageCount = Math.max(1, Math.ceil(items.length / size));
  const current = Math.min(Math.max(1, Math.floor(page) || 1), pageCount);
  return { items: items.slice((current - 1) * size, current * size), page: current, pageCount, total: items.length };
}
