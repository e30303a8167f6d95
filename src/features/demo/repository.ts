import type { Insertable } from 'kysely';
import type { Db, DbOrTransaction } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';
import type { SchoolScope } from '../../platform/scope.ts';

/**
 * Bind parameters per statement. PostgreSQL allows 65,535 and SQLite 32,766; staying under 30,000
 * keeps one slice within both with room to spare.
 */
export const MAX_BIND_PARAMETERS = 30_000;

type Table = keyof Database;

/** Inserts rows in multi-row statements, each under the bind-parameter limit. */
async function insertInSlices<T extends Table>(db: DbOrTransaction, table: T, rows: ReadonlyArray<Insertable<Database[T]>>): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!).length;
  const size = Math.max(1, Math.floor(MAX_BIND_PARAMETERS / columns));
  for (let start = 0; start < rows.length; start += size) {
    await db
      .insertInto(table)
      .values(rows.slice(start, start + size) as never)
      .execute();
  }
}

/** Rows that belong to a school carry its id: the scope is checked, not trusted. */
function inScope<R extends { school_id: string }>(scope: SchoolScope, rows: ReadonlyArray<R>): ReadonlyArray<R> {
  const stray = rows.find((row) => row.school_id !== scope.schoolId);
  if (stray) throw new Error(`Demo row for school ${stray.school_id} written in the scope of ${scope.schoolId}`);
  return rows;
}

export async function countSchools(db: Db): Promise<number> {
  const row = await db.selectFrom('schools').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirst();
  return Number(row?.count ?? 0);
}

export async function findSchoolByUrn(db: Db, urn: string) {
  return db.selectFrom('schools').select(['id', 'name', 'urn']).where('urn', '=', urn).executeTakeFirst();
}

export async function findUsersByEmail(db: Db, emails: readonly string[]) {
  if (emails.length === 0) return [];
  return db.selectFrom('users').select(['id', 'email']).where('email', 'in', emails).execute();
}

export async function insertSchool(db: DbOrTransaction, school: Insertable<Database['schools']>): Promise<void> {
  await db.insertInto('schools').values(school).execute();
}

export async function insertUsers(db: DbOrTransaction, users: ReadonlyArray<Insertable<Database['users']>>): Promise<void> {
  await insertInSlices(db, 'users', users);
}

export interface DemoSchoolRows {
  memberships: Insertable<Database['memberships']>[];
  pupils: Insertable<Database['pupils']>[];
  provisionPeriods: Insertable<Database['sen_provision_periods']>[];
  needPeriods: Insertable<Database['sen_need_periods']>[];
  changes: Insertable<Database['sen_changes']>[];
  contacts: Insertable<Database['contacts']>[];
  groups: Insertable<Database['teaching_groups']>[];
  groupMembers: Insertable<Database['group_members']>[];
  groupStaff: Insertable<Database['group_staff']>[];
}

/** Writes everything a demo school owns; parents before children so foreign keys hold. */
export async function insertSchoolRows(scope: SchoolScope, db: DbOrTransaction, rows: DemoSchoolRows): Promise<void> {
  await insertInSlices(db, 'memberships', inScope(scope, rows.memberships));
  await insertInSlices(db, 'pupils', inScope(scope, rows.pupils));
  await insertInSlices(db, 'sen_changes', inScope(scope, rows.changes));
  await insertInSlices(db, 'sen_provision_periods', inScope(scope, rows.provisionPeriods));
  await insertInSlices(db, 'sen_need_periods', inScope(scope, rows.needPeriods));
  await insertInSlices(db, 'contacts', inScope(scope, rows.contacts));
  await insertInSlices(db, 'teaching_groups', inScope(scope, rows.groups));
  await insertInSlices(db, 'group_members', inScope(scope, rows.groupMembers));
  await insertInSlices(db, 'group_staff', inScope(scope, rows.groupStaff));
}
