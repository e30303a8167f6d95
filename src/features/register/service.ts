import type { DbOrTransaction } from '../../db/database.ts';
import type { PupilsTable } from '../../db/schema.ts';
import type { AppContext } from '../../platform/context.ts';
import { formatDate, isIsoDate, schoolToday } from '../../platform/dates.ts';
import { countText } from '../../platform/figures.ts';
import { NotFoundError, ValidationError, type FieldError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { can, type Actor } from '../../platform/permissions.ts';
import { schoolScope, type SchoolScope } from '../../platform/scope.ts';
import { toCsv } from '../../platform/csv.ts';
import {
  BROAD_AREAS,
  NEED_CODES,
  NEEDS,
  PROVISION_LABELS,
  censusProblems,
  isNeedCode,
  isProvision,
  needsInArea,
  yearGroupLabel,
  type BroadArea,
  type NeedCode,
  type RankedNeed,
  type SenProvision,
} from './census.ts';
import * as repository from './repository.ts';
import { REGISTER_SORTS, type RegisterFilters, type RegisterSort } from './repository.ts';
import { normaliseSearchTerm, pupilSearchText } from './search.ts';

export const REGISTER_PAGE_SIZE = 50;
const FLAG_NAMES = { fsm: 'fsm', pp: 'pupil_premium', eal: 'eal', lac: 'looked_after' } as const;
export const FLAG_LABELS: Record<keyof typeof FLAG_NAMES, string> = {
  fsm: 'Free school meals',
  pp: 'Pupil premium',
  eal: 'English as an additional language',
  lac: 'Looked after',
};

function list(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((entry): entry is string => typeof entry === 'string' && entry !== '');
  if (typeof value === 'string' && value !== '') return value.split(',').filter(Boolean);
  return [];
}

export interface RegisterQuery {
  /** Show pupils who have left instead of those on roll. */
  leavers: boolean;
  q: string;
  provisions: string[];
  needs: NeedCode[];
  areas: BroadArea[];
  years: number[];
  flags: Array<keyof typeof FLAG_NAMES>;
  group: string;
  sort: RegisterSort;
  order: 'asc' | 'desc';
  page: number;
}

/** Reads the register's query string; anything unknown is ignored rather than failing the page. */
export function parseRegisterQuery(raw: Record<string, unknown>): RegisterQuery {
  const provisions = list(raw.provision).filter(isProvision);
  const sort = typeof raw.sort === 'string' && Object.hasOwn(REGISTER_SORTS, raw.sort) ? (raw.sort as RegisterSort) : 'name';
  const page = Math.max(1, Math.min(100_000, Number.parseInt(String(raw.page ?? '1'), 10) || 1));
  return {
    leavers: raw.leavers === '1',
    q: typeof raw.q === 'string' ? raw.q.trim().slice(0, 100) : '',
    // The register is the pupils with SEN unless the user asks for others.
    provisions: raw.provision === undefined ? ['K', 'E'] : provisions,
    needs: list(raw.need).filter(isNeedCode),
    areas: list(raw.area).filter((area): area is BroadArea => (BROAD_AREAS as string[]).includes(area)),
    years: list(raw.year)
      .map(Number)
      .filter((year) => Number.isInteger(year) && year >= -2 && year <= 14),
    flags: list(raw.flag).filter((flag): flag is keyof typeof FLAG_NAMES => Object.hasOwn(FLAG_NAMES, flag)),
    group: typeof raw.group === 'string' ? raw.group : '',
    sort,
    order: raw.order === 'desc' ? 'desc' : 'asc',
    page,
  };
}

export function registerQueryString(query: RegisterQuery, changes: Partial<RegisterQuery> = {}): string {
  const merged = { ...query, ...changes };
  const params = new URLSearchParams();
  if (merged.leavers) params.set('leavers', '1');
  if (merged.q) params.set('q', merged.q);
  if (merged.provisions.length === 0) params.append('provision', '');
  for (const provision of merged.provisions) params.append('provision', provision);
  for (const need of merged.needs) params.append('need', need);
  for (const area of merged.areas) params.append('area', area);
  for (const year of merged.years) params.append('year', String(year));
  for (const flag of merged.flags) params.append('flag', flag);
  if (merged.group) params.set('group', merged.group);
  if (merged.sort !== 'name') params.set('sort', merged.sort);
  if (merged.order !== 'asc') params.set('order', merged.order);
  if (merged.page > 1) params.set('page', String(merged.page));
  return params.toString();
}

function toFilters(query: RegisterQuery): RegisterFilters {
  const primaryNeeds = query.areas.flatMap((area) => needsInArea(area));
  return {
    leavers: query.leavers,
    terms: query.q ? normaliseSearchTerm(query.q) : [],
    provisions: query.provisions,
    needs: query.needs,
    // An area with no codes would match nothing; keep the filter honest.
    primaryNeeds: query.areas.length && primaryNeeds.length === 0 ? ['__none__'] : primaryNeeds,
    yearGroups: query.years,
    flags: query.flags.map((flag) => FLAG_NAMES[flag]),
    ...(query.group ? { groupId: query.group } : {}),
  };
}

export interface HeadlineCounts {
  total: number;
  byProvision: Array<{ code: string; label: string; count: number }>;
  byNeed: Array<{ code: string; label: string; count: number }>;
  byArea: Array<{ area: string; count: number }>;
  byYear: Array<{ year: number | null; label: string; count: number }>;
}

export function summariseCounts(cells: Array<{ provision: string; primaryNeed: string | null; yearGroup: number | null; count: number }>): HeadlineCounts {
  const provision = new Map<string, number>();
  const need = new Map<string, number>();
  const area = new Map<string, number>();
  const year = new Map<number | null, number>();
  let total = 0;
  for (const cell of cells) {
    total += cell.count;
    provision.set(cell.provision, (provision.get(cell.provision) ?? 0) + cell.count);
    if (cell.primaryNeed) {
      need.set(cell.primaryNeed, (need.get(cell.primaryNeed) ?? 0) + cell.count);
      const broadArea = isNeedCode(cell.primaryNeed) ? NEEDS[cell.primaryNeed].area : 'Other';
      area.set(broadArea, (area.get(broadArea) ?? 0) + cell.count);
    }
    const yearGroup = cell.yearGroup === null ? null : Number(cell.yearGroup);
    year.set(yearGroup, (year.get(yearGroup) ?? 0) + cell.count);
  }
  const provisionOrder = ['K', 'E', 'N', 'A', 'P', 'S'];
  return {
    total,
    byProvision: provisionOrder
      .filter((code) => provision.has(code))
      .map((code) => ({ code, label: PROVISION_LABELS[code as SenProvision], count: provision.get(code)! })),
    byNeed: NEED_CODES.filter((code) => need.has(code))
      .map((code) => ({ code, label: NEEDS[code].label, count: need.get(code)! }))
      .sort((a, b) => b.count - a.count),
    byArea: BROAD_AREAS.filter((name) => area.has(name)).map((name) => ({ area: name, count: area.get(name)! })),
    byYear: [...year.entries()]
      .sort(([a], [b]) => (a ?? 99) - (b ?? 99))
      .map(([yearGroup, count]) => ({ year: yearGroup, label: yearGroupLabel(yearGroup), count })),
  };
}

/** The version of what the register shows for this school: changes with every write to it. */
export function getRegisterVersion(ctx: AppContext, actor: Actor): Promise<number> {
  return repository.registerVersion(ctx.db, schoolScope(actor.schoolId));
}

export function recordRegisterViewed(ctx: AppContext, actor: Actor, query: RegisterQuery, figures: { shown: number; matching: number }, ip: string): void {
  ctx.audit.recordRead({
    schoolId: actor.schoolId,
    action: 'register.viewed',
    actorUserId: actor.userId,
    actorLabel: actor.displayName,
    detail: { query: registerQueryString(query), ...figures },
    ip,
  });
}

/** One page of the register with its headline counts. The caller records the view (recordRegisterViewed). */
export async function getRegister(ctx: AppContext, actor: Actor, query: RegisterQuery) {
  const scope = schoolScope(actor.schoolId);
  const filters = toFilters(query);
  const [cells, yearGroups, groups] = await Promise.all([
    repository.registerCountCells(ctx.db, scope, filters),
    repository.listYearGroups(ctx.db, scope),
    repository.listRegistrationGroups(ctx.db, scope),
  ]);
  const counts = summariseCounts(cells);
  const pageCount = Math.max(1, Math.ceil(counts.total / REGISTER_PAGE_SIZE));
  const page = Math.min(query.page, pageCount);
  const pupils = await repository.listRegisterPage(ctx.db, scope, filters, query.sort, query.order, {
    limit: REGISTER_PAGE_SIZE,
    offset: (page - 1) * REGISTER_PAGE_SIZE,
  });
  return { pupils, counts, page, pageCount, yearGroups, groups };
}

export const REGISTER_CSV_HEADINGS = [
  'UPN',
  'Legal surname',
  'Legal forename',
  'Preferred surname',
  'Preferred forename',
  'Date of birth',
  'Year group',
  'Registration group',
  'SEN provision',
  'SEN since',
  'Primary need',
  'Secondary need',
  'FSM',
  'Pupil premium',
  'EAL',
  'Looked after',
];

/** The register as CSV: the current view when a query is given, otherwise every pupil with SEN. */
export async function exportRegisterCsv(
  ctx: AppContext,
  actor: { schoolId: string; userId: string | null; displayName: string },
  query: RegisterQuery,
  ip: string | null,
): Promise<{ csv: string; rows: number }> {
  const scope = schoolScope(actor.schoolId);
  const pupils = await repository.listRegisterAll(ctx.db, scope, toFilters(query), query.sort, query.order);
  const yesNo = (value: number) => (value ? 'Yes' : 'No');
  const csv = toCsv([
    REGISTER_CSV_HEADINGS,
    ...pupils.map((pupil) => [
      pupil.upn ?? '',
      pupil.legal_surname,
      pupil.legal_forename,
      pupil.preferred_surname ?? '',
      pupil.preferred_forename ?? '',
      pupil.date_of_birth,
      yearGroupLabel(pupil.year_group),
      pupil.registration_group ?? '',
      pupil.sen_provision,
      pupil.sen_since ?? '',
      pupil.primary_need ?? '',
      pupil.secondary_need ?? '',
      yesNo(pupil.fsm),
      yesNo(pupil.pupil_premium),
      yesNo(pupil.eal),
      yesNo(pupil.looked_after),
    ]),
  ]);
  await ctx.audit.recordNow({
    schoolId: actor.schoolId,
    action: 'register.exported',
    actorUserId: actor.userId,
    actorLabel: actor.displayName,
    detail: { query: registerQueryString(query), rows: pupils.length },
    ip,
  });
  return { csv, rows: pupils.length };
}

// A pupil's record ------------------------------------------------------------------------------

export interface NeedView {
  need: string;
  rank: number;
  label: string;
  area: string;
}

function needView(entry: { need: string; rank: number }): NeedView {
  const known = isNeedCode(entry.need) ? NEEDS[entry.need] : undefined;
  return { need: entry.need, rank: Number(entry.rank), label: known?.label ?? entry.need, area: known?.area ?? '' };
}

function parseNeeds(json: string): NeedView[] {
  try {
    const parsed = JSON.parse(json) as Array<{ need: string; rank: number }>;
    return parsed.map(needView).sort((a, b) => a.rank - b.rank);
  } catch {
    return [];
  }
}

async function loadPupilOrThrow(ctx: AppContext, scope: SchoolScope, pupilId: string) {
  const pupil = await repository.findPupil(ctx.db, scope, pupilId);
  if (!pupil) throw new NotFoundError('No pupil with that record in this school');
  return pupil;
}

/** The identity bar's facts, shown on every tab of a pupil's page. */
export async function getPupilSummary(ctx: AppContext, actor: Actor, pupilId: string, ip: string, section: string, extra: Record<string, unknown> = {}) {
  const scope = schoolScope(actor.schoolId);
  const pupil = await loadPupilOrThrow(ctx, scope, pupilId);
  ctx.audit.recordRead({
    schoolId: actor.schoolId,
    action: 'pupil.viewed',
    pupilId,
    actorUserId: actor.userId,
    actorLabel: actor.displayName,
    detail: { section, ...extra },
    ip,
  });
  return {
    pupil,
    canEditSen: can(actor, 'pupil.sen.edit', { kind: 'pupil', schoolId: actor.schoolId, pupilId }),
  };
}

export async function getPupilOverview(ctx: AppContext, actor: Actor, pupilId: string, ip: string) {
  const scope = schoolScope(actor.schoolId);
  const summary = await getPupilSummary(ctx, actor, pupilId, ip, 'overview');
  const [needs, groups, contacts] = await Promise.all([
    repository.listOpenNeeds(ctx.db, scope, [pupilId]),
    repository.listGroupsOfPupil(ctx.db, scope, pupilId),
    repository.listContacts(ctx.db, scope, [pupilId]),
  ]);
  return { ...summary, needs: needs.map(needView), groups, contacts: visibleContacts(actor, contacts) };
}

export async function getPupilSenHistory(ctx: AppContext, actor: Actor, pupilId: string, ip: string, section: 'sen' | 'timeline' | 'api' = 'sen') {
  const scope = schoolScope(actor.schoolId);
  const summary = await getPupilSummary(ctx, actor, pupilId, ip, section);
  const [provisionPeriods, needPeriods, changes] = await Promise.all([
    repository.listProvisionPeriods(ctx.db, scope, pupilId),
    repository.listNeedPeriods(ctx.db, scope, pupilId),
    repository.listSenChanges(ctx.db, scope, pupilId),
  ]);
  return {
    ...summary,
    currentNeeds: needPeriods.filter((period) => period.end_date === null).map(needView),
    provisionPeriods,
    needPeriods: needPeriods.map((period) => ({ ...period, ...needView(period) })),
    changes: changes.map((change) => ({ ...change, needsBefore: parseNeeds(change.needs_before), needsAfter: parseNeeds(change.needs_after) })),
  };
}

/** A parent sees only the contacts with parental responsibility, not, say, a childminder's number. */
export function visibleContacts<T extends { parental_responsibility: number }>(actor: Actor, contacts: T[]): T[] {
  return actor.role === 'parent' ? contacts.filter((contact) => contact.parental_responsibility === 1) : contacts;
}

export async function getPupilContacts(ctx: AppContext, actor: Actor, pupilId: string, ip: string) {
  const scope = schoolScope(actor.schoolId);
  const summary = await getPupilSummary(ctx, actor, pupilId, ip, 'contacts');
  const contacts = await repository.listContacts(ctx.db, scope, [pupilId]);
  return { ...summary, contacts: visibleContacts(actor, contacts) };
}

// Changing SEN status ---------------------------------------------------------------------------

export interface SenStatusInput {
  provision: string;
  needs: Array<{ need: string; rank: number }>;
  effectiveDate: string;
  reason: string;
}

export function senChangeKind(before: string, after: string, needsChanged: boolean): string {
  if (before === after) return needsChanged ? 'needs-changed' : 'unchanged';
  if (after === 'N') return 'removed-from-register';
  if (after === 'E') return 'ehc-plan-started';
  if (after === 'K' && before === 'E') return 'ehc-plan-ended';
  if (after === 'K') return 'added-to-sen-support';
  return 'imported-status';
}

export const SEN_CHANGE_LABELS: Record<string, string> = {
  'needs-changed': 'Needs changed',
  'removed-from-register': 'Removed from the SEN register',
  'ehc-plan-started': 'EHC plan started',
  'ehc-plan-ended': 'EHC plan ended, now SEN support',
  'added-to-sen-support': 'Added to SEN support',
  'imported-status': 'Status imported',
  // Kinds found in older records (the demo school's history carries them too).
  'removed-from-sen-support': 'Removed from SEN support',
  'historic-status-recorded': 'Historic status recorded (before 2014)',
  'moved-to-sen-support': 'Moved to SEN support (from School Action or Action Plus)',
  'statement-converted': 'Statement converted to an EHC plan',
};

function sameNeeds(a: ReadonlyArray<{ need: string; rank: number }>, b: ReadonlyArray<{ need: string; rank: number }>): boolean {
  const key = (list: ReadonlyArray<{ need: string; rank: number }>) =>
    [...list]
      .sort((x, y) => x.rank - y.rank)
      .map((entry) => `${entry.rank}:${entry.need}`)
      .join(',');
  return key(a) === key(b);
}

interface CurrentStatus {
  provision: string;
  needs: RankedNeed[];
  provisionSince: string | null;
  needsSince: string | null;
}

async function currentStatus(db: DbOrTransaction, scope: SchoolScope, pupil: Pick<PupilsTable, 'id' | 'sen_provision'>): Promise<CurrentStatus> {
  const [periods, needs] = await Promise.all([
    repository.listProvisionPeriods(db, scope, pupil.id),
    repository.listOpenNeeds(db, scope, [pupil.id]),
  ]);
  const open = periods.find((period) => period.end_date === null);
  return {
    provision: pupil.sen_provision,
    needs: needs.map((entry) => ({ need: entry.need as NeedCode, rank: Number(entry.rank) })),
    provisionSince: open?.start_date ?? null,
    needsSince: needs.reduce<string | null>((latest, entry) => (latest && latest > entry.start_date ? latest : entry.start_date), null),
  };
}

/**
 * Records a new SEN status as history: closes the open periods the day before the effective date,
 * opens new ones, writes the change with its reason, and keeps the register's summary columns in step.
 * Callers validate first and pass their transaction.
 */
async function writeSenStatus(
  trx: DbOrTransaction,
  scope: SchoolScope,
  pupilId: string,
  before: CurrentStatus,
  after: { provision: string; needs: RankedNeed[]; effectiveDate: string; reason: string },
  meta: { source: string; recordedBy: string | null; now: string },
): Promise<string> {
  const provisionChanged = before.provision !== after.provision;
  const needsChanged = !sameNeeds(before.needs, after.needs);
  const changeId = newId();
  const firstRecord = before.provisionSince === null && before.provision === 'N' && before.needs.length === 0;
  await repository.insertSenChange(trx, scope, {
    id: changeId,
    pupilId,
    kind: firstRecord && after.provision !== 'N' ? senChangeKind('N', after.provision, needsChanged) : senChangeKind(before.provision, after.provision, needsChanged),
    effectiveDate: after.effectiveDate,
    reason: after.reason,
    provisionBefore: before.provision,
    provisionAfter: after.provision,
    needsBefore: JSON.stringify(before.needs),
    needsAfter: JSON.stringify(after.needs),
    source: meta.source,
    recordedBy: meta.recordedBy,
    recordedAt: meta.now,
  });
  // End dates are exclusive: the old period ends where the new one starts (docs/data-model.md).
  if (provisionChanged || before.provisionSince === null) {
    await repository.closeOpenProvisionPeriod(trx, scope, pupilId, after.effectiveDate);
    await repository.insertProvisionPeriod(trx, scope, { id: newId(), pupilId, provision: after.provision, startDate: after.effectiveDate, changeId });
  }
  if (needsChanged) {
    await repository.closeOpenNeedPeriods(trx, scope, pupilId, after.effectiveDate);
    await repository.insertNeedPeriods(
      trx,
      scope,
      after.needs.map((entry) => ({ id: newId(), pupilId, need: entry.need, rank: entry.rank, startDate: after.effectiveDate, changeId })),
    );
  }
  const sorted = [...after.needs].sort((a, b) => a.rank - b.rank);
  await repository.updatePupil(trx, scope, pupilId, {
    sen_provision: after.provision,
    sen_since: after.provision === 'N' ? null : provisionChanged || !before.provisionSince ? after.effectiveDate : before.provisionSince,
    primary_need: sorted[0]?.need ?? null,
    secondary_need: sorted[1]?.need ?? null,
    updated_at: meta.now,
  });
  return changeId;
}


/** The rules for a status change someone makes by hand, with messages that name the field. */
export function senChangeProblems(before: CurrentStatus, input: SenStatusInput, today: string, dateOfBirth?: string): FieldError[] {
  const problems: FieldError[] = censusProblems(input.provision, input.needs).map((problem) => ({
    field: problem.field.startsWith('needs[') ? problem.field.replace(/^needs\[(\d+)\]\.(need|rank)$/, (_m, index, part) => `needs-${Number(index) + 1}-${part}`) : problem.field === 'needs' ? 'needs-1-need' : problem.field,
    message: problem.message,
  }));
  if (!input.effectiveDate) {
    problems.push({ field: 'effectiveDate', message: 'Enter the date the change takes effect' });
  } else if (!isIsoDate(input.effectiveDate)) {
    problems.push({ field: 'effectiveDate', message: 'The date the change takes effect must be a real date' });
  } else {
    if (input.effectiveDate > today) problems.push({ field: 'effectiveDate', message: 'The date the change takes effect must be today or in the past' });
    else if (dateOfBirth && input.effectiveDate < dateOfBirth) problems.push({ field: 'effectiveDate', message: `The date the change takes effect must be after the pupil’s date of birth (${formatDate(dateOfBirth)})` });
    const earliest = [before.provisionSince, before.needsSince].filter((value): value is string => Boolean(value)).sort().at(-1);
    if (earliest && input.effectiveDate < earliest) {
      problems.push({
        field: 'effectiveDate',
        message: `The date the change takes effect must be on or after ${formatDate(earliest)}, when the current status began`,
      });
    }
  }
  if (!input.reason.trim()) problems.push({ field: 'reason', message: 'Enter the reason for the change' });
  if (input.reason.length > 2000) problems.push({ field: 'reason', message: 'Reason must be 2,000 characters or fewer' });
  if (
    problems.length === 0 &&
    before.provision === input.provision &&
    sameNeeds(before.needs, input.needs.map((entry) => ({ need: entry.need as NeedCode, rank: entry.rank })))
  ) {
    problems.push({ field: 'provision', message: 'Nothing has changed: choose a different SEN provision or change the needs' });
  }
  return problems;
}

/** A form about one pupil shows their name and status: opening it is a read of their record. */
export async function getSenChangeForm(ctx: AppContext, actor: Actor, pupilId: string, ip: string, section: 'sen-change-form' | 'leaving-form' | 'return-form' | 'api-status-after-change') {
  const scope = schoolScope(actor.schoolId);
  const pupil = await loadPupilOrThrow(ctx, scope, pupilId);
  const status = await currentStatus(ctx.db, scope, pupil);
  ctx.audit.recordRead({ schoolId: actor.schoolId, action: 'pupil.viewed', pupilId, actorUserId: actor.userId, actorLabel: actor.displayName, detail: { section }, ip });
  return { pupil, status };
}

export async function changeSenStatus(ctx: AppContext, actor: Actor, pupilId: string, input: SenStatusInput, ip: string): Promise<void> {
  const scope = schoolScope(actor.schoolId);
  const now = new Date().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    const pupil = await repository.findPupil(trx, scope, pupilId);
    if (!pupil) throw new NotFoundError('No pupil with that record in this school');
    const before = await currentStatus(trx, scope, pupil);
    const problems = senChangeProblems(before, input, schoolToday(), pupil.date_of_birth);
    if (problems.length) throw new ValidationError(problems);
    const needs = input.provision === 'N' ? [] : input.needs.map((entry) => ({ need: entry.need as NeedCode, rank: entry.rank }));
    const changeId = await writeSenStatus(
      trx,
      scope,
      pupilId,
      before,
      { provision: input.provision, needs, effectiveDate: input.effectiveDate, reason: input.reason.trim() },
      { source: 'manual', recordedBy: actor.userId, now },
    );
    await repository.bumpRegisterVersion(trx, scope);
    await ctx.audit.record(trx, {
      schoolId: actor.schoolId,
      action: 'pupil.sen.changed',
      pupilId,
      actorUserId: actor.userId,
      actorLabel: actor.displayName,
      detail: { changeId, from: before.provision, to: input.provision, needs, effectiveDate: input.effectiveDate },
      ip,
      at: now,
    });
  });
}

