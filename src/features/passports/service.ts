// Pupil passports (one-page profiles): reading one (with its history), writing a new version (every
// save is one; a restore is one too), filling a draft from the plan and the pupil's own words, the
// documents, and "My class": the passports of every pupil with SEN a member of staff teaches. Every
// read of a pupil's passport is audited, every write commits with its audit event.
import * as auth from '../../platform/auth/service.ts';
import type { AppContext, ChildSummaryRow, ChronologyEvent } from '../../platform/context.ts';
import { formatDate, schoolToday } from '../../platform/dates.ts';
import type { DocumentFormat, DocumentModel } from '../../platform/documents/index.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { can, type Action, type Actor } from '../../platform/permissions.ts';
import type { SchoolScope } from '../../platform/scope.ts';
import { getCurrentTemplate, getTemplate, listTemplateVersions, type RecordTemplate } from '../plans/templates.ts';
import * as register from '../register/service.ts';
import { loadSchoolLogo } from '../settings/logo.ts';
import { classPassportsModel, fullName, passportFilename, passportModel, type PassportForDocument, type PassportPupil } from './documents.ts';
import * as repository from './repository.ts';
import {
  checkPassport,
  fillFromPlan,
  formFromContent,
  parseSections,
  parseStrategies,
  sameContent,
  sectionsForDisplay,
  type FillResult,
  type PassportContent,
  type PassportForm,
} from './rules.ts';
import { scopeOf } from '../../platform/scope.ts';
import { auditAs } from '../../platform/audit/audit-log.ts';

/** The pupil-level check, again in the service: a route that forgets cannot leak a passport. */
function authorise(actor: Actor, action: Action, pupilId: string): void {
  if (!can(actor, action, { kind: 'pupil', schoolId: actor.schoolId, pupilId })) throw new ForbiddenError('You do not have permission to see this pupil’s record');
}

const COLLATOR = new Intl.Collator('en-GB', { numeric: true });

/** Every version of the passport template by id, in one query (old versions keep the headings they were written with). */
async function passportTemplates(ctx: AppContext, scope: SchoolScope): Promise<Map<string, RecordTemplate>> {
  return new Map((await listTemplateVersions(ctx.db, scope, 'passport')).map((template) => [template.id, template]));
}

export interface PassportView {
  id: string;
  version: number;
  templateVersion: number | null;
  sections: Array<{ key: string; heading: string; text: string; pupilWords: boolean }>;
  strategies: string[];
  createdAt: string;
  createdBy: string | null;
  restoredFrom: number | null;
}

function contentOf(row: repository.PassportRow): PassportContent {
  return { sections: parseSections(row.sections), strategies: parseStrategies(row.strategies) };
}

function toView(row: repository.PassportRow, template: RecordTemplate | undefined, names: Map<string, string>): PassportView {
  const content = contentOf(row);
  return {
    id: row.id,
    version: row.version,
    templateVersion: template?.version ?? null,
    sections: sectionsForDisplay(template?.sections ?? [], content.sections),
    strategies: content.strategies,
    createdAt: row.created_at,
    createdBy: row.created_by ? (names.get(row.created_by) ?? null) : null,
    restoredFrom: row.restored_from,
  };
}

async function viewsOf(ctx: AppContext, scope: SchoolScope, rows: repository.PassportRow[]): Promise<PassportView[]> {
  if (rows.length === 0) return [];
  const [templates, names] = await Promise.all([passportTemplates(ctx, scope), auth.staffDisplayNames(ctx, scope.schoolId, rows.map((row) => row.created_by))]);
  return rows.map((row) => toView(row, templates.get(row.template_id), names));
}

// One pupil's passport -------------------------------------------------------------------------------

/** The Passport tab: the latest version, what the reader may do, and whether there is a plan to fill from. */
export async function getPupilPassport(ctx: AppContext, actor: Actor, pupilId: string, ip: string) {
  authorise(actor, 'passport.view', pupilId);
  const summary = await register.getPupilSummary(ctx, actor, pupilId, ip, 'passport');
  const scope = scopeOf(actor);
  const rows = await repository.listVersions(ctx.db, scope, pupilId);
  const [passport] = rows.length ? await viewsOf(ctx, scope, rows.slice(0, 1)) : [];
  return { ...summary, passport, versions: rows.length, canEdit: can(actor, 'passport.edit', { kind: 'pupil', schoolId: actor.schoolId, pupilId }) };
}

