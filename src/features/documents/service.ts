// A pupil's uploaded documents: reports from educational psychologists, speech and language and
// occupational therapists, medical and social care letters, files from a previous school, and the
// evidence staff attach to a concern. A file is accepted only if its bytes say it is a PDF, DOCX, JPEG
// or PNG; confidential documents are opened only by the SENCO and SEN administrator; removal is soft.
// Every upload and removal commits with its audit event; every list and download is audited.
import * as auth from '../../platform/auth/service.ts';
import type { AppContext, ChronologyEvent } from '../../platform/context.ts';
import { schoolToday } from '../../platform/dates.ts';
import { ForbiddenError, NotFoundError, ValidationError, type FieldError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { can, type Actor } from '../../platform/permissions.ts';
import { schoolScope, type SchoolScope } from '../../platform/scope.ts';
import type { DbOrTransaction } from '../../db/database.ts';
import { formatBytes } from '../imports/file-check.ts';
import * as register from '../register/service.ts';
import * as repository from './repository.ts';
import {
  DOCUMENT_TYPES,
  DocumentFileError,
  EVIDENCE_CATEGORY,
  categoryLabel,
  documentDetailsProblems,
  documentEventTitle,
  mayOpenDocument,
  typeOfContent,
  verifyFile,
  visibleDocuments,
  type DocumentDetailsInput,
  type UploadedFileInput,
  type VerifiedFile,
} from './rules.ts';

export type { DocumentRow } from './repository.ts';

function pupilResource(actor: Actor, pupilId: string) {
  return { kind: 'pupil' as const, schoolId: actor.schoolId, pupilId };
}

const FORMER_STAFF = 'A former member of staff';

export interface DocumentView {
  id: string;
  pupilId: string;
  title: string;
  category: string;
  categoryLabel: string;
  documentDate: string;
  filename: string;
  size: string;
  /** What the file is (verified at upload): PDF, Word document, JPEG image or PNG image. */
  typeLabel: string;
  confidential: boolean;
  concernId: string | null;
  uploadedBy: string;
  uploadedAt: string;
  href: string;
}

function typeLabel(contentType: string): string {
  const type = typeOfContent(contentType);
  return type ? DOCUMENT_TYPES[type].label : 'File';
}

function documentView(row: repository.DocumentRow, names: Map<string, string>): DocumentView {
  return {
    id: row.id,
    pupilId: row.pupil_id,
    title: row.title,
    category: row.category,
    categoryLabel: categoryLabel(row.category),
    documentDate: row.document_date,
    filename: row.filename,
    size: formatBytes(row.size_bytes),
    typeLabel: typeLabel(row.content_type),
    confidential: row.confidential === 1,
    concernId: row.concern_id,
    uploadedBy: row.uploaded_by ? (names.get(row.uploaded_by) ?? FORMER_STAFF) : 'SENCO Desk',
    uploadedAt: row.uploaded_at,
    href: `/pupils/${row.pupil_id}/documents/${row.id}`,
  };
}

// The Documents tab ----------------------------------------------------------------------------------

export async function getPupilDocuments(ctx: AppContext, actor: Actor, pupilId: string, ip: string) {
  const summary = await register.getPupilSummary(ctx, actor, pupilId, ip, 'documents');
  const scope = schoolScope(actor.schoolId);
  const rows = await repository.listPupilDocuments(ctx.db, scope, pupilId);
  const { shown, hiddenConfidential } = visibleDocuments(actor, pupilId, rows);
  const names = await auth.staffDisplayNames(ctx, actor.schoolId, shown.map((row) => row.uploaded_by));
  return {
    ...summary,
    documents: shown.map((row) => documentView(row, names)),
    hiddenConfidential,
    canUpload: can(actor, 'document.upload', pupilResource(actor, pupilId)),
  };
}

export async function getUploadForm(ctx: AppContext, actor: Actor, pupilId: string, ip: string) {
  return register.getPupilSummary(ctx, actor, pupilId, ip, 'document-upload-form');
}

async function requirePupil(ctx: AppContext, scope: SchoolScope, pupilId: string) {
  const pupil = (await register.pupilFacts(ctx, scope, [pupilId])).get(pupilId);
  if (!pupil) throw new NotFoundError('No pupil with that record in this school');
  return pupil;
}

/** Stores one document with its file; every problem with the details and the file is reported at once. */
export async function uploadDocument(ctx: AppContext, actor: Actor, pupilId: string, input: DocumentDetailsInput, file: UploadedFileInput | undefined, ip: string): Promise<string> {
  if (!can(actor, 'document.upload', pupilResource(actor, pupilId))) throw new ForbiddenError();
  const scope = schoolScope(actor.schoolId);
  await requirePupil(ctx, scope, pupilId);
  const problems: FieldError[] = documentDetailsProblems(input, schoolToday());
  let verified: VerifiedFile | undefined;
  if (!file || (!file.filename && file.bytes.length === 0)) problems.push({ field: 'file', message: 'Select the file to upload' });
  else {
    try {
      verified = verifyFile(file);
    } catch (error) {
      if (!(error instanceof DocumentFileError)) throw error;
      problems.push({ field: 'file', message: error.message });
    }
  }
  if (problems.length || !verified) throw new ValidationError(problems);
  const id = newId();
  const now = new Date().toISOString();
  const row: repository.DocumentRow = {
    id,
    pupil_id: pupilId,
    title: input.title.trim(),
    category: input.category,
    document_date: input.documentDate,
    filename: verified.filename,
    content_type: verified.contentType,
    size_bytes: verified.sizeBytes,
    sha256: verified.sha256,
    confidential: input.confidential ? 1 : 0,
    concern_id: null,
    uploaded_by: actor.userId,
    uploaded_at: now,
    removed_by: null,
    removed_at: null,
  };
  await ctx.db.transaction().execute(async (trx) => {
    await repository.insertDocument(trx, scope, row, verified.bytes);
    await ctx.audit.record(trx, {
      schoolId: actor.schoolId, action: 'document.uploaded', pupilId, actorUserId: actor.userId, actorLabel: actor.displayName, ip, at: now,
      detail: auditDetail(row),
    });
  });
  return id;
}

/** What the audit log says about a document: a confidential one's title and file name stay out of it. */
function auditDetail(row: repository.DocumentRow): Record<string, unknown> {
  return {
    documentId: row.id,
    category: row.category,
    confidential: row.confidential === 1,
    ...(row.confidential === 1 ? {} : { title: row.title, filename: row.filename }),
    contentType: row.content_type,
    sizeBytes: row.size_bytes,
    sha256: row.sha256,
    ...(row.concern_id ? { concernId: row.concern_id } : {}),
  };
}

// Downloading and removing -----------------------------------------------------------------------------

/** A document the actor may open, or NotFound (no such document, or removed) / Forbidden (confidential). */
async function openableDocument(ctx: AppContext, actor: Actor, pupilId: string, documentId: string): Promise<repository.DocumentRow> {
  const row = await repository.findDocument(ctx.db, schoolScope(actor.schoolId), pupilId, documentId);
  if (!row || row.removed_at) throw new NotFoundError('This document has been removed, or the link is wrong');
  if (!mayOpenDocument(actor, pupilId, row)) throw new ForbiddenError('This document is confidential: only the SENCO and SEN administrator can open it');
  return row;
}

export async function downloadDocument(ctx: AppContext, actor: Actor, pupilId: string, documentId: string, ip: string) {
  const row = await openableDocument(ctx, actor, pupilId, documentId);
  const body = await repository.readDocumentBody(ctx.db, schoolScope(actor.schoolId), documentId);
  if (!body) throw new NotFoundError('The file for this document is missing');
  ctx.audit.recordRead({
    schoolId: actor.schoolId, action: 'document.downloaded', pupilId, actorUserId: actor.userId, actorLabel: actor.displayName, ip,
    detail: { documentId, category: row.category, confidential: row.confidential === 1 },
  });
  return { filename: row.filename, contentType: row.content_type, body: Buffer.from(body.buffer, body.byteOffset, body.byteLength) };
}

export async function getRemoval(ctx: AppContext, actor: Actor, pupilId: string, documentId: string, ip: string) {
  if (!can(actor, 'document.upload', pupilResource(actor, pupilId))) throw new ForbiddenError();
  const row = await openableDocument(ctx, actor, pupilId, documentId);
  const summary = await register.getPupilSummary(ctx, actor, pupilId, ip, 'document-remove-form');
  const names = await auth.staffDisplayNames(ctx, actor.schoolId, [row.uploaded_by]);
  return { ...summary, document: documentView(row, names) };
}

/** Soft removal: the document leaves the list and the chronology; the audit log keeps what happened. */
export async function removeDocument(ctx: AppContext, actor: Actor, pupilId: string, documentId: string, ip: string): Promise<DocumentView> {
  if (!can(actor, 'document.upload', pupilResource(actor, pupilId))) throw new ForbiddenError();
  const row = await openableDocument(ctx, actor, pupilId, documentId);
  const scope = schoolScope(actor.schoolId);
  const now = new Date().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    if (!(await repository.markRemoved(trx, scope, documentId, actor.userId, now))) throw new NotFoundError('This document has already been removed');
    await ctx.audit.record(trx, {
      schoolId: actor.schoolId, action: 'document.removed', pupilId, actorUserId: actor.userId, actorLabel: actor.displayName, ip, at: now,
      detail: auditDetail(row),
    });
  });
  return documentView(row, new Map());
}

