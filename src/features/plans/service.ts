// SEN support plans in assess–plan–do–review cycles: a pupil's current plan and its history, each
// part edited on its own, provision added from the catalogue's running groups, the review that
// closes a cycle and opens the next with what continues, the plans hub, and the school's templates.
// Pupils' names come from the register service; contributions from the voice service; every write
// commits in one transaction with its audit events, and every page that shows a plan is audited.
import type { AppContext, ChildSummaryRow, ChronologyEvent } from '../../platform/context.ts';
import { formatDate, schoolToday } from '../../platform/dates.ts';
import { ForbiddenError, NotFoundError, ValidationError, type FieldError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { can, roleMay, type Action, type Actor } from '../../platform/permissions.ts';
import type { SchoolScope } from '../../platform/scope.ts';
import type { DbOrTransaction } from '../../db/database.ts';
import * as auth from '../../platform/auth/service.ts';
import * as register from '../register/service.ts';
import * as provision from '../provision/service.ts';
import * as provisionRepository from '../provision/repository.ts';
import { contributionsForCycle, type CycleContribution } from '../voice/service.ts';
import * as repository from './repository.ts';
import {
  RATING_LABELS,
  carryForward,
  checkDoItem,
  checkReview,
  checkReviewDue,
  checkSections,
  checkStrategy,
  checkTarget,
  defaultReviewDate,
  isRating,
  parseTextMap,
  reviewState,
  type DoItemInput,
  type Rating,
  type ReviewInput,
  type ReviewState,
  type StrategyInput,
  type TargetInput,
  planName,
} from './rules.ts';
import {
  TEMPLATE_KINDS,
  getCurrentTemplate,
  getTemplate,
  listTemplateVersions,
  saveTemplateVersion,
  sectionsWithAnswers,
  toTemplate,
  validateSections,
  type RecordTemplate,
  type SectionInput,
  type TemplateKind,
  type TemplateSection,
} from './templates.ts';
import { scopeOf } from '../../platform/scope.ts';
import { auditAs } from '../../platform/audit/audit-log.ts';

function authorisePupil(actor: Actor, action: Action, pupilId: string): void {
  if (!can(actor, action, { kind: 'pupil', schoolId: actor.schoolId, pupilId })) throw new ForbiddenError('You do not have permission to see this pupil’s plan');
}

// Views ----------------------------------------------------------------------------------------------

export interface TargetView {
  id: string;
  position: number;
  area: string | null;
  target: string;
  successCriterion: string;
  dueOn: string;
  carriedFrom: string | null;
  rating: Rating | null;
  ratingLabel: string | null;
  reviewNote: string | null;
  continues: boolean;
}

export interface CycleView {
  id: string;
  pupilId: string;
  number: number;
  status: 'open' | 'closed';
  startedOn: string;
  reviewDueOn: string;
  reviewState: ReviewState;
  reviewedOn: string | null;
  nextReviewOn: string | null;
  previousCycleId: string | null;
  planTemplate: RecordTemplate;
  reviewTemplate: RecordTemplate | null;
  assess: Array<TemplateSection & { answer: string }>;
  review: Array<TemplateSection & { answer: string }>;
  reviewStarted: boolean;
  targets: TargetView[];
  strategies: Array<{ id: string; position: number; strategy: string; carriedFrom: string | null }>;
  doItems: Array<{ id: string; position: number; who: string; what: string; howOften: string; carriedFrom: string | null }>;
  updatedAt: string;
  updatedBy: string | null;
  closedAt: string | null;
}

function targetView(row: repository.TargetRow): TargetView {
  const rating = isRating(row.rating) ? row.rating : null;
  return {
    id: row.id, position: row.position, area: row.area, target: row.target, successCriterion: row.success_criterion, dueOn: row.due_on, carriedFrom: row.carried_from,
    rating, ratingLabel: rating ? RATING_LABELS[rating] : null, reviewNote: row.review_note, continues: row.continues === 1,
  };
}

/** Loads cycles with their parts and templates (each cycle reads with its own template versions). */
async function cycleViews(db: DbOrTransaction, scope: SchoolScope, rows: repository.CycleRow[], today = schoolToday()): Promise<CycleView[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const [targets, strategies, doItems] = await Promise.all([repository.targetsOf(db, scope, ids), repository.strategiesOf(db, scope, ids), repository.doItemsOf(db, scope, ids)]);
  const templates = new Map<string, RecordTemplate>();
  for (const templateId of new Set(rows.flatMap((row) => [row.plan_template_id, row.review_template_id]).filter((id): id is string => Boolean(id)))) {
    templates.set(templateId, await getTemplate(db, scope, templateId));
  }
  const reviewCurrent = rows.some((row) => !row.review_template_id) ? await getCurrentTemplate(db, scope, 'review') : null;
  return rows.map((row) => {
    const planTemplate = templates.get(row.plan_template_id)!;
    const reviewTemplate = row.review_template_id ? templates.get(row.review_template_id)! : null;
    const reviewAnswers = parseTextMap(row.review);
    return {
      id: row.id,
      pupilId: row.pupil_id,
      number: row.number,
      status: row.status === 'closed' ? 'closed' : 'open',
      startedOn: row.started_on,
      reviewDueOn: row.review_due_on,
      reviewState: reviewState(row.review_due_on, today),
      reviewedOn: row.reviewed_on,
      nextReviewOn: row.next_review_on,
      previousCycleId: row.previous_cycle_id,
      planTemplate,
      reviewTemplate,
      assess: sectionsWithAnswers(planTemplate, parseTextMap(row.assess)),
      review: sectionsWithAnswers(reviewTemplate ?? reviewCurrent!, reviewAnswers),
      reviewStarted: row.reviewed_on !== null,
      targets: targets.filter((target) => target.cycle_id === row.id).map(targetView),
      strategies: strategies.filter((strategy) => strategy.cycle_id === row.id).map((strategy) => ({ id: strategy.id, position: strategy.position, strategy: strategy.strategy, carriedFrom: strategy.carried_from })),
      doItems: doItems.filter((item) => item.cycle_id === row.id).map((item) => ({ id: item.id, position: item.position, who: item.who, what: item.what, howOften: item.how_often, carriedFrom: item.carried_from })),
      updatedAt: row.updated_at,
      updatedBy: row.updated_by,
      closedAt: row.closed_at,
    };
  });
}

export interface ProvisionEntry {
  groupId: string;
  groupName: string;
  provisionName: string;
  startDate: string;
  endDate: string;
  leftOn: string | null;
  fromThisPlan: boolean;
  sessionsPerWeek: number;
  minutesPerSession: number;
}

/**
 * What the pupil receives. For the open plan: groups added through it, then any other groups they are
 * in now. For a closed plan: the groups it asked for that ran during it, including those that moved on
 * to a later plan when it closed (`laterCycleIds`).
 */
async function provisionOfCycle(
  ctx: AppContext,
  scope: SchoolScope,
  pupilId: string,
  cycle: { id: string; status: string; startedOn: string; reviewedOn: string | null },
  laterCycleIds: string[] = [],
  today = schoolToday(),
): Promise<ProvisionEntry[]> {
  const memberships = await provisionRepository.listMembershipsOfPupil(ctx.db, scope, pupilId);
  const own = `plan:${cycle.id}`;
  const sources = new Set([own, ...laterCycleIds.map((id) => `plan:${id}`)]);
  const open = cycle.status === 'open';
  const relevant = memberships.filter((member) => (open ? member.source === own || member.left_on === null : member.source !== null && sources.has(member.source)));
  if (relevant.length === 0) return [];
  const [groups, provisions] = await Promise.all([provisionRepository.listGroups(ctx.db, scope, { groupIds: relevant.map((member) => member.group_id) }), provisionRepository.listProvisions(ctx.db, scope)]);
  const names = new Map(provisions.map((entry) => [entry.id, entry.name]));
  const byGroup = new Map(groups.map((group) => [group.id, group]));
  const ended = cycle.reviewedOn ?? today;
  return relevant
    .map((member) => ({ member, group: byGroup.get(member.group_id) }))
    .filter((entry): entry is { member: provisionRepository.MemberRow; group: provisionRepository.GroupRow } => Boolean(entry.group))
    .filter(({ member, group }) => (open ? member.source === own || group.end_date >= today : member.source === own || (group.start_date <= ended && group.end_date >= cycle.startedOn && member.added_on <= ended)))
    .map(({ member, group }) => ({
      groupId: group.id, groupName: group.name, provisionName: names.get(group.provision_id) ?? '', startDate: group.start_date, endDate: group.end_date, leftOn: member.left_on,
      fromThisPlan: open ? member.source === own : true, sessionsPerWeek: group.sessions_per_week, minutesPerSession: group.minutes_per_session,
    }))
    .sort((a, b) => Number(b.fromThisPlan) - Number(a.fromThisPlan) || a.startDate.localeCompare(b.startDate) || a.groupName.localeCompare(b.groupName));
}

/** Cycles of the pupil after this one (provision moves to them when a plan closes). */
async function laterCycles(db: DbOrTransaction, scope: SchoolScope, row: repository.CycleRow): Promise<string[]> {
  if (row.status === 'open') return [];
  return (await repository.cyclesOfPupil(db, scope, row.pupil_id)).filter((entry) => entry.number > row.number).map((entry) => entry.id);
}

/** The cycle's contributions, for staff who may see them; none for parents or when the voice feature says no. */
async function contributionsOf(ctx: AppContext, actor: Actor, cycleId: string): Promise<CycleContribution[] | null> {
  if (actor.role === 'parent') return null;
  try {
    return await contributionsForCycle(ctx, actor, cycleId);
  } catch (error) {
    if (error instanceof ForbiddenError) return null;
    throw error;
  }
}

async function loadCycleOfPupil(db: DbOrTransaction, scope: SchoolScope, pupilId: string, cycleId: string): Promise<repository.CycleRow> {
  const row = await repository.findCycle(db, scope, cycleId);
  if (!row || row.pupil_id !== pupilId) throw new NotFoundError('That plan was not found');
  return row;
}

async function loadOpenCycle(db: DbOrTransaction, scope: SchoolScope, pupilId: string, cycleId: string): Promise<repository.CycleRow> {
  const row = await loadCycleOfPupil(db, scope, pupilId, cycleId);
  if (row.status !== 'open') throw new ValidationError([{ field: 'cycle', message: 'This plan has been reviewed and closed: change the current plan instead' }]);
  return row;
}

// A pupil's Plans tab -----------------------------------------------------------------------------------

export async function getPupilPlans(ctx: AppContext, actor: Actor, pupilId: string, ip: string) {
  authorisePupil(actor, 'plan.view', pupilId);
  const summary = await register.getPupilSummary(ctx, actor, pupilId, ip, 'plans');
  const scope = scopeOf(actor);
  const rows = await repository.cyclesOfPupil(ctx.db, scope, pupilId);
  const open = rows.find((row) => row.status === 'open');
  // Parents see their child's current plan; staff see every cycle.
  const visible = actor.role === 'parent' ? (open ? [open] : []) : rows;
  const views = await cycleViews(ctx.db, scope, visible);
  const current = views.find((view) => view.status === 'open') ?? null;
  const past = views.filter((view) => view.status === 'closed');
  const [provisionEntries, contributions, names] = await Promise.all([
    current ? provisionOfCycle(ctx, scope, pupilId, current) : Promise.resolve([]),
    current ? contributionsOf(ctx, actor, current.id) : Promise.resolve(null),
    auth.staffDisplayNames(ctx, scope.schoolId, current ? [current.updatedBy] : []),
  ]);
  ctx.audit.recordRead(auditAs(actor, ip)('plan.viewed', { cycles: visible.map((row) => row.id) }, pupilId));
  const canEdit = can(actor, 'plan.edit', { kind: 'pupil', schoolId: actor.schoolId, pupilId });
  return {
    ...summary,
    current,
    past,
    provision: provisionEntries,
    contributions,
    updatedByName: current?.updatedBy ? (names.get(current.updatedBy) ?? null) : null,
    canEdit,
    canRequest: can(actor, 'contribution.request', { kind: 'pupil', schoolId: actor.schoolId, pupilId }),
    onSupport: summary.pupil.sen_provision === 'K' || summary.pupil.sen_provision === 'E',
  };
}

/** One cycle (a past one, or the current one), read-only. */
export async function getCycle(ctx: AppContext, actor: Actor, pupilId: string, cycleId: string, ip: string) {
  authorisePupil(actor, 'plan.view', pupilId);
  const scope = scopeOf(actor);
  const row = await loadCycleOfPupil(ctx.db, scope, pupilId, cycleId);
  if (actor.role === 'parent' && row.status !== 'open') throw new ForbiddenError('Ask the school’s SENCO for your child’s earlier plans');
  const summary = await register.getPupilSummary(ctx, actor, pupilId, ip, 'plans');
  const [cycle] = await cycleViews(ctx.db, scope, [row]);
  const [provisionEntries, contributions] = await Promise.all([provisionOfCycle(ctx, scope, pupilId, cycle!, await laterCycles(ctx.db, scope, row)), contributionsOf(ctx, actor, cycleId)]);
  ctx.audit.recordRead(auditAs(actor, ip)('plan.viewed', { cycles: [cycleId] }, pupilId));
  return {
    ...summary,
    cycle: cycle!,
    provision: provisionEntries,
    contributions,
    canEdit: can(actor, 'plan.edit', { kind: 'pupil', schoolId: actor.schoolId, pupilId }) && row.status === 'open',
    canRequest: can(actor, 'contribution.request', { kind: 'pupil', schoolId: actor.schoolId, pupilId }),
  };
}

/** For an edit page: the pupil summary and the open cycle, after checking the actor may edit. */
export async function getCycleForEdit(ctx: AppContext, actor: Actor, pupilId: string, cycleId: string, ip: string) {
  authorisePupil(actor, 'plan.edit', pupilId);
  const scope = scopeOf(actor);
  const row = await loadOpenCycle(ctx.db, scope, pupilId, cycleId);
  const summary = await register.getPupilSummary(ctx, actor, pupilId, ip, 'plans');
  const [cycle] = await cycleViews(ctx.db, scope, [row]);
  return { ...summary, cycle: cycle! };
}

// Starting a plan ---------------------------------------------------------------------------------------

export async function getStartForm(ctx: AppContext, actor: Actor, pupilId: string, ip: string, today = schoolToday()) {
  authorisePupil(actor, 'plan.edit', pupilId);
  const summary = await register.getPupilSummary(ctx, actor, pupilId, ip, 'plans');
  const open = await repository.openCycleOfPupil(ctx.db, scopeOf(actor), pupilId);
  return { ...summary, open: open ?? null, startedOn: today, reviewDueOn: defaultReviewDate(today) };
}

export async function startPlan(ctx: AppContext, actor: Actor, pupilId: string, input: { startedOn: string; reviewDueOn: string }, ip: string | null, today = schoolToday()): Promise<string> {
  authorisePupil(actor, 'plan.edit', pupilId);
  const scope = scopeOf(actor);
  const facts = (await register.pupilFacts(ctx, scope, [pupilId])).get(pupilId);
  if (!facts) throw new NotFoundError('No pupil with that record in this school');
  const errors: FieldError[] = [];
  if (!facts.onRoll) errors.push({ field: 'pupil', message: 'This pupil has left the school: a plan can only start for a pupil on roll' });
  if (facts.senProvision !== 'K' && facts.senProvision !== 'E') errors.push({ field: 'pupil', message: 'A plan starts when the pupil is on SEN support or has an EHC plan: change their SEN status first' });
  if (!input.startedOn) errors.push({ field: 'startedOn', message: 'Enter the date the plan starts' });
  else if (!/^\d{4}-\d{2}-\d{2}$/.test(input.startedOn) || Number.isNaN(Date.parse(input.startedOn))) errors.push({ field: 'startedOn', message: 'The start date must be a real date, for example 8 9 2025' });
  else if (input.startedOn > defaultReviewDate(today)) errors.push({ field: 'startedOn', message: 'The start date must be no later than this term' });
  let reviewDueOn = '';
  if (!errors.some((error) => error.field === 'startedOn')) {
    try {
      reviewDueOn = checkReviewDue(input.reviewDueOn || defaultReviewDate(input.startedOn), input.startedOn);
    } catch (error) {
      if (error instanceof ValidationError) errors.push(...error.errors);
      else throw error;
    }
  }
  if (errors.length) throw new ValidationError(errors);
  const now = new Date().toISOString();
  const id = newId();
  try {
    await ctx.db.transaction().execute(async (trx) => {
      const cycles = await repository.cyclesOfPupil(trx, scope, pupilId);
      if (cycles.some((cycle) => cycle.status === 'open')) throw new ValidationError([{ field: 'pupil', message: 'This pupil already has a plan open: change it, or review it to start the next' }]);
      const template = await getCurrentTemplate(trx, scope, 'plan');
      // Newest first: the previous plan, and the number after it.
      const previous = cycles[0];
      const number = (previous?.number ?? 0) + 1;
      await repository.insertCycle(trx, scope, {
        id, pupil_id: pupilId, number, status: 'open', plan_template_id: template.id, assess: '{}', started_on: input.startedOn, review_due_on: reviewDueOn,
        review_template_id: null, review: null, reviewed_on: null, next_review_on: null, previous_cycle_id: previous?.id ?? null,
        created_by: actor.userId, created_at: now, updated_by: actor.userId, updated_at: now, closed_by: null, closed_at: null,
      });
      await ctx.audit.record(trx, { ...auditAs(actor, ip)('plan.started', { cycleId: id, number, startedOn: input.startedOn, reviewDueOn, templateVersion: template.version }, pupilId), at: now });
    });
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    // Two people starting a plan at once: the one-open-cycle index turns the second away.
    if (await repository.openCycleOfPupil(ctx.db, scope, pupilId)) throw new ValidationError([{ field: 'pupil', message: 'This pupil already has a plan open: change it, or review it to start the next' }]);
    throw error;
  }
  return id;
}

// Editing the parts of an open plan ------------------------------------------------------------------------

async function editCycle<T>(ctx: AppContext, actor: Actor, pupilId: string, cycleId: string, ip: string | null, change: (trx: DbOrTransaction, scope: SchoolScope, cycle: repository.CycleRow) => Promise<{ action: string; detail: Record<string, unknown>; result: T }>): Promise<T> {
  authorisePupil(actor, 'plan.edit', pupilId);
  const scope = scopeOf(actor);
  const now = new Date().toISOString();
  return ctx.db.transaction().execute(async (trx) => {
    const cycle = await loadOpenCycle(trx, scope, pupilId, cycleId);
    const { action, detail, result } = await change(trx, scope, cycle);
    await repository.updateCycle(trx, scope, cycleId, { updated_by: actor.userId, updated_at: now });
    await ctx.audit.record(trx, { ...auditAs(actor, ip)(action, { cycleId, ...detail }, pupilId), at: now });
    return result;
  });
}

/** Saves the assess sections. The audit keeps what each changed section said before, so nothing is lost. */
export async function saveAssess(ctx: AppContext, actor: Actor, pupilId: string, cycleId: string, values: Record<string, string>, ip: string | null): Promise<void> {
  await editCycle(ctx, actor, pupilId, cycleId, ip, async (trx, scope, cycle) => {
    const template = await getTemplate(trx, scope, cycle.plan_template_id);
    const before = parseTextMap(cycle.assess);
    const checked = checkSections(template.sections, values);
    // Answers under keys this template no longer has are kept as they were.
    const known = new Set(template.sections.map((section) => section.key));
    const next = { ...Object.fromEntries(Object.entries(before).filter(([key]) => !known.has(key))), ...checked };
    const changed = Object.keys({ ...before, ...next }).filter((key) => (before[key] ?? '') !== (next[key] ?? ''));
    await repository.updateCycle(trx, scope, cycleId, { assess: JSON.stringify(next) });
    return { action: 'plan.assess-changed', detail: { changed, before: Object.fromEntries(changed.map((key) => [key, before[key] ?? ''])) }, result: undefined };
  });
}

async function findPart<T extends { id: string; cycle_id: string }>(rows: T[], id: string, what: string): Promise<T> {
  const row = rows.find((entry) => entry.id === id);
  if (!row) throw new NotFoundError(`That ${what} was not found in this plan`);
  return row;
}

export async function addTarget(ctx: AppContext, actor: Actor, pupilId: string, cycleId: string, input: TargetInput, ip: string | null): Promise<string> {
  return editCycle(ctx, actor, pupilId, cycleId, ip, async (trx, scope, cycle) => {
    const checked = checkTarget(input, { startedOn: cycle.started_on, reviewDueOn: cycle.review_due_on });
    const existing = await repository.targetsOf(trx, scope, [cycleId]);
    const id = newId();
    await repository.insertTargets(trx, scope, [{ id, cycle_id: cycleId, position: Math.max(0, ...existing.map((row) => row.position)) + 1, ...checked, carried_from: null, rating: null, review_note: null, continues: null }]);
    return { action: 'plan.target-added', detail: { targetId: id, ...checked }, result: id };
  });
}

export async function updateTarget(ctx: AppContext, actor: Actor, pupilId: string, cycleId: string, targetId: string, input: TargetInput, ip: string | null): Promise<void> {
  await editCycle(ctx, actor, pupilId, cycleId, ip, async (trx, scope, cycle) => {
    const row = await findPart(await repository.targetsOf(trx, scope, [cycleId]), targetId, 'target');
    const checked = checkTarget(input, { startedOn: cycle.started_on, reviewDueOn: cycle.review_due_on });
    await repository.updateTarget(trx, scope, targetId, checked);
    return { action: 'plan.target-changed', detail: { targetId, before: { area: row.area, target: row.target, success_criterion: row.success_criterion, due_on: row.due_on }, after: checked }, result: undefined };
  });
}

export async function removeTarget(ctx: AppContext, actor: Actor, pupilId: string, cycleId: string, targetId: string, ip: string | null): Promise<void> {
  await editCycle(ctx, actor, pupilId, cycleId, ip, async (trx, scope) => {
    const row = await findPart(await repository.targetsOf(trx, scope, [cycleId]), targetId, 'target');
    await repository.deleteTarget(trx, scope, targetId);
    return { action: 'plan.target-removed', detail: { targetId, removed: { area: row.area, target: row.target, success_criterion: row.success_criterion, due_on: row.due_on, carried_from: row.carried_from } }, result: undefined };
  });
}

export async function addStrategy(ctx: AppContext, actor: Actor, pupilId: string, cycleId: string, input: StrategyInput, ip: string | null): Promise<string> {
  return editCycle(ctx, actor, pupilId, cycleId, ip, async (trx, scope) => {
    const strategy = checkStrategy(input);
    const existing = await repository.strategiesOf(trx, scope, [cycleId]);
    const id = newId();
    await repository.insertStrategies(trx, scope, [{ id, cycle_id: cycleId, position: Math.max(0, ...existing.map((row) => row.position)) + 1, strategy, carried_from: null }]);
    return { action: 'plan.strategy-added', detail: { strategyId: id, strategy }, result: id };
  });
}

export async function updateStrategy(ctx: AppContext, actor: Actor, pupilId: string, cycleId: string, strategyId: string, input: StrategyInput, ip: string | null): Promise<void> {
  await editCycle(ctx, actor, pupilId, cycleId, ip, async (trx, scope) => {
    const row = await findPart(await repository.strategiesOf(trx, scope, [cycleId]), strategyId, 'strategy');
    const strategy = checkStrategy(input);
    await repository.updateStrategy(trx, scope, strategyId, { strategy });
    return { action: 'plan.strategy-changed', detail: { strategyId, before: row.strategy, after: strategy }, result: undefined };
  });
}

export async function removeStrategy(ctx: AppContext, actor: Actor, pupilId: string, cycleId: string, strategyId: string, ip: string | null): Promise<void> {
  await editCycle(ctx, actor, pupilId, cycleId, ip, async (trx, scope) => {
    const row = await findPart(await repository.strategiesOf(trx, scope, [cycleId]), strategyId, 'strategy');
    await repository.deleteStrategy(trx, scope, strategyId);
    return { action: 'plan.strategy-removed', detail: { strategyId, removed: row.strategy }, result: undefined };
  });
}

export async function addDoItem(ctx: AppContext, actor: Actor, pupilId: string, cycleId: string, input: DoItemInput, ip: string | null): Promise<string> {
  return editCycle(ctx, actor, pupilId, cycleId, ip, async (trx, scope) => {
    const checked = checkDoItem(input);
    const existing = await repository.doItemsOf(trx, scope, [cycleId]);
    const id = newId();
    await repository.insertDoItems(trx, scope, [{ id, cycle_id: cycleId, position: Math.max(0, ...existing.map((row) => row.position)) + 1, ...checked, carried_from: null }]);
    return { action: 'plan.do-added', detail: { itemId: id, ...checked }, result: id };
  });
}

export async function updateDoItem(ctx: AppContext, actor: Actor, pupilId: string, cycleId: string, itemId: string, input: DoItemInput, ip: string | null): Promise<void> {
  await editCycle(ctx, actor, pupilId, cycleId, ip, async (trx, scope) => {
    const row = await findPart(await repository.doItemsOf(trx, scope, [cycleId]), itemId, 'item');
    const checked = checkDoItem(input);
    await repository.updateDoItem(trx, scope, itemId, checked);
    return { action: 'plan.do-changed', detail: { itemId, before: { who: row.who, what: row.what, how_often: row.how_often }, after: checked }, result: undefined };
  });
}

export async function removeDoItem(ctx: AppContext, actor: Actor, pupilId: string, cycleId: string, itemId: string, ip: string | null): Promise<void> {
  await editCycle(ctx, actor, pupilId, cycleId, ip, async (trx, scope) => {
    const row = await findPart(await repository.doItemsOf(trx, scope, [cycleId]), itemId, 'item');
    await repository.deleteDoItem(trx, scope, itemId);
    return { action: 'plan.do-removed', detail: { itemId, removed: { who: row.who, what: row.what, how_often: row.how_often } }, result: undefined };
  });
}

export async function changeReviewDate(ctx: AppContext, actor: Actor, pupilId: string, cycleId: string, value: string, ip: string | null): Promise<void> {
  await editCycle(ctx, actor, pupilId, cycleId, ip, async (trx, scope, cycle) => {
    const reviewDueOn = checkReviewDue(value, cycle.started_on);
    await repository.updateCycle(trx, scope, cycleId, { review_due_on: reviewDueOn });
    return { action: 'plan.review-date-changed', detail: { before: cycle.review_due_on, after: reviewDueOn }, result: undefined };
  });
}

// Provision --------------------------------------------------------------------------------------------------

/** Running (or about to start) intervention groups the pupil is not in, to add to the plan. */
export async function getProvisionChoices(ctx: AppContext, actor: Actor, pupilId: string, cycleId: string, ip: string, today = schoolToday()) {
  const page = await getCycleForEdit(ctx, actor, pupilId, cycleId, ip);
  const scope = scopeOf(actor);
  const [groups, provisions, memberships, counts] = await Promise.all([
    provisionRepository.listGroups(ctx.db, scope, { from: today }),
    provisionRepository.listProvisions(ctx.db, scope),
    provisionRepository.listMembershipsOfPupil(ctx.db, scope, pupilId),
    provisionRepository.countMembersByGroup(ctx.db, scope),
  ]);
  const inGroup = new Set(memberships.filter((member) => member.left_on === null).map((member) => member.group_id));
  const byProvision = new Map(provisions.map((entry) => [entry.id, entry]));
  const choices = groups
    .filter((group) => !inGroup.has(group.id) && !byProvision.get(group.provision_id)?.archived_at)
    .map((group) => {
      const item = byProvision.get(group.provision_id);
      return { groupId: group.id, groupName: group.name, provisionId: group.provision_id, provisionName: item?.name ?? '', area: item?.area ?? '', startDate: group.start_date, endDate: group.end_date, sessionsPerWeek: group.sessions_per_week, minutesPerSession: group.minutes_per_session, members: counts.get(group.id) ?? 0, started: group.start_date <= today };
    })
    .sort((a, b) => a.provisionName.localeCompare(b.provisionName) || a.startDate.localeCompare(b.startDate) || a.groupName.localeCompare(b.groupName));
  return { ...page, choices, current: await provisionOfCycle(ctx, scope, pupilId, page.cycle, [], today) };
}

/** Adds the pupil to a group for this plan: the membership's source is `plan:<cycleId>`. */
export async function addProvision(ctx: AppContext, actor: Actor, pupilId: string, cycleId: string, groupId: string, ip: string | null, today = schoolToday()): Promise<string> {
  authorisePupil(actor, 'plan.edit', pupilId);
  const scope = scopeOf(actor);
  await loadOpenCycle(ctx.db, scope, pupilId, cycleId);
  if (!groupId) throw new ValidationError([{ field: 'groupId', message: 'Choose the intervention group the pupil will join' }]);
  const group = await provisionRepository.findGroup(ctx.db, scope, groupId);
  if (!group || group.end_date < today) throw new ValidationError([{ field: 'groupId', message: 'Choose a group that is running or about to start' }]);
  await provision.addPupils(ctx, actor, groupId, [pupilId], ip, `plan:${cycleId}`);
  const now = new Date().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    await repository.updateCycle(trx, scope, cycleId, { updated_by: actor.userId, updated_at: now });
    await ctx.audit.record(trx, { ...auditAs(actor, ip)('plan.provision-added', { cycleId, groupId, group: group.name }, pupilId), at: now });
  });
  return group.name;
}

