// The chronology: meetings with the actions agreed at them, each member of staff's task list, logged
// phone calls, emails, agency involvement and referrals, one timeline per child that merges every
// feature's events, and the count of meetings with parents of pupils on SEN support (CoP 6.65).
// Pupils' names and SEN history come from the register, staff from the auth service; every write
// commits with its audit event, and every page that shows a pupil's records is audited.
import * as auth from '../../platform/auth/service.ts';
import type { AppContext, ChildSummaryRow, ChronologyEvent, ChronologySource } from '../../platform/context.ts';
import { formatDate, schoolToday } from '../../platform/dates.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { can, roleMay, type Actor, type Role } from '../../platform/permissions.ts';
import type { SchoolScope } from '../../platform/scope.ts';
import { PROVISION_LABELS, isProvision, yearGroupLabel } from '../register/census.ts';
import * as registerRepository from '../register/repository.ts';
import * as register from '../register/service.ts';
import * as repository from './repository.ts';
import { actionDeadline, categoriesOffered, categoryLabel, countParentMeetings, mergeTimeline, pageOf, schoolYearOf, type TimelineFilter } from './rules.ts';
import {
  AGENCIES,
  OTHER_AGENCY,
  ENTRY_CATEGORY,
  ENTRY_KIND_LABELS,
  MEETING_KIND_LABELS,
  checkEntry,
  checkMeeting,
  isOneOf,
  ENTRY_KINDS,
  MEETING_KINDS,
  type EntryInput,
  type MeetingInput,
} from './validation.ts';
import { scopeOf } from '../../platform/scope.ts';
import { auditAs } from '../../platform/audit/audit-log.ts';

function pupilResource(actor: Actor, pupilId: string) {
  return { kind: 'pupil' as const, schoolId: actor.schoolId, pupilId };
}

/** Internal meetings (parents not there) are for staff who may read the whole chronology, never for parents. */
export function seesInternalMeetings(actor: Actor): boolean {
  return roleMay(actor.role, 'chronology.view');
}

/** The SENCO and SEN administrator may see everyone's actions and tick them off for them. */
export function managesActions(actor: Actor): boolean {
  return roleMay(actor.role, 'chronology.record');
}

export function meetingKindLabel(kind: string): string {
  return isOneOf(MEETING_KINDS, kind) ? MEETING_KIND_LABELS[kind] : kind;
}

export function entryKindLabel(kind: string): string {
  return isOneOf(ENTRY_KINDS, kind) ? ENTRY_KIND_LABELS[kind] : kind;
}

async function pupilExists(ctx: AppContext, scope: SchoolScope, pupilId: string) {
  const fact = (await register.pupilFacts(ctx, scope, [pupilId])).get(pupilId);
  if (!fact) throw new NotFoundError('No pupil with that reference in this school');
  return fact;
}

// Staff who can own an action: everyone with a task list ------------------------------------------

const STAFF_ROLES: Role[] = ['senco', 'sen_admin', 'teacher', 'teaching_assistant', 'leader'];

export interface StaffChoice {
  userId: string;
  displayName: string;
  role: string;
}

export async function listStaffChoices(ctx: AppContext, actor: Actor): Promise<StaffChoice[]> {
  const { people } = await auth.listSchoolPeople(ctx, actor.schoolId, { roles: STAFF_ROLES, limit: 5000, offset: 0 });
  return people.filter((person) => !person.disabledAt).map((person) => ({ userId: person.userId, displayName: person.displayName, role: person.role }));
}

// Meetings -----------------------------------------------------------------------------------------

export interface ActionView {
  id: string;
  pupilId: string;
  meetingId: string | null;
  description: string;
  ownerUserId: string;
  ownerName: string;
  dueOn: string;
  doneAt: string | null;
  doneByName: string | null;
  createdAt: string;
  deadline: string;
  state: string;
}

function actionView(row: repository.ActionWithNames, today: string): ActionView {
  const deadline = actionDeadline(row.due_on, row.done_at, today);
  return {
    id: row.id, pupilId: row.pupil_id, meetingId: row.meeting_id, description: row.description, ownerUserId: row.owner_user_id, ownerName: row.owner_name ?? 'A former member of staff',
    dueOn: row.due_on, doneAt: row.done_at, doneByName: row.done_by_name, createdAt: row.created_at, deadline: deadline.text, state: deadline.state,
  };
}

export interface MeetingView {
  id: string;
  pupilId: string;
  heldOn: string;
  kind: string;
  kindLabel: string;
  withParents: boolean;
  attendees: string;
  notes: string;
  cycle: { id: string; number: number } | null;
  recordedBy: string | null;
  createdAt: string;
  updatedAt: string;
  actions: ActionView[];
}

type CycleRow = Awaited<ReturnType<typeof repository.listCyclesOfPupil>>[number];

