// Bringing a school's data in: upload → preview → confirm, the same for the web and the command line.
// The preview is stored with its batch (stateless), and confirming applies exactly what was previewed
// in one transaction with its audit event: nothing is ever half-imported.
import { createHash } from 'node:crypto';
import type { AppContext } from '../../platform/context.ts';
import { toCsv } from '../../platform/csv.ts';
import { schoolToday } from '../../platform/dates.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { schoolScope, type SchoolScope } from '../../platform/scope.ts';
import type { DbOrTransaction } from '../../db/database.ts';
import { applyImportedPupils, diffImportedPupil, matchImportedPupils, type PupilRecordInput } from '../register/service.ts';
import { parseCtf, type CtfHeader } from './ctf.ts';
import { KIND_LABELS, ImportFileError, checkFileBasics, checkZipDirectory, decodeText, detectKind, type ImportKind } from './file-check.ts';
import {
  TARGET_FIELDS,
  TARGETS_BY_KEY,
  fieldNamesFor,
  headerSignature,
  isTargetKey,
  mappingProblems,
  rowToRecord,
  suggestMapping,
  type ColumnMapping,
  type SpreadsheetTable,
  type TargetKey,
} from './mapping.ts';
import * as repository from './repository.ts';
import { validateRows, type ParsedRow, type RowProblem } from './rows.ts';
import { readCsv, readXlsx } from './spreadsheet.ts';

export { ImportFileError } from './file-check.ts';

/** Who is importing: a signed-in member of staff, or the command line (no user). */
export interface ImportActor {
  schoolId: string;
  userId: string | null;
  label: string;
  ip: string | null;
}

/** A batch that cannot take the step asked for (already confirmed, discarded, waiting for a mapping). */
export class ImportStateError extends Error {}

export interface RejectedRow {
  line: number;
  upn: string | null;
  name: string;
  problems: RowProblem[];
}

export interface PreviewEntry {
  line: number;
  upn: string | null;
  name: string;
  outcome: 'new' | 'changed' | 'unchanged';
  changes: string[];
}

export interface ImportCounts {
  total: number;
  new: number;
  changed: number;
  unchanged: number;
  rejected: number;
}

export interface ImportResult {
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  committedAt: string;
}

export interface BatchSummary {
  kind: ImportKind;
  filename: string;
  bytes: number;
  actorLabel: string;
  ctf?: CtfHeader;
  spreadsheet?: { columns: number; rows: number; mappingSavedAt: string | null; mappingRemembered: boolean };
  warnings: string[];
  counts?: ImportCounts;
  previewedAt?: string;
  result?: ImportResult;
  discardedAt?: string;
}

interface BatchPayload {
  v: 1;
  table?: SpreadsheetTable;
  mapping?: ColumnMapping;
  records?: Array<{ line: number; record: PupilRecordInput }>;
  rejected?: RejectedRow[];
  entries?: PreviewEntry[];
}

/** A mapping as a person writes it (CLI --mapping): field → column heading, or column number from 1. */
export type MappingInput = Partial<Record<string, string | number>>;

export const PREVIEW_LIST_LIMIT = 200;
export const RECENT_BATCHES = 20;
/** A register of tens of thousands of rows unpacks to tens of megabytes; far more is a zip bomb. */
export const MAX_UNPACKED_XLSX_BYTES = 200 * 1024 * 1024;

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Browsers may send a path ("C:\fakepath\…"); keep the name alone, printable and short. */
export function safeFilename(filename: string): string {
  const base = filename.split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 200);
  return cleaned || 'upload';
}

function parseJson<T>(value: string | null): T | undefined {
  if (!value) return undefined;
  try {
    return JSON.parse(value) as T;
  } catch {
    return undefined;
  }
}

function summaryOf(batch: { summary: string | null }): BatchSummary {
  return parseJson<BatchSummary>(batch.summary) ?? { kind: 'csv', filename: '', bytes: 0, actorLabel: '', warnings: [] };
}