// The review ----------------------------------------------------------------------------------------------------

export async function getReviewForm(ctx: AppContext, actor: Actor, pupilId: string, cycleId: string, ip: string, today = schoolToday()) {
  const page = await getCycleForEdit(ctx, actor, pupilId, cycleId, ip);
  const scope = scopeOf(actor);
  const template = page.cycle.reviewTemplate ?? (await getCurrentTemplate(ctx.db, scope, 'review'));
  const heldOn = page.cycle.reviewedOn ?? today;
  const [contributions, provisionEntries] = await Promise.all([contributionsOf(ctx, actor, cycleId), provisionOfCycle(ctx, scope, pupilId, page.cycle, [], today)]);
  return {
    ...page,
    template,
    sections: sectionsWithAnswers(template, Object.fromEntries(page.cycle.review.map((section) => [section.key, section.answer]))),
    heldOn,
    nextReviewOn: page.cycle.nextReviewOn ?? defaultReviewDate(heldOn),
    contributions,
    provision: provisionEntries,
    // Drafted answers, or none chosen yet (then the rule applies: targets not fully achieved carry on).
    carry: Object.fromEntries(page.cycle.targets.map((target) => [target.id, target.rating ? (target.continues ? 'yes' : 'no') : ''])),
  };
}

/** Saves the review as a draft on the open cycle (ratings on the targets), for "Check your answers". */
export async function saveReviewDraft(ctx: AppContext, actor: Actor, pupilId: string, cycleId: string, input: ReviewInput, ip: string | null, today = schoolToday()): Promise<void> {
  await editCycle(ctx, actor, pupilId, cycleId, ip, async (trx, scope, cycle) => {
    const template = cycle.review_template_id ? await getTemplate(trx, scope, cycle.review_template_id) : await getCurrentTemplate(trx, scope, 'review');
    const targets = await repository.targetsOf(trx, scope, [cycleId]);
    const checked = checkReview(input, { startedOn: cycle.started_on, targets, sections: template.sections }, today);
    const known = new Set(template.sections.map((section) => section.key));
    const before = parseTextMap(cycle.review);
    const review = { ...Object.fromEntries(Object.entries(before).filter(([key]) => !known.has(key))), ...checked.sections };
    await repository.updateCycle(trx, scope, cycleId, { review_template_id: template.id, review: JSON.stringify(review), reviewed_on: checked.heldOn, next_review_on: checked.nextReviewOn });
    for (const target of targets) {
      const given = checked.targets[target.id]!;
      await repository.updateTarget(trx, scope, target.id, { rating: given.rating, review_note: given.note, continues: given.carry ? 1 : 0 });
    }
    return { action: 'plan.review-drafted', detail: { heldOn: checked.heldOn, nextReviewOn: checked.nextReviewOn, ratings: Object.fromEntries(Object.entries(checked.targets).map(([id, value]) => [id, value.rating])) }, result: undefined };
  });
}

