// Provision and interventions: the catalogue, intervention groups with their sessions, attendance
// and entry/exit measures, impact, the costed provision map and staff deployment. Pupils' names and
// register facts come from the register service, staff from the auth service; every write commits in
// one transaction with its audit events, and every page that shows pupils' data is audited.
import type { DbOrTransaction } from '../../db/database.ts';
import * as auth from '../../platform/auth/service.ts';
import type { AppContext, ChronologyEvent } from '../../platform/context.ts';
import type { DocumentFormat, DocumentModel } from '../../platform/documents/index.ts';
import { academicYearStart, isIsoDate, schoolToday } from '../../platform/dates.ts';
import { ForbiddenError, NotFoundError, ValidationError, type FieldError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { can, roleMay, type Action, type Actor } from '../../platform/permissions.ts';
import { schoolScope, type SchoolScope } from '../../platform/scope.ts';
import { countText, SMALL_NUMBER_THRESHOLD } from '../../platform/figures.ts';
import { yearGroupLabel } from '../register/census.ts';
import * as register from '../register/service.ts';
import {
  BAND_LABELS,
  TOP_UP_THRESHOLD_PENCE,
  attendanceRate,
  groupCost,
  notProgressing,
  progressOf,
  summarise,
  weeklyHoursPerStaff,
  type Attendance,
  type GroupCost,
  type ImpactSummary,
  type Progress,
} from './impact.ts';
import { MAP_EXPORT_TYPES, impactReportFilename, impactReportModel, mapCsv, mapExportFilename, mapWorkbook, type ImpactReport, type MapExport, type MapExportFormat } from './exports.ts';
import * as repository from './repository.ts';
import {
  DEFAULT_RATES,
  calendarWeeks,
  checkContractedHours,
  checkGroup,
  checkProvision,
  checkRates,
  isOneOf,
  measureValueText,
  parseMeasure,
  type GroupDetails,
  type GroupInput,
  type MeasureEntry,
  type MeasureSpec,
  type ProvisionInput,
  type Rates,
  type RatesInput,
} from './validation.ts';
import { scopeOf } from '../../platform/scope.ts';
import { auditAs } from '../../platform/audit/audit-log.ts';

export { BAND_LABELS } from './impact.ts';

const COLLATOR = new Intl.Collator('en-GB', { numeric: true });
/** Names and labels in British alphabetical order ('7B' before '10A'); one collator for every sort. */
function byName(a: string, b: string): number {
  return COLLATOR.compare(a, b);
}

/** Costs are for those who manage provision and leaders; staff who run a group see its pupils, not its price. */
export function seesCosts(actor: Actor): boolean {
  return roleMay(actor.role, 'provision.view');
}

// Settings: cost rates and the notional SEN budget ---------------------------------------------------

export interface ProvisionSettings {
  rates: Rates;
  budgetPence: number | null;
  saved: boolean;
}

export async function getSettings(ctx: AppContext, actor: Actor): Promise<ProvisionSettings> {
  return settingsOf(ctx, scopeOf(actor));
}

async function settingsOf(ctx: AppContext, scope: SchoolScope): Promise<ProvisionSettings> {
  const row = await repository.findSettings(ctx.db, scope);
  if (!row) return { rates: { ...DEFAULT_RATES }, budgetPence: null, saved: false };
  return {
    rates: { teacher: Number(row.teacher_rate_pence), ta: Number(row.ta_rate_pence), specialist: Number(row.specialist_rate_pence), external: Number(row.external_rate_pence) },
    budgetPence: row.sen_budget_pence === null ? null : Number(row.sen_budget_pence),
    saved: true,
  };
}

export async function saveSettings(ctx: AppContext, actor: Actor, input: RatesInput, ip: string | null): Promise<void> {
  const { rates, budgetPence, problems } = checkRates(input);
  if (!rates) throw new ValidationError(problems);
  const scope = scopeOf(actor);
  const now = new Date().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    await repository.saveSettings(trx, scope, {
      teacher_rate_pence: rates.teacher, ta_rate_pence: rates.ta, specialist_rate_pence: rates.specialist, external_rate_pence: rates.external,
      sen_budget_pence: budgetPence ?? null, updated_at: now, updated_by: actor.userId,
    });
    await ctx.audit.record(trx, { ...auditAs(actor, ip)('provision.settings-changed', { rates, budgetPence }), at: now });
  });
}

// The catalogue ----------------------------------------------------------------------------------

export interface ProvisionView {
  id: string;
  name: string;
  description: string | null;
  tier: string;
  area: string;
  groupSize: number;
  sessionsPerWeek: number;
  minutesPerSession: number;
  staffType: string;
  costModel: string;
  costPence: number | null;
  measure: string;
  scaleMin: number | null;
  scaleMax: number | null;
  archivedAt: string | null;
  spec: MeasureSpec;
}

function provisionView(row: repository.ProvisionRow): ProvisionView {
  const scaleMin = row.scale_min === null ? null : Number(row.scale_min);
  const scaleMax = row.scale_max === null ? null : Number(row.scale_max);
  return {
    id: row.id, name: row.name, description: row.description, tier: row.tier, area: row.area, groupSize: Number(row.group_size),
    sessionsPerWeek: Number(row.sessions_per_week), minutesPerSession: Number(row.minutes_per_session), staffType: row.staff_type,
    costModel: row.cost_model, costPence: row.cost_pence === null ? null : Number(row.cost_pence), measure: row.measure, scaleMin, scaleMax,
    archivedAt: row.archived_at, spec: { measure: row.measure as MeasureSpec['measure'], scaleMin, scaleMax },
  };
}

export function provisionInput(view: ProvisionView): ProvisionInput {
  return {
    name: view.name, description: view.description ?? '', tier: view.tier, area: view.area, groupSize: String(view.groupSize),
    sessionsPerWeek: String(view.sessionsPerWeek), minutesPerSession: String(view.minutesPerSession), staffType: view.staffType,
    costModel: view.costModel, cost: view.costPence === null ? '' : (view.costPence / 100).toFixed(2), measure: view.measure,
    scaleMin: view.scaleMin === null ? '' : String(view.scaleMin), scaleMax: view.scaleMax === null ? '' : String(view.scaleMax),
  };
}

async function provisionOrThrow(ctx: AppContext, scope: SchoolScope, provisionId: string): Promise<ProvisionView> {
  const row = await repository.findProvision(ctx.db, scope, provisionId);
  if (!row) throw new NotFoundError('No provision with that reference in this school');
  return provisionView(row);
}

export async function findProvision(ctx: AppContext, actor: Actor, provisionId: string): Promise<ProvisionView> {
  return provisionOrThrow(ctx, scopeOf(actor), provisionId);
}

export async function listProvisions(ctx: AppContext, actor: Actor): Promise<ProvisionView[]> {
  return (await repository.listProvisions(ctx.db, scopeOf(actor))).map(provisionView);
}

/** The catalogue with, for each provision, its groups running today and the pupils in them. */
export async function getCatalogue(ctx: AppContext, actor: Actor, options: { archived: boolean }) {
  const scope = scopeOf(actor);
  const today = schoolToday();
  const [provisions, current, counts] = await Promise.all([
    repository.listProvisions(ctx.db, scope),
    repository.listGroups(ctx.db, scope, { from: today, to: today }),
    repository.countMembersByGroup(ctx.db, scope),
  ]);
  const rows = provisions.map(provisionView).filter((provision) => (options.archived ? provision.archivedAt !== null : provision.archivedAt === null));
  return {
    provisions: rows.map((provision) => {
      const groups = current.filter((group) => group.provision_id === provision.id);
      return { ...provision, currentGroups: groups.length, currentPupils: groups.reduce((sum, group) => sum + (counts.get(group.id) ?? 0), 0) };
    }),
    archivedCount: provisions.filter((provision) => provision.archived_at !== null).length,
  };
}

async function refuseDuplicateName(ctx: AppContext, scope: SchoolScope, name: string, exceptId?: string): Promise<void> {
  const other = await repository.findProvisionByName(ctx.db, scope, name);
  if (other && other.id !== exceptId) {
    throw new ValidationError([{ field: 'name', message: other.archived_at ? `An archived provision is already called ${other.name}: restore it, or choose another name` : `The catalogue already has a provision called ${other.name}: choose another name` }]);
  }
}

function provisionRow(details: NonNullable<ReturnType<typeof checkProvision>['details']>) {
  return {
    name: details.name, description: details.description, tier: details.tier, area: details.area, group_size: details.groupSize,
    sessions_per_week: details.sessionsPerWeek, minutes_per_session: details.minutesPerSession, staff_type: details.staffType,
    cost_model: details.costModel, cost_pence: details.costPence, measure: details.measure, scale_min: details.scaleMin, scale_max: details.scaleMax,
  };
}

export async function createProvision(ctx: AppContext, actor: Actor, input: ProvisionInput, ip: string | null): Promise<string> {
  const { details, problems } = checkProvision(input);
  if (!details) throw new ValidationError(problems);
  const scope = scopeOf(actor);
  await refuseDuplicateName(ctx, scope, details.name);
  const id = newId();
  const now = new Date().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    await repository.insertProvision(trx, scope, { id, ...provisionRow(details), archived_at: null, created_at: now, updated_at: now });
    await ctx.audit.record(trx, { ...auditAs(actor, ip)('provision.created', { provisionId: id, name: details.name }), at: now });
  });
  return id;
}

