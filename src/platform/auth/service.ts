import { createHash, randomBytes } from 'node:crypto';
import type { AppContext } from '../context.ts';
import { newId } from '../ids.ts';
import { ValidationError } from '../errors.ts';
import { SYSTEM_CHAIN } from '../audit/audit-log.ts';
import { isRole, relationshipFor, type Actor, type Role } from '../permissions.ts';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.ts';
import * as repository from './repository.ts';

export const THROTTLE_WINDOW_MINUTES = 15;
export const MAX_FAILURES_PER_ACCOUNT = 5;
export const MAX_FAILURES_PER_ADDRESS = 50;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

export type SignInResult =
  | { ok: true; sessionToken: string; schoolId: string | null; role: Role | undefined }
  | { ok: false; reason: 'invalid' | 'throttled' | 'no-school'; retryInMinutes?: number };

export async function signIn(
  ctx: AppContext,
  input: { email: string; password: string; ip: string; userAgent: string },
): Promise<SignInResult> {
  const email = input.email.trim().toLowerCase();
  const now = new Date();
  const since = new Date(now.getTime() - THROTTLE_WINDOW_MINUTES * 60_000).toISOString();
  // The attempt counts as a failure before the (slow) password check, so parallel guesses cannot all
  // get past the limit; a successful sign-in clears the account's failures.
  const attemptId = newId();
  await repository.recordLoginFailure(ctx.db, { id: attemptId, email, ip: input.ip, at: now.toISOString() });
  const [accountFailures, addressFailures] = await Promise.all([
    repository.countLoginFailures(ctx.db, since, { email }),
    repository.countLoginFailures(ctx.db, since, { ip: input.ip }),
  ]);
  if (accountFailures > MAX_FAILURES_PER_ACCOUNT || addressFailures > MAX_FAILURES_PER_ADDRESS) {
    const oldest = await repository.oldestLoginFailure(ctx.db, since, email);
    const unlockAt = oldest ? new Date(oldest).getTime() + THROTTLE_WINDOW_MINUTES * 60_000 : now.getTime() + 60_000;
    return { ok: false, reason: 'throttled', retryInMinutes: Math.max(1, Math.ceil((unlockAt - now.getTime()) / 60_000)) };
  }
  const user = await repository.findUserByEmail(ctx.db, email);
  const passwordMatches = await verifyPassword(input.password, user?.password_hash ?? null);
  if (!user || !passwordMatches || user.disabled_at) {
    await ctx.audit.recordNow({ schoolId: SYSTEM_CHAIN, action: 'auth.sign-in-failed', detail: { email }, ip: input.ip });
    return { ok: false, reason: 'invalid' };
  }
  const memberships = await repository.listMemberships(ctx.db, user.id);
  // Start in the school the person was first given a role in (their main school), not the first by name.
  const first = [...memberships].sort((a, b) => a.createdAt.localeCompare(b.createdAt))[0];
  await repository.clearLoginFailures(ctx.db, email);
  if (!first) return { ok: false, reason: 'no-school' };
  // Housekeeping rides on sign-in: expired sessions and failures past the throttling window go.
  await repository.deleteExpiredSessions(ctx.db, now.toISOString());
  await repository.deleteLoginFailuresBefore(ctx.db, since);
  const sessionToken = randomToken();
  await repository.insertSession(ctx.db, {
    id: hashToken(sessionToken),
    userId: user.id,
    schoolId: first.schoolId,
    csrfToken: randomToken(),
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + ctx.config.sessionHours * 3_600_000).toISOString(),
    ip: input.ip,
    userAgent: input.userAgent.slice(0, 300),
  });
  await ctx.audit.recordNow({
    schoolId: SYSTEM_CHAIN,
    action: 'auth.signed-in',
    actorUserId: user.id,
    actorLabel: user.display_name,
    ip: input.ip,
  });
  return { ok: true, sessionToken, schoolId: first.schoolId, role: isRole(first.role) ? first.role : undefined };
}

