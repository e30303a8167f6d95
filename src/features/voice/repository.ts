// The only code that reads and writes contribution requests (parents' and pupils' views through
// one-time links). It also reads, never writes, what it needs around them: the cycle a request belongs
// to, the pupil's first name and contacts with parental responsibility, and the school's name.
// Every function takes the school scope and filters on it, except the one lookup by a link's hash:
// whoever holds a link does not know the school, and the hash (unique, 256 bits) is the capability.
import { sql } from 'kysely';
import type { DbOrTransaction } from '../../db/database.ts';
import type { ContributionRequestsTable } from '../../db/schema.ts';
import type { SchoolScope } from '../../platform/scope.ts';

export type RequestRow = Omit<ContributionRequestsTable, 'school_id'>;

function withoutSchool<T extends { school_id: string }>(row: T): Omit<T, 'school_id'> {
  const { school_id: _school, ...rest } = row;
  return rest;
}

// Around the requests (read only) ----------------------------------------------------------------

export interface CycleRow {
  id: string;
  pupil_id: string;
  number: number;
  status: string;
  review_due_on: string;
  started_on: string;
  reviewed_on: string | null;
}

export async function findCycle(db: DbOrTransaction, scope: SchoolScope, cycleId: string): Promise<CycleRow | undefined> {
  const row = await db
    .selectFrom('support_cycles')
    .select(['id', 'pupil_id', 'number', 'status', 'review_due_on', 'started_on', 'reviewed_on'])
    .where('school_id', '=', scope.schoolId)
    .where('id', '=', cycleId)
    .executeTakeFirst();
  return row ? { ...row, number: Number(row.number) } : undefined;
}

export interface PupilNameRow {
  id: string;
  firstName: string;
  fullName: string;
  yearGroup: number | null;
  onRoll: boolean;
}

export async function findPupilName(db: DbOrTransaction, scope: SchoolScope, pupilId: string): Promise<PupilNameRow | undefined> {
  const row = await db
    .selectFrom('pupils')
    .select(['id', 'legal_forename', 'preferred_forename', 'legal_surname', 'preferred_surname', 'year_group', 'on_roll'])
    .where('school_id', '=', scope.schoolId)
    .where('id', '=', pupilId)
    .executeTakeFirst();
  if (!row) return undefined;
  const firstName = row.preferred_forename || row.legal_forename;
  return { id: row.id, firstName, fullName: `${firstName} ${row.preferred_surname || row.legal_surname}`, yearGroup: row.year_group === null ? null : Number(row.year_group), onRoll: Number(row.on_roll) === 1 };
}

export async function schoolName(db: DbOrTransaction, scope: SchoolScope): Promise<string> {
  const row = await db.selectFrom('schools').select('name').where('id', '=', scope.schoolId).executeTakeFirst();
  return row?.name ?? '';
}

export interface ParentContactRow {
  id: string;
  title: string | null;
  forename: string | null;
  surname: string;
  relationship: string | null;
  email: string | null;
}

/** The pupil's contacts with parental responsibility, in the school's contact order. */
export async function listParentalContacts(db: DbOrTransaction, scope: SchoolScope, pupilId: string): Promise<ParentContactRow[]> {
  return db
    .selectFrom('contacts')
    .select(['id', 'title', 'forename', 'surname', 'relationship', 'email'])
    .where('school_id', '=', scope.schoolId)
    .where('pupil_id', '=', pupilId)
    .where('parental_responsibility', '=', 1)
    .orderBy('contact_order')
    .orderBy('id')
    .execute();
}

/** All the pupil's contacts, with whether each has parental responsibility: to check a parent's link still stands. */
export async function listContactsForPupil(db: DbOrTransaction, scope: SchoolScope, pupilId: string): Promise<Array<ParentContactRow & { parental_responsibility: boolean }>> {
  const rows = await db
    .selectFrom('contacts')
    .select(['id', 'title', 'forename', 'surname', 'relationship', 'email', 'parental_responsibility'])
    .where('school_id', '=', scope.schoolId)
    .where('pupil_id', '=', pupilId)
    .execute();
  return rows.map((row) => ({ ...row, parental_responsibility: Number(row.parental_responsibility) === 1 }));
}

// Requests -----------------------------------------------------------------------------------------

