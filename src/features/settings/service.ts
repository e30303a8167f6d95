// School settings: what a SENCO needs to run a real school in SENCO Desk (the school's details, the
// people with a role in it, teaching and registration groups with their staff and pupils, and
// parents' accounts linked to their children), for the web pages and the `senco` command line alike.
// Accounts are the auth service's, contacts and pupils the register's: this service calls theirs.
// Every write commits in one transaction with its audit events.
import { createHash } from 'node:crypto';
import type { DbOrTransaction } from '../../db/database.ts';
import * as auth from '../../platform/auth/service.ts';
import type { AppContext } from '../../platform/context.ts';
import { NotFoundError, ValidationError, type FieldError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { ROLE_LABELS, isRole, type Actor, type Role } from '../../platform/permissions.ts';
import { schoolScope, type SchoolScope } from '../../platform/scope.ts';
import * as register from '../register/service.ts';
import { ImportFileError, checkFileBasics, decodeText, detectKind } from '../imports/file-check.ts';
import { readCsv } from '../imports/spreadsheet.ts';
import { CLASS_LIST_HEADINGS, matchColumns, planClassLists, type ClassListCounts, type ClassListLookups, type ClassListPlan, type ColumnPositions, type CurrentGroup } from './class-lists.ts';
import * as repository from './repository.ts';
import {
  checkGroupDetails,
  checkSchoolDetails,
  isGroupKind,
  personFormProblems,
  type GroupDetailsInput,
  type PersonForm,
  type SchoolDetails,
  type SchoolDetailsInput,
} from './validation.ts';

export { ImportFileError } from '../imports/file-check.ts';

/** Who makes a change in School settings: a SENCO on the web, or the command line (no user). */
export interface SettingsActor {
  schoolId: string;
  userId: string | null;
  label: string;
  ip: string | null;
}

export function settingsActor(actor: Actor, ip: string | null): SettingsActor {
  return { schoolId: actor.schoolId, userId: actor.userId, label: actor.displayName, ip };
}

export const PAGE_SIZE = 50;

function pageOf(requested: number, total: number, size = PAGE_SIZE) {
  const pageCount = Math.max(1, Math.ceil(total / size));
  const page = Math.min(Math.max(1, requested), pageCount);
  return { page, pageCount, offset: (page - 1) * size };
}

const STAFF_ROLES: Role[] = ['teacher', 'teaching_assistant'];

// The school ---------------------------------------------------------------------------------------

export async function getSchool(ctx: AppContext, by: SettingsActor) {
  const school = await repository.findSchool(ctx.db, schoolScope(by.schoolId));
  if (!school) throw new NotFoundError('No such school');
  return school;
}

async function refuseDuplicateUrn(trx: DbOrTransaction, urn: string, exceptSchoolId?: string): Promise<void> {
  const others = (await repository.findSchoolsByUrn(trx, urn)).filter((school) => school.id !== exceptSchoolId);
  if (others.length) {
    throw new ValidationError([{ field: 'urn', message: `Another school in this SENCO Desk already has the URN ${urn}: check the number` }]);
  }
}

/** Creates a school (the command line: `senco school add`). A URN belongs to one school only. */
export async function createSchool(ctx: AppContext, by: { label: string }, input: SchoolDetailsInput): Promise<{ id: string; details: SchoolDetails }> {
  const { details, problems } = checkSchoolDetails(input);
  if (!details) throw new ValidationError(problems);
  const id = newId();
  const now = new Date().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    await refuseDuplicateUrn(trx, details.urn);
    await repository.insertSchool(trx, { id, name: details.name, urn: details.urn, laestab: details.laestab, la_name: details.laName, phase: details.phase, created_at: now });
    await ctx.audit.record(trx, { schoolId: id, action: 'school.created', actorLabel: by.label, detail: { ...details }, at: now });
  });
  return { id, details };
}

export async function listSchools(ctx: AppContext) {
  return repository.listSchools(ctx.db);
}

/** Saves the school's details; the audit event lists what changed, before and after. */
export async function updateSchoolDetails(ctx: AppContext, by: SettingsActor, input: SchoolDetailsInput): Promise<string[]> {
  const { details, problems } = checkSchoolDetails(input);
  if (!details) throw new ValidationError(problems);
  const scope = schoolScope(by.schoolId);
  return ctx.db.transaction().execute(async (trx) => {
    const school = await repository.findSchool(trx, scope);
    if (!school) throw new NotFoundError('No such school');
    await refuseDuplicateUrn(trx, details.urn, school.id);
    const next = { name: details.name, urn: details.urn, laestab: details.laestab, la_name: details.laName, phase: details.phase };
    const changes: Record<string, [unknown, unknown]> = {};
    for (const [key, value] of Object.entries(next) as Array<[keyof typeof next, string | null]>) {
      if ((school[key] ?? null) !== value) changes[key] = [school[key] ?? null, value];
    }
    if (Object.keys(changes).length === 0) return [];
    await repository.updateSchool(trx, scope, next);
    await ctx.audit.record(trx, { schoolId: by.schoolId, action: 'school.updated', actorUserId: by.userId, actorLabel: by.label, detail: { changes }, ip: by.ip });
    return Object.keys(changes);
  });
}

// People ----------------------------------------------------------------------------------------

export async function listPeople(ctx: AppContext, by: SettingsActor, query: { q: string; role: string; page: number }) {
  const roles = isRole(query.role) ? [query.role] : undefined;
  const options = { q: query.q, ...(roles ? { roles } : {}) };
  let result = await auth.listSchoolPeople(ctx, by.schoolId, { ...options, limit: PAGE_SIZE, offset: (Math.max(1, query.page) - 1) * PAGE_SIZE });
  let paging = pageOf(query.page, result.total);
  if (result.people.length === 0 && result.total > 0) {
    result = await auth.listSchoolPeople(ctx, by.schoolId, { ...options, limit: PAGE_SIZE, offset: paging.offset });
    paging = pageOf(paging.page, result.total);
  }
  return { people: result.people, total: result.total, page: paging.page, pageCount: paging.pageCount };
}

