// The only code that reads and writes the chronology's tables: meetings, the actions staff agreed
// (their task lists), and logged contacts and agency work. It also reads a pupil's plan cycles
// (support_cycles, owned by plans) to offer them on a meeting, and nothing else of other features.
// Every function takes the school scope and filters on it.
import type { DbOrTransaction } from '../../db/database.ts';
import type { ChronologyEntriesTable, PupilMeetingsTable, StaffActionsTable } from '../../db/schema.ts';
import type { SchoolScope } from '../../platform/scope.ts';

const SLICE = 500;

export type MeetingRow = Omit<PupilMeetingsTable, 'school_id'>;
export type ActionRow = Omit<StaffActionsTable, 'school_id'>;
/** A new entry: the correction and removal columns start empty. */
export type EntryRow = Omit<ChronologyEntriesTable, 'school_id' | 'updated_by' | 'updated_at' | 'removed_by' | 'removed_at'>;

function meetingRow(row: PupilMeetingsTable): MeetingRow {
  const { school_id: _school, ...rest } = row;
  return { ...rest, with_parents: Number(rest.with_parents) === 1 ? 1 : 0 };
}

// Meetings -----------------------------------------------------------------------------------------

export async function listMeetingsOfPupil(db: DbOrTransaction, scope: SchoolScope, pupilId: string, options: { withParentsOnly?: boolean } = {}): Promise<MeetingRow[]> {
  let query = db.selectFrom('pupil_meetings').selectAll().where('school_id', '=', scope.schoolId).where('pupil_id', '=', pupilId);
  if (options.withParentsOnly) query = query.where('with_parents', '=', 1);
  const rows = await query.orderBy('held_on', 'desc').orderBy('created_at', 'desc').orderBy('id').execute();
  return rows.map(meetingRow);
}

export async function findMeeting(db: DbOrTransaction, scope: SchoolScope, meetingId: string): Promise<MeetingRow | undefined> {
  const row = await db.selectFrom('pupil_meetings').selectAll().where('school_id', '=', scope.schoolId).where('id', '=', meetingId).executeTakeFirst();
  return row ? meetingRow(row) : undefined;
}

export async function listMeetingsByIds(db: DbOrTransaction, scope: SchoolScope, meetingIds: string[]): Promise<MeetingRow[]> {
  const ids = [...new Set(meetingIds)];
  const rows: MeetingRow[] = [];
  for (let start = 0; start < ids.length; start += SLICE) {
    const slice = await db.selectFrom('pupil_meetings').selectAll().where('school_id', '=', scope.schoolId).where('id', 'in', ids.slice(start, start + SLICE)).execute();
    rows.push(...slice.map(meetingRow));
  }
  return rows;
}

export async function insertMeeting(db: DbOrTransaction, scope: SchoolScope, row: MeetingRow): Promise<void> {
  await db.insertInto('pupil_meetings').values({ ...row, school_id: scope.schoolId }).execute();
}

export async function insertMeetings(db: DbOrTransaction, scope: SchoolScope, rows: MeetingRow[]): Promise<void> {
  for (let start = 0; start < rows.length; start += 1000) {
    await db.insertInto('pupil_meetings').values(rows.slice(start, start + 1000).map((row) => ({ ...row, school_id: scope.schoolId }))).execute();
  }
}

export async function updateMeeting(db: DbOrTransaction, scope: SchoolScope, meetingId: string, changes: Partial<MeetingRow>): Promise<void> {
  await db.updateTable('pupil_meetings').set(changes).where('school_id', '=', scope.schoolId).where('id', '=', meetingId).execute();
}

/** Days on which parents took part in a meeting, up to a date, for the three-meetings count. */
export async function listParentMeetingDays(db: DbOrTransaction, scope: SchoolScope, upTo: string): Promise<Array<{ pupilId: string; heldOn: string }>> {
  const rows = await db
    .selectFrom('pupil_meetings')
    .select(['pupil_id', 'held_on'])
    .distinct()
    .where('school_id', '=', scope.schoolId)
    .where('with_parents', '=', 1)
    .where('held_on', '<=', upTo)
    .execute();
  return rows.map((row) => ({ pupilId: row.pupil_id, heldOn: row.held_on }));
}

// A pupil's plan cycles (owned by plans: read only) ----------------------------------------------------

export async function listCyclesOfPupil(db: DbOrTransaction, scope: SchoolScope, pupilId: string) {
  const rows = await db
    .selectFrom('support_cycles')
    .select(['id', 'number', 'status', 'started_on', 'review_due_on', 'reviewed_on'])
    .where('school_id', '=', scope.schoolId)
    .where('pupil_id', '=', pupilId)
    .orderBy('number', 'desc')
    .execute();
  return rows.map((row) => ({ ...row, number: Number(row.number) }));
}

