import type { ExpressionBuilder, SelectQueryBuilder } from 'kysely';
import type { Db, DbOrTransaction } from '../../db/database.ts';
import type { Database, PupilsTable } from '../../db/schema.ts';
import type { SchoolScope } from '../../platform/scope.ts';

export interface RegisterFilters {
  /** Pupils on roll (the default) or those who have left. */
  leavers?: boolean;
  terms: string[];
  provisions: string[];
  needs: string[];
  primaryNeeds: string[];
  yearGroups: number[];
  flags: Array<'fsm' | 'pupil_premium' | 'eal' | 'looked_after'>;
  groupId?: string;
}

export const REGISTER_SORTS = {
  name: ['legal_surname', 'legal_forename'],
  year: ['year_group', 'legal_surname', 'legal_forename'],
  provision: ['sen_provision', 'legal_surname', 'legal_forename'],
  need: ['primary_need', 'legal_surname', 'legal_forename'],
  since: ['sen_since', 'legal_surname', 'legal_forename'],
  group: ['registration_group', 'legal_surname', 'legal_forename'],
} as const satisfies Record<string, ReadonlyArray<keyof PupilsTable>>;
export type RegisterSort = keyof typeof REGISTER_SORTS;

type PupilQuery<O> = SelectQueryBuilder<Database, 'pupils', O>;

function applyFilters<O>(query: PupilQuery<O>, scope: SchoolScope, filters: RegisterFilters): PupilQuery<O> {
  let filtered = query.where('pupils.school_id', '=', scope.schoolId).where('pupils.on_roll', '=', filters.leavers ? 0 : 1);
  for (const term of filters.terms) filtered = filtered.where('pupils.search_text', 'like', `%${term.replace(/[%_\\]/g, '')}%`);
  if (filters.provisions.length) filtered = filtered.where('pupils.sen_provision', 'in', filters.provisions);
  if (filters.primaryNeeds.length) filtered = filtered.where('pupils.primary_need', 'in', filters.primaryNeeds);
  if (filters.needs.length) {
    filtered = filtered.where((eb) => eb.or([eb('pupils.primary_need', 'in', filters.needs), eb('pupils.secondary_need', 'in', filters.needs)]));
  }
  if (filters.yearGroups.length) filtered = filtered.where('pupils.year_group', 'in', filters.yearGroups);
  for (const flag of filters.flags) filtered = filtered.where(`pupils.${flag}`, '=', 1);
  if (filters.groupId) {
    const groupId = filters.groupId;
    filtered = filtered.where((eb: ExpressionBuilder<Database, 'pupils'>) =>
      eb.exists(
        eb
          .selectFrom('group_members')
          .select('group_members.pupil_id')
          .whereRef('group_members.school_id', '=', 'pupils.school_id')
          .whereRef('group_members.pupil_id', '=', 'pupils.id')
          .where('group_members.group_id', '=', groupId),
      ),
    );
  }
  return filtered;
}

const REGISTER_COLUMNS = [
  'pupils.id',
  'pupils.upn',
  'pupils.legal_surname',
  'pupils.legal_forename',
  'pupils.preferred_surname',
  'pupils.preferred_forename',
  'pupils.date_of_birth',
  'pupils.year_group',
  'pupils.registration_group',
  'pupils.sen_provision',
  'pupils.sen_since',
  'pupils.primary_need',
  'pupils.secondary_need',
  'pupils.fsm',
  'pupils.pupil_premium',
  'pupils.eal',
  'pupils.looked_after',
  'pupils.left_on',
] as const;

export async function listRegisterPage(
  db: Db,
  scope: SchoolScope,
  filters: RegisterFilters,
  sort: RegisterSort,
  direction: 'asc' | 'desc',
  page: { limit: number; offset: number },
) {
  let query = applyFilters(db.selectFrom('pupils').select(REGISTER_COLUMNS), scope, filters);
  for (const column of REGISTER_SORTS[sort]) query = query.orderBy(`pupils.${column}`, direction);
  return query.orderBy('pupils.id').limit(page.limit).offset(page.offset).execute();
}