/** "Check your answers": the drafted review, complete, or the errors that send the SENCO back to the form. */
export async function getReviewCheck(ctx: AppContext, actor: Actor, pupilId: string, cycleId: string, ip: string, today = schoolToday()) {
  const page = await getCycleForEdit(ctx, actor, pupilId, cycleId, ip);
  const scope = scopeOf(actor);
  const problems = reviewProblems(page.cycle, today);
  const provisionEntries = await provisionOfCycle(ctx, scope, pupilId, page.cycle, [], today);
  const continuing = provisionEntries.filter((entry) => entry.fromThisPlan && entry.leftOn === null && entry.endDate >= (page.cycle.reviewedOn ?? today));
  return { ...page, problems, continuing, carried: page.cycle.targets.filter((target) => target.continues) };
}

function reviewProblems(cycle: CycleView, today: string): FieldError[] {
  try {
    checkReview(
      {
        heldOn: cycle.reviewedOn ?? '',
        nextReviewOn: cycle.nextReviewOn ?? '',
        sections: Object.fromEntries(cycle.review.map((section) => [section.key, section.answer])),
        targets: Object.fromEntries(cycle.targets.map((target) => [target.id, { rating: target.rating ?? '', note: target.reviewNote ?? '', carry: target.continues }])),
      },
      { startedOn: cycle.startedOn, targets: cycle.targets, sections: cycle.reviewTemplate?.sections ?? [] },
      today,
    );
    return [];
  } catch (error) {
    if (error instanceof ValidationError) return error.errors;
    throw error;
  }
}