/**
 * Changes a provision. Its measure cannot change once pupils have measures recorded against it
 * (the old scores would be read against the new measure).
 */
export async function updateProvision(ctx: AppContext, actor: Actor, provisionId: string, input: ProvisionInput, ip: string | null): Promise<void> {
  const scope = scopeOf(actor);
  const current = await provisionOrThrow(ctx, scope, provisionId);
  const { details, problems } = checkProvision(input);
  if (!details) throw new ValidationError(problems);
  await refuseDuplicateName(ctx, scope, details.name, provisionId);
  if (details.measure !== current.measure || details.scaleMin !== current.scaleMin || details.scaleMax !== current.scaleMax) {
    const groups = await repository.listGroups(ctx.db, scope, { provisionId });
    const members = await repository.listMembers(ctx.db, scope, groups.map((group) => group.id));
    if (members.some((member) => member.entry_value !== null || member.exit_value !== null)) {
      throw new ValidationError([{ field: 'measure', message: 'Pupils already have scores on this measure, so it cannot change: archive this provision and add a new one with the new measure' }]);
    }
  }
  const now = new Date().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    await repository.updateProvision(trx, scope, provisionId, { ...provisionRow(details), updated_at: now });
    await ctx.audit.record(trx, { ...auditAs(actor, ip)('provision.updated', { provisionId, name: details.name }), at: now });
  });
}

export async function removalCheck(ctx: AppContext, actor: Actor, provisionId: string) {
  const scope = scopeOf(actor);
  const provision = await provisionOrThrow(ctx, scope, provisionId);
  return { provision, groups: await repository.countGroupsOfProvision(ctx.db, scope, provisionId) };
}

/** A provision that has been used is archived (its history stays); one never used is deleted. */
export async function removeProvision(ctx: AppContext, actor: Actor, provisionId: string, ip: string | null): Promise<'archived' | 'deleted' | 'already-archived'> {
  const scope = scopeOf(actor);
  return ctx.db.transaction().execute(async (trx) => {
    const row = await repository.findProvision(trx, scope, provisionId);
    if (!row) throw new NotFoundError('No provision with that reference in this school');
    const used = await repository.countGroupsOfProvision(trx, scope, provisionId);
    const now = new Date().toISOString();
    if (used === 0) {
      await repository.deleteProvision(trx, scope, provisionId);
      await ctx.audit.record(trx, { ...auditAs(actor, ip)('provision.deleted', { provisionId, name: row.name }), at: now });
      return 'deleted';
    }
    if (row.archived_at) return 'already-archived';
    await repository.updateProvision(trx, scope, provisionId, { archived_at: now, updated_at: now });
    await ctx.audit.record(trx, { ...auditAs(actor, ip)('provision.archived', { provisionId, name: row.name, groups: used }), at: now });
    return 'archived';
  });
}

export async function restoreProvision(ctx: AppContext, actor: Actor, provisionId: string, ip: string | null): Promise<void> {
  const scope = scopeOf(actor);
  await provisionOrThrow(ctx, scope, provisionId);
  const now = new Date().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    await repository.updateProvision(trx, scope, provisionId, { archived_at: null, updated_at: now });
    await ctx.audit.record(trx, { ...auditAs(actor, ip)('provision.restored', { provisionId }), at: now });
  });
}

// Groups: access ------------------------------------------------------------------------------------

export interface GroupView extends GroupDetails {
  id: string;
  status: 'planned' | 'running' | 'ended';
}

function groupView(row: repository.GroupRow, today = schoolToday()): GroupView {
  return {
    id: row.id, provisionId: row.provision_id, name: row.name, startDate: row.start_date, endDate: row.end_date, weeks: Number(row.weeks),
    sessionsPerWeek: Number(row.sessions_per_week), minutesPerSession: Number(row.minutes_per_session), days: row.days, time: row.time,
    status: row.start_date > today ? 'planned' : row.end_date < today ? 'ended' : 'running',
  };
}

/**
 * Loads a group and asks the permission policy whether the actor may take the action on it: the
 * staff who run it ('group-staff'), or the roles that may on any group. Unknown: 404; refused: 403.
 */
async function authoriseGroup(ctx: AppContext, actor: Actor, groupId: string, action: Action) {
  const scope = scopeOf(actor);
  const row = await repository.findGroup(ctx.db, scope, groupId);
  if (!row) throw new NotFoundError('No intervention group with that reference in this school');
  const staffIds = (await repository.listGroupStaff(ctx.db, scope, [groupId])).map((entry) => entry.user_id);
  if (!can(actor, action, { kind: 'intervention-group', schoolId: actor.schoolId, groupId, staffUserIds: new Set(staffIds) })) {
    throw new ForbiddenError('You can see and record only the intervention groups you run');
  }
  const provision = await provisionOrThrow(ctx, scope, row.provision_id);
  return { scope, group: groupView(row), provision, staffIds };
}

export async function findGroup(ctx: AppContext, actor: Actor, groupId: string, action: Action = 'provision.group.view') {
  const { group, provision } = await authoriseGroup(ctx, actor, groupId, action);
  return { group, provision };
}

export function groupInput(group: GroupView): GroupInput {
  return {
    provisionId: group.provisionId, name: group.name, startDate: group.startDate, endDate: group.endDate, weeks: String(group.weeks),
    sessionsPerWeek: String(group.sessionsPerWeek), minutesPerSession: String(group.minutesPerSession), days: group.days.split(',').filter(Boolean), time: group.time ?? '',
  };
}

/** A new group's form, filled from the provision's delivery. */
export function newGroupInput(provision: ProvisionView | undefined, today = schoolToday()): GroupInput {
  return { provisionId: provision?.id ?? '', name: '', startDate: today, endDate: '', weeks: '', sessionsPerWeek: provision ? String(provision.sessionsPerWeek) : '', minutesPerSession: provision ? String(provision.minutesPerSession) : '', days: [], time: '' };
}

async function checkedGroup(ctx: AppContext, scope: SchoolScope, input: GroupInput) {
  const { details, problems } = checkGroup(input);
  if (input.provisionId) {
    const provision = await repository.findProvision(ctx.db, scope, input.provisionId);
    if (!provision) problems.push({ field: 'provisionId', message: 'Choose a provision from the catalogue' });
  }
  if (!details || problems.length) throw new ValidationError(problems);
  return details;
}

export async function createGroup(ctx: AppContext, actor: Actor, input: GroupInput, ip: string | null): Promise<string> {
  const scope = scopeOf(actor);
  const details = await checkedGroup(ctx, scope, input);
  const provision = await repository.findProvision(ctx.db, scope, details.provisionId);
  if (provision?.archived_at) throw new ValidationError([{ field: 'provisionId', message: `${provision.name} is archived: restore it before starting a new group` }]);
  const id = newId();
  const now = new Date().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    await repository.insertGroup(trx, scope, {
      id, provision_id: details.provisionId, name: details.name, start_date: details.startDate, end_date: details.endDate, weeks: details.weeks,
      sessions_per_week: details.sessionsPerWeek, minutes_per_session: details.minutesPerSession, days: details.days, time: details.time, created_at: now, updated_at: now,
    });
    await ctx.audit.record(trx, { ...auditAs(actor, ip)('intervention-group.created', { groupId: id, name: details.name, provisionId: details.provisionId }), at: now });
  });
  return id;
}

export async function updateGroup(ctx: AppContext, actor: Actor, groupId: string, input: GroupInput, ip: string | null): Promise<void> {
  const { scope, group } = await authoriseGroup(ctx, actor, groupId, 'provision.manage');
  const details = await checkedGroup(ctx, scope, { ...input, provisionId: group.provisionId });
  const now = new Date().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    await repository.updateGroup(trx, scope, groupId, {
      name: details.name, start_date: details.startDate, end_date: details.endDate, weeks: details.weeks, sessions_per_week: details.sessionsPerWeek,
      minutes_per_session: details.minutesPerSession, days: details.days, time: details.time, updated_at: now,
    });
    await ctx.audit.record(trx, { ...auditAs(actor, ip)('intervention-group.updated', { groupId, name: details.name }), at: now });
  });
}

// Groups: lists and one group ---------------------------------------------------------------------

const STAFF_ROLES = ['teacher', 'teaching_assistant'] as const;

export async function listStaffChoices(ctx: AppContext, actor: Actor) {
  return (await auth.listSchoolPeople(ctx, actor.schoolId, { roles: [...STAFF_ROLES], limit: 5000, offset: 0 })).people;
}

export type GroupShow = 'current' | 'planned' | 'ended' | 'all';