export async function getPerson(ctx: AppContext, by: SettingsActor, userId: string): Promise<auth.SchoolPerson> {
  const person = await auth.findSchoolPerson(ctx, by.schoolId, userId);
  if (!person) throw new NotFoundError('Nobody with that reference has a role at this school');
  return person;
}

export interface AddedPerson {
  userId: string;
  created: boolean;
  email: string;
  displayName: string;
  role: Role;
  /** The generated password of a new account: shown once, never stored. */
  password?: string;
}

/**
 * Adds a person to the school: a new account with a generated (or chosen) password, or an existing
 * account given a role here. An existing account keeps its name and password, which other schools
 * may rely on.
 */
export async function addPerson(ctx: AppContext, by: SettingsActor, form: PersonForm): Promise<AddedPerson> {
  const problems: FieldError[] = personFormProblems(form);
  const email = auth.normaliseEmail(form.email);
  const existing = email ? await auth.findAccountByEmail(ctx, email) : undefined;
  const chosenPassword = !existing && form.passwordChoice === 'set' && form.password ? form.password : null;
  problems.push(...auth.accountProblems({ email, displayName: existing ? existing.displayName : form.displayName, password: chosenPassword }));
  if (existing) {
    const here = await auth.findSchoolPerson(ctx, by.schoolId, existing.id);
    if (here) problems.push({ field: 'email', message: `${email} already has a role at this school (${roleLabel(here.role)}): change their role instead` });
  }
  const role = isRole(form.role) ? form.role : undefined;
  if (problems.length || !role) throw new ValidationError(problems);
  const generated = !existing && form.passwordChoice === 'generate' ? auth.generatePassword() : undefined;
  const password = generated ?? chosenPassword;
  const passwordHash = password ? await auth.hashNewPassword(password) : null;
  const displayName = existing?.displayName ?? form.displayName.replace(/\s+/g, ' ').trim();
  const granted = await ctx.db.transaction().execute((trx) => auth.grantSchoolRole(ctx, trx, by, { schoolId: by.schoolId, email, displayName, role, passwordHash }));
  return { ...granted, email, displayName, role, ...(generated && granted.created ? { password: generated } : {}) };
}

function roleLabel(role: string): string {
  return isRole(role) ? ROLE_LABELS[role] : role;
}

function lastSencoMessage(by: SettingsActor, userId: string, change: 'change' | 'remove'): string {
  return by.userId === userId
    ? `You are the only SENCO at this school: give someone else the SENCO role before you ${change === 'change' ? 'change your own role' : 'remove yourself'}`
    : `This person is the only SENCO at this school: give someone else the SENCO role before you ${change === 'change' ? 'change their role' : 'remove them'}`;
}

async function isLastSenco(ctx: AppContext, by: SettingsActor, person: auth.SchoolPerson): Promise<boolean> {
  if (person.role !== 'senco') return false;
  const counts = await auth.countSchoolRoles(ctx, by.schoolId);
  return (counts.find((entry) => entry.role === 'senco')?.count ?? 0) <= 1;
}

/** Checks a role change before the confirmation page asks for it. */
export async function checkRoleChange(ctx: AppContext, by: SettingsActor, userId: string, roleText: string): Promise<{ person: auth.SchoolPerson; role: Role }> {
  const person = await getPerson(ctx, by, userId);
  if (!isRole(roleText)) throw new ValidationError([{ field: 'role', message: 'Choose the person’s new role' }]);
  if (roleText === person.role) throw new ValidationError([{ field: 'role', message: `${person.displayName} is already ${roleLabel(person.role)} here: choose a different role` }]);
  if (await isLastSenco(ctx, by, person)) throw new ValidationError([{ field: 'role', message: lastSencoMessage(by, userId, 'change') }]);
  return { person, role: roleText };
}

export async function changeRole(ctx: AppContext, by: SettingsActor, userId: string, roleText: string) {
  const { role } = await checkRoleChange(ctx, by, userId, roleText);
  const changed = await ctx.db.transaction().execute((trx) => auth.changeSchoolRole(ctx, trx, by, { schoolId: by.schoolId, userId, role }));
  if (!changed) throw new NotFoundError('Nobody with that reference has a role at this school');
  return changed;
}

/** What removing a person would undo, for the confirmation page. */
export async function removalImpact(ctx: AppContext, by: SettingsActor, userId: string) {
  const person = await getPerson(ctx, by, userId);
  const [groups, children, lastSenco] = await Promise.all([
    repository.countGroupsOfStaff(ctx.db, schoolScope(by.schoolId), userId),
    register.listParentalContacts(ctx, by, { userId, limit: 1 }),
    isLastSenco(ctx, by, person),
  ]);
  return { person, groups, children: children.total, lastSenco, yourself: by.userId === userId };
}

/**
 * Removes a person's role at the school, with what went with it here: they stop being staff of
 * groups, and their account is unlinked from children's contacts. The account itself remains.
 */
export async function removePerson(ctx: AppContext, by: SettingsActor, userId: string) {
  const person = await getPerson(ctx, by, userId);
  if (await isLastSenco(ctx, by, person)) throw new ValidationError([{ field: 'role', message: lastSencoMessage(by, userId, 'remove') }]);
  const linked = await register.listParentalContacts(ctx, by, { userId, limit: 1000 });
  const scope = schoolScope(by.schoolId);
  return ctx.db.transaction().execute(async (trx) => {
    const removed = await auth.removeSchoolRole(ctx, trx, by, { schoolId: by.schoolId, userId });
    if (!removed) throw new NotFoundError('Nobody with that reference has a role at this school');
    const groupsLeft = await repository.deleteStaffEverywhere(trx, scope, userId);
    if (groupsLeft) await register.registerChanged(trx, scope);
    let childrenUnlinked = 0;
    for (const contact of linked.contacts) {
      if ((await register.unlinkContact(ctx, trx, by, contact.id)).changed) childrenUnlinked += 1;
    }
    return { ...removed, groupsLeft, childrenUnlinked };
  });
}