/**
 * Closes the cycle and opens the next, in one transaction: the drafted review is checked again, the
 * cycle is closed, the next cycle starts on the review date with the agreed review date, carrying the
 * targets marked to continue, every strategy and "do" item and the assess sections, and intervention
 * groups this plan asked for that are still running move to the new plan.
 */
export async function closeCycle(ctx: AppContext, actor: Actor, pupilId: string, cycleId: string, ip: string | null, today = schoolToday()): Promise<string> {
  authorisePupil(actor, 'plan.edit', pupilId);
  const scope = scopeOf(actor);
  const now = new Date().toISOString();
  return ctx.db.transaction().execute(async (trx) => {
    const row = await loadOpenCycle(trx, scope, pupilId, cycleId);
    const [cycle] = await cycleViews(trx, scope, [row], today);
    const problems = reviewProblems(cycle!, today);
    if (!row.reviewed_on || !row.next_review_on || problems.length) throw new ValidationError(problems.length ? problems : [{ field: 'heldOn', message: 'Record the review before closing the plan' }]);
    const [targets, strategies, doItems] = await Promise.all([repository.targetsOf(trx, scope, [cycleId]), repository.strategiesOf(trx, scope, [cycleId]), repository.doItemsOf(trx, scope, [cycleId])]);
    await repository.updateCycle(trx, scope, cycleId, { status: 'closed', closed_by: actor.userId, closed_at: now, updated_by: actor.userId, updated_at: now });
    const nextId = newId();
    const template = await getCurrentTemplate(trx, scope, 'plan');
    const carried = carryForward({ targets, strategies, doItems, assess: parseTextMap(row.assess) }, { cycleId: nextId, reviewDueOn: row.next_review_on }, () => newId());
    await repository.insertCycle(trx, scope, {
      id: nextId, pupil_id: pupilId, number: row.number + 1, status: 'open', plan_template_id: template.id, assess: JSON.stringify(carried.assess), started_on: row.reviewed_on,
      review_due_on: row.next_review_on, review_template_id: null, review: null, reviewed_on: null, next_review_on: null, previous_cycle_id: cycleId,
      created_by: actor.userId, created_at: now, updated_by: actor.userId, updated_at: now, closed_by: null, closed_at: null,
    });
    await repository.insertTargets(trx, scope, carried.targets);
    await repository.insertStrategies(trx, scope, carried.strategies);
    await repository.insertDoItems(trx, scope, carried.doItems);
    // Provision that continues: groups this plan asked for that the pupil is still in and that run on.
    const moved = await provision.carryPlanMemberships(trx, scope, pupilId, { source: `plan:${cycleId}`, runningOn: row.reviewed_on }, `plan:${nextId}`, now);
    const ratings = Object.fromEntries(targets.map((target) => [target.id, target.rating]));
    await ctx.audit.record(
      trx,
      { ...auditAs(actor, ip)('plan.reviewed', { cycleId, number: row.number, heldOn: row.reviewed_on, ratings }, pupilId), at: now },
      { ...auditAs(actor, ip)('plan.closed', { cycleId, number: row.number, nextCycleId: nextId }, pupilId), at: now },
      { ...auditAs(actor, ip)('plan.started', { cycleId: nextId, number: row.number + 1, startedOn: row.reviewed_on, reviewDueOn: row.next_review_on, carriedTargets: carried.targets.length, provisionMoved: moved, templateVersion: template.version }, pupilId), at: now },
    );
    return nextId;
  });
}

