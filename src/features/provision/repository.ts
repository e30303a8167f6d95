// The only code that reads and writes the provision tables: the catalogue, the school's cost rates,
// intervention groups with their staff, members, sessions and attendance, and staff's contracted
// hours. Every function takes the school scope and filters on it.
import type { Insertable } from 'kysely';
import type { DbOrTransaction } from '../../db/database.ts';
import type {
  Database,
  InterventionAttendanceTable,
  InterventionGroupsTable,
  InterventionMembersTable,
  InterventionSessionsTable,
  ProvisionSettingsTable,
  ProvisionsTable,
} from '../../db/schema.ts';
import type { SchoolScope } from '../../platform/scope.ts';

const SLICE = 500;

async function inSlices<T, R>(ids: readonly T[], run: (slice: T[]) => Promise<R[]>): Promise<R[]> {
  const rows: R[] = [];
  for (let start = 0; start < ids.length; start += SLICE) rows.push(...(await run(ids.slice(start, start + SLICE))));
  return rows;
}

/** Bulk inserts under both databases' bind-parameter limits. */
async function insertMany<T extends keyof Database>(db: DbOrTransaction, table: T, rows: ReadonlyArray<Insertable<Database[T]>>): Promise<void> {
  if (rows.length === 0) return;
  const size = Math.max(1, Math.floor(30_000 / Object.keys(rows[0]!).length));
  for (let start = 0; start < rows.length; start += size) await db.insertInto(table).values(rows.slice(start, start + size) as never).execute();
}

// The catalogue -----------------------------------------------------------------------------------

export type ProvisionRow = Omit<ProvisionsTable, 'school_id'>;

export async function listProvisions(db: DbOrTransaction, scope: SchoolScope): Promise<ProvisionRow[]> {
  const rows = await db.selectFrom('provisions').selectAll().where('school_id', '=', scope.schoolId).orderBy('name').orderBy('id').execute();
  return rows.map(({ school_id: _school, ...row }) => ({ ...row, sessions_per_week: Number(row.sessions_per_week) }));
}

export async function findProvision(db: DbOrTransaction, scope: SchoolScope, provisionId: string): Promise<ProvisionRow | undefined> {
  const row = await db.selectFrom('provisions').selectAll().where('school_id', '=', scope.schoolId).where('id', '=', provisionId).executeTakeFirst();
  if (!row) return undefined;
  const { school_id: _school, ...rest } = row;
  return { ...rest, sessions_per_week: Number(rest.sessions_per_week) };
}

export async function findProvisionByName(db: DbOrTransaction, scope: SchoolScope, name: string) {
  return db
    .selectFrom('provisions')
    .select(['id', 'name', 'archived_at'])
    .where('school_id', '=', scope.schoolId)
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()))
    .executeTakeFirst();
}

export async function insertProvision(db: DbOrTransaction, scope: SchoolScope, row: ProvisionRow): Promise<void> {
  await db.insertInto('provisions').values({ ...row, school_id: scope.schoolId }).execute();
}

export async function updateProvision(db: DbOrTransaction, scope: SchoolScope, provisionId: string, changes: Partial<ProvisionRow>): Promise<void> {
  await db.updateTable('provisions').set(changes).where('school_id', '=', scope.schoolId).where('id', '=', provisionId).execute();
}

export async function deleteProvision(db: DbOrTransaction, scope: SchoolScope, provisionId: string): Promise<void> {
  await db.deleteFrom('provisions').where('school_id', '=', scope.schoolId).where('id', '=', provisionId).execute();
}

export async function countGroupsOfProvision(db: DbOrTransaction, scope: SchoolScope, provisionId: string): Promise<number> {
  const row = await db
    .selectFrom('intervention_groups')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('school_id', '=', scope.schoolId)
    .where('provision_id', '=', provisionId)
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}

// Settings -----------------------------------------------------------------------------------------

export async function findSettings(db: DbOrTransaction, scope: SchoolScope) {
  return db.selectFrom('provision_settings').selectAll().where('school_id', '=', scope.schoolId).executeTakeFirst();
}

