// Today: the SENCO's and SEN administrator's home page. It draws on the other features' services
// (concerns to triage, reviews overdue and coming up, contributions awaited, my tasks, meetings with
// parents, uploads to confirm), all at once, and keeps only the few most urgent of each. Each service
// audits its own read, naming the pupils it returned; nothing here queries the database itself.
import { differenceInCalendarDays } from 'date-fns/differenceInCalendarDays';
import { parseISO } from 'date-fns/parseISO';
import type { AppContext } from '../../platform/context.ts';
import { describeDeadline, formatDate, schoolToday } from '../../platform/dates.ts';
import { ForbiddenError } from '../../platform/errors.ts';
import { roleMay, type Actor } from '../../platform/permissions.ts';
import * as chronology from '../chronology/service.ts';
import { MEETINGS_EXPECTED } from '../chronology/rules.ts';
import * as concerns from '../concerns/service.ts';
import * as imports from '../imports/service.ts';
import * as plans from '../plans/service.ts';
import * as voice from '../voice/service.ts';

/** How many of each list the page shows: enough to act on, short enough to take in at a glance. */
export const FEW = 5;

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** '2026-11-22' → 'Sunday 22 November 2026'. */
export function longDate(isoDate: string): string {
  const weekday = WEEKDAYS[new Date(`${isoDate}T12:00:00Z`).getUTCDay()];
  return weekday ? `${weekday} ${formatDate(isoDate)}` : formatDate(isoDate);
}

/** How long a concern has waited for triage: 'raised today', 'waiting 1 day', 'waiting 5 days'. */
export function waitingText(raisedOn: string, today: string): string {
  const days = Math.max(0, differenceInCalendarDays(parseISO(today), parseISO(raisedOn)));
  if (days === 0) return 'raised today';
  return `waiting ${days} ${days === 1 ? 'day' : 'days'}`;
}

/** 'concern' or 'concerns', for a count. */
export function pluralOf(count: number, singular: string, plural = `${singular}s`): string {
  return count === 1 ? singular : plural;
}

export interface TodayCard {
  count: number;
  label: string;
  href: string;
}

export interface ConcernItem {
  id: string;
  pupilName: string;
  yearGroup: number | null;
  raisedBy: string;
  raisedOn: string;
  area: string | null;
  waiting: string;
}

export interface ReviewItem {
  pupilId: string;
  pupilName: string;
  yearGroup: number | null;
  href: string;
  cycleNumber: number | null;
  reviewDueOn: string;
  deadline: string;
}

export interface TaskItem {
  id: string;
  description: string;
  pupilName: string;
  pupilHref: string | undefined;
  dueOn: string;
  deadline: string;
  state: string;
  canTick: boolean;
}

export interface TodayView {
  today: string;
  dateText: string;
  cards: TodayCard[];
  concerns?: { waiting: number; oldest: ConcernItem[] };
  reviews?: { overdue: number; dueSoon: number; noPlan: number; mostOverdue: ReviewItem[]; comingUp: ReviewItem[] };
  contributions?: { awaiting: number; expired: number };
  tasks?: { open: number; overdue: number; urgent: TaskItem[] };
  parentMeetings?: { short: number; support: number; yearLabel: string };
  uploads?: Array<{ id: string; filename: string; kindLabel: string; createdAt: string; readyToConfirm: boolean }>;
}

function reviewItem(row: plans.HubRow, today: string): ReviewItem {
  return {
    pupilId: row.pupilId,
    pupilName: row.name,
    yearGroup: row.yearGroup,
    href: row.cycleId ? `/pupils/${row.pupilId}/plans/${row.cycleId}` : `/pupils/${row.pupilId}/plans`,
    cycleNumber: row.cycleNumber,
    reviewDueOn: row.reviewDueOn ?? '',
    deadline: row.reviewDueOn ? describeDeadline(row.reviewDueOn, today) : '',
  };
}

async function concernsSection(ctx: AppContext, actor: Actor, ip: string, today: string): Promise<TodayView['concerns']> {
  if (!roleMay(actor.role, 'concern.triage')) return undefined;
  const list = await concerns.getTriageList(ctx, actor, { status: 'open', outcome: '', yearGroup: null, q: '', page: 1 }, ip);
  return {
    waiting: list.counts.open,
    oldest: list.concerns.slice(0, FEW).map((concern) => ({
      id: concern.id,
      pupilName: concern.pupilName,
      yearGroup: concern.yearGroup,
      raisedBy: concern.raisedBy,
      raisedOn: concern.raisedOn,
      area: concern.area,
      waiting: waitingText(concern.raisedOn, today),
    })),
  };
}

async function reviewsSection(ctx: AppContext, actor: Actor, ip: string, today: string): Promise<TodayView['reviews']> {
  if (!roleMay(actor.role, 'plans.overview')) return undefined;
  const top = await plans.getPlansHubTop(ctx, actor, FEW, ip, today);
  return {
    overdue: top.counts.overdue,
    dueSoon: top.counts['due-soon'],
    noPlan: top.counts['no-plan'],
    mostOverdue: top.overdue.map((row) => reviewItem(row, today)),
    comingUp: top.dueSoon.map((row) => reviewItem(row, today)),
  };
}

