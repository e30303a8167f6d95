// The only code that reads and writes the concerns table. A concern is open until the SENCO records
// its outcome; reopening clears the outcome (the audit log keeps the earlier one). Every function
// takes the school scope and filters on it.
import { sql } from 'kysely';
import type { DbOrTransaction } from '../../db/database.ts';
import type { ConcernsTable } from '../../db/schema.ts';
import type { SchoolScope } from '../../platform/scope.ts';

export type ConcernRow = Omit<ConcernsTable, 'school_id'>;

function normalise(row: ConcernsTable): ConcernRow {
  const { school_id: _school, ...rest } = row;
  return rest;
}

export async function insertConcern(db: DbOrTransaction, scope: SchoolScope, row: ConcernRow): Promise<void> {
  await db.insertInto('concerns').values({ ...row, school_id: scope.schoolId }).execute();
}

/** Many at once (the demo school), under both databases' bind-parameter limits. */
export async function insertConcerns(db: DbOrTransaction, scope: SchoolScope, rows: readonly ConcernRow[]): Promise<void> {
  for (let start = 0; start < rows.length; start += 1000) {
    await db.insertInto('concerns').values(rows.slice(start, start + 1000).map((row) => ({ ...row, school_id: scope.schoolId }))).execute();
  }
}

export async function findConcern(db: DbOrTransaction, scope: SchoolScope, concernId: string): Promise<ConcernRow | undefined> {
  const row = await db.selectFrom('concerns').selectAll().where('school_id', '=', scope.schoolId).where('id', '=', concernId).executeTakeFirst();
  return row ? normalise(row) : undefined;
}