/** Teachers and teaching assistants: the people who can be a group's staff. */
export async function listStaffChoices(ctx: AppContext, by: SettingsActor) {
  return (await auth.listSchoolPeople(ctx, by.schoolId, { roles: STAFF_ROLES, limit: 5000, offset: 0 })).people;
}

export async function countPeopleByRole(ctx: AppContext, by: SettingsActor) {
  return auth.countSchoolRoles(ctx, by.schoolId);
}

// Groups -----------------------------------------------------------------------------------------

export async function listGroups(ctx: AppContext, by: SettingsActor, query: { q: string; kind: string; page: number }) {
  const scope = schoolScope(by.schoolId);
  const filters: repository.GroupFilters = {
    terms: query.q.toLowerCase().split(/\s+/).filter(Boolean).slice(0, 10),
    ...(isGroupKind(query.kind) ? { kind: query.kind } : {}),
  };
  const total = await repository.countGroups(ctx.db, scope, filters);
  const paging = pageOf(query.page, total);
  const rows = await repository.listGroupsPage(ctx.db, scope, filters, { limit: PAGE_SIZE, offset: paging.offset });
  const staffRows = await repository.listStaff(ctx.db, scope, rows.map((row) => row.id));
  const people = new Map((await auth.listSchoolPeopleByIds(ctx, by.schoolId, staffRows.map((row) => row.user_id))).map((person) => [person.userId, person]));
  return {
    total,
    ...paging,
    groups: rows.map((row) => ({
      id: row.id,
      name: row.name,
      kind: row.kind,
      subject: row.subject,
      yearGroup: row.year_group === null ? null : Number(row.year_group),
      pupilCount: Number(row.pupilCount ?? 0),
      staff: staffRows
        .filter((entry) => entry.group_id === row.id)
        .map((entry) => people.get(entry.user_id)?.displayName)
        .filter((name): name is string => Boolean(name))
        .sort((a, b) => a.localeCompare(b, 'en-GB')),
    })),
  };
}

export async function countGroupsByKind(ctx: AppContext, by: SettingsActor) {
  return repository.countGroupsByKind(ctx.db, schoolScope(by.schoolId));
}

async function groupOrThrow(db: DbOrTransaction, scope: SchoolScope, groupId: string) {
  const group = await repository.findGroup(db, scope, groupId);
  if (!group) throw new NotFoundError('No group with that reference in this school');
  return group;
}

export async function findGroup(ctx: AppContext, by: SettingsActor, groupId: string) {
  const group = await groupOrThrow(ctx.db, schoolScope(by.schoolId), groupId);
  return { id: group.id, name: group.name, kind: group.kind, subject: group.subject, yearGroup: group.year_group === null ? null : Number(group.year_group) };
}

/** A group with its staff and its pupils by name. Audited as a read: it lists pupils. */
export async function getGroup(ctx: AppContext, by: SettingsActor, groupId: string) {
  const scope = schoolScope(by.schoolId);
  const group = await findGroup(ctx, by, groupId);
  const [members, staffRows] = await Promise.all([repository.listMembers(ctx.db, scope, [groupId]), repository.listStaff(ctx.db, scope, [groupId])]);
  const [names, staff] = await Promise.all([
    register.pupilNames(ctx, scope, members.map((row) => row.pupil_id)),
    auth.listSchoolPeopleByIds(ctx, by.schoolId, staffRows.map((row) => row.user_id)),
  ]);
  const pupils = members
    .map((row) => ({ id: row.pupil_id, name: names.get(row.pupil_id)?.name ?? 'Unknown pupil', upn: names.get(row.pupil_id)?.upn ?? null }))
    .sort((a, b) => a.name.localeCompare(b.name, 'en-GB'));
  ctx.audit.recordRead({ schoolId: by.schoolId, action: 'group.viewed', actorUserId: by.userId, actorLabel: by.label, detail: { groupId, pupils: pupils.length }, ip: by.ip });
  return { group, pupils, staff: staff.sort((a, b) => a.displayName.localeCompare(b.displayName, 'en-GB')) };
}

async function refuseDuplicateGroupName(trx: DbOrTransaction, scope: SchoolScope, name: string, exceptGroupId?: string) {
  const same = await repository.findGroupByName(trx, scope, name);
  if (same && same.id !== exceptGroupId) throw new ValidationError([{ field: 'name', message: `There is already a group called ${same.name}: choose another name` }]);
}

export async function createGroup(ctx: AppContext, by: SettingsActor, input: GroupDetailsInput): Promise<string> {
  const { details, problems } = checkGroupDetails(input);
  if (!details) throw new ValidationError(problems);
  const scope = schoolScope(by.schoolId);
  const id = newId();
  await ctx.db.transaction().execute(async (trx) => {
    await refuseDuplicateGroupName(trx, scope, details.name);
    await repository.insertGroups(trx, scope, [{ id, name: details.name, kind: details.kind, subject: details.subject, year_group: details.yearGroup }]);
    await register.registerChanged(trx, scope);
    await ctx.audit.record(trx, { schoolId: by.schoolId, action: 'group.created', actorUserId: by.userId, actorLabel: by.label, detail: { groupId: id, ...details }, ip: by.ip });
  });
  return id;
}

export async function updateGroup(ctx: AppContext, by: SettingsActor, groupId: string, input: GroupDetailsInput): Promise<void> {
  const scope = schoolScope(by.schoolId);
  await groupOrThrow(ctx.db, scope, groupId);
  const { details, problems } = checkGroupDetails(input);
  if (!details) throw new ValidationError(problems);
  await ctx.db.transaction().execute(async (trx) => {
    const group = await groupOrThrow(trx, scope, groupId);
    await refuseDuplicateGroupName(trx, scope, details.name, groupId);
    const before = { name: group.name, kind: group.kind, subject: group.subject, yearGroup: group.year_group === null ? null : Number(group.year_group) };
    if (JSON.stringify(before) === JSON.stringify(details)) return;
    await repository.updateGroup(trx, scope, groupId, { name: details.name, kind: details.kind, subject: details.subject, year_group: details.yearGroup });
    await register.registerChanged(trx, scope);
    await ctx.audit.record(trx, { schoolId: by.schoolId, action: 'group.updated', actorUserId: by.userId, actorLabel: by.label, detail: { groupId, before, after: details }, ip: by.ip });
  });
}