/** Every version, newest first, with who saved it. */
export async function getPassportHistory(ctx: AppContext, actor: Actor, pupilId: string, ip: string) {
  authorise(actor, 'passport.view', pupilId);
  const summary = await register.getPupilSummary(ctx, actor, pupilId, ip, 'passport-history');
  const scope = scopeOf(actor);
  const versions = await viewsOf(ctx, scope, await repository.listVersions(ctx.db, scope, pupilId));
  return { ...summary, versions, canEdit: can(actor, 'passport.edit', { kind: 'pupil', schoolId: actor.schoolId, pupilId }) };
}

/** One earlier (or the latest) version, read with the template version it was written with. */
export async function getPassportVersion(ctx: AppContext, actor: Actor, pupilId: string, passportId: string, ip: string) {
  authorise(actor, 'passport.view', pupilId);
  const scope = scopeOf(actor);
  const row = await repository.findVersion(ctx.db, scope, pupilId, passportId);
  if (!row) throw new NotFoundError('That version of the passport was not found');
  const summary = await register.getPupilSummary(ctx, actor, pupilId, ip, `passport-version-${row.version}`);
  const latest = await repository.latestVersion(ctx.db, scope, pupilId);
  const [passport] = await viewsOf(ctx, scope, [row]);
  return { ...summary, passport: passport!, latestVersion: latest?.version ?? row.version, canEdit: can(actor, 'passport.edit', { kind: 'pupil', schoolId: actor.schoolId, pupilId }) };
}

// Writing ---------------------------------------------------------------------------------------------

export interface EditState {
  template: RecordTemplate;
  form: PassportForm;
  hasOpenPlan: boolean;
  contributionOn: string | null;
}

/** The edit form, filled from the latest version in the current passport template. */
export async function getEditForm(ctx: AppContext, actor: Actor, pupilId: string, ip: string) {
  authorise(actor, 'passport.edit', pupilId);
  const summary = await register.getPupilSummary(ctx, actor, pupilId, ip, 'passport-edit');
  const scope = scopeOf(actor);
  const [latest, template] = await Promise.all([repository.latestVersion(ctx.db, scope, pupilId), getCurrentTemplate(ctx.db, scope, 'passport')]);
  const form = formFromContent(template.sections, latest ? contentOf(latest) : undefined, latest?.version ?? 0);
  return { ...summary, ...(await sources(ctx, scope, pupilId)), template, form };
}