// Pupils from imports ---------------------------------------------------------------------------

export interface ContactInput {
  order: number;
  title?: string | null;
  forename?: string | null;
  surname: string;
  relationship?: string | null;
  parentalResponsibility: boolean;
  phone?: string | null;
  email?: string | null;
}

/** A pupil as an import file describes them. Fields left undefined are not touched on update. */
export interface PupilRecordInput {
  upn: string | null;
  formerUpn?: string | null;
  uln?: string | null;
  uci?: string | null;
  legalSurname: string;
  legalForename: string;
  middleNames?: string | null;
  preferredSurname?: string | null;
  preferredForename?: string | null;
  dateOfBirth: string;
  sex?: string | null;
  yearGroup?: number | null;
  registrationGroup?: string | null;
  ethnicity?: string | null;
  firstLanguage?: string | null;
  fsm?: boolean;
  pupilPremium?: boolean;
  eal?: boolean;
  lookedAfter?: boolean;
  careAuthority?: string | null;
  medicalFlag?: boolean;
  enrolStatus?: string | null;
  address?: string | null;
  sen?: { provision: SenProvision; startDate?: string | null; needs: RankedNeed[] };
  contacts?: ContactInput[];
}

const FIELD_COLUMNS: Array<[keyof PupilRecordInput, keyof PupilsTable, string]> = [
  ['upn', 'upn', 'UPN'],
  ['formerUpn', 'former_upn', 'former UPN'],
  ['uln', 'uln', 'ULN'],
  ['uci', 'uci', 'UCI'],
  ['legalSurname', 'legal_surname', 'legal surname'],
  ['legalForename', 'legal_forename', 'legal forename'],
  ['middleNames', 'middle_names', 'middle names'],
  ['preferredSurname', 'preferred_surname', 'preferred surname'],
  ['preferredForename', 'preferred_forename', 'preferred forename'],
  ['dateOfBirth', 'date_of_birth', 'date of birth'],
  ['sex', 'sex', 'sex'],
  ['yearGroup', 'year_group', 'year group'],
  ['registrationGroup', 'registration_group', 'registration group'],
  ['ethnicity', 'ethnicity', 'ethnicity'],
  ['firstLanguage', 'first_language', 'first language'],
  ['fsm', 'fsm', 'FSM'],
  ['pupilPremium', 'pupil_premium', 'pupil premium'],
  ['eal', 'eal', 'EAL'],
  ['lookedAfter', 'looked_after', 'looked after'],
  ['careAuthority', 'care_authority', 'care authority'],
  ['medicalFlag', 'medical_flag', 'medical flag'],
  ['enrolStatus', 'enrol_status', 'enrolment status'],
  ['address', 'address', 'address'],
];