/** Deletes a group: its memberships and staff links go, the pupils and staff stay. */
export async function deleteGroup(ctx: AppContext, by: SettingsActor, groupId: string): Promise<{ name: string; pupils: number }> {
  const scope = schoolScope(by.schoolId);
  return ctx.db.transaction().execute(async (trx) => {
    const group = await groupOrThrow(trx, scope, groupId);
    const members = await repository.listMembers(trx, scope, [groupId]);
    await repository.deleteGroup(trx, scope, groupId);
    await register.registerChanged(trx, scope);
    const at = new Date().toISOString();
    await ctx.audit.record(
      trx,
      { schoolId: by.schoolId, action: 'group.deleted', actorUserId: by.userId, actorLabel: by.label, detail: { groupId, name: group.name, pupils: members.length }, ip: by.ip, at },
      ...members.map((member) => ({
        schoolId: by.schoolId, action: 'group.pupil-removed', pupilId: member.pupil_id, actorUserId: by.userId, actorLabel: by.label,
        detail: { groupId, group: group.name, reason: 'group deleted' }, ip: by.ip, at,
      })),
    );
    return { name: group.name, pupils: members.length };
  });
}

/** Sets who teaches or supports a group: teachers and teaching assistants of the school only. */
export async function setGroupStaff(ctx: AppContext, by: SettingsActor, groupId: string, userIds: string[]): Promise<{ added: number; removed: number }> {
  const scope = schoolScope(by.schoolId);
  await groupOrThrow(ctx.db, scope, groupId);
  const wanted = [...new Set(userIds.filter(Boolean))];
  const people = await auth.listSchoolPeopleByIds(ctx, by.schoolId, wanted);
  const allowed = new Set(people.filter((person) => (STAFF_ROLES as string[]).includes(person.role)).map((person) => person.userId));
  if (wanted.some((id) => !allowed.has(id))) {
    throw new ValidationError([{ field: 'staff', message: 'Choose staff from the list: only teachers and teaching assistants of this school can be a group’s staff' }]);
  }
  return ctx.db.transaction().execute(async (trx) => {
    const group = await groupOrThrow(trx, scope, groupId);
    const current = new Set((await repository.listStaff(trx, scope, [groupId])).map((row) => row.user_id));
    const added = wanted.filter((id) => !current.has(id));
    const removed = [...current].filter((id) => !wanted.includes(id));
    if (added.length === 0 && removed.length === 0) return { added: 0, removed: 0 };
    await repository.deleteStaff(trx, scope, groupId, removed);
    await repository.insertStaff(trx, scope, added.map((userId) => ({ groupId, userId })));
    await register.registerChanged(trx, scope);
    await ctx.audit.record(trx, { schoolId: by.schoolId, action: 'group.staff-changed', actorUserId: by.userId, actorLabel: by.label, detail: { groupId, group: group.name, added, removed }, ip: by.ip });
    return { added: added.length, removed: removed.length };
  });
}

/** Pupils on roll matching a name or UPN, marked when they are already in the group. */
export async function searchPupilsForGroup(ctx: AppContext, actor: Actor, groupId: string, q: string) {
  const scope = schoolScope(actor.schoolId);
  await groupOrThrow(ctx.db, scope, groupId);
  if (!q.trim()) return [];
  const [found, members] = await Promise.all([register.searchPupilsForPicker(ctx, actor, q, 50), repository.listMembers(ctx.db, scope, [groupId])]);
  const inGroup = new Set(members.map((row) => row.pupil_id));
  return found.map((pupil) => ({ ...pupil, inGroup: inGroup.has(pupil.id) }));
}

export async function addPupilsToGroup(ctx: AppContext, by: SettingsActor, groupId: string, pupilIds: string[]): Promise<number> {
  const scope = schoolScope(by.schoolId);
  await groupOrThrow(ctx.db, scope, groupId);
  const wanted = [...new Set(pupilIds.filter(Boolean))];
  if (wanted.length === 0) throw new ValidationError([{ field: 'pupilId', message: 'Select at least one pupil to add to the group' }]);
  const names = await register.pupilNames(ctx, scope, wanted);
  if (wanted.some((id) => !names.has(id))) throw new ValidationError([{ field: 'pupilId', message: 'Choose pupils from the search results' }]);
  return ctx.db.transaction().execute(async (trx) => {
    const group = await groupOrThrow(trx, scope, groupId);
    const current = new Set((await repository.listMembers(trx, scope, [groupId])).map((row) => row.pupil_id));
    const added = wanted.filter((id) => !current.has(id));
    if (added.length === 0) return 0;
    await repository.insertMembers(trx, scope, added.map((pupilId) => ({ groupId, pupilId })));
    await register.registerChanged(trx, scope);
    const at = new Date().toISOString();
    await ctx.audit.record(
      trx,
      ...added.map((pupilId) => ({
        schoolId: by.schoolId, action: 'group.pupil-added', pupilId, actorUserId: by.userId, actorLabel: by.label, detail: { groupId, group: group.name }, ip: by.ip, at,
      })),
    );
    return added.length;
  });
}

export async function removePupilFromGroup(ctx: AppContext, by: SettingsActor, groupId: string, pupilId: string): Promise<string> {
  const scope = schoolScope(by.schoolId);
  return ctx.db.transaction().execute(async (trx) => {
    const group = await groupOrThrow(trx, scope, groupId);
    const members = await repository.listMembers(trx, scope, [groupId]);
    if (!members.some((row) => row.pupil_id === pupilId)) throw new NotFoundError('That pupil is not in this group');
    await repository.deleteMembers(trx, scope, groupId, [pupilId]);
    await register.registerChanged(trx, scope);
    await ctx.audit.record(trx, { schoolId: by.schoolId, action: 'group.pupil-removed', pupilId, actorUserId: by.userId, actorLabel: by.label, detail: { groupId, group: group.name }, ip: by.ip });
    return group.name;
  });
}