export async function listRegisterAll(db: Db, scope: SchoolScope, filters: RegisterFilters, sort: RegisterSort, direction: 'asc' | 'desc') {
  let query = applyFilters(db.selectFrom('pupils').select(REGISTER_COLUMNS), scope, filters);
  for (const column of REGISTER_SORTS[sort]) query = query.orderBy(`pupils.${column}`, direction);
  return query.orderBy('pupils.id').execute();
}

/** One grouped query gives every headline count for the filtered set. */
export async function registerCountCells(db: Db, scope: SchoolScope, filters: RegisterFilters) {
  const rows = await applyFilters(
    db
      .selectFrom('pupils')
      .select((eb) => ['pupils.sen_provision', 'pupils.primary_need', 'pupils.year_group', eb.fn.countAll<number>().as('count')]),
    scope,
    filters,
  )
    .groupBy(['pupils.sen_provision', 'pupils.primary_need', 'pupils.year_group'])
    .execute();
  return rows.map((row) => ({ provision: row.sen_provision, primaryNeed: row.primary_need, yearGroup: row.year_group, count: Number(row.count) }));
}

/** Pupils on roll with SEN support or an EHC plan who have each flag, in one pass. */
export async function senFlagCounts(db: Db, scope: SchoolScope): Promise<Record<'fsm' | 'pupil_premium' | 'eal' | 'looked_after', number>> {
  const row = await db
    .selectFrom('pupils')
    .select((eb) => [
      eb.fn.sum<number>('fsm').as('fsm'),
      eb.fn.sum<number>('pupil_premium').as('pupil_premium'),
      eb.fn.sum<number>('eal').as('eal'),
      eb.fn.sum<number>('looked_after').as('looked_after'),
    ])
    .where('school_id', '=', scope.schoolId)
    .where('on_roll', '=', 1)
    .where('sen_provision', 'in', ['K', 'E'])
    .executeTakeFirst();
  return {
    fsm: Number(row?.fsm ?? 0),
    pupil_premium: Number(row?.pupil_premium ?? 0),
    eal: Number(row?.eal ?? 0),
    looked_after: Number(row?.looked_after ?? 0),
  };
}

export async function listYearGroups(db: Db, scope: SchoolScope) {
  const rows = await db
    .selectFrom('pupils')
    .select('year_group')
    .distinct()
    .where('school_id', '=', scope.schoolId)
    .where('on_roll', '=', 1)
    .where('year_group', 'is not', null)
    .orderBy('year_group')
    .execute();
  return rows.map((row) => Number(row.year_group));
}

/** Registration groups (forms and classes): the groups a register is filtered by. */
export async function listRegistrationGroups(db: Db, scope: SchoolScope) {
  return db
    .selectFrom('teaching_groups')
    .select(['id', 'name', 'kind', 'subject', 'year_group'])
    .where('school_id', '=', scope.schoolId)
    .where('kind', '=', 'registration')
    .orderBy('name')
    .execute();
}

export async function findPupil(db: DbOrTransaction, scope: SchoolScope, pupilId: string) {
  return db.selectFrom('pupils').selectAll().where('school_id', '=', scope.schoolId).where('id', '=', pupilId).executeTakeFirst();
}

export async function findPupilsByUpn(db: DbOrTransaction, scope: SchoolScope, upns: string[]) {
  if (upns.length === 0) return [];
  const rows = [];
  for (let start = 0; start < upns.length; start += 1000) {
    rows.push(
      ...(await db
        .selectFrom('pupils')
        .selectAll()
        .where('school_id', '=', scope.schoolId)
        .where('upn', 'in', upns.slice(start, start + 1000))
        .execute()),
    );
  }
  return rows;
}

export async function listAllPupils(db: DbOrTransaction, scope: SchoolScope) {
  return db.selectFrom('pupils').selectAll().where('school_id', '=', scope.schoolId).execute();
}

export async function listContacts(db: DbOrTransaction, scope: SchoolScope, pupilIds: string[]) {
  if (pupilIds.length === 0) return [];
  const rows = [];
  for (let start = 0; start < pupilIds.length; start += 1000) {
    rows.push(
      ...(await db
        .selectFrom('contacts')
        .selectAll()
        .where('school_id', '=', scope.schoolId)
        .where('pupil_id', 'in', pupilIds.slice(start, start + 1000))
        .orderBy('contact_order')
        .execute()),
    );
  }
  return rows;
}

