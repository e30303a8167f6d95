// The only SQL of pupil passports: their versions (every save is a new row), and read-only looks at
// what a passport is filled from (the open plan's strategies, the pupil's latest views) and at who a
// member of staff teaches ("My class"). Everything takes the school scope first.
import type { DbOrTransaction } from '../../db/database.ts';
import type { PupilPassportsTable } from '../../db/schema.ts';
import type { SchoolScope } from '../../platform/scope.ts';

export type PassportRow = Omit<PupilPassportsTable, 'school_id'>;

const PASSPORT_COLUMNS = ['id', 'pupil_id', 'version', 'template_id', 'sections', 'strategies', 'restored_from', 'created_by', 'created_at'] as const;

const numbered = (row: PassportRow): PassportRow => ({ ...row, version: Number(row.version), restored_from: row.restored_from === null ? null : Number(row.restored_from) });

// Passports ----------------------------------------------------------------------------------------

/** Every version of a pupil's passport, newest first. */
export async function listVersions(db: DbOrTransaction, scope: SchoolScope, pupilId: string): Promise<PassportRow[]> {
  const rows = await db
    .selectFrom('pupil_passports')
    .select([...PASSPORT_COLUMNS])
    .where('school_id', '=', scope.schoolId)
    .where('pupil_id', '=', pupilId)
    .orderBy('version', 'desc')
    .execute();
  return rows.map(numbered);
}

export async function latestVersion(db: DbOrTransaction, scope: SchoolScope, pupilId: string): Promise<PassportRow | undefined> {
  const row = await db
    .selectFrom('pupil_passports')
    .select([...PASSPORT_COLUMNS])
    .where('school_id', '=', scope.schoolId)
    .where('pupil_id', '=', pupilId)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? numbered(row) : undefined;
}

export async function findVersion(db: DbOrTransaction, scope: SchoolScope, pupilId: string, passportId: string): Promise<PassportRow | undefined> {
  const row = await db
    .selectFrom('pupil_passports')
    .select([...PASSPORT_COLUMNS])
    .where('school_id', '=', scope.schoolId)
    .where('pupil_id', '=', pupilId)
    .where('id', '=', passportId)
    .executeTakeFirst();
  return row ? numbered(row) : undefined;
}

/** The newest version of each pupil's passport (pupils without one are absent). */
export async function latestVersionsOf(db: DbOrTransaction, scope: SchoolScope, pupilIds: readonly string[]): Promise<PassportRow[]> {
  const rows: PassportRow[] = [];
  for (let start = 0; start < pupilIds.length; start += 500) {
    const slice = pupilIds.slice(start, start + 500);
    const found = await db
      .selectFrom('pupil_passports as p')
      .select(['p.id', 'p.pupil_id', 'p.version', 'p.template_id', 'p.sections', 'p.strategies', 'p.restored_from', 'p.created_by', 'p.created_at'])
      .where('p.school_id', '=', scope.schoolId)
      .where('p.pupil_id', 'in', slice)
      .where((eb) =>
        eb(
          'p.version',
          '=',
          eb.selectFrom('pupil_passports as q').select((inner) => inner.fn.max('q.version').as('latest')).whereRef('q.school_id', '=', 'p.school_id').whereRef('q.pupil_id', '=', 'p.pupil_id'),
        ),
      )
      .execute();
    rows.push(...found.map(numbered));
  }
  return rows;
}