// Class lists from CSV ---------------------------------------------------------------------------

/** A class-list import that cannot take the step asked for (already confirmed or discarded). */
export class ClassListStateError extends Error {}

/** How long an uploaded class list waits to be confirmed before its contents are deleted. */
export const UNCONFIRMED_CLASS_LIST_DAYS = 14;
export const CLASS_LIST_PREVIEW_LIMIT = 200;

export interface ClassListResult {
  groupsCreated: number;
  groupsUpdated: number;
  pupilsAdded: number;
  pupilsRemoved: number;
  staffAdded: number;
  staffRemoved: number;
  skipped: number;
  committedAt: string;
}

export interface ClassListSummary {
  filename: string;
  bytes: number;
  actorLabel: string;
  warnings: string[];
  counts: ClassListCounts;
  previewedAt: string;
  result?: ClassListResult;
  discardedAt?: string;
}

function parseSummary(text: string | null): ClassListSummary {
  try {
    return JSON.parse(text ?? '') as ClassListSummary;
  } catch {
    return {
      filename: '', bytes: 0, actorLabel: '', warnings: [], previewedAt: '',
      counts: { rows: 0, groups: 0, newGroups: 0, changedGroups: 0, unchangedGroups: 0, pupilsAdded: 0, pupilsRemoved: 0, staffAdded: 0, staffRemoved: 0, rejected: 0 },
    };
  }
}

function safeFilename(filename: string): string {
  const base = filename.split(/[\\/]/).pop() ?? '';
  return base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 200) || 'class-lists.csv';
}

/** Reads the file's text as a table and finds the columns by their headings. */
function readClassList(text: string): { table: ReturnType<typeof readCsv>; columns: ColumnPositions; warnings: string[] } {
  const table = readCsv(text);
  const matched = matchColumns(table.headers);
  if (matched.problems.length) {
    throw new ImportFileError(`${matched.problems.join('. ')}. The first row must be the column headings: ${CLASS_LIST_HEADINGS.join(', ')}`);
  }
  const warnings = matched.ignored.length
    ? [`${matched.ignored.length === 1 ? 'The column' : 'The columns'} ${matched.ignored.map((heading) => `“${heading}”`).join(', ')} ${matched.ignored.length === 1 ? 'is' : 'are'} not used`]
    : [];
  for (const [key, label] of [['subject', 'Subject'], ['yearGroup', 'Year'], ['staff', 'Staff emails']] as const) {
    if (matched.columns[key] === undefined) warnings.push(`The file has no ${label} column, so ${key === 'staff' ? 'groups’ staff are' : `groups’ ${label.toLowerCase()}s are`} left as they are`);
  }
  return { table, columns: matched.columns, warnings };
}

/** Everyone with a role here, by email: teachers and teaching assistants can be a group's staff. Read before any transaction. */
async function peopleLookups(ctx: AppContext, schoolId: string): Promise<Pick<ClassListLookups, 'staffByEmail' | 'otherRolesByEmail'>> {
  const { people } = await auth.listSchoolPeople(ctx, schoolId, { limit: 1_000_000, offset: 0 });
  const staffByEmail = new Map<string, { userId: string }>();
  const otherRolesByEmail = new Map<string, string>();
  for (const person of people) {
    if ((STAFF_ROLES as string[]).includes(person.role)) staffByEmail.set(person.email.toLowerCase(), { userId: person.userId });
    else otherRolesByEmail.set(person.email.toLowerCase(), person.role);
  }
  return { staffByEmail, otherRolesByEmail };
}

/** The pupils the file names and the school's groups as they are now, read with the caller's handle (a transaction when applying). */
async function schoolLookups(db: DbOrTransaction, scope: SchoolScope, table: ReturnType<typeof readCsv>, columns: ColumnPositions) {
  const upnColumn = columns.upn!;
  const upns = [...new Set(table.rows.map((row) => (row.cells[upnColumn] ?? '').replace(/\s+/g, '').toUpperCase()).filter(Boolean))];
  const pupilsByUpn = await register.pupilsByUpn(db, scope, upns);
  const [groups, members, staff] = await Promise.all([repository.listAllGroups(db, scope), repository.listAllMembers(db, scope), repository.listAllStaff(db, scope)]);
  const byGroup = new Map<string, { pupils: Set<string>; staff: Set<string> }>(groups.map((group) => [group.id, { pupils: new Set(), staff: new Set() }]));
  for (const row of members) byGroup.get(row.group_id)?.pupils.add(row.pupil_id);
  for (const row of staff) byGroup.get(row.group_id)?.staff.add(row.user_id);
  const current: CurrentGroup[] = groups.map((group) => ({
    id: group.id,
    name: group.name,
    kind: group.kind,
    subject: group.subject,
    yearGroup: group.year_group === null ? null : Number(group.year_group),
    pupilIds: byGroup.get(group.id)!.pupils,
    staffIds: byGroup.get(group.id)!.staff,
  }));
  return { pupilsByUpn, groups: current };
}

/**
 * Checks an uploaded class-list CSV and stores it as a batch to confirm. A refused file throws
 * ImportFileError and leaves the database untouched.
 */
export async function previewClassLists(
  ctx: AppContext,
  by: SettingsActor,
  input: { filename: string; bytes: Uint8Array },
): Promise<{ batchId: string; plan: ClassListPlan; summary: ClassListSummary }> {
  const scope = schoolScope(by.schoolId);
  const filename = safeFilename(input.filename);
  checkFileBasics(input.bytes, ctx.config.importMaxBytes);
  if (detectKind(filename, input.bytes) !== 'csv') {
    throw new ImportFileError('Class lists are imported from a CSV file: in Excel choose Save As, then “CSV UTF-8 (Comma delimited)”, and import that');
  }
  const text = decodeText(input.bytes, 'csv');
  const { table, columns, warnings } = readClassList(text);
  const [people, school] = await Promise.all([peopleLookups(ctx, by.schoolId), schoolLookups(ctx.db, scope, table, columns)]);
  const plan = planClassLists(table, columns, { ...people, ...school });
  const batchId = newId();
  const now = new Date().toISOString();
  const summary: ClassListSummary = { filename, bytes: input.bytes.length, actorLabel: by.label, warnings, counts: plan.counts, previewedAt: now };
  await ctx.db.transaction().execute(async (trx) => {
    await repository.insertImportBatch(trx, scope, {
      id: batchId,
      filename,
      file_sha256: createHash('sha256').update(input.bytes).digest('hex'),
      status: 'previewed',
      summary: JSON.stringify(summary),
      content: text,
      created_by: by.userId ?? 'command-line',
      created_at: now,
      committed_at: null,
    });
    await ctx.audit.record(trx, { schoolId: by.schoolId, action: 'group-import.previewed', actorUserId: by.userId, actorLabel: by.label, detail: { batchId, filename, counts: plan.counts }, ip: by.ip, at: now });
  });
  return { batchId, plan, summary };
}