export async function listGroupsPage(ctx: AppContext, actor: Actor, query: { show: GroupShow; provisionId: string }) {
  const scope = scopeOf(actor);
  const today = schoolToday();
  const filters: repository.GroupFilters = {
    ...(query.provisionId ? { provisionId: query.provisionId } : {}),
    ...(query.show === 'current' ? { from: today, to: today } : query.show === 'planned' ? { startFrom: `${today}\u0000` } : {}),
  };
  let rows = await repository.listGroups(ctx.db, scope, filters);
  if (query.show === 'ended') rows = rows.filter((row) => row.end_date < today);
  if (query.show === 'planned') rows = rows.filter((row) => row.start_date > today);
  const ids = rows.map((row) => row.id);
  const [provisions, counts, staff, delivered] = await Promise.all([
    repository.listProvisions(ctx.db, scope),
    repository.countMembersByGroup(ctx.db, scope),
    repository.listGroupStaff(ctx.db, scope, ids),
    repository.deliveredCounts(ctx.db, scope, ids),
  ]);
  const names = await auth.staffDisplayNames(ctx, actor.schoolId, staff.map((entry) => entry.user_id));
  const byId = new Map(provisions.map((row) => [row.id, row.name]));
  return rows.map((row) => ({
    ...groupView(row, today),
    provisionName: byId.get(row.provision_id) ?? '',
    pupils: counts.get(row.id) ?? 0,
    delivered: delivered.get(row.id) ?? 0,
    staff: staff.filter((entry) => entry.group_id === row.id).map((entry) => names.get(entry.user_id) ?? 'Someone without a role here').sort(),
  }));
}

export interface MemberView {
  pupilId: string;
  name: string;
  upn: string | null;
  yearGroup: number | null;
  source: string | null;
  addedOn: string;
  leftOn: string | null;
  entry: number | null;
  entryDate: string | null;
  exit: number | null;
  exitDate: string | null;
  entryText: string;
  exitText: string;
  progress: Progress | null;
  bandLabel: string;
  attendance: Attendance;
  attendanceRate: number | null;
  plannedPence: number;
  actualPence: number;
}

function emptyAttendance(): Attendance {
  return { present: 0, late: 0, absent: 0 };
}

function tally(rows: Array<{ group_id: string; pupil_id: string; status: string; count: number }>): Map<string, Attendance> {
  const result = new Map<string, Attendance>();
  for (const row of rows) {
    const key = `${row.group_id}:${row.pupil_id}`;
    const entry = result.get(key) ?? emptyAttendance();
    if (row.status === 'present' || row.status === 'late' || row.status === 'absent') entry[row.status] += row.count;
    result.set(key, entry);
  }
  return result;
}

interface ComputedGroup {
  group: GroupView;
  provision: ProvisionView;
  cost: GroupCost;
  delivered: number;
  members: MemberView[];
  summary: ImpactSummary;
}

/**
 * Everything the impact pages need for a set of groups, in a fixed number of queries whatever the
 * number of groups: members, attendance tallies and delivered sessions, each one grouped query.
 */
async function computeGroups(ctx: AppContext, scope: SchoolScope, rows: repository.GroupRow[], provisions: Map<string, ProvisionView>, rates: Rates): Promise<ComputedGroup[]> {
  const ids = rows.map((row) => row.id);
  const [members, attendance, delivered] = await Promise.all([
    repository.listMembers(ctx.db, scope, ids),
    repository.attendanceCounts(ctx.db, scope, ids),
    repository.deliveredCounts(ctx.db, scope, ids),
  ]);
  const facts = await register.pupilFacts(ctx, scope, members.map((member) => member.pupil_id));
  const tallies = tally(attendance);
  const today = schoolToday();
  const membersOf = new Map<string, repository.MemberRow[]>();
  for (const member of members) membersOf.set(member.group_id, [...(membersOf.get(member.group_id) ?? []), member]);
  return rows.map((row) => {
    const group = groupView(row, today);
    const provision = provisions.get(row.provision_id)!;
    const count = delivered.get(row.id) ?? 0;
    const cost = groupCost({ costModel: provision.costModel as 'staff-time', costPence: provision.costPence, staffType: provision.staffType as 'ta' }, group, rates, count);
    const groupMembers = membersOf.get(row.id) ?? [];
    const share = Math.max(1, groupMembers.length);
    const views: MemberView[] = groupMembers.map((member) => {
      const fact = facts.get(member.pupil_id);
      const progress = progressOf(provision.spec, { entry: member.entry_value, entryDate: member.entry_date, exit: member.exit_value, exitDate: member.exit_date });
      const pupilAttendance = tallies.get(`${row.id}:${member.pupil_id}`) ?? emptyAttendance();
      return {
        pupilId: member.pupil_id, name: fact?.name ?? 'Unknown pupil', upn: fact?.upn ?? null, yearGroup: fact?.yearGroup ?? null, source: member.source,
        addedOn: member.added_on, leftOn: member.left_on, entry: member.entry_value, entryDate: member.entry_date, exit: member.exit_value, exitDate: member.exit_date,
        entryText: measureValueText(provision.spec, member.entry_value), exitText: measureValueText(provision.spec, member.exit_value),
        progress, bandLabel: progress ? BAND_LABELS[progress.band] : '', attendance: pupilAttendance, attendanceRate: attendanceRate(pupilAttendance),
        plannedPence: cost.plannedPence / share, actualPence: cost.actualPence / share,
      };
    }).sort((a, b) => byName(a.name, b.name));
    const summary = summarise(views.map((view) => ({ progress: view.progress, attendance: view.attendance, costPence: view.actualPence })));
    return { group, provision, cost, delivered: count, members: views, summary };
  });
}

async function provisionMap(ctx: AppContext, scope: SchoolScope): Promise<Map<string, ProvisionView>> {
  return new Map((await repository.listProvisions(ctx.db, scope)).map((row) => [row.id, provisionView(row)]));
}

/** One group's page: its details, staff, pupils with attendance and measures, and sessions. */
export async function getGroup(ctx: AppContext, actor: Actor, groupId: string, ip: string | null) {
  const { scope, staffIds } = await authoriseGroup(ctx, actor, groupId, 'provision.group.view');
  const [row, provisions, settings, sessions, names] = await Promise.all([
    repository.findGroup(ctx.db, scope, groupId),
    provisionMap(ctx, scope),
    settingsOf(ctx, scope),
    repository.listSessions(ctx.db, scope, groupId),
    auth.staffDisplayNames(ctx, actor.schoolId, staffIds),
  ]);
  const [computed] = await computeGroups(ctx, scope, [row!], provisions, settings.rates);
  ctx.audit.recordRead(auditAs(actor, ip)('intervention-group.viewed', { groupId, pupils: computed!.members.map((member) => member.pupilId) }));
  return {
    ...computed!,
    staff: staffIds.map((userId) => ({ userId, name: names.get(userId) ?? 'Someone without a role here' })).sort((a, b) => byName(a.name, b.name)),
    sessions: sessions.map((session) => ({ id: session.id, heldOn: session.held_on, status: session.status, note: session.note })),
    canManage: roleMay(actor.role, 'provision.manage'),
    canRecord: can(actor, 'provision.group.record', { kind: 'intervention-group', schoolId: actor.schoolId, groupId, staffUserIds: new Set(staffIds) }),
    costs: seesCosts(actor),
  };
}

export async function setGroupStaff(ctx: AppContext, actor: Actor, groupId: string, userIds: string[], ip: string | null): Promise<{ added: number; removed: number }> {
  const { scope, staffIds } = await authoriseGroup(ctx, actor, groupId, 'provision.manage');
  const wanted = [...new Set(userIds)];
  const choices = new Set((await listStaffChoices(ctx, actor)).map((person) => person.userId));
  const unknown = wanted.filter((userId) => !choices.has(userId) && !staffIds.includes(userId));
  if (unknown.length) throw new ValidationError([{ field: 'staff', message: 'Choose teachers and teaching assistants of this school' }]);
  const add = wanted.filter((userId) => !staffIds.includes(userId));
  const remove = staffIds.filter((userId) => !wanted.includes(userId));
  if (!add.length && !remove.length) return { added: 0, removed: 0 };
  await ctx.db.transaction().execute(async (trx) => {
    await repository.setGroupStaff(trx, scope, groupId, add, remove);
    await ctx.audit.record(trx, auditAs(actor, ip)('intervention-group.staff-changed', { groupId, added: add, removed: remove }));
  });
  return { added: add.length, removed: remove.length };
}

// Members and the link to plans -------------------------------------------------------------------

/** A membership's source: null (added on the group's page), 'plan:<id>' or 'ehcp-f:<id>'. */
export function isMembershipSource(value: string): boolean {
  return /^(plan|ehcp-f):[A-Za-z0-9-]{1,64}$/.test(value);
}

export async function searchPupilsForGroup(ctx: AppContext, actor: Actor, groupId: string, q: string) {
  if (!q.trim()) return [];
  const { scope } = await authoriseGroup(ctx, actor, groupId, 'provision.manage');
  const [results, members] = await Promise.all([register.searchPupilsForPicker(ctx, actor, q, 50), repository.listMembers(ctx.db, scope, [groupId])]);
  const inGroup = new Set(members.filter((member) => member.left_on === null).map((member) => member.pupil_id));
  return results.map((pupil) => ({ ...pupil, inGroup: inGroup.has(pupil.id) }));
}

/**
 * Puts pupils in a group (again, if they had been taken out). `source` records why, for SEN support
 * plans and EHC plans that point at the provision; a pupil already in the group keeps their place
 * and gains the source if they had none.
 */