// The chronology -----------------------------------------------------------------------------------------

/** Documents uploaded for a pupil (a concern's evidence is shown with the concern instead). */
export async function documentChronology(ctx: AppContext, actor: Actor, pupilId: string): Promise<ChronologyEvent[]> {
  if (!can(actor, 'document.view', pupilResource(actor, pupilId))) return [];
  const rows = (await repository.listPupilDocuments(ctx.db, schoolScope(actor.schoolId), pupilId)).filter((row) => !row.concern_id);
  const names = await auth.staffDisplayNames(ctx, actor.schoolId, rows.map((row) => row.uploaded_by));
  return rows.map((row) => {
    const mayOpen = mayOpenDocument(actor, pupilId, row);
    return {
      date: row.document_date,
      recordedAt: row.uploaded_at,
      category: 'document',
      title: documentEventTitle(row, mayOpen),
      detail: mayOpen ? [categoryLabel(row.category) + (row.confidential ? ' (confidential)' : '')] : [],
      by: row.uploaded_by ? (names.get(row.uploaded_by) ?? FORMER_STAFF) : null,
      ...(mayOpen ? { href: `/pupils/${pupilId}/documents/${row.id}` } : {}),
    };
  });
}

// For concerns: evidence files ----------------------------------------------------------------------------

