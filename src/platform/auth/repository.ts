import type { CompiledQuery } from 'kysely';
import type { Db, DbOrTransaction } from '../../db/database.ts';

export async function findUserByEmail(db: Db, email: string) {
  return db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
}

export async function findUserById(db: Db, userId: string) {
  return db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
}

export async function insertUser(
  db: DbOrTransaction,
  user: { id: string; email: string; displayName: string; passwordHash: string | null; createdAt: string },
) {
  await db
    .insertInto('users')
    .values({
      id: user.id,
      email: user.email.toLowerCase(),
      display_name: user.displayName,
      password_hash: user.passwordHash,
      created_at: user.createdAt,
      disabled_at: null,
    })
    .execute();
}

export async function setPasswordHash(db: DbOrTransaction, userId: string, passwordHash: string) {
  await db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).execute();
}

export async function upsertMembership(db: DbOrTransaction, schoolId: string, userId: string, role: string, createdAt: string) {
  await db
    .insertInto('memberships')
    .values({ school_id: schoolId, user_id: userId, role, created_at: createdAt })
    .onConflict((conflict) => conflict.columns(['school_id', 'user_id']).doUpdateSet({ role }))
    .execute();
}

export async function listMemberships(db: Db, userId: string) {
  return db
    .selectFrom('memberships')
    .innerJoin('schools', 'schools.id', 'memberships.school_id')
    .select(['memberships.school_id as schoolId', 'memberships.role', 'memberships.created_at as createdAt', 'schools.name as schoolName'])
    .where('memberships.user_id', '=', userId)
    .orderBy('schools.name')
    .execute();
}

export async function insertSession(
  db: Db,
  session: { id: string; userId: string; schoolId: string | null; csrfToken: string; createdAt: string; expiresAt: string; ip: string; userAgent: string },
) {
  await db
    .insertInto('sessions')
    .values({
      id: session.id,
      user_id: session.userId,
      school_id: session.schoolId,
      csrf_token: session.csrfToken,
      created_at: session.createdAt,
      expires_at: session.expiresAt,
      ip: session.ip,
      user_agent: session.userAgent,
    })
    .execute();
}

function sessionQuery(db: Db, sessionId: string) {
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .leftJoin('memberships', (join) =>
      join.onRef('memberships.user_id', '=', 'sessions.user_id').onRef('memberships.school_id', '=', 'sessions.school_id'),
    )
    .leftJoin('schools', 'schools.id', 'memberships.school_id')
    .select((eb) => [
      eb
        .selectFrom('memberships as all_memberships')
        .select(eb.fn.countAll<number>().as('count'))
        .whereRef('all_memberships.user_id', '=', 'sessions.user_id')
        .as('membershipCount'),
      'schools.name as schoolName',
      'schools.register_version as registerVersion',
      'sessions.id',
      'sessions.user_id as userId',
      'sessions.school_id as schoolId',
      'sessions.csrf_token as csrfToken',
      'sessions.expires_at as expiresAt',
      'users.display_name as displayName',
      'users.email',
      'users.disabled_at as disabledAt',
      'memberships.role',
    ])
    .where('sessions.id', '=', sessionId);
}

type SessionRow = NonNullable<Awaited<ReturnType<ReturnType<typeof sessionQuery>['executeTakeFirst']>>>;

// Every request runs this query: compile it once per database and bind only the session id.
const compiledSessionQueries = new WeakMap<Db, CompiledQuery<SessionRow>>();

/** The session, its user and the role in the session's current school, in one query. */
export async function findSession(db: Db, sessionId: string): Promise<SessionRow | undefined> {
  let compiled = compiledSessionQueries.get(db);
  if (!compiled) {
    compiled = sessionQuery(db, '').compile();
    if (compiled.parameters.length !== 1) throw new Error('the session query must bind exactly one parameter');
    compiledSessionQueries.set(db, compiled);
  }
  const result = await db.executeQuery<SessionRow>({ ...compiled, parameters: [sessionId] });
  return result.rows[0];
}

export async function setSessionSchool(db: Db, sessionId: string, schoolId: string) {
  await db.updateTable('sessions').set({ school_id: schoolId }).where('id', '=', sessionId).execute();
}

export async function deleteSession(db: Db, sessionId: string) {
  await db.deleteFrom('sessions').where('id', '=', sessionId).execute();
}

