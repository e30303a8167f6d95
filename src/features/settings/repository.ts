// The only code that writes schools' details, teaching groups (with who is in them and who teaches
// them) and class-list import batches. Everything school-owned takes the school scope.
import type { Db, DbOrTransaction, Dialect } from '../../db/database.ts';
import type { GroupImportBatchesTable, SchoolsTable, TeachingGroupsTable } from '../../db/schema.ts';
import type { SchoolScope } from '../../platform/scope.ts';

// Schools ----------------------------------------------------------------------------------------

export async function listSchools(db: Db) {
  return db.selectFrom('schools').select(['id', 'name', 'urn', 'laestab', 'la_name', 'phase', 'created_at']).orderBy('name').orderBy('id').execute();
}

export async function findSchool(db: DbOrTransaction, scope: SchoolScope) {
  return db.selectFrom('schools').select(['id', 'name', 'urn', 'laestab', 'la_name', 'phase', 'created_at']).where('id', '=', scope.schoolId).executeTakeFirst();
}

export async function findSchoolsByUrn(db: DbOrTransaction, urn: string) {
  return db.selectFrom('schools').select(['id', 'name', 'urn']).where('urn', '=', urn).execute();
}

export async function insertSchool(db: DbOrTransaction, school: Omit<SchoolsTable, 'register_version'>) {
  await db.insertInto('schools').values(school).execute();
}

export async function updateSchool(db: DbOrTransaction, scope: SchoolScope, changes: Partial<Pick<SchoolsTable, 'name' | 'urn' | 'laestab' | 'la_name' | 'phase'>>) {
  await db.updateTable('schools').set(changes).where('id', '=', scope.schoolId).execute();
}

// Groups -----------------------------------------------------------------------------------------

export interface GroupFilters {
  /** Lower-case words, each in the group's name or subject. */
  terms: string[];
  kind?: string;
}

function groupsQuery(db: Db, scope: SchoolScope, filters: GroupFilters) {
  let query = db.selectFrom('teaching_groups').where('teaching_groups.school_id', '=', scope.schoolId);
  if (filters.kind) query = query.where('teaching_groups.kind', '=', filters.kind);
  for (const term of filters.terms) {
    const pattern = `%${term.replace(/[%_\\]/g, '')}%`;
    query = query.where((eb) => eb.or([eb(eb.fn('lower', ['teaching_groups.name']), 'like', pattern), eb(eb.fn('lower', ['teaching_groups.subject']), 'like', pattern)]));
  }
  return query;
}

/** A page of groups, each with its number of pupils (one indexed count per group, in the same query). */
export async function listGroupsPage(db: Db, scope: SchoolScope, filters: GroupFilters, page: { limit: number; offset: number }) {
  return groupsQuery(db, scope, filters)
    .select((eb) => [
      'teaching_groups.id',
      'teaching_groups.name',
      'teaching_groups.kind',
      'teaching_groups.subject',
      'teaching_groups.year_group',
      eb
        .selectFrom('group_members')
        .select(eb.fn.countAll<number>().as('count'))
        .whereRef('group_members.school_id', '=', 'teaching_groups.school_id')
        .whereRef('group_members.group_id', '=', 'teaching_groups.id')
        .as('pupilCount'),
    ])
    .orderBy('teaching_groups.kind')
    .orderBy('teaching_groups.name')
    .orderBy('teaching_groups.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

export async function countGroups(db: Db, scope: SchoolScope, filters: GroupFilters): Promise<number> {
  const row = await groupsQuery(db, scope, filters).select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirst();
  return Number(row?.count ?? 0);
}

export async function findGroup(db: DbOrTransaction, scope: SchoolScope, groupId: string) {
  return db
    .selectFrom('teaching_groups')
    .select(['id', 'name', 'kind', 'subject', 'year_group'])
    .where('school_id', '=', scope.schoolId)
    .where('id', '=', groupId)
    .executeTakeFirst();
}

/** A group with this name, ignoring case ("7a" is "7A"). */
export async function findGroupByName(db: DbOrTransaction, scope: SchoolScope, name: string) {
  return db
    .selectFrom('teaching_groups')
    .select(['id', 'name'])
    .where('school_id', '=', scope.schoolId)
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()))
    .executeTakeFirst();
}

export async function listAllGroups(db: DbOrTransaction, scope: SchoolScope) {
  return db.selectFrom('teaching_groups').select(['id', 'name', 'kind', 'subject', 'year_group']).where('school_id', '=', scope.schoolId).execute();
}