export interface SessionInfo {
  id: string;
  userId: string;
  csrfToken: string;
  displayName: string;
  email: string;
  schoolName: string | null;
  membershipCount: number;
  /** The current school's register version (ADR 7), read with the session to save a query. */
  registerVersion: number;
}

async function withRelationships(ctx: AppContext, actor: Actor): Promise<Actor> {
  const relationship = relationshipFor(actor.role);
  if (relationship === 'taught') {
    const taught = await repository.loadTaughtPupilIds(ctx.db, actor.schoolId, actor.userId);
    const sources = ctx.taughtPupilsSources ?? [];
    if (sources.length) {
      const extra = (await Promise.all(sources.map((source) => source(actor.schoolId, actor.userId)))).flat().filter((id) => !taught.has(id));
      for (const id of await repository.onRollPupilIds(ctx.db, actor.schoolId, extra)) taught.add(id);
    }
    return { ...actor, taughtPupilIds: taught };
  }
  if (relationship === 'own-child') return { ...actor, childPupilIds: await repository.loadChildPupilIds(ctx.db, actor.schoolId, actor.userId) };
  return actor;
}

/** The signed-in person for a session cookie, or undefined when it is unknown, expired or disabled. */
export async function resumeSession(ctx: AppContext, sessionToken: string): Promise<{ session: SessionInfo; actor?: Actor } | undefined> {
  const row = await repository.findSession(ctx.db, hashToken(sessionToken));
  if (!row || row.disabledAt || row.expiresAt < new Date().toISOString()) return undefined;
  const session: SessionInfo = {
    id: row.id,
    userId: row.userId,
    csrfToken: row.csrfToken,
    displayName: row.displayName,
    email: row.email,
    schoolName: row.schoolName,
    membershipCount: Number(row.membershipCount ?? 0),
    registerVersion: Number(row.registerVersion ?? 0),
  };
  if (!row.schoolId || !row.role || !isRole(row.role)) return { session };
  const actor = await withRelationships(ctx, {
    userId: row.userId,
    displayName: row.displayName,
    schoolId: row.schoolId,
    role: row.role,
  });
  return { session, actor };
}

export async function signOut(ctx: AppContext, session: SessionInfo, ip: string): Promise<void> {
  await repository.deleteSession(ctx.db, session.id);
  await ctx.audit.recordNow({ schoolId: SYSTEM_CHAIN, action: 'auth.signed-out', actorUserId: session.userId, actorLabel: session.displayName, ip });
}

export async function switchSchool(ctx: AppContext, session: SessionInfo, schoolId: string): Promise<Role> {
  const memberships = await repository.listMemberships(ctx.db, session.userId);
  const membership = memberships.find((entry) => entry.schoolId === schoolId);
  if (!membership || !isRole(membership.role)) {
    throw new ValidationError([{ field: 'schoolId', message: 'You do not have a role in that school' }]);
  }
  await repository.setSessionSchool(ctx.db, session.id, schoolId);
  await ctx.audit.recordNow({ schoolId, action: 'auth.switched-school', actorUserId: session.userId, actorLabel: session.displayName });
  return membership.role;
}

export function listMemberships(ctx: AppContext, userId: string) {
  return repository.listMemberships(ctx.db, userId);
}

// Accounts -------------------------------------------------------------------------------------