export async function addPupils(ctx: AppContext, actor: Actor, groupId: string, pupilIds: string[], ip: string | null, source: string | null = null): Promise<number> {
  const { scope, group } = await authoriseGroup(ctx, actor, groupId, 'provision.manage');
  if (source !== null && !isMembershipSource(source)) throw new ValidationError([{ field: 'source', message: 'A membership’s source must be plan:<id> or ehcp-f:<id>' }]);
  const wanted = [...new Set(pupilIds.filter(Boolean))];
  if (wanted.length === 0) throw new ValidationError([{ field: 'pupilId', message: 'Select the pupils to add to the group' }]);
  const facts = await register.pupilFacts(ctx, scope, wanted);
  if (wanted.some((pupilId) => !facts.get(pupilId)?.onRoll)) throw new ValidationError([{ field: 'pupilId', message: 'Choose pupils on roll at this school' }]);
  const now = new Date().toISOString();
  const today = schoolToday();
  return ctx.db.transaction().execute(async (trx) => {
    const existing = new Map((await repository.listMembers(trx, scope, [groupId])).map((member) => [member.pupil_id, member]));
    const fresh: repository.MemberRow[] = [];
    const events = [];
    let added = 0;
    for (const pupilId of wanted) {
      const member = existing.get(pupilId);
      if (!member) {
        fresh.push({ group_id: groupId, pupil_id: pupilId, source, added_on: today, left_on: null, entry_value: null, entry_date: null, exit_value: null, exit_date: null, updated_at: now });
      } else if (member.left_on !== null || (source && !member.source)) {
        await repository.updateMember(trx, scope, groupId, pupilId, { left_on: null, ...(source && !member.source ? { source } : {}), updated_at: now });
        if (member.left_on === null) continue;
      } else continue;
      added += 1;
      events.push({ ...auditAs(actor, ip)('intervention-group.pupil-added', { groupId, group: group.name, ...(source ? { source } : {}) }, pupilId), at: now });
    }
    await repository.insertMembers(trx, scope, fresh);
    if (events.length) await ctx.audit.record(trx, events[0]!, ...events.slice(1));
    return added;
  });
}

/**
 * Takes a pupil out of a group. A pupil with attendance or measures recorded is kept as having
 * left (today), so the group's history and costs stay true; otherwise the membership is deleted.
 */
export async function removePupil(ctx: AppContext, actor: Actor, groupId: string, pupilId: string, ip: string | null): Promise<'left' | 'deleted'> {
  const { scope, group } = await authoriseGroup(ctx, actor, groupId, 'provision.manage');
  const now = new Date().toISOString();
  return ctx.db.transaction().execute(async (trx) => {
    const member = (await repository.listMembers(trx, scope, [groupId])).find((entry) => entry.pupil_id === pupilId);
    if (!member) throw new NotFoundError('That pupil is not in this group');
    const records = await repository.countRecords(trx, scope, groupId, pupilId);
    const keep = records > 0 || member.entry_value !== null || member.exit_value !== null;
    if (keep) await repository.updateMember(trx, scope, groupId, pupilId, { left_on: schoolToday(), updated_at: now });
    else await repository.deleteMember(trx, scope, groupId, pupilId);
    await ctx.audit.record(trx, { ...auditAs(actor, ip)('intervention-group.pupil-removed', { groupId, group: group.name, kept: keep }, pupilId), at: now });
    return keep ? 'left' : 'deleted';
  });
}

/**
 * A plan's cycle has closed and the next opened: the memberships the old cycle asked for, in groups
 * still running on `runningOn` that the pupil has not left, now belong to the new cycle. Runs in the
 * caller's transaction (the plan's close); returns the groups moved.
 */
export async function carryPlanMemberships(trx: DbOrTransaction, scope: SchoolScope, pupilId: string, from: { source: string; runningOn: string }, toSource: string, now: string): Promise<string[]> {
  if (!isMembershipSource(from.source) || !isMembershipSource(toSource)) throw new Error('Memberships are carried between plan sources only');
  const memberships = (await repository.listMembershipsBySource(trx, scope, [from.source])).filter((member) => member.pupil_id === pupilId && member.left_on === null);
  const groups = new Map((await repository.listGroups(trx, scope, { groupIds: memberships.map((member) => member.group_id) })).map((group) => [group.id, group]));
  const moved: string[] = [];
  for (const member of memberships) {
    const group = groups.get(member.group_id);
    if (!group || group.end_date < from.runningOn) continue;
    await repository.updateMember(trx, scope, member.group_id, pupilId, { source: toSource, updated_at: now });
    moved.push(member.group_id);
  }
  return moved;
}

/**
 * What SEN support plans (issue 3) and EHC plans' Section F (later) show of the provision they point
 * at: each membership whose source is one of theirs, with its group and provision. No audit here:
 * the calling page audits its own view of the pupil.
 */
export async function provisionForSources(ctx: AppContext, scope: SchoolScope, sources: string[]) {
  const members = await repository.listMembershipsBySource(ctx.db, scope, sources.filter(isMembershipSource));
  const groups = await repository.listGroups(ctx.db, scope, { groupIds: [...new Set(members.map((member) => member.group_id))] });
  const provisions = await provisionMap(ctx, scope);
  const byId = new Map(groups.map((group) => [group.id, group]));
  return members.map((member) => {
    const group = byId.get(member.group_id)!;
    return { source: member.source!, pupilId: member.pupil_id, groupId: group.id, groupName: group.name, provisionName: provisions.get(group.provision_id)?.name ?? '', startDate: group.start_date, endDate: group.end_date, leftOn: member.left_on };
  });
}

// Sessions and attendance ---------------------------------------------------------------------------

export const ATTENDANCE = ['present', 'late', 'absent'] as const;
export type AttendanceStatus = (typeof ATTENDANCE)[number];
export const ATTENDANCE_LABELS: Record<AttendanceStatus, string> = { present: 'Present', late: 'Late', absent: 'Absent' };

function activeOn(member: repository.MemberRow, date: string): boolean {
  return member.left_on === null || member.left_on > date;
}

/** The session form: the group's pupils on that date, with what was recorded before. */
export async function getSessionForm(ctx: AppContext, actor: Actor, groupId: string, options: { sessionId?: string; date?: string }) {
  const { scope, group, provision } = await authoriseGroup(ctx, actor, groupId, 'provision.group.record');
  const session = options.sessionId ? await repository.findSession(ctx.db, scope, groupId, options.sessionId) : undefined;
  if (options.sessionId && !session) throw new NotFoundError('No session with that reference in this group');
  const today = schoolToday();
  const date = session?.held_on ?? (options.date && isIsoDate(options.date) ? options.date : today > group.endDate ? group.endDate : today);
  const existing = session ?? (await repository.findSessionOn(ctx.db, scope, groupId, date));
  const [members, attendance] = await Promise.all([
    repository.listMembers(ctx.db, scope, [groupId]),
    existing ? repository.listAttendance(ctx.db, scope, existing.id) : Promise.resolve([]),
  ]);
  const facts = await register.pupilFacts(ctx, scope, members.map((member) => member.pupil_id));
  const recorded = new Map(attendance.map((row) => [row.pupil_id, row]));
  const full = existing ? (session ?? (await repository.findSession(ctx.db, scope, groupId, existing.id))) : undefined;
  return {
    group,
    provision,
    date,
    recorded: full ? { id: full.id, heldOn: full.held_on, status: full.status, note: full.note } : undefined,
    pupils: members
      .filter((member) => activeOn(member, date) || recorded.has(member.pupil_id))
      .map((member) => ({ pupilId: member.pupil_id, name: facts.get(member.pupil_id)?.name ?? 'Unknown pupil', status: recorded.get(member.pupil_id)?.status ?? 'present', reason: recorded.get(member.pupil_id)?.reason ?? '' }))
      .sort((a, b) => byName(a.name, b.name)),
  };
}

export interface SessionInput {
  sessionId?: string;
  heldOn: string;
  status: string;
  note: string;
  attendance: Record<string, { status: string; reason: string }>;
}

/**
 * Records a session and its attendance in one transaction. A second record for the same group and
 * date replaces the first (the form shows what was recorded), so tapping "save" twice is harmless.
 */