function meetingView(row: repository.MeetingRow, actions: ActionView[], cycles: ReadonlyMap<string, CycleRow>, names: ReadonlyMap<string, string>): MeetingView {
  const cycle = row.cycle_id ? cycles.get(row.cycle_id) : undefined;
  return {
    id: row.id, pupilId: row.pupil_id, heldOn: row.held_on, kind: row.kind, kindLabel: meetingKindLabel(row.kind), withParents: row.with_parents === 1,
    attendees: row.attendees, notes: row.notes, cycle: cycle ? { id: cycle.id, number: cycle.number } : null,
    recordedBy: row.created_by ? (names.get(row.created_by) ?? null) : null, createdAt: row.created_at, updatedAt: row.updated_at,
    actions: actions.filter((action) => action.meetingId === row.id),
  };
}

/** A pupil's meetings as the actor may see them, and all the pupil's actions (the timeline shows those done outside meetings too). */
async function meetingsOf(ctx: AppContext, actor: Actor, pupilId: string): Promise<{ meetings: MeetingView[]; actionRows: repository.ActionWithNames[] }> {
  const scope = scopeOf(actor);
  const today = schoolToday();
  const [rows, actionRows, cycles] = await Promise.all([
    repository.listMeetingsOfPupil(ctx.db, scope, pupilId, { withParentsOnly: !seesInternalMeetings(actor) }),
    repository.listActionsOfPupil(ctx.db, scope, pupilId),
    repository.listCyclesOfPupil(ctx.db, scope, pupilId),
  ]);
  const names = await repository.userNames(ctx.db, rows.map((row) => row.created_by ?? ''));
  const actions = actionRows.map((row) => actionView(row, today));
  const cycleMap = new Map(cycles.map((cycle) => [cycle.id, cycle]));
  return { meetings: rows.map((row) => meetingView(row, actions, cycleMap, names)), actionRows };
}

/** The Meetings tab: staff see every meeting; parents see the meetings they took part in. */
export async function getPupilMeetings(ctx: AppContext, actor: Actor, pupilId: string, ip: string) {
  const summary = await register.getPupilSummary(ctx, actor, pupilId, ip, 'meetings');
  const { meetings } = await meetingsOf(ctx, actor, pupilId);
  const count = countParentMeetings(meetings.map((meeting) => ({ heldOn: meeting.heldOn, withParents: meeting.withParents })), schoolToday());
  return {
    ...summary,
    meetings,
    parentMeetings: count,
    schoolYear: schoolYearOf(schoolToday()),
    canRecord: can(actor, 'chronology.record', pupilResource(actor, pupilId)),
    internalShown: seesInternalMeetings(actor),
  };
}

export async function getMeeting(ctx: AppContext, actor: Actor, pupilId: string, meetingId: string, ip: string) {
  const scope = scopeOf(actor);
  const row = await repository.findMeeting(ctx.db, scope, meetingId);
  if (!row || row.pupil_id !== pupilId || (row.with_parents !== 1 && !seesInternalMeetings(actor))) throw new NotFoundError('No meeting with that reference for this pupil');
  const summary = await register.getPupilSummary(ctx, actor, pupilId, ip, 'meeting', { meetingId });
  const today = schoolToday();
  const [actionRows, cycles, names] = await Promise.all([
    repository.listActionsOfMeeting(ctx.db, scope, meetingId),
    repository.listCyclesOfPupil(ctx.db, scope, pupilId),
    repository.userNames(ctx.db, [row.created_by ?? '']),
  ]);
  const meeting = meetingView(row, actionRows.map((action) => actionView(action, today)), new Map(cycles.map((cycle) => [cycle.id, cycle])), names);
  return { ...summary, meeting, canRecord: can(actor, 'chronology.record', pupilResource(actor, pupilId)) };
}

/** What the meeting form offers: staff to own actions, and the pupil's plan cycles. */
export async function getMeetingForm(ctx: AppContext, actor: Actor, pupilId: string, ip: string, meetingId?: string) {
  const scope = scopeOf(actor);
  let existing: { meeting: repository.MeetingRow; actions: repository.ActionWithNames[] } | undefined;
  if (meetingId) {
    const meeting = await repository.findMeeting(ctx.db, scope, meetingId);
    if (!meeting || meeting.pupil_id !== pupilId) throw new NotFoundError('No meeting with that reference for this pupil');
    existing = { meeting, actions: await repository.listActionsOfMeeting(ctx.db, scope, meetingId) };
  }
  const summary = await register.getPupilSummary(ctx, actor, pupilId, ip, meetingId ? 'meeting-edit' : 'meeting-form', meetingId ? { meetingId } : {});
  const [staff, cycles] = await Promise.all([listStaffChoices(ctx, actor), repository.listCyclesOfPupil(ctx.db, scope, pupilId)]);
  // An action's owner who has since left still shows on the form, so saving keeps them.
  for (const action of existing?.actions ?? []) {
    if (!staff.some((person) => person.userId === action.owner_user_id)) staff.push({ userId: action.owner_user_id, displayName: action.owner_name ?? 'A former member of staff', role: '' });
  }
  const today = schoolToday();
  return { ...summary, staff, cycles, existing: existing ? { meeting: existing.meeting, actions: existing.actions.map((action) => actionView(action, today)) } : undefined };
}