export async function saveSettings(db: DbOrTransaction, scope: SchoolScope, row: Omit<ProvisionSettingsTable, 'school_id'>): Promise<void> {
  await db
    .insertInto('provision_settings')
    .values({ ...row, school_id: scope.schoolId })
    .onConflict((conflict) => conflict.column('school_id').doUpdateSet({ ...row }))
    .execute();
}

// Groups -------------------------------------------------------------------------------------------

export type GroupRow = Omit<InterventionGroupsTable, 'school_id'>;

function groupRow(row: InterventionGroupsTable): GroupRow {
  const { school_id: _school, ...rest } = row;
  return { ...rest, sessions_per_week: Number(rest.sessions_per_week), weeks: Number(rest.weeks), minutes_per_session: Number(rest.minutes_per_session) };
}

export interface GroupFilters {
  provisionId?: string;
  /** Groups overlapping [from, to]. */
  from?: string;
  to?: string;
  /** Groups starting on or after / on or before. */
  startFrom?: string;
  startTo?: string;
  groupIds?: string[];
}

export async function listGroups(db: DbOrTransaction, scope: SchoolScope, filters: GroupFilters = {}): Promise<GroupRow[]> {
  if (filters.groupIds && filters.groupIds.length === 0) return [];
  const run = async (ids?: string[]) => {
    let query = db.selectFrom('intervention_groups').selectAll().where('school_id', '=', scope.schoolId);
    if (filters.provisionId) query = query.where('provision_id', '=', filters.provisionId);
    if (filters.from) query = query.where('end_date', '>=', filters.from);
    if (filters.to) query = query.where('start_date', '<=', filters.to);
    if (filters.startFrom) query = query.where('start_date', '>=', filters.startFrom);
    if (filters.startTo) query = query.where('start_date', '<=', filters.startTo);
    if (ids) query = query.where('id', 'in', ids);
    return (await query.orderBy('start_date', 'desc').orderBy('name').orderBy('id').execute()).map(groupRow);
  };
  return filters.groupIds ? inSlices(filters.groupIds, run) : run();
}

export async function findGroup(db: DbOrTransaction, scope: SchoolScope, groupId: string): Promise<GroupRow | undefined> {
  const row = await db.selectFrom('intervention_groups').selectAll().where('school_id', '=', scope.schoolId).where('id', '=', groupId).executeTakeFirst();
  return row ? groupRow(row) : undefined;
}

export async function insertGroup(db: DbOrTransaction, scope: SchoolScope, row: GroupRow): Promise<void> {
  await db.insertInto('intervention_groups').values({ ...row, school_id: scope.schoolId }).execute();
}

export async function updateGroup(db: DbOrTransaction, scope: SchoolScope, groupId: string, changes: Partial<GroupRow>): Promise<void> {
  await db.updateTable('intervention_groups').set(changes).where('school_id', '=', scope.schoolId).where('id', '=', groupId).execute();
}

export async function listGroupStaff(db: DbOrTransaction, scope: SchoolScope, groupIds: string[]) {
  return inSlices(groupIds, (ids) =>
    db.selectFrom('intervention_group_staff').select(['group_id', 'user_id']).where('school_id', '=', scope.schoolId).where('group_id', 'in', ids).execute(),
  );
}

export async function listAllGroupStaff(db: DbOrTransaction, scope: SchoolScope) {
  return db.selectFrom('intervention_group_staff').select(['group_id', 'user_id']).where('school_id', '=', scope.schoolId).execute();
}

export async function listGroupIdsOfStaff(db: DbOrTransaction, scope: SchoolScope, userId: string): Promise<string[]> {
  const rows = await db.selectFrom('intervention_group_staff').select('group_id').where('school_id', '=', scope.schoolId).where('user_id', '=', userId).execute();
  return rows.map((row) => row.group_id);
}

export async function setGroupStaff(db: DbOrTransaction, scope: SchoolScope, groupId: string, add: string[], remove: string[]): Promise<void> {
  if (remove.length) await db.deleteFrom('intervention_group_staff').where('school_id', '=', scope.schoolId).where('group_id', '=', groupId).where('user_id', 'in', remove).execute();
  if (add.length) await db.insertInto('intervention_group_staff').values(add.map((userId) => ({ school_id: scope.schoolId, group_id: groupId, user_id: userId }))).execute();
}

