// Walks every registered route (web and API) as every role, on a pupil in the person's own school
// and on a pupil in another school, and checks the answer against the permission policy.
// New routes are covered without editing this file: they are read from the app's route catalogue.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BuiltApp } from '../src/app.ts';
import { createApiToken } from '../src/platform/auth/service.ts';
import { can, roleMay, ROLES, type Action, type Role } from '../src/platform/permissions.ts';
import type { RouteEntry } from '../src/platform/web.ts';
import { buildTestApp } from './support/app.ts';
import { createTestDatabase, type TestDatabase } from './support/databases.ts';
import { seedFixture, type Fixture } from './support/fixtures.ts';
import { TestClient } from './support/http.ts';

type Who = Role | 'anonymous';
const UNKNOWN_ID = '01900000-0000-7000-8000-000000000000';

/** Ids that exist but belong to someone else: another school's import, another person's API token. */
const foreign: Record<string, string> = {};

function fillParams(url: string, pupilId: string): string {
  return url
    .replace(':pupilId', pupilId)
    .replace(/:([A-Za-z]+Id)\b/g, (_match, name: string) => foreign[name] ?? UNKNOWN_ID)
    .replace('*', 'app.css');
}

describe('authorisation: every route, every role, own school and another school', () => {
  let database: TestDatabase;
  let built: BuiltApp;
  let fixture: Fixture;
  const clients = new Map<Who, TestClient>();
  const tokens = new Map<Role, string>();

  before(async () => {
    database = await createTestDatabase('sqlite');
    fixture = await seedFixture(database);
    built = await buildTestApp(database);
    for (const role of ROLES) {
      const client = new TestClient(built.app);
      await client.signIn(fixture.schoolA.users[role].email);
      clients.set(role, client);
      const user = fixture.schoolA.users[role];
      const { token } = await createApiToken(built.ctx, { userId: user.id, displayName: role, schoolId: fixture.schoolA.id, role }, { name: 'authorisation test', expiresInDays: 1 });
      tokens.set(role, token);
    }
    foreign.batchId = '01900000-0000-7000-8000-00000000b0b0';
    await database.db.insertInto('import_batches').values({
      school_id: fixture.schoolB.id, id: foreign.batchId, kind: 'ctf', filename: 'b.xml', file_sha256: 'x', status: 'previewed',
      summary: '{}', payload: '{"v":1,"records":[],"rejected":[],"entries":[]}', created_by: fixture.schoolB.users.senco.id, created_at: new Date().toISOString(), committed_at: null,
    }).execute();
    const otherUser = fixture.schoolB.users.senco;
    foreign.tokenId = (await createApiToken(built.ctx, { userId: otherUser.id, displayName: 'senco B', schoolId: fixture.schoolB.id, role: 'senco' }, { name: 'not yours', expiresInDays: 1 })).id;
    const anonymous = new TestClient(built.app);
    await anonymous.get('/sign-in');
    clients.set('anonymous', anonymous);
  });
  after(async () => {
    await built.app.close();
    await database.close();
  });

  it('every route declares a permission from the policy, and the catalogue is not empty', () => {
    const routes = built.app.routeCatalogue;
    assert.ok(routes.length > 15, `expected the app's routes, found ${routes.length}`);
    for (const route of routes) assert.ok(route.permission, `${route.method} ${route.url}`);
  });

  it('answers every request as the policy says, and never leaks another school', async () => {
    const routes = built.app.routeCatalogue.filter((route: RouteEntry) => !(route.permission === 'public' && route.method !== 'GET'));
    const failures: string[] = [];
    const otherSchoolNames = ['Nowak-Smith', 'Adebayo', 'Patel'];
    let requests = 0;
    for (const route of routes) {
      const api = route.url.startsWith('/api/');
      const targets = route.url.includes(':pupilId')
        ? [
            { label: 'taught pupil, own school', pupilId: fixture.schoolA.taughtPupilId, ownSchool: true },
            { label: 'other pupil, own school', pupilId: fixture.schoolA.otherPupilId, ownSchool: true },
            { label: 'pupil in another school', pupilId: fixture.schoolB.taughtPupilId, ownSchool: false },
          ]
        : [{ label: '', pupilId: '', ownSchool: true }];
      for (const who of ['anonymous', ...ROLES] as Who[]) {
        for (const target of targets) {
          const url = fillParams(route.url, target.pupilId);
          const client = clients.get(who)!;
          let status: number;
          let body: string;
          if (api) {
            const headers: Record<string, string> = who === 'anonymous' ? {} : { authorization: `Bearer ${tokens.get(who)}` };
            const response = await built.app.inject({ method: route.method as 'GET', url, headers, ...(route.method === 'GET' ? {} : { payload: {} }) });
            status = response.statusCode;
            body = response.body;
          } else {
            const response = route.method === 'GET' ? await client.get(url) : await client.post(url, {});
            status = response.statusCode;
            body = response.body;
          }
          requests += 1;
          const where = `${who} ${route.method} ${route.url}${target.label ? ` (${target.label})` : ''} → ${status}`;
          if (status >= 500) failures.push(`${where}: server error`);
          if (route.permission === 'public') continue;
          if (route.permission === 'signed-in') {
            if (who === 'anonymous' && route.method === 'GET' && status !== 302) failures.push(`${where}: anonymous should be sent to sign in`);
            if (who !== 'anonymous' && (status === 401 || status === 403)) failures.push(`${where}: any signed-in person may use this`);
            continue;
          }
          const action = route.permission as Action;
          if (who === 'anonymous') {
            const expected = api ? [401] : route.method === 'GET' ? [302] : [302, 403];
            if (!expected.includes(status)) failures.push(`${where}: anonymous should get ${expected.join(' or ')}`);
            continue;
          }
          const actor = { userId: fixture.schoolA.users[who].id, displayName: who, schoolId: fixture.schoolA.id, role: who,
            taughtPupilIds: new Set([fixture.schoolA.taughtPupilId, fixture.schoolA.noSenPupilId]), childPupilIds: new Set([fixture.schoolA.taughtPupilId]) };
          const allowed = target.pupilId
            ? target.ownSchool && can(actor, action, { kind: 'pupil', schoolId: fixture.schoolA.id, pupilId: target.pupilId })
            : roleMay(who, action);
          // Fixed rules, independent of the policy module, so loosening the policy is caught too.
          const mustRefuse =
            (!target.ownSchool) ||
            /:(batchId|tokenId)\b/.test(route.url) ||
            (who === 'governor' && target.pupilId !== '') ||
            ((who === 'teacher' || who === 'teaching_assistant' || who === 'parent') && target.pupilId === fixture.schoolA.otherPupilId) ||
            ((who === 'teacher' || who === 'teaching_assistant' || who === 'parent' || who === 'governor') && /^\/(api\/v1\/)?(register|imports|audit)/.test(route.url));
          if (mustRefuse && ![403, 404].includes(status)) failures.push(`${where}: must always be refused`);
          if (allowed && (status === 401 || status === 403)) failures.push(`${where}: should be allowed`);
          if (!allowed && ![403, 404].includes(status)) failures.push(`${where}: should be refused (403 or 404)`);
          if (otherSchoolNames.some((name) => body.includes(name))) failures.push(`${where}: shows another school's pupil`);
        }
      }
    }
    assert.ok(requests > 200, `made ${requests} requests`);
    assert.deepEqual(failures, []);
  });
});