function payloadOf(batch: { payload: string | null }): BatchPayload {
  return parseJson<BatchPayload>(batch.payload) ?? { v: 1 };
}

// Preview ----------------------------------------------------------------------------------------

interface Preview {
  records: Array<{ line: number; record: PupilRecordInput }>;
  rejected: RejectedRow[];
  entries: PreviewEntry[];
  counts: ImportCounts;
}

/** Matches the valid rows against the register and says what importing each would do. */
async function computePreview(db: DbOrTransaction, scope: SchoolScope, rows: ParsedRow[]): Promise<Preview> {
  const valid = rows.filter((row): row is ParsedRow & { record: PupilRecordInput } => row.problems.length === 0 && Boolean(row.record));
  const rejected = rows
    .filter((row) => row.problems.length > 0 || !row.record)
    .map((row) => ({ line: row.line, upn: row.upn, name: row.name, problems: row.problems }));
  const matches = await matchImportedPupils(db, scope, valid.map((row) => row.record));
  const entries: PreviewEntry[] = matches.map((match, index) => {
    const row = valid[index]!;
    const diff = diffImportedPupil(match);
    return { line: row.line, upn: row.upn, name: row.name, outcome: diff.outcome, changes: diff.changes };
  });
  const counts: ImportCounts = { total: rows.length, new: 0, changed: 0, unchanged: 0, rejected: rejected.length };
  for (const entry of entries) counts[entry.outcome] += 1;
  return { records: valid.map((row) => ({ line: row.line, record: row.record })), rejected, entries, counts };
}

function destinationWarning(header: CtfHeader, school: { name: string; urn: string | null; laestab: string | null } | undefined): string | undefined {
  if (!school) return undefined;
  const dest = header.dest;
  const destLaestab = dest.lea && dest.estab ? `${dest.lea}${dest.estab}` : null;
  const urnDiffers = Boolean(dest.urn && school.urn && dest.urn !== school.urn);
  const laestabDiffers = Boolean(destLaestab && school.laestab && destLaestab !== school.laestab && !/^X+$/i.test(dest.estab ?? ''));
  if (!urnDiffers && !laestabDiffers) return undefined;
  const named = [urnDiffers ? `URN ${dest.urn}` : null, laestabDiffers ? `LAESTAB ${destLaestab}` : null].filter(Boolean).join(', ');
  return `This CTF was made for another school (${named}), not ${school.name}: check it is the right file before you confirm`;
}

/** A mapping as typed on the command line or stored, checked against the file's headings. */
export function resolveMapping(input: MappingInput, headers: string[]): { mapping: ColumnMapping; problems: string[] } {
  const mapping: ColumnMapping = {};
  const problems: string[] = [];
  const normalised = headers.map((header) => header.trim().toLowerCase());
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined || value === null || value === '') continue;
    if (!isTargetKey(key)) {
      problems.push(`"${key}" is not a field SENCO Desk imports: use one of ${TARGET_FIELDS.map((field) => field.key).join(', ')}`);
      continue;
    }
    if (typeof value === 'number') {
      if (Number.isInteger(value) && value >= 1 && value <= headers.length) mapping[key] = value - 1;
      else problems.push(`${key}: column ${value} is not in the file (it has ${headers.length} columns)`);
      continue;
    }
    const index = normalised.indexOf(String(value).trim().toLowerCase());
    if (index === -1) problems.push(`${key}: the file has no column headed "${value}"`);
    else mapping[key] = index;
  }
  return { mapping, problems };
}

async function rememberedMapping(db: DbOrTransaction, scope: SchoolScope, headers: string[]) {
  const saved = await repository.findMapping(db, scope, headerSignature(headers));
  if (!saved) return undefined;
  const stored = parseJson<{ columns?: Partial<Record<string, number>> }>(saved.mapping);
  const mapping: ColumnMapping = {};
  for (const [key, column] of Object.entries(stored?.columns ?? {})) {
    if (isTargetKey(key) && typeof column === 'number') mapping[key] = column;
  }
  return mappingProblems(mapping, headers).length ? undefined : { mapping, savedAt: saved.updated_at };
}