// Members --------------------------------------------------------------------------------------------

export type MemberRow = Omit<InterventionMembersTable, 'school_id'>;

function memberRow(row: InterventionMembersTable): MemberRow {
  const { school_id: _school, ...rest } = row;
  const number = (value: number | null) => (value === null ? null : Number(value));
  return { ...rest, entry_value: number(rest.entry_value), exit_value: number(rest.exit_value) };
}

export async function listMembers(db: DbOrTransaction, scope: SchoolScope, groupIds: string[]): Promise<MemberRow[]> {
  const rows = await inSlices(groupIds, (ids) => db.selectFrom('intervention_members').selectAll().where('school_id', '=', scope.schoolId).where('group_id', 'in', ids).execute());
  return rows.map(memberRow);
}

/** Members of every group starting within the dates (one query, joined on the groups). */
export async function listMembersOfGroupsStarting(db: DbOrTransaction, scope: SchoolScope, startFrom: string, startTo: string) {
  const rows = await db
    .selectFrom('intervention_members')
    .innerJoin('intervention_groups', (join) =>
      join.onRef('intervention_groups.school_id', '=', 'intervention_members.school_id').onRef('intervention_groups.id', '=', 'intervention_members.group_id'),
    )
    .select(['intervention_members.group_id', 'intervention_members.pupil_id', 'intervention_members.left_on'])
    .where('intervention_members.school_id', '=', scope.schoolId)
    .where('intervention_groups.start_date', '>=', startFrom)
    .where('intervention_groups.start_date', '<=', startTo)
    .execute();
  return rows;
}

export async function listMembershipsOfPupil(db: DbOrTransaction, scope: SchoolScope, pupilId: string): Promise<MemberRow[]> {
  const rows = await db.selectFrom('intervention_members').selectAll().where('school_id', '=', scope.schoolId).where('pupil_id', '=', pupilId).execute();
  return rows.map(memberRow);
}

export async function listMembershipsBySource(db: DbOrTransaction, scope: SchoolScope, sources: string[]): Promise<MemberRow[]> {
  const rows = await inSlices(sources, (slice) => db.selectFrom('intervention_members').selectAll().where('school_id', '=', scope.schoolId).where('source', 'in', slice).execute());
  return rows.map(memberRow);
}

export async function insertMembers(db: DbOrTransaction, scope: SchoolScope, rows: MemberRow[]): Promise<void> {
  await insertMany(db, 'intervention_members', rows.map((row) => ({ ...row, school_id: scope.schoolId })));
}

export async function updateMember(db: DbOrTransaction, scope: SchoolScope, groupId: string, pupilId: string, changes: Partial<MemberRow>): Promise<void> {
  await db.updateTable('intervention_members').set(changes).where('school_id', '=', scope.schoolId).where('group_id', '=', groupId).where('pupil_id', '=', pupilId).execute();
}

export async function deleteMember(db: DbOrTransaction, scope: SchoolScope, groupId: string, pupilId: string): Promise<void> {
  await db.deleteFrom('intervention_members').where('school_id', '=', scope.schoolId).where('group_id', '=', groupId).where('pupil_id', '=', pupilId).execute();
}

// Sessions and attendance ----------------------------------------------------------------------------

export type SessionRow = Omit<InterventionSessionsTable, 'school_id'>;
export type AttendanceRow = Omit<InterventionAttendanceTable, 'school_id'>;

export async function listSessions(db: DbOrTransaction, scope: SchoolScope, groupId: string): Promise<SessionRow[]> {
  const rows = await db.selectFrom('intervention_sessions').selectAll().where('school_id', '=', scope.schoolId).where('group_id', '=', groupId).orderBy('held_on', 'desc').execute();
  return rows.map(({ school_id: _school, ...row }) => row);
}

export async function findSession(db: DbOrTransaction, scope: SchoolScope, groupId: string, sessionId: string): Promise<SessionRow | undefined> {
  const row = await db
    .selectFrom('intervention_sessions')
    .selectAll()
    .where('school_id', '=', scope.schoolId)
    .where('group_id', '=', groupId)
    .where('id', '=', sessionId)
    .executeTakeFirst();
  if (!row) return undefined;
  const { school_id: _school, ...rest } = row;
  return rest;
}