async function contributionsSection(ctx: AppContext, actor: Actor): Promise<TodayView['contributions']> {
  if (!roleMay(actor.role, 'contribution.request')) return undefined;
  return voice.outstandingCounts(ctx, actor);
}

async function tasksSection(ctx: AppContext, actor: Actor, ip: string): Promise<TodayView['tasks']> {
  if (!roleMay(actor.role, 'tasks.view')) return undefined;
  const tasks = await chronology.getTasks(ctx, actor, { show: 'open', everyone: false, page: 1, pageSize: FEW }, ip);
  return {
    open: tasks.openCount,
    overdue: tasks.overdueCount,
    // Overdue, due today and due in the next week; later ones wait on My tasks.
    urgent: tasks.tasks
      .filter((task) => task.state !== 'later')
      .map((task) => ({ id: task.id, description: task.description, pupilName: task.pupil.name, pupilHref: task.pupil.href, dueOn: task.dueOn, deadline: task.deadline, state: task.state, canTick: task.canTick })),
  };
}

async function parentMeetingsSection(ctx: AppContext, actor: Actor, ip: string): Promise<TodayView['parentMeetings']> {
  if (!roleMay(actor.role, 'plans.overview')) return undefined;
  const meetings = await chronology.getParentMeetings(ctx, actor, { yearGroup: null, sort: 'count', direction: 'asc', page: 1, pageSize: 0 }, ip);
  return { short: meetings.shortCount, support: meetings.supportCount, yearLabel: meetings.year.label };
}

async function uploadsSection(ctx: AppContext, actor: Actor, ip: string): Promise<TodayView['uploads']> {
  if (!roleMay(actor.role, 'import.run')) return undefined;
  const batches = await imports.listImports(ctx, { schoolId: actor.schoolId, userId: actor.userId, label: actor.displayName, ip });
  return batches
    .filter((batch) => batch.status === 'uploaded' || batch.status === 'previewed')
    .map((batch) => ({ id: batch.id, filename: batch.filename, kindLabel: batch.kindLabel, createdAt: batch.createdAt, readyToConfirm: batch.status === 'previewed' }));
}

/** Everything on the Today page, fetched in parallel. */
export async function getToday(ctx: AppContext, actor: Actor, ip: string): Promise<TodayView> {
  if (!roleMay(actor.role, 'today.view')) throw new ForbiddenError();
  const today = schoolToday();
  const [concernList, reviews, contributions, tasks, parentMeetings, uploads] = await Promise.all([
    concernsSection(ctx, actor, ip, today),
    reviewsSection(ctx, actor, ip, today),
    contributionsSection(ctx, actor),
    tasksSection(ctx, actor, ip),
    parentMeetingsSection(ctx, actor, ip),
    uploadsSection(ctx, actor, ip),
  ]);
  return { today, dateText: longDate(today), cards: cardsFor({ concerns: concernList, reviews, contributions, tasks, parentMeetings }), concerns: concernList, reviews, contributions, tasks, parentMeetings, uploads };
}

/** The counts at the top of the page, each linking to its full list. */
export function cardsFor(view: Pick<TodayView, 'concerns' | 'reviews' | 'contributions' | 'tasks' | 'parentMeetings'>): TodayCard[] {
  const cards: TodayCard[] = [];
  const { concerns: concernList, reviews, contributions, tasks, parentMeetings } = view;
  if (concernList) cards.push({ count: concernList.waiting, label: `${pluralOf(concernList.waiting, 'concern')} to triage`, href: '/concerns?status=open' });
  if (reviews) {
    cards.push({ count: reviews.overdue, label: `${pluralOf(reviews.overdue, 'review')} overdue`, href: '/plans?show=overdue' });
    cards.push({ count: reviews.dueSoon, label: `${pluralOf(reviews.dueSoon, 'review')} due in the next 6 weeks`, href: '/plans?show=due-soon' });
    cards.push({ count: reviews.noPlan, label: `${pluralOf(reviews.noPlan, 'pupil')} with SEN and no plan open`, href: '/plans?show=no-plan' });
  }
  if (contributions) {
    cards.push({ count: contributions.awaiting, label: `${pluralOf(contributions.awaiting, 'contribution')} awaited from parents and pupils`, href: '/plans/contributions?show=awaiting' });
    cards.push({ count: contributions.expired, label: `${pluralOf(contributions.expired, 'request')} expired without a reply`, href: '/plans/contributions?show=expired' });
  }
  if (tasks) cards.push({ count: tasks.overdue, label: `of your tasks ${tasks.overdue === 1 ? 'is' : 'are'} overdue`, href: '/tasks' });
  if (parentMeetings) cards.push({ count: parentMeetings.short, label: `${pluralOf(parentMeetings.short, 'pupil')} on SEN support met with parents fewer than ${MEETINGS_EXPECTED} times this year`, href: '/plans/parent-meetings' });
  return cards;
}