// The plans hub --------------------------------------------------------------------------------------------------

export type HubShow = 'overdue' | 'due-soon' | 'no-plan';
export type HubSort = 'due' | 'name' | 'year';
export const HUB_PAGE_SIZE = 50;

export interface HubRow {
  pupilId: string;
  name: string;
  yearGroup: number | null;
  registrationGroup: string | null;
  senProvision: string;
  primaryNeed: string | null;
  cycleId: string | null;
  cycleNumber: number | null;
  reviewDueOn: string | null;
  lastReviewedOn: string | null;
}

/** The hub's three lists for the whole school: open plans overdue and due in six weeks, and pupils on K or E without one. */
async function hubLists(ctx: AppContext, scope: SchoolScope, today: string): Promise<Record<HubShow, HubRow[]>> {
  const dueBy = new Date(Date.parse(`${today}T12:00:00Z`) + 42 * 86_400_000).toISOString().slice(0, 10);
  const [due, without] = await Promise.all([repository.openCyclesDueBy(ctx.db, scope, dueBy), repository.pupilsWithoutOpenPlan(ctx.db, scope)]);
  const [facts, lastReviewed] = await Promise.all([register.pupilFacts(ctx, scope, [...due.map((entry) => entry.pupilId), ...without]), repository.lastReviewedOn(ctx.db, scope, without)]);
  const rowOf = (pupilId: string, cycle?: repository.OpenCycleSummary): HubRow => {
    const fact = facts.get(pupilId);
    return {
      pupilId, name: fact?.name ?? 'Unknown pupil', yearGroup: fact?.yearGroup ?? null, registrationGroup: fact?.registrationGroup ?? null, senProvision: fact?.senProvision ?? '', primaryNeed: fact?.primaryNeed ?? null,
      cycleId: cycle?.cycleId ?? null, cycleNumber: cycle?.number ?? null, reviewDueOn: cycle?.reviewDueOn ?? null, lastReviewedOn: lastReviewed.get(pupilId) ?? null,
    };
  };
  return {
    overdue: due.filter((entry) => entry.reviewDueOn < today).map((entry) => rowOf(entry.pupilId, entry)),
    'due-soon': due.filter((entry) => entry.reviewDueOn >= today).map((entry) => rowOf(entry.pupilId, entry)),
    'no-plan': without.map((pupilId) => rowOf(pupilId)),
  };
}