export async function findSessionOn(db: DbOrTransaction, scope: SchoolScope, groupId: string, heldOn: string) {
  return db.selectFrom('intervention_sessions').select(['id', 'held_on']).where('school_id', '=', scope.schoolId).where('group_id', '=', groupId).where('held_on', '=', heldOn).executeTakeFirst();
}

/** Sessions of these groups on one date: which of today's sessions are already recorded. */
export async function listSessionsOn(db: DbOrTransaction, scope: SchoolScope, groupIds: string[], heldOn: string) {
  return inSlices(groupIds, (ids) =>
    db.selectFrom('intervention_sessions').select(['id', 'group_id', 'status']).where('school_id', '=', scope.schoolId).where('group_id', 'in', ids).where('held_on', '=', heldOn).execute(),
  );
}

export async function insertSession(db: DbOrTransaction, scope: SchoolScope, row: SessionRow): Promise<void> {
  await db.insertInto('intervention_sessions').values({ ...row, school_id: scope.schoolId }).execute();
}

export async function updateSession(db: DbOrTransaction, scope: SchoolScope, sessionId: string, changes: Partial<SessionRow>): Promise<void> {
  await db.updateTable('intervention_sessions').set(changes).where('school_id', '=', scope.schoolId).where('id', '=', sessionId).execute();
}

export async function replaceAttendance(db: DbOrTransaction, scope: SchoolScope, sessionId: string, rows: AttendanceRow[]): Promise<void> {
  await db.deleteFrom('intervention_attendance').where('school_id', '=', scope.schoolId).where('session_id', '=', sessionId).execute();
  await insertMany(db, 'intervention_attendance', rows.map((row) => ({ ...row, school_id: scope.schoolId })));
}

export async function listAttendance(db: DbOrTransaction, scope: SchoolScope, sessionId: string): Promise<AttendanceRow[]> {
  const rows = await db.selectFrom('intervention_attendance').selectAll().where('school_id', '=', scope.schoolId).where('session_id', '=', sessionId).execute();
  return rows.map(({ school_id: _school, ...row }) => row);
}

/** Attendance counted per group, pupil and status (one grouped query). */
export async function attendanceCounts(db: DbOrTransaction, scope: SchoolScope, groupIds: string[]) {
  const rows = await inSlices(groupIds, (ids) =>
    db
      .selectFrom('intervention_attendance')
      .select((eb) => ['group_id', 'pupil_id', 'status', eb.fn.countAll<number>().as('count')])
      .where('school_id', '=', scope.schoolId)
      .where('group_id', 'in', ids)
      .groupBy(['group_id', 'pupil_id', 'status'])
      .execute(),
  );
  return rows.map((row) => ({ ...row, count: Number(row.count) }));
}


/** Delivered sessions counted per group (one grouped query). */
export async function deliveredCounts(db: DbOrTransaction, scope: SchoolScope, groupIds: string[]): Promise<Map<string, number>> {
  const rows = await inSlices(groupIds, (ids) =>
    db
      .selectFrom('intervention_sessions')
      .select((eb) => ['group_id', eb.fn.countAll<number>().as('count')])
      .where('school_id', '=', scope.schoolId)
      .where('group_id', 'in', ids)
      .where('status', '=', 'delivered')
      .groupBy('group_id')
      .execute(),
  );
  return new Map(rows.map((row) => [row.group_id, Number(row.count)]));
}

/**
 * Delivered sessions per group, of the sessions held on or after a date (one grouped query over a
 * covering index). The caller keeps the groups it wants: a group's sessions are all on or after its start.
 */
export async function deliveredCountsSince(db: DbOrTransaction, scope: SchoolScope, heldFrom: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('intervention_sessions')
    .select((eb) => ['group_id', eb.fn.countAll<number>().as('count')])
    .where('school_id', '=', scope.schoolId)
    .where('status', '=', 'delivered')
    .where('held_on', '>=', heldFrom)
    .groupBy('group_id')
    .execute();
  return new Map(rows.map((row) => [row.group_id, Number(row.count)]));
}

// Staff hours ----------------------------------------------------------------------------------------

