// A contribution link reaches only its own form (one pupil, one school), only until it expires, and
// only once (issue 3). Links are made through the real pages, as a SENCO makes them, in two schools.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BuiltApp } from '../src/app.ts';
import { replaceContacts } from '../src/features/register/repository.ts';
import { hashLinkToken } from '../src/features/voice/links.ts';
import { newId } from '../src/platform/ids.ts';
import { schoolScope } from '../src/platform/scope.ts';
import { insertTestCycle, linksOnPage } from '../src/features/voice/test-support.ts';
import { buildTestApp } from './support/app.ts';
import { createTestDatabase, type TestDatabase } from './support/databases.ts';
import { seedFixture, type Fixture } from './support/fixtures.ts';
import { TestClient } from './support/http.ts';

/** Everything a link page must never show: surnames, other pupils and the other school. */
const NEVER_ON_SCHOOL_A_LINK = ["O'Connor", 'O&#39;Connor', 'Kowalczyk', 'Tomasz', 'Shah', 'Priya', 'Aoife', 'Nowak-Smith', 'Adebayo', 'Patel', 'Beechwood', 'SLCN', 'Speech', 'UPN', '2014'];

describe('contribution links: their own form, until they expire, once', () => {
  let database: TestDatabase;
  let built: BuiltApp;
  let fixture: Fixture;
  const links: Record<'a' | 'aPupil' | 'b', string> = { a: '', aPupil: '', b: '' };
  const cycles: Record<'a' | 'b', string> = { a: '', b: '' };

  const tokenOf = (path: string) => path.split('/').pop()!;
  const row = (path: string) => database.db.selectFrom('contribution_requests').selectAll().where('token_hash', '=', hashLinkToken(tokenOf(path))).executeTakeFirstOrThrow();

  const makeLinks = async (school: 'schoolA' | 'schoolB', recipients: (contact: string) => string[]) => {
    const senco = new TestClient(built.app);
    await senco.signIn(fixture[school].users.senco.email);
    const cycle = await insertTestCycle(database.db, fixture[school].id, fixture[school].taughtPupilId);
    const path = `/pupils/${fixture[school].taughtPupilId}/plans/${cycle}/contributions`;
    const contact = /value="(contact:[^"]+)"/.exec((await senco.get(path)).body)![1]!;
    const response = await senco.post(path, { recipients: recipients(contact), expiryDays: '14' });
    assert.equal(response.statusCode, 200);
    return { cycle, links: linksOnPage(response.body), senco, path };
  };

  before(async () => {
    database = await createTestDatabase('sqlite');
    fixture = await seedFixture(database);
    built = await buildTestApp(database);
    const a = await makeLinks('schoolA', (contact) => [contact, 'pupil']);
    [links.a, links.aPupil] = a.links as [string, string];
    cycles.a = a.cycle;
    const b = await makeLinks('schoolB', (contact) => [contact]);
    links.b = b.links[0]!;
    cycles.b = b.cycle;
  });
  after(async () => {
    await built.app.close();
    await database.close();
  });

  it('opens one form for one pupil: the first name and school of its own request, nothing else', async () => {
    const a = await new TestClient(built.app).get(links.a);
    assert.equal(a.statusCode, 200);
    assert.match(a.body, /Your views about Zoë/);
    assert.match(a.body, /Ashfield Academy/);
    for (const text of NEVER_ON_SCHOOL_A_LINK) assert.ok(!a.body.includes(text), `the link page shows “${text}”`);
    assert.deepEqual([...a.body.matchAll(/<form[^>]*action="([^"]+)"/g)].map((match) => match[1]), [links.a], 'its one form posts back to its own link');

    const b = await new TestClient(built.app).get(links.b);
    assert.match(b.body, /Your views about Aoife/);
    assert.match(b.body, /Beechwood School/);
    assert.ok(!b.body.includes('Zoë') && !b.body.includes('Ashfield'));
  });

  it('lands answers on its own request only, whatever else the form is sent', async () => {
    const parent = new TestClient(built.app);
    await parent.get(links.a);
    const [beforeB, beforePupil] = [await row(links.b), await row(links.aPupil)];
    const sent = await parent.post(links.a, {
      'answer-going-well': 'Art club', action: 'send',
      // Fields a tamperer might add: none of them is read.
      pupilId: fixture.schoolB.taughtPupilId, requestId: beforeB.id, cycleId: cycles.b, schoolId: fixture.schoolB.id, token: tokenOf(links.b),
    });
    assert.equal(sent.statusCode, 303);
    const mine = await row(links.a);
    assert.equal(mine.pupil_id, fixture.schoolA.taughtPupilId);
    assert.equal(mine.school_id, fixture.schoolA.id);
    assert.equal(JSON.parse(mine.answers!)['going-well'], 'Art club');
    assert.deepEqual({ ...(await row(links.b)) }, { ...beforeB }, 'the other school’s request is untouched');
    assert.deepEqual({ ...(await row(links.aPupil)) }, { ...beforePupil }, 'the pupil’s own request is untouched');
  });

  it('works once: after its answers are sent it opens nothing and stores nothing more', async () => {
    const again = new TestClient(built.app);
    const page = await again.get(links.a);
    assert.equal(page.statusCode, 410);
    assert.match(page.body, /already been sent/);
    for (const text of ['Zoë', 'Ashfield', ...NEVER_ON_SCHOOL_A_LINK]) assert.ok(!page.body.includes(text), `a used link shows “${text}”`);
    await again.get('/sign-in'); // a form's CSRF token, as a browser holding the old form would have
    const resend = await again.post(links.a, { 'answer-going-well': 'Changed my mind', action: 'send' });
    assert.equal(resend.statusCode, 410);
    assert.equal(JSON.parse((await row(links.a)).answers!)['going-well'], 'Art club');
  });

  it('works only until it expires: then it shows nothing and stores nothing', async () => {
    const client = new TestClient(built.app);
    const open = await client.get(links.b);
    assert.equal(open.statusCode, 200);
    await database.db.updateTable('contribution_requests').set({ expires_at: new Date(Date.now() - 1).toISOString() }).where('token_hash', '=', hashLinkToken(tokenOf(links.b))).execute();
    const expired = await client.get(links.b);
    assert.equal(expired.statusCode, 410);
    assert.match(expired.body, /This link has expired/);
    assert.ok(!expired.body.includes('Aoife') && !expired.body.includes('Beechwood'));
    // A form opened before the expiry cannot be sent after it.
    const late = await client.post(links.b, { 'answer-going-well': 'Late', action: 'send' });
    assert.equal(late.statusCode, 410);
    assert.equal((await row(links.b)).submitted_at, null);
  });

  it('stops working the moment the school sends a new link, and the new one reaches the same form', async () => {
    const senco = new TestClient(built.app);
    await senco.signIn(fixture.schoolA.users.senco.email);
    const { id } = await row(links.aPupil);
    const resent = await senco.post(`/pupils/${fixture.schoolA.taughtPupilId}/plans/${cycles.a}/contributions/${id}/resend`);
    const [fresh] = linksOnPage(resent.body);
    assert.ok(fresh && fresh !== links.aPupil);
    const old = await new TestClient(built.app).get(links.aPupil);
    assert.equal(old.statusCode, 410);
    assert.match(old.body, /replaced/);
    assert.ok(!old.body.includes('Zoë'));
    const page = await new TestClient(built.app).get(fresh);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Hello Zoë/);
  });

  it('stops working once the plan has been reviewed: the views were for a review that has happened', async () => {
    const senco = new TestClient(built.app);
    await senco.signIn(fixture.schoolA.users.senco.email);
    const path = `/pupils/${fixture.schoolA.taughtPupilId}/plans/${cycles.a}/contributions`;
    await senco.get(path);
    const [fresh] = linksOnPage((await senco.post(path, { recipients: ['pupil'], expiryDays: '14' })).body);
    assert.equal((await new TestClient(built.app).get(fresh!)).statusCode, 200);
    await database.db.updateTable('support_cycles').set({ status: 'closed' }).where('id', '=', cycles.a).execute();
    try {
      const closed = await new TestClient(built.app).get(fresh!);
      assert.equal(closed.statusCode, 410);
      assert.ok(!closed.body.includes('Zoë') && !closed.body.includes('Ashfield'));
    } finally {
      await database.db.updateTable('support_cycles').set({ status: 'open' }).where('id', '=', cycles.a).execute();
    }
  });

  it('opens nothing for a link altered by one character, or for anything that is not a link', async () => {
    const token = tokenOf(links.aPupil);
    const altered = `/contribute/${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    for (const path of [altered, '/contribute/x', `/contribute/${hashLinkToken(token)}`, `/contribute/${token.toUpperCase()}`]) {
      const response = await new TestClient(built.app).get(path);
      assert.ok([404, 410].includes(response.statusCode), `${path} → ${response.statusCode}`);
      assert.ok(!response.body.includes('Zoë') && !response.body.includes('Ashfield'));
    }
  });

  it('gives a signed-in member of another school nothing more than the form itself', async () => {
    const other = new TestClient(built.app);
    await other.signIn(fixture.schoolB.users.senco.email);
    // Their own school's list does not show school A's requests, and A's cycle page is not found.
    const list = await other.get('/plans/contributions');
    assert.ok(!list.body.includes('Zoë'));
    const page = await other.get(`/pupils/${fixture.schoolA.taughtPupilId}/plans/${cycles.a}/contributions`);
    assert.ok([403, 404].includes(page.statusCode));
    assert.ok(!page.body.includes('Zoë'));
  });
  it('stops working for a parent once the register no longer gives them parental responsibility', async () => {
    const senco = new TestClient(built.app);
    await senco.signIn(fixture.schoolB.users.senco.email);
    const path = `/pupils/${fixture.schoolB.taughtPupilId}/plans/${cycles.b}/contributions`;
    const contact = /value="(contact:[^"]+)"/.exec((await senco.get(path)).body)![1]!;
    const [parentLink, pupilLink] = linksOnPage((await senco.post(path, { recipients: [contact, 'pupil'], expiryDays: '14' })).body);
    assert.ok(parentLink && pupilLink);
    const scope = schoolScope(fixture.schoolB.id);
    const pupilId = fixture.schoolB.taughtPupilId;
    const saved = await database.db.selectFrom('contacts').selectAll().where('school_id', '=', fixture.schoolB.id).where('pupil_id', '=', pupilId).execute();
    const reimport = (change: { parental_responsibility?: number }) =>
      replaceContacts(database.db, scope, pupilId, saved.map(({ school_id: _school, pupil_id: _pupil, ...contact }) => ({ ...contact, ...change, id: newId() })));
    try {
      await reimport({});
      assert.equal((await new TestClient(built.app).get(parentLink)).statusCode, 200, 'a re-import alone changes nothing');
      const client = new TestClient(built.app);
      assert.equal((await client.get(parentLink)).statusCode, 200);
      await reimport({ parental_responsibility: 0 });
      const closed = await new TestClient(built.app).get(parentLink);
      assert.equal(closed.statusCode, 410);
      assert.ok(!closed.body.includes('Aoife') && !closed.body.includes('Beechwood'));
      const late = await client.post(parentLink, { 'answer-going-well': 'Sent after', action: 'send' });
      assert.equal(late.statusCode, 410);
      assert.equal((await row(parentLink)).submitted_at, null);
      assert.equal((await new TestClient(built.app).get(pupilLink)).statusCode, 200, 'the pupil’s own link still works');
    } finally {
      await reimport({});
    }
  });
});