function columnValue(value: unknown): string | number | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value as string | number;
}

type ExistingPupil = PupilsTable;

export interface PupilDiff {
  outcome: 'new' | 'changed' | 'unchanged';
  pupilId?: string;
  changes: string[];
}

function contactsKey(contacts: ReadonlyArray<{ surname: string; forename?: string | null; relationship?: string | null; parentalResponsibility?: boolean; parental_responsibility?: number; phone?: string | null; email?: string | null; title?: string | null }>): string {
  return contacts
    .map((contact) =>
      [
        contact.title ?? '',
        contact.forename ?? '',
        contact.surname,
        contact.relationship ?? '',
        (contact.parentalResponsibility ?? contact.parental_responsibility === 1) ? 'PR' : '',
        contact.phone ?? '',
        contact.email ?? '',
      ].join('|'),
    )
    .join('\n');
}

/** Matches incoming records to pupils already on the register: by UPN, then former UPN, then name and date of birth. */
export async function matchImportedPupils(db: DbOrTransaction, scope: SchoolScope, records: PupilRecordInput[]) {
  const all = await repository.listAllPupils(db, scope);
  const byUpn = new Map<string, ExistingPupil>();
  const byNameAndBirth = new Map<string, ExistingPupil>();
  const nameAndBirth = (surname: string, forename: string, dateOfBirth: string) => `${surname.toLowerCase()}|${forename.toLowerCase()}|${dateOfBirth}`;
  for (const pupil of all) {
    if (pupil.upn) byUpn.set(pupil.upn, pupil);
    byNameAndBirth.set(nameAndBirth(pupil.legal_surname, pupil.legal_forename, pupil.date_of_birth), pupil);
  }
  const matched = records.map((record) => {
    if (record.upn && byUpn.has(record.upn)) return byUpn.get(record.upn);
    if (record.formerUpn && byUpn.has(record.formerUpn)) return byUpn.get(record.formerUpn);
    const sameChild = byNameAndBirth.get(nameAndBirth(record.legalSurname, record.legalForename, record.dateOfBirth));
    // By name and birth date only when one side has no UPN: a pupil first added from a spreadsheet
    // without one gains it from a later CTF instead of becoming a second record.
    if (sameChild && (!record.upn || !sameChild.upn)) return sameChild;
    return undefined;
  });
  const ids = matched.filter((pupil): pupil is ExistingPupil => Boolean(pupil)).map((pupil) => pupil.id);
  const [needs, contacts] = await Promise.all([repository.listOpenNeeds(db, scope, ids), repository.listContacts(db, scope, ids)]);
  const needsByPupil = new Map<string, RankedNeed[]>();
  for (const entry of needs) {
    const list = needsByPupil.get(entry.pupil_id) ?? [];
    list.push({ need: entry.need as NeedCode, rank: Number(entry.rank) });
    needsByPupil.set(entry.pupil_id, list);
  }
  const contactsByPupil = new Map<string, typeof contacts>();
  for (const contact of contacts) {
    const list = contactsByPupil.get(contact.pupil_id) ?? [];
    list.push(contact);
    contactsByPupil.set(contact.pupil_id, list);
  }
  return records.map((record, index) => {
    const existing = matched[index];
    return {
      record,
      existing,
      existingNeeds: existing ? (needsByPupil.get(existing.id) ?? []) : [],
      existingContacts: existing ? (contactsByPupil.get(existing.id) ?? []) : [],
    };
  });
}