export async function revokeAllApiTokens(db: DbOrTransaction, userId: string, at: string) {
  await db.updateTable('api_tokens').set({ revoked_at: at }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
}

export async function deleteOtherSessionsOfUser(db: DbOrTransaction, userId: string, keepSessionId: string) {
  await db.deleteFrom('sessions').where('user_id', '=', userId).where('id', '!=', keepSessionId).execute();
}

export async function deleteSessionsOfUser(db: DbOrTransaction, userId: string) {
  await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
}

export async function deleteExpiredSessions(db: Db, now: string) {
  await db.deleteFrom('sessions').where('expires_at', '<', now).execute();
}

export async function recordLoginFailure(db: Db, failure: { id: string; email: string; ip: string; at: string }) {
  await db.insertInto('login_failures').values(failure).execute();
}

export async function countLoginFailures(db: Db, since: string, by: { email?: string; ip?: string }) {
  let query = db.selectFrom('login_failures').select((eb) => eb.fn.countAll<number>().as('count')).where('at', '>=', since);
  if (by.email) query = query.where('email', '=', by.email);
  if (by.ip) query = query.where('ip', '=', by.ip);
  const row = await query.executeTakeFirst();
  return Number(row?.count ?? 0);
}

export async function oldestLoginFailure(db: Db, since: string, email: string) {
  const row = await db
    .selectFrom('login_failures')
    .select('at')
    .where('email', '=', email)
    .where('at', '>=', since)
    .orderBy('at')
    .limit(1)
    .executeTakeFirst();
  return row?.at;
}

export async function deleteLoginFailuresBefore(db: Db, before: string) {
  await db.deleteFrom('login_failures').where('at', '<', before).execute();
}

export async function clearLoginFailures(db: Db, email: string) {
  await db.deleteFrom('login_failures').where('email', '=', email).execute();
}

export async function loadTaughtPupilIds(db: Db, schoolId: string, userId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('group_staff')
    .innerJoin('group_members', (join) =>
      join.onRef('group_members.school_id', '=', 'group_staff.school_id').onRef('group_members.group_id', '=', 'group_staff.group_id'),
    )
    // Only pupils still on roll: staff lose access to a pupil's record once they have left.
    .innerJoin('pupils', (join) => join.onRef('pupils.school_id', '=', 'group_members.school_id').onRef('pupils.id', '=', 'group_members.pupil_id'))
    .select('group_members.pupil_id')
    .distinct()
    .where('group_staff.school_id', '=', schoolId)
    .where('group_staff.user_id', '=', userId)
    .where('pupils.on_roll', '=', 1)
    .execute();
  return new Set(rows.map((row) => row.pupil_id));
}

/** Of the given pupils, those on roll: relationships end when a pupil leaves. */
export async function onRollPupilIds(db: Db, schoolId: string, pupilIds: string[]): Promise<string[]> {
  if (pupilIds.length === 0) return [];
  const rows = await db
    .selectFrom('pupils')
    .select('id')
    .where('school_id', '=', schoolId)
    .where('on_roll', '=', 1)
    .where('id', 'in', [...new Set(pupilIds)].slice(0, 5000))
    .execute();
  return rows.map((row) => row.id);
}

export async function loadChildPupilIds(db: Db, schoolId: string, userId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('contacts')
    .innerJoin('pupils', (join) => join.onRef('pupils.school_id', '=', 'contacts.school_id').onRef('pupils.id', '=', 'contacts.pupil_id'))
    .select('contacts.pupil_id')
    .where('contacts.school_id', '=', schoolId)
    .where('contacts.user_id', '=', userId)
    .where('contacts.parental_responsibility', '=', 1)
    // The school's records of a child who has left are reached by a subject access request, not here.
    .where('pupils.on_roll', '=', 1)
    .execute();
  return new Set(rows.map((row) => row.pupil_id));
}

export async function insertApiToken(
  db: DbOrTransaction,
  token: { id: string; userId: string; schoolId: string; name: string; tokenHash: string; tokenHint: string; createdAt: string; expiresAt: string | null },
) {
  await db
    .insertInto('api_tokens')
    .values({
      id: token.id,
      user_id: token.userId,
      school_id: token.schoolId,
      name: token.name,
      token_hash: token.tokenHash,
      token_hint: token.tokenHint,
      created_at: token.createdAt,
      expires_at: token.expiresAt,
      last_used_at: null,
      revoked_at: null,
    })
    .execute();
}

export async function findApiToken(db: Db, tokenHash: string) {
  return db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .leftJoin('memberships', (join) =>
      join.onRef('memberships.user_id', '=', 'api_tokens.user_id').onRef('memberships.school_id', '=', 'api_tokens.school_id'),
    )
    .select([
      'api_tokens.id',
      'api_tokens.user_id as userId',
      'api_tokens.school_id as schoolId',
      'api_tokens.expires_at as expiresAt',
      'api_tokens.revoked_at as revokedAt',
      'api_tokens.last_used_at as lastUsedAt',
      'users.display_name as displayName',
      'users.disabled_at as disabledAt',
      'memberships.role',
    ])
    .where('api_tokens.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

export async function touchApiToken(db: Db, tokenId: string, at: string) {
  await db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', tokenId).execute();
}

export async function listApiTokens(db: Db, userId: string) {
  return db
    .selectFrom('api_tokens')
    .innerJoin('schools', 'schools.id', 'api_tokens.school_id')
    .select([
      'api_tokens.id',
      'api_tokens.name',
      'api_tokens.token_hint as tokenHint',
      'api_tokens.created_at as createdAt',
      'api_tokens.expires_at as expiresAt',
      'api_tokens.last_used_at as lastUsedAt',
      'api_tokens.revoked_at as revokedAt',
      'schools.name as schoolName',
    ])
    .where('api_tokens.user_id', '=', userId)
    .orderBy('api_tokens.created_at', 'desc')
    .execute();
}

export async function revokeApiToken(db: DbOrTransaction, userId: string, tokenId: string, at: string): Promise<string | undefined> {
  const row = await db
    .updateTable('api_tokens')
    .set({ revoked_at: at })
    .where('id', '=', tokenId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .returning('school_id')
    .executeTakeFirst();
  return row?.school_id;
}

// People in a school (School settings and the command line) ------------------------------------

export interface SchoolPeopleFilters {
  /** Lower-case words: each must be in the person's name or email address. */
  terms: string[];
  roles?: string[];
}

function schoolPeopleQuery(db: DbOrTransaction, schoolId: string, filters: SchoolPeopleFilters) {
  let query = db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .where('memberships.school_id', '=', schoolId);
  if (filters.roles?.length) query = query.where('memberships.role', 'in', filters.roles);
  for (const term of filters.terms) {
    const pattern = `%${term.replace(/[%_\\]/g, '')}%`;
    query = query.where((eb) => eb.or([eb(eb.fn('lower', ['users.display_name']), 'like', pattern), eb('users.email', 'like', pattern)]));
  }
  return query;
}

const PERSON_COLUMNS = [
  'users.id as userId',
  'users.email',
  'users.display_name as displayName',
  'users.disabled_at as disabledAt',
  'memberships.role',
  'memberships.created_at as roleSince',
] as const;

export async function listSchoolPeople(db: Db, schoolId: string, filters: SchoolPeopleFilters, page: { limit: number; offset: number }) {
  return schoolPeopleQuery(db, schoolId, filters)
    .select(PERSON_COLUMNS)
    .orderBy((eb) => eb.fn('lower', ['users.display_name']))
    .orderBy('users.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

export async function countSchoolPeople(db: Db, schoolId: string, filters: SchoolPeopleFilters): Promise<number> {
  const row = await schoolPeopleQuery(db, schoolId, filters).select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirst();
  return Number(row?.count ?? 0);
}

export async function listSchoolPeopleByIds(db: DbOrTransaction, schoolId: string, userIds: string[]) {
  if (userIds.length === 0) return [];
  const rows = [];
  for (let start = 0; start < userIds.length; start += 1000) {
    rows.push(
      ...(await schoolPeopleQuery(db, schoolId, { terms: [] })
        .select(PERSON_COLUMNS)
        .where('users.id', 'in', userIds.slice(start, start + 1000))
        .execute()),
    );
  }
  return rows;
}

export async function findUserByEmailIn(db: DbOrTransaction, email: string) {
  return db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
}

export async function findMembership(db: DbOrTransaction, schoolId: string, userId: string) {
  return db.selectFrom('memberships').selectAll().where('school_id', '=', schoolId).where('user_id', '=', userId).executeTakeFirst();
}

/** The school's SENCOs; on PostgreSQL their rows are locked, so two SENCOs cannot each remove the other at once. */
export async function lockSchoolSencos(db: DbOrTransaction, schoolId: string, lock: boolean): Promise<string[]> {
  let query = db.selectFrom('memberships').select('user_id').where('school_id', '=', schoolId).where('role', '=', 'senco');
  if (lock) query = query.forUpdate();
  return (await query.execute()).map((row) => row.user_id);
}

export async function insertMembership(db: DbOrTransaction, schoolId: string, userId: string, role: string, createdAt: string) {
  await db.insertInto('memberships').values({ school_id: schoolId, user_id: userId, role, created_at: createdAt }).execute();
}

export async function updateMembershipRole(db: DbOrTransaction, schoolId: string, userId: string, role: string) {
  await db.updateTable('memberships').set({ role }).where('school_id', '=', schoolId).where('user_id', '=', userId).execute();
}

export async function deleteMembership(db: DbOrTransaction, schoolId: string, userId: string) {
  await db.deleteFrom('memberships').where('school_id', '=', schoolId).where('user_id', '=', userId).execute();
}

export async function countMembershipsByRole(db: Db, schoolId: string) {
  const rows = await db
    .selectFrom('memberships')
    .select((eb) => ['role', eb.fn.countAll<number>().as('count')])
    .where('school_id', '=', schoolId)
    .groupBy('role')
    .execute();
  return rows.map((row) => ({ role: row.role, count: Number(row.count) }));
}
