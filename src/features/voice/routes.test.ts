// The voice pages through HTTP: requesting views and seeing each link once with its letter, the list
// of replies awaited, and the forms behind a link for a parent (one page) and a pupil (one question
// a page), with "check your answers", headers that keep the link private, and a limit on guessing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BuiltApp } from '../../app.ts';
import { buildTestApp } from '../../../test/support/app.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/support/databases.ts';
import { seedFixture, type Fixture } from '../../../test/support/fixtures.ts';
import { TestClient } from '../../../test/support/http.ts';
import { newId } from '../../platform/ids.ts';
import { hashLinkToken, newLinkToken } from './links.ts';
import { insertTestCycle, linksOnPage } from './test-support.ts';

describe('voice pages', () => {
  let database: TestDatabase;
  let built: BuiltApp;
  let fixture: Fixture;
  let senco: TestClient;
  let cycleId: string;
  let cyclePath: string;
  let contactValue: string;

  before(async () => {
    database = await createTestDatabase('sqlite');
    fixture = await seedFixture(database);
    built = await buildTestApp(database);
    cycleId = await insertTestCycle(database.db, fixture.schoolA.id, fixture.schoolA.taughtPupilId, { reviewDueOn: '2026-05-01' });
    cyclePath = `/pupils/${fixture.schoolA.taughtPupilId}/plans/${cycleId}/contributions`;
    senco = new TestClient(built.app);
    await senco.signIn(fixture.schoolA.users.senco.email);
    contactValue = /value="(contact:[^"]+)"/.exec((await senco.get(cyclePath)).body)![1]!;
  });
  after(async () => {
    await built.app.close();
    await database.close();
  });

  const request = async (recipients: string[], expiryDays = '14') => {
    const response = await senco.post(cyclePath, { recipients, expiryDays });
    assert.equal(response.statusCode, 200, response.body.slice(0, 500));
    return { response, links: linksOnPage(response.body) };
  };

  it('shows who may be asked, with no request yet, and says email is not set up', async () => {
    const page = await senco.get(cyclePath);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Nobody has been asked for their views for this plan yet/);
    assert.match(page.body, /Ms Maria Parent/);
    assert.match(page.body, /Zoë O&#39;Connor \(the pupil\)/);
    assert.match(page.body, /Email is not set up on this server/);
  });

  it('explains what to fix when nobody is chosen or the expiry is wrong', async () => {
    const response = await senco.post(cyclePath, { expiryDays: '90' });
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /govuk-error-summary/);
    assert.match(response.body, /href="#recipients">Select who you want to ask/);
    assert.match(response.body, /between 1 and 60 days/);
    assert.match(response.body, /value="90"/);
  });

  it('shows each new link once, with a letter naming the school, the first name, the last day, no account and single use', async () => {
    const { response, links } = await request([contactValue, 'pupil'], '7');
    assert.equal(links.length, 2);
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.equal(response.headers['referrer-policy'], 'no-referrer');
    assert.match(response.body, /shown only on this page/);
    assert.match(response.body, /nothing has been emailed/);
    assert.match(response.body, /data-copy="link-1"/);
    assert.match(response.body, /Your views about Zoë/);
    assert.match(response.body, /Hello Zoë/);
    assert.match(response.body, /Ashfield Academy/);
    assert.match(response.body, /You do not need an account or a password/);
    assert.match(response.body, /It works once/);
    assert.match(response.body, /It works until <strong>\d{1,2} [A-Z][a-z]+ \d{4}<\/strong>/);
    // The page that lists requests never shows a link again.
    const page = await senco.get(cyclePath);
    assert.deepEqual(linksOnPage(page.body), []);
    assert.ok(!page.body.includes(links[0]!));
    assert.match(page.body, /Awaiting reply/);
    assert.match(page.body, /Expires in 7 days; not opened yet/);
  });

  it('walks a parent through the form, check your answers and a change, keeps the answers verbatim, then closes the link', async () => {
    const { links } = await request([contactValue]);
    const parent = new TestClient(built.app);
    const form = await parent.get(links[0]!);
    assert.equal(form.statusCode, 200);
    assert.equal(form.headers['referrer-policy'], 'no-referrer');
    assert.equal(form.headers['cache-control'], 'no-store');
    assert.match(form.body, /Your views about Zoë/);
    assert.match(form.body, /What is going well/);
    assert.ok(!form.body.includes('Connor'), 'no surname');
    const opened = await database.db.selectFrom('contribution_requests').select('opened_at').where('token_hash', '=', hashLinkToken(links[0]!.split('/').pop()!)).executeTakeFirstOrThrow();
    assert.ok(opened.opened_at, 'opening is recorded');

    const empty = await parent.post(links[0]!, { action: 'check' });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /Answer at least one question/);

    const tooLong = await parent.post(links[0]!, { 'answer-worries': 'x'.repeat(5001), action: 'check' });
    assert.equal(tooLong.statusCode, 400);
    assert.match(tooLong.body, /5,000 characters or fewer\. It has 5,001/);

    const words = '  He is happier  since the\r\nreading group.  ';
    const check = await parent.post(links[0]!, { 'answer-going-well': words, action: 'check' });
    assert.equal(check.statusCode, 200);
    assert.match(check.body, /Check your answers/);
    assert.match(check.body, /Not answered/);
    const change = await parent.post(links[0]!, { 'answer-going-well': words, change: '1' });
    assert.match(change.body, /He is happier {2}since the/);
    const sent = await parent.post(links[0]!, { 'answer-going-well': '  He is happier  since the\nreading group.  ', 'answer-hopes': 'Reading for fun', action: 'send' });
    assert.equal(sent.statusCode, 303);
    assert.equal(sent.headers.location, '/contribute/thank-you');
    const thanks = await parent.get('/contribute/thank-you');
    assert.match(thanks.body, /Your views have been sent to the school/);

    const row = await database.db.selectFrom('contribution_requests').select(['answers', 'submitted_at']).where('token_hash', '=', hashLinkToken(links[0]!.split('/').pop()!)).executeTakeFirstOrThrow();
    assert.ok(row.submitted_at);
    assert.deepEqual(JSON.parse(row.answers!), { 'going-well': '  He is happier  since the\nreading group.  ', worries: '', 'at-home': '', hopes: 'Reading for fun' });
    const again = await parent.get(links[0]!);
    assert.equal(again.statusCode, 410);
    assert.match(again.body, /already been sent/);
    assert.ok(!again.body.includes('Zoë'));

    const page = await senco.get(cyclePath);
    assert.match(page.body, /Replied/);
    assert.match(page.body, /He is happier {2}since the\nreading group\./);
  });

  it('takes a pupil through one question a page, with skip and back, then check and send', async () => {
    const { links } = await request(['pupil']);
    const pupil = new TestClient(built.app);
    const first = await pupil.get(links[0]!);
    assert.match(first.body, /Question 1 of 5/);
    assert.match(first.body, /What are you good at\?/);
    assert.match(first.body, /Skip this question/);
    let page = await pupil.post(links[0]!, { step: '0', 'answer-good-at': 'football and drawing', action: 'next' });
    assert.match(page.body, /Question 2 of 5/);
    assert.match(page.body, /name="answer-good-at" value="football and drawing"/);
    page = await pupil.post(links[0]!, { step: '1', 'answer-good-at': 'football and drawing', 'answer-enjoy': 'not sure', action: 'skip' });
    assert.match(page.body, /Question 3 of 5/);
    page = await pupil.post(links[0]!, { step: '2', 'answer-good-at': 'football and drawing', 'answer-enjoy': '', 'answer-hard': '', action: 'back' });
    assert.match(page.body, /Question 2 of 5/);
    const fields = { 'answer-good-at': 'football and drawing', 'answer-enjoy': '', 'answer-hard': 'when its noisy', 'answer-helps': 'my ear defenders', 'answer-better-at': '' };
    page = await pupil.post(links[0]!, { ...fields, step: '4', action: 'skip' });
    assert.match(page.body, /Check my answers/);
    assert.match(page.body, /Skipped/);
    assert.match(page.body, /when its noisy/);
    const sent = await pupil.post(links[0]!, { ...fields, action: 'send' });
    assert.equal(sent.statusCode, 303);
    const row = await database.db.selectFrom('contribution_requests').select('answers').where('token_hash', '=', hashLinkToken(links[0]!.split('/').pop()!)).executeTakeFirstOrThrow();
    assert.equal(JSON.parse(row.answers!).hard, 'when its noisy');
  });

  it('says plainly when a link does not work, with no pupil data', async () => {
    const unknown = await new TestClient(built.app).get(`/contribute/${newLinkToken()}`);
    assert.equal(unknown.statusCode, 404);
    assert.match(unknown.body, /This link does not work/);
    assert.match(unknown.body, /contact the school/);
    assert.equal(unknown.headers['referrer-policy'], 'no-referrer');
    const malformed = await new TestClient(built.app).get('/contribute/not-a-token');
    assert.equal(malformed.statusCode, 404);
  });

  it('lists requests awaiting a reply and expired ones by review date, with filters, sorting, pagination and resend', async () => {
    await request(['pupil']);
    // A second pupil's plan due sooner, with 30 old requests that expired unanswered.
    const soonCycle = await insertTestCycle(database.db, fixture.schoolA.id, fixture.schoolA.otherPupilId, { reviewDueOn: '2026-03-01' });
    const past = new Date(Date.now() - 20 * 86_400_000).toISOString();
    for (let n = 0; n < 30; n++) {
      await database.db.insertInto('contribution_requests').values({
        school_id: fixture.schoolA.id, id: newId(), cycle_id: soonCycle, pupil_id: fixture.schoolA.otherPupilId, respondent: 'parent', contact_id: `c${n}`,
        recipient_name: `Carer ${String(n).padStart(2, '0')}`, recipient_email: null, template_id: 'x', token_hash: hashLinkToken(newLinkToken()), created_by: null,
        created_at: past, expires_at: new Date(Date.now() - 86_400_000).toISOString(), emailed_at: null, opened_at: null, submitted_at: null, answers: null, superseded_at: null,
      }).execute();
    }
    const list = await senco.get('/plans/contributions');
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /Contributions awaited/);
    assert.match(list.body, /aria-current="page"[^>]*>\s*Contributions|Contributions\s*<\/a>/);
    assert.match(list.body, /page 1 of 2/);
    assert.match(list.body, /govuk-pagination/);
    assert.ok(list.body.indexOf('Tomasz Kowalczyk') < list.body.indexOf('Zoë O&#39;Connor') || !list.body.includes('Zoë O&#39;Connor'), 'soonest review first');
    const awaiting = await senco.get('/plans/contributions?show=awaiting');
    assert.ok(!awaiting.body.includes('Carer 0'));
    assert.match(awaiting.body, /Zoë O&#39;Connor/);
    const pupils = await senco.get('/plans/contributions?respondent=pupil&show=expired');
    assert.match(pupils.body, /No request without a reply matches these filters/);
    const byPupil = await senco.get('/plans/contributions?sort=pupil&order=desc');
    assert.match(byPupil.body, /aria-sort="descending"/);
    assert.ok(byPupil.body.indexOf('Zoë O&#39;Connor') < byPupil.body.indexOf('Tomasz Kowalczyk'), 'O’Connor before Kowalczyk, descending');

    const requestId = /action="\/plans\/contributions\/([^/]+)\/resend"/.exec(list.body)![1]!;
    const resent = await senco.post(`/plans/contributions/${requestId}/resend`);
    assert.equal(resent.statusCode, 200);
    assert.equal(linksOnPage(resent.body).length, 1);
    assert.match(resent.body, /New link made/);
    const row = await database.db.selectFrom('contribution_requests').select('superseded_at').where('id', '=', requestId).executeTakeFirstOrThrow();
    assert.ok(row.superseded_at);
  });

  it('shows an empty list with what to do next', async () => {
    const other = new TestClient(built.app);
    await other.signIn(fixture.schoolB.users.senco.email);
    const list = await other.get('/plans/contributions');
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /nobody has been asked yet/);
  });

  it('is for the SENCO and SEN administrator only', async () => {
    const teacher = new TestClient(built.app);
    await teacher.signIn(fixture.schoolA.users.teacher.email);
    assert.equal((await teacher.get(cyclePath)).statusCode, 403);
    assert.equal((await teacher.get('/plans/contributions')).statusCode, 403);
    const admin = new TestClient(built.app);
    await admin.signIn(fixture.schoolA.users.sen_admin.email);
    assert.equal((await admin.get(cyclePath)).statusCode, 200);
  });

  it('resends from a plan’s page only that plan’s requests, never another pupil’s or another plan’s', async () => {
    await request(['pupil']);
    const requestId = /contributions\/([^/"]+)\/resend/.exec((await senco.get(cyclePath)).body)?.[1];
    assert.ok(requestId, 'a request to resend');
    const otherPupilCycle = await insertTestCycle(database.db, fixture.schoolA.id, fixture.schoolA.noSenPupilId, { status: 'closed', number: 1 });
    const earlierCycle = await insertTestCycle(database.db, fixture.schoolA.id, fixture.schoolA.taughtPupilId, { status: 'closed', number: 90 });
    for (const path of [
      `/pupils/${fixture.schoolA.noSenPupilId}/plans/${otherPupilCycle}/contributions/${requestId}/resend`,
      `/pupils/${fixture.schoolA.taughtPupilId}/plans/${earlierCycle}/contributions/${requestId}/resend`,
    ]) {
      const wrong = await senco.post(path);
      assert.equal(wrong.statusCode, 404, path);
      assert.deepEqual(linksOnPage(wrong.body), []);
    }
    const row = await database.db.selectFrom('contribution_requests').select('superseded_at').where('id', '=', requestId!).executeTakeFirstOrThrow();
    assert.equal(row.superseded_at, null, 'the request was not replaced');
    const right = await senco.post(`${cyclePath}/${requestId}/resend`);
    assert.equal(right.statusCode, 200);
    assert.equal(linksOnPage(right.body).length, 1);
  });

  it('slows down anyone guessing links: after 30 failures from one address, even a good link waits', async () => {
    const { links } = await request(['pupil']);
    const guesser = new TestClient(built.app);
    let last = 0;
    for (let n = 0; n < 31; n++) last = (await guesser.get(`/contribute/${newLinkToken()}`)).statusCode;
    assert.equal(last, 429);
    const blocked = await guesser.get(links[0]!);
    assert.equal(blocked.statusCode, 429);
    assert.match(blocked.body, /Too many attempts/);
  });
});