export type MatchedRecord = Awaited<ReturnType<typeof matchImportedPupils>>[number];

/** What importing a record would change, in words a SENCO can check before confirming. */
export function diffImportedPupil(match: MatchedRecord): PupilDiff {
  const { record, existing } = match;
  if (!existing) return { outcome: 'new', changes: [] };
  const changes: string[] = [];
  for (const [field, column, label] of FIELD_COLUMNS) {
    if (record[field] === undefined) continue;
    const incoming = columnValue(record[field]);
    const current = existing[column] === undefined ? null : (existing[column] as string | number | null);
    if (String(incoming ?? '') !== String(current ?? '')) changes.push(label);
  }
  if (record.sen) {
    if (record.sen.provision !== existing.sen_provision) changes.push('SEN provision');
    else if (!sameNeeds(record.sen.needs, match.existingNeeds)) changes.push('SEN needs');
  }
  if (record.contacts && contactsKey(record.contacts) !== contactsKey(match.existingContacts)) changes.push('contacts');
  return { outcome: changes.length ? 'changed' : 'unchanged', pupilId: existing.id, changes };
}

function pupilColumns(record: PupilRecordInput): Partial<PupilsTable> {
  const columns: Partial<Record<keyof PupilsTable, string | number | null>> = {};
  for (const [field, column] of FIELD_COLUMNS) {
    if (record[field] !== undefined) columns[column] = columnValue(record[field]);
  }
  return columns as Partial<PupilsTable>;
}