const HUB_COLLATOR = new Intl.Collator('en-GB', { numeric: true });
const byHubName = (a: HubRow, b: HubRow) => HUB_COLLATOR.compare(a.name, b.name);
const HUB_SORTERS: Record<HubSort, (a: HubRow, b: HubRow) => number> = {
  due: (a, b) => (a.reviewDueOn ?? a.lastReviewedOn ?? '').localeCompare(b.reviewDueOn ?? b.lastReviewedOn ?? '') || byHubName(a, b),
  name: byHubName,
  year: (a, b) => (a.yearGroup ?? 99) - (b.yearGroup ?? 99) || byHubName(a, b),
};

export async function getPlansHub(ctx: AppContext, actor: Actor, query: { show: HubShow; yearGroup: string; sort: HubSort; page: number; pageSize?: number }, ip: string | null, today = schoolToday()) {
  if (!roleMay(actor.role, 'plans.overview')) throw new ForbiddenError();
  const lists = await hubLists(ctx, scopeOf(actor), today);
  const yearGroups = [...new Set(Object.values(lists).flat().map((row) => row.yearGroup))].sort((a, b) => (a ?? 99) - (b ?? 99));
  const wantedYear = query.yearGroup === '' ? undefined : Number(query.yearGroup);
  const inYear = (row: HubRow) => wantedYear === undefined || row.yearGroup === wantedYear;
  const counts = { overdue: lists.overdue.filter(inYear).length, 'due-soon': lists['due-soon'].filter(inYear).length, 'no-plan': lists['no-plan'].filter(inYear).length };
  const rows = lists[query.show].filter(inYear).sort(HUB_SORTERS[query.sort]);
  const size = Math.max(1, query.pageSize ?? HUB_PAGE_SIZE);
  const pageCount = Math.max(1, Math.ceil(rows.length / size));
  const page = Math.min(Math.max(1, query.page), pageCount);
  const shown = rows.slice((page - 1) * size, page * size);
  ctx.audit.recordRead(auditAs(actor, ip)('plans.overview-viewed', { show: query.show, pupils: shown.map((row) => row.pupilId) }));
  return { rows: shown, total: rows.length, counts, page, pageCount, yearGroups, today };
}