/** Writes a version unless that number is already taken (two saves at once): true when written. */
export async function insertVersion(db: DbOrTransaction, scope: SchoolScope, row: PassportRow): Promise<boolean> {
  const result = await db
    .insertInto('pupil_passports')
    .values({ ...row, school_id: scope.schoolId })
    .onConflict((conflict) => conflict.columns(['school_id', 'pupil_id', 'version']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

// What a passport is filled from (read-only) -------------------------------------------------------

/** The strategies of each pupil's open SEN support cycle, in the plan's order. */
export async function openPlanStrategies(db: DbOrTransaction, scope: SchoolScope, pupilIds: readonly string[]): Promise<Array<{ pupil_id: string; cycle_id: string; strategy: string }>> {
  if (pupilIds.length === 0) return [];
  const rows = [];
  for (let start = 0; start < pupilIds.length; start += 500) {
    rows.push(
      ...(await db
        .selectFrom('support_strategies as s')
        .innerJoin('support_cycles as c', (join) => join.onRef('c.school_id', '=', 's.school_id').onRef('c.id', '=', 's.cycle_id'))
        .select(['c.pupil_id', 's.cycle_id', 's.strategy'])
        .where('s.school_id', '=', scope.schoolId)
        .where('c.status', '=', 'open')
        .where('c.pupil_id', 'in', pupilIds.slice(start, start + 500))
        .orderBy('c.pupil_id')
        .orderBy('s.position')
        .execute()),
    );
  }
  return rows;
}

/** Whether the pupil has an open SEN support cycle (a plan to fill from). */
export async function hasOpenPlan(db: DbOrTransaction, scope: SchoolScope, pupilId: string): Promise<boolean> {
  const row = await db.selectFrom('support_cycles').select('id').where('school_id', '=', scope.schoolId).where('pupil_id', '=', pupilId).where('status', '=', 'open').executeTakeFirst();
  return Boolean(row);
}

/** The pupil's most recently submitted views (a contribution request answered by the pupil). */
export async function latestPupilContribution(db: DbOrTransaction, scope: SchoolScope, pupilId: string) {
  return db
    .selectFrom('contribution_requests')
    .select(['id', 'cycle_id', 'template_id', 'answers', 'submitted_at'])
    .where('school_id', '=', scope.schoolId)
    .where('pupil_id', '=', pupilId)
    .where('respondent', '=', 'pupil')
    .where('submitted_at', 'is not', null)
    .where('answers', 'is not', null)
    .orderBy('submitted_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

// My class ------------------------------------------------------------------------------------------

/** The groups a member of staff teaches or supports, with how many pupils with SEN support or an EHC plan are in each. */
export async function groupsStaffedBy(db: DbOrTransaction, scope: SchoolScope, userId: string) {
  return db
    .selectFrom('group_staff as gs')
    .innerJoin('teaching_groups as g', (join) => join.onRef('g.school_id', '=', 'gs.school_id').onRef('g.id', '=', 'gs.group_id'))
    .select(['g.id', 'g.name', 'g.kind', 'g.subject', 'g.year_group'])
    .where('gs.school_id', '=', scope.schoolId)
    .where('gs.user_id', '=', userId)
    .orderBy('g.name')
    .orderBy('g.id')
    .execute();
}

/** Pupils on roll with SEN support (K) or an EHC plan (E) in the given groups, and which of the groups each is in. */
export async function senPupilsInGroups(db: DbOrTransaction, scope: SchoolScope, groupIds: readonly string[]) {
  if (groupIds.length === 0) return [];
  return db
    .selectFrom('group_members as m')
    .innerJoin('pupils as p', (join) => join.onRef('p.school_id', '=', 'm.school_id').onRef('p.id', '=', 'm.pupil_id'))
    .select(['m.group_id', 'p.id', 'p.legal_forename', 'p.legal_surname', 'p.preferred_forename', 'p.preferred_surname', 'p.year_group', 'p.registration_group', 'p.sen_provision', 'p.primary_need'])
    .where('m.school_id', '=', scope.schoolId)
    .where('m.group_id', 'in', [...groupIds])
    .where('p.on_roll', '=', 1)
    .where('p.sen_provision', 'in', ['K', 'E'])
    .orderBy('p.legal_surname')
    .orderBy('p.legal_forename')
    .orderBy('p.id')
    .execute();
}

/** The pupil's facts a passport shows beside its text. */
export async function findPupil(db: DbOrTransaction, scope: SchoolScope, pupilId: string) {
  return db
    .selectFrom('pupils')
    .select(['id', 'legal_forename', 'legal_surname', 'preferred_forename', 'preferred_surname', 'year_group', 'registration_group', 'sen_provision', 'primary_need', 'on_roll'])
    .where('school_id', '=', scope.schoolId)
    .where('id', '=', pupilId)
    .executeTakeFirst();
}

export async function schoolName(db: DbOrTransaction, scope: SchoolScope): Promise<string | undefined> {
  return (await db.selectFrom('schools').select('name').where('id', '=', scope.schoolId).executeTakeFirst())?.name;
}