/**
 * Applies matched import records inside the caller's transaction. SEN changes become history with
 * the import as their source; unchanged records are left alone, so importing a file twice changes nothing.
 */
/** Every pupil column, empty: rows inserted together must name the same columns. */
const EMPTY_PUPIL: Omit<PupilsTable, 'school_id' | 'id' | 'legal_surname' | 'legal_forename' | 'date_of_birth' | 'search_text' | 'created_at' | 'updated_at'> = {
  upn: null, former_upn: null, uln: null, uci: null, middle_names: null, preferred_surname: null, preferred_forename: null,
  sex: null, year_group: null, registration_group: null, ethnicity: null, first_language: null,
  fsm: 0, pupil_premium: 0, eal: 0, looked_after: 0, care_authority: null, medical_flag: 0, enrol_status: null,
  on_roll: 1, left_on: null, address: null, sen_provision: 'N', sen_since: null, primary_need: null, secondary_need: null,
};

function contactRows(pupilId: string, contacts: ContactInput[]) {
  return contacts.map((contact) => ({
    id: newId(),
    pupil_id: pupilId,
    contact_order: contact.order,
    title: contact.title ?? null,
    forename: contact.forename ?? null,
    surname: contact.surname,
    relationship: contact.relationship ?? null,
    parental_responsibility: contact.parentalResponsibility ? 1 : 0,
    phone: contact.phone ?? null,
    email: contact.email ?? null,
    user_id: null,
  }));
}

/**
 * Applies matched import records inside the caller's transaction. SEN changes become history with
 * the import as their source; unchanged records are left alone, so importing a file twice changes
 * nothing. New pupils are written in bulk (a whole roll is thousands of them); pupils already on the
 * register go through the same history rules as a change made by hand.
 */