export async function listGroupsOfPupil(db: Db, scope: SchoolScope, pupilId: string) {
  return db
    .selectFrom('group_members')
    .innerJoin('teaching_groups', (join) =>
      join.onRef('teaching_groups.school_id', '=', 'group_members.school_id').onRef('teaching_groups.id', '=', 'group_members.group_id'),
    )
    .select(['teaching_groups.id', 'teaching_groups.name', 'teaching_groups.kind', 'teaching_groups.subject'])
    .where('group_members.school_id', '=', scope.schoolId)
    .where('group_members.pupil_id', '=', pupilId)
    .orderBy('teaching_groups.kind')
    .orderBy('teaching_groups.name')
    .execute();
}

export async function listProvisionPeriods(db: DbOrTransaction, scope: SchoolScope, pupilId: string) {
  return db
    .selectFrom('sen_provision_periods')
    .selectAll()
    .where('school_id', '=', scope.schoolId)
    .where('pupil_id', '=', pupilId)
    .orderBy('start_date', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

export async function listNeedPeriods(db: DbOrTransaction, scope: SchoolScope, pupilId: string) {
  return db
    .selectFrom('sen_need_periods')
    .selectAll()
    .where('school_id', '=', scope.schoolId)
    .where('pupil_id', '=', pupilId)
    .orderBy('start_date', 'desc')
    .orderBy('rank')
    .execute();
}

export async function listOpenNeeds(db: DbOrTransaction, scope: SchoolScope, pupilIds: string[]) {
  if (pupilIds.length === 0) return [];
  const rows = [];
  for (let start = 0; start < pupilIds.length; start += 1000) {
    rows.push(
      ...(await db
        .selectFrom('sen_need_periods')
        .select(['pupil_id', 'need', 'rank', 'start_date'])
        .where('school_id', '=', scope.schoolId)
        .where('pupil_id', 'in', pupilIds.slice(start, start + 1000))
        .where('end_date', 'is', null)
        .orderBy('rank')
        .execute()),
    );
  }
  return rows;
}

export async function listSenChanges(db: Db, scope: SchoolScope, pupilId: string) {
  return db
    .selectFrom('sen_changes')
    .leftJoin('users', 'users.id', 'sen_changes.recorded_by')
    .select([
      'sen_changes.id',
      'sen_changes.kind',
      'sen_changes.effective_date',
      'sen_changes.reason',
      'sen_changes.provision_before',
      'sen_changes.provision_after',
      'sen_changes.needs_before',
      'sen_changes.needs_after',
      'sen_changes.source',
      'sen_changes.recorded_at',
      'users.display_name as recorded_by_name',
    ])
    .where('sen_changes.school_id', '=', scope.schoolId)
    .where('sen_changes.pupil_id', '=', pupilId)
    .orderBy('sen_changes.recorded_at', 'desc')
    .execute();
}

export async function listTaughtSenPupils(db: Db, scope: SchoolScope, userId: string) {
  return db
    .selectFrom('pupils')
    .select([...REGISTER_COLUMNS])
    .where('pupils.school_id', '=', scope.schoolId)
    .where('pupils.on_roll', '=', 1)
    .where('pupils.sen_provision', '!=', 'N')
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('group_members')
          .innerJoin('group_staff', (join) =>
            join.onRef('group_staff.school_id', '=', 'group_members.school_id').onRef('group_staff.group_id', '=', 'group_members.group_id'),
          )
          .select('group_members.pupil_id')
          .whereRef('group_members.school_id', '=', 'pupils.school_id')
          .whereRef('group_members.pupil_id', '=', 'pupils.id')
          .where('group_staff.user_id', '=', userId),
      ),
    )
    .orderBy('pupils.legal_surname')
    .orderBy('pupils.legal_forename')
    .execute();
}

export async function listGroupsTaughtBy(db: Db, scope: SchoolScope, userId: string, pupilIds: string[]) {
  if (pupilIds.length === 0) return [];
  return db
    .selectFrom('group_staff')
    .innerJoin('group_members', (join) =>
      join.onRef('group_members.school_id', '=', 'group_staff.school_id').onRef('group_members.group_id', '=', 'group_staff.group_id'),
    )
    .innerJoin('teaching_groups', (join) =>
      join.onRef('teaching_groups.school_id', '=', 'group_staff.school_id').onRef('teaching_groups.id', '=', 'group_staff.group_id'),
    )
    .select(['group_members.pupil_id', 'teaching_groups.name'])
    .where('group_staff.school_id', '=', scope.schoolId)
    .where('group_staff.user_id', '=', userId)
    .where('group_members.pupil_id', 'in', pupilIds)
    .orderBy('teaching_groups.name')
    .execute();
}