export async function insertGroups(db: DbOrTransaction, scope: SchoolScope, groups: Array<Omit<TeachingGroupsTable, 'school_id'>>) {
  for (let start = 0; start < groups.length; start += 1000) {
    await db
      .insertInto('teaching_groups')
      .values(groups.slice(start, start + 1000).map((group) => ({ ...group, school_id: scope.schoolId })))
      .execute();
  }
}

export async function updateGroup(db: DbOrTransaction, scope: SchoolScope, groupId: string, changes: Partial<Omit<TeachingGroupsTable, 'school_id' | 'id'>>) {
  await db.updateTable('teaching_groups').set(changes).where('school_id', '=', scope.schoolId).where('id', '=', groupId).execute();
}

/** Deletes a group with its memberships and staff links; the pupils and staff themselves are untouched. */
export async function deleteGroup(db: DbOrTransaction, scope: SchoolScope, groupId: string) {
  await db.deleteFrom('group_members').where('school_id', '=', scope.schoolId).where('group_id', '=', groupId).execute();
  await db.deleteFrom('group_staff').where('school_id', '=', scope.schoolId).where('group_id', '=', groupId).execute();
  await db.deleteFrom('teaching_groups').where('school_id', '=', scope.schoolId).where('id', '=', groupId).execute();
}

export async function listMembers(db: DbOrTransaction, scope: SchoolScope, groupIds: string[]) {
  if (groupIds.length === 0) return [];
  const rows = [];
  for (let start = 0; start < groupIds.length; start += 1000) {
    rows.push(
      ...(await db
        .selectFrom('group_members')
        .select(['group_id', 'pupil_id'])
        .where('school_id', '=', scope.schoolId)
        .where('group_id', 'in', groupIds.slice(start, start + 1000))
        .execute()),
    );
  }
  return rows;
}

export async function listStaff(db: DbOrTransaction, scope: SchoolScope, groupIds: string[]) {
  if (groupIds.length === 0) return [];
  const rows = [];
  for (let start = 0; start < groupIds.length; start += 1000) {
    rows.push(
      ...(await db
        .selectFrom('group_staff')
        .select(['group_id', 'user_id'])
        .where('school_id', '=', scope.schoolId)
        .where('group_id', 'in', groupIds.slice(start, start + 1000))
        .execute()),
    );
  }
  return rows;
}

export async function listAllMembers(db: DbOrTransaction, scope: SchoolScope) {
  return db.selectFrom('group_members').select(['group_id', 'pupil_id']).where('school_id', '=', scope.schoolId).execute();
}

export async function listAllStaff(db: DbOrTransaction, scope: SchoolScope) {
  return db.selectFrom('group_staff').select(['group_id', 'user_id']).where('school_id', '=', scope.schoolId).execute();
}

/** Adds pupils to groups; a pupil already in a group stays once. */
export async function insertMembers(db: DbOrTransaction, scope: SchoolScope, rows: Array<{ groupId: string; pupilId: string }>) {
  for (let start = 0; start < rows.length; start += 5000) {
    await db
      .insertInto('group_members')
      .values(rows.slice(start, start + 5000).map((row) => ({ school_id: scope.schoolId, group_id: row.groupId, pupil_id: row.pupilId })))
      .onConflict((conflict) => conflict.columns(['school_id', 'group_id', 'pupil_id']).doNothing())
      .execute();
  }
}

export async function deleteMembers(db: DbOrTransaction, scope: SchoolScope, groupId: string, pupilIds: string[]) {
  for (let start = 0; start < pupilIds.length; start += 1000) {
    await db
      .deleteFrom('group_members')
      .where('school_id', '=', scope.schoolId)
      .where('group_id', '=', groupId)
      .where('pupil_id', 'in', pupilIds.slice(start, start + 1000))
      .execute();
  }
}

export async function insertStaff(db: DbOrTransaction, scope: SchoolScope, rows: Array<{ groupId: string; userId: string }>) {
  for (let start = 0; start < rows.length; start += 5000) {
    await db
      .insertInto('group_staff')
      .values(rows.slice(start, start + 5000).map((row) => ({ school_id: scope.schoolId, group_id: row.groupId, user_id: row.userId })))
      .onConflict((conflict) => conflict.columns(['school_id', 'group_id', 'user_id']).doNothing())
      .execute();
  }
}

