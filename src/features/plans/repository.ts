// The only code that reads and writes the plans tables: the school's record templates and SEN
// support cycles (assess, targets, strategies, do items, review). Every function takes the school
// scope and filters on it.
import type { Insertable } from 'kysely';
import type { DbOrTransaction } from '../../db/database.ts';
import type { Database, RecordTemplatesTable, SupportCyclesTable, SupportDoItemsTable, SupportStrategiesTable, SupportTargetsTable } from '../../db/schema.ts';
import type { SchoolScope } from '../../platform/scope.ts';

const SLICE = 500;

async function inSlices<T, R>(ids: readonly T[], run: (slice: T[]) => Promise<R[]>): Promise<R[]> {
  const rows: R[] = [];
  for (let start = 0; start < ids.length; start += SLICE) rows.push(...(await run(ids.slice(start, start + SLICE))));
  return rows;
}

/** Bulk inserts under both databases' bind-parameter limits. */
export async function insertMany<T extends keyof Database>(db: DbOrTransaction, table: T, rows: ReadonlyArray<Insertable<Database[T]>>): Promise<void> {
  if (rows.length === 0) return;
  const size = Math.max(1, Math.floor(30_000 / Object.keys(rows[0]!).length));
  for (let start = 0; start < rows.length; start += size) await db.insertInto(table).values(rows.slice(start, start + size) as never).execute();
}

// Templates ----------------------------------------------------------------------------------------

export type TemplateRow = Omit<RecordTemplatesTable, 'school_id'>;

export async function latestTemplate(db: DbOrTransaction, scope: SchoolScope, kind: string): Promise<TemplateRow | undefined> {
  const row = await db
    .selectFrom('record_templates')
    .select(['id', 'kind', 'version', 'sections', 'created_at', 'created_by'])
    .where('school_id', '=', scope.schoolId)
    .where('kind', '=', kind)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { ...row, version: Number(row.version) } : undefined;
}

export async function findTemplate(db: DbOrTransaction, scope: SchoolScope, templateId: string): Promise<TemplateRow | undefined> {
  const row = await db
    .selectFrom('record_templates')
    .select(['id', 'kind', 'version', 'sections', 'created_at', 'created_by'])
    .where('school_id', '=', scope.schoolId)
    .where('id', '=', templateId)
    .executeTakeFirst();
  return row ? { ...row, version: Number(row.version) } : undefined;
}

export async function listTemplateVersions(db: DbOrTransaction, scope: SchoolScope, kind: string): Promise<TemplateRow[]> {
  const rows = await db
    .selectFrom('record_templates')
    .select(['id', 'kind', 'version', 'sections', 'created_at', 'created_by'])
    .where('school_id', '=', scope.schoolId)
    .where('kind', '=', kind)
    .orderBy('version', 'desc')
    .execute();
  return rows.map((row) => ({ ...row, version: Number(row.version) }));
}