/** For the Today page, from one reading of the hub: the counts, and the `few` most overdue and soonest due reviews. */
export async function getPlansHubTop(ctx: AppContext, actor: Actor, few: number, ip: string | null, today = schoolToday()) {
  if (!roleMay(actor.role, 'plans.overview')) throw new ForbiddenError();
  const lists = await hubLists(ctx, scopeOf(actor), today);
  const overdue = lists.overdue.sort(HUB_SORTERS.due).slice(0, few);
  const dueSoon = lists['due-soon'].sort(HUB_SORTERS.due).slice(0, few);
  ctx.audit.recordRead(auditAs(actor, ip)('plans.overview-viewed', { show: 'today', pupils: [...overdue, ...dueSoon].map((row) => row.pupilId) }));
  return { counts: { overdue: lists.overdue.length, 'due-soon': lists['due-soon'].length, 'no-plan': lists['no-plan'].length }, overdue, dueSoon };
}

// Chronology ----------------------------------------------------------------------------------------------

/** Plan started, targets set and reviews held, for the pupil's chronology (the chronology checks access first). */
export async function chronologyEvents(ctx: AppContext, actor: Actor, pupilId: string): Promise<ChronologyEvent[]> {
  if (!can(actor, 'plan.view', { kind: 'pupil', schoolId: actor.schoolId, pupilId })) return [];
  const scope = scopeOf(actor);
  const rows = await repository.cyclesOfPupil(ctx.db, scope, pupilId);
  if (rows.length === 0) return [];
  const targets = await repository.targetsOf(ctx.db, scope, rows.map((row) => row.id));
  const names = await auth.staffDisplayNames(ctx, scope.schoolId, rows.flatMap((row) => [row.created_by, row.closed_by]));
  const events: ChronologyEvent[] = [];
  for (const row of rows) {
    const href = `/pupils/${pupilId}/plans/${row.id}`;
    const own = targets.filter((target) => target.cycle_id === row.id);
    events.push({
      date: row.started_on, recordedAt: row.created_at, category: 'plan', title: row.previous_cycle_id && row.number > 1 ? `Plan ${row.number} started after the review` : `Plan ${row.number} started`,
      detail: [`Review due ${formatDate(row.review_due_on)}`], by: row.created_by ? (names.get(row.created_by) ?? null) : null, href,
    });
    if (own.length) {
      events.push({
        date: row.started_on, recordedAt: row.created_at, category: 'plan', title: `${own.length === 1 ? '1 target' : `${own.length} targets`} set in plan ${row.number}`,
        detail: own.map((target) => `${target.target}${target.carried_from ? ' (carried forward)' : ''}`), href,
      });
    }
    if (row.status === 'closed' && row.reviewed_on) {
      const counts = (rating: Rating) => own.filter((target) => target.rating === rating).length;
      events.push({
        date: row.reviewed_on, recordedAt: row.closed_at ?? row.updated_at, category: 'review', title: `Review held: plan ${row.number} closed`,
        detail: [`${counts('achieved')} achieved, ${counts('partly')} partly achieved, ${counts('not-yet')} not yet achieved`, ...(row.next_review_on ? [`Next review due ${formatDate(row.next_review_on)}`] : [])],
        by: row.closed_by ? (names.get(row.closed_by) ?? null) : null, href,
      });
    }
  }
  return events;
}