export async function insertRequest(db: DbOrTransaction, scope: SchoolScope, row: RequestRow): Promise<void> {
  await db.insertInto('contribution_requests').values({ ...row, school_id: scope.schoolId }).execute();
}

/** Bulk inserts for the demo, under both databases' bind-parameter limits. */
export async function insertRequests(db: DbOrTransaction, scope: SchoolScope, rows: RequestRow[]): Promise<void> {
  for (let start = 0; start < rows.length; start += 1000) {
    await db.insertInto('contribution_requests').values(rows.slice(start, start + 1000).map((row) => ({ ...row, school_id: scope.schoolId }))).execute();
  }
}

export async function findRequest(db: DbOrTransaction, scope: SchoolScope, requestId: string): Promise<RequestRow | undefined> {
  const row = await db.selectFrom('contribution_requests').selectAll().where('school_id', '=', scope.schoolId).where('id', '=', requestId).executeTakeFirst();
  return row ? withoutSchool(row) : undefined;
}

export async function listRequestsForCycle(db: DbOrTransaction, scope: SchoolScope, cycleId: string): Promise<RequestRow[]> {
  const rows = await db
    .selectFrom('contribution_requests')
    .selectAll()
    .where('school_id', '=', scope.schoolId)
    .where('cycle_id', '=', cycleId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute();
  return rows.map(withoutSchool);
}

export async function listRequestsForPupil(db: DbOrTransaction, scope: SchoolScope, pupilId: string): Promise<RequestRow[]> {
  const rows = await db
    .selectFrom('contribution_requests')
    .selectAll()
    .where('school_id', '=', scope.schoolId)
    .where('pupil_id', '=', pupilId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(withoutSchool);
}

/**
 * Unanswered, not yet replaced requests to the same person for the same cycle (a new request or a
 * resend replaces them). A parent is matched by contact, the pupil by being the pupil.
 */
export async function listUnansweredFor(db: DbOrTransaction, scope: SchoolScope, cycleId: string, respondent: string, contactId: string | null): Promise<RequestRow[]> {
  let query = db
    .selectFrom('contribution_requests')
    .selectAll()
    .where('school_id', '=', scope.schoolId)
    .where('cycle_id', '=', cycleId)
    .where('respondent', '=', respondent)
    .where('submitted_at', 'is', null)
    .where('superseded_at', 'is', null);
  query = contactId === null ? query.where('contact_id', 'is', null) : query.where('contact_id', '=', contactId);
  return (await query.execute()).map(withoutSchool);
}

/** Stops a link working. Only an unanswered, not yet replaced request is changed; returns whether it was. */
export async function supersedeRequest(db: DbOrTransaction, scope: SchoolScope, requestId: string, at: string): Promise<boolean> {
  const result = await db
    .updateTable('contribution_requests')
    .set({ superseded_at: at })
    .where('school_id', '=', scope.schoolId)
    .where('id', '=', requestId)
    .where('submitted_at', 'is', null)
    .where('superseded_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function markEmailed(db: DbOrTransaction, scope: SchoolScope, requestId: string, at: string): Promise<void> {
  await db.updateTable('contribution_requests').set({ emailed_at: at }).where('school_id', '=', scope.schoolId).where('id', '=', requestId).execute();
}

/** The request a link's hash belongs to, in whichever school: the one lookup without a scope (see the file's comment). */
export async function findRequestByTokenHash(db: DbOrTransaction, tokenHash: string): Promise<(RequestRow & { school_id: string }) | undefined> {
  return db.selectFrom('contribution_requests').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

/** The first time the link's form was opened. */
export async function markOpened(db: DbOrTransaction, scope: SchoolScope, requestId: string, at: string): Promise<void> {
  await db
    .updateTable('contribution_requests')
    .set({ opened_at: at })
    .where('school_id', '=', scope.schoolId)
    .where('id', '=', requestId)
    .where('opened_at', 'is', null)
    .execute();
}

/**
 * Stores the answers if, and only if, the link still works at `at`: not answered, not replaced, not
 * expired. One statement, so two submissions at once cannot both land. Returns whether it was stored.
 */
export async function submitAnswers(db: DbOrTransaction, scope: SchoolScope, requestId: string, answers: string, at: string): Promise<boolean> {
  const result = await db
    .updateTable('contribution_requests')
    .set({ answers, submitted_at: at })
    .where('school_id', '=', scope.schoolId)
    .where('id', '=', requestId)
    .where('submitted_at', 'is', null)
    .where('superseded_at', 'is', null)
    .where('expires_at', '>', at)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

// The outstanding list ----------------------------------------------------------------------------

export const OUTSTANDING_SORTS = {
  review: 'review_due_on',
  pupil: 'pupil_name',
  sent: 'created_at',
  expires: 'expires_at',
} as const;
export type OutstandingSort = keyof typeof OUTSTANDING_SORTS;

export interface OutstandingFilters {
  /** awaiting: the link still works; expired: it ran out unanswered; all: both. */
  show: 'awaiting' | 'expired' | 'all';
  respondent: 'parent' | 'pupil' | '';
  yearGroup: number | null;
  now: string;
}

export interface OutstandingRow {
  id: string;
  cycle_id: string;
  pupil_id: string;
  respondent: string;
  recipient_name: string;
  recipient_email: string | null;
  created_at: string;
  expires_at: string;
  opened_at: string | null;
  review_due_on: string;
  cycle_number: number;
  pupil_name: string;
  year_group: number | null;
}

function outstandingQuery(db: DbOrTransaction, scope: SchoolScope, filters: OutstandingFilters) {
  let query = db
    .selectFrom('contribution_requests as r')
    .innerJoin('support_cycles as c', (join) => join.onRef('c.school_id', '=', 'r.school_id').onRef('c.id', '=', 'r.cycle_id'))
    .innerJoin('pupils as p', (join) => join.onRef('p.school_id', '=', 'r.school_id').onRef('p.id', '=', 'r.pupil_id'))
    .where('r.school_id', '=', scope.schoolId)
    .where('c.status', '=', 'open')
    .where('r.submitted_at', 'is', null)
    .where('r.superseded_at', 'is', null);
  if (filters.show === 'awaiting') query = query.where('r.expires_at', '>', filters.now);
  if (filters.show === 'expired') query = query.where('r.expires_at', '<=', filters.now);
  if (filters.respondent) query = query.where('r.respondent', '=', filters.respondent);
  if (filters.yearGroup !== null) query = query.where('p.year_group', '=', filters.yearGroup);
  return query;
}

export async function listOutstanding(
  db: DbOrTransaction,
  scope: SchoolScope,
  filters: OutstandingFilters,
  sort: OutstandingSort,
  order: 'asc' | 'desc',
  page: { limit: number; offset: number },
): Promise<OutstandingRow[]> {
  const rows = await outstandingQuery(db, scope, filters)
    .select([
      'r.id', 'r.cycle_id', 'r.pupil_id', 'r.respondent', 'r.recipient_name', 'r.recipient_email', 'r.created_at', 'r.expires_at', 'r.opened_at',
      'c.review_due_on', 'c.number as cycle_number', 'p.year_group',
      sql<string>`coalesce(nullif(p.preferred_forename, ''), p.legal_forename)`.as('forename'),
      sql<string>`coalesce(nullif(p.preferred_surname, ''), p.legal_surname)`.as('surname'),
    ])
    .$call((query) => {
      if (sort === 'pupil') return query.orderBy('surname', order).orderBy('forename', order);
      if (sort === 'review') return query.orderBy('c.review_due_on', order).orderBy('surname').orderBy('forename');
      return query.orderBy(`r.${OUTSTANDING_SORTS[sort]}` as 'r.created_at' | 'r.expires_at', order).orderBy('surname').orderBy('forename');
    })
    .orderBy('r.respondent')
    .orderBy('r.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return rows.map(({ forename, surname, ...row }) => ({
    ...row,
    cycle_number: Number(row.cycle_number),
    year_group: row.year_group === null ? null : Number(row.year_group),
    pupil_name: `${forename} ${surname}`,
  }));
}

export async function countOutstanding(db: DbOrTransaction, scope: SchoolScope, filters: OutstandingFilters): Promise<number> {
  const row = await outstandingQuery(db, scope, filters).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Year groups with outstanding requests, for the filter. */
export async function outstandingYearGroups(db: DbOrTransaction, scope: SchoolScope, now: string): Promise<number[]> {
  const rows = await outstandingQuery(db, scope, { show: 'all', respondent: '', yearGroup: null, now })
    .select('p.year_group')
    .distinct()
    .execute();
  return rows.map((row) => row.year_group).filter((year): year is number => year !== null).map(Number).sort((a, b) => a - b);
}