export interface NamedPlanGroup {
  name: string;
  outcome: 'new' | 'changed' | 'unchanged';
  kind: string;
  subject: string | null;
  yearGroup: number | null;
  detailChanges: string[];
  pupilsAdded: number;
  pupilsRemoved: string[];
  staffAdded: string[];
  staffRemoved: string[];
  removalsHeldBack: boolean;
}

export interface ClassListView {
  id: string;
  filename: string;
  status: repository.GroupImportStatus;
  createdAt: string;
  committedAt: string | null;
  summary: ClassListSummary;
  /** What confirming would do now: recomputed on every view while the batch waits. */
  plan?: { counts: ClassListCounts; toApply: number; rejected: ClassListPlan['rejected']; rejectedTotal: number; groups: NamedPlanGroup[]; groupsTotal: number };
}

/** The names a preview shows: pupils taken out of groups, and staff added or taken off. */
async function namePlan(ctx: AppContext, by: SettingsActor, plan: ClassListPlan, limit: number): Promise<NonNullable<ClassListView['plan']>> {
  const shown = plan.groups.filter((group) => group.outcome !== 'unchanged').slice(0, limit);
  const scope = schoolScope(by.schoolId);
  const [pupils, staff] = await Promise.all([
    register.pupilNames(ctx, scope, shown.flatMap((group) => group.removePupilIds)),
    auth.listSchoolPeopleByIds(ctx, by.schoolId, shown.flatMap((group) => [...group.addStaffIds, ...group.removeStaffIds])),
  ]);
  const staffNames = new Map(staff.map((person) => [person.userId, `${person.displayName} (${person.email})`]));
  return {
    counts: plan.counts,
    toApply: plan.toApply,
    rejected: plan.rejected.slice(0, limit),
    rejectedTotal: plan.rejected.length,
    groupsTotal: plan.groups.filter((group) => group.outcome !== 'unchanged').length,
    groups: shown.map((group) => ({
      name: group.name,
      outcome: group.outcome,
      kind: group.kind,
      subject: group.subject,
      yearGroup: group.yearGroup,
      detailChanges: group.detailChanges,
      pupilsAdded: group.addPupilIds.length,
      pupilsRemoved: group.removePupilIds.map((id) => pupils.get(id)?.name ?? 'a pupil'),
      staffAdded: group.addStaffIds.map((id) => staffNames.get(id) ?? 'a member of staff'),
      staffRemoved: group.removeStaffIds.map((id) => staffNames.get(id) ?? 'a member of staff'),
      removalsHeldBack: group.removalsHeldBack,
    })),
  };
}

async function planFromText(ctx: AppContext, by: SettingsActor, db: DbOrTransaction, text: string, people?: Awaited<ReturnType<typeof peopleLookups>>) {
  const { table, columns } = readClassList(text);
  const school = await schoolLookups(db, schoolScope(by.schoolId), table, columns);
  return planClassLists(table, columns, { ...(people ?? (await peopleLookups(ctx, by.schoolId))), ...school });
}

export async function getClassListImport(ctx: AppContext, by: SettingsActor, batchId: string, limit = CLASS_LIST_PREVIEW_LIMIT): Promise<ClassListView> {
  const batch = await repository.findImportBatch(ctx.db, schoolScope(by.schoolId), batchId);
  if (!batch) throw new NotFoundError('No class-list import with that reference in this school');
  const summary = parseSummary(batch.summary);
  const status = batch.status as repository.GroupImportStatus;
  ctx.audit.recordRead({ schoolId: by.schoolId, action: 'group-import.viewed', actorUserId: by.userId, actorLabel: by.label, detail: { batchId, status }, ip: by.ip });
  const view: ClassListView = { id: batch.id, filename: batch.filename, status, createdAt: batch.created_at, committedAt: batch.committed_at, summary };
  if (status === 'previewed' && batch.content !== null) view.plan = await namePlan(ctx, by, await planFromText(ctx, by, ctx.db, batch.content), limit);
  return view;
}

/**
 * Applies a previewed class list in one transaction: groups created and updated, pupils and staff
 * added and taken out, the batch's status, the register version and every audit event together.
 * The school is read again inside the transaction, so changes since the preview count.
 */
