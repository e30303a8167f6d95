import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { BuiltApp } from '../../app.ts';
import { schoolToday } from '../../platform/dates.ts';
import { verifyAuditChains } from '../../platform/audit/audit-log.ts';
import { buildTestApp } from '../../../test/support/app.ts';
import { describeEachDialect } from '../../../test/support/databases.ts';
import { seedFixture, type Fixture } from '../../../test/support/fixtures.ts';
import { TestClient } from '../../../test/support/http.ts';

function todayParts() {
  const [year, month, day] = schoolToday().split('-');
  return { 'effectiveDate-day': String(Number(day)), 'effectiveDate-month': String(Number(month)), 'effectiveDate-year': year! };
}

describeEachDialect('the SEN register over HTTP', (getDatabase) => {
  let built: BuiltApp;
  let fixture: Fixture;
  before(async () => {
    fixture = await seedFixture(getDatabase());
    built = await buildTestApp(getDatabase());
  });
  after(async () => {
    await built.app.close();
  });

  it('lists pupils with SEN by default, with counts that follow the filters', async () => {
    const client = new TestClient(built.app);
    await client.signIn(fixture.schoolA.users.senco.email);
    const page = await client.get('/register');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /O&#39;Connor, Zoë/);
    assert.match(page.body, /Kowalczyk, Tomasz/);
    assert.doesNotMatch(page.body, /Shah, Priya/, 'pupils with no SEN are not on the register by default');
    assert.doesNotMatch(page.body, /Nowak-Smith/, 'another school’s pupils never appear');
    assert.match(page.body, /2 pupils/);
    const filtered = await client.get('/register?provision=E');
    assert.match(filtered.body, /Kowalczyk/);
    assert.doesNotMatch(filtered.body, /O&#39;Connor/);
    assert.match(filtered.body, /1 pupil\b/);
  });

  it('shows teachers only the SEN pupils they teach', async () => {
    const client = new TestClient(built.app);
    await client.signIn(fixture.schoolA.users.teacher.email);
    const mine = await client.get('/my-pupils');
    assert.match(mine.body, /Zoë O&#39;Connor/);
    assert.doesNotMatch(mine.body, /Kowalczyk/);
    assert.doesNotMatch(mine.body, /Shah/, 'taught pupils without SEN are not listed');
    assert.equal((await client.get(`/pupils/${fixture.schoolA.taughtPupilId}`)).statusCode, 200);
    assert.equal((await client.get(`/pupils/${fixture.schoolA.otherPupilId}`)).statusCode, 403);
    assert.equal((await client.get('/register')).statusCode, 403);
  });

  it('finds pupils by any part of a name, ignoring accents and apostrophes, or by UPN', async () => {
    const client = new TestClient(built.app);
    await client.signIn(fixture.schoolA.users.senco.email);
    for (const term of ['zoe', 'oconnor', 'Connor', 'ZOË O']) {
      const page = await client.get(`/register?q=${encodeURIComponent(term)}`);
      assert.match(page.body, /O&#39;Connor, Zoë/, `search for ${term}`);
      assert.doesNotMatch(page.body, /Kowalczyk/, `search for ${term}`);
    }
    const none = await client.get('/register?q=nobody-at-all');
    assert.match(none.body, /No pupils match/);
  });

  it('exports the current view as CSV and audits the export', async () => {
    const client = new TestClient(built.app);
    await client.signIn(fixture.schoolA.users.senco.email);
    const response = await client.get('/register/export.csv?provision=K');
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /text\/csv/);
    const lines = response.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    assert.equal(lines.length, 2, 'heading and one pupil with SEN support');
    assert.match(lines[1]!, /O'Connor,Zoë/);
    const exported = await getDatabase().db.selectFrom('audit_events').select('detail').where('action', '=', 'register.exported').execute();
    assert.equal(exported.length, 1);
  });

  it('changes SEN status as history, with a reason and an effective date, and audits it', async () => {
    const client = new TestClient(built.app);
    await client.signIn(fixture.schoolA.users.senco.email);
    const pupilId = fixture.schoolA.noSenPupilId;
    const before = await client.get('/register');
    assert.doesNotMatch(before.body, /Shah, Priya/);
    await client.get(`/pupils/${pupilId}/sen/change?intent=add-support`);
    const saved = await client.post(`/pupils/${pupilId}/sen/change`, {
      intent: 'add-support',
      provision: 'K',
      'needs-1-need': 'SPLD',
      'needs-2-need': 'SEMH',
      ...todayParts(),
      reason: 'Assessment by the specialist teacher',
    });
    assert.equal(saved.statusCode, 302, saved.body.slice(0, 500));
    // The register page was rendered before the change: it must not be served from before it.
    const after = await client.get('/register');
    assert.match(after.body, /Shah, Priya/);
    assert.match(after.body, /3 pupils/);
    const history = await client.get(`/pupils/${pupilId}/sen`);
    assert.match(history.body, /Added to SEN support/);
    assert.match(history.body, /Assessment by the specialist teacher/);
    assert.match(history.body, /Specific learning difficulty \(SPLD\)/);

    await client.get(`/pupils/${pupilId}/sen/change?intent=needs`);
    const changed = await client.post(`/pupils/${pupilId}/sen/change`, {
      provision: 'K',
      'needs-1-need': 'SEMH',
      'needs-2-need': 'SPLD',
      ...todayParts(),
      reason: 'SEMH is now the main barrier',
    });
    assert.equal(changed.statusCode, 302);
    const periods = await getDatabase()
      .db.selectFrom('sen_need_periods')
      .select(['need', 'rank', 'end_date'])
      .where('pupil_id', '=', pupilId)
      .orderBy('need')
      .orderBy('rank')
      .execute();
    assert.equal(periods.length, 4, 'the first needs are closed, not overwritten');
    assert.equal(periods.filter((period) => period.end_date === null).length, 2);
    const pupil = await getDatabase().db.selectFrom('pupils').select(['sen_provision', 'primary_need', 'secondary_need']).where('id', '=', pupilId).executeTakeFirstOrThrow();
    assert.deepEqual({ ...pupil }, { sen_provision: 'K', primary_need: 'SEMH', secondary_need: 'SPLD' });
    const audited = await getDatabase().db.selectFrom('audit_events').select('action').where('pupil_id', '=', pupilId).where('action', '=', 'pupil.sen.changed').execute();
    assert.equal(audited.length, 2);
    assert.equal((await verifyAuditChains(getDatabase().db)).ok, true);
  });

  it('refuses census rule breaks with messages that name the field, and saves nothing', async () => {
    const client = new TestClient(built.app);
    await client.signIn(fixture.schoolA.users.senco.email);
    const pupilId = fixture.schoolA.otherPupilId;
    const before = await getDatabase().db.selectFrom('sen_changes').select('id').where('pupil_id', '=', pupilId).execute();
    await client.get(`/pupils/${pupilId}/sen/change`);
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ provision: 'E', ...todayParts(), reason: 'x' }, /EHC plan needs at least one need/],
      [{ provision: 'E', 'needs-1-need': 'NSA', ...todayParts(), reason: 'x' }, /NSA \(no specialist assessment\) can only be used with SEN support/],
      [{ provision: 'K', 'needs-1-need': 'ASD', 'needs-2-need': 'ASD', ...todayParts(), reason: 'x' }, /ASD is listed twice/],
      [{ provision: 'K', 'needs-2-need': 'ASD', ...todayParts(), reason: 'x' }, /Choose the primary need/],
      [{ provision: 'S', 'needs-1-need': 'ASD', ...todayParts(), reason: 'x' }, /cannot be assigned/],
      [{ provision: 'K', 'needs-1-need': 'ASD', 'effectiveDate-day': '31', 'effectiveDate-month': '2', 'effectiveDate-year': '2026', reason: 'x' }, /must be a real date/],
      [{ provision: 'K', 'needs-1-need': 'ASD', 'effectiveDate-day': '1', 'effectiveDate-month': '1', 'effectiveDate-year': '2020', reason: 'x' }, /on or after 1 September 2025/],
      [{ provision: 'K', 'needs-1-need': 'ASD', ...todayParts(), reason: '' }, /Enter the reason for the change/],
      [{ provision: 'E', 'needs-1-need': 'ASD', ...todayParts(), reason: 'same' }, /Nothing has changed/],
    ];
    for (const [fields, message] of cases) {
      const response = await client.post(`/pupils/${pupilId}/sen/change`, fields);
      assert.equal(response.statusCode, 400, `expected a 400 for ${JSON.stringify(fields)}`);
      assert.match(response.body, /There is a problem/);
      assert.match(response.body, message);
    }
    const afterChanges = await getDatabase().db.selectFrom('sen_changes').select('id').where('pupil_id', '=', pupilId).execute();
    assert.equal(afterChanges.length, before.length);
  });

  it('records a leaver with a date and reason, keeps them off the register, and returns them to roll', async () => {
    const client = new TestClient(built.app);
    await client.signIn(fixture.schoolA.users.senco.email);
    const pupilId = fixture.schoolA.otherPupilId;
    await client.get(`/pupils/${pupilId}/leave`);
    const missing = await client.post(`/pupils/${pupilId}/leave`, { 'leftOn-day': '', 'leftOn-month': '', 'leftOn-year': '', reason: '' });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.body, /Enter the date the pupil left/);
    assert.match(missing.body, /Enter why the pupil left/);
    const [year, month, day] = schoolToday().split('-');
    const left = await client.post(`/pupils/${pupilId}/leave`, { 'leftOn-day': day!, 'leftOn-month': month!, 'leftOn-year': year!, reason: 'Moved to Hillside School' });
    assert.equal(left.statusCode, 302);
    assert.doesNotMatch((await client.get('/register')).body, /Kowalczyk/);
    const leavers = await client.get('/register?leavers=1&provision=K&provision=E');
    assert.match(leavers.body, /Kowalczyk, Tomasz/);
    assert.match(leavers.body, /Pupils who have left/);
    assert.match((await client.get(`/pupils/${pupilId}`)).body, /This pupil left the school on/);
    await client.get(`/pupils/${pupilId}/return`);
    const back = await client.post(`/pupils/${pupilId}/return`, { reason: 'Recorded as leaving by mistake' });
    assert.equal(back.statusCode, 302);
    assert.match((await client.get('/register')).body, /Kowalczyk, Tomasz/);
    const events = await getDatabase().db.selectFrom('audit_events').select('action').where('pupil_id', '=', pupilId).where('action', 'in', ['pupil.left', 'pupil.returned-to-roll']).execute();
    assert.equal(events.length, 2);
  });

  it('takes a leaver out of reach of the teachers who taught them and of their parents', async () => {
    const senco = new TestClient(built.app);
    await senco.signIn(fixture.schoolA.users.senco.email);
    const pupilId = fixture.schoolA.taughtPupilId;
    const [year, month, day] = schoolToday().split('-');
    await senco.get(`/pupils/${pupilId}/leave`);
    assert.equal((await senco.post(`/pupils/${pupilId}/leave`, { 'leftOn-day': day!, 'leftOn-month': month!, 'leftOn-year': year!, reason: 'Moved away' })).statusCode, 302);
    const teacher = new TestClient(built.app);
    await teacher.signIn(fixture.schoolA.users.teacher.email);
    assert.equal((await teacher.get(`/pupils/${pupilId}`)).statusCode, 403);
    const parent = new TestClient(built.app);
    await parent.signIn(fixture.schoolA.users.parent.email);
    assert.equal((await parent.get(`/pupils/${pupilId}`)).statusCode, 403);
    await senco.get(`/pupils/${pupilId}/return`);
    assert.equal((await senco.post(`/pupils/${pupilId}/return`, { reason: 'Came back' })).statusCode, 302);
    const teacherAgain = new TestClient(built.app);
    await teacherAgain.signIn(fixture.schoolA.users.teacher.email);
    assert.equal((await teacherAgain.get(`/pupils/${pupilId}`)).statusCode, 200);
  });

  it('refuses an SEN change dated before the pupil was born', async () => {
    const client = new TestClient(built.app);
    await client.signIn(fixture.schoolA.users.senco.email);
    const pupilId = fixture.schoolA.noSenPupilId;
    await client.get(`/pupils/${pupilId}/sen/change`);
    const response = await client.post(`/pupils/${pupilId}/sen/change`, { provision: 'K', 'needs-1-need': 'MLD', 'effectiveDate-day': '1', 'effectiveDate-month': '1', 'effectiveDate-year': '1990', reason: 'x' });
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /after the pupil’s date of birth/);
  });

  it('turns a forbidden request away by its permission before its form is read', async () => {
    const teacher = new TestClient(built.app);
    await teacher.signIn(fixture.schoolA.users.teacher.email);
    const response = await teacher.post(`/pupils/${fixture.schoolA.taughtPupilId}/sen/change`, { provision: 'K' }, { csrf: false });
    assert.equal(response.statusCode, 403);
    assert.match(response.body, /You do not have permission/);
    assert.doesNotMatch(response.body, /This form has expired/);
  });

  it('rejects a form posted without its CSRF token', async () => {
    const client = new TestClient(built.app);
    await client.signIn(fixture.schoolA.users.senco.email);
    const response = await client.post(`/pupils/${fixture.schoolA.otherPupilId}/sen/change`, { provision: 'K', reason: 'x' }, { csrf: 'forged' });
    assert.equal(response.statusCode, 403);
    assert.match(response.body, /This form has expired/);
  });

  it('shows parents their own child only, and governors counts without names', async () => {
    const parent = new TestClient(built.app);
    await parent.signIn(fixture.schoolA.users.parent.email);
    const children = await parent.get('/my-children');
    assert.match(children.body, /Zoë O&#39;Connor/);
    assert.equal((await parent.get(`/pupils/${fixture.schoolA.otherPupilId}`)).statusCode, 403);

    const governor = new TestClient(built.app);
    await governor.signIn(fixture.schoolA.users.governor.email);
    const overview = await governor.get('/overview');
    assert.equal(overview.statusCode, 200);
    assert.match(overview.body, /fewer than 5/);
    assert.doesNotMatch(overview.body, /Kowalczyk|O&#39;Connor|Shah/);
    assert.equal((await governor.get('/register')).statusCode, 403);
  });

  it('lets a shared SENCO switch schools and see only the chosen school', async () => {
    const client = new TestClient(built.app);
    await client.signIn(fixture.sharedSenco.email);
    const first = await client.get('/register');
    const inA = /Kowalczyk/.test(first.body);
    await client.get('/switch-school');
    const switched = await client.post('/switch-school', { schoolId: inA ? fixture.schoolB.id : fixture.schoolA.id });
    assert.equal(switched.statusCode, 302);
    const second = await client.get('/register');
    assert.equal(/Kowalczyk/.test(second.body), !inA);
    assert.equal(/Adebayo/.test(second.body), inA);
  });

  it('throttles repeated failed sign-ins for an account', async () => {
    const client = new TestClient(built.app);
    await client.get('/sign-in');
    for (let attempt = 0; attempt < 5; attempt++) {
      const response = await client.post('/sign-in', { email: fixture.schoolB.users.leader.email, password: 'wrong password!' });
      assert.equal(response.statusCode, 401);
    }
    const locked = await client.post('/sign-in', { email: fixture.schoolB.users.leader.email, password: 'correct horse battery staple' });
    assert.equal(locked.statusCode, 429);
    assert.match(locked.body, /Too many failed attempts/);
  });
});