export async function recordSession(ctx: AppContext, actor: Actor, groupId: string, input: SessionInput, ip: string | null): Promise<{ sessionId: string; replaced: boolean }> {
  const { scope, group } = await authoriseGroup(ctx, actor, groupId, 'provision.group.record');
  const problems: FieldError[] = [];
  const today = schoolToday();
  if (!input.heldOn) problems.push({ field: 'heldOn', message: 'Enter the date of the session' });
  else if (!isIsoDate(input.heldOn)) problems.push({ field: 'heldOn', message: 'The date of the session must be a real date' });
  else if (input.heldOn > today) problems.push({ field: 'heldOn', message: 'The date of the session must be today or in the past' });
  else if (input.heldOn < group.startDate || input.heldOn > group.endDate) problems.push({ field: 'heldOn', message: 'The date must be within the group’s dates' });
  if (input.status !== 'delivered' && input.status !== 'cancelled') problems.push({ field: 'status', message: 'Choose whether the session took place' });
  const note = input.note.trim();
  if (note.length > 2000) problems.push({ field: 'note', message: 'The note must be 2,000 characters or fewer' });
  if (input.status === 'cancelled' && !note) problems.push({ field: 'note', message: 'Say why the session did not take place, for example staff absence' });
  const members = await repository.listMembers(ctx.db, scope, [groupId]);
  const facts = await register.pupilFacts(ctx, scope, members.map((member) => member.pupil_id));
  const rows: repository.AttendanceRow[] = [];
  const sessionId = input.sessionId ?? newId();
  if (input.status === 'delivered') {
    const date = isIsoDate(input.heldOn) ? input.heldOn : today;
    for (const member of members.filter((entry) => activeOn(entry, date) || input.attendance[entry.pupil_id])) {
      const given = input.attendance[member.pupil_id];
      const name = facts.get(member.pupil_id)?.name ?? 'the pupil';
      if (!given || !isOneOf(ATTENDANCE, given.status)) {
        problems.push({ field: `attendance-${member.pupil_id}`, message: `Choose whether ${name} was present, late or absent` });
        continue;
      }
      const reason = given.reason.trim();
      if (reason.length > 200) problems.push({ field: `reason-${member.pupil_id}`, message: `The reason for ${name} must be 200 characters or fewer` });
      rows.push({ session_id: sessionId, group_id: groupId, pupil_id: member.pupil_id, status: given.status, reason: reason || null });
    }
    const known = new Set(members.map((member) => member.pupil_id));
    if (Object.keys(input.attendance).some((pupilId) => !known.has(pupilId))) problems.push({ field: 'attendance', message: 'Record attendance only for the pupils in this group' });
  }
  if (problems.length) throw new ValidationError(problems);
  const now = new Date().toISOString();
  return ctx.db.transaction().execute(async (trx) => {
    let id = sessionId;
    let replaced = false;
    const sameDay = await repository.findSessionOn(trx, scope, groupId, input.heldOn);
    if (input.sessionId) {
      const current = await repository.findSession(trx, scope, groupId, input.sessionId);
      if (!current) throw new NotFoundError('No session with that reference in this group');
      if (sameDay && sameDay.id !== input.sessionId) throw new ValidationError([{ field: 'heldOn', message: 'A session is already recorded for this group on that date: change that one instead' }]);
      await repository.updateSession(trx, scope, id, { held_on: input.heldOn, status: input.status, note: note || null, recorded_by: actor.userId, recorded_at: now });
      replaced = true;
    } else if (sameDay) {
      id = sameDay.id;
      replaced = true;
      await repository.updateSession(trx, scope, id, { status: input.status, note: note || null, recorded_by: actor.userId, recorded_at: now });
    } else {
      await repository.insertSession(trx, scope, { id, group_id: groupId, held_on: input.heldOn, status: input.status, note: note || null, recorded_by: actor.userId, recorded_at: now });
    }
    await repository.replaceAttendance(trx, scope, id, rows.map((row) => ({ ...row, session_id: id })));
    const event = auditAs(actor, ip);
    await ctx.audit.record(
      trx,
      { ...event('intervention-session.recorded', { groupId, sessionId: id, heldOn: input.heldOn, status: input.status, pupils: rows.length, replaced }), at: now },
      ...rows.map((row) => ({ ...event('intervention-attendance.recorded', { groupId, sessionId: id, heldOn: input.heldOn, status: row.status }, row.pupil_id), at: now })),
    );
    return { sessionId: id, replaced };
  });
}

// Entry and exit measures ----------------------------------------------------------------------------

export type Stage = 'entry' | 'exit';

export async function getMeasuresForm(ctx: AppContext, actor: Actor, groupId: string, stage: Stage, ip: string | null) {
  const { scope, group, provision } = await authoriseGroup(ctx, actor, groupId, 'provision.group.record');
  const members = await repository.listMembers(ctx.db, scope, [groupId]);
  const facts = await register.pupilFacts(ctx, scope, members.map((member) => member.pupil_id));
  ctx.audit.recordRead(auditAs(actor, ip)('intervention-measures.viewed', { groupId, stage, pupils: members.map((member) => member.pupil_id) }));
  const dates = members.map((member) => (stage === 'entry' ? member.entry_date : member.exit_date)).filter((date): date is string => Boolean(date)).sort();
  const today = schoolToday();
  return {
    group,
    provision,
    stage,
    date: dates[dates.length - 1] ?? (stage === 'entry' ? (group.startDate < today ? group.startDate : today) : (group.endDate < today ? group.endDate : today)),
    pupils: members
      .map((member) => {
        const value = stage === 'entry' ? member.entry_value : member.exit_value;
        const age = provision.measure === 'reading-age' || provision.measure === 'spelling-age';
        return {
          pupilId: member.pupil_id,
          name: facts.get(member.pupil_id)?.name ?? 'Unknown pupil',
          leftOn: member.left_on,
          entryText: measureValueText(provision.spec, member.entry_value),
          value: value === null ? '' : age ? '' : provision.measure === 'target' ? (value >= 1 ? 'met' : 'not-met') : String(value),
          years: value !== null && age ? String(Math.floor(value / 12)) : '',
          months: value !== null && age ? String(Math.round(value % 12)) : '',
        };
      })
      .sort((a, b) => byName(a.name, b.name)),
  };
}

/**
 * Saves entry or exit measures for the group's pupils, read against the provision's measure. An
 * empty box clears a measure. The assessment date applies to the values that change.
 */
export async function saveMeasures(ctx: AppContext, actor: Actor, groupId: string, stage: Stage, input: { date: string; values: Record<string, MeasureEntry> }, ip: string | null): Promise<number> {
  const { scope, provision } = await authoriseGroup(ctx, actor, groupId, 'provision.group.record');
  if (stage === 'entry' && provision.measure === 'target') throw new ValidationError([{ field: 'date', message: 'This provision is judged on whether the target is met: record only the exit measure' }]);
  const problems: FieldError[] = [];
  if (!input.date) problems.push({ field: 'date', message: `Enter the date of the ${stage} assessment` });
  else if (!isIsoDate(input.date)) problems.push({ field: 'date', message: `The date of the ${stage} assessment must be a real date` });
  else if (input.date > schoolToday()) problems.push({ field: 'date', message: `The date of the ${stage} assessment must be today or in the past` });
  const members = await repository.listMembers(ctx.db, scope, [groupId]);
  const facts = await register.pupilFacts(ctx, scope, members.map((member) => member.pupil_id));
  const changes: Array<{ pupilId: string; value: number | null; before: number | null }> = [];
  for (const member of members) {
    const entry = input.values[member.pupil_id];
    if (!entry) continue;
    const field = provision.measure === 'reading-age' || provision.measure === 'spelling-age' ? `years-${member.pupil_id}` : `value-${member.pupil_id}`;
    const { value, problem } = parseMeasure(provision.spec, entry, field, facts.get(member.pupil_id)?.name ?? 'The pupil');
    if (problem) {
      problems.push(problem);
      continue;
    }
    const before = stage === 'entry' ? member.entry_value : member.exit_value;
    if (value !== before) changes.push({ pupilId: member.pupil_id, value, before });
    if (stage === 'exit' && value !== null && isIsoDate(input.date) && member.entry_date && input.date < member.entry_date) {
      problems.push({ field, message: `The exit assessment must be on or after ${facts.get(member.pupil_id)?.name ?? 'the pupil'}’s entry assessment` });
    }
  }
  if (problems.length) throw new ValidationError(problems);
  if (!changes.length) return 0;
  const now = new Date().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    for (const change of changes) {
      await repository.updateMember(trx, scope, groupId, change.pupilId, stage === 'entry'
        ? { entry_value: change.value, entry_date: change.value === null ? null : input.date, updated_at: now }
        : { exit_value: change.value, exit_date: change.value === null ? null : input.date, updated_at: now });
    }
    const event = auditAs(actor, ip);
    const events = changes.map((change) => ({ ...event('intervention-measure.recorded', { groupId, stage, measure: provision.measure, before: change.before, after: change.value, date: input.date }, change.pupilId), at: now }));
    await ctx.audit.record(trx, events[0]!, ...events.slice(1));
  });
  return changes.length;
}

// My groups (teachers and teaching assistants) ----------------------------------------------------

/** ISO weekday of a date: 1 Monday … 7 Sunday. */
export function isoWeekday(date: string): number {
  const day = new Date(`${date}T12:00:00Z`).getUTCDay();
  return day === 0 ? 7 : day;
}

export async function getMyGroups(ctx: AppContext, actor: Actor, ip: string | null, today = schoolToday()) {
  const scope = scopeOf(actor);
  const ids = await repository.listGroupIdsOfStaff(ctx.db, scope, actor.userId);
  const rows = await repository.listGroups(ctx.db, scope, { groupIds: ids });
  const [provisions, counts, recorded] = await Promise.all([provisionMap(ctx, scope), repository.countMembersByGroup(ctx.db, scope), repository.listSessionsOn(ctx.db, scope, ids, today)]);
  const weekday = String(isoWeekday(today));
  const done = new Map(recorded.map((row) => [row.group_id, row]));
  const groups = rows.map((row) => {
    const group = groupView(row, today);
    return { ...group, provisionName: provisions.get(row.provision_id)?.name ?? '', pupils: counts.get(row.id) ?? 0, recordedToday: done.get(row.id), today: group.status === 'running' && (!group.days || group.days.split(',').includes(weekday)) };
  });
  ctx.audit.recordRead(auditAs(actor, ip)('my-groups.viewed', { groups: groups.length }));
  return {
    today,
    todays: groups.filter((group) => group.today).sort((a, b) => (a.time ?? '99').localeCompare(b.time ?? '99') || a.name.localeCompare(b.name)),
    running: groups.filter((group) => group.status === 'running' && !group.today),
    planned: groups.filter((group) => group.status === 'planned'),
    ended: groups.filter((group) => group.status === 'ended').slice(0, 10),
  };
}