export async function confirmClassListImport(ctx: AppContext, by: SettingsActor, batchId: string): Promise<ClassListResult> {
  const scope = schoolScope(by.schoolId);
  const first = await repository.findImportBatch(ctx.db, scope, batchId);
  if (!first) throw new NotFoundError('No class-list import with that reference in this school');
  // People are read first: on SQLite a transaction holds the only connection.
  const people = await peopleLookups(ctx, by.schoolId);
  return ctx.db.transaction().execute(async (trx) => {
    const batch = await repository.findImportBatch(trx, scope, batchId, { lock: ctx.database.dialect });
    if (!batch) throw new NotFoundError('No class-list import with that reference in this school');
    if (batch.status === 'committed') throw new ClassListStateError('These class lists have already been imported: nothing more was changed');
    if (batch.status === 'discarded' || batch.content === null) throw new ClassListStateError('This import was discarded, so it cannot be confirmed: upload the file again');
    const plan = await planFromText(ctx, by, trx, batch.content, people);
    const committedAt = new Date().toISOString();
    const source = `group-import:${batchId}`;
    const events: Parameters<typeof ctx.audit.record>[1][] = [];
    const newGroups = plan.groups.filter((group) => group.outcome === 'new').map((group) => ({ ...group, id: newId() }));
    await repository.insertGroups(trx, scope, newGroups.map((group) => ({ id: group.id, name: group.name, kind: group.kind, subject: group.subject, year_group: group.yearGroup })));
    const members: Array<{ groupId: string; pupilId: string }> = [];
    const staff: Array<{ groupId: string; userId: string }> = [];
    let groupsUpdated = 0;
    for (const group of [...newGroups, ...plan.groups.filter((entry) => entry.outcome === 'changed').map((entry) => ({ ...entry, id: entry.existingId! }))]) {
      if (group.outcome === 'changed' && group.detailChanges.length) {
        await repository.updateGroup(trx, scope, group.id, { kind: group.kind, subject: group.subject, year_group: group.yearGroup });
      }
      if (group.outcome === 'changed') groupsUpdated += 1;
      for (const pupilId of group.addPupilIds) {
        members.push({ groupId: group.id, pupilId });
        events.push({ schoolId: by.schoolId, action: 'group.pupil-added', pupilId, actorUserId: by.userId, actorLabel: by.label, detail: { groupId: group.id, group: group.name, source }, ip: by.ip, at: committedAt });
      }
      if (group.removePupilIds.length) await repository.deleteMembers(trx, scope, group.id, group.removePupilIds);
      for (const pupilId of group.removePupilIds) {
        events.push({ schoolId: by.schoolId, action: 'group.pupil-removed', pupilId, actorUserId: by.userId, actorLabel: by.label, detail: { groupId: group.id, group: group.name, source }, ip: by.ip, at: committedAt });
      }
      for (const userId of group.addStaffIds) staff.push({ groupId: group.id, userId });
      await repository.deleteStaff(trx, scope, group.id, group.removeStaffIds);
    }
    await repository.insertMembers(trx, scope, members);
    await repository.insertStaff(trx, scope, staff);
    const result: ClassListResult = {
      groupsCreated: newGroups.length,
      groupsUpdated,
      pupilsAdded: plan.counts.pupilsAdded,
      pupilsRemoved: plan.counts.pupilsRemoved,
      staffAdded: plan.counts.staffAdded,
      staffRemoved: plan.counts.staffRemoved,
      skipped: plan.counts.rejected,
      committedAt,
    };
    if (plan.toApply > 0) await register.registerChanged(trx, scope);
    // The groups now hold what the file said: keep the counts, not the file.
    const moved = await repository.updateImportBatch(trx, scope, batchId, 'previewed', {
      status: 'committed',
      committed_at: committedAt,
      content: null,
      summary: JSON.stringify({ ...parseSummary(batch.summary), counts: plan.counts, result } satisfies ClassListSummary),
    });
    if (!moved) throw new ClassListStateError('These class lists have already been imported: nothing more was changed');
    await ctx.audit.record(
      trx,
      { schoolId: by.schoolId, action: 'group-import.committed', actorUserId: by.userId, actorLabel: by.label, detail: { batchId, filename: batch.filename, ...result }, ip: by.ip, at: committedAt },
      ...events,
    );
    return result;
  });
}

export async function discardClassListImport(ctx: AppContext, by: SettingsActor, batchId: string): Promise<void> {
  const scope = schoolScope(by.schoolId);
  await ctx.db.transaction().execute(async (trx) => {
    const batch = await repository.findImportBatch(trx, scope, batchId, { lock: ctx.database.dialect });
    if (!batch) throw new NotFoundError('No class-list import with that reference in this school');
    if (batch.status === 'committed') throw new ClassListStateError('These class lists have already been imported, so the import cannot be discarded');
    if (batch.status === 'discarded') throw new ClassListStateError('This import has already been discarded');
    const now = new Date().toISOString();
    await repository.updateImportBatch(trx, scope, batchId, 'previewed', { status: 'discarded', content: null, summary: JSON.stringify({ ...parseSummary(batch.summary), discardedAt: now }) });
    await ctx.audit.record(trx, { schoolId: by.schoolId, action: 'group-import.discarded', actorUserId: by.userId, actorLabel: by.label, detail: { batchId, filename: batch.filename }, ip: by.ip, at: now });
  });
}

export async function listClassListImports(ctx: AppContext, by: SettingsActor, limit = 10) {
  const scope = schoolScope(by.schoolId);
  const cutOff = new Date(Date.now() - UNCONFIRMED_CLASS_LIST_DAYS * 86_400_000).toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    const expired = await repository.expireStaleImportBatches(trx, scope, cutOff);
    if (expired > 0) {
      await ctx.audit.record(trx, { schoolId: by.schoolId, action: 'group-import.expired', actorLabel: 'SENCO Desk', detail: { batches: expired, olderThanDays: UNCONFIRMED_CLASS_LIST_DAYS } });
    }
  });
  const rows = await repository.listImportBatches(ctx.db, scope, limit);
  return rows.map((row) => ({ id: row.id, filename: row.filename, status: row.status as repository.GroupImportStatus, createdAt: row.created_at, committedAt: row.committed_at, summary: parseSummary(row.summary) }));
}

// Parents' accounts -------------------------------------------------------------------------------

export type ParentFilter = 'unlinked' | 'linked' | 'all';

export async function listParents(ctx: AppContext, by: SettingsActor, query: { q: string; show: ParentFilter; page: number }) {
  const linked = query.show === 'linked' ? true : query.show === 'unlinked' ? false : undefined;
  const options = { q: query.q, onRollOnly: true, ...(linked === undefined ? {} : { linked }) };
  let result = await register.listParentalContacts(ctx, by, { ...options, limit: PAGE_SIZE, offset: (Math.max(1, query.page) - 1) * PAGE_SIZE });
  let paging = pageOf(query.page, result.total);
  if (result.contacts.length === 0 && result.total > 0) {
    result = await register.listParentalContacts(ctx, by, { ...options, limit: PAGE_SIZE, offset: paging.offset });
    paging = pageOf(paging.page, result.total);
  }
  const accounts = new Map(
    (await auth.listSchoolPeopleByIds(ctx, by.schoolId, result.contacts.map((contact) => contact.userId).filter((id): id is string => Boolean(id)))).map((person) => [person.userId, person]),
  );
  return {
    total: result.total,
    ...paging,
    contacts: result.contacts.map((contact) => ({ ...contact, account: contact.userId ? accounts.get(contact.userId) : undefined })),
  };
}