// Templates -----------------------------------------------------------------------------------------------

export async function getTemplatesOverview(ctx: AppContext, actor: Actor) {
  if (!roleMay(actor.role, 'templates.manage')) throw new ForbiddenError();
  const scope = scopeOf(actor);
  const templates = [];
  for (const kind of TEMPLATE_KINDS) templates.push(await getCurrentTemplate(ctx.db, scope, kind));
  return { templates };
}

export async function getTemplateEditor(ctx: AppContext, actor: Actor, kind: TemplateKind) {
  if (!roleMay(actor.role, 'templates.manage')) throw new ForbiddenError();
  const scope = scopeOf(actor);
  const current = await getCurrentTemplate(ctx.db, scope, kind);
  const rows = await repository.listTemplateVersions(ctx.db, scope, kind);
  const [use, names] = await Promise.all([repository.templateUse(ctx.db, scope, rows.map((row) => row.id)), auth.staffDisplayNames(ctx, scope.schoolId, rows.map((row) => row.created_by))]);
  const creators = new Map(rows.map((row) => [row.id, row.created_by ? (names.get(row.created_by) ?? 'A former member of staff') : 'SENCO Desk (the built-in template)']));
  return { current, versions: rows.map(toTemplate).map((version) => ({ ...version, uses: use.get(version.id) ?? 0, createdBy: creators.get(version.id) ?? '' })) };
}

export async function saveTemplate(ctx: AppContext, actor: Actor, kind: TemplateKind, inputs: SectionInput[], basedOnVersion: number | undefined, ip: string | null): Promise<RecordTemplate> {
  if (!roleMay(actor.role, 'templates.manage')) throw new ForbiddenError();
  const sections = validateSections(inputs);
  const scope = scopeOf(actor);
  const now = new Date().toISOString();
  return ctx.db.transaction().execute(async (trx) => {
    const before = await getCurrentTemplate(trx, scope, kind);
    if (JSON.stringify(before.sections) === JSON.stringify(sections)) throw new ValidationError([{ field: 'sections', message: 'Nothing has changed: change a heading or prompt, or add, remove or move a section, before saving' }]);
    const saved = await saveTemplateVersion(trx, scope, kind, sections, actor.userId, basedOnVersion);
    await ctx.audit.record(trx, { ...auditAs(actor, ip)('template.saved', { kind, version: saved.version, headings: sections.map((section) => section.heading) }), at: now });
    return saved;
  });
}

export async function getTemplateVersion(ctx: AppContext, actor: Actor, kind: TemplateKind, version: number) {
  if (!roleMay(actor.role, 'templates.manage')) throw new ForbiddenError();
  const versions = await listTemplateVersions(ctx.db, scopeOf(actor), kind);
  const found = versions.find((entry) => entry.version === version);
  if (!found) throw new NotFoundError('That version of the template was not found');
  return found;
}

// A parent's "My child" --------------------------------------------------------------------------------

/** Who in a plan's "do" is the family: those lines are what the plan asks of the parent reading it. */
const FAMILY = /\b(parents?|carers?|family|home|mum|dad|mother|father)\b/i;

/** For each of a parent's children with a plan open: the plan, when it will be reviewed, and what it asks of the family. */
export async function childSummaries(ctx: AppContext, actor: Actor, pupilIds: string[]): Promise<Map<string, ChildSummaryRow[]>> {
  const scope = scopeOf(actor);
  const cycles = (await Promise.all(pupilIds.map((pupilId) => repository.openCycleOfPupil(ctx.db, scope, pupilId)))).filter((cycle) => cycle !== undefined);
  const [doItems, facts] = await Promise.all([repository.doItemsOf(ctx.db, scope, cycles.map((cycle) => cycle.id)), register.pupilFacts(ctx, scope, cycles.map((cycle) => cycle.pupil_id))]);
  const rows = new Map<string, ChildSummaryRow[]>();
  for (const cycle of cycles) {
    const lines: ChildSummaryRow[] = [{
      key: planName(facts.get(cycle.pupil_id)?.senProvision ?? 'K'),
      value: `Plan ${cycle.number}, started ${formatDate(cycle.started_on)}; to be reviewed with you by ${formatDate(cycle.review_due_on)}`,
      href: `/pupils/${cycle.pupil_id}/plans`,
      linkText: 'Read the plan',
    }];
    const asked = doItems.filter((item) => item.cycle_id === cycle.id && FAMILY.test(item.who)).sort((a, b) => a.position - b.position);
    if (asked.length) lines.push({ key: 'What the plan asks of you', value: asked.map((item) => `${item.what} (${item.how_often})`).join('; ') });
    rows.set(cycle.pupil_id, lines);
  }
  return rows;
}
