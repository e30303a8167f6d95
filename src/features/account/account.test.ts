import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BuiltApp } from '../../app.ts';
import { hashToken } from '../../platform/auth/service.ts';
import { describeEachDialect } from '../../../test/support/databases.ts';
import { buildTestApp, seedApiFixture, TEST_PASSWORD, TestClient, tokenFor, type ApiFixture } from '../api/test-fixtures.ts';

const TOKEN_PATTERN = /sdk_[A-Za-z0-9_-]{40,}/g;

describeEachDialect('Your account and personal API tokens', (getDatabase) => {
  describe('over HTTP', () => {
    let built: BuiltApp;
    let fixture: ApiFixture;

    const signedIn = async (email: string) => {
      const client = new TestClient(built.app);
      await client.signIn(email, TEST_PASSWORD);
      return client;
    };
    const createToken = async (client: TestClient, fields: Record<string, string>) => {
      await client.get('/account');
      return client.post('/account/tokens', fields);
    };
    const apiStatus = async (token: string) =>
      (await built.app.inject({ method: 'GET', url: '/api/v1/register', headers: { authorization: `Bearer ${token}` } })).statusCode;

    before(async () => {
      built = await buildTestApp(getDatabase());
      fixture = await seedApiFixture(built.ctx);
    });
    after(async () => {
      await built.app.close();
    });

    it('asks a visitor to sign in first', async () => {
      const response = await built.app.inject({ method: 'GET', url: '/account' });
      assert.equal(response.statusCode, 302);
      assert.equal(response.headers.location, '/sign-in?returnTo=%2Faccount');
    });

    it('shows the person, their schools and roles, and an empty list of tokens', async () => {
      const client = await signedIn(fixture.users.senco.email);
      const page = await client.get('/account');
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<h1 class="govuk-heading-l">Your account<\/h1>/);
      assert.match(page.body, /Sam Senco/);
      assert.match(page.body, /senco@ashgrove\.test/);
      assert.match(page.body, /Ashgrove Academy: SENCO/);
      assert.match(page.body, /Birchfield School: Senior leader/);
      assert.match(page.body, /Schools and roles/);
      assert.match(page.body, /<a class="govuk-link" href="\/switch-school">Switch school<\/a>/);
      assert.match(page.body, /You have not created any API tokens/);
      assert.match(page.body, /name="expiresInDays" type="radio" value="30"/);
      assert.match(page.body, /value="never"/);

      const teacher = await signedIn(fixture.users.teacher.email);
      const single = await teacher.get('/account');
      assert.match(single.body, /School and role/);
      assert.match(single.body, /Ashgrove Academy: Teacher/);
      assert.doesNotMatch(single.body, /switch-school/, 'one school: nothing to switch to');
    });

    it('explains what is missing from the form, with links to the fields', async () => {
      const client = await signedIn(fixture.users.teacher.email);
      const response = await createToken(client, { name: '  ', expiresInDays: '' });
      assert.equal(response.statusCode, 400);
      assert.match(response.body, /<title>Error: Your account/);
      assert.match(response.body, /govuk-error-summary/);
      assert.match(response.body, /<a href="#name">Enter a name for the token/);
      assert.match(response.body, /<a href="#expiresInDays">Choose when the token expires<\/a>/);
      assert.match(response.body, /id="name"/);
      assert.match(response.body, /id="expiresInDays"/, 'the first radio carries the id the summary links to');

      const tooLong = await client.post('/account/tokens', { name: 'x'.repeat(101), expiresInDays: '90' });
      assert.equal(tooLong.statusCode, 400);
      assert.match(tooLong.body, /Token name must be 100 characters or fewer/);
      assert.match(tooLong.body, /value="90" checked/, 'the choice made is kept');

      const unknownExpiry = await client.post('/account/tokens', { name: 'Script', expiresInDays: '7' });
      assert.equal(unknownExpiry.statusCode, 400);
      assert.match(unknownExpiry.body, /Choose when the token expires/);
      assert.match(unknownExpiry.body, /value="Script"/);
      const count = await built.ctx.db.selectFrom('api_tokens').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', fixture.users.teacher.id).executeTakeFirst();
      assert.equal(Number(count?.n), 0);
    });

    it('shows a new token once, keeps only its hash, and lists it afterwards by its last four characters', async () => {
      const client = await signedIn(fixture.users.senco.email);
      const created = await createToken(client, { name: 'Reporting script', expiresInDays: '90' });
      assert.equal(created.statusCode, 200);
      assert.equal(created.headers['cache-control'], 'no-store');
      assert.match(created.body, /Your new API token/);
      assert.match(created.body, /Copy the token now/);
      assert.match(created.body, /You will not be able to see it again/);
      const shown = [...new Set(created.body.match(TOKEN_PATTERN))];
      assert.equal(shown.length, 1, 'the page shows one token');
      const token = shown[0]!;

      const row = await built.ctx.db.selectFrom('api_tokens').selectAll().where('user_id', '=', fixture.users.senco.id).where('name', '=', 'Reporting script').executeTakeFirstOrThrow();
      assert.equal(row.token_hash, hashToken(token));
      assert.notEqual(row.token_hash, token);
      assert.equal(row.token_hint, token.slice(-4));
      assert.equal(row.school_id, fixture.schoolA.id);
      const days = Math.round((new Date(row.expires_at!).getTime() - new Date(row.created_at).getTime()) / 86_400_000);
      assert.equal(days, 90);

      const listed = await client.get('/account');
      assert.doesNotMatch(listed.body, TOKEN_PATTERN, 'never shown again');
      assert.doesNotMatch(listed.body, new RegExp(token.slice(4, 20)));
      assert.match(listed.body, /Reporting script/);
      assert.match(listed.body, new RegExp(`…${token.slice(-4).replace(/[-_]/g, '\\$&')}`));
      assert.match(listed.body, /govuk-tag--green[^>]*>\s*Active/);
      assert.doesNotMatch(listed.body, /You have not created any API tokens/);

      // The token reads the register as its owner, and the list then shows when it was last used.
      assert.equal(await apiStatus(token), 200);
      const used = await client.get('/account');
      const rowHtml = used.body.slice(used.body.indexOf('Reporting script'));
      assert.match(rowHtml.slice(0, rowHtml.indexOf('</tr>')), /\d{1,2} [A-Z][a-z]+ \d{4} at \d{1,2}:\d{2}[ap]m/, 'last used is shown');

      const audit = await built.ctx.db.selectFrom('audit_events').select(['action', 'actor_user_id']).where('action', '=', 'api-token.created').execute();
      assert.ok(audit.some((event) => event.actor_user_id === fixture.users.senco.id));
    });

    it('makes a token that never expires when asked', async () => {
      const client = await signedIn(fixture.users.governor.email);
      const created = await createToken(client, { name: 'Dashboard', expiresInDays: 'never' });
      assert.equal(created.statusCode, 200);
      const row = await built.ctx.db.selectFrom('api_tokens').selectAll().where('user_id', '=', fixture.users.governor.id).executeTakeFirstOrThrow();
      assert.equal(row.expires_at, null);
      const listed = await client.get('/account');
      assert.match(listed.body, /Dashboard/);
    });

    it('revokes a token after asking, and the token stops working', async () => {
      const client = await signedIn(fixture.users.senco.email);
      const created = await createToken(client, { name: 'Old integration', expiresInDays: '30' });
      const token = created.body.match(TOKEN_PATTERN)![0];
      const row = await built.ctx.db.selectFrom('api_tokens').select('id').where('token_hash', '=', hashToken(token)).executeTakeFirstOrThrow();
      assert.equal(await apiStatus(token), 200);

      const listed = await client.get('/account');
      assert.match(listed.body, new RegExp(`href="/account/tokens/${row.id}/revoke">Revoke<span class="govuk-visually-hidden"> the token Old integration`));

      const confirm = await client.get(`/account/tokens/${row.id}/revoke`);
      assert.equal(confirm.statusCode, 200);
      assert.match(confirm.body, /Are you sure you want to revoke ‘Old integration’\?/);
      assert.match(confirm.body, new RegExp(`action="/account/tokens/${row.id}/revoke"`));
      assert.equal(await apiStatus(token), 200, 'asking is not revoking');

      const forged = await client.post(`/account/tokens/${row.id}/revoke`, {}, { csrf: 'not-the-token' });
      assert.equal(forged.statusCode, 403, 'a revocation needs the session’s CSRF token');
      assert.equal(await apiStatus(token), 200);

      const revoked = await client.post(`/account/tokens/${row.id}/revoke`);
      assert.equal(revoked.statusCode, 302);
      assert.equal(revoked.headers.location, '/account');
      assert.equal(await apiStatus(token), 401);

      const after = await client.get('/account');
      assert.match(after.body, /The token ‘Old integration’ has been revoked/);
      assert.match(after.body, /govuk-tag--grey[^>]*>\s*Revoked/);
      assert.doesNotMatch(after.body, new RegExp(`/account/tokens/${row.id}/revoke`), 'nothing left to revoke');

      const again = await client.get(`/account/tokens/${row.id}/revoke`);
      assert.equal(again.statusCode, 302);
      assert.match((await client.get('/account')).body, /has already been revoked/);

      const audit = await built.ctx.db.selectFrom('audit_events').select(['detail']).where('action', '=', 'api-token.revoked').execute();
      assert.ok(audit.some((event) => (event.detail ?? '').includes(row.id)));
    });

    it('shows an expired token as expired', async () => {
      const client = await signedIn(fixture.users.parent.email);
      const token = await tokenFor(built.ctx, fixture.users.parent, 30);
      await built.ctx.db.updateTable('api_tokens').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('token_hash', '=', hashToken(token)).execute();
      const row = await built.ctx.db.selectFrom('api_tokens').select('id').where('token_hash', '=', hashToken(token)).executeTakeFirstOrThrow();
      const listed = await client.get('/account');
      assert.match(listed.body, /govuk-tag--yellow[^>]*>\s*Expired/);
      assert.doesNotMatch(listed.body, new RegExp(`/account/tokens/${row.id}/revoke`), 'an expired token has nothing left to revoke');
    });

    it('never shows or revokes someone else’s token', async () => {
      const token = await tokenFor(built.ctx, fixture.users.sencoB);
      const row = await built.ctx.db.selectFrom('api_tokens').select('id').where('token_hash', '=', hashToken(token)).executeTakeFirstOrThrow();
      const client = await signedIn(fixture.users.teacher.email);
      const page = await client.get('/account');
      assert.doesNotMatch(page.body, new RegExp(row.id));
      assert.equal((await client.get(`/account/tokens/${row.id}/revoke`)).statusCode, 404);
      assert.equal((await client.post(`/account/tokens/${row.id}/revoke`)).statusCode, 404);
      assert.equal(
        (await built.app.inject({ method: 'GET', url: '/api/v1/overview', headers: { authorization: `Bearer ${token}` } })).statusCode,
        200,
        'still works for its owner',
      );
    });
  });
});