/** The form's values for an existing meeting: its open actions are editable, done ones are kept as they are. */
export function meetingInput(meeting: repository.MeetingRow, actions: ActionView[]): MeetingInput {
  return {
    heldOn: meeting.held_on, kind: meeting.kind, withParents: meeting.with_parents === 1 ? 'yes' : 'no', attendees: meeting.attendees, notes: meeting.notes, cycleId: meeting.cycle_id ?? '',
    actions: actions.filter((action) => !action.doneAt).map((action) => ({ id: action.id, description: action.description, ownerUserId: action.ownerUserId, dueOn: action.dueOn })),
  };
}

async function meetingContext(ctx: AppContext, actor: Actor, pupilId: string, extraOwners: string[] = []) {
  const scope = scopeOf(actor);
  const [staff, cycles] = await Promise.all([listStaffChoices(ctx, actor), repository.listCyclesOfPupil(ctx.db, scope, pupilId)]);
  return { today: schoolToday(), staffIds: new Set([...staff.map((person) => person.userId), ...extraOwners]), cycleIds: new Set(cycles.map((cycle) => cycle.id)) };
}

export async function recordMeeting(ctx: AppContext, actor: Actor, pupilId: string, input: MeetingInput, ip: string | null): Promise<string> {
  if (!can(actor, 'chronology.record', pupilResource(actor, pupilId))) throw new ForbiddenError();
  const scope = scopeOf(actor);
  await pupilExists(ctx, scope, pupilId);
  const { details, problems } = checkMeeting(input, await meetingContext(ctx, actor, pupilId));
  if (!details) throw new ValidationError(problems);
  const id = newId();
  const now = new Date().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    await repository.insertMeeting(trx, scope, {
      id, pupil_id: pupilId, held_on: details.heldOn, kind: details.kind, with_parents: details.withParents ? 1 : 0, attendees: details.attendees, notes: details.notes,
      cycle_id: details.cycleId, created_by: actor.userId, created_at: now, updated_at: now,
    });
    await repository.insertActions(trx, scope, details.actions.map((action) => ({
      id: newId(), pupil_id: pupilId, meeting_id: id, description: action.description, owner_user_id: action.ownerUserId, due_on: action.dueOn,
      done_at: null, done_by: null, created_by: actor.userId, created_at: now,
    })));
    await ctx.audit.record(trx, { ...auditAs(actor, ip)('meeting.recorded', { meetingId: id, kind: details.kind, heldOn: details.heldOn, withParents: details.withParents, actions: details.actions.length }, pupilId), at: now });
  });
  return id;
}

export async function updateMeeting(ctx: AppContext, actor: Actor, pupilId: string, meetingId: string, input: MeetingInput, ip: string | null): Promise<void> {
  if (!can(actor, 'chronology.record', pupilResource(actor, pupilId))) throw new ForbiddenError();
  const scope = scopeOf(actor);
  const meeting = await repository.findMeeting(ctx.db, scope, meetingId);
  if (!meeting || meeting.pupil_id !== pupilId) throw new NotFoundError('No meeting with that reference for this pupil');
  const existing = await repository.listActionsOfMeeting(ctx.db, scope, meetingId);
  const open = new Map(existing.filter((action) => !action.done_at).map((action) => [action.id, action]));
  // Only this meeting's open actions can be changed; an id from anywhere else starts a new action.
  const rows = input.actions.map((action) => (action.id && !open.has(action.id) ? { ...action, id: '' } : action));
  const { details, problems } = checkMeeting({ ...input, actions: rows }, await meetingContext(ctx, actor, pupilId, existing.map((action) => action.owner_user_id)));
  if (!details) throw new ValidationError(problems);
  const now = new Date().toISOString();
  const kept = new Set(details.actions.filter((action) => action.id).map((action) => action.id));
  const removed = [...open.keys()].filter((id) => !kept.has(id));
  const added = details.actions.filter((action) => !action.id);
  const changed = details.actions.filter((action) => {
    const before = action.id ? open.get(action.id) : undefined;
    return before && (before.description !== action.description || before.owner_user_id !== action.ownerUserId || before.due_on !== action.dueOn);
  });
  await ctx.db.transaction().execute(async (trx) => {
    await repository.updateMeeting(trx, scope, meetingId, {
      held_on: details.heldOn, kind: details.kind, with_parents: details.withParents ? 1 : 0, attendees: details.attendees, notes: details.notes, cycle_id: details.cycleId, updated_at: now,
    });
    for (const action of changed) await repository.updateAction(trx, scope, action.id, { description: action.description, owner_user_id: action.ownerUserId, due_on: action.dueOn });
    await repository.deleteActions(trx, scope, removed);
    await repository.insertActions(trx, scope, added.map((action) => ({
      id: newId(), pupil_id: pupilId, meeting_id: meetingId, description: action.description, owner_user_id: action.ownerUserId, due_on: action.dueOn,
      done_at: null, done_by: null, created_by: actor.userId, created_at: now,
    })));
    await ctx.audit.record(trx, { ...auditAs(actor, ip)('meeting.updated', { meetingId, kind: details.kind, heldOn: details.heldOn, withParents: details.withParents, actionsAdded: added.length, actionsChanged: changed.length, actionsRemoved: removed.length }, pupilId), at: now });
  });
}