/** Inserts a version unless one with the same number exists (two requests writing at once): true when written. */
export async function insertTemplateVersion(db: DbOrTransaction, scope: SchoolScope, row: TemplateRow): Promise<boolean> {
  const result = await db
    .insertInto('record_templates')
    .values({ ...row, school_id: scope.schoolId })
    .onConflict((conflict) => conflict.columns(['school_id', 'kind', 'version']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** How many records point at each template version (to say "used by 12 plans"). */
export async function templateUse(db: DbOrTransaction, scope: SchoolScope, templateIds: string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (templateIds.length === 0) return counts;
  const plans = await db
    .selectFrom('support_cycles')
    .select(['plan_template_id as id', (eb) => eb.fn.countAll<number>().as('count')])
    .where('school_id', '=', scope.schoolId)
    .where('plan_template_id', 'in', templateIds)
    .groupBy('plan_template_id')
    .execute();
  const reviews = await db
    .selectFrom('support_cycles')
    .select(['review_template_id as id', (eb) => eb.fn.countAll<number>().as('count')])
    .where('school_id', '=', scope.schoolId)
    .where('review_template_id', 'in', templateIds)
    .groupBy('review_template_id')
    .execute();
  for (const row of [...plans, ...reviews]) if (row.id) counts.set(row.id, (counts.get(row.id) ?? 0) + Number(row.count));
  return counts;
}

// Cycles ---------------------------------------------------------------------------------------------

export type CycleRow = Omit<SupportCyclesTable, 'school_id' | 'assess'> & { assess: string };
export type TargetRow = Omit<SupportTargetsTable, 'school_id'>;
export type StrategyRow = Omit<SupportStrategiesTable, 'school_id'>;
export type DoItemRow = Omit<SupportDoItemsTable, 'school_id'>;

const CYCLE_COLUMNS = [
  'id', 'pupil_id', 'number', 'status', 'plan_template_id', 'assess', 'started_on', 'review_due_on', 'review_template_id', 'review', 'reviewed_on', 'next_review_on',
  'previous_cycle_id', 'created_by', 'created_at', 'updated_by', 'updated_at', 'closed_by', 'closed_at',
] as const;

function cycleOf(row: CycleRow): CycleRow {
  return { ...row, number: Number(row.number) };
}

export async function findCycle(db: DbOrTransaction, scope: SchoolScope, cycleId: string): Promise<CycleRow | undefined> {
  const row = await db.selectFrom('support_cycles').select(CYCLE_COLUMNS).where('school_id', '=', scope.schoolId).where('id', '=', cycleId).executeTakeFirst();
  return row ? cycleOf(row) : undefined;
}

export async function cyclesOfPupil(db: DbOrTransaction, scope: SchoolScope, pupilId: string): Promise<CycleRow[]> {
  const rows = await db.selectFrom('support_cycles').select(CYCLE_COLUMNS).where('school_id', '=', scope.schoolId).where('pupil_id', '=', pupilId).orderBy('number', 'desc').execute();
  return rows.map(cycleOf);
}

export async function openCycleOfPupil(db: DbOrTransaction, scope: SchoolScope, pupilId: string): Promise<CycleRow | undefined> {
  const row = await db
    .selectFrom('support_cycles')
    .select(CYCLE_COLUMNS)
    .where('school_id', '=', scope.schoolId)
    .where('pupil_id', '=', pupilId)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return row ? cycleOf(row) : undefined;
}

export async function insertCycle(db: DbOrTransaction, scope: SchoolScope, row: CycleRow): Promise<void> {
  await db.insertInto('support_cycles').values({ ...row, school_id: scope.schoolId }).execute();
}

export async function updateCycle(db: DbOrTransaction, scope: SchoolScope, cycleId: string, changes: Partial<CycleRow>): Promise<void> {
  await db.updateTable('support_cycles').set(changes).where('school_id', '=', scope.schoolId).where('id', '=', cycleId).execute();
}

export async function targetsOf(db: DbOrTransaction, scope: SchoolScope, cycleIds: string[]): Promise<TargetRow[]> {
  if (cycleIds.length === 0) return [];
  const rows = await inSlices(cycleIds, (slice) =>
    db.selectFrom('support_targets').select(['id', 'cycle_id', 'position', 'area', 'target', 'success_criterion', 'due_on', 'carried_from', 'rating', 'review_note', 'continues'])
      .where('school_id', '=', scope.schoolId).where('cycle_id', 'in', slice).orderBy('cycle_id').orderBy('position').orderBy('id').execute(),
  );
  return rows.map((row) => ({ ...row, position: Number(row.position), continues: row.continues === null ? null : (Number(row.continues) as 0 | 1) }));
}

export async function strategiesOf(db: DbOrTransaction, scope: SchoolScope, cycleIds: string[]): Promise<StrategyRow[]> {
  if (cycleIds.length === 0) return [];
  const rows = await inSlices(cycleIds, (slice) =>
    db.selectFrom('support_strategies').select(['id', 'cycle_id', 'position', 'strategy', 'carried_from'])
      .where('school_id', '=', scope.schoolId).where('cycle_id', 'in', slice).orderBy('cycle_id').orderBy('position').orderBy('id').execute(),
  );
  return rows.map((row) => ({ ...row, position: Number(row.position) }));
}

export async function doItemsOf(db: DbOrTransaction, scope: SchoolScope, cycleIds: string[]): Promise<DoItemRow[]> {
  if (cycleIds.length === 0) return [];
  const rows = await inSlices(cycleIds, (slice) =>
    db.selectFrom('support_do_items').select(['id', 'cycle_id', 'position', 'who', 'what', 'how_often', 'carried_from'])
      .where('school_id', '=', scope.schoolId).where('cycle_id', 'in', slice).orderBy('cycle_id').orderBy('position').orderBy('id').execute(),
  );
  return rows.map((row) => ({ ...row, position: Number(row.position) }));
}

export async function insertTargets(db: DbOrTransaction, scope: SchoolScope, rows: TargetRow[]): Promise<void> {
  await insertMany(db, 'support_targets', rows.map((row) => ({ ...row, school_id: scope.schoolId })));
}

export async function insertStrategies(db: DbOrTransaction, scope: SchoolScope, rows: StrategyRow[]): Promise<void> {
  await insertMany(db, 'support_strategies', rows.map((row) => ({ ...row, school_id: scope.schoolId })));
}

export async function insertDoItems(db: DbOrTransaction, scope: SchoolScope, rows: DoItemRow[]): Promise<void> {
  await insertMany(db, 'support_do_items', rows.map((row) => ({ ...row, school_id: scope.schoolId })));
}

export async function updateTarget(db: DbOrTransaction, scope: SchoolScope, targetId: string, changes: Partial<TargetRow>): Promise<void> {
  await db.updateTable('support_targets').set(changes).where('school_id', '=', scope.schoolId).where('id', '=', targetId).execute();
}

export async function deleteTarget(db: DbOrTransaction, scope: SchoolScope, targetId: string): Promise<void> {
  await db.deleteFrom('support_targets').where('school_id', '=', scope.schoolId).where('id', '=', targetId).execute();
}

export async function updateStrategy(db: DbOrTransaction, scope: SchoolScope, strategyId: string, changes: Partial<StrategyRow>): Promise<void> {
  await db.updateTable('support_strategies').set(changes).where('school_id', '=', scope.schoolId).where('id', '=', strategyId).execute();
}

export async function deleteStrategy(db: DbOrTransaction, scope: SchoolScope, strategyId: string): Promise<void> {
  await db.deleteFrom('support_strategies').where('school_id', '=', scope.schoolId).where('id', '=', strategyId).execute();
}

export async function updateDoItem(db: DbOrTransaction, scope: SchoolScope, itemId: string, changes: Partial<DoItemRow>): Promise<void> {
  await db.updateTable('support_do_items').set(changes).where('school_id', '=', scope.schoolId).where('id', '=', itemId).execute();
}

export async function deleteDoItem(db: DbOrTransaction, scope: SchoolScope, itemId: string): Promise<void> {
  await db.deleteFrom('support_do_items').where('school_id', '=', scope.schoolId).where('id', '=', itemId).execute();
}

// The plans hub --------------------------------------------------------------------------------------

export interface OpenCycleSummary {
  cycleId: string;
  pupilId: string;
  number: number;
  startedOn: string;
  reviewDueOn: string;
}

/** Open cycles whose review falls on or before a date, for pupils on roll. */
export async function openCyclesDueBy(db: DbOrTransaction, scope: SchoolScope, dueBy: string): Promise<OpenCycleSummary[]> {
  const rows = await db
    .selectFrom('support_cycles')
    .innerJoin('pupils', (join) => join.onRef('pupils.school_id', '=', 'support_cycles.school_id').onRef('pupils.id', '=', 'support_cycles.pupil_id'))
    .select(['support_cycles.id', 'support_cycles.pupil_id', 'support_cycles.number', 'support_cycles.started_on', 'support_cycles.review_due_on'])
    .where('support_cycles.school_id', '=', scope.schoolId)
    .where('support_cycles.status', '=', 'open')
    .where('support_cycles.review_due_on', '<=', dueBy)
    .where('pupils.on_roll', '=', 1)
    .execute();
  return rows.map((row) => ({ cycleId: row.id, pupilId: row.pupil_id, number: Number(row.number), startedOn: row.started_on, reviewDueOn: row.review_due_on }));
}

/** Pupils on roll on SEN support (K) or with an EHC plan (E) who have no open cycle. */
export async function pupilsWithoutOpenPlan(db: DbOrTransaction, scope: SchoolScope): Promise<string[]> {
  const rows = await db
    .selectFrom('pupils')
    .select('pupils.id')
    .where('pupils.school_id', '=', scope.schoolId)
    .where('pupils.on_roll', '=', 1)
    .where('pupils.sen_provision', 'in', ['K', 'E'])
    .where((eb) =>
      eb.not(
        eb.exists(
          eb.selectFrom('support_cycles').select('support_cycles.id')
            .whereRef('support_cycles.school_id', '=', 'pupils.school_id')
            .whereRef('support_cycles.pupil_id', '=', 'pupils.id')
            .where('support_cycles.status', '=', 'open'),
        ),
      ),
    )
    .execute();
  return rows.map((row) => row.id);
}

/** When each pupil's last review was held (closed cycles), for the "no open plan" list. */
export async function lastReviewedOn(db: DbOrTransaction, scope: SchoolScope, pupilIds: string[]): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  const rows = await inSlices(pupilIds, (slice) =>
    db.selectFrom('support_cycles')
      .select(['pupil_id', (eb) => eb.fn.max<string>('reviewed_on').as('reviewed_on')])
      .where('school_id', '=', scope.schoolId).where('pupil_id', 'in', slice).where('status', '=', 'closed')
      .groupBy('pupil_id').execute(),
  );
  for (const row of rows) if (row.reviewed_on) map.set(row.pupil_id, row.reviewed_on);
  return map;
}