export async function listCyclesOfPupils(db: DbOrTransaction, scope: SchoolScope, pupilIds: string[]) {
  const rows = [];
  for (let start = 0; start < pupilIds.length; start += SLICE) {
    rows.push(
      ...(await db
        .selectFrom('support_cycles')
        .select(['id', 'pupil_id', 'number', 'status', 'started_on', 'review_due_on', 'reviewed_on'])
        .where('school_id', '=', scope.schoolId)
        .where('pupil_id', 'in', pupilIds.slice(start, start + SLICE))
        .execute()),
    );
  }
  return rows.map((row) => ({ ...row, number: Number(row.number) }));
}

// Actions ------------------------------------------------------------------------------------------

export interface ActionWithNames extends ActionRow {
  owner_name: string | null;
  done_by_name: string | null;
}

function actionsWithNames(db: DbOrTransaction, scope: SchoolScope) {
  return db
    .selectFrom('staff_actions')
    .leftJoin('users as owner', 'owner.id', 'staff_actions.owner_user_id')
    .leftJoin('users as doer', 'doer.id', 'staff_actions.done_by')
    .select([
      'staff_actions.id',
      'staff_actions.pupil_id',
      'staff_actions.meeting_id',
      'staff_actions.description',
      'staff_actions.owner_user_id',
      'staff_actions.due_on',
      'staff_actions.done_at',
      'staff_actions.done_by',
      'staff_actions.created_by',
      'staff_actions.created_at',
      'owner.display_name as owner_name',
      'doer.display_name as done_by_name',
    ])
    .where('staff_actions.school_id', '=', scope.schoolId);
}

export async function listActionsOfPupil(db: DbOrTransaction, scope: SchoolScope, pupilId: string): Promise<ActionWithNames[]> {
  return actionsWithNames(db, scope).where('staff_actions.pupil_id', '=', pupilId).orderBy('staff_actions.due_on').orderBy('staff_actions.created_at').orderBy('staff_actions.id').execute();
}

export async function listActionsOfMeeting(db: DbOrTransaction, scope: SchoolScope, meetingId: string): Promise<ActionWithNames[]> {
  return actionsWithNames(db, scope).where('staff_actions.meeting_id', '=', meetingId).orderBy('staff_actions.created_at').orderBy('staff_actions.id').execute();
}

export async function findAction(db: DbOrTransaction, scope: SchoolScope, actionId: string): Promise<ActionWithNames | undefined> {
  return actionsWithNames(db, scope).where('staff_actions.id', '=', actionId).executeTakeFirst();
}

export async function insertActions(db: DbOrTransaction, scope: SchoolScope, rows: ActionRow[]): Promise<void> {
  for (let start = 0; start < rows.length; start += 1000) {
    const slice = rows.slice(start, start + 1000);
    if (slice.length) await db.insertInto('staff_actions').values(slice.map((row) => ({ ...row, school_id: scope.schoolId }))).execute();
  }
}

export async function updateAction(db: DbOrTransaction, scope: SchoolScope, actionId: string, changes: Partial<ActionRow>): Promise<void> {
  await db.updateTable('staff_actions').set(changes).where('school_id', '=', scope.schoolId).where('id', '=', actionId).execute();
}

export async function deleteActions(db: DbOrTransaction, scope: SchoolScope, actionIds: string[]): Promise<void> {
  if (actionIds.length === 0) return;
  await db.deleteFrom('staff_actions').where('school_id', '=', scope.schoolId).where('id', 'in', actionIds).execute();
}

export interface TaskFilter {
  /** One person's actions, or everyone's when undefined. */
  ownerUserId?: string;
  done: boolean;
}

function tasksQuery(db: DbOrTransaction, scope: SchoolScope, filter: TaskFilter) {
  let query = actionsWithNames(db, scope).where('staff_actions.done_at', filter.done ? 'is not' : 'is', null);
  if (filter.ownerUserId) query = query.where('staff_actions.owner_user_id', '=', filter.ownerUserId);
  return query;
}

/** Open actions by due date (so overdue ones come first); done ones most recently done first. */
export async function listTasks(db: DbOrTransaction, scope: SchoolScope, filter: TaskFilter, page: { limit: number; offset: number }): Promise<ActionWithNames[]> {
  let query = tasksQuery(db, scope, filter);
  query = filter.done ? query.orderBy('staff_actions.done_at', 'desc') : query.orderBy('staff_actions.due_on', 'asc').orderBy('staff_actions.created_at', 'asc');
  return query.orderBy('staff_actions.id').limit(page.limit).offset(page.offset).execute();
}