export async function applyImportedPupils(
  ctx: AppContext,
  trx: DbOrTransaction,
  scope: SchoolScope,
  matches: MatchedRecord[],
  meta: { source: string; reason: string; actorUserId: string | null; actorLabel: string; ip: string | null },
): Promise<{ created: number; updated: number; unchanged: number }> {
  const now = new Date().toISOString();
  const today = schoolToday();
  let updated = 0;
  let unchanged = 0;
  const events = [];
  const newPupils: repository.NewPupil[] = [];
  const newChanges: Parameters<typeof repository.insertSenChanges>[2] = [];
  const newProvisionPeriods: Parameters<typeof repository.insertProvisionPeriods>[2] = [];
  const newNeedPeriods: Parameters<typeof repository.insertNeedPeriodRows>[2] = [];
  const newContacts: Parameters<typeof repository.insertContacts>[2] = [];
  for (const match of matches) {
    const diff = diffImportedPupil(match);
    if (diff.outcome === 'unchanged') {
      unchanged += 1;
      continue;
    }
    const { record } = match;
    if (!match.existing) {
      const pupilId = newId();
      const columns = pupilColumns(record);
      const pupil: repository.NewPupil = {
        ...EMPTY_PUPIL,
        ...(columns as Partial<PupilsTable>),
        id: pupilId,
        legal_surname: record.legalSurname,
        legal_forename: record.legalForename,
        date_of_birth: record.dateOfBirth,
        search_text: pupilSearchText(record),
        created_at: now,
        updated_at: now,
      };
      if (record.sen && (record.sen.provision !== 'N' || record.sen.needs.length > 0)) {
        const needs = record.sen.provision === 'N' ? [] : [...record.sen.needs].sort((a, b) => a.rank - b.rank);
        const start = record.sen.startDate && record.sen.startDate <= today ? record.sen.startDate : today;
        const changeId = newId();
        newChanges.push({
          id: changeId, pupil_id: pupilId, kind: senChangeKind('N', record.sen.provision, needs.length > 0), effective_date: start,
          reason: meta.reason, provision_before: 'N', provision_after: record.sen.provision, needs_before: '[]', needs_after: JSON.stringify(needs),
          source: meta.source, recorded_by: meta.actorUserId, recorded_at: now,
        });
        newProvisionPeriods.push({ id: newId(), pupil_id: pupilId, provision: record.sen.provision, start_date: start, end_date: null, change_id: changeId });
        for (const entry of needs) {
          newNeedPeriods.push({ id: newId(), pupil_id: pupilId, need: entry.need, rank: entry.rank, start_date: start, end_date: null, change_id: changeId });
        }
        Object.assign(pupil, {
          sen_provision: record.sen.provision,
          sen_since: start,
          primary_need: needs[0]?.need ?? null,
          secondary_need: needs[1]?.need ?? null,
        });
      }
      newPupils.push(pupil);
      if (record.contacts) newContacts.push(...contactRows(pupilId, record.contacts));
      events.push({
        schoolId: scope.schoolId, action: 'pupil.created-by-import', pupilId, actorUserId: meta.actorUserId, actorLabel: meta.actorLabel,
        detail: { source: meta.source, changes: diff.changes }, ip: meta.ip, at: now,
      });
      continue;
    }
    const pupilId = match.existing.id;
    const merged = { ...match.existing, ...pupilColumns(record) };
    await repository.updatePupil(trx, scope, pupilId, {
      ...pupilColumns(record),
      search_text: pupilSearchText({
        legalForename: merged.legal_forename,
        legalSurname: merged.legal_surname,
        middleNames: merged.middle_names,
        preferredForename: merged.preferred_forename,
        preferredSurname: merged.preferred_surname,
        upn: merged.upn,
      }),
      updated_at: now,
    });
    const before = await currentStatus(trx, scope, match.existing);
    updated += 1;
    if (record.sen && (record.sen.provision !== before.provision || !sameNeeds(record.sen.needs, before.needs))) {
      // The file's start date is used when it keeps history in order; otherwise the import date.
      const latest = [before.provisionSince, before.needsSince].filter((value): value is string => Boolean(value)).sort().at(-1);
      const start = record.sen.startDate && record.sen.startDate <= today && (!latest || record.sen.startDate >= latest) ? record.sen.startDate : today;
      await writeSenStatus(
        trx,
        scope,
        pupilId,
        before,
        { provision: record.sen.provision, needs: record.sen.provision === 'N' ? [] : record.sen.needs, effectiveDate: start, reason: meta.reason },
        { source: meta.source, recordedBy: meta.actorUserId, now },
      );
    }
    if (record.contacts) await repository.replaceContacts(trx, scope, pupilId, contactRows(pupilId, record.contacts));
    events.push({
      schoolId: scope.schoolId, action: 'pupil.updated-by-import', pupilId, actorUserId: meta.actorUserId, actorLabel: meta.actorLabel,
      detail: { source: meta.source, changes: diff.changes }, ip: meta.ip, at: now,
    });
  }
  await repository.insertPupils(trx, scope, newPupils);
  await repository.insertSenChanges(trx, scope, newChanges);
  await repository.insertProvisionPeriods(trx, scope, newProvisionPeriods);
  await repository.insertNeedPeriodRows(trx, scope, newNeedPeriods);
  await repository.insertContacts(trx, scope, newContacts);
  if (events.length) {
    await repository.bumpRegisterVersion(trx, scope);
    await ctx.audit.record(trx, ...events);
  }
  return { created: newPupils.length, updated, unchanged };
}

// Views for other roles -------------------------------------------------------------------------

export async function getMyPupils(ctx: AppContext, actor: Actor, ip: string) {
  const scope = schoolScope(actor.schoolId);
  const pupils = await repository.listTaughtSenPupils(ctx.db, scope, actor.userId);
  const ids = pupils.map((pupil) => pupil.id);
  const [needs, groups] = await Promise.all([
    repository.listOpenNeeds(ctx.db, scope, ids),
    repository.listGroupsTaughtBy(ctx.db, scope, actor.userId, ids),
  ]);
  ctx.audit.recordRead({ schoolId: actor.schoolId, action: 'my-pupils.viewed', actorUserId: actor.userId, actorLabel: actor.displayName, detail: { shown: pupils.length }, ip });
  return pupils.map((pupil) => ({
    ...pupil,
    needs: needs.filter((entry) => entry.pupil_id === pupil.id).map(needView),
    groups: groups.filter((entry) => entry.pupil_id === pupil.id).map((entry) => entry.name),
  }));
}

export async function getMyChildren(ctx: AppContext, actor: Actor, ip: string) {
  const scope = schoolScope(actor.schoolId);
  const ids = [...(actor.childPupilIds ?? [])];
  const pupils = await repository.listPupilsByIds(ctx.db, scope, ids);
  const needs = await repository.listOpenNeeds(ctx.db, scope, ids);
  // Other features add what a parent should find first: the plan, what it asks of them, meetings, the passport.
  const summaries = await Promise.all((ctx.childSummarySources ?? []).map((source) => source(actor, pupils.map((pupil) => pupil.id))));
  ctx.audit.recordRead({ schoolId: actor.schoolId, action: 'my-children.viewed', actorUserId: actor.userId, actorLabel: actor.displayName, detail: { shown: pupils.length }, ip });
  return pupils.map((pupil) => ({
    ...pupil,
    needs: needs.filter((entry) => entry.pupil_id === pupil.id).map(needView),
    summary: summaries.flatMap((rows) => rows.get(pupil.id) ?? []),
  }));
}