function spreadsheetRows(table: SpreadsheetTable, mapping: ColumnMapping, kind: ImportKind, today: string): ParsedRow[] {
  const rows = table.rows.map((row) => rowToRecord(row.cells, row.line, table.headers, mapping, { today, allowSerialDates: kind === 'xlsx' }));
  return validateRows(rows, fieldNamesFor(mapping, table.headers), today, 'row');
}

async function writePreview(
  ctx: AppContext,
  actor: ImportActor,
  scope: SchoolScope,
  batch: { id: string; create?: { kind: ImportKind; filename: string; sha: string } },
  summary: BatchSummary,
  payload: BatchPayload,
  status: 'uploaded' | 'previewed',
  extra?: (trx: DbOrTransaction) => Promise<void>,
): Promise<void> {
  const now = new Date().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    if (batch.create) {
      await repository.insertBatch(trx, scope, {
        id: batch.id,
        kind: batch.create.kind,
        filename: batch.create.filename,
        file_sha256: batch.create.sha,
        status,
        summary: JSON.stringify(summary),
        payload: JSON.stringify(payload),
        created_by: actor.userId ?? 'command-line',
        created_at: now,
        committed_at: null,
      });
    } else {
      const moved = await repository.updateBatch(trx, scope, batch.id, ['uploaded', 'previewed'], {
        status,
        summary: JSON.stringify(summary),
        payload: JSON.stringify(payload),
      });
      if (!moved) throw new ImportStateError('This import has already been confirmed or discarded, so its columns cannot be changed');
    }
    if (extra) await extra(trx);
    await ctx.audit.record(trx, {
      schoolId: actor.schoolId,
      action: status === 'previewed' ? 'import.previewed' : 'import.uploaded',
      actorUserId: actor.userId,
      actorLabel: actor.label,
      detail: { batchId: batch.id, kind: summary.kind, filename: summary.filename, ...(summary.counts ? { counts: summary.counts } : {}) },
      ip: actor.ip,
      at: now,
    });
  });
}

/**
 * Checks and reads an uploaded file and stores a batch. A CTF, or a spreadsheet with a mapping
 * (given, or remembered for its headings), is previewed at once; otherwise the batch waits for one.
 * A refused file throws ImportFileError and leaves the database untouched.
 */
