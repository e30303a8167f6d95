// Concerns: a teacher or teaching assistant raises a concern about a pupil they teach (what they see,
// what they have tried, for how long, evidence attached); the SENCO triages the list and records the
// outcome with a note; the member of staff who raised it sees the outcome. A concern and its evidence
// files commit in one transaction with the audit event; every page that shows pupils is audited.
import * as auth from '../../platform/auth/service.ts';
import { auditAs } from '../../platform/audit/audit-log.ts';
import type { AppContext, ChronologyEvent } from '../../platform/context.ts';
import { formatDate, schoolToday } from '../../platform/dates.ts';
import { ForbiddenError, NotFoundError, ValidationError, type FieldError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { can, relationshipFor, type Actor } from '../../platform/permissions.ts';
import { schoolScope } from '../../platform/scope.ts';
import * as documents from '../documents/service.ts';
import type { UploadedFileInput } from '../documents/rules.ts';
import { foldText, normaliseSearchTerm } from '../register/search.ts';
import * as register from '../register/service.ts';
import * as repository from './repository.ts';
import {
  OUTCOMES,
  TRIAGE_PAGE_SIZE,
  concernProblems,
  outcomeLabel,
  outcomeProblems,
  type ConcernInput,
  type Outcome,
  type OutcomeInput,
  type TriageQuery,
} from './rules.ts';

const FORMER_STAFF = 'A former member of staff';
export const MINE_PAGE_SIZE = 20;

function pupilResource(actor: Actor, pupilId: string) {
  return { kind: 'pupil' as const, schoolId: actor.schoolId, pupilId };
}

/** The day a timestamp falls on in the school's time zone. */
function dayOf(timestamp: string): string {
  return schoolToday(new Date(timestamp));
}

export interface ConcernView {
  id: string;
  pupilId: string;
  pupilName: string;
  yearGroup: number | null;
  registrationGroup: string | null;
  senProvision: string;
  raisedBy: string;
  raisedByMe: boolean;
  raisedAt: string;
  raisedOn: string;
  area: string | null;
  observed: string;
  tried: string;
  duration: string;
  status: 'open' | 'closed';
  outcome: Outcome | null;
  outcomeLabel: string;
  outcomeNote: string | null;
  outcomeBy: string | null;
  outcomeOn: string | null;
  evidence: documents.DocumentView[];
}

function concernView(
  actor: Actor,
  row: repository.ConcernRow,
  pupil: { name: string; yearGroup: number | null; registrationGroup: string | null; senProvision: string } | undefined,
  names: Map<string, string>,
  evidence: Map<string, documents.DocumentView[]>,
): ConcernView {
  return {
    id: row.id,
    pupilId: row.pupil_id,
    pupilName: pupil?.name ?? 'A pupil no longer on record',
    yearGroup: pupil?.yearGroup ?? null,
    registrationGroup: pupil?.registrationGroup ?? null,
    senProvision: pupil?.senProvision ?? 'N',
    raisedBy: names.get(row.raised_by) ?? FORMER_STAFF,
    raisedByMe: row.raised_by === actor.userId,
    raisedAt: row.raised_at,
    raisedOn: dayOf(row.raised_at),
    area: row.area,
    observed: row.observed,
    tried: row.tried,
    duration: row.duration,
    status: row.status === 'closed' ? 'closed' : 'open',
    outcome: (OUTCOMES as readonly string[]).includes(row.outcome ?? '') ? (row.outcome as Outcome) : null,
    outcomeLabel: outcomeLabel(row.outcome),
    outcomeNote: row.outcome_note,
    outcomeBy: row.outcome_by ? (names.get(row.outcome_by) ?? FORMER_STAFF) : null,
    outcomeOn: row.outcome_at ? dayOf(row.outcome_at) : null,
    evidence: evidence.get(row.id) ?? [],
  };
}

/** Pupils' facts, staff names and evidence for a page of concerns, in a few queries. */
async function viewsOf(ctx: AppContext, actor: Actor, rows: repository.ConcernRow[], known?: Map<string, register.PupilFact>): Promise<ConcernView[]> {
  const scope = schoolScope(actor.schoolId);
  const [facts, names, evidence] = await Promise.all([
    known ?? register.pupilFacts(ctx, scope, rows.map((row) => row.pupil_id)),
    auth.staffDisplayNames(ctx, actor.schoolId, rows.flatMap((row) => [row.raised_by, row.outcome_by])),
    documents.evidenceFor(ctx, actor, rows.map((row) => ({ id: row.id, pupilId: row.pupil_id }))),
  ]);
  return rows.map((row) => concernView(actor, row, facts.get(row.pupil_id), names, evidence));
}

// Raising a concern ----------------------------------------------------------------------------------

export interface PupilChoice {
  id: string;
  name: string;
  yearGroup: number | null;
  registrationGroup: string | null;
}

/**
 * The pupils the actor may raise a concern about: for teachers and teaching assistants, everyone they
 * teach (narrowed by a name if given); for the SENCO and others who may raise one about any pupil, the
 * pupils matching a search (nobody until they search).
 */
export async function pupilChoices(ctx: AppContext, actor: Actor, q: string, ip: string): Promise<{ pupils: PupilChoice[]; searchOnly: boolean; total: number }> {
  const term = q.trim().slice(0, 100);
  if (relationshipFor(actor.role) !== 'taught') {
    if (!term) return { pupils: [], searchOnly: true, total: 0 };
    const found = await register.searchPupilsForPicker(ctx, actor, term, 50);
    return { pupils: found.map(({ id, name, yearGroup, registrationGroup }) => ({ id, name, yearGroup, registrationGroup })), searchOnly: true, total: found.length };
  }
  const facts = await register.pupilFacts(ctx, schoolScope(actor.schoolId), [...(actor.taughtPupilIds ?? [])]);
  const taught = [...facts.values()].filter((pupil) => pupil.onRoll);
  const tokens = normaliseSearchTerm(term);
  const matching = taught.filter((pupil) => {
    const folded = foldText(pupil.name).replace(/['’\-]/g, '');
    return tokens.every((token) => folded.includes(token));
  });
  const collator = new Intl.Collator('en-GB', { numeric: true });
  matching.sort((a, b) => collator.compare(a.registrationGroup ?? '', b.registrationGroup ?? '') || collator.compare(a.name.split(' ').slice(-1)[0] ?? '', b.name.split(' ').slice(-1)[0] ?? '') || collator.compare(a.name, b.name));
  ctx.audit.recordRead(auditAs(actor, ip)('concern.pupils-listed', { term, shown: matching.length }));
  return { pupils: matching.map(({ id, name, yearGroup, registrationGroup }) => ({ id, name, yearGroup, registrationGroup })), searchOnly: false, total: taught.length };
}

export async function getConcernForm(ctx: AppContext, actor: Actor, pupilId: string, ip: string) {
  if (!can(actor, 'concern.raise', pupilResource(actor, pupilId))) throw new ForbiddenError('You can raise a concern only about a pupil you teach');
  return register.getPupilSummary(ctx, actor, pupilId, ip, 'concern-form');
}

/** Saves the concern and its evidence together, or nothing at all; every problem is reported at once. */
export async function raiseConcern(ctx: AppContext, actor: Actor, pupilId: string, input: ConcernInput, files: readonly UploadedFileInput[], ip: string): Promise<string> {
  if (!can(actor, 'concern.raise', pupilResource(actor, pupilId))) throw new ForbiddenError('You can raise a concern only about a pupil you teach');
  const scope = schoolScope(actor.schoolId);
  const pupil = (await register.pupilFacts(ctx, scope, [pupilId])).get(pupilId);
  if (!pupil) throw new NotFoundError('No pupil with that record in this school');
  if (!pupil.onRoll) throw new ValidationError([{ field: 'observed', message: `${pupil.name} has left the school, so a concern cannot be raised about them` }]);
  const evidence = documents.verifyEvidence(files);
  const problems: FieldError[] = [...concernProblems(input), ...evidence.problems];
  if (problems.length) throw new ValidationError(problems);
  const id = newId();
  const now = new Date().toISOString();
  const row: repository.ConcernRow = {
    id,
    pupil_id: pupilId,
    raised_by: actor.userId,
    raised_at: now,
    area: input.area || null,
    observed: input.observed.trim(),
    tried: input.tried.trim(),
    duration: input.duration.trim(),
    status: 'open',
    outcome: null,
    outcome_note: null,
    outcome_by: null,
    outcome_at: null,
  };
  await ctx.db.transaction().execute(async (trx) => {
    await repository.insertConcern(trx, scope, row);
    const files = await documents.attachEvidence(trx, scope, { pupilId, concernId: id, files: evidence.verified, userId: actor.userId, at: now, documentDate: dayOf(now) });
    await ctx.audit.record(trx, {
      schoolId: actor.schoolId, action: 'concern.raised', pupilId, actorUserId: actor.userId, actorLabel: actor.displayName, ip, at: now,
      detail: { concernId: id, area: row.area, observed: row.observed, tried: row.tried, duration: row.duration, evidence: files },
    });
  });
  return id;
}

/** The confirmation page: only for the member of staff who raised it (or someone who triages). */
export async function getRaisedConcern(ctx: AppContext, actor: Actor, concernId: string, ip: string): Promise<ConcernView> {
  const row = await repository.findConcern(ctx.db, schoolScope(actor.schoolId), concernId);
  if (!row) throw new NotFoundError('No concern with that reference');
  if (row.raised_by !== actor.userId && !can(actor, 'concern.triage', pupilResource(actor, row.pupil_id))) throw new NotFoundError('No concern with that reference');
  const [view] = await viewsOf(ctx, actor, [row]);
  ctx.audit.recordRead(auditAs(actor, ip)('concern.viewed', { concernId, page: 'raised' }, row.pupil_id));
  return view!;
}

// The concerns I raised ------------------------------------------------------------------------------

export async function getMyConcerns(ctx: AppContext, actor: Actor, page: number, ip: string) {
  const scope = schoolScope(actor.schoolId);
  const total = await repository.countRaisedBy(ctx.db, scope, actor.userId);
  const pageCount = Math.max(1, Math.ceil(total / MINE_PAGE_SIZE));
  const current = Math.min(Math.max(1, page), pageCount);
  const rows = await repository.listRaisedBy(ctx.db, scope, actor.userId, { limit: MINE_PAGE_SIZE, offset: (current - 1) * MINE_PAGE_SIZE });
  const concerns = await viewsOf(ctx, actor, rows);
  ctx.audit.recordRead(auditAs(actor, ip)('concerns.mine-viewed', { shown: concerns.length, page: current }));
  return { concerns, total, page: current, pageCount };
}

// Triage ---------------------------------------------------------------------------------------------

export async function getTriageList(ctx: AppContext, actor: Actor, query: TriageQuery, ip: string) {
  const scope = schoolScope(actor.schoolId);
  const filters: repository.TriageFilters = { status: query.status, outcome: query.outcome, yearGroup: query.yearGroup, terms: normaliseSearchTerm(query.q) };
  const [matching, byStatus, yearGroups] = await Promise.all([
    repository.countForTriage(ctx.db, scope, filters),
    repository.countByStatus(ctx.db, scope),
    repository.yearGroupsWithConcerns(ctx.db, scope),
  ]);
  const pageCount = Math.max(1, Math.ceil(matching / TRIAGE_PAGE_SIZE));
  const page = Math.min(query.page, pageCount);
  const rows = await repository.listForTriage(ctx.db, scope, filters, { limit: TRIAGE_PAGE_SIZE, offset: (page - 1) * TRIAGE_PAGE_SIZE });
  const names = await auth.staffDisplayNames(ctx, actor.schoolId, rows.flatMap((row) => [row.raised_by, row.outcome_by]));
  const concerns = rows.map((row) =>
    concernView(
      actor,
      row,
      { name: `${row.preferred_forename || row.legal_forename} ${row.legal_surname}`, yearGroup: row.year_group, registrationGroup: row.registration_group, senProvision: row.sen_provision },
      names,
      new Map(),
    ),
  );
  const counts = {
    open: byStatus.filter((entry) => entry.status === 'open').reduce((sum, entry) => sum + entry.count, 0),
    closed: byStatus.filter((entry) => entry.status !== 'open').reduce((sum, entry) => sum + entry.count, 0),
    outcomes: Object.fromEntries(OUTCOMES.map((outcome) => [outcome, byStatus.filter((entry) => entry.status !== 'open' && entry.outcome === outcome).reduce((sum, entry) => sum + entry.count, 0)])) as Record<Outcome, number>,
  };
  ctx.audit.recordRead(auditAs(actor, ip)('concerns.triage-viewed', { status: query.status, outcome: query.outcome || null, yearGroup: query.yearGroup, q: query.q || null, page, shown: concerns.length }));
  return { concerns, matching, counts, yearGroups, page, pageCount };
}

export async function getConcern(ctx: AppContext, actor: Actor, concernId: string, ip: string) {
  const scope = schoolScope(actor.schoolId);
  const row = await repository.findConcern(ctx.db, scope, concernId);
  if (!row) throw new NotFoundError('No concern with that reference');
  if (!can(actor, 'concern.triage', pupilResource(actor, row.pupil_id))) throw new ForbiddenError();
  const [others, facts] = await Promise.all([repository.listOfPupil(ctx.db, scope, row.pupil_id), register.pupilFacts(ctx, scope, [row.pupil_id])]);
  // The same pupil's concerns: their facts are already loaded.
  const views = await viewsOf(ctx, actor, [row, ...others.filter((other) => other.id !== row.id)], facts);
  ctx.audit.recordRead(auditAs(actor, ip)('concern.viewed', { concernId }, row.pupil_id));
  return {
    concern: views[0]!,
    others: views.slice(1),
    pupil: facts.get(row.pupil_id),
    canChangeSen: can(actor, 'pupil.sen.edit', pupilResource(actor, row.pupil_id)),
    canStartPlan: can(actor, 'plan.edit', pupilResource(actor, row.pupil_id)),
  };
}

export async function recordOutcome(ctx: AppContext, actor: Actor, concernId: string, input: OutcomeInput, ip: string): Promise<{ pupilId: string; outcome: Outcome }> {
  const scope = schoolScope(actor.schoolId);
  const row = await repository.findConcern(ctx.db, scope, concernId);
  if (!row) throw new NotFoundError('No concern with that reference');
  if (!can(actor, 'concern.triage', pupilResource(actor, row.pupil_id))) throw new ForbiddenError();
  const problems = outcomeProblems(input, row.status);
  if (problems.length) throw new ValidationError(problems);
  const outcome = input.outcome as Outcome;
  const note = input.note.trim() || null;
  const now = new Date().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    if (!(await repository.closeConcern(trx, scope, concernId, { outcome, outcome_note: note, outcome_by: actor.userId, outcome_at: now }))) {
      throw new ValidationError([{ field: 'outcome', message: 'Someone else has just recorded an outcome for this concern: check it below' }]);
    }
    await ctx.audit.record(trx, {
      schoolId: actor.schoolId, action: 'concern.triaged', pupilId: row.pupil_id, actorUserId: actor.userId, actorLabel: actor.displayName, ip, at: now,
      detail: { concernId, outcome, note },
    });
  });
  return { pupilId: row.pupil_id, outcome };
}

/** Opens a closed concern again; its earlier outcome stays in the audit log. */
export async function reopenConcern(ctx: AppContext, actor: Actor, concernId: string, ip: string): Promise<void> {
  const scope = schoolScope(actor.schoolId);
  const row = await repository.findConcern(ctx.db, scope, concernId);
  if (!row) throw new NotFoundError('No concern with that reference');
  if (!can(actor, 'concern.triage', pupilResource(actor, row.pupil_id))) throw new ForbiddenError();
  if (row.status !== 'closed') throw new ValidationError([{ field: 'reopen', message: 'This concern is already open' }]);
  const now = new Date().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    if (!(await repository.reopenConcern(trx, scope, concernId))) throw new ValidationError([{ field: 'reopen', message: 'This concern is already open' }]);
    await ctx.audit.record(trx, {
      schoolId: actor.schoolId, action: 'concern.reopened', pupilId: row.pupil_id, actorUserId: actor.userId, actorLabel: actor.displayName, ip, at: now,
      detail: { concernId, previousOutcome: row.outcome, previousNote: row.outcome_note, previousOutcomeBy: row.outcome_by, previousOutcomeAt: row.outcome_at },
    });
  });
}