export async function getOverview(ctx: AppContext, actor: Actor) {
  const scope = schoolScope(actor.schoolId);
  const allFilters: RegisterFilters = { terms: [], provisions: [], needs: [], primaryNeeds: [], yearGroups: [], flags: [] };
  const [cells, school, flagTotals] = await Promise.all([
    repository.registerCountCells(ctx.db, scope, allFilters),
    repository.findSchool(ctx.db, actor.schoolId),
    repository.senFlagCounts(ctx.db, scope),
  ]);
  const flagCounts = (Object.keys(FLAG_NAMES) as Array<keyof typeof FLAG_NAMES>).map((flag) => ({ flag, label: FLAG_LABELS[flag], count: flagTotals[FLAG_NAMES[flag]] }));
  const all = summariseCounts(cells);
  const sen = summariseCounts(cells.filter((cell) => cell.provision === 'K' || cell.provision === 'E'));
  const suppress = actor.role === 'governor';
  const show = (count: number) => countText(count, suppress);
  return { school, all, sen, flagCounts, show, suppress };
}

/** Names for pupils other features refer to by id (the audit log, documents). */
export async function pupilNames(ctx: AppContext, scope: SchoolScope, pupilIds: string[]): Promise<Map<string, { name: string; upn: string | null }>> {
  const rows = await repository.listPupilNames(ctx.db, scope, [...new Set(pupilIds)]);
  return new Map(rows.map((row) => [row.id, { name: `${row.legal_forename} ${row.legal_surname}`, upn: row.upn }]));
}

// Leaving and returning ------------------------------------------------------------------------

export function leavingProblems(pupil: Pick<PupilsTable, 'on_roll' | 'date_of_birth'>, input: { leftOn: string; reason: string }, today: string): FieldError[] {
  const problems: FieldError[] = [];
  if (pupil.on_roll !== 1) problems.push({ field: 'leftOn', message: 'This pupil has already left the school' });
  if (!input.leftOn) problems.push({ field: 'leftOn', message: 'Enter the date the pupil left' });
  else if (!isIsoDate(input.leftOn)) problems.push({ field: 'leftOn', message: 'The date the pupil left must be a real date' });
  else if (input.leftOn > today) problems.push({ field: 'leftOn', message: 'The date the pupil left must be today or in the past' });
  else if (input.leftOn < pupil.date_of_birth) problems.push({ field: 'leftOn', message: 'The date the pupil left must be after their date of birth' });
  if (!input.reason.trim()) problems.push({ field: 'reason', message: 'Enter why the pupil left, for example the school they moved to' });
  if (input.reason.length > 2000) problems.push({ field: 'reason', message: 'Reason must be 2,000 characters or fewer' });
  return problems;
}

/** The pupil leaves the roll (and so the register); their records stay, and they can be returned. */
export async function recordLeaving(ctx: AppContext, actor: Actor, pupilId: string, input: { leftOn: string; reason: string }, ip: string): Promise<void> {
  const scope = schoolScope(actor.schoolId);
  await ctx.db.transaction().execute(async (trx) => {
    const pupil = await repository.findPupil(trx, scope, pupilId);
    if (!pupil) throw new NotFoundError('No pupil with that record in this school');
    const problems = leavingProblems(pupil, input, schoolToday());
    if (problems.length) throw new ValidationError(problems);
    const now = new Date().toISOString();
    await repository.updatePupil(trx, scope, pupilId, { on_roll: 0, left_on: input.leftOn, updated_at: now });
    await repository.bumpRegisterVersion(trx, scope);
    await ctx.audit.record(trx, {
      schoolId: actor.schoolId, action: 'pupil.left', pupilId, actorUserId: actor.userId, actorLabel: actor.displayName,
      detail: { leftOn: input.leftOn, reason: input.reason.trim() }, ip, at: now,
    });
  });
}

export async function returnToRoll(ctx: AppContext, actor: Actor, pupilId: string, input: { reason: string }, ip: string): Promise<void> {
  const scope = schoolScope(actor.schoolId);
  await ctx.db.transaction().execute(async (trx) => {
    const pupil = await repository.findPupil(trx, scope, pupilId);
    if (!pupil) throw new NotFoundError('No pupil with that record in this school');
    const problems: FieldError[] = [];
    if (pupil.on_roll === 1) problems.push({ field: 'reason', message: 'This pupil is already on roll' });
    if (!input.reason.trim()) problems.push({ field: 'reason', message: 'Enter why the pupil is back on roll, for example that they were recorded as leaving by mistake' });
    if (problems.length) throw new ValidationError(problems);
    const now = new Date().toISOString();
    await repository.updatePupil(trx, scope, pupilId, { on_roll: 1, left_on: null, updated_at: now });
    await repository.bumpRegisterVersion(trx, scope);
    await ctx.audit.record(trx, {
      schoolId: actor.schoolId, action: 'pupil.returned-to-roll', pupilId, actorUserId: actor.userId, actorLabel: actor.displayName,
      detail: { leftOn: pupil.left_on, reason: input.reason.trim() }, ip, at: now,
    });
  });
}

// For School settings: groups, pupil pickers and parents' accounts -------------------------------

/**
 * Another feature changed what the register shows (groups and who is in them): bumps the school's
 * register version inside the caller's transaction, so no stale register page is served (ADR 7).
 */
export async function registerChanged(trx: DbOrTransaction, scope: SchoolScope): Promise<void> {
  await repository.bumpRegisterVersion(trx, scope);
}

export interface PickerPupil {
  id: string;
  upn: string | null;
  name: string;
  yearGroup: number | null;
  registrationGroup: string | null;
}

/** Pupils on roll matching a name or UPN (the register's search rules), for choosing pupils in a form. Audited as a search. */
export async function searchPupilsForPicker(ctx: AppContext, actor: Actor, term: string, limit: number): Promise<PickerPupil[]> {
  const text = term.trim().slice(0, 100);
  const terms = normaliseSearchTerm(text);
  if (terms.length === 0) return [];
  const rows = await repository.searchPupilsOnRoll(ctx.db, schoolScope(actor.schoolId), terms, Math.max(1, Math.min(Math.floor(limit), 200)));
  ctx.audit.recordRead({ schoolId: actor.schoolId, action: 'pupils.searched', actorUserId: actor.userId, actorLabel: actor.displayName, detail: { term: text, shown: rows.length } });
  return rows.map((row) => ({
    id: row.id,
    upn: row.upn,
    name: `${row.preferred_forename || row.legal_forename} ${row.legal_surname}`,
    yearGroup: row.year_group === null ? null : Number(row.year_group),
    registrationGroup: row.registration_group,
  }));
}

/** Who lists or links parents' contacts: a member of staff, or the command line (no user). */
export interface ContactsActor {
  schoolId: string;
  userId: string | null;
  label: string;
  ip: string | null;
}

export interface ParentalContact {
  id: string;
  pupilId: string;
  pupilName: string;
  upn: string | null;
  yearGroup: number | null;
  onRoll: boolean;
  /** Title, forename and surname together, as a list shows them. */
  name: string;
  title: string | null;
  forename: string | null;
  surname: string;
  relationship: string | null;
  email: string | null;
  phone: string | null;
  contactOrder: number;
  /** The parent's SENCO Desk account, when linked. */
  userId: string | null;
}