// Impact -----------------------------------------------------------------------------------------------

export interface AcademicYear {
  start: number;
  label: string;
  from: string;
  to: string;
}

export function academicYear(start: number): AcademicYear {
  return { start, label: `${start} to ${start + 1}`, from: `${start}-09-01`, to: `${start + 1}-08-31` };
}

export function currentAcademicYear(today = schoolToday()): AcademicYear {
  return academicYear(academicYearStart(today));
}

/** A pupil flagged as not progressing: their last two groups with exit measures. */
function flagNotProgressing(computed: ComputedGroup[]) {
  const byPupil = new Map<string, Array<{ name: string; exitDate: string | null; endDate: string; progress: Progress | null; group: string }>>();
  for (const entry of computed) {
    for (const member of entry.members) {
      const list = byPupil.get(member.pupilId) ?? [];
      list.push({ name: member.name, exitDate: member.exitDate, endDate: entry.group.endDate, progress: member.progress, group: `${entry.group.name}` });
      byPupil.set(member.pupilId, list);
    }
  }
  const flagged: Array<{ pupilId: string; name: string; groups: string[] }> = [];
  for (const [pupilId, history] of byPupil) {
    if (!notProgressing(history)) continue;
    const last = history.filter((entry) => entry.progress).sort((a, b) => (a.exitDate ?? a.endDate).localeCompare(b.exitDate ?? b.endDate)).slice(-2);
    flagged.push({ pupilId, name: history[0]!.name, groups: last.map((entry) => entry.group) });
  }
  return flagged.sort((a, b) => byName(a.name, b.name));
}

/**
 * Impact of every provision for groups starting in the academic year, and pupils not progressing (all
 * years). With no year asked for, the current school year, or the one before while this year's groups
 * have no exit measures yet (early in the year), so the page opens on figures that mean something.
 */
async function impactOverview(ctx: AppContext, scope: SchoolScope, asked: AcademicYear | undefined) {
  const [rows, provisions, settings] = await Promise.all([repository.listGroups(ctx.db, scope), provisionMap(ctx, scope), settingsOf(ctx, scope)]);
  const computed = await computeGroups(ctx, scope, rows, provisions, settings.rates);
  let year = asked ?? currentAcademicYear();
  const measuredIn = (candidate: AcademicYear) => computed.some((entry) => entry.group.startDate >= candidate.from && entry.group.startDate <= candidate.to && entry.summary.withMeasures > 0);
  if (!asked && !measuredIn(year) && measuredIn(academicYear(year.start - 1))) year = academicYear(year.start - 1);
  const inYear = computed.filter((entry) => entry.group.startDate >= year.from && entry.group.startDate <= year.to);
  const perProvision = [...provisions.values()]
    .map((provision) => {
      const groups = inYear.filter((entry) => entry.provision.id === provision.id);
      const members = groups.flatMap((entry) => entry.members);
      return {
        provision,
        groups: groups.length,
        summary: summarise(members.map((member) => ({ progress: member.progress, attendance: member.attendance, costPence: member.actualPence }))),
        plannedPence: groups.reduce((sum, entry) => sum + entry.cost.plannedPence, 0),
      };
    })
    .filter((entry) => entry.groups > 0)
    .sort((a, b) => byName(a.provision.name, b.provision.name));
  return { year, perProvision, flagged: flagNotProgressing(computed), groupsInYear: inYear.length, inYear };
}

export async function getImpactOverview(ctx: AppContext, actor: Actor, asked: AcademicYear | undefined, ip: string | null) {
  const { year, perProvision, flagged, groupsInYear } = await impactOverview(ctx, scopeOf(actor), asked);
  ctx.audit.recordRead(auditAs(actor, ip)('provision.impact-viewed', { year: year.start, pupilsNamed: flagged.map((entry) => entry.pupilId) }));
  return { year, perProvision, flagged, groupsInYear };
}

/**
 * The impact report for leaders, as a Word document or a PDF: the impact page's figures for the
 * school year with no child named (leaders' reports are shared by email), only the count of pupils
 * not progressing. Audited with its counts before it is rendered.
 */
export async function exportImpactReport(ctx: AppContext, actor: Actor, asked: AcademicYear | undefined, format: DocumentFormat, schoolName: string, ip: string | null): Promise<{ model: DocumentModel; filename: string }> {
  const { year, perProvision, flagged, inYear } = await impactOverview(ctx, scopeOf(actor), asked);
  const members = inYear.flatMap((entry) => entry.members);
  const report: ImpactReport = {
    schoolName,
    year,
    generatedAt: new Date(),
    perProvision,
    overall: summarise(members.map((member) => ({ progress: member.progress, attendance: member.attendance, costPence: member.actualPence }))),
    pupils: new Set(members.map((member) => member.pupilId)).size,
    groups: inYear.length,
    plannedPence: inYear.reduce((sum, entry) => sum + entry.cost.plannedPence, 0),
    notProgressing: flagged.length,
  };
  await ctx.audit.recordNow(auditAs(actor, ip)('provision.impact.exported', {
    year: year.start, format, provisions: perProvision.length, groups: report.groups, pupils: report.pupils,
    notWorking: perProvision.filter((entry) => entry.summary.notWorking).length, notProgressing: report.notProgressing,
  }));
  return { model: impactReportModel(report), filename: impactReportFilename(report) };
}

export async function getProvisionImpact(ctx: AppContext, actor: Actor, provisionId: string, ip: string | null) {
  const scope = scopeOf(actor);
  const provision = await provisionOrThrow(ctx, scope, provisionId);
  const [rows, settings] = await Promise.all([repository.listGroups(ctx.db, scope, { provisionId }), settingsOf(ctx, scope)]);
  const computed = await computeGroups(ctx, scope, rows, new Map([[provision.id, provision]]), settings.rates);
  const members = computed.flatMap((entry) => entry.members.map((member) => ({ ...member, groupId: entry.group.id, groupName: entry.group.name })));
  const summary = summarise(members.map((member) => ({ progress: member.progress, attendance: member.attendance, costPence: member.actualPence })));
  ctx.audit.recordRead(auditAs(actor, ip)('provision.impact-viewed', { provisionId, pupilsNamed: [...new Set(members.map((member) => member.pupilId))] }));
  const bands = new Map<string, number>();
  for (const member of members) if (member.progress) bands.set(member.bandLabel, (bands.get(member.bandLabel) ?? 0) + 1);
  return {
    provision,
    summary,
    groups: computed,
    members,
    bands: Object.values(BAND_LABELS).filter((label) => bands.has(label)).map((label) => ({ label, count: bands.get(label)! })),
    plannedPence: computed.reduce((sum, entry) => sum + entry.cost.plannedPence, 0),
  };
}

export async function getGroupImpact(ctx: AppContext, actor: Actor, groupId: string, ip: string | null) {
  const { scope } = await authoriseGroup(ctx, actor, groupId, 'provision.view');
  const [row, provisions, settings] = await Promise.all([repository.findGroup(ctx.db, scope, groupId), provisionMap(ctx, scope), settingsOf(ctx, scope)]);
  const [computed] = await computeGroups(ctx, scope, [row!], provisions, settings.rates);
  ctx.audit.recordRead(auditAs(actor, ip)('intervention-group.impact-viewed', { groupId, pupils: computed!.members.map((member) => member.pupilId) }));
  return computed!;
}

/** A pupil's Provision tab: every group they have been in, with progress; costs for those who see costs. */
export async function getPupilProvision(ctx: AppContext, actor: Actor, pupilId: string, ip: string) {
  const summary = await register.getPupilSummary(ctx, actor, pupilId, ip, 'provision');
  const scope = scopeOf(actor);
  const memberships = await repository.listMembershipsOfPupil(ctx.db, scope, pupilId);
  const groupIds = memberships.map((member) => member.group_id);
  const [rows, provisions, settings] = await Promise.all([repository.listGroups(ctx.db, scope, { groupIds }), provisionMap(ctx, scope), settingsOf(ctx, scope)]);
  const computed = await computeGroups(ctx, scope, rows, provisions, settings.rates);
  const entries = computed
    .map((entry) => ({ group: entry.group, provision: entry.provision, member: entry.members.find((member) => member.pupilId === pupilId)! }))
    .sort((a, b) => b.group.startDate.localeCompare(a.group.startDate));
  const year = currentAcademicYear();
  const thisYear = entries.filter((entry) => entry.group.startDate >= year.from && entry.group.startDate <= year.to);
  const plannedPence = thisYear.reduce((sum, entry) => sum + entry.member.plannedPence, 0);
  return {
    ...summary,
    entries,
    year,
    plannedPence,
    actualPence: thisYear.reduce((sum, entry) => sum + entry.member.actualPence, 0),
    overThreshold: plannedPence > TOP_UP_THRESHOLD_PENCE,
    notProgressing: notProgressing(entries.map((entry) => ({ exitDate: entry.member.exitDate, endDate: entry.group.endDate, progress: entry.member.progress }))),
    costs: seesCosts(actor),
    scores: actor.role !== 'parent',
  };
}

/**
 * For the pupil's chronology: joining and leaving intervention groups (a group that ran its course
 * counts as leaving it on its last day). The chronology checks who may see it and audits the read.
 */