// Tasks: actions assigned to staff -----------------------------------------------------------------

export const TASKS_PAGE_SIZE = 25;

export interface TaskQuery {
  show: 'open' | 'done';
  /** Everyone's actions (the SENCO and SEN administrator only). */
  everyone: boolean;
  page: number;
  /** Default TASKS_PAGE_SIZE: the Today page asks for the few most urgent. */
  pageSize?: number;
}

export async function getTasks(ctx: AppContext, actor: Actor, query: TaskQuery, ip: string) {
  const scope = scopeOf(actor);
  const everyone = query.everyone && managesActions(actor);
  const owner = everyone ? undefined : actor.userId;
  const today = schoolToday();
  const [openCount, doneCount, overdueCount] = await Promise.all([
    repository.countTasks(ctx.db, scope, { ownerUserId: owner, done: false }),
    repository.countTasks(ctx.db, scope, { ownerUserId: owner, done: true }),
    repository.countOpenTasksDueBy(ctx.db, scope, { ownerUserId: owner, dueBy: previousDay(today) }),
  ]);
  const total = query.show === 'done' ? doneCount : openCount;
  const size = Math.max(1, query.pageSize ?? TASKS_PAGE_SIZE);
  const pageCount = Math.max(1, Math.ceil(total / size));
  const page = Math.min(Math.max(1, query.page), pageCount);
  const rows = await repository.listTasks(ctx.db, scope, { ownerUserId: owner, done: query.show === 'done' }, { limit: size, offset: (page - 1) * size });
  const [facts, meetings] = await Promise.all([
    register.pupilFacts(ctx, scope, rows.map((row) => row.pupil_id)),
    repository.listMeetingsByIds(ctx.db, scope, rows.map((row) => row.meeting_id).filter((id): id is string => Boolean(id))),
  ]);
  const meetingById = new Map(meetings.map((meeting) => [meeting.id, meeting]));
  const tasks = rows.map((row) => {
    const action = actionView(row, today);
    const fact = facts.get(row.pupil_id);
    const meeting = row.meeting_id ? meetingById.get(row.meeting_id) : undefined;
    const resource = pupilResource(actor, row.pupil_id);
    const meetingVisible = meeting && can(actor, 'meetings.view', resource) && (meeting.with_parents === 1 || seesInternalMeetings(actor));
    return {
      ...action,
      pupil: { name: fact?.name ?? 'A pupil no longer on the register', yearGroup: fact ? yearGroupLabel(fact.yearGroup) : '', href: fact && can(actor, 'pupil.view', resource) ? `/pupils/${row.pupil_id}` : undefined },
      meeting: meeting ? { text: `${meetingKindLabel(meeting.kind)} on`, heldOn: meeting.held_on, href: meetingVisible ? `/pupils/${row.pupil_id}/meetings/${meeting.id}` : undefined } : undefined,
      mine: row.owner_user_id === actor.userId,
      canTick: row.owner_user_id === actor.userId || managesActions(actor),
    };
  });
  if (tasks.length) ctx.audit.recordRead(auditAs(actor, ip)('tasks.viewed', { show: query.show, everyone, pupils: [...new Set(rows.map((row) => row.pupil_id))] }));
  return { tasks, show: query.show, everyone, canSeeEveryone: managesActions(actor), openCount, doneCount, overdueCount, page, pageCount, total };
}

function previousDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