/** Contacts with parental responsibility, filtered and paged, with the pupil each belongs to. Audited as a read. */
export async function listParentalContacts(
  ctx: AppContext,
  by: ContactsActor,
  options: { q?: string; linked?: boolean; contactId?: string; upn?: string; userId?: string; onRollOnly?: boolean; limit?: number; offset?: number } = {},
): Promise<{ contacts: ParentalContact[]; total: number }> {
  const scope = schoolScope(by.schoolId);
  const filters: repository.ParentalContactFilters = {
    terms: options.q ? normaliseSearchTerm(options.q.slice(0, 100)) : [],
    ...(options.linked === undefined ? {} : { linked: options.linked }),
    ...(options.contactId === undefined ? {} : { contactId: options.contactId }),
    ...(options.upn === undefined ? {} : { upn: options.upn }),
    ...(options.userId === undefined ? {} : { userId: options.userId }),
    ...(options.onRollOnly ? { onRollOnly: true } : {}),
  };
  const page = { limit: Math.max(1, Math.min(options.limit ?? 50, 1000)), offset: Math.max(0, options.offset ?? 0) };
  const [rows, total] = await Promise.all([
    repository.listParentalContacts(ctx.db, scope, filters, page),
    repository.countParentalContacts(ctx.db, scope, filters),
  ]);
  ctx.audit.recordRead({
    schoolId: by.schoolId,
    action: 'parental-contacts.viewed',
    actorUserId: by.userId,
    actorLabel: by.label,
    detail: { ...(options.q ? { q: options.q } : {}), ...(options.contactId ? { contactId: options.contactId } : {}), ...(options.upn ? { upn: options.upn } : {}), shown: rows.length },
    ip: by.ip,
  });
  return {
    total,
    contacts: rows.map((row) => ({
      id: row.id,
      pupilId: row.pupil_id,
      pupilName: `${row.preferred_forename || row.legal_forename} ${row.legal_surname}`,
      upn: row.upn,
      yearGroup: row.year_group === null ? null : Number(row.year_group),
      onRoll: Number(row.on_roll) === 1,
      name: [row.title, row.forename, row.surname].filter(Boolean).join(' '),
      title: row.title,
      forename: row.forename,
      surname: row.surname,
      relationship: row.relationship,
      email: row.email,
      phone: row.phone,
      contactOrder: Number(row.contact_order),
      userId: row.user_id,
    })),
  };
}

async function parentalContactOrThrow(trx: DbOrTransaction, scope: SchoolScope, contactId: string) {
  const contact = await repository.findContact(trx, scope, contactId);
  if (!contact || Number(contact.parental_responsibility) !== 1) throw new NotFoundError('No contact with parental responsibility has that reference in this school');
  return contact;
}

/**
 * Links a contact with parental responsibility to a parent's account, inside the caller's
 * transaction (which gives the account its parent role): the parent then sees this child.
 */
export async function linkContactToUser(
  ctx: AppContext,
  trx: DbOrTransaction,
  by: ContactsActor,
  contactId: string,
  userId: string,
): Promise<{ pupilId: string; changed: boolean }> {
  const scope = schoolScope(by.schoolId);
  const contact = await parentalContactOrThrow(trx, scope, contactId);
  if (contact.user_id === userId) return { pupilId: contact.pupil_id, changed: false };
  if (contact.user_id) throw new ValidationError([{ field: 'email', message: 'This contact is already linked to another account: unlink it first' }]);
  await repository.setContactUser(trx, scope, contactId, userId);
  await ctx.audit.record(trx, {
    schoolId: by.schoolId,
    action: 'contact.linked',
    pupilId: contact.pupil_id,
    actorUserId: by.userId,
    actorLabel: by.label,
    detail: { contactId, userId, contact: [contact.forename, contact.surname].filter(Boolean).join(' ') },
    ip: by.ip,
  });
  return { pupilId: contact.pupil_id, changed: true };
}

/** Unlinks a contact from the parent's account it was linked to, inside the caller's transaction. */
export async function unlinkContact(
  ctx: AppContext,
  trx: DbOrTransaction,
  by: ContactsActor,
  contactId: string,
): Promise<{ pupilId: string; userId: string | null; changed: boolean }> {
  const scope = schoolScope(by.schoolId);
  const contact = await parentalContactOrThrow(trx, scope, contactId);
  if (!contact.user_id) return { pupilId: contact.pupil_id, userId: null, changed: false };
  await repository.setContactUser(trx, scope, contactId, null);
  await ctx.audit.record(trx, {
    schoolId: by.schoolId,
    action: 'contact.unlinked',
    pupilId: contact.pupil_id,
    actorUserId: by.userId,
    actorLabel: by.label,
    detail: { contactId, userId: contact.user_id, contact: [contact.forename, contact.surname].filter(Boolean).join(' ') },
    ip: by.ip,
  });
  return { pupilId: contact.pupil_id, userId: contact.user_id, changed: true };
}

/** Pupils found by UPN, for features that refer to pupils by UPN (class lists, parent links). */
export async function pupilsByUpn(db: DbOrTransaction, scope: SchoolScope, upns: string[]): Promise<Map<string, { id: string; onRoll: boolean }>> {
  const rows = await repository.findPupilsByUpn(db, scope, upns);
  return new Map(rows.filter((row) => row.upn).map((row) => [row.upn!, { id: row.id, onRoll: Number(row.on_roll) === 1 }]));
}

// For Provision: pupils named by id in intervention groups and the costed provision map -----------

export interface PupilFact {
  id: string;
  name: string;
  upn: string | null;
  yearGroup: number | null;
  registrationGroup: string | null;
  senProvision: string;
  primaryNeed: string | null;
  onRoll: boolean;
}

/**
 * The register facts other features show beside a pupil they hold by id (name, year and
 * registration group, SEN provision), in bulk: a few queries for any number of pupils. The caller
 * audits what it shows.
 */
export async function pupilFacts(ctx: AppContext, scope: SchoolScope, pupilIds: string[]): Promise<Map<string, PupilFact>> {
  const ids = [...new Set(pupilIds)];
  const facts = new Map<string, PupilFact>();
  for (let start = 0; start < ids.length; start += 1000) {
    for (const row of await repository.listPupilsByIds(ctx.db, scope, ids.slice(start, start + 1000))) {
      facts.set(row.id, {
        id: row.id,
        name: `${row.preferred_forename || row.legal_forename} ${row.legal_surname}`,
        upn: row.upn,
        yearGroup: row.year_group === null ? null : Number(row.year_group),
        registrationGroup: row.registration_group,
        senProvision: row.sen_provision,
        primaryNeed: row.primary_need,
        onRoll: row.left_on === null,
      });
    }
  }
  return facts;
}
