import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { BuiltApp } from '../../app.ts';
import { buildTestApp } from '../../../test/support/app.ts';
import { describeEachDialect } from '../../../test/support/databases.ts';
import { FIXTURE_PASSWORD, seedFixture, type Fixture } from '../../../test/support/fixtures.ts';
import { TestClient } from '../../../test/support/http.ts';

describeEachDialect('changing your own password', (getDatabase) => {
  let built: BuiltApp;
  let fixture: Fixture;
  before(async () => {
    fixture = await seedFixture(getDatabase());
    built = await buildTestApp(getDatabase());
  });
  after(async () => {
    await built.app.close();
  });

  it('checks the current password, refuses a weak or mistyped new one, then signs out other sessions', async () => {
    const email = fixture.schoolA.users.teacher.email;
    const elsewhere = new TestClient(built.app);
    await elsewhere.signIn(email);
    const client = new TestClient(built.app);
    await client.signIn(email);
    await client.get('/account/password');
    const wrong = await client.post('/account/password', { currentPassword: 'not it at all', newPassword: 'a brand new long password', confirmPassword: 'a brand new long password' });
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /Your current password is not right/);
    const weak = await client.post('/account/password', { currentPassword: FIXTURE_PASSWORD, newPassword: 'short', confirmPassword: 'short' });
    assert.match(weak.body, /at least 12 characters/);
    const mismatch = await client.post('/account/password', { currentPassword: FIXTURE_PASSWORD, newPassword: 'a brand new long password', confirmPassword: 'a brand new long pasword' });
    assert.match(mismatch.body, /The passwords do not match/);
    assert.doesNotMatch(mismatch.body, /a brand new long password/, 'passwords are never echoed back');
    const changed = await client.post('/account/password', { currentPassword: FIXTURE_PASSWORD, newPassword: 'a brand new long password', confirmPassword: 'a brand new long password' });
    assert.equal(changed.statusCode, 302);
    assert.equal((await client.get('/my-pupils')).statusCode, 200, 'this session carries on');
    assert.equal((await elsewhere.get('/my-pupils')).statusCode, 302, 'the other session has ended');
    const again = new TestClient(built.app);
    await again.signIn(email, 'a brand new long password');
  });
});
