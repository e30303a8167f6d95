// The only code that reads and writes pupil_documents and pupil_document_files. Listing never reads
// a file's bytes; only a download does. Every function takes the school scope and filters on it.
import type { DbOrTransaction } from '../../db/database.ts';
import type { PupilDocumentsTable } from '../../db/schema.ts';
import type { SchoolScope } from '../../platform/scope.ts';

export type DocumentRow = Omit<PupilDocumentsTable, 'school_id'>;

function normalise(row: PupilDocumentsTable): DocumentRow {
  const { school_id: _school, ...rest } = row;
  return { ...rest, size_bytes: Number(rest.size_bytes), confidential: Number(rest.confidential) === 1 ? 1 : 0 };
}

/** A document and its bytes, in the caller's transaction. */
export async function insertDocument(db: DbOrTransaction, scope: SchoolScope, row: DocumentRow, body: Uint8Array): Promise<void> {
  await db.insertInto('pupil_documents').values({ ...row, school_id: scope.schoolId }).execute();
  await db.insertInto('pupil_document_files').values({ school_id: scope.schoolId, document_id: row.id, body }).execute();
}

/** A pupil's documents that have not been removed, newest first. */
export async function listPupilDocuments(db: DbOrTransaction, scope: SchoolScope, pupilId: string): Promise<DocumentRow[]> {
  const rows = await db
    .selectFrom('pupil_documents')
    .selectAll()
    .where('school_id', '=', scope.schoolId)
    .where('pupil_id', '=', pupilId)
    .where('removed_at', 'is', null)
    .orderBy('document_date', 'desc')
    .orderBy('uploaded_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(normalise);
}

export async function findDocument(db: DbOrTransaction, scope: SchoolScope, pupilId: string, documentId: string): Promise<DocumentRow | undefined> {
  const row = await db
    .selectFrom('pupil_documents')
    .selectAll()
    .where('school_id', '=', scope.schoolId)
    .where('pupil_id', '=', pupilId)
    .where('id', '=', documentId)
    .executeTakeFirst();
  return row ? normalise(row) : undefined;
}

export async function readDocumentBody(db: DbOrTransaction, scope: SchoolScope, documentId: string): Promise<Uint8Array | undefined> {
  const row = await db
    .selectFrom('pupil_document_files')
    .select('body')
    .where('school_id', '=', scope.schoolId)
    .where('document_id', '=', documentId)
    .executeTakeFirst();
  return row?.body;
}

export async function markRemoved(db: DbOrTransaction, scope: SchoolScope, documentId: string, by: string, at: string): Promise<boolean> {
  const result = await db
    .updateTable('pupil_documents')
    .set({ removed_by: by, removed_at: at })
    .where('school_id', '=', scope.schoolId)
    .where('id', '=', documentId)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** The evidence attached to concerns (not removed), oldest first. */
export async function listConcernEvidence(db: DbOrTransaction, scope: SchoolScope, concernIds: readonly string[]): Promise<DocumentRow[]> {
  if (concernIds.length === 0) return [];
  const rows: DocumentRow[] = [];
  for (let start = 0; start < concernIds.length; start += 500) {
    const slice = await db
      .selectFrom('pupil_documents')
      .selectAll()
      .where('school_id', '=', scope.schoolId)
      .where('concern_id', 'in', concernIds.slice(start, start + 500))
      .where('removed_at', 'is', null)
      .orderBy('uploaded_at')
      .orderBy('id')
      .execute();
    rows.push(...slice.map(normalise));
  }
  return rows;
}