export async function listPupilsByIds(db: Db, scope: SchoolScope, pupilIds: string[]) {
  if (pupilIds.length === 0) return [];
  return db
    .selectFrom('pupils')
    .select([...REGISTER_COLUMNS])
    .where('pupils.school_id', '=', scope.schoolId)
    .where('pupils.id', 'in', pupilIds)
    .orderBy('pupils.legal_surname')
    .execute();
}

// Writes ------------------------------------------------------------------------------------

export type NewPupil = Omit<PupilsTable, 'school_id'>;

export async function insertPupil(db: DbOrTransaction, scope: SchoolScope, pupil: NewPupil) {
  await db
    .insertInto('pupils')
    .values({ ...pupil, school_id: scope.schoolId })
    .execute();
}

export async function updatePupil(db: DbOrTransaction, scope: SchoolScope, pupilId: string, changes: Partial<NewPupil>) {
  await db.updateTable('pupils').set(changes).where('school_id', '=', scope.schoolId).where('id', '=', pupilId).execute();
}

export async function closeOpenProvisionPeriod(db: DbOrTransaction, scope: SchoolScope, pupilId: string, endDate: string) {
  await db
    .updateTable('sen_provision_periods')
    .set({ end_date: endDate })
    .where('school_id', '=', scope.schoolId)
    .where('pupil_id', '=', pupilId)
    .where('end_date', 'is', null)
    .execute();
}

export async function closeOpenNeedPeriods(db: DbOrTransaction, scope: SchoolScope, pupilId: string, endDate: string) {
  await db
    .updateTable('sen_need_periods')
    .set({ end_date: endDate })
    .where('school_id', '=', scope.schoolId)
    .where('pupil_id', '=', pupilId)
    .where('end_date', 'is', null)
    .execute();
}

export async function insertProvisionPeriod(
  db: DbOrTransaction,
  scope: SchoolScope,
  period: { id: string; pupilId: string; provision: string; startDate: string; changeId: string | null },
) {
  await db
    .insertInto('sen_provision_periods')
    .values({
      school_id: scope.schoolId,
      id: period.id,
      pupil_id: period.pupilId,
      provision: period.provision,
      start_date: period.startDate,
      end_date: null,
      change_id: period.changeId,
    })
    .execute();
}

export async function insertNeedPeriods(
  db: DbOrTransaction,
  scope: SchoolScope,
  periods: Array<{ id: string; pupilId: string; need: string; rank: number; startDate: string; changeId: string | null }>,
) {
  if (periods.length === 0) return;
  await db
    .insertInto('sen_need_periods')
    .values(
      periods.map((period) => ({
        school_id: scope.schoolId,
        id: period.id,
        pupil_id: period.pupilId,
        need: period.need,
        rank: period.rank,
        start_date: period.startDate,
        end_date: null,
        change_id: period.changeId,
      })),
    )
    .execute();
}

export async function insertSenChange(
  db: DbOrTransaction,
  scope: SchoolScope,
  change: {
    id: string;
    pupilId: string;
    kind: string;
    effectiveDate: string;
    reason: string;
    provisionBefore: string | null;
    provisionAfter: string | null;
    needsBefore: string;
    needsAfter: string;
    source: string;
    recordedBy: string | null;
    recordedAt: string;
  },
) {
  await db
    .insertInto('sen_changes')
    .values({
      school_id: scope.schoolId,
      id: change.id,
      pupil_id: change.pupilId,
      kind: change.kind,
      effective_date: change.effectiveDate,
      reason: change.reason,
      provision_before: change.provisionBefore,
      provision_after: change.provisionAfter,
      needs_before: change.needsBefore,
      needs_after: change.needsAfter,
      source: change.source,
      recorded_by: change.recordedBy,
      recorded_at: change.recordedAt,
    })
    .execute();
}