export async function pupilProvisionEvents(ctx: AppContext, actor: Actor, pupilId: string): Promise<ChronologyEvent[]> {
  const scope = scopeOf(actor);
  const memberships = await repository.listMembershipsOfPupil(ctx.db, scope, pupilId);
  if (memberships.length === 0) return [];
  const [groups, provisions] = await Promise.all([repository.listGroups(ctx.db, scope, { groupIds: memberships.map((member) => member.group_id) }), provisionMap(ctx, scope)]);
  const byId = new Map(groups.map((group) => [group.id, group]));
  const today = schoolToday();
  const events: ChronologyEvent[] = [];
  for (const member of memberships) {
    const group = byId.get(member.group_id);
    if (!group) continue;
    const provisionName = provisions.get(group.provision_id)?.name ?? 'Provision';
    const href = roleMay(actor.role, 'provision.view') ? `/provision/groups/${group.id}` : `/pupils/${pupilId}/provision`;
    const how = `${provisionName}: ${group.sessions_per_week} a week, ${group.minutes_per_session} minutes each`;
    events.push({ date: member.added_on, recordedAt: member.added_on, category: 'provision', title: `Joined ${group.name}`, detail: [how], href });
    const leftOn = member.left_on ?? (group.end_date < today ? group.end_date : null);
    if (leftOn) {
      events.push({ date: leftOn, recordedAt: member.updated_at, category: 'provision', title: member.left_on ? `Left ${group.name}` : `Finished ${group.name}`, detail: [provisionName], href });
    }
  }
  return events;
}

// The costed provision map -------------------------------------------------------------------------

export interface MapRow {
  key: string;
  label: string;
  pupils: number;
  plannedPence: number;
  actualPence: number;
  overThreshold: number;
}

export interface PupilCost {
  pupilId: string;
  name: string;
  upn: string | null;
  yearGroup: number | null;
  registrationGroup: string | null;
  senProvision: string;
  groups: number;
  /** The provisions of the pupil's groups, in British alphabetical order. */
  provisions: string[];
  /** When the first of the pupil's groups starts and the last ends. */
  firstStart: string;
  lastEnd: string;
  plannedPence: number;
  actualPence: number;
  overThreshold: boolean;
}

/** Adds up pupils' costs per year group and per registration group, as the map's tables show them. */
export function rollUpPupils(pupils: PupilCost[]): { byYear: MapRow[]; byClass: MapRow[]; bySen: MapRow[] } {
  const rollUp = (keyOf: (pupil: PupilCost) => string, labelOf: (pupil: PupilCost) => string) => {
    const rows = new Map<string, MapRow>();
    for (const pupil of pupils) {
      const key = keyOf(pupil);
      const row = rows.get(key) ?? { key, label: labelOf(pupil), pupils: 0, plannedPence: 0, actualPence: 0, overThreshold: 0 };
      row.pupils += 1;
      row.plannedPence += pupil.plannedPence;
      row.actualPence += pupil.actualPence;
      if (pupil.overThreshold) row.overThreshold += 1;
      rows.set(key, row);
    }
    return [...rows.values()];
  };
  return {
    byYear: rollUp((pupil) => String(pupil.yearGroup ?? ''), (pupil) => (pupil.yearGroup === null ? 'No year group' : yearGroupLabel(pupil.yearGroup))).sort((a, b) => Number(a.key || 99) - Number(b.key || 99)),
    byClass: rollUp((pupil) => pupil.registrationGroup ?? '', (pupil) => pupil.registrationGroup ?? 'No registration group').sort((a, b) => byName(a.label, b.label)),
    bySen: rollUp((pupil) => pupil.senProvision, (pupil) => pupil.senProvision),
  };
}

/**
 * The costed provision map for groups starting in an academic year: each pupil's share of each
 * group's planned and actual cost, added up per pupil, registration group, year group and school.
 * A handful of queries whatever the school's size (groups, members, delivered sessions, provisions,
 * settings, the pupils' register facts), aggregated in one pass.
 */
export async function costedMap(ctx: AppContext, scope: SchoolScope, year: AcademicYear) {
  const [groups, members, delivered, provisions, settings] = await Promise.all([
    repository.listGroups(ctx.db, scope, { startFrom: year.from, startTo: year.to }),
    repository.listMembersOfGroupsStarting(ctx.db, scope, year.from, year.to),
    repository.deliveredCountsSince(ctx.db, scope, year.from),
    provisionMap(ctx, scope),
    settingsOf(ctx, scope),
  ]);
  const memberCount = new Map<string, number>();
  for (const member of members) memberCount.set(member.group_id, (memberCount.get(member.group_id) ?? 0) + 1);
  const shares = new Map<string, { planned: number; actual: number }>();
  let plannedPence = 0;
  let actualPence = 0;
  const byProvision = new Map<string, { planned: number; actual: number; groups: number }>();
  for (const row of groups) {
    const provision = provisions.get(row.provision_id)!;
    const cost = groupCost({ costModel: provision.costModel as 'staff-time', costPence: provision.costPence, staffType: provision.staffType as 'ta' }, { sessionsPerWeek: Number(row.sessions_per_week), minutesPerSession: Number(row.minutes_per_session), weeks: Number(row.weeks) }, settings.rates, delivered.get(row.id) ?? 0);
    const count = Math.max(1, memberCount.get(row.id) ?? 0);
    shares.set(row.id, { planned: cost.plannedPence / count, actual: cost.actualPence / count });
    plannedPence += cost.plannedPence;
    actualPence += cost.actualPence;
    const entry = byProvision.get(provision.id) ?? { planned: 0, actual: 0, groups: 0 };
    entry.planned += cost.plannedPence;
    entry.actual += cost.actualPence;
    entry.groups += 1;
    byProvision.set(provision.id, entry);
  }
  const groupRows = new Map(groups.map((row) => [row.id, row]));
  const perPupil = new Map<string, { planned: number; actual: number; groups: number; provisions: Set<string>; firstStart: string; lastEnd: string }>();
  for (const member of members) {
    const share = shares.get(member.group_id)!;
    const row = groupRows.get(member.group_id)!;
    const entry = perPupil.get(member.pupil_id) ?? { planned: 0, actual: 0, groups: 0, provisions: new Set<string>(), firstStart: row.start_date, lastEnd: row.end_date };
    entry.planned += share.planned;
    entry.actual += share.actual;
    entry.groups += 1;
    entry.provisions.add(provisions.get(row.provision_id)!.name);
    if (row.start_date < entry.firstStart) entry.firstStart = row.start_date;
    if (row.end_date > entry.lastEnd) entry.lastEnd = row.end_date;
    perPupil.set(member.pupil_id, entry);
  }
  const facts = await register.pupilFacts(ctx, scope, [...perPupil.keys()]);
  const pupils: PupilCost[] = [...perPupil].map(([pupilId, entry]) => {
    const fact = facts.get(pupilId);
    return {
      pupilId, name: fact?.name ?? 'Unknown pupil', upn: fact?.upn ?? null, yearGroup: fact?.yearGroup ?? null, registrationGroup: fact?.registrationGroup ?? null, senProvision: fact?.senProvision ?? 'N',
      groups: entry.groups, provisions: [...entry.provisions].sort(byName), firstStart: entry.firstStart, lastEnd: entry.lastEnd,
      plannedPence: entry.planned, actualPence: entry.actual, overThreshold: entry.planned > TOP_UP_THRESHOLD_PENCE,
    };
  });
  const { byYear, byClass, bySen } = rollUpPupils(pupils);
  return {
    year,
    settings,
    plannedPence,
    actualPence,
    groups: groups.length,
    pupils,
    byYear,
    byClass,
    bySen,
    byProvision: [...byProvision].map(([provisionId, entry]) => ({ provision: provisions.get(provisionId)!, ...entry })).sort((a, b) => b.planned - a.planned),
    overThreshold: pupils.filter((pupil) => pupil.overThreshold).sort((a, b) => b.plannedPence - a.plannedPence),
  };
}

export async function getCostedMap(ctx: AppContext, actor: Actor, year: AcademicYear, ip: string | null) {
  const map = await costedMap(ctx, scopeOf(actor), year);
  ctx.audit.recordRead(auditAs(actor, ip)('provision.map-viewed', { year: year.start, pupils: map.pupils.length, pupilsNamed: map.overThreshold.map((pupil) => pupil.pupilId) }));
  return map;
}

export const MAP_PAGE_SIZE = 50;

/** The map pupils page's filters, which its downloads take too. */
export interface MapFilters {
  over: boolean;
  yearGroup: string;
  registrationGroup: string;
}

/** The pupils a filtered view of the map shows, highest planned cost first. */
export function filterMapPupils(pupils: PupilCost[], filters: MapFilters): PupilCost[] {
  let shown = pupils;
  if (filters.over) shown = shown.filter((pupil) => pupil.overThreshold);
  if (filters.yearGroup) shown = shown.filter((pupil) => String(pupil.yearGroup ?? '') === filters.yearGroup);
  if (filters.registrationGroup) shown = shown.filter((pupil) => (pupil.registrationGroup ?? '') === filters.registrationGroup);
  return [...shown].sort((a, b) => b.plannedPence - a.plannedPence || byName(a.name, b.name));
}

