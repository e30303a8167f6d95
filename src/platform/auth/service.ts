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
  const [accountFailures, addressFailures] = await Promise.all([
    repository.countLoginFailures(ctx.db, since, { email }),
    repository.countLoginFailures(ctx.db, since, { ip: input.ip }),
  ]);
  if (accountFailures >= MAX_FAILURES_PER_ACCOUNT || addressFailures >= MAX_FAILURES_PER_ADDRESS) {
    const oldest = await repository.oldestLoginFailure(ctx.db, since, email);
    const unlockAt = oldest ? new Date(oldest).getTime() + THROTTLE_WINDOW_MINUTES * 60_000 : now.getTime() + 60_000;
    return { ok: false, reason: 'throttled', retryInMinutes: Math.max(1, Math.ceil((unlockAt - now.getTime()) / 60_000)) };
  }
  const user = await repository.findUserByEmail(ctx.db, email);
  const passwordMatches = await verifyPassword(input.password, user?.password_hash ?? null);
  if (!user || !passwordMatches || user.disabled_at) {
    await repository.recordLoginFailure(ctx.db, { id: newId(), email, ip: input.ip, at: now.toISOString() });
    await ctx.audit.recordNow({ schoolId: SYSTEM_CHAIN, action: 'auth.sign-in-failed', detail: { email }, ip: input.ip });
    return { ok: false, reason: 'invalid' };
  }
  const memberships = await repository.listMemberships(ctx.db, user.id);
  // Start in the school the person was first given a role in (their main school), not the first by name.
  const first = [...memberships].sort((a, b) => a.createdAt.localeCompare(b.createdAt))[0];
  if (!first) return { ok: false, reason: 'no-school' };
  await repository.clearLoginFailures(ctx.db, email);
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
  if (relationship === 'taught') return { ...actor, taughtPupilIds: await repository.loadTaughtPupilIds(ctx.db, actor.schoolId, actor.userId) };
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
    // A reset password ends every open session, in case the old one was known to someone else.
    await repository.deleteSessionsOfUser(trx, user.id);
    await ctx.audit.record(trx, { schoolId: SYSTEM_CHAIN, action: 'user.password-reset', actorLabel: input.actorLabel, detail: { email: user.email } });
  });
  await repository.clearLoginFailures(ctx.db, user.email);
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