// The chronology ---------------------------------------------------------------------------------------

/** A pupil's concerns: when each was raised, and its outcome once the SENCO recorded one. */
export async function concernChronology(ctx: AppContext, actor: Actor, pupilId: string): Promise<ChronologyEvent[]> {
  const scope = schoolScope(actor.schoolId);
  const rows = await repository.listOfPupil(ctx.db, scope, pupilId);
  if (rows.length === 0) return [];
  const [names, evidence] = await Promise.all([
    auth.staffDisplayNames(ctx, actor.schoolId, rows.flatMap((row) => [row.raised_by, row.outcome_by])),
    documents.evidenceFor(ctx, actor, rows.map((row) => ({ id: row.id, pupilId }))),
  ]);
  const href = (id: string) => (can(actor, 'concern.triage', pupilResource(actor, pupilId)) ? { href: `/concerns/${id}` } : {});
  const events: ChronologyEvent[] = [];
  for (const row of rows) {
    const raisedBy = names.get(row.raised_by) ?? FORMER_STAFF;
    const files = evidence.get(row.id) ?? [];
    events.push({
      date: dayOf(row.raised_at),
      recordedAt: row.raised_at,
      category: 'concern',
      title: `Concern raised${row.area ? `: ${row.area.toLowerCase()}` : ''}`,
      detail: [
        `What they see: ${row.observed}`,
        `What they have tried: ${row.tried}`,
        `For how long: ${row.duration}`,
        ...(files.length ? [`Evidence: ${files.map((file) => file.filename).join(', ')}`] : []),
        ...(row.status === 'open' ? ['Awaiting the SENCO’s decision'] : []),
      ],
      by: raisedBy,
      ...href(row.id),
    });
    if (row.status === 'closed' && row.outcome_at) {
      const by = row.outcome_by ? (names.get(row.outcome_by) ?? FORMER_STAFF) : null;
      events.push({
        date: dayOf(row.outcome_at),
        recordedAt: row.outcome_at,
        category: 'concern',
        title: `Concern decided: ${outcomeLabel(row.outcome).replace(/^./, (first) => first.toLowerCase())}`,
        detail: [`Raised by ${raisedBy} on ${formatDate(dayOf(row.raised_at))}`, ...(row.outcome_note ? [row.outcome_note] : [])],
        by,
        ...href(row.id),
      });
    }
  }
  return events;
}