export async function setActionDone(ctx: AppContext, actor: Actor, actionId: string, done: boolean, ip: string | null): Promise<{ description: string }> {
  const scope = scopeOf(actor);
  const action = await repository.findAction(ctx.db, scope, actionId);
  if (!action) throw new NotFoundError('No action with that reference in this school');
  if (action.owner_user_id !== actor.userId && !managesActions(actor)) throw new ForbiddenError('Only the person the action is for, or the SENCO, can mark it done');
  if (Boolean(action.done_at) === done) return { description: action.description };
  const now = new Date().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    await repository.updateAction(trx, scope, actionId, done ? { done_at: now, done_by: actor.userId } : { done_at: null, done_by: null });
    await ctx.audit.record(trx, { ...auditAs(actor, ip)(done ? 'action.done' : 'action.reopened', { actionId, meetingId: action.meeting_id, owner: action.owner_user_id }, action.pupil_id), at: now });
  });
  return { description: action.description };
}

// Logged contacts and agency work ------------------------------------------------------------------

export async function recordEntry(ctx: AppContext, actor: Actor, pupilId: string, input: EntryInput, ip: string | null): Promise<string> {
  if (!can(actor, 'chronology.record', pupilResource(actor, pupilId))) throw new ForbiddenError();
  const scope = scopeOf(actor);
  await pupilExists(ctx, scope, pupilId);
  const { details, problems } = checkEntry(input, schoolToday());
  if (!details) throw new ValidationError(problems);
  const id = newId();
  const now = new Date().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    await repository.insertEntries(trx, scope, [{ id, pupil_id: pupilId, kind: details.kind, occurred_on: details.occurredOn, agency: details.agency, summary: details.summary, details: details.details, created_by: actor.userId, created_at: now }]);
    await ctx.audit.record(trx, { ...auditAs(actor, ip)('chronology.entry-recorded', { entryId: id, kind: details.kind, occurredOn: details.occurredOn, agency: details.agency }, pupilId), at: now });
  });
  return id;
}

async function entryOfPupil(ctx: AppContext, actor: Actor, pupilId: string, entryId: string) {
  const entry = await repository.findEntry(ctx.db, scopeOf(actor), entryId);
  if (!entry || entry.pupil_id !== pupilId) throw new NotFoundError('No chronology entry with that reference for this pupil');
  return entry;
}

/** The form for a call, email, note, agency involvement or referral; with an entry, to change it. */
export async function getEntryForm(ctx: AppContext, actor: Actor, pupilId: string, ip: string, entryId?: string) {
  if (!can(actor, 'chronology.record', pupilResource(actor, pupilId))) throw new ForbiddenError();
  const existing = entryId ? await entryOfPupil(ctx, actor, pupilId, entryId) : undefined;
  const summary = await register.getPupilSummary(ctx, actor, pupilId, ip, entryId ? 'chronology-entry-edit' : 'chronology-entry-form', entryId ? { entryId } : {});
  return { ...summary, existing };
}

/** The form's values for a saved entry: an agency not in the list is "another agency" with its name. */
export function entryInput(entry: Pick<repository.EntryRow, 'kind' | 'occurred_on' | 'agency' | 'summary' | 'details'>): EntryInput {
  const listed = entry.agency !== null && isOneOf(AGENCIES, entry.agency);
  return {
    kind: entry.kind, occurredOn: entry.occurred_on, agency: entry.agency === null ? '' : listed ? entry.agency : OTHER_AGENCY, otherAgency: entry.agency !== null && !listed ? entry.agency : '',
    summary: entry.summary, details: entry.details ?? '',
  };
}

const ENTRY_FIELDS = [['kind', 'kind'], ['occurredOn', 'occurred_on'], ['agency', 'agency'], ['summary', 'summary'], ['details', 'details']] as const;

/**
 * Corrects a logged entry with the same checks as recording one. The audit event keeps the before and
 * after of each changed field. Returns false (and writes nothing) when nothing changed.
 */
export async function updateEntry(ctx: AppContext, actor: Actor, pupilId: string, entryId: string, input: EntryInput, ip: string | null): Promise<boolean> {
  if (!can(actor, 'chronology.record', pupilResource(actor, pupilId))) throw new ForbiddenError();
  const scope = scopeOf(actor);
  const before = await entryOfPupil(ctx, actor, pupilId, entryId);
  const { details, problems } = checkEntry(input, schoolToday());
  if (!details) throw new ValidationError(problems);
  const changes: Record<string, { before: unknown; after: unknown }> = {};
  const row = { kind: details.kind, occurred_on: details.occurredOn, agency: details.agency, summary: details.summary, details: details.details };
  for (const [name, column] of ENTRY_FIELDS) if (before[column] !== row[column]) changes[name] = { before: before[column], after: row[column] };
  if (Object.keys(changes).length === 0) return false;
  const now = new Date().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    await repository.updateEntry(trx, scope, entryId, { ...row, updated_by: actor.userId, updated_at: now });
    await ctx.audit.record(trx, { ...auditAs(actor, ip)('chronology.entry-changed', { entryId, kind: details.kind, changes }, pupilId), at: now });
  });
  return true;
}

