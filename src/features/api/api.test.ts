import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { BuiltApp } from '../../app.ts';
import { hashToken, revokeApiToken } from '../../platform/auth/service.ts';
import { schoolToday } from '../../platform/dates.ts';
import { describeEachDialect } from '../../../test/support/databases.ts';
import { actorOf, buildTestApp, seedApiFixture, TEST_PASSWORD, TestClient, tokenFor, type ApiFixture } from './test-fixtures.ts';

type Json = Record<string, any>;

/** Every key anywhere in a JSON value. */
function allKeys(value: unknown, keys = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const entry of value) allKeys(entry, keys);
  else if (value && typeof value === 'object') {
    for (const [key, entry] of Object.entries(value)) {
      keys.add(key);
      allKeys(entry, keys);
    }
  }
  return keys;
}

describeEachDialect('the JSON API', (getDatabase) => {
  describe('with a token', () => {
    let built: BuiltApp;
    let app: FastifyInstance;
    let fixture: ApiFixture;
    const tokens: Record<'senco' | 'teacher' | 'governor' | 'parent' | 'sencoB', string> = { senco: '', teacher: '', governor: '', parent: '', sencoB: '' };

    const call = (token: string | undefined, url: string, options: { method?: 'GET' | 'POST'; body?: unknown; headers?: Record<string, string> } = {}) =>
      app.inject({
        method: options.method ?? 'GET',
        url,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...options.headers },
        ...(options.body === undefined ? {} : { payload: options.body as Json }),
      });
    const json = async (token: string | undefined, url: string, expectedStatus = 200) => {
      const response = await call(token, url);
      assert.equal(response.statusCode, expectedStatus, `${url}: ${response.body}`);
      assert.match(String(response.headers['content-type']), /^application\/json/);
      return response.json() as Json;
    };
    const auditEvents = async (pupilId: string) => {
      await built.ctx.audit.flush();
      return built.ctx.db.selectFrom('audit_events').selectAll().where('pupil_id', '=', pupilId).orderBy('seq').execute();
    };

    before(async () => {
      built = await buildTestApp(getDatabase());
      app = built.app;
      fixture = await seedApiFixture(built.ctx);
      for (const role of Object.keys(tokens) as Array<keyof typeof tokens>) tokens[role] = await tokenFor(built.ctx, fixture.users[role]);
    });
    after(async () => {
      await app.close();
    });

    it('reads the register: a page of pupils with SEN, meta, counts and links', async () => {
      const body = await json(tokens.senco, '/api/v1/register');
      const names = body.data.map((pupil: Json) => `${pupil.legalForename} ${pupil.legalSurname}`);
      assert.ok(names.includes('Amelia Taylor'));
      assert.ok(names.includes('Ben Okafor'));
      assert.ok(!names.includes('Cara Nolan'), 'pupils with no SEN are not on the register by default');
      assert.ok(!names.includes('Dev Birch'), 'another school’s pupils never appear');
      assert.deepEqual(body.meta, { total: 8, page: 1, pageCount: 1, pageSize: 50 });
      assert.equal(body.counts.total, 8);
      assert.deepEqual(
        body.counts.byProvision.map((row: Json) => [row.code, row.count]),
        [['K', 7], ['E', 1]],
      );
      assert.equal(body.links.next, null);
      assert.equal(body.links.prev, null);
      assert.match(body.links.self, /^\/api\/v1\/register\?/);
      const amelia = body.data.find((pupil: Json) => pupil.legalForename === 'Amelia');
      assert.deepEqual(
        { senProvision: amelia.senProvision, primaryNeed: amelia.primaryNeed, yearGroup: amelia.yearGroup, fsm: amelia.fsm, senSince: amelia.senSince },
        { senProvision: 'K', primaryNeed: 'SPLD', yearGroup: 7, fsm: true, senSince: '2025-09-01' },
      );
    });

    it('publishes camelCase keys and nothing internal', async () => {
      for (const url of ['/api/v1/register?provision=', `/api/v1/pupils/${fixture.pupils.taught}`, `/api/v1/pupils/${fixture.pupils.taught}/sen-history`, '/api/v1/overview']) {
        const keys = allKeys(await json(tokens.senco, url));
        for (const key of keys) assert.match(key, /^[a-z][A-Za-z0-9]*$/, `${url}: key ${key} is camelCase`);
        for (const internal of ['searchText', 'search_text', 'address', 'userId', 'schoolId', 'ethnicity', 'tokenHash']) {
          assert.ok(!keys.has(internal), `${url} does not publish ${internal}`);
        }
      }
    });

    it('filters, sorts and pages the register as the web page does', async () => {
      assert.deepEqual((await json(tokens.senco, '/api/v1/register?provision=E')).data.map((pupil: Json) => pupil.legalForename), ['Ben']);
      assert.deepEqual((await json(tokens.senco, '/api/v1/register?need=ASD&year=8')).data.map((pupil: Json) => pupil.legalForename), ['Ben']);
      assert.equal((await json(tokens.senco, '/api/v1/register?year=9&year=7')).meta.total, 7);
      assert.equal((await json(tokens.senco, '/api/v1/register?provision=')).meta.total, 9, 'an empty provision means every pupil on roll');
      assert.deepEqual((await json(tokens.senco, '/api/v1/register?q=okafor')).data.map((pupil: Json) => pupil.upn), ['A100000000002']);
      const sorted = await json(tokens.senco, '/api/v1/register?sort=year&order=desc');
      assert.equal(sorted.data[0].yearGroup, 9);
      assert.match(sorted.links.self, /sort=year/);
      assert.match(sorted.links.self, /order=desc/);
      const beyond = await json(tokens.senco, '/api/v1/register?page=7');
      assert.equal(beyond.meta.page, 1, 'a page past the end is the last page');
    });

    it('rejects a malformed register query with the field it concerns', async () => {
      const body = await json(tokens.senco, '/api/v1/register?year=seven', 400);
      assert.equal(body.error, 'invalid');
      assert.deepEqual(body.errors.map((problem: Json) => problem.field), ['year[0]']);
      const sort = await json(tokens.senco, '/api/v1/register?sort=shoe-size', 400);
      assert.deepEqual(sort.errors.map((problem: Json) => problem.field), ['sort']);
    });

    it('reads a pupil’s record, with groups and contacts, and audits the read as the web does', async () => {
      const before = (await auditEvents(fixture.pupils.taught)).length;
      const body = await json(tokens.senco, `/api/v1/pupils/${fixture.pupils.taught}`);
      const pupil = body.data;
      assert.equal(pupil.legalForename, 'Amelia');
      assert.equal(pupil.dateOfBirth, '2013-10-08');
      assert.deepEqual(pupil.sen, {
        provision: 'K',
        provisionLabel: 'SEN support',
        since: '2025-09-01',
        needs: [{ need: 'SPLD', rank: 1, label: 'Specific learning difficulty', area: 'Cognition and learning' }],
      });
      assert.deepEqual(pupil.groups.map((group: Json) => group.name), ['7X Maths']);
      assert.deepEqual(pupil.contacts.map((contact: Json) => [contact.forename, contact.parentalResponsibility]), [['Mary', true], ['Bill', false]]);
      assert.equal(pupil.links.senStatus, `/api/v1/pupils/${fixture.pupils.taught}/sen-status`);
      const events = (await auditEvents(fixture.pupils.taught)).slice(before);
      assert.deepEqual(events.map((event) => [event.action, JSON.parse(event.detail ?? '{}').section]).sort(), [['pupil.viewed', 'overview']], 'one read, one audit event');
      assert.ok(events.every((event) => event.actor_user_id === fixture.users.senco.id && event.school_id === fixture.schoolA.id));
    });

    it('reads a pupil’s SEN history and audits it', async () => {
      const before = (await auditEvents(fixture.pupils.untaught)).length;
      const body = await json(tokens.senco, `/api/v1/pupils/${fixture.pupils.untaught}/sen-history`);
      const history = body.data;
      assert.equal(history.current.provision, 'E');
      assert.deepEqual(history.current.needs.map((need: Json) => need.need), ['ASD', 'SLCN']);
      assert.deepEqual(history.provisionPeriods.map((period: Json) => [period.provision, period.startDate, period.endDate]), [['E', '2025-09-01', null]]);
      assert.equal(history.needPeriods.length, 2);
      assert.equal(history.changes[0].kind, 'ehc-plan-started');
      assert.deepEqual(history.changes[0].needsAfter.map((need: Json) => need.need), ['ASD', 'SLCN']);
      const events = (await auditEvents(fixture.pupils.untaught)).slice(before);
      assert.deepEqual(events.map((event) => [event.action, JSON.parse(event.detail ?? '{}').section]), [['pupil.viewed', 'api']]);
    });

    it('lets a teacher’s token read only the pupils they teach', async () => {
      assert.equal((await json(tokens.teacher, `/api/v1/pupils/${fixture.pupils.taught}`)).data.legalForename, 'Amelia');
      assert.equal((await call(tokens.teacher, `/api/v1/pupils/${fixture.pupils.taught}/sen-history`)).statusCode, 200);
      const other = await json(tokens.teacher, `/api/v1/pupils/${fixture.pupils.untaught}`, 403);
      assert.equal(other.error, 'forbidden');
      assert.equal((await call(tokens.teacher, `/api/v1/pupils/${fixture.pupils.untaught}/sen-history`)).statusCode, 403);
      assert.equal((await call(tokens.teacher, '/api/v1/register')).statusCode, 403);
      assert.equal((await call(tokens.teacher, '/api/v1/overview')).statusCode, 403);
      const change = await call(tokens.teacher, `/api/v1/pupils/${fixture.pupils.taught}/sen-status`, {
        method: 'POST',
        body: { provision: 'E', needs: [{ need: 'SPLD', rank: 1 }], effectiveDate: schoolToday(), reason: 'Not allowed' },
      });
      assert.equal(change.statusCode, 403);
      assert.equal((await json(tokens.teacher, `/api/v1/pupils/${fixture.pupils.taught}`)).data.links.senStatus, undefined);
    });

    it('shows a parent only contacts with parental responsibility, and only their own child', async () => {
      const child = await json(tokens.parent, `/api/v1/pupils/${fixture.pupils.taught}`);
      assert.deepEqual(child.data.contacts.map((contact: Json) => contact.forename), ['Mary']);
      assert.equal((await call(tokens.parent, `/api/v1/pupils/${fixture.pupils.untaught}`)).statusCode, 403);
      assert.equal((await call(tokens.parent, '/api/v1/register')).statusCode, 403);
    });

    it('never crosses schools: another school’s pupil is not found', async () => {
      const body = await json(tokens.senco, `/api/v1/pupils/${fixture.pupils.otherSchool}`, 404);
      assert.equal(body.error, 'not_found');
      assert.equal((await call(tokens.senco, `/api/v1/pupils/${fixture.pupils.otherSchool}/sen-history`)).statusCode, 404);
      assert.equal((await call(tokens.sencoB, `/api/v1/pupils/${fixture.pupils.taught}`)).statusCode, 404);
      assert.equal((await call(tokens.senco, '/api/v1/pupils/no-such-pupil')).statusCode, 404);
      const change = await call(tokens.senco, `/api/v1/pupils/${fixture.pupils.otherSchool}/sen-status`, {
        method: 'POST',
        body: { provision: 'N', needs: [], effectiveDate: schoolToday(), reason: 'Wrong school' },
      });
      assert.equal(change.statusCode, 404);
      const invalid = await call(tokens.senco, `/api/v1/pupils/${fixture.pupils.otherSchool}/sen-status`, { method: 'POST', body: { provision: 'nonsense' } });
      assert.equal(invalid.statusCode, 404, 'whether the pupil is there comes before what is wrong with the request');
      assert.equal((await call(tokens.senco, `/api/v1/pupils/${'x'.repeat(100)}`)).statusCode, 404);
      const theirs = await json(tokens.sencoB, '/api/v1/register');
      assert.deepEqual(theirs.data.map((pupil: Json) => pupil.legalForename), ['Dev']);
    });

    it('answers 401 with a JSON message without a valid token', async () => {
      const missing = await json(undefined, '/api/v1/register', 401);
      assert.equal(missing.error, 'unauthorised');
      assert.match(missing.message, /Bearer/);
      await json('sdk_not-a-real-token', '/api/v1/register', 401);
      await json('not even the right shape', `/api/v1/pupils/${fixture.pupils.taught}`, 401);
      assert.equal((await call(undefined, '/api/v1/register', { headers: { authorization: `Basic ${tokens.senco}` } })).statusCode, 401);
    });

    it('refuses a revoked token', async () => {
      const token = await tokenFor(built.ctx, fixture.users.senco);
      assert.equal((await call(token, '/api/v1/register')).statusCode, 200);
      const row = await built.ctx.db.selectFrom('api_tokens').select('id').where('token_hash', '=', hashToken(token)).executeTakeFirstOrThrow();
      assert.equal(await revokeApiToken(built.ctx, actorOf(fixture.users.senco), row.id), true);
      assert.equal((await json(token, '/api/v1/register', 401)).error, 'unauthorised');
    });

    it('refuses an expired token', async () => {
      const token = await tokenFor(built.ctx, fixture.users.senco, 1);
      assert.equal((await call(token, '/api/v1/overview')).statusCode, 200);
      await built.ctx.db
        .updateTable('api_tokens')
        .set({ expires_at: new Date(Date.now() - 60_000).toISOString() })
        .where('token_hash', '=', hashToken(token))
        .execute();
      assert.equal((await json(token, '/api/v1/overview', 401)).error, 'unauthorised');
    });

    it('does not accept a session cookie in place of a token', async () => {
      const web = new TestClient(app);
      await web.signIn(fixture.users.senco.email, TEST_PASSWORD);
      assert.equal((await web.get('/register')).statusCode, 200, 'the cookie works on the web');
      assert.ok(web.hasCookie('senco_session'));
      assert.equal((await web.get('/api/v1/register')).statusCode, 401, 'the same cookie is not an API credential');
      const post = await web.post(`/api/v1/pupils/${fixture.pupils.noSen}/sen-status`, {
        provision: 'K',
        'needs[0][need]': 'MLD',
        effectiveDate: schoolToday(),
        reason: 'Cookie',
      });
      assert.equal(post.statusCode, 401);
    });

    it('records a new SEN status, kept in the history and the audit log', async () => {
      const pupilId = fixture.pupils.noSen;
      const response = await call(tokens.senco, `/api/v1/pupils/${pupilId}/sen-status`, {
        method: 'POST',
        body: { provision: 'K', needs: [{ need: 'HI', rank: 1 }, { need: 'SLCN', rank: 2 }], effectiveDate: schoolToday(), reason: 'Audiology report' },
      });
      assert.equal(response.statusCode, 201, response.body);
      assert.equal(response.headers.location, `/api/v1/pupils/${pupilId}/sen-history`);
      assert.deepEqual(response.json().data, {
        provision: 'K',
        provisionLabel: 'SEN support',
        since: schoolToday(),
        needs: [
          { need: 'HI', rank: 1, label: 'Hearing impairment', area: 'Sensory and/or physical' },
          { need: 'SLCN', rank: 2, label: 'Speech, language and communication needs', area: 'Communication and interaction' },
        ],
      });
      const history = await json(tokens.senco, `/api/v1/pupils/${pupilId}/sen-history`);
      assert.equal(history.data.changes[0].reason, 'Audiology report');
      assert.equal(history.data.changes[0].recordedBy, fixture.users.senco.displayName);
      assert.equal(history.data.changes[0].source, 'manual');
      const events = await auditEvents(pupilId);
      assert.ok(events.some((event) => event.action === 'pupil.sen.changed' && event.actor_user_id === fixture.users.senco.id));
      const register = await json(tokens.senco, '/api/v1/register?q=nolan');
      assert.equal(register.data[0].primaryNeed, 'HI');
    });

    it('explains an invalid SEN status change field by field', async () => {
      const post = async (body: unknown) => {
        const response = await call(tokens.senco, `/api/v1/pupils/${fixture.pupils.untaught}/sen-status`, { method: 'POST', body });
        assert.equal(response.statusCode, 400, response.body);
        const parsed = response.json() as Json;
        assert.equal(parsed.error, 'invalid');
        return parsed.errors as Array<{ field: string; message: string }>;
      };
      const valid = { provision: 'K', needs: [{ need: 'ASD', rank: 1 }], effectiveDate: schoolToday(), reason: 'Plan ceased' };
      assert.deepEqual((await post({ ...valid, needs: [{ need: 'XYZ', rank: 1 }] })).map((error) => error.field), ['needs[0].need']);
      assert.deepEqual((await post({ ...valid, provision: 'S' })).map((error) => error.field), ['provision']);
      assert.deepEqual((await post({ ...valid, effectiveDate: '2026-02-30' })).map((error) => error.field), ['effectiveDate']);
      assert.deepEqual((await post({ ...valid, effectiveDate: '14/03/2026' })).map((error) => error.field), ['effectiveDate']);
      assert.deepEqual((await post({ provision: 'K', needs: [], effectiveDate: schoolToday() })).map((error) => error.field), ['reason']);
      // Rules the register service applies keep their own messages and name the JSON field.
      const duplicate = await post({ ...valid, needs: [{ need: 'ASD', rank: 1 }, { need: 'ASD', rank: 2 }] });
      assert.deepEqual(duplicate, [{ field: 'needs', message: 'ASD is listed twice: record each need once' }]);
      const rank = await post({ ...valid, needs: [{ need: 'ASD', rank: 2 }] });
      assert.deepEqual(rank.map((error) => error.field), ['needs']);
      const problems = await post({ ...valid, provision: 'K', needs: [], reason: '  ', effectiveDate: '2099-01-01' });
      assert.deepEqual(problems.map((error) => error.field).sort(), ['effectiveDate', 'needs', 'reason']);
      const before = await post({ ...valid, effectiveDate: '2020-01-01' });
      assert.deepEqual(before.map((error) => error.field), ['effectiveDate']);
      assert.match(before[0]!.message, /on or after 1 September 2025/);
      const unchanged = await post({ ...valid, provision: 'E', needs: [{ need: 'ASD', rank: 1 }, { need: 'SLCN', rank: 2 }] });
      assert.deepEqual(unchanged.map((error) => error.field), ['provision']);
    });

    it('checks the token before it looks at the request', async () => {
      const response = await call(undefined, `/api/v1/pupils/${fixture.pupils.taught}/sen-status`, { method: 'POST', body: { provision: 'nonsense' } });
      assert.equal(response.statusCode, 401);
      const forbidden = await call(tokens.governor, `/api/v1/pupils/${fixture.pupils.taught}/sen-status`, { method: 'POST', body: { provision: 'nonsense' } });
      assert.equal(forbidden.statusCode, 403);
    });

    it('gives governors the overview with small numbers withheld, and nothing else', async () => {
      const governor = (await json(tokens.governor, '/api/v1/overview')).data;
      assert.deepEqual(governor.smallNumberSuppression, { applied: true, threshold: 5 });
      assert.deepEqual(governor.onRoll, { count: 10, suppressed: false }, '9 pupils, rounded to the nearest 5');
      const provisions = Object.fromEntries(governor.byProvision.map((row: Json) => [row.code, { count: row.count, suppressed: row.suppressed }]));
      assert.equal(provisions.K.suppressed, false);
      assert.ok(provisions.K.count >= 7);
      assert.deepEqual(provisions.E, { count: null, suppressed: true });
      for (const list of [governor.byProvision, governor.byNeed, governor.byArea, governor.byYear, governor.byFactor]) {
        for (const row of list) {
          assert.ok(row.count === null ? row.suppressed === true : row.count === 0 || (row.count >= 5 && row.count % 5 === 0), `${row.label}: ${row.count}`);
        }
      }
      assert.equal((await call(tokens.governor, '/api/v1/register')).statusCode, 403);
      assert.equal((await call(tokens.governor, `/api/v1/pupils/${fixture.pupils.taught}`)).statusCode, 403);

      const senco = (await json(tokens.senco, '/api/v1/overview')).data;
      assert.equal(senco.smallNumberSuppression.applied, false);
      assert.deepEqual(
        senco.byProvision.find((row: Json) => row.code === 'E'),
        { code: 'E', label: 'EHC plan', count: 1, suppressed: false },
      );
      assert.equal(senco.school.name, fixture.schoolA.name);
    });

    it('describes every API route in an OpenAPI 3.1 document, without a token', async () => {
      const response = await call(undefined, '/api/v1/openapi.json');
      assert.equal(response.statusCode, 200);
      const document = response.json() as Json;
      assert.equal(document.openapi, '3.1.0');
      assert.equal(typeof document.info.title, 'string');
      assert.equal(typeof document.info.version, 'string');
      assert.equal(document.components.securitySchemes.bearerAuth.type, 'http');
      assert.equal(document.components.securitySchemes.bearerAuth.scheme, 'bearer');

      const documented = Object.entries(document.paths as Record<string, Record<string, Json>>)
        .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`))
        .sort();
      // The platform's route catalogue is filled by an onRoute hook for every route the app registers.
      const registered = app.routeCatalogue
        .filter((route) => route.url.startsWith('/api/') && route.method !== 'HEAD')
        .map((route) => `${route.method} ${route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`)
        .sort();
      assert.ok(registered.length >= 6, `found the API routes: ${registered.join(', ')}`);
      assert.deepEqual(documented, registered);

      const operationIds = new Set<string>();
      for (const [path, operations] of Object.entries(document.paths as Record<string, Record<string, Json>>)) {
        const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]).sort();
        for (const [method, operation] of Object.entries(operations)) {
          const where = `${method} ${path}`;
          assert.ok(operation.operationId && !operationIds.has(operation.operationId), `${where} has a unique operationId`);
          operationIds.add(operation.operationId);
          const pathParameters = (operation.parameters ?? []).filter((parameter: Json) => parameter.in === 'path');
          assert.deepEqual(pathParameters.map((parameter: Json) => parameter.name).sort(), templated, `${where} declares its path parameters`);
          assert.ok(pathParameters.every((parameter: Json) => parameter.required === true));
          assert.ok(Object.keys(operation.responses).length > 0, `${where} has responses`);
          for (const [code, reply] of Object.entries(operation.responses as Record<string, Json>)) {
            assert.match(code, /^[1-5]\d\d$/);
            assert.equal(typeof reply.description, 'string', `${where} ${code} has a description`);
          }
          if (operation['x-permission'] === 'public') assert.deepEqual(operation.security, []);
          else {
            assert.deepEqual(operation.security, [{ bearerAuth: [] }], `${where} needs the bearer token`);
            assert.ok(operation.responses['401'], `${where} documents 401`);
          }
          if (method === 'post') assert.ok(operation.requestBody?.content?.['application/json']?.schema, `${where} documents its body`);
        }
      }
      // Every $ref points at a schema that is there.
      const references = new Set<string>();
      const collect = (value: unknown) => {
        if (Array.isArray(value)) value.forEach(collect);
        else if (value && typeof value === 'object') {
          for (const [key, entry] of Object.entries(value)) {
            if (key === '$ref') references.add(String(entry));
            else collect(entry);
          }
        }
      };
      collect(document);
      assert.ok(references.size > 5);
      for (const reference of references) {
        const name = /^#\/components\/schemas\/(.+)$/.exec(reference)?.[1];
        assert.ok(name && document.components.schemas[name], `${reference} resolves`);
      }
      const register = document.paths['/api/v1/register'].get;
      assert.deepEqual(
        register.parameters.map((parameter: Json) => parameter.name).sort(),
        ['area', 'flag', 'group', 'need', 'order', 'page', 'provision', 'q', 'sort', 'year'],
      );
      assert.equal(document.paths['/api/v1/pupils/{pupilId}/sen-status'].post.requestBody.content['application/json'].schema.$ref, '#/components/schemas/SenStatusChange');
      assert.deepEqual(document.components.schemas.SenStatusChange.required, ['provision', 'effectiveDate', 'reason']);
    });

    it('answers an unknown API address with JSON', async () => {
      const response = await call(tokens.senco, '/api/v1/nothing-here');
      assert.equal(response.statusCode, 404);
      assert.equal(response.json().error, 'not_found');
    });
  });
});
