import assert from 'node:assert/strict';
import { it } from 'node:test';
import { AuditLog } from '../audit/audit-log.ts';
import { newId } from '../ids.ts';
import { describeEachDialect } from '../../../test/support/databases.ts';
import { testConfig } from '../../../test/support/config.ts';
import { createUser, resumeSession, signIn } from './service.ts';

describeEachDialect('signing in', (getDatabase) => {
  it('clears expired sessions and old failed attempts, and never resumes an expired session', async () => {
    const database = getDatabase();
    const ctx = { config: testConfig(), database, db: database.db, audit: new AuditLog(database) };
    const schoolId = newId();
    await database.db.insertInto('schools').values({ id: schoolId, name: 'Housekeeping School', urn: null, laestab: null, la_name: null, phase: 'primary', created_at: new Date().toISOString() }).execute();
    const userId = await createUser(ctx, { email: 'keeper@example.org', displayName: 'Keeper', password: 'a long enough password', schoolId, role: 'senco', actorLabel: 'test' });
    const old = new Date(Date.now() - 3 * 86_400_000).toISOString();
    await database.db.insertInto('sessions').values({ id: 'expired-session', user_id: userId, school_id: schoolId, csrf_token: 'x', created_at: old, expires_at: old, ip: null, user_agent: null }).execute();
    await database.db.insertInto('login_failures').values({ id: newId(), email: 'someone@example.org', ip: '192.0.2.1', at: old }).execute();
    const result = await signIn(ctx, { email: 'keeper@example.org', password: 'a long enough password', ip: '127.0.0.1', userAgent: 'test' });
    assert.equal(result.ok, true);
    const sessions = await database.db.selectFrom('sessions').select('id').execute();
    assert.equal(sessions.length, 1, 'only the new session is left');
    assert.notEqual(sessions[0]!.id, 'expired-session');
    assert.equal((await database.db.selectFrom('login_failures').select('id').execute()).length, 0);
    assert.equal(await resumeSession(ctx, 'not-a-real-token'), undefined);
  });
});
