// Provision over HTTP, as each role meets it: the SENCO builds the catalogue and a group, the
// teaching assistant records a session on their own group only, impact and the costed map add up,
// and governors, parents and teachers see only what they should.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BuiltApp } from '../../app.ts';
import { buildTestApp } from '../../../test/support/app.ts';
import { describeEachDialect } from '../../../test/support/databases.ts';
import { seedFixture, type Fixture } from '../../../test/support/fixtures.ts';
import { TestClient } from '../../../test/support/http.ts';
import { seedProvisionFixture, type ProvisionFixture } from '../../../test/support/provision-fixtures.ts';
import { schoolToday } from '../../platform/dates.ts';

const today = schoolToday();
const [year, month, day] = today.split('-').map(Number) as [number, number, number];

describeEachDialect('Provision over HTTP', (getDatabase) => {
  describe('pages', () => {
    let built: BuiltApp;
    let fixture: Fixture;
    let provision: ProvisionFixture;
    let senco: TestClient;

    const signedIn = async (role: keyof Fixture['schoolA']['users']) => {
      const client = new TestClient(built.app);
      await client.signIn(fixture.schoolA.users[role].email);
      return client;
    };
    const actions = async () => {
      await built.ctx.audit.flush();
      return (await getDatabase().db.selectFrom('audit_events').select(['action', 'pupil_id']).where('school_id', '=', fixture.schoolA.id).orderBy('seq').execute()).map((row) => row.action);
    };

    before(async () => {
      built = await buildTestApp(getDatabase());
      fixture = await seedFixture(getDatabase());
      provision = await seedProvisionFixture(getDatabase(), fixture);
      senco = await signedIn('senco');
    });
    after(async () => {
      await built.app.close();
    });

    it('adds provision to the catalogue with clear errors, and will not take a name twice', async () => {
      const form = await senco.get('/provision/new');
      assert.equal(form.statusCode, 200);
      const wrong = await senco.post('/provision/new', { name: '', tier: 'x', area: '', groupSize: '0', sessionsPerWeek: 'lots', minutesPerSession: '', staffType: '', costModel: 'per-session', cost: '', measure: 'scale', scaleMin: '10', scaleMax: '5' });
      assert.equal(wrong.statusCode, 400);
      assert.match(wrong.body, /<title>Error: Add provision to the catalogue/);
      for (const href of ['#name', '#tier', '#area', '#groupSize', '#sessionsPerWeek', '#minutesPerSession', '#staffType', '#cost', '#scaleMax']) assert.match(wrong.body, new RegExp(`<a href="${href}">`), href);
      assert.match(wrong.body, /Enter the cost per session in pounds/);
      assert.match(wrong.body, /The highest score must be more than the lowest score/);
      const fields = { name: 'Talk Boost', description: 'Language group', tier: 'targeted', area: 'Communication and interaction', groupSize: '6', sessionsPerWeek: '3', minutesPerSession: '30', staffType: 'ta', costModel: 'staff-time', cost: '', measure: 'scale', scaleMin: '0', scaleMax: '10' };
      const saved = await senco.post('/provision/new', fields);
      assert.equal(saved.statusCode, 303);
      const page = await senco.get(saved.headers.location as string);
      assert.match(page.body, /Talk Boost added to the catalogue/);
      assert.match(page.body, /Scale of your own|A scale of your own from 0 to 10/);
      const twice = await senco.post('/provision/new', { ...fields, name: 'talk boost' });
      assert.equal(twice.statusCode, 400);
      assert.match(twice.body, /already has a provision called Talk Boost/);
      assert.match((await senco.get('/provision')).body, /Talk Boost/);
    });

    it('archives provision that has been used and deletes provision that has not', async () => {
      const check = await senco.get(`/provision/${provision.schoolA.readingProvisionId}/remove`);
      assert.match(check.body, /will be <strong>archived<\/strong>/);
      assert.equal((await senco.post(`/provision/${provision.schoolA.readingProvisionId}/remove`)).statusCode, 303);
      assert.match((await senco.get('/provision?show=archived')).body, /Reading catch-up A/);
      assert.doesNotMatch((await senco.get('/provision')).body, /Reading catch-up A/);
      const refused = await senco.post('/provision/groups/new', { provisionId: provision.schoolA.readingProvisionId, name: 'X', 'startDate-day': String(day), 'startDate-month': String(month), 'startDate-year': String(year), 'endDate-day': String(day), 'endDate-month': String(month), 'endDate-year': String(year + 1), sessionsPerWeek: '2', minutesPerSession: '30' });
      assert.equal(refused.statusCode, 400);
      assert.match(refused.body, /is archived: restore it/);
      assert.equal((await senco.post(`/provision/${provision.schoolA.readingProvisionId}/restore`)).statusCode, 303);
      const unused = await senco.post('/provision/new', { name: 'Never used', tier: 'universal', area: 'Sensory and/or physical', groupSize: '10', sessionsPerWeek: '1', minutesPerSession: '20', staffType: 'teacher', costModel: 'per-term', cost: '120', measure: 'target' });
      const id = (unused.headers.location as string).split('/').pop()!;
      assert.match((await senco.get(`/provision/${id}/remove`)).body, /has never been used, so it will be deleted/);
      await senco.post(`/provision/${id}/remove`);
      assert.equal((await senco.get(`/provision/${id}`)).statusCode, 404);
      assert.ok((await actions()).includes('provision.archived'));
      assert.ok((await actions()).includes('provision.deleted'));
    });

    it('starts a group, gives it a teaching assistant and pupils found by name', async () => {
      const errors = await senco.post('/provision/groups/new', { provisionId: provision.schoolA.readingProvisionId, name: '', 'startDate-day': '31', 'startDate-month': '2', 'startDate-year': String(year), sessionsPerWeek: '3', minutesPerSession: '30' });
      assert.equal(errors.statusCode, 400);
      assert.match(errors.body, /<a href="#startDate-day">The start date must be a real date/);
      assert.match(errors.body, /Enter the date the group ends/);
      const created = await senco.post('/provision/groups/new', {
        provisionId: provision.schoolA.readingProvisionId, name: 'Autumn readers', 'startDate-day': String(day), 'startDate-month': String(month), 'startDate-year': String(year),
        'endDate-day': String(day), 'endDate-month': String(month), 'endDate-year': String(year + 1), weeks: '', sessionsPerWeek: '2', minutesPerSession: '45', days: ['1', '3'], time: '9.30',
      });
      assert.equal(created.statusCode, 303);
      const groupId = (created.headers.location as string).split('/').pop()!;
      assert.equal((await senco.post(`/provision/groups/${groupId}/staff`, { staff: [fixture.schoolA.users.teaching_assistant.id] })).statusCode, 303);
      const found = await senco.get(`/provision/groups/${groupId}?q=shah`);
      assert.match(found.body, /Priya Shah/);
      assert.equal((await senco.post(`/provision/groups/${groupId}/pupils/add`, { pupilId: [fixture.schoolA.noSenPupilId] })).statusCode, 303);
      const page = await senco.get(`/provision/groups/${groupId}`);
      assert.match(page.body, /1 pupil added to the group/);
      assert.match(page.body, /Monday, Wednesday at 09:30/);
      assert.match(page.body, /teaching_assistant A/);
      const foreign = await senco.post(`/provision/groups/${groupId}/pupils/add`, { pupilId: [fixture.schoolB.taughtPupilId] });
      assert.equal(foreign.statusCode, 400, 'another school’s pupil cannot be added');
      // Taken out before anything was recorded: the membership goes.
      await senco.post(`/provision/groups/${groupId}/pupils/remove`, { pupilId: fixture.schoolA.noSenPupilId });
      assert.doesNotMatch((await senco.get(`/provision/groups/${groupId}`)).body, /Priya Shah/);
    });

    it('lets the teaching assistant record a session for their own group only, on a form a phone can use', async () => {
      const ta = await signedIn('teaching_assistant');
      const home = await ta.get('/my-groups');
      assert.equal(home.statusCode, 200);
      assert.match(home.body, /Year 7 reading A/);
      assert.match(home.body, /Record today’s session/);
      assert.equal((await ta.get('/provision')).statusCode, 403);
      assert.equal((await ta.get(`/provision/groups/${provision.schoolA.supportGroupId}`)).statusCode, 403, 'not a group they run');
      assert.equal((await ta.post(`/provision/groups/${provision.schoolA.supportGroupId}/sessions`, {})).statusCode, 403);
      const form = await ta.get(`/provision/groups/${provision.schoolA.groupId}/sessions/new`);
      assert.equal(form.statusCode, 200);
      assert.match(form.body, /govuk-radios--inline/);
      assert.match(form.body, /name="attendance-[^"]+" type="radio" value="present" checked/);
      const taught = fixture.schoolA.taughtPupilId;
      const other = fixture.schoolA.otherPupilId;
      const base = { 'heldOn-day': String(day), 'heldOn-month': String(month), 'heldOn-year': String(year), status: 'delivered', note: 'Blending', pupil: [taught, other] };
      const missing = await ta.post(`/provision/groups/${provision.schoolA.groupId}/sessions`, { ...base, [`attendance-${taught}`]: 'present' });
      assert.equal(missing.statusCode, 400);
      assert.match(missing.body, /Choose whether Tomasz Kowalczyk was present, late or absent/);
      const saved = await ta.post(`/provision/groups/${provision.schoolA.groupId}/sessions`, { ...base, [`attendance-${taught}`]: 'late', [`reason-${taught}`]: 'Music lesson', [`attendance-${other}`]: 'present' });
      assert.equal(saved.statusCode, 303);
      assert.equal(saved.headers.location, '/my-groups');
      assert.match((await ta.get('/my-groups')).body, /Session recorded[\s\S]*Change today’s session/);
      // Saving again for the same day replaces it rather than doubling it.
      await ta.post(`/provision/groups/${provision.schoolA.groupId}/sessions`, { ...base, [`attendance-${taught}`]: 'present', [`attendance-${other}`]: 'absent', [`reason-${other}`]: 'Ill' });
      const sessions = await getDatabase().db.selectFrom('intervention_sessions').select('id').where('group_id', '=', provision.schoolA.groupId).where('held_on', '=', today).execute();
      assert.equal(sessions.length, 1);
      const rows = await getDatabase().db.selectFrom('intervention_attendance').select(['pupil_id', 'status', 'reason']).where('session_id', '=', sessions[0]!.id).execute();
      assert.deepEqual(rows.map((row) => [row.pupil_id, row.status, row.reason]).sort(), [[taught, 'present', null], [other, 'absent', 'Ill']].sort());
      const cancelled = await ta.post(`/provision/groups/${provision.schoolA.groupId}/sessions`, { ...base, status: 'cancelled', note: '' });
      assert.match(cancelled.body, /Say why the session did not take place/);
      const log = await actions();
      assert.ok(log.includes('intervention-session.recorded'));
      assert.ok(log.filter((action) => action === 'intervention-attendance.recorded').length >= 4, 'one event per pupil');
    });

    it('checks entry and exit measures against the provision’s measure', async () => {
      const ta = await signedIn('teaching_assistant');
      const groupId = provision.schoolA.groupId;
      const other = fixture.schoolA.otherPupilId;
      const form = await ta.get(`/provision/groups/${groupId}/measures/exit`);
      assert.match(form.body, /Entry: 78/);
      const wrong = await ta.post(`/provision/groups/${groupId}/measures/exit`, { 'date-day': String(day), 'date-month': String(month), 'date-year': String(year), pupil: [other], [`value-${other}`]: '185' });
      assert.equal(wrong.statusCode, 400);
      assert.match(wrong.body, new RegExp(`<a href="#value-${other}">Tomasz Kowalczyk’s standardised score must be a whole number from 40 to 160`));
      const saved = await ta.post(`/provision/groups/${groupId}/measures/exit`, { 'date-day': String(day), 'date-month': String(month), 'date-year': String(year), pupil: [other], [`value-${other}`]: '80' });
      assert.equal(saved.statusCode, 303);
      const member = await getDatabase().db.selectFrom('intervention_members').select(['exit_value', 'exit_date']).where('group_id', '=', groupId).where('pupil_id', '=', other).executeTakeFirstOrThrow();
      assert.deepEqual([Number(member.exit_value), member.exit_date], [80, today]);
    });

    it('shows impact per group and per provision, saying how it is calculated', async () => {
      const group = await senco.get(`/provision/groups/${provision.schoolA.groupId}/impact`);
      assert.equal(group.statusCode, 200);
      // Zoë 80 → 87 (+7, expected); Tomasz 78 → 80 (+2, kept pace): 1 of 2 = 50%.
      assert.match(group.body, /Expected progress \(\+7\)/);
      assert.match(group.body, /Kept pace \(\+2\)/);
      assert.match(group.body, /50% \(1\)/);
      assert.match(group.body, /How progress, attendance and cost are worked out/);
      assert.match(group.body, /Greg Brooks/);
      const whole = await senco.get(`/provision/${provision.schoolA.readingProvisionId}/impact`);
      assert.match(whole.body, /made expected progress \(1 of 2 with exit measures\)/);
      const overview = await senco.get('/provision/impact');
      assert.equal(overview.statusCode, 200);
      assert.match(overview.body, /Reading catch-up A/);
      assert.doesNotMatch(overview.body, /Reading catch-up B/);
      const leader = await signedIn('leader');
      assert.equal((await leader.get('/provision/impact')).statusCode, 200);
      assert.equal((await leader.get('/provision/new')).statusCode, 403, 'leaders only look');
    });

    it('costs the provision map and flags support over £6,000 a year', async () => {
      const map = await senco.get('/provision/map');
      assert.equal(map.statusCode, 200);
      assert.match(map.body, /Pupils over the £6,000 threshold/);
      // One-to-one: 5 × 300 minutes for 39 weeks = 195 sessions × (5 h × £19.50) = £19,012.50, one pupil.
      assert.match(map.body, /Tomasz Kowalczyk[\s\S]*£19,013/);
      assert.match(map.body, /By year group/);
      const pupils = await senco.get('/provision/map/pupils?over=yes');
      assert.match(pupils.body, /Over £6,000/);
      assert.doesNotMatch(pupils.body, /Zoë O'Connor|Zoë O&#39;Connor/);
      assert.ok((await actions()).includes('provision.map-viewed'));
    });

    it('shows governors costs and impact without a name, small numbers suppressed', async () => {
      const governor = await signedIn('governor');
      assert.equal((await governor.get('/provision/map')).statusCode, 403);
      assert.equal((await governor.get(`/provision/groups/${provision.schoolA.groupId}`)).statusCode, 403);
      const page = await governor.get('/provision/summary');
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /fewer than 5/);
      assert.match(page.body, /Too few to show/);
      for (const name of ['Kowalczyk', "O'Connor", 'O&#39;Connor', 'Shah']) assert.ok(!page.body.includes(name), name);
      assert.match((await governor.get('/account')).body, /href="\/provision\/summary"/);
    });

    it('shows a parent their child’s provision without costs or scores, and a teacher without costs', async () => {
      const parent = await signedIn('parent');
      const mine = await parent.get(`/pupils/${fixture.schoolA.taughtPupilId}/provision`);
      assert.equal(mine.statusCode, 200);
      assert.match(mine.body, /Reading catch-up A/);
      assert.match(mine.body, /Small-group reading with a teaching assistant/);
      assert.doesNotMatch(mine.body, /£|Expected progress|>87<|Entry measures/);
      assert.equal((await parent.get(`/pupils/${fixture.schoolA.otherPupilId}/provision`)).statusCode, 403);
      const teacher = await signedIn('teacher');
      const taught = await teacher.get(`/pupils/${fixture.schoolA.taughtPupilId}/provision`);
      assert.equal(taught.statusCode, 200);
      assert.match(taught.body, /Expected progress/);
      assert.doesNotMatch(taught.body, /£/);
      const sencoView = await senco.get(`/pupils/${fixture.schoolA.otherPupilId}/provision`);
      assert.match(sencoView.body, /more than the £6,000 mainstream threshold/);
      assert.match(sencoView.body, /aria-current="page">Provision</);
    });

    it('never shows another school’s provision', async () => {
      for (const url of [`/provision/groups/${provision.schoolB.groupId}`, `/provision/${provision.schoolB.readingProvisionId}`, `/provision/groups/${provision.schoolB.groupId}/impact`, `/provision/groups/${provision.schoolB.groupId}/sessions/${provision.schoolB.sessionId}`]) {
        assert.equal((await senco.get(url)).statusCode, 404, url);
      }
      assert.equal((await senco.get(`/provision/groups/${provision.schoolA.groupId}/sessions/${provision.schoolB.sessionId}`)).statusCode, 404);
      assert.equal((await senco.get(`/pupils/${fixture.schoolB.taughtPupilId}/provision`)).statusCode, 404, 'another school’s pupil is simply not found');
    });

    it('sets cost rates, the SEN budget and contracted hours, and flags staff over their hours', async () => {
      const admin = await signedIn('sen_admin');
      assert.equal((await admin.get('/provision/settings')).statusCode, 403, 'rates are the SENCO’s');
      const wrong = await senco.post('/provision/settings', { teacher: 'x', ta: '20', specialist: '55', external: '75', budget: 'lots' });
      assert.equal(wrong.statusCode, 400);
      assert.match(wrong.body, /hourly cost of a teacher must be an amount in pounds/);
      assert.equal((await senco.post('/provision/settings', { teacher: '48', ta: '20', specialist: '55', external: '75', budget: '£250,000' })).statusCode, 303);
      assert.match((await senco.get('/provision/map')).body, /£250,000/);
      const ta = fixture.schoolA.users.teaching_assistant.id;
      assert.equal((await admin.post(`/provision/staff/${ta}`, { hours: '200' })).statusCode, 400);
      assert.equal((await admin.post(`/provision/staff/${ta}`, { hours: '1' })).statusCode, 303);
      const page = await admin.get('/provision/staff');
      // Year 7 reading A: 3 × 30 minutes = 1.5 hours; Autumn readers: 2 × 45 = 1.5 hours; against 1 contracted hour.
      assert.match(page.body, /teaching_assistant A <strong class="govuk-tag govuk-tag--red">\s*Over-committed/);
      assert.match(page.body, />3<\/td>/);
      assert.equal((await admin.get(`/provision/staff/${fixture.schoolA.users.leader.id}`)).statusCode, 404, 'only teachers and teaching assistants');
    });
  });
});