/** The page that asks "Are you sure?" before removing an entry. */
export async function getEntryRemoval(ctx: AppContext, actor: Actor, pupilId: string, entryId: string, ip: string) {
  if (!can(actor, 'chronology.record', pupilResource(actor, pupilId))) throw new ForbiddenError();
  const entry = await entryOfPupil(ctx, actor, pupilId, entryId);
  const summary = await register.getPupilSummary(ctx, actor, pupilId, ip, 'chronology-entry-remove', { entryId });
  return { ...summary, entry: { ...entry, title: entryTitle(entry), kindLabel: entryKindLabel(entry.kind) } };
}

/** Removes an entry recorded by mistake: the row is kept (removed_at/removed_by) and hidden from the timeline. */
export async function removeEntry(ctx: AppContext, actor: Actor, pupilId: string, entryId: string, ip: string | null): Promise<{ title: string }> {
  if (!can(actor, 'chronology.record', pupilResource(actor, pupilId))) throw new ForbiddenError();
  const scope = scopeOf(actor);
  const entry = await entryOfPupil(ctx, actor, pupilId, entryId);
  const now = new Date().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    if (!(await repository.removeEntry(trx, scope, entryId, actor.userId, now))) throw new NotFoundError('No chronology entry with that reference for this pupil');
    await ctx.audit.record(trx, { ...auditAs(actor, ip)('chronology.entry-removed', { entryId, kind: entry.kind, occurredOn: entry.occurred_on, agency: entry.agency, summary: entry.summary }, pupilId), at: now });
  });
  return { title: entryTitle(entry) };
}

// The timeline -------------------------------------------------------------------------------------

function provisionLabel(code: string | null): string {
  if (!code) return 'none';
  return isProvision(code) ? PROVISION_LABELS[code] : code;
}

function needsText(json: string): string {
  try {
    const needs = JSON.parse(json) as Array<{ need: string; rank: number }>;
    return needs.length ? [...needs].sort((a, b) => a.rank - b.rank).map((entry) => entry.need).join(', ') : 'none';
  } catch {
    return 'none';
  }
}

/** SEN status changes, from the register. */
async function senEvents(ctx: AppContext, actor: Actor, pupilId: string): Promise<ChronologyEvent[]> {
  const changes = await registerRepository.listSenChanges(ctx.db, scopeOf(actor), pupilId);
  return changes.map((change) => {
    const detail = [`${provisionLabel(change.provision_before)} → ${provisionLabel(change.provision_after)}`];
    const before = needsText(change.needs_before);
    const after = needsText(change.needs_after);
    if (before !== after) detail.push(`Needs: ${before} → ${after}`);
    if (change.reason) detail.push(`Reason: ${change.reason}`);
    return {
      date: change.effective_date, recordedAt: change.recorded_at, category: 'sen', title: register.SEN_CHANGE_LABELS[change.kind] ?? change.kind, detail,
      by: change.recorded_by_name ?? (change.source.startsWith('import') ? 'an import' : null), href: `/pupils/${pupilId}/sen`,
    };
  });
}

function excerpt(text: string, length = 400): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > length ? `${flat.slice(0, length - 1).trimEnd()}…` : flat;
}

/** Meetings with the actions agreed at them, and actions as they are done. */
async function meetingEvents(ctx: AppContext, actor: Actor, pupilId: string): Promise<ChronologyEvent[]> {
  const { meetings, actionRows } = await meetingsOf(ctx, actor, pupilId);
  const events: ChronologyEvent[] = [];
  for (const meeting of meetings) {
    const detail = [`Attended: ${meeting.attendees}`, meeting.withParents ? 'Parents took part' : 'Parents did not take part', excerpt(meeting.notes)];
    if (meeting.cycle) detail.push(`Plan ${meeting.cycle.number}`);
    for (const action of meeting.actions) detail.push(`Action: ${action.description} (${action.ownerName}, due ${formatDate(action.dueOn)}${action.doneAt ? ', done' : ''})`);
    events.push({ date: meeting.heldOn, recordedAt: meeting.createdAt, category: 'meeting', title: meeting.kindLabel, detail, by: meeting.recordedBy, href: `/pupils/${pupilId}/meetings/${meeting.id}` });
  }
  const visibleMeetings = new Set(meetings.map((meeting) => meeting.id));
  for (const row of actionRows) {
    if (row.meeting_id && !visibleMeetings.has(row.meeting_id)) continue;
    const href = row.meeting_id ? `/pupils/${pupilId}/meetings/${row.meeting_id}` : undefined;
    if (!row.meeting_id) {
      events.push({ date: row.created_at.slice(0, 10), recordedAt: row.created_at, category: 'action', title: 'Action agreed', detail: [row.description, `For ${row.owner_name ?? 'a former member of staff'}, due ${formatDate(row.due_on)}`] });
    }
    if (row.done_at) {
      const forSomeoneElse = row.done_by !== row.owner_user_id ? [`For ${row.owner_name ?? 'a former member of staff'}`] : [];
      events.push({ date: schoolToday(new Date(row.done_at)), recordedAt: row.done_at, category: 'action', title: 'Action done', detail: [row.description, ...forSomeoneElse], by: row.done_by_name, ...(href ? { href } : {}) });
    }
  }
  return events;
}