export async function countTasks(db: DbOrTransaction, scope: SchoolScope, filter: TaskFilter): Promise<number> {
  let query = db.selectFrom('staff_actions').select((eb) => eb.fn.countAll<number>().as('count')).where('school_id', '=', scope.schoolId).where('done_at', filter.done ? 'is not' : 'is', null);
  if (filter.ownerUserId) query = query.where('owner_user_id', '=', filter.ownerUserId);
  const row = await query.executeTakeFirst();
  return Number(row?.count ?? 0);
}

/** Open actions due on or before a date: the overdue count beside "My tasks". */
export async function countOpenTasksDueBy(db: DbOrTransaction, scope: SchoolScope, filter: { ownerUserId?: string; dueBy: string }): Promise<number> {
  let query = db
    .selectFrom('staff_actions')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('school_id', '=', scope.schoolId)
    .where('done_at', 'is', null)
    .where('due_on', '<=', filter.dueBy);
  if (filter.ownerUserId) query = query.where('owner_user_id', '=', filter.ownerUserId);
  const row = await query.executeTakeFirst();
  return Number(row?.count ?? 0);
}

// Logged contacts and agency work ------------------------------------------------------------------

export interface EntryWithName extends EntryRow {
  created_by_name: string | null;
  updated_by: string | null;
  updated_at: string | null;
  updated_by_name: string | null;
}

function entriesWithNames(db: DbOrTransaction, scope: SchoolScope) {
  return db
    .selectFrom('chronology_entries')
    .leftJoin('users as author', 'author.id', 'chronology_entries.created_by')
    .leftJoin('users as editor', 'editor.id', 'chronology_entries.updated_by')
    .select([
      'chronology_entries.id',
      'chronology_entries.pupil_id',
      'chronology_entries.kind',
      'chronology_entries.occurred_on',
      'chronology_entries.agency',
      'chronology_entries.summary',
      'chronology_entries.details',
      'chronology_entries.created_by',
      'chronology_entries.created_at',
      'chronology_entries.updated_by',
      'chronology_entries.updated_at',
      'author.display_name as created_by_name',
      'editor.display_name as updated_by_name',
    ])
    .where('chronology_entries.school_id', '=', scope.schoolId)
    .where('chronology_entries.removed_at', 'is', null);
}

/** A pupil's entries that have not been removed, newest first. */
export async function listEntriesOfPupil(db: DbOrTransaction, scope: SchoolScope, pupilId: string): Promise<EntryWithName[]> {
  return entriesWithNames(db, scope)
    .where('chronology_entries.pupil_id', '=', pupilId)
    .orderBy('chronology_entries.occurred_on', 'desc')
    .orderBy('chronology_entries.created_at', 'desc')
    .execute();
}

/** One entry that has not been removed. */
export async function findEntry(db: DbOrTransaction, scope: SchoolScope, entryId: string): Promise<EntryWithName | undefined> {
  return entriesWithNames(db, scope).where('chronology_entries.id', '=', entryId).executeTakeFirst();
}

export async function updateEntry(
  db: DbOrTransaction,
  scope: SchoolScope,
  entryId: string,
  changes: Partial<Pick<ChronologyEntriesTable, 'kind' | 'occurred_on' | 'agency' | 'summary' | 'details'>> & { updated_by: string; updated_at: string },
): Promise<void> {
  await db.updateTable('chronology_entries').set(changes).where('school_id', '=', scope.schoolId).where('id', '=', entryId).where('removed_at', 'is', null).execute();
}

/** Soft removal: the row stays (and its audit trail), hidden from the timeline. True if it was removed now. */
export async function removeEntry(db: DbOrTransaction, scope: SchoolScope, entryId: string, by: string, at: string): Promise<boolean> {
  const result = await db.updateTable('chronology_entries').set({ removed_by: by, removed_at: at }).where('school_id', '=', scope.schoolId).where('id', '=', entryId).where('removed_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function insertEntries(db: DbOrTransaction, scope: SchoolScope, rows: EntryRow[]): Promise<void> {
  for (let start = 0; start < rows.length; start += 1000) {
    const slice = rows.slice(start, start + 1000);
    if (slice.length) await db.insertInto('chronology_entries').values(slice.map((row) => ({ ...row, school_id: scope.schoolId }))).execute();
  }
}

/** Names of people who recorded a meeting (the users table: read for display only). */
export async function userNames(db: DbOrTransaction, userIds: string[]): Promise<Map<string, string>> {
  const ids = [...new Set(userIds.filter(Boolean))];
  const names = new Map<string, string>();
  for (let start = 0; start < ids.length; start += SLICE) {
    for (const row of await db.selectFrom('users').select(['id', 'display_name']).where('id', 'in', ids.slice(start, start + SLICE)).execute()) names.set(row.id, row.display_name);
  }
  return names;
}