export async function replaceContacts(
  db: DbOrTransaction,
  scope: SchoolScope,
  pupilId: string,
  contacts: Array<Omit<Database['contacts'], 'school_id' | 'pupil_id'>>,
) {
  // Keep the link to a parent's account across re-imports: it is ours, not the MIS's.
  const existing = await db
    .selectFrom('contacts')
    .select(['surname', 'forename', 'user_id'])
    .where('school_id', '=', scope.schoolId)
    .where('pupil_id', '=', pupilId)
    .where('user_id', 'is not', null)
    .execute();
  await db.deleteFrom('contacts').where('school_id', '=', scope.schoolId).where('pupil_id', '=', pupilId).execute();
  if (contacts.length === 0) return;
  await db
    .insertInto('contacts')
    .values(
      contacts.map((contact) => ({
        ...contact,
        user_id:
          contact.user_id ??
          existing.find((old) => old.surname === contact.surname && (old.forename ?? '') === (contact.forename ?? ''))?.user_id ??
          null,
        school_id: scope.schoolId,
        pupil_id: pupilId,
      })),
    )
    .execute();
}


export async function findSchool(db: Db, schoolId: string) {
  return db.selectFrom('schools').selectAll().where('id', '=', schoolId).executeTakeFirst();
}


export async function listPupilNames(db: Db, scope: SchoolScope, pupilIds: string[]) {
  if (pupilIds.length === 0) return [];
  return db
    .selectFrom('pupils')
    .select(['id', 'legal_forename', 'legal_surname', 'upn'])
    .where('school_id', '=', scope.schoolId)
    .where('id', 'in', pupilIds)
    .execute();
}

/** What the register shows has changed: rendered register pages for this school are stale. */
export async function bumpRegisterVersion(db: DbOrTransaction, scope: SchoolScope) {
  await db
    .updateTable('schools')
    .set((eb) => ({ register_version: eb('register_version', '+', 1) }))
    .where('id', '=', scope.schoolId)
    .execute();
}

export async function registerVersion(db: Db, scope: SchoolScope): Promise<number> {
  const row = await db.selectFrom('schools').select('register_version').where('id', '=', scope.schoolId).executeTakeFirst();
  return Number(row?.register_version ?? 0);
}

// Bulk writes for imports: many rows in few statements, sliced under the bind-parameter limits
// (SQLite 32,766; PostgreSQL 65,535).
async function insertSliced<T extends Record<string, unknown>>(rows: T[], insert: (slice: T[]) => Promise<unknown>) {
  if (rows.length === 0) return;
  const perRow = Object.keys(rows[0]!).length;
  const size = Math.max(1, Math.floor(30_000 / perRow));
  for (let start = 0; start < rows.length; start += size) await insert(rows.slice(start, start + size));
}

export async function insertPupils(db: DbOrTransaction, scope: SchoolScope, pupils: NewPupil[]) {
  await insertSliced(
    pupils.map((pupil) => ({ ...pupil, school_id: scope.schoolId })),
    (slice) => db.insertInto('pupils').values(slice).execute(),
  );
}

export async function insertProvisionPeriods(db: DbOrTransaction, scope: SchoolScope, periods: Array<Omit<Database['sen_provision_periods'], 'school_id'>>) {
  await insertSliced(
    periods.map((period) => ({ ...period, school_id: scope.schoolId })),
    (slice) => db.insertInto('sen_provision_periods').values(slice).execute(),
  );
}

export async function insertNeedPeriodRows(db: DbOrTransaction, scope: SchoolScope, periods: Array<Omit<Database['sen_need_periods'], 'school_id'>>) {
  await insertSliced(
    periods.map((period) => ({ ...period, school_id: scope.schoolId })),
    (slice) => db.insertInto('sen_need_periods').values(slice).execute(),
  );
}

export async function insertSenChanges(db: DbOrTransaction, scope: SchoolScope, changes: Array<Omit<Database['sen_changes'], 'school_id'>>) {
  await insertSliced(
    changes.map((change) => ({ ...change, school_id: scope.schoolId })),
    (slice) => db.insertInto('sen_changes').values(slice).execute(),
  );
}

export async function insertContacts(db: DbOrTransaction, scope: SchoolScope, contacts: Array<Omit<Database['contacts'], 'school_id'>>) {
  await insertSliced(
    contacts.map((contact) => ({ ...contact, school_id: scope.schoolId })),
    (slice) => db.insertInto('contacts').values(slice).execute(),
  );
}

