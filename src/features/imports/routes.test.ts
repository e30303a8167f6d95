// The whole import journey through HTTP, as a browser makes it: sign in, upload (multipart), preview,
// confirm, and the refusals a browser can meet (hostile file, too large, wrong school, no CSRF token).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../app.ts';
import { AuditLog } from '../../platform/audit/audit-log.ts';
import { createUser } from '../../platform/auth/service.ts';
import type { AppContext } from '../../platform/context.ts';
import { newId } from '../../platform/ids.ts';
import type { Role } from '../../platform/permissions.ts';
import { describeEachDialect, type TestDatabase } from '../../../test/support/databases.ts';
import { testConfig } from '../../../test/support/config.ts';
import { makeCtf } from '../../../test/fixtures/imports/make-ctf.ts';

const PASSWORD = 'a long enough password for tests';
const fixtures = path.resolve(import.meta.dirname, '../../../test/fixtures/imports');
const MAX_BYTES = 256 * 1024;

/** A browser stand-in: keeps cookies and the last CSRF token a page showed. */
class Browser {
  private readonly app: FastifyInstance;
  private readonly cookies = new Map<string, string>();
  csrf = '';
  constructor(app: FastifyInstance) {
    this.app = app;
  }
  private cookieHeader() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
  private keep(response: LightMyRequestResponse) {
    for (const cookie of response.cookies as Array<{ name: string; value: string }>) {
      if (cookie.value === '') this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    const token = /name="_csrf" value="([^"]+)"/.exec(response.body);
    if (token) this.csrf = token[1]!;
    return response;
  }
  async get(url: string) {
    return this.keep(await this.app.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader() } }));
  }
  async post(url: string, fields: Record<string, string>, options: { csrf?: boolean } = {}) {
    const form = new URLSearchParams(fields);
    if (options.csrf !== false) form.set('_csrf', this.csrf);
    return this.keep(
      await this.app.inject({ method: 'POST', url, payload: form.toString(), headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' } }),
    );
  }
  /** A multipart upload built the way a browser builds it: the CSRF field first, then the file. */
  async upload(filename: string, bytes: Uint8Array, options: { csrf?: boolean; json?: boolean; type?: string } = {}) {
    const form = new FormData();
    if (options.csrf !== false) form.append('_csrf', this.csrf);
    form.append('file', new Blob([new Uint8Array(bytes)], { type: options.type ?? 'application/octet-stream' }), filename);
    const request = new Request('http://localhost/imports', { method: 'POST', body: form });
    const payload = Buffer.from(await request.arrayBuffer());
    return this.keep(
      await this.app.inject({
        method: 'POST',
        url: '/imports',
        payload,
        headers: {
          cookie: this.cookieHeader(),
          'content-type': request.headers.get('content-type')!,
          ...(options.json ? { accept: 'application/json' } : {}),
        },
      }),
    );
  }
  async signIn(email: string) {
    await this.get('/sign-in');
    const response = await this.post('/sign-in', { email, password: PASSWORD });
    assert.equal(response.statusCode, 302, `sign-in as ${email}`);
    return response;
  }
}

async function tableCounts(database: TestDatabase): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of ['pupils', 'sen_changes', 'contacts', 'import_batches', 'import_mappings'] as const) {
    const row = await database.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
    counts[table] = Number(row.count);
  }
  return counts;
}