export async function previewImport(
  ctx: AppContext,
  actor: ImportActor,
  input: { filename: string; bytes: Uint8Array; mapping?: MappingInput },
): Promise<{ batchId: string; status: 'uploaded' | 'previewed'; summary: BatchSummary }> {
  const scope = schoolScope(actor.schoolId);
  const filename = safeFilename(input.filename);
  const bytes = input.bytes;
  checkFileBasics(bytes, ctx.config.importMaxBytes);
  const kind = detectKind(filename, bytes);
  const today = schoolToday();
  const batchId = newId();
  const sha = sha256(bytes);
  const summary: BatchSummary = { kind, filename, bytes: bytes.length, actorLabel: actor.label, warnings: [] };

  let rows: ParsedRow[] | undefined;
  const payload: BatchPayload = { v: 1 };
  let rememberMapping: ColumnMapping | undefined;
  if (kind === 'ctf') {
    const parsed = parseCtf(decodeText(bytes, 'ctf'), { today });
    summary.ctf = parsed.header;
    summary.warnings.push(...parsed.warnings);
    const destination = destinationWarning(parsed.header, await repository.findSchool(ctx.db, actor.schoolId));
    if (destination) summary.warnings.push(destination);
    rows = parsed.rows;
  } else {
    let table: SpreadsheetTable;
    if (kind === 'csv') {
      table = readCsv(decodeText(bytes, 'csv'));
    } else {
      checkZipDirectory(bytes, { maxUnpackedBytes: MAX_UNPACKED_XLSX_BYTES, maxEntries: 2000 });
      table = await readXlsx(bytes);
    }
    payload.table = table;
    let mapping: ColumnMapping | undefined;
    let savedAt: string | null = null;
    if (input.mapping) {
      const resolved = resolveMapping(input.mapping, table.headers);
      if (resolved.problems.length) throw new ImportFileError(`The column mapping does not fit this file: ${resolved.problems.join('; ')}`);
      const problems = mappingProblems(resolved.mapping, table.headers);
      if (problems.length) throw new ImportFileError(`The column mapping is not complete: ${problems.map((problem) => problem.message).join('; ')}`);
      mapping = resolved.mapping;
      rememberMapping = mapping;
    } else {
      const remembered = await rememberedMapping(ctx.db, scope, table.headers);
      if (remembered) {
        mapping = remembered.mapping;
        savedAt = remembered.savedAt;
      }
    }
    summary.spreadsheet = { columns: table.headers.length, rows: table.rows.length, mappingSavedAt: savedAt, mappingRemembered: Boolean(savedAt) };
    if (mapping) {
      payload.mapping = mapping;
      rows = spreadsheetRows(table, mapping, kind, today);
    }
  }

  let status: 'uploaded' | 'previewed' = 'uploaded';
  if (rows) {
    const preview = await computePreview(ctx.db, scope, rows);
    Object.assign(payload, { records: preview.records, rejected: preview.rejected, entries: preview.entries });
    summary.counts = preview.counts;
    summary.previewedAt = new Date().toISOString();
    const earlier = await repository.findCommittedByHash(ctx.db, scope, sha, batchId);
    if (earlier) summary.warnings.push('This exact file has been imported before: importing it again changes only what has changed on the register since');
    status = 'previewed';
  }
  await writePreview(ctx, actor, scope, { id: batchId, create: { kind, filename, sha } }, summary, payload, status, async (trx) => {
    if (rememberMapping && payload.table) {
      await repository.saveMapping(trx, scope, headerSignature(payload.table.headers), JSON.stringify({ columns: rememberMapping }), new Date().toISOString());
    }
  });
  return { batchId, status, summary };
}

/** Applies a column mapping a person chose to a spreadsheet batch, remembers it for these headings, and previews. */
export async function applyMapping(ctx: AppContext, actor: ImportActor, batchId: string, mapping: ColumnMapping): Promise<BatchSummary> {
  const scope = schoolScope(actor.schoolId);
  const batch = await repository.findBatch(ctx.db, scope, batchId);
  if (!batch) throw new NotFoundError('No import with that reference in this school');
  if (batch.status !== 'uploaded' && batch.status !== 'previewed') {
    throw new ImportStateError('This import has already been confirmed or discarded, so its columns cannot be changed');
  }
  const payload = payloadOf(batch);
  const summary = summaryOf(batch);
  if (!payload.table) throw new ImportStateError('This import is a CTF: it has no columns to match');
  const problems = mappingProblems(mapping, payload.table.headers);
  if (problems.length) throw new ValidationError(problems);
  const today = schoolToday();
  const preview = await computePreview(ctx.db, scope, spreadsheetRows(payload.table, mapping, summary.kind, today));
  const now = new Date().toISOString();
  const nextSummary: BatchSummary = {
    ...summary,
    counts: preview.counts,
    previewedAt: now,
    spreadsheet: { columns: payload.table.headers.length, rows: payload.table.rows.length, mappingSavedAt: now, mappingRemembered: false },
  };
  const nextPayload: BatchPayload = { v: 1, table: payload.table, mapping, records: preview.records, rejected: preview.rejected, entries: preview.entries };
  await writePreview(ctx, actor, scope, { id: batchId }, nextSummary, nextPayload, 'previewed', async (trx) => {
    await repository.saveMapping(trx, scope, headerSignature(payload.table!.headers), JSON.stringify({ columns: mapping }), now);
  });
  return nextSummary;
}

// Confirm and discard -----------------------------------------------------------------------------