function entryTitle(entry: { kind: string; agency: string | null }): string {
  if (entry.kind === 'referral') return `Referral${entry.agency ? ` to ${entry.agency}` : ''}`;
  if (entry.kind === 'agency') return `Agency involvement${entry.agency ? `: ${entry.agency}` : ''}`;
  return `${entryKindLabel(entry.kind)}${entry.agency ? ` (${entry.agency})` : ''}`;
}

/** A timeline event of the chronology's own: logged entries say when they were corrected, and may be changed. */
export interface TimelineEvent extends ChronologyEvent {
  changed?: { on: string; by: string | null };
  changeHref?: string;
  removeHref?: string;
}

/** Phone calls, emails, notes, agency involvement and referrals. */
async function entryEvents(ctx: AppContext, actor: Actor, pupilId: string): Promise<TimelineEvent[]> {
  const entries = await repository.listEntriesOfPupil(ctx.db, scopeOf(actor), pupilId);
  const mayChange = can(actor, 'chronology.record', pupilResource(actor, pupilId));
  return entries.map((entry) => {
    const kind = isOneOf(ENTRY_KINDS, entry.kind) ? entry.kind : 'note';
    const base = `/pupils/${pupilId}/chronology/entries/${entry.id}`;
    return {
      date: entry.occurred_on, recordedAt: entry.created_at, category: ENTRY_CATEGORY[kind], title: entryTitle(entry), detail: [entry.summary, ...(entry.details ? [entry.details] : [])], by: entry.created_by_name,
      ...(entry.updated_at ? { changed: { on: schoolToday(new Date(entry.updated_at)), by: entry.updated_by_name } } : {}),
      ...(mayChange ? { changeHref: `${base}/edit`, removeHref: `${base}/remove` } : {}),
    };
  });
}

export const TIMELINE_PAGE_SIZE = 25;

export interface ChronologyQuery extends TimelineFilter {
  page: number;
}

/** Every source, mine and other features': one failing source leaves a warning, not an empty page. */
async function collectEvents(ctx: AppContext, actor: Actor, pupilId: string, onError: (error: unknown) => void) {
  const own: ChronologySource[] = [(a, p) => senEvents(ctx, a, p), (a, p) => meetingEvents(ctx, a, p), (a, p) => entryEvents(ctx, a, p)];
  const results = await Promise.allSettled([...own, ...(ctx.chronologySources ?? [])].map((source) => source(actor, pupilId)));
  const lists: ChronologyEvent[][] = [];
  let failed = 0;
  for (const result of results) {
    if (result.status === 'fulfilled') lists.push(result.value);
    else {
      failed += 1;
      onError(result.reason);
    }
  }
  return { lists, failed };
}

export async function getChronology(ctx: AppContext, actor: Actor, pupilId: string, query: ChronologyQuery, ip: string, options: { all?: boolean; onError?: (error: unknown) => void } = {}) {
  if (!can(actor, 'chronology.view', pupilResource(actor, pupilId))) throw new ForbiddenError();
  const summary = await register.getPupilSummary(ctx, actor, pupilId, ip, options.all ? 'chronology-print' : 'chronology');
  const { lists, failed } = await collectEvents(ctx, actor, pupilId, options.onError ?? (() => undefined));
  const everything = lists.flat();
  const matching = mergeTimeline(lists, query);
  const shown = options.all ? { items: matching, page: 1, pageCount: 1, total: matching.length } : pageOf(matching, query.page, TIMELINE_PAGE_SIZE);
  const counts = new Map<string, number>();
  for (const event of everything) counts.set(event.category, (counts.get(event.category) ?? 0) + 1);
  return {
    ...summary,
    events: shown.items.map((event) => ({ ...event, categoryLabel: categoryLabel(event.category) })),
    page: shown.page,
    pageCount: shown.pageCount,
    total: shown.total,
    everythingCount: everything.length,
    failedSources: failed,
    categories: categoriesOffered(everything).map((category) => ({ value: category, text: categoryLabel(category), count: counts.get(category) ?? 0 })),
    canRecord: can(actor, 'chronology.record', pupilResource(actor, pupilId)),
  };
}

// Three meetings a year with parents of pupils on SEN support (CoP 6.65) --------------------------------

export const PARENT_MEETING_SORTS = ['count', 'name', 'year', 'last'] as const;
export type ParentMeetingSort = (typeof PARENT_MEETING_SORTS)[number];