export async function createUser(
  ctx: AppContext,
  input: { email: string; displayName: string; password: string | null; schoolId: string; role: Role; actorLabel: string },
): Promise<string> {
  const email = input.email.trim().toLowerCase();
  const problems = [];
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) problems.push({ field: 'email', message: 'Enter an email address in the correct format, like name@example.org' });
  if (!input.displayName.trim()) problems.push({ field: 'displayName', message: 'Enter the person’s name' });
  const passwordIssue = input.password === null ? undefined : passwordProblem(input.password);
  if (passwordIssue) problems.push({ field: 'password', message: passwordIssue });
  if (problems.length) throw new ValidationError(problems);
  const existing = await repository.findUserByEmail(ctx.db, email);
  const now = new Date().toISOString();
  const passwordHash = input.password === null ? null : await hashPassword(input.password);
  return ctx.db.transaction().execute(async (trx) => {
    let userId = existing?.id;
    if (!userId) {
      userId = newId();
      await repository.insertUser(trx, { id: userId, email, displayName: input.displayName.trim(), passwordHash, createdAt: now });
    } else if (passwordHash) {
      await repository.setPasswordHash(trx, userId, passwordHash);
      await repository.deleteSessionsOfUser(trx, userId);
      await repository.revokeAllApiTokens(trx, userId, now);
      await ctx.audit.record(trx, { schoolId: SYSTEM_CHAIN, action: 'user.password-reset', actorLabel: input.actorLabel, detail: { email } });
    }
    await repository.upsertMembership(trx, input.schoolId, userId, input.role, now);
    await ctx.audit.record(trx, {
      schoolId: input.schoolId,
      action: existing ? 'user.role-granted' : 'user.created',
      actorLabel: input.actorLabel,
      detail: { email, role: input.role },
    });
    return userId;
  });
}

export async function resetPassword(ctx: AppContext, input: { email: string; password: string; actorLabel: string }): Promise<void> {
  const problem = passwordProblem(input.password);
  if (problem) throw new ValidationError([{ field: 'password', message: problem }]);
  const user = await repository.findUserByEmail(ctx.db, input.email.trim());
  if (!user) throw new ValidationError([{ field: 'email', message: `No account has the email address ${input.email}` }]);
  const passwordHash = await hashPassword(input.password);
  await ctx.db.transaction().execute(async (trx) => {
    await repository.setPasswordHash(trx, user.id, passwordHash);
    // A reset password ends every open session and API token, in case the old one was known to someone else.
    await repository.deleteSessionsOfUser(trx, user.id);
    await repository.revokeAllApiTokens(trx, user.id, new Date().toISOString());
    await ctx.audit.record(trx, { schoolId: SYSTEM_CHAIN, action: 'user.password-reset', actorLabel: input.actorLabel, detail: { email: user.email } });
  });
  await repository.clearLoginFailures(ctx.db, user.email);
}

/** A signed-in person changes their own password; their other sessions end, this one carries on. */
export async function changeOwnPassword(
  ctx: AppContext,
  session: SessionInfo,
  input: { currentPassword: string; newPassword: string; confirmPassword: string },
): Promise<void> {
  const problems = [];
  if (!input.currentPassword) problems.push({ field: 'currentPassword', message: 'Enter your current password' });
  const weakness = passwordProblem(input.newPassword);
  if (!input.newPassword) problems.push({ field: 'newPassword', message: 'Enter a new password' });
  else if (weakness) problems.push({ field: 'newPassword', message: weakness });
  else if (input.newPassword === input.currentPassword) problems.push({ field: 'newPassword', message: 'Your new password must be different from your current one' });
  if (input.newPassword && input.confirmPassword !== input.newPassword) problems.push({ field: 'confirmPassword', message: 'The passwords do not match: type the new password again' });
  const user = await repository.findUserById(ctx.db, session.userId);
  if (!problems.some((problem) => problem.field === 'currentPassword') && !(await verifyPassword(input.currentPassword, user?.password_hash ?? null))) {
    problems.unshift({ field: 'currentPassword', message: 'Your current password is not right' });
  }
  if (problems.length || !user) throw new ValidationError(problems);
  const passwordHash = await hashPassword(input.newPassword);
  await ctx.db.transaction().execute(async (trx) => {
    await repository.setPasswordHash(trx, user.id, passwordHash);
    await repository.deleteOtherSessionsOfUser(trx, user.id, session.id);
    await ctx.audit.record(trx, { schoolId: SYSTEM_CHAIN, action: 'user.password-changed', actorUserId: user.id, actorLabel: user.display_name, detail: { email: user.email } });
  });
}

// API tokens -----------------------------------------------------------------------------------

export const API_TOKEN_PREFIX = 'sdk_';