/**
 * Applies a previewed batch in one transaction: the pupils, their SEN history and contacts, the
 * batch's status and the audit event stand or fall together. The register is matched again inside
 * the transaction, so changes made since the preview are taken into account.
 */
export async function confirmImport(ctx: AppContext, actor: ImportActor, batchId: string): Promise<ImportResult> {
  const scope = schoolScope(actor.schoolId);
  return ctx.db.transaction().execute(async (trx) => {
    const batch = await repository.findBatch(trx, scope, batchId, { lock: ctx.database.dialect });
    if (!batch) throw new NotFoundError('No import with that reference in this school');
    if (batch.status === 'committed') throw new ImportStateError('This import has already been confirmed: nothing more was changed');
    if (batch.status === 'discarded') throw new ImportStateError('This import was discarded, so it cannot be confirmed: upload the file again');
    if (batch.status !== 'previewed') throw new ImportStateError('Match the spreadsheet’s columns before you confirm the import');
    const summary = summaryOf(batch);
    const payload = payloadOf(batch);
    const records = (payload.records ?? []).map((entry) => entry.record);
    const matches = await matchImportedPupils(trx, scope, records);
    const applied = await applyImportedPupils(ctx, trx, scope, matches, {
      source: `import:${batch.kind}:${batch.id}`,
      reason: `Imported from ${batch.filename}`,
      actorUserId: actor.userId,
      actorLabel: actor.label,
      ip: actor.ip,
    });
    const committedAt = new Date().toISOString();
    const result: ImportResult = { ...applied, skipped: payload.rejected?.length ?? 0, committedAt };
    // The pupils' details now live on the register: keep only the rejected rows, for their download.
    const moved = await repository.updateBatch(trx, scope, batchId, ['previewed'], {
      status: 'committed',
      committed_at: committedAt,
      summary: JSON.stringify({ ...summary, result }),
      payload: JSON.stringify({ v: 1, rejected: payload.rejected ?? [] } satisfies BatchPayload),
    });
    if (!moved) throw new ImportStateError('This import has already been confirmed: nothing more was changed');
    await ctx.audit.record(trx, {
      schoolId: actor.schoolId,
      action: 'import.committed',
      actorUserId: actor.userId,
      actorLabel: actor.label,
      detail: { batchId, kind: batch.kind, filename: batch.filename, created: result.created, updated: result.updated, unchanged: result.unchanged, skipped: result.skipped },
      ip: actor.ip,
      at: committedAt,
    });
    return result;
  });
}

export async function discardImport(ctx: AppContext, actor: ImportActor, batchId: string): Promise<void> {
  const scope = schoolScope(actor.schoolId);
  await ctx.db.transaction().execute(async (trx) => {
    const batch = await repository.findBatch(trx, scope, batchId, { lock: ctx.database.dialect });
    if (!batch) throw new NotFoundError('No import with that reference in this school');
    if (batch.status === 'committed') throw new ImportStateError('This import has already been confirmed, so it cannot be discarded');
    if (batch.status === 'discarded') throw new ImportStateError('This import has already been discarded');
    const now = new Date().toISOString();
    // Discarding forgets the file's contents: only the summary (counts, file name) remains.
    await repository.updateBatch(trx, scope, batchId, ['uploaded', 'previewed'], {
      status: 'discarded',
      payload: null,
      summary: JSON.stringify({ ...summaryOf(batch), discardedAt: now }),
    });
    await ctx.audit.record(trx, {
      schoolId: actor.schoolId,
      action: 'import.discarded',
      actorUserId: actor.userId,
      actorLabel: actor.label,
      detail: { batchId, kind: batch.kind, filename: batch.filename },
      ip: actor.ip,
      at: now,
    });
  });
}

// Reading batches ---------------------------------------------------------------------------------

export interface BatchListItem {
  id: string;
  kind: ImportKind;
  kindLabel: string;
  filename: string;
  status: repository.BatchStatus;
  createdAt: string;
  committedAt: string | null;
  createdBy: string;
  counts?: ImportCounts;
  result?: ImportResult;
}