export interface ParentMeetingQuery {
  yearGroup: number | null;
  sort: ParentMeetingSort;
  direction: 'asc' | 'desc';
  page: number;
  /** Default PARENT_MEETINGS_PAGE_SIZE; 0 for the counts alone (the Today page). */
  pageSize?: number;
}

export const PARENT_MEETINGS_PAGE_SIZE = 50;
const COLLATOR = new Intl.Collator('en-GB', { numeric: true, sensitivity: 'base' });

export async function getParentMeetings(ctx: AppContext, actor: Actor, query: ParentMeetingQuery, ip: string, today = schoolToday()) {
  const scope = scopeOf(actor);
  const year = schoolYearOf(today);
  const filters = { terms: [], provisions: ['K'], needs: [], primaryNeeds: [], yearGroups: [] as number[], flags: [] };
  const [pupils, days, yearGroups] = await Promise.all([
    registerRepository.listRegisterAll(ctx.db, scope, filters, 'name', 'asc'),
    repository.listParentMeetingDays(ctx.db, scope, today),
    registerRepository.listYearGroups(ctx.db, scope),
  ]);
  const byPupil = new Map<string, Array<{ heldOn: string; withParents: boolean }>>();
  for (const day of days) {
    const list = byPupil.get(day.pupilId) ?? [];
    list.push({ heldOn: day.heldOn, withParents: true });
    byPupil.set(day.pupilId, list);
  }
  const all = pupils.map((pupil) => ({
    pupilId: pupil.id,
    name: `${pupil.preferred_forename || pupil.legal_forename} ${pupil.legal_surname}`,
    sortName: `${pupil.legal_surname} ${pupil.legal_forename}`,
    yearGroup: pupil.year_group === null ? null : Number(pupil.year_group),
    registrationGroup: pupil.registration_group,
    ...countParentMeetings(byPupil.get(pupil.id) ?? [], today),
  }));
  const metCount = all.filter((row) => row.met).length;
  let short = all.filter((row) => !row.met);
  const shortBeforeFilter = short.length;
  if (query.yearGroup !== null) short = short.filter((row) => row.yearGroup === query.yearGroup);
  const sign = query.direction === 'desc' ? -1 : 1;
  const byName = (a: (typeof all)[number], b: (typeof all)[number]) => COLLATOR.compare(a.sortName, b.sortName);
  short.sort((a, b) => {
    let order = 0;
    if (query.sort === 'count') order = a.count - b.count || (a.lastMeeting ?? '').localeCompare(b.lastMeeting ?? '');
    else if (query.sort === 'year') order = (a.yearGroup ?? -99) - (b.yearGroup ?? -99);
    else if (query.sort === 'last') order = (a.lastMeeting ?? '').localeCompare(b.lastMeeting ?? '');
    return sign * order || byName(a, b);
  });
  const size = query.pageSize ?? PARENT_MEETINGS_PAGE_SIZE;
  const shown = size > 0 ? pageOf(short, query.page, size) : { items: [], page: 1, pageCount: 1, total: short.length };
  if (shown.items.length) ctx.audit.recordRead(auditAs(actor, ip)('parent-meetings.viewed', { pupils: shown.items.map((row) => row.pupilId) }));
  return {
    year,
    rows: shown.items,
    page: shown.page,
    pageCount: shown.pageCount,
    total: shown.total,
    supportCount: all.length,
    metCount,
    shortCount: shortBeforeFilter,
    yearGroups,
  };
}

// A parent's "My child" --------------------------------------------------------------------------------

/** For each of a parent's children: how many times the school has met them this school year (CoP 6.65 expects three for SEN support). */
export async function childSummaries(ctx: AppContext, actor: Actor, pupilIds: string[]): Promise<Map<string, ChildSummaryRow[]>> {
  const scope = scopeOf(actor);
  const today = schoolToday();
  const rows = new Map<string, ChildSummaryRow[]>();
  await Promise.all(pupilIds.map(async (pupilId) => {
    const meetings = await repository.listMeetingsOfPupil(ctx.db, scope, pupilId, { withParentsOnly: true });
    if (!meetings.length) return;
    const { count, lastMeeting } = countParentMeetings(meetings.map((meeting) => ({ heldOn: meeting.held_on, withParents: meeting.with_parents === 1 })), today);
    const times = count === 1 ? 'once' : count === 2 ? 'twice' : `${count} times`;
    rows.set(pupilId, [{
      key: 'Meetings with you',
      value: `${count === 0 ? 'None yet' : `Met ${times}`} this school year${lastMeeting ? `; last on ${formatDate(lastMeeting)}` : ''}`,
      href: `/pupils/${pupilId}/meetings`,
      linkText: 'Notes and actions',
    }]);
  }));
  return rows;
}