export async function listStaffHours(db: DbOrTransaction, scope: SchoolScope) {
  const rows = await db.selectFrom('staff_hours').select(['user_id', 'contracted_hours']).where('school_id', '=', scope.schoolId).execute();
  return new Map(rows.map((row) => [row.user_id, Number(row.contracted_hours)]));
}

export async function saveStaffHours(db: DbOrTransaction, scope: SchoolScope, userId: string, hours: number | null, at: string, by: string | null): Promise<void> {
  if (hours === null) {
    await db.deleteFrom('staff_hours').where('school_id', '=', scope.schoolId).where('user_id', '=', userId).execute();
    return;
  }
  await db
    .insertInto('staff_hours')
    .values({ school_id: scope.schoolId, user_id: userId, contracted_hours: hours, updated_at: at, updated_by: by })
    .onConflict((conflict) => conflict.columns(['school_id', 'user_id']).doUpdateSet({ contracted_hours: hours, updated_at: at, updated_by: by }))
    .execute();
}

// Bulk writes (the demo school) ----------------------------------------------------------------------

export interface ProvisionDataRows {
  settings?: Omit<ProvisionSettingsTable, 'school_id'>;
  provisions: ProvisionRow[];
  groups: GroupRow[];
  staff: Array<{ group_id: string; user_id: string }>;
  members: MemberRow[];
  sessions: SessionRow[];
  attendance: AttendanceRow[];
  staffHours: Array<{ user_id: string; contracted_hours: number; updated_at: string; updated_by: string | null }>;
}

export async function insertProvisionData(db: DbOrTransaction, scope: SchoolScope, rows: ProvisionDataRows): Promise<void> {
  const school = <R extends object>(list: readonly R[]) => list.map((row) => ({ ...row, school_id: scope.schoolId }));
  if (rows.settings) await saveSettings(db, scope, rows.settings);
  await insertMany(db, 'provisions', school(rows.provisions));
  await insertMany(db, 'intervention_groups', school(rows.groups));
  await insertMany(db, 'intervention_group_staff', school(rows.staff));
  await insertMany(db, 'intervention_members', school(rows.members));
  await insertMany(db, 'intervention_sessions', school(rows.sessions));
  await insertMany(db, 'intervention_attendance', school(rows.attendance));
  await insertMany(db, 'staff_hours', school(rows.staffHours));
}

/** Pupils in each group (all of the school's groups, one grouped query). */
export async function countMembersByGroup(db: DbOrTransaction, scope: SchoolScope): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('intervention_members')
    .select((eb) => ['group_id', eb.fn.countAll<number>().as('count')])
    .where('school_id', '=', scope.schoolId)
    .groupBy('group_id')
    .execute();
  return new Map(rows.map((row) => [row.group_id, Number(row.count)]));
}

export async function countRecords(db: DbOrTransaction, scope: SchoolScope, groupId: string, pupilId: string): Promise<number> {
  const row = await db
    .selectFrom('intervention_attendance')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('school_id', '=', scope.schoolId)
    .where('group_id', '=', groupId)
    .where('pupil_id', '=', pupilId)
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}

/** Pupils currently in intervention groups this person runs (groups not yet ended, pupils not taken out). */
export async function pupilsInGroupsRunBy(db: DbOrTransaction, scope: SchoolScope, userId: string, today: string): Promise<string[]> {
  const rows = await db
    .selectFrom('intervention_group_staff')
    .innerJoin('intervention_groups', (join) =>
      join.onRef('intervention_groups.school_id', '=', 'intervention_group_staff.school_id').onRef('intervention_groups.id', '=', 'intervention_group_staff.group_id'),
    )
    .innerJoin('intervention_members', (join) =>
      join.onRef('intervention_members.school_id', '=', 'intervention_group_staff.school_id').onRef('intervention_members.group_id', '=', 'intervention_group_staff.group_id'),
    )
    .select('intervention_members.pupil_id')
    .distinct()
    .where('intervention_group_staff.school_id', '=', scope.schoolId)
    .where('intervention_group_staff.user_id', '=', userId)
    .where('intervention_groups.end_date', '>=', today)
    .where('intervention_members.left_on', 'is', null)
    .execute();
  return rows.map((row) => row.pupil_id);
}