export async function getCostedMapPupils(ctx: AppContext, actor: Actor, year: AcademicYear, query: MapFilters & { page: number }, ip: string | null) {
  const map = await costedMap(ctx, scopeOf(actor), year);
  const pupils = filterMapPupils(map.pupils, query);
  const pageCount = Math.max(1, Math.ceil(pupils.length / MAP_PAGE_SIZE));
  const page = Math.min(Math.max(1, query.page), pageCount);
  const shown = pupils.slice((page - 1) * MAP_PAGE_SIZE, page * MAP_PAGE_SIZE);
  ctx.audit.recordRead(auditAs(actor, ip)('provision.map-viewed', { year: year.start, view: 'pupils', pupilsNamed: shown.map((pupil) => pupil.pupilId) }));
  return { ...map, shown, total: pupils.length, page, pageCount };
}

/**
 * The costed provision map as a download, for the view the pages show (the school year, and the
 * pupils page's filters): CSV with a row per pupil, or a workbook with the pupils, the year-group and
 * class roll-ups of those pupils and the whole school's summary. Audited with its counts before it is
 * sent; for those who see the map (never governors: it names pupils).
 */
export async function exportCostedMap(ctx: AppContext, actor: Actor, year: AcademicYear, filters: MapFilters, format: MapExportFormat, schoolName: string, ip: string | null): Promise<{ body: string | Buffer; filename: string; contentType: string }> {
  const map = await costedMap(ctx, scopeOf(actor), year);
  const pupils = filterMapPupils(map.pupils, filters);
  const { byYear, byClass } = rollUpPupils(pupils);
  const view: MapExport = {
    schoolName, year, generatedAt: new Date(), settings: map.settings, filters, pupils, byYear, byClass, byProvision: map.byProvision,
    whole: { plannedPence: map.plannedPence, actualPence: map.actualPence, groups: map.groups, pupils: map.pupils.length, overThreshold: map.overThreshold.length },
  };
  const body = format === 'csv' ? mapCsv(view) : await mapWorkbook(view);
  await ctx.audit.recordNow(auditAs(actor, ip)('provision.map.exported', {
    year: year.start, format, filters: { ...(filters.yearGroup ? { yearGroup: filters.yearGroup } : {}), ...(filters.registrationGroup ? { registrationGroup: filters.registrationGroup } : {}), ...(filters.over ? { over: true } : {}) },
    pupils: pupils.length, overThreshold: pupils.filter((pupil) => pupil.overThreshold).length, yearGroups: byYear.length, classes: byClass.length,
  }));
  return { body, filename: mapExportFilename(view, format), contentType: MAP_EXPORT_TYPES[format] };
}

// Governors and other aggregate readers --------------------------------------------------------------

/** Costs and impact per provision with no child named; for governors, counts are suppressed as on the overview. */
export async function getAggregateSummary(ctx: AppContext, actor: Actor, year: AcademicYear) {
  const scope = scopeOf(actor);
  const [rows, provisions, settings] = await Promise.all([repository.listGroups(ctx.db, scope, { startFrom: year.from, startTo: year.to }), provisionMap(ctx, scope), settingsOf(ctx, scope)]);
  const computed = await computeGroups(ctx, scope, rows, provisions, settings.rates);
  const map = await costedMap(ctx, scope, year);
  const suppress = actor.role === 'governor';
  const count = (value: number) => countText(value, suppress);
  const perProvision = [...provisions.values()]
    .map((provision) => {
      const groups = computed.filter((entry) => entry.provision.id === provision.id);
      const summary = summarise(groups.flatMap((entry) => entry.members).map((member) => ({ progress: member.progress, attendance: member.attendance, costPence: member.actualPence })));
      return {
        provision,
        groupCount: groups.length,
        // Rounded for governors too: with one-to-one provision a count of groups is a count of pupils.
        groups: count(groups.length),
        pupils: count(summary.pupils),
        // A share of fewer than 5 pupils could describe a child: shown from 5 pupils with measures.
        expectedShare: summary.withMeasures >= SMALL_NUMBER_THRESHOLD ? summary.expectedShare : null,
        withMeasures: count(summary.withMeasures),
        measured: summary.withMeasures > 0,
        attendanceRate: summary.pupils >= SMALL_NUMBER_THRESHOLD ? summary.attendanceRate : null,
        plannedPence: groups.reduce((sum, entry) => sum + entry.cost.plannedPence, 0),
        actualPence: groups.reduce((sum, entry) => sum + entry.cost.actualPence, 0),
        costPerPupilPence: summary.pupils >= SMALL_NUMBER_THRESHOLD ? summary.costPerPupilPence : null,
        notWorking: summary.notWorking,
      };
    })
    .filter((entry) => entry.groupCount > 0)
    .sort((a, b) => byName(a.provision.name, b.provision.name));
  return {
    year,
    previousYear: academicYear(year.start - 1),
    anyMeasured: perProvision.some((entry) => entry.measured),
    suppress,
    perProvision,
    budgetPence: settings.budgetPence,
    plannedPence: map.plannedPence,
    actualPence: map.actualPence,
    pupils: count(map.pupils.length),
    overThreshold: count(map.overThreshold.length),
  };
}

// Staff deployment ---------------------------------------------------------------------------------

export async function getDeployment(ctx: AppContext, actor: Actor, onDate: string) {
  const scope = scopeOf(actor);
  const [rows, staff, hours, people, provisions] = await Promise.all([
    repository.listGroups(ctx.db, scope, { from: onDate, to: onDate }),
    repository.listAllGroupStaff(ctx.db, scope),
    repository.listStaffHours(ctx.db, scope),
    listStaffChoices(ctx, actor),
    provisionMap(ctx, scope),
  ]);
  const running = new Map(rows.map((row) => [row.id, row]));
  const staffCount = new Map<string, number>();
  for (const entry of staff) if (running.has(entry.group_id)) staffCount.set(entry.group_id, (staffCount.get(entry.group_id) ?? 0) + 1);
  const committed = new Map<string, { hours: number; groups: string[] }>();
  for (const entry of staff) {
    const row = running.get(entry.group_id);
    if (!row) continue;
    const current = committed.get(entry.user_id) ?? { hours: 0, groups: [] };
    current.hours += weeklyHoursPerStaff({ sessionsPerWeek: Number(row.sessions_per_week), minutesPerSession: Number(row.minutes_per_session) }, staffCount.get(row.id) ?? 1);
    current.groups.push(`${row.name} (${provisions.get(row.provision_id)?.name ?? ''})`);
    committed.set(entry.user_id, current);
  }
  const list = people
    .filter((person) => person.role === 'teaching_assistant' || committed.has(person.userId) || hours.has(person.userId))
    .map((person) => {
      const load = committed.get(person.userId) ?? { hours: 0, groups: [] };
      const contracted = hours.get(person.userId) ?? null;
      return {
        userId: person.userId, name: person.displayName, role: person.role, hours: Math.round(load.hours * 100) / 100, groups: load.groups, contracted,
        share: contracted ? load.hours / contracted : null, over: contracted !== null && load.hours > contracted,
      };
    })
    .sort((a, b) => (a.role === b.role ? 0 : a.role === 'teaching_assistant' ? -1 : 1) || b.hours - a.hours || byName(a.name, b.name));
  return {
    onDate,
    staff: list,
    totals: {
      ta: list.filter((entry) => entry.role === 'teaching_assistant').reduce((sum, entry) => sum + entry.hours, 0),
      teacher: list.filter((entry) => entry.role === 'teacher').reduce((sum, entry) => sum + entry.hours, 0),
      over: list.filter((entry) => entry.over).length,
    },
  };
}

export async function getStaffMember(ctx: AppContext, actor: Actor, userId: string) {
  const person = await auth.findSchoolPerson(ctx, actor.schoolId, userId);
  if (!person || (person.role !== 'teacher' && person.role !== 'teaching_assistant')) throw new NotFoundError('No teacher or teaching assistant with that reference at this school');
  const hours = (await repository.listStaffHours(ctx.db, scopeOf(actor))).get(userId) ?? null;
  return { person, hours };
}

export async function saveContractedHours(ctx: AppContext, actor: Actor, userId: string, text: string, ip: string | null): Promise<void> {
  await getStaffMember(ctx, actor, userId);
  const { hours, problems } = checkContractedHours(text);
  if (hours === undefined) throw new ValidationError(problems);
  const now = new Date().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    await repository.saveStaffHours(trx, scopeOf(actor), userId, hours, now, actor.userId);
    await ctx.audit.record(trx, { ...auditAs(actor, ip)('staff-hours.changed', { userId, hours }), at: now });
  });
}

// The demo school ---------------------------------------------------------------------------------

/** Writes a school's provision in bulk inside the caller's transaction (the demo: a year of interventions). */
export async function writeProvisionData(trx: Parameters<typeof repository.insertProvisionData>[0], scope: SchoolScope, rows: repository.ProvisionDataRows): Promise<void> {
  await repository.insertProvisionData(trx, scope, rows);
}

export { calendarWeeks };

/** The pupils a member of staff works with through the groups they run: registered as a taught-pupils source. */
export function pupilsInMyGroups(ctx: AppContext, schoolId: string, userId: string): Promise<string[]> {
  return repository.pupilsInGroupsRunBy(ctx.db, schoolScope(schoolId), userId, schoolToday());
}