// For School settings: choosing pupils, and parents' contacts -----------------------------------

/** Pupils on roll whose search text holds every term, in name order: a picker's results. */
export async function searchPupilsOnRoll(db: Db, scope: SchoolScope, terms: string[], limit: number) {
  let query = db
    .selectFrom('pupils')
    .select(['id', 'upn', 'legal_surname', 'legal_forename', 'preferred_forename', 'year_group', 'registration_group'])
    .where('school_id', '=', scope.schoolId)
    .where('on_roll', '=', 1);
  for (const term of terms) query = query.where('search_text', 'like', `%${term.replace(/[%_\\]/g, '')}%`);
  return query.orderBy('legal_surname').orderBy('legal_forename').orderBy('id').limit(limit).execute();
}

export interface ParentalContactFilters {
  /** Folded search tokens: each must be in the pupil's search text or the contact's name or email. */
  terms: string[];
  linked?: boolean;
  contactId?: string;
  upn?: string;
  userId?: string;
  onRollOnly?: boolean;
}

function parentalContactsQuery(db: DbOrTransaction, scope: SchoolScope, filters: ParentalContactFilters) {
  let query = db
    .selectFrom('contacts')
    .innerJoin('pupils', (join) => join.onRef('pupils.school_id', '=', 'contacts.school_id').onRef('pupils.id', '=', 'contacts.pupil_id'))
    .where('contacts.school_id', '=', scope.schoolId)
    .where('contacts.parental_responsibility', '=', 1);
  if (filters.linked === true) query = query.where('contacts.user_id', 'is not', null);
  if (filters.linked === false) query = query.where('contacts.user_id', 'is', null);
  if (filters.contactId !== undefined) query = query.where('contacts.id', '=', filters.contactId);
  if (filters.upn !== undefined) query = query.where('pupils.upn', '=', filters.upn);
  if (filters.userId !== undefined) query = query.where('contacts.user_id', '=', filters.userId);
  if (filters.onRollOnly) query = query.where('pupils.on_roll', '=', 1);
  for (const term of filters.terms) {
    const pattern = `%${term.replace(/[%_\\]/g, '')}%`;
    query = query.where((eb) =>
      eb.or([
        eb('pupils.search_text', 'like', pattern),
        eb(eb.fn('lower', ['contacts.surname']), 'like', pattern),
        eb(eb.fn('lower', ['contacts.forename']), 'like', pattern),
        eb(eb.fn('lower', ['contacts.email']), 'like', pattern),
      ]),
    );
  }
  return query;
}

export async function listParentalContacts(db: DbOrTransaction, scope: SchoolScope, filters: ParentalContactFilters, page: { limit: number; offset: number }) {
  return parentalContactsQuery(db, scope, filters)
    .select([
      'contacts.id',
      'contacts.pupil_id',
      'contacts.contact_order',
      'contacts.title',
      'contacts.forename',
      'contacts.surname',
      'contacts.relationship',
      'contacts.phone',
      'contacts.email',
      'contacts.user_id',
      'pupils.upn',
      'pupils.legal_forename',
      'pupils.legal_surname',
      'pupils.preferred_forename',
      'pupils.year_group',
      'pupils.on_roll',
    ])
    .orderBy('pupils.legal_surname')
    .orderBy('pupils.legal_forename')
    .orderBy('pupils.id')
    .orderBy('contacts.contact_order')
    .orderBy('contacts.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

export async function countParentalContacts(db: DbOrTransaction, scope: SchoolScope, filters: ParentalContactFilters): Promise<number> {
  const row = await parentalContactsQuery(db, scope, filters).select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirst();
  return Number(row?.count ?? 0);
}

export async function findContact(db: DbOrTransaction, scope: SchoolScope, contactId: string) {
  return db
    .selectFrom('contacts')
    .select(['id', 'pupil_id', 'forename', 'surname', 'parental_responsibility', 'user_id'])
    .where('school_id', '=', scope.schoolId)
    .where('id', '=', contactId)
    .executeTakeFirst();
}

export async function setContactUser(db: DbOrTransaction, scope: SchoolScope, contactId: string, userId: string | null) {
  await db.updateTable('contacts').set({ user_id: userId }).where('school_id', '=', scope.schoolId).where('id', '=', contactId).execute();
}