/** How long an upload waits for someone to confirm it before its pupils' data is thrown away. */
export const UNCONFIRMED_BATCH_DAYS = 14;

async function expireStaleBatches(ctx: AppContext, actor: ImportActor): Promise<void> {
  const scope = schoolScope(actor.schoolId);
  const cutOff = new Date(Date.now() - UNCONFIRMED_BATCH_DAYS * 86_400_000).toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    const expired = await repository.expireStaleBatches(trx, scope, cutOff);
    if (expired > 0) {
      await ctx.audit.record(trx, { schoolId: actor.schoolId, action: 'import.expired', actorLabel: 'SENCO Desk', detail: { batches: expired, olderThanDays: UNCONFIRMED_BATCH_DAYS } });
    }
  });
}

export async function listImports(ctx: AppContext, actor: ImportActor, limit = RECENT_BATCHES): Promise<BatchListItem[]> {
  await expireStaleBatches(ctx, actor);
  const rows = await repository.listBatches(ctx.db, schoolScope(actor.schoolId), limit);
  return rows.map((row) => {
    const summary = summaryOf(row);
    const kind = row.kind as ImportKind;
    return {
      id: row.id,
      kind,
      kindLabel: KIND_LABELS[kind] ?? row.kind,
      filename: row.filename,
      status: row.status as repository.BatchStatus,
      createdAt: row.created_at,
      committedAt: row.committed_at,
      createdBy: row.created_by_name ?? summary.actorLabel ?? 'Command line',
      ...(summary.counts ? { counts: summary.counts } : {}),
      ...(summary.result ? { result: summary.result } : {}),
    };
  });
}

export interface BatchView {
  id: string;
  kind: ImportKind;
  kindLabel: string;
  filename: string;
  status: repository.BatchStatus;
  createdAt: string;
  committedAt: string | null;
  summary: BatchSummary;
  rejected: RejectedRow[];
  rejectedTotal: number;
  changed: PreviewEntry[];
  changedTotal: number;
  added: PreviewEntry[];
  addedTotal: number;
  /** What a confirm would change now, at preview time: new + changed. */
  toApply: number;
  hasMapping: boolean;
}

/** A batch with the first rows of each list (rejected, changed, new); the whole rejected list is a CSV download. */
export async function getImport(ctx: AppContext, actor: ImportActor, batchId: string, limit = PREVIEW_LIST_LIMIT): Promise<BatchView> {
  const scope = schoolScope(actor.schoolId);
  const batch = await repository.findBatch(ctx.db, scope, batchId);
  if (!batch) throw new NotFoundError('No import with that reference in this school');
  const summary = summaryOf(batch);
  const payload = payloadOf(batch);
  const rejected = payload.rejected ?? [];
  const entries = payload.entries ?? [];
  const changed = entries.filter((entry) => entry.outcome === 'changed');
  const added = entries.filter((entry) => entry.outcome === 'new');
  ctx.audit.recordRead({
    schoolId: actor.schoolId,
    action: 'import.viewed',
    actorUserId: actor.userId,
    actorLabel: actor.label,
    detail: { batchId, status: batch.status },
    ip: actor.ip,
  });
  return {
    id: batch.id,
    kind: batch.kind as ImportKind,
    kindLabel: KIND_LABELS[batch.kind as ImportKind] ?? batch.kind,
    filename: batch.filename,
    status: batch.status as repository.BatchStatus,
    createdAt: batch.created_at,
    committedAt: batch.committed_at,
    summary,
    rejected: rejected.slice(0, limit),
    rejectedTotal: rejected.length,
    changed: changed.slice(0, limit),
    changedTotal: changed.length,
    added: added.slice(0, limit),
    addedTotal: added.length,
    toApply: changed.length + added.length,
    hasMapping: Boolean(payload.mapping),
  };
}