export const MAX_EVIDENCE_FILES = 5;

/** Checks each evidence file; the problems name the files. */
export function verifyEvidence(files: readonly UploadedFileInput[]): { verified: VerifiedFile[]; problems: FieldError[] } {
  const verified: VerifiedFile[] = [];
  const problems: FieldError[] = [];
  const chosen = files.filter((file) => file.filename || file.bytes.length > 0);
  if (chosen.length > MAX_EVIDENCE_FILES) problems.push({ field: 'evidence', message: `Attach up to ${MAX_EVIDENCE_FILES} files` });
  for (const file of chosen.slice(0, MAX_EVIDENCE_FILES)) {
    try {
      verified.push(verifyFile(file, { nameInMessage: true }));
    } catch (error) {
      if (!(error instanceof DocumentFileError)) throw error;
      problems.push({ field: 'evidence', message: error.message });
    }
  }
  return { verified, problems };
}

/** Stores a concern's evidence as the pupil's documents (not confidential), in the concern's transaction. */
export async function attachEvidence(
  trx: DbOrTransaction,
  scope: SchoolScope,
  input: { pupilId: string; concernId: string; files: readonly VerifiedFile[]; userId: string | null; at: string; documentDate: string },
): Promise<Array<Record<string, unknown>>> {
  const details: Array<Record<string, unknown>> = [];
  for (const file of input.files) {
    const row: repository.DocumentRow = {
      id: newId(),
      pupil_id: input.pupilId,
      title: file.filename.replace(/\.[A-Za-z0-9]+$/, '') || 'Evidence',
      category: EVIDENCE_CATEGORY,
      document_date: input.documentDate,
      filename: file.filename,
      content_type: file.contentType,
      size_bytes: file.sizeBytes,
      sha256: file.sha256,
      confidential: 0,
      concern_id: input.concernId,
      uploaded_by: input.userId,
      uploaded_at: input.at,
      removed_by: null,
      removed_at: null,
    };
    await repository.insertDocument(trx, scope, row, file.bytes);
    details.push(auditDetail(row));
  }
  return details;
}

/** The evidence attached to each concern, as the actor may open it. */
export async function evidenceFor(ctx: AppContext, actor: Actor, concerns: ReadonlyArray<{ id: string; pupilId: string }>): Promise<Map<string, DocumentView[]>> {
  const rows = await repository.listConcernEvidence(ctx.db, schoolScope(actor.schoolId), concerns.map((concern) => concern.id));
  const byConcern = new Map<string, DocumentView[]>();
  for (const row of rows) {
    if (!row.concern_id || !mayOpenDocument(actor, row.pupil_id, row)) continue;
    const list = byConcern.get(row.concern_id) ?? [];
    list.push(documentView(row, new Map()));
    byConcern.set(row.concern_id, list);
  }
  return byConcern;
}