export async function createApiToken(
  ctx: AppContext,
  actor: Actor,
  input: { name: string; expiresInDays: number | null },
): Promise<{ id: string; token: string }> {
  const name = input.name.trim();
  const problems = [];
  if (!name) problems.push({ field: 'name', message: 'Enter a name for the token, for example the program that will use it' });
  if (name.length > 100) problems.push({ field: 'name', message: 'Token name must be 100 characters or fewer' });
  if (input.expiresInDays !== null && (!Number.isInteger(input.expiresInDays) || input.expiresInDays < 1 || input.expiresInDays > 366)) {
    problems.push({ field: 'expiresInDays', message: 'Expiry must be between 1 and 366 days' });
  }
  if (problems.length) throw new ValidationError(problems);
  const token = `${API_TOKEN_PREFIX}${randomToken()}`;
  const id = newId();
  const now = new Date();
  await ctx.db.transaction().execute(async (trx) => {
    await repository.insertApiToken(trx, {
      id,
      userId: actor.userId,
      schoolId: actor.schoolId,
      name,
      tokenHash: hashToken(token),
      tokenHint: token.slice(-4),
      createdAt: now.toISOString(),
      expiresAt: input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * 86_400_000).toISOString() : null,
    });
    await ctx.audit.record(trx, { schoolId: actor.schoolId, action: 'api-token.created', actorUserId: actor.userId, actorLabel: actor.displayName, detail: { name } });
  });
  return { id, token };
}

export async function revokeApiToken(ctx: AppContext, actor: Actor, tokenId: string): Promise<boolean> {
  return ctx.db.transaction().execute(async (trx) => {
    // The token's own school holds the event, whichever school the person is working in now.
    const schoolId = await repository.revokeApiToken(trx, actor.userId, tokenId, new Date().toISOString());
    if (schoolId) {
      await ctx.audit.record(trx, { schoolId, action: 'api-token.revoked', actorUserId: actor.userId, actorLabel: actor.displayName, detail: { tokenId } });
    }
    return schoolId !== undefined;
  });
}

export function listApiTokens(ctx: AppContext, userId: string) {
  return repository.listApiTokens(ctx.db, userId);
}

/** The actor an API token stands for: its user's role in the token's school, no more. */
export async function actorForApiToken(ctx: AppContext, token: string): Promise<Actor | undefined> {
  if (!token.startsWith(API_TOKEN_PREFIX)) return undefined;
  const row = await repository.findApiToken(ctx.db, hashToken(token));
  const now = new Date();
  if (!row || row.revokedAt || row.disabledAt || !row.role || !isRole(row.role)) return undefined;
  if (row.expiresAt && row.expiresAt < now.toISOString()) return undefined;
  // Record use at most once a minute: a busy integration must not write on every call.
  if (!row.lastUsedAt || now.getTime() - new Date(row.lastUsedAt).getTime() > 60_000) {
    await repository.touchApiToken(ctx.db, row.id, now.toISOString());
  }
  return withRelationships(ctx, { userId: row.userId, displayName: row.displayName, schoolId: row.schoolId, role: row.role });
}

// People in a school: School settings and the command line -------------------------------------
// These take the caller's transaction, so a role and what goes with it (a parent's link to a
// child, a new group) commit together with their audit events.

type Trx = Parameters<typeof repository.insertMembership>[0];
type AccountProblem = ConstructorParameters<typeof ValidationError>[0][number];

/** Who makes a change to accounts: a member of staff, or the command line (no user). */
export interface AccountChangeBy {
  userId: string | null;
  label: string;
  ip: string | null;
}

export interface SchoolPerson {
  userId: string;
  email: string;
  displayName: string;
  role: string;
  roleSince: string;
  disabledAt: string | null;
}