export interface MappingForm {
  batchId: string;
  filename: string;
  status: repository.BatchStatus;
  headers: string[];
  sample: string[][];
  mapping: ColumnMapping;
  source: 'current' | 'saved' | 'suggested';
  fields: typeof TARGET_FIELDS;
}

export async function getMappingForm(ctx: AppContext, actor: ImportActor, batchId: string): Promise<MappingForm> {
  const scope = schoolScope(actor.schoolId);
  const batch = await repository.findBatch(ctx.db, scope, batchId);
  if (!batch) throw new NotFoundError('No import with that reference in this school');
  const payload = payloadOf(batch);
  if (batch.status !== 'uploaded' && batch.status !== 'previewed') {
    throw new ImportStateError('This import has already been confirmed or discarded, so its columns cannot be changed');
  }
  if (!payload.table) throw new ImportStateError('This import is a CTF: it has no columns to match');
  // The mapping page shows the file's first rows: children's names, UPNs and needs.
  ctx.audit.recordRead({ schoolId: actor.schoolId, action: 'import.rows-viewed', actorUserId: actor.userId, actorLabel: actor.label, detail: { batchId, rows: 'sample' }, ip: actor.ip });
  let mapping = payload.mapping;
  let source: MappingForm['source'] = 'current';
  if (!mapping) {
    const remembered = await rememberedMapping(ctx.db, scope, payload.table.headers);
    mapping = remembered?.mapping ?? suggestMapping(payload.table.headers);
    source = remembered ? 'saved' : 'suggested';
  }
  return {
    batchId,
    filename: batch.filename,
    status: batch.status as repository.BatchStatus,
    headers: payload.table.headers,
    sample: payload.table.rows.slice(0, 5).map((row) => row.cells),
    mapping,
    source,
    fields: TARGET_FIELDS,
  };
}

/** Reads the mapping form: one select per field, the value a 0-based column index or '' for none. */
export function mappingFromForm(read: (name: string) => string | undefined): ColumnMapping {
  const mapping: ColumnMapping = {};
  for (const field of TARGET_FIELDS) {
    const value = read(`map-${field.key}`);
    if (value === undefined || value === '') continue;
    const column = Number(value);
    mapping[field.key] = Number.isInteger(column) ? column : -1;
  }
  return mapping;
}

export function describeMapping(mapping: ColumnMapping, headers: string[]): Array<{ key: TargetKey; label: string; column: string }> {
  return TARGET_FIELDS.filter((field) => mapping[field.key] !== undefined).map((field) => ({
    key: field.key,
    label: TARGETS_BY_KEY[field.key].label,
    column: headers[mapping[field.key]!] ?? '',
  }));
}

/** Every rejected row, one line per problem, for fixing in the original file. */
export async function rejectedRowsCsv(ctx: AppContext, actor: ImportActor, batchId: string): Promise<{ csv: string; filename: string }> {
  const scope = schoolScope(actor.schoolId);
  const batch = await repository.findBatch(ctx.db, scope, batchId);
  if (!batch) throw new NotFoundError('No import with that reference in this school');
  const payload = payloadOf(batch);
  const ctf = batch.kind === 'ctf';
  const rows: Array<Array<string | number | null>> = [[ctf ? 'Pupil (position in file)' : 'Row', 'UPN', 'Name', 'Field', 'Reason']];
  for (const row of payload.rejected ?? []) {
    for (const problem of row.problems) rows.push([row.line, row.upn, row.name, problem.field, problem.reason]);
  }
  ctx.audit.recordRead({
    schoolId: actor.schoolId,
    action: 'import.rejected-downloaded',
    actorUserId: actor.userId,
    actorLabel: actor.label,
    detail: { batchId, rows: payload.rejected?.length ?? 0 },
    ip: actor.ip,
  });
  const stem = batch.filename.replace(/\.[A-Za-z0-9]+$/, '').replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 80) || 'import';
  return { csv: toCsv(rows), filename: `${stem}-rejected-rows.csv` };
}
