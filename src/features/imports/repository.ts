// The only code that touches import_batches and import_mappings. Every query takes the school scope.
import type { DbOrTransaction, Dialect } from '../../db/database.ts';
import type { ImportBatchesTable } from '../../db/schema.ts';
import type { SchoolScope } from '../../platform/scope.ts';

export type BatchStatus = 'uploaded' | 'previewed' | 'committed' | 'discarded';

export async function insertBatch(db: DbOrTransaction, scope: SchoolScope, batch: Omit<ImportBatchesTable, 'school_id'>): Promise<void> {
  await db.insertInto('import_batches').values({ ...batch, school_id: scope.schoolId }).execute();
}

export async function findBatch(db: DbOrTransaction, scope: SchoolScope, batchId: string, options: { lock?: Dialect } = {}) {
  let query = db.selectFrom('import_batches').selectAll().where('school_id', '=', scope.schoolId).where('id', '=', batchId);
  // Postgres: a second confirm of the same batch waits for the first, then sees it committed.
  if (options.lock === 'postgres') query = query.forUpdate();
  return query.executeTakeFirst();
}

/** Moves a batch on only from the status the caller saw, so two confirms cannot both apply it. */
export async function updateBatch(
  db: DbOrTransaction,
  scope: SchoolScope,
  batchId: string,
  fromStatuses: BatchStatus[],
  changes: Partial<Pick<ImportBatchesTable, 'status' | 'summary' | 'payload' | 'committed_at'>>,
): Promise<boolean> {
  const result = await db
    .updateTable('import_batches')
    .set(changes)
    .where('school_id', '=', scope.schoolId)
    .where('id', '=', batchId)
    .where('status', 'in', fromStatuses)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function listBatches(db: DbOrTransaction, scope: SchoolScope, limit: number) {
  return db
    .selectFrom('import_batches')
    .leftJoin('users', 'users.id', 'import_batches.created_by')
    .select([
      'import_batches.id',
      'import_batches.kind',
      'import_batches.filename',
      'import_batches.status',
      'import_batches.summary',
      'import_batches.created_by',
      'import_batches.created_at',
      'import_batches.committed_at',
      'users.display_name as created_by_name',
    ])
    .where('import_batches.school_id', '=', scope.schoolId)
    .orderBy('import_batches.created_at', 'desc')
    .orderBy('import_batches.id', 'desc')
    .limit(limit)
    .execute();
}

/** Earlier commits of the same file, so the preview can say it was imported before. */
export async function findCommittedByHash(db: DbOrTransaction, scope: SchoolScope, sha256: string, exceptBatchId: string) {
  return db
    .selectFrom('import_batches')
    .select(['id', 'committed_at'])
    .where('school_id', '=', scope.schoolId)
    .where('file_sha256', '=', sha256)
    .where('status', '=', 'committed')
    .where('id', '!=', exceptBatchId)
    .orderBy('committed_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function findMapping(db: DbOrTransaction, scope: SchoolScope, signature: string) {
  return db
    .selectFrom('import_mappings')
    .select(['mapping', 'updated_at'])
    .where('school_id', '=', scope.schoolId)
    .where('header_signature', '=', signature)
    .executeTakeFirst();
}

export async function saveMapping(db: DbOrTransaction, scope: SchoolScope, signature: string, mapping: string, now: string): Promise<void> {
  await db
    .insertInto('import_mappings')
    .values({ school_id: scope.schoolId, header_signature: signature, mapping, updated_at: now })
    .onConflict((conflict) => conflict.columns(['school_id', 'header_signature']).doUpdateSet({ mapping, updated_at: now }))
    .execute();
}

export async function findSchool(db: DbOrTransaction, schoolId: string) {
  return db.selectFrom('schools').select(['id', 'name', 'urn', 'laestab']).where('id', '=', schoolId).executeTakeFirst();
}

export async function findSchoolByUrn(db: DbOrTransaction, urn: string) {
  return db.selectFrom('schools').select(['id', 'name', 'urn', 'laestab']).where('urn', '=', urn).execute();
}

export async function listSchools(db: DbOrTransaction) {
  return db.selectFrom('schools').select(['id', 'name', 'urn', 'laestab']).orderBy('name').execute();
}

/** Unconfirmed batches older than the cut-off lose their parsed pupils: children's data is not kept without a purpose. */
export async function expireStaleBatches(db: DbOrTransaction, scope: SchoolScope, createdBefore: string): Promise<number> {
  const result = await db
    .updateTable('import_batches')
    .set({ status: 'discarded', payload: null })
    .where('school_id', '=', scope.schoolId)
    .where('status', 'in', ['uploaded', 'previewed'])
    .where('created_at', '<', createdBefore)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