// Letters and digits that cannot be mistaken for one another (no 0/O, 1/l/I): 24 of them is ~140 bits.
const GENERATED_PASSWORD_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** A strong random password, to be shown once to the person who passes it on. */
export function generatePassword(length = 24): string {
  const alphabet = GENERATED_PASSWORD_ALPHABET;
  const limit = 256 - (256 % alphabet.length); // no modulo bias
  let password = '';
  while (password.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < limit && password.length < length) password += alphabet[byte % alphabet.length];
    }
  }
  return password;
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** What is wrong with a new account's details (the rules createUser applies), field by field. */
export function accountProblems(input: { email: string; displayName: string; password: string | null }): AccountProblem[] {
  const problems: AccountProblem[] = [];
  const email = normaliseEmail(input.email);
  if (!email) problems.push({ field: 'email', message: 'Enter an email address' });
  else if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email) || email.length > 254) problems.push({ field: 'email', message: 'Enter an email address in the correct format, like name@example.org' });
  if (!input.displayName.trim()) problems.push({ field: 'displayName', message: 'Enter the person’s name' });
  else if (input.displayName.trim().length > 200) problems.push({ field: 'displayName', message: 'Name must be 200 characters or fewer' });
  const passwordIssue = input.password === null ? undefined : passwordProblem(input.password);
  if (passwordIssue) problems.push({ field: 'password', message: passwordIssue });
  return problems;
}

/** Hashing is slow on purpose: do it before opening the transaction that stores the hash. */
export function hashNewPassword(password: string): Promise<string> {
  return hashPassword(password);
}

export async function listSchoolPeople(
  ctx: AppContext,
  schoolId: string,
  options: { q?: string; roles?: Role[]; limit: number; offset: number },
): Promise<{ people: SchoolPerson[]; total: number }> {
  const filters: repository.SchoolPeopleFilters = {
    terms: (options.q ?? '').toLowerCase().split(/\s+/).filter(Boolean).slice(0, 10),
    ...(options.roles?.length ? { roles: options.roles } : {}),
  };
  const [people, total] = await Promise.all([
    repository.listSchoolPeople(ctx.db, schoolId, filters, { limit: options.limit, offset: options.offset }),
    repository.countSchoolPeople(ctx.db, schoolId, filters),
  ]);
  return { people, total };
}

export async function findSchoolPerson(ctx: AppContext, schoolId: string, userId: string): Promise<SchoolPerson | undefined> {
  return (await repository.listSchoolPeopleByIds(ctx.db, schoolId, [userId]))[0];
}

/** People with a role in the school among these accounts (others are left out). */
export function listSchoolPeopleByIds(ctx: AppContext, schoolId: string, userIds: string[]): Promise<SchoolPerson[]> {
  return repository.listSchoolPeopleByIds(ctx.db, schoolId, [...new Set(userIds)]);
}

/** Display names of staff by user id, in one query ("who wrote it"); ids that are null or no longer in the school are left out. */
export async function staffDisplayNames(ctx: AppContext, schoolId: string, userIds: ReadonlyArray<string | null | undefined>): Promise<Map<string, string>> {
  const ids = [...new Set(userIds.filter((id): id is string => Boolean(id)))];
  if (ids.length === 0) return new Map();
  return new Map((await repository.listSchoolPeopleByIds(ctx.db, schoolId, ids)).map((person) => [person.userId, person.displayName]));
}

export async function countSchoolRoles(ctx: AppContext, schoolId: string): Promise<Array<{ role: string; count: number }>> {
  return repository.countMembershipsByRole(ctx.db, schoolId);
}

export async function findAccountByEmail(ctx: AppContext, email: string): Promise<{ id: string; email: string; displayName: string; disabledAt: string | null } | undefined> {
  const user = await repository.findUserByEmailIn(ctx.db, normaliseEmail(email));
  return user ? { id: user.id, email: user.email, displayName: user.display_name, disabledAt: user.disabled_at } : undefined;
}

/**
 * Gives an account a role in a school, creating the account first when no account has the email
 * address. An existing account keeps its name and password: it may belong to other schools too.
 * An account that already has a role here is refused (change its role instead).
 */