export async function deleteStaff(db: DbOrTransaction, scope: SchoolScope, groupId: string, userIds: string[]) {
  if (userIds.length === 0) return;
  await db.deleteFrom('group_staff').where('school_id', '=', scope.schoolId).where('group_id', '=', groupId).where('user_id', 'in', userIds).execute();
}

/** Takes a person off every group they are staff of in the school; returns how many groups that was. */
export async function deleteStaffEverywhere(db: DbOrTransaction, scope: SchoolScope, userId: string): Promise<number> {
  const result = await db.deleteFrom('group_staff').where('school_id', '=', scope.schoolId).where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function countGroupsOfStaff(db: Db, scope: SchoolScope, userId: string): Promise<number> {
  const row = await db
    .selectFrom('group_staff')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('school_id', '=', scope.schoolId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}

export async function countGroupsByKind(db: Db, scope: SchoolScope) {
  const rows = await db
    .selectFrom('teaching_groups')
    .select((eb) => ['kind', eb.fn.countAll<number>().as('count')])
    .where('school_id', '=', scope.schoolId)
    .groupBy('kind')
    .execute();
  return rows.map((row) => ({ kind: row.kind, count: Number(row.count) }));
}

// Class-list import batches ----------------------------------------------------------------------

export type GroupImportStatus = 'previewed' | 'committed' | 'discarded';

export async function insertImportBatch(db: DbOrTransaction, scope: SchoolScope, batch: Omit<GroupImportBatchesTable, 'school_id'>) {
  await db.insertInto('group_import_batches').values({ ...batch, school_id: scope.schoolId }).execute();
}

export async function findImportBatch(db: DbOrTransaction, scope: SchoolScope, batchId: string, options: { lock?: Dialect } = {}) {
  let query = db.selectFrom('group_import_batches').selectAll().where('school_id', '=', scope.schoolId).where('id', '=', batchId);
  // PostgreSQL: a second confirm of the same batch waits for the first, then sees it committed.
  if (options.lock === 'postgres') query = query.forUpdate();
  return query.executeTakeFirst();
}

/** Moves a batch on only from the status the caller saw, so two confirms cannot both apply it. */
export async function updateImportBatch(
  db: DbOrTransaction,
  scope: SchoolScope,
  batchId: string,
  fromStatus: GroupImportStatus,
  changes: Partial<Pick<GroupImportBatchesTable, 'status' | 'summary' | 'content' | 'committed_at'>>,
): Promise<boolean> {
  const result = await db
    .updateTable('group_import_batches')
    .set(changes)
    .where('school_id', '=', scope.schoolId)
    .where('id', '=', batchId)
    .where('status', '=', fromStatus)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function listImportBatches(db: Db, scope: SchoolScope, limit: number) {
  return db
    .selectFrom('group_import_batches')
    .select(['id', 'filename', 'status', 'summary', 'created_at', 'committed_at'])
    .where('school_id', '=', scope.schoolId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** Unconfirmed batches older than the cut-off lose the file's text: pupils' UPNs are not kept without a purpose. */
export async function expireStaleImportBatches(db: DbOrTransaction, scope: SchoolScope, createdBefore: string): Promise<number> {
  const result = await db
    .updateTable('group_import_batches')
    .set({ status: 'discarded', content: null })
    .where('school_id', '=', scope.schoolId)
    .where('status', '=', 'previewed')
    .where('created_at', '<', createdBefore)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

// The school's logo for generated documents ------------------------------------------------------

export async function findLogo(db: DbOrTransaction, scope: SchoolScope) {
  return db.selectFrom('school_logos').select(['content_type', 'body', 'uploaded_by', 'uploaded_at']).where('school_id', '=', scope.schoolId).executeTakeFirst();
}

export async function saveLogo(db: DbOrTransaction, scope: SchoolScope, logo: { contentType: string; body: Uint8Array; uploadedBy: string | null; uploadedAt: string }) {
  await db
    .insertInto('school_logos')
    .values({ school_id: scope.schoolId, content_type: logo.contentType, body: logo.body, uploaded_by: logo.uploadedBy, uploaded_at: logo.uploadedAt })
    .onConflict((conflict) => conflict.column('school_id').doUpdateSet({ content_type: logo.contentType, body: logo.body, uploaded_by: logo.uploadedBy, uploaded_at: logo.uploadedAt }))
    .execute();
}

export async function deleteLogo(db: DbOrTransaction, scope: SchoolScope): Promise<boolean> {
  const result = await db.deleteFrom('school_logos').where('school_id', '=', scope.schoolId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