export async function getParentalContact(ctx: AppContext, by: SettingsActor, contactId: string) {
  const { contacts } = await register.listParentalContacts(ctx, by, { contactId, limit: 1 });
  const contact = contacts[0];
  if (!contact) throw new NotFoundError('No contact with parental responsibility has that reference in this school');
  const account = contact.userId ? await auth.findSchoolPerson(ctx, by.schoolId, contact.userId) : undefined;
  return { ...contact, account };
}

export interface ParentLinkInput {
  email: string;
  displayName: string;
}

/** What linking would do, checked before the confirmation page and again when confirming. */
export async function checkParentLink(ctx: AppContext, by: SettingsActor, contactId: string, input: ParentLinkInput) {
  const contact = await getParentalContact(ctx, by, contactId);
  const email = auth.normaliseEmail(input.email);
  const account = email ? await auth.findAccountByEmail(ctx, email) : undefined;
  if (contact.userId && contact.userId !== account?.id) {
    throw new ValidationError([{ field: 'email', message: `${contact.name} is already linked to ${contact.account ? contact.account.email : 'another account'}: unlink it first` }]);
  }
  const problems = auth.accountProblems({ email, displayName: account ? account.displayName : input.displayName, password: null });
  if (problems.length) throw new ValidationError(problems);
  const here = account ? await auth.findSchoolPerson(ctx, by.schoolId, account.id) : undefined;
  if (here && here.role !== 'parent') {
    throw new ValidationError([
      { field: 'email', message: `${email} is ${roleLabel(here.role)} at this school, and an account has one role in a school: use another email address for their parent account` },
    ]);
  }
  return {
    contact,
    email,
    displayName: account?.displayName ?? input.displayName.replace(/\s+/g, ' ').trim(),
    account,
    willCreate: !account,
    willGrantRole: !here,
    alreadyLinked: Boolean(contact.userId),
  };
}

/**
 * Links a contact with parental responsibility to a parent's account, creating the account (with a
 * generated password, returned once) and giving it the parent role here when needed: one transaction.
 */
export async function linkParent(ctx: AppContext, by: SettingsActor, contactId: string, input: ParentLinkInput) {
  const check = await checkParentLink(ctx, by, contactId, input);
  if (check.alreadyLinked) {
    return { userId: check.account!.id, created: false, email: check.email, displayName: check.displayName, contact: check.contact, grantedRole: false, alreadyLinked: true };
  }
  const password = check.willCreate ? auth.generatePassword() : undefined;
  const passwordHash = password ? await auth.hashNewPassword(password) : null;
  const linked = await ctx.db.transaction().execute(async (trx) => {
    let userId = check.account?.id;
    let created = false;
    if (check.willGrantRole) {
      const granted = await auth.grantSchoolRole(ctx, trx, by, { schoolId: by.schoolId, email: check.email, displayName: check.displayName, role: 'parent', passwordHash });
      userId = granted.userId;
      created = granted.created;
    }
    await register.linkContactToUser(ctx, trx, by, contactId, userId!);
    return { userId: userId!, created };
  });
  return {
    ...linked,
    email: check.email,
    displayName: check.displayName,
    contact: check.contact,
    grantedRole: check.willGrantRole,
    alreadyLinked: false,
    ...(linked.created && password ? { password } : {}),
  };
}

export async function unlinkParent(ctx: AppContext, by: SettingsActor, contactId: string) {
  const contact = await getParentalContact(ctx, by, contactId);
  const result = await ctx.db.transaction().execute((trx) => register.unlinkContact(ctx, trx, by, contactId));
  return { contact, changed: result.changed };
}

/**
 * The command line's way in: the pupil by UPN, then the contact with parental responsibility named
 * (forename and surname, or surname) or else the first whose email is the one given.
 */
export async function linkParentByUpn(ctx: AppContext, by: SettingsActor, input: { upn: string; email: string; name?: string | undefined }) {
  const upn = input.upn.replace(/\s+/g, '').toUpperCase();
  const email = auth.normaliseEmail(input.email);
  const { contacts } = await register.listParentalContacts(ctx, by, { upn, limit: 100 });
  if (contacts.length === 0) throw new ValidationError([{ field: 'upn', message: `No pupil with the UPN ${upn} has a contact with parental responsibility in this school` }]);
  const wanted = input.name?.replace(/\s+/g, ' ').trim().toLowerCase();
  const fullName = (contact: register.ParentalContact) => [contact.forename, contact.surname].filter(Boolean).join(' ').toLowerCase();
  const contact = wanted
    ? contacts.find((entry) => fullName(entry) === wanted || entry.name.toLowerCase() === wanted) ?? contacts.find((entry) => entry.surname.toLowerCase() === wanted)
    : contacts.find((entry) => (entry.email ?? '').toLowerCase() === email);
  if (!contact) {
    const list = contacts.map((entry) => `${entry.name}${entry.email ? ` <${entry.email}>` : ''}${entry.userId ? ' (linked)' : ''}`).join('; ');
    throw new ValidationError([
      {
        field: 'email',
        message: wanted
          ? `${contacts[0]!.pupilName} has no contact with parental responsibility called “${input.name}”. Their contacts with parental responsibility: ${list}`
          : `No contact with parental responsibility for ${contacts[0]!.pupilName} has the email address ${email}: name the contact with --name. Their contacts with parental responsibility: ${list}`,
      },
    ]);
  }
  return linkParent(ctx, by, contact.id, { email, displayName: [contact.forename, contact.surname].filter(Boolean).join(' ') });
}