export async function grantSchoolRole(
  ctx: AppContext,
  trx: Trx,
  by: AccountChangeBy,
  input: { schoolId: string; email: string; displayName: string; role: Role; passwordHash: string | null },
): Promise<{ userId: string; created: boolean }> {
  const email = normaliseEmail(input.email);
  const problems = accountProblems({ email, displayName: input.displayName, password: null });
  if (problems.length) throw new ValidationError(problems);
  const now = new Date().toISOString();
  const existing = await repository.findUserByEmailIn(trx, email);
  let userId = existing?.id;
  if (existing) {
    const membership = await repository.findMembership(trx, input.schoolId, existing.id);
    if (membership) {
      throw new ValidationError([{ field: 'email', message: `${email} already has a role at this school: change their role instead of adding them again` }]);
    }
  } else {
    userId = newId();
    await repository.insertUser(trx, { id: userId, email, displayName: input.displayName.trim(), passwordHash: input.passwordHash, createdAt: now });
  }
  await repository.insertMembership(trx, input.schoolId, userId!, input.role, now);
  await ctx.audit.record(trx, {
    schoolId: input.schoolId,
    action: existing ? 'user.role-granted' : 'user.created',
    actorUserId: by.userId,
    actorLabel: by.label,
    detail: { userId, email, role: input.role },
    ip: by.ip,
    at: now,
  });
  return { userId: userId!, created: !existing };
}

function lastSencoProblem(by: AccountChangeBy, userId: string, change: 'change' | 'remove'): ValidationError {
  const yourself = by.userId === userId;
  const message = yourself
    ? `You are the only SENCO at this school: give someone else the SENCO role before you ${change === 'change' ? 'change your own role' : 'remove yourself'}`
    : `This person is the only SENCO at this school: give someone else the SENCO role before you ${change === 'change' ? 'change their role' : 'remove them'}`;
  return new ValidationError([{ field: 'role', message }]);
}

/** Changes a person's role in a school. A school always keeps at least one SENCO. Undefined when the person has no role there. */
export async function changeSchoolRole(
  ctx: AppContext,
  trx: Trx,
  by: AccountChangeBy,
  input: { schoolId: string; userId: string; role: Role },
): Promise<{ email: string; displayName: string; from: string; to: Role; changed: boolean } | undefined> {
  const [person] = await repository.listSchoolPeopleByIds(trx, input.schoolId, [input.userId]);
  if (!person) return undefined;
  if (person.role === input.role) return { email: person.email, displayName: person.displayName, from: person.role, to: input.role, changed: false };
  if (person.role === 'senco') {
    const sencos = await repository.lockSchoolSencos(trx, input.schoolId, ctx.database.dialect === 'postgres');
    if (sencos.filter((id) => id !== input.userId).length === 0) throw lastSencoProblem(by, input.userId, 'change');
  }
  await repository.updateMembershipRole(trx, input.schoolId, input.userId, input.role);
  await ctx.audit.record(trx, {
    schoolId: input.schoolId,
    action: 'user.role-changed',
    actorUserId: by.userId,
    actorLabel: by.label,
    detail: { userId: input.userId, email: person.email, from: person.role, to: input.role },
    ip: by.ip,
  });
  return { email: person.email, displayName: person.displayName, from: person.role, to: input.role, changed: true };
}

/** Removes a person's role in a school (the account itself stays). A school always keeps at least one SENCO. */
export async function removeSchoolRole(
  ctx: AppContext,
  trx: Trx,
  by: AccountChangeBy,
  input: { schoolId: string; userId: string },
): Promise<{ email: string; displayName: string; role: string } | undefined> {
  const [person] = await repository.listSchoolPeopleByIds(trx, input.schoolId, [input.userId]);
  if (!person) return undefined;
  if (person.role === 'senco') {
    const sencos = await repository.lockSchoolSencos(trx, input.schoolId, ctx.database.dialect === 'postgres');
    if (sencos.filter((id) => id !== input.userId).length === 0) throw lastSencoProblem(by, input.userId, 'remove');
  }
  await repository.deleteMembership(trx, input.schoolId, input.userId);
  await ctx.audit.record(trx, {
    schoolId: input.schoolId,
    action: 'user.role-removed',
    actorUserId: by.userId,
    actorLabel: by.label,
    detail: { userId: input.userId, email: person.email, role: person.role },
    ip: by.ip,
  });
  return { email: person.email, displayName: person.displayName, role: person.role };
}