describeEachDialect('imports over HTTP', (getDatabase) => {
  let app: FastifyInstance;
  let ctx: AppContext;
  const schools = { a: '', b: '' };

  before(async () => {
    const database = getDatabase();
    const built = await buildApp({ config: testConfig({ importMaxBytes: MAX_BYTES }), database, audit: new AuditLog(database, { flushEveryMs: 1 }), logger: false });
    app = built.app;
    ctx = built.ctx;
    await app.ready();
    const now = new Date().toISOString();
    for (const [key, urn] of [['a', '300001'], ['b', '300002']] as const) {
      schools[key] = newId();
      await database.db.insertInto('schools').values({ id: schools[key], name: `Hill ${key.toUpperCase()} School`, urn, laestab: '8814002', la_name: 'Northshire', phase: 'secondary', created_at: now }).execute();
    }
    const users: Array<[string, string, Role]> = [
      ['senco-a@example.org', schools.a, 'senco'],
      ['senco-b@example.org', schools.b, 'senco'],
      ['teacher-a@example.org', schools.a, 'teacher'],
    ];
    for (const [email, schoolId, role] of users) {
      await createUser(ctx, { email, displayName: email.split('@')[0]!, password: PASSWORD, schoolId, role, actorLabel: 'test' });
    }
  });

  after(async () => {
    await app?.close();
  });

  it('takes a CTF from upload to preview to confirmed import', async () => {
    const browser = new Browser(app);
    const anonymous = await browser.get('/imports');
    assert.equal(anonymous.statusCode, 302);
    assert.match(String(anonymous.headers.location), /^\/sign-in/);
    await browser.signIn('senco-a@example.org');
    const start = await browser.get('/imports');
    assert.equal(start.statusCode, 200);
    assert.match(start.body, /No files have been imported yet/);
    assert.match(start.body, /enctype="multipart\/form-data"/);
    assert.ok(start.body.indexOf('name="_csrf"', start.body.indexOf('id="import-upload-form"')) < start.body.indexOf('type="file"'), 'the CSRF field comes before the file');
    assert.match(start.body, /<script type="module" src="\/assets\/import-upload.js" nonce="[^"]+"><\/script>/);

    const xml = makeCtf({ pupils: 20, dest: { lea: '881', estab: '4002', urn: '300001' }, customise: (pupil, index) => (index === 1 ? { ...pupil, upn: 'X801200005001' } : pupil) });
    const uploaded = await browser.upload('8814001_CTF_8814002_001.xml', new TextEncoder().encode(xml), { type: 'text/xml' });
    assert.equal(uploaded.statusCode, 303, uploaded.body);
    const location = String(uploaded.headers.location);
    assert.match(location, /^\/imports\/[0-9a-f-]{36}$/);

    const preview = await browser.get(location);
    assert.equal(preview.statusCode, 200);
    assert.match(preview.body, /Check the import before you confirm it/);
    assert.match(preview.body, /Ashfield &amp; District Academy \(URN 100001; LA 881, establishment 4001\)/);
    assert.match(preview.body, /Common Transfer File \(CTF\), version 25\.0/);
    assert.match(preview.body, /<span class="app-count-card__number">19<\/span><span class="app-count-card__label">new pupils/);
    assert.match(preview.body, /<span class="app-count-card__number">1<\/span><span class="app-count-card__label">rejected: will be skipped/);
    assert.match(preview.body, /Pupil 2<\/td>\s*<td[^>]*>X801200005001<\/td>/);
    assert.match(preview.body, /UPN check letter does not match the rest of the UPN/);
    assert.match(preview.body, /1 rejected pupil will be skipped/);
    assert.match(preview.body, /Confirm and import \(skip 1 rejected\)/);

    const csv = await browser.get(`${location}/rejected.csv`);
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    assert.match(csv.body, /Pupil \(position in file\),UPN,Name,Field,Reason\r\n2,X801200005001,/);

    const confirmed = await browser.post(`${location}/confirm`, {});
    assert.equal(confirmed.statusCode, 303);
    assert.equal(confirmed.headers.location, location);
    const result = await browser.get(location);
    assert.match(result.body, /Import complete/);
    assert.match(result.body, /19 new, 0 updated, 0 unchanged, 1 rejected rows skipped/);
    const pupils = await getDatabase().db.selectFrom('pupils').select('id').where('school_id', '=', schools.a).execute();
    assert.equal(pupils.length, 19);

    const again = await browser.post(`${location}/confirm`, {});
    assert.equal(again.statusCode, 409);
    assert.match(again.body, /already been confirmed/);

    const list = await browser.get('/imports');
    assert.match(list.body, /8814001_CTF_8814002_001\.xml/);
    assert.match(list.body, /Imported\s*<\/strong>/);
    assert.match(list.body, /19 new, 0 updated, 0 unchanged, 1 skipped/);
  });

  it('answers the upload script with JSON: where to go next, or what is wrong', async () => {
    const browser = new Browser(app);
    await browser.signIn('senco-a@example.org');
    await browser.get('/imports');
    const ok = await browser.upload('again.xml', new TextEncoder().encode(makeCtf({ pupils: 3 })), { json: true });
    assert.equal(ok.statusCode, 200);
    assert.match(JSON.parse(ok.body).location, /^\/imports\/[0-9a-f-]{36}$/);
    const bad = await browser.upload('xxe.xml', fs.readFileSync(path.join(fixtures, 'xxe.xml')), { json: true });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(JSON.parse(bad.body).errors[0].href, '#file');
    assert.match(JSON.parse(bad.body).errors[0].text, /entity declaration/);
  });

  it('refuses hostile, empty and oversized files with a clear page, and saves nothing', async () => {
    const browser = new Browser(app);
    await browser.signIn('senco-a@example.org');
    await browser.get('/imports');
    const before = await tableCounts(getDatabase());
    for (const name of ['xxe.xml', 'billion-laughs.xml', 'truncated.xml']) {
      const response = await browser.upload(name, fs.readFileSync(path.join(fixtures, name)));
      assert.equal(response.statusCode, 400, name);
      assert.match(response.body, /There is a problem/);
      assert.match(response.body, /href="#file"/);
      assert.match(response.body, name === 'truncated.xml' ? /The file is incomplete/ : /entity declaration/);
    }
    const binary = await browser.upload('photo.xml', new Uint8Array([0x3c, 0x00, 0x01, 0x02]));
    assert.match(binary.body, /binary data \(NUL bytes\)/);
    const none = await browser.upload('', new Uint8Array());
    assert.equal(none.statusCode, 400);
    assert.match(none.body, /Select a CTF, CSV or Excel file to import/);

    const big = makeCtf({ pupils: 200 });
    assert.ok(big.length > MAX_BYTES);
    const tooLarge = await browser.upload('big.xml', new TextEncoder().encode(big));
    assert.equal(tooLarge.statusCode, 413);
    assert.match(tooLarge.body, /The file was not imported/);
    assert.match(tooLarge.body, /larger than 256 KB, the largest file this server accepts/);
    const tooLargeJson = await browser.upload('big.xml', new TextEncoder().encode(big), { json: true });
    assert.equal(tooLargeJson.statusCode, 413);
    assert.match(JSON.parse(tooLargeJson.body).errors[0].text, /larger than 256 KB/);
    assert.deepEqual(await tableCounts(getDatabase()), before);
  });

  it('needs the form’s CSRF token, the import permission and the same school', async () => {
    const senco = new Browser(app);
    await senco.signIn('senco-a@example.org');
    await senco.get('/imports');
    const forged = await senco.upload('a.xml', new TextEncoder().encode(makeCtf({ pupils: 2 })), { csrf: false });
    assert.equal(forged.statusCode, 403);
    const uploaded = await senco.upload('a.xml', new TextEncoder().encode(makeCtf({ pupils: 2 })));
    const location = String(uploaded.headers.location);

    const teacher = new Browser(app);
    await teacher.signIn('teacher-a@example.org');
    assert.equal((await teacher.get('/imports')).statusCode, 403);
    assert.equal((await teacher.get(location)).statusCode, 403);

    const other = new Browser(app);
    await other.signIn('senco-b@example.org');
    await other.get('/imports');
    assert.equal((await other.get(location)).statusCode, 404);
    assert.equal((await other.post(`${location}/confirm`, {})).statusCode, 404);
    assert.equal((await other.post(`${location}/discard`, {})).statusCode, 404);
    assert.equal((await other.get(`${location}/rejected.csv`)).statusCode, 404);
    assert.doesNotMatch((await other.get('/imports')).body, /a\.xml/);
    const batch = await getDatabase().db.selectFrom('import_batches').select('status').where('id', '=', location.split('/').pop()!).executeTakeFirstOrThrow();
    assert.equal(batch.status, 'previewed');
  });

  it('matches a spreadsheet’s columns, then previews it; and a batch can be discarded', async () => {
    const browser = new Browser(app);
    await browser.signIn('senco-a@example.org');
    await browser.get('/imports');
    const uploaded = await browser.upload('register-mixed.csv', fs.readFileSync(path.join(fixtures, 'register-mixed.csv')), { type: 'text/csv' });
    assert.equal(uploaded.statusCode, 303);
    const mappingUrl = String(uploaded.headers.location);
    assert.match(mappingUrl, /\/mapping$/);
    const form = await browser.get(mappingUrl);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /Match the columns/);
    assert.match(form.body, /The first 5 rows of your file/);
    assert.match(form.body, /<option value="4" selected>DOB \(column E\)<\/option>/);
    assert.match(form.body, /<td class="govuk-table__cell">O&#39;Connor<\/td>/);

    const fields: Record<string, string> = {};
    for (const match of form.body.matchAll(/<select class="govuk-select[^"]*" id="(map-[A-Za-z]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
      const selected = /<option value="([^"]*)" selected>/.exec(match[2]!);
      fields[match[1]!] = selected ? selected[1]! : '';
    }
    assert.equal(fields['map-legalSurname'], '1');
    const missing = await browser.post(mappingUrl, { ...fields, 'map-legalSurname': '' });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.body, /There is a problem/);
    assert.match(missing.body, /<a href="#map-legalSurname">Choose the column that holds the legal surname<\/a>/);

    const mapped = await browser.post(mappingUrl, fields);
    assert.equal(mapped.statusCode, 303);
    const preview = await browser.get(String(mapped.headers.location));
    assert.match(preview.body, /Row 6<\/td>/);
    assert.match(preview.body, /UPN J881200001001 appears more than once in the file \(rows 7 and 8\)/);
    assert.match(preview.body, /5 rejected rows will not be imported/);

    const discarded = await browser.post(`${String(mapped.headers.location)}/discard`, {});
    assert.equal(discarded.statusCode, 303);
    assert.equal(discarded.headers.location, '/imports');
    const list = await browser.get('/imports');
    assert.match(list.body, /Import discarded: nothing was changed/);
    assert.match(list.body, /Discarded\s*<\/strong>/);
  });
});