/** The concerns one member of staff raised, newest first. */
export async function listRaisedBy(db: DbOrTransaction, scope: SchoolScope, userId: string, page: { limit: number; offset: number }): Promise<ConcernRow[]> {
  const rows = await db
    .selectFrom('concerns')
    .selectAll()
    .where('school_id', '=', scope.schoolId)
    .where('raised_by', '=', userId)
    .orderBy('raised_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return rows.map(normalise);
}

export async function countRaisedBy(db: DbOrTransaction, scope: SchoolScope, userId: string): Promise<number> {
  const row = await db.selectFrom('concerns').select((eb) => eb.fn.countAll<number>().as('n')).where('school_id', '=', scope.schoolId).where('raised_by', '=', userId).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** A pupil's concerns, newest first. */
export async function listOfPupil(db: DbOrTransaction, scope: SchoolScope, pupilId: string): Promise<ConcernRow[]> {
  const rows = await db
    .selectFrom('concerns')
    .selectAll()
    .where('school_id', '=', scope.schoolId)
    .where('pupil_id', '=', pupilId)
    .orderBy('raised_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(normalise);
}

export interface TriageFilters {
  status: 'open' | 'closed' | 'all';
  outcome: string;
  yearGroup: number | null;
  /** Folded search tokens: each must be in the pupil's search text. */
  terms: string[];
}

export interface TriageRow extends ConcernRow {
  legal_forename: string;
  legal_surname: string;
  preferred_forename: string | null;
  year_group: number | null;
  registration_group: string | null;
  sen_provision: string;
}

function triageQuery(db: DbOrTransaction, scope: SchoolScope, filters: TriageFilters) {
  let query = db
    .selectFrom('concerns as c')
    .innerJoin('pupils as p', (join) => join.onRef('p.school_id', '=', 'c.school_id').onRef('p.id', '=', 'c.pupil_id'))
    .where('c.school_id', '=', scope.schoolId);
  if (filters.status !== 'all') query = query.where('c.status', '=', filters.status);
  if (filters.outcome) query = query.where('c.outcome', '=', filters.outcome);
  if (filters.yearGroup !== null) query = query.where('p.year_group', '=', filters.yearGroup);
  for (const term of filters.terms) query = query.where('p.search_text', 'like', `%${term.replace(/[%_\\]/g, '')}%`);
  return query;
}

/** Open concerns first, oldest first (the longest waiting at the top); then closed ones, most recently decided first. */
export async function listForTriage(db: DbOrTransaction, scope: SchoolScope, filters: TriageFilters, page: { limit: number; offset: number }): Promise<TriageRow[]> {
  const rows = await triageQuery(db, scope, filters)
    .selectAll('c')
    .select(['p.legal_forename', 'p.legal_surname', 'p.preferred_forename', 'p.year_group', 'p.registration_group', 'p.sen_provision'])
    .orderBy(sql`case when c.status = 'open' then 0 else 1 end`)
    .orderBy(sql`case when c.status = 'open' then c.raised_at else '' end`)
    .orderBy('c.outcome_at', 'desc')
    .orderBy('c.raised_at', 'desc')
    .orderBy('c.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return rows.map((row) => {
    const { school_id: _school, ...rest } = row as typeof row & { school_id?: string };
    return { ...rest, year_group: rest.year_group === null ? null : Number(rest.year_group) } as TriageRow;
  });
}

export async function countForTriage(db: DbOrTransaction, scope: SchoolScope, filters: TriageFilters): Promise<number> {
  const row = await triageQuery(db, scope, filters).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** How many concerns are open, and how many closed with each outcome. */
export async function countByStatus(db: DbOrTransaction, scope: SchoolScope): Promise<Array<{ status: string; outcome: string | null; count: number }>> {
  const rows = await db
    .selectFrom('concerns')
    .select(['status', 'outcome', (eb) => eb.fn.countAll<number>().as('n')])
    .where('school_id', '=', scope.schoolId)
    .groupBy(['status', 'outcome'])
    .execute();
  return rows.map((row) => ({ status: row.status, outcome: row.outcome, count: Number(row.n) }));
}

/** The year groups of pupils with concerns, for the filter. */
export async function yearGroupsWithConcerns(db: DbOrTransaction, scope: SchoolScope): Promise<number[]> {
  const rows = await db
    .selectFrom('concerns as c')
    .innerJoin('pupils as p', (join) => join.onRef('p.school_id', '=', 'c.school_id').onRef('p.id', '=', 'c.pupil_id'))
    .select('p.year_group')
    .distinct()
    .where('c.school_id', '=', scope.schoolId)
    .where('p.year_group', 'is not', null)
    .execute();
  return rows.map((row) => Number(row.year_group)).sort((a, b) => a - b);
}

/** Records the outcome of an open concern; false if it was no longer open (someone else got there first). */
export async function closeConcern(
  db: DbOrTransaction,
  scope: SchoolScope,
  concernId: string,
  outcome: { outcome: string; outcome_note: string | null; outcome_by: string; outcome_at: string },
): Promise<boolean> {
  const result = await db
    .updateTable('concerns')
    .set({ status: 'closed', ...outcome })
    .where('school_id', '=', scope.schoolId)
    .where('id', '=', concernId)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function reopenConcern(db: DbOrTransaction, scope: SchoolScope, concernId: string): Promise<boolean> {
  const result = await db
    .updateTable('concerns')
    .set({ status: 'open', outcome: null, outcome_note: null, outcome_by: null, outcome_at: null })
    .where('school_id', '=', scope.schoolId)
    .where('id', '=', concernId)
    .where('status', '=', 'closed')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Someone who triages concerns in the school (its SENCO, else its SEN administrator): for the demo school. */
export async function findTriager(db: DbOrTransaction, scope: SchoolScope): Promise<string | undefined> {
  const row = await db
    .selectFrom('memberships')
    .select(['user_id', 'role'])
    .where('school_id', '=', scope.schoolId)
    .where('role', 'in', ['senco', 'sen_admin'])
    .orderBy('role', 'desc')
    .orderBy('user_id')
    .executeTakeFirst();
  return row?.user_id;
}