/** The template a posted form was written in (its id travels with the form); a stale or foreign id falls back to the current one. */
export async function templateForForm(ctx: AppContext, actor: Actor, templateId: string): Promise<RecordTemplate> {
  const scope = scopeOf(actor);
  if (templateId) {
    try {
      const template = await getTemplate(ctx.db, scope, templateId);
      if (template.kind === 'passport') return template;
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
  }
  return getCurrentTemplate(ctx.db, scope, 'passport');
}

async function sources(ctx: AppContext, scope: SchoolScope, pupilId: string) {
  const [hasOpenPlan, contribution] = await Promise.all([repository.hasOpenPlan(ctx.db, scope, pupilId), repository.latestPupilContribution(ctx.db, scope, pupilId)]);
  return { hasOpenPlan, contributionOn: contribution?.submitted_at ?? null };
}

/** What the edit page needs around a posted form: the pupil (audited as a read) and what it can be filled from. */
export async function getEditContext(ctx: AppContext, actor: Actor, pupilId: string, ip: string) {
  authorise(actor, 'passport.edit', pupilId);
  const summary = await register.getPupilSummary(ctx, actor, pupilId, ip, 'passport-edit');
  return { ...summary, ...(await sources(ctx, scopeOf(actor), pupilId)) };
}

function parseAnswers(json: string | null): Record<string, string> {
  try {
    const value = JSON.parse(json ?? '{}') as unknown;
    if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  } catch {
    return {};
  }
}

/**
 * "Fill from the plan": the open plan's strategies and the pupil's latest views, verbatim, into the
 * form. Reads the plan and the pupil's answers (audited as a read of both); saves nothing.
 */
export async function fillForm(ctx: AppContext, actor: Actor, pupilId: string, form: PassportForm, ip: string): Promise<FillResult & { hasOpenPlan: boolean; contributionOn: string | null }> {
  authorise(actor, 'passport.edit', pupilId);
  const scope = scopeOf(actor);
  const [strategies, contribution] = await Promise.all([repository.openPlanStrategies(ctx.db, scope, [pupilId]), repository.latestPupilContribution(ctx.db, scope, pupilId)]);
  const hasOpenPlan = strategies.length > 0 || (await repository.hasOpenPlan(ctx.db, scope, pupilId));
  let pupilViews;
  if (contribution) {
    const template = await getTemplate(ctx.db, scope, contribution.template_id).catch((error: unknown) => {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    });
    pupilViews = { answers: parseAnswers(contribution.answers), sections: template?.sections ?? [], submittedAt: contribution.submitted_at! };
  }
  const result = fillFromPlan(form, hasOpenPlan ? strategies.map((row) => row.strategy) : undefined, pupilViews);
  ctx.audit.recordRead(auditAs(actor, ip)('passport.filled-from-plan', { strategies: strategies.length, contributionId: contribution?.id ?? null, sections: result.placed.map((entry) => entry.key) }, pupilId));
  return { ...result, hasOpenPlan, contributionOn: contribution?.submitted_at ?? null };
}

/**
 * Saves the form as a new version (in the template it was written in). Unchanged: no new version,
 * returns undefined. Someone else saved since the form was opened: refused, so nothing is overwritten.
 */
export async function savePassport(ctx: AppContext, actor: Actor, pupilId: string, template: RecordTemplate, form: PassportForm, pupilName: string, ip: string): Promise<number | undefined> {
  authorise(actor, 'passport.edit', pupilId);
  const content = checkPassport(form, pupilName);
  const scope = scopeOf(actor);
  return ctx.db.transaction().execute(async (trx) => {
    const latest = await repository.latestVersion(trx, scope, pupilId);
    if ((latest?.version ?? 0) !== form.basedOnVersion) {
      throw new ValidationError([{ field: `section-${form.sections[0]?.key ?? 'about-me'}`, message: `Someone saved version ${latest?.version ?? 0} of this passport while you were editing: open it again and make your changes there` }]);
    }
    if (latest && latest.template_id === template.id && sameContent(contentOf(latest), content)) return undefined;
    const version = (latest?.version ?? 0) + 1;
    await write(ctx, trx, scope, actor, ip, pupilId, { version, templateId: template.id, content, restoredFrom: null });
    return version;
  });
}

async function write(
  ctx: AppContext,
  trx: Parameters<typeof repository.insertVersion>[0],
  scope: SchoolScope,
  actor: Actor,
  ip: string | null,
  pupilId: string,
  entry: { version: number; templateId: string; content: PassportContent; restoredFrom: number | null },
): Promise<void> {
  const now = new Date().toISOString();
  const id = newId();
  const written = await repository.insertVersion(trx, scope, {
    id, pupil_id: pupilId, version: entry.version, template_id: entry.templateId, sections: JSON.stringify(entry.content.sections), strategies: JSON.stringify(entry.content.strategies),
    restored_from: entry.restoredFrom, created_by: actor.userId, created_at: now,
  });
  if (!written) throw new ValidationError([{ field: 'passport', message: 'Someone saved this passport at the same moment: open it again and make your changes there' }]);
  const pupilWords = Object.entries(entry.content.sections).filter(([, section]) => section.pupilWords).map(([key]) => key);
  await ctx.audit.record(trx, {
    ...auditAs(actor, ip)(entry.restoredFrom ? 'passport.restored' : entry.version === 1 ? 'passport.written' : 'passport.updated', {
      passportId: id, version: entry.version, templateId: entry.templateId, strategies: entry.content.strategies.length, pupilWords, ...(entry.restoredFrom ? { restoredFrom: entry.restoredFrom } : {}),
    }, pupilId),
    at: now,
  });
}

/** Restoring an earlier version writes it again as the newest one; the versions in between are kept. */
export async function restoreVersion(ctx: AppContext, actor: Actor, pupilId: string, passportId: string, ip: string): Promise<{ version: number; from: number }> {
  authorise(actor, 'passport.edit', pupilId);
  const scope = scopeOf(actor);
  return ctx.db.transaction().execute(async (trx) => {
    const row = await repository.findVersion(trx, scope, pupilId, passportId);
    if (!row) throw new NotFoundError('That version of the passport was not found');
    const latest = await repository.latestVersion(trx, scope, pupilId);
    const version = (latest?.version ?? 0) + 1;
    await write(ctx, trx, scope, actor, ip, pupilId, { version, templateId: row.template_id, content: contentOf(row), restoredFrom: row.version });
    return { version, from: row.version };
  });
}

// Documents -------------------------------------------------------------------------------------------

function forDocument(pupil: PassportPupil, view: PassportView): PassportForDocument {
  return { pupil, version: view.version, createdAt: view.createdAt, sections: view.sections, strategies: view.strategies };
}

async function schoolOf(ctx: AppContext, actor: Actor) {
  const [name, logo] = await Promise.all([repository.schoolName(ctx.db, scopeOf(actor)), loadSchoolLogo(ctx, actor.schoolId)]);
  return { name: name ?? 'SENCO Desk', logo };
}

/** The latest passport as Word or PDF, with the school's name and logo; audited before it is rendered. */
export async function exportPassport(ctx: AppContext, actor: Actor, pupilId: string, format: DocumentFormat, ip: string | null): Promise<{ model: DocumentModel; filename: string }> {
  authorise(actor, 'passport.view', pupilId);
  const scope = scopeOf(actor);
  const pupil = await repository.findPupil(ctx.db, scope, pupilId);
  if (!pupil) throw new NotFoundError('No such pupil');
  const latest = await repository.latestVersion(ctx.db, scope, pupilId);
  if (!latest) throw new NotFoundError(`${fullName(pupil)} has no passport yet`);
  const [view] = await viewsOf(ctx, scope, [latest]);
  const document = forDocument(pupil, view!);
  const school = await schoolOf(ctx, actor);
  await ctx.audit.recordNow(auditAs(actor, ip)('passport.exported', { format, version: latest.version }, pupilId));
  return { model: passportModel(document, school), filename: passportFilename(document) };
}

// My class ---------------------------------------------------------------------------------------------

export interface MyClassPupil {
  id: string;
  pupil: PassportPupil & { id: string };
  name: string;
  groups: string[];
  passport: PassportView | undefined;
  planStrategies: string[];
}

/**
 * The pupils with SEN support or an EHC plan, on roll, in the groups the member of staff teaches or
 * supports (all of them, or the one chosen), each with their latest passport, or the plan's strategies
 * while they have none. An unknown group is treated as none chosen.
 */
async function myClass(ctx: AppContext, actor: Actor, groupId: string) {
  const scope = scopeOf(actor);
  const groups = await repository.groupsStaffedBy(ctx.db, scope, actor.userId);
  const chosen = groups.find((group) => group.id === groupId);
  // Every group each pupil shares with this member of staff is listed, even when one group is chosen.
  const members = await repository.senPupilsInGroups(ctx.db, scope, groups.map((group) => group.id));
  const shown = chosen ? new Set(members.filter((member) => member.group_id === chosen.id).map((member) => member.id)) : undefined;
  const groupName = new Map(groups.map((group) => [group.id, group.name]));
  const byPupil = new Map<string, MyClassPupil>();
  for (const member of members) {
    if (shown && !shown.has(member.id)) continue;
    const entry = byPupil.get(member.id);
    if (entry) {
      entry.groups.push(groupName.get(member.group_id) ?? '');
      continue;
    }
    const { group_id: group, ...pupil } = member;
    byPupil.set(member.id, { id: member.id, pupil, name: fullName(pupil), groups: [groupName.get(group) ?? ''], passport: undefined, planStrategies: [] });
  }
  const pupils = [...byPupil.values()];
  const ids = pupils.map((entry) => entry.id);
  const [rows, strategies] = await Promise.all([repository.latestVersionsOf(ctx.db, scope, ids), repository.openPlanStrategies(ctx.db, scope, ids)]);
  const views = new Map((await viewsOf(ctx, scope, rows)).map((view, index) => [rows[index]!.pupil_id, view]));
  for (const row of strategies) byPupil.get(row.pupil_id)?.planStrategies.push(row.strategy);
  for (const entry of pupils) {
    entry.passport = views.get(entry.id);
    entry.groups.sort(COLLATOR.compare);
  }
  pupils.sort((a, b) => COLLATOR.compare(a.pupil.legal_surname, b.pupil.legal_surname) || COLLATOR.compare(a.name, b.name) || a.id.localeCompare(b.id));
  return { groups, chosen, pupils };
}

export async function getMyClass(ctx: AppContext, actor: Actor, groupId: string, ip: string) {
  const result = await myClass(ctx, actor, groupId);
  ctx.audit.recordRead(auditAs(actor, ip)('my-class.viewed', { group: result.chosen?.id ?? null, shown: result.pupils.length, pupils: result.pupils.map((entry) => entry.id), passports: result.pupils.filter((entry) => entry.passport).length }));
  return { ...result, today: schoolToday() };
}

/** Every passport on the page (the same group filter) as ONE Word document or PDF, a page for each pupil. */
export async function exportMyClass(ctx: AppContext, actor: Actor, groupId: string, format: DocumentFormat, ip: string | null): Promise<{ model: DocumentModel; filename: string }> {
  const { chosen, pupils } = await myClass(ctx, actor, groupId);
  const school = await schoolOf(ctx, actor);
  const withPassport = pupils.filter((entry) => entry.passport);
  const title = chosen ? `Pupil passports: ${chosen.name}` : 'Pupil passports: my class';
  const model = classPassportsModel(
    {
      title,
      subtitle: `${actor.displayName} · ${withPassport.length === 1 ? '1 passport' : `${withPassport.length} passports`} · ${new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${schoolToday()}T00:00:00Z`))}`,
      passports: withPassport.map((entry) => forDocument(entry.pupil, entry.passport!)),
      without: pupils.filter((entry) => !entry.passport).map((entry) => ({ pupil: entry.pupil, planStrategies: entry.planStrategies })),
    },
    school,
  );
  await ctx.audit.recordNow(auditAs(actor, ip)('my-class.passports-exported', { format, group: chosen?.id ?? null, pupils: pupils.map((entry) => entry.id), passports: withPassport.length }));
  return { model, filename: title.replace(/:/g, ' –') };
}

// The chronology ----------------------------------------------------------------------------------------

/** Passport versions as chronology events: written, updated, restored. */
export async function passportEvents(ctx: AppContext, actor: Actor, pupilId: string): Promise<ChronologyEvent[]> {
  const scope = scopeOf(actor);
  const rows = await repository.listVersions(ctx.db, scope, pupilId);
  const names = await auth.staffDisplayNames(ctx, actor.schoolId, rows.map((row) => row.created_by));
  const mayOpen = can(actor, 'passport.view', { kind: 'pupil', schoolId: actor.schoolId, pupilId });
  return rows.map((row) => ({
    date: schoolToday(new Date(row.created_at)),
    recordedAt: row.created_at,
    category: 'passport',
    title: row.restored_from ? `Passport restored from version ${row.restored_from}` : row.version === 1 ? 'Passport written' : 'Passport updated',
    detail: [`Version ${row.version}`],
    by: row.created_by ? (names.get(row.created_by) ?? null) : null,
    ...(mayOpen ? { href: `/pupils/${pupilId}/passport/versions/${row.id}` } : {}),
  }));
}

// A parent's "My child" --------------------------------------------------------------------------------

/** For each of a parent's children with a passport: when it was last written. */
export async function childSummaries(ctx: AppContext, actor: Actor, pupilIds: string[]): Promise<Map<string, ChildSummaryRow[]>> {
  const latest = await repository.latestVersionsOf(ctx.db, scopeOf(actor), pupilIds);
  return new Map(latest.map((passport) => [passport.pupil_id, [{ key: 'Passport', value: `What helps your child, and what does not; updated ${formatDate(passport.created_at.slice(0, 10))}`, href: `/pupils/${passport.pupil_id}/passport`, linkText: 'Read the passport' }]]));
}
