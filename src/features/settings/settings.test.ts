// School settings over HTTP, as a browser uses it: the SENCO sets a school up, and the people it is
// set up for then see what they should.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BuiltApp } from '../../app.ts';
import { buildTestApp } from '../../../test/support/app.ts';
import { describeEachDialect } from '../../../test/support/databases.ts';
import { seedFixture, type Fixture } from '../../../test/support/fixtures.ts';
import { TestClient } from '../../../test/support/http.ts';

const PASSWORD_PATTERN = /id="generated-password"[^>]*value="([A-Za-z0-9]{24})"/;

describeEachDialect('School settings over HTTP', (getDatabase) => {
  describe('pages', () => {
    let built: BuiltApp;
    let fixture: Fixture;
    let senco: TestClient;

    const signedIn = async (email: string, password?: string) => {
      const client = new TestClient(built.app);
      await client.signIn(email, password);
      return client;
    };

    before(async () => {
      built = await buildTestApp(getDatabase());
      fixture = await seedFixture(getDatabase());
      senco = await signedIn(fixture.schoolA.users.senco.email);
    });
    after(async () => {
      await built.app.close();
    });

    it('is for the SENCO only, and in the SENCO’s menu', async () => {
      const anonymous = await built.app.inject({ method: 'GET', url: '/settings/people' });
      assert.equal(anonymous.statusCode, 302);
      assert.equal(anonymous.headers.location, '/sign-in?returnTo=%2Fsettings%2Fpeople');
      for (const role of ['sen_admin', 'teacher', 'leader', 'parent'] as const) {
        const client = await signedIn(fixture.schoolA.users[role].email);
        assert.equal((await client.get('/settings')).statusCode, 403, role);
        assert.doesNotMatch((await client.get('/account')).body, /href="\/settings"/, role);
      }
      const page = await senco.get('/settings');
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<a class="govuk-service-navigation__link" href="\/settings" aria-current="true">/);
      assert.match(page.body, /School settings/);
      assert.match(page.body, /Setting up your school/);
    });

    it('edits the school’s details, with the error summary pointing at each field', async () => {
      await senco.get('/settings/school/edit');
      const wrong = await senco.post('/settings/school/edit', { name: '', urn: '12', laestab: '88', laName: '', phase: '' });
      assert.equal(wrong.statusCode, 400);
      assert.match(wrong.body, /<title>Error: Change school details/);
      for (const href of ['#name', '#urn', '#laestab', '#phase']) assert.match(wrong.body, new RegExp(`<a href="${href}">`));
      assert.match(wrong.body, /URN must be 6 digits, like 123456/);
      const saved = await senco.post('/settings/school/edit', { name: 'Ashfield Academy Trust School', urn: '100001', laestab: '881/4001', laName: 'Northshire', phase: 'all-through' });
      assert.equal(saved.statusCode, 303);
      const page = await senco.get('/settings/school');
      assert.match(page.body, /School details saved/);
      assert.match(page.body, /Ashfield Academy Trust School/);
      assert.match(page.body, /8814001/);
      assert.match(page.body, /All-through/);
      const clash = await senco.post('/settings/school/edit', { name: 'X', urn: '100002', laestab: '', laName: '', phase: 'primary' });
      assert.equal(clash.statusCode, 400);
      assert.match(clash.body, /already has the URN 100002/);
    });

    it('adds a teacher with a password shown once; the teacher can sign in with it', async () => {
      await senco.get('/settings/people/add');
      const missing = await senco.post('/settings/people/add', { email: 'nope', displayName: '', role: '', passwordChoice: 'set', password: 'short one' });
      assert.equal(missing.statusCode, 400);
      assert.match(missing.body, /Choose the person’s role at this school/);
      assert.match(missing.body, /Enter an email address in the correct format/);
      assert.doesNotMatch(missing.body, /short one/, 'a typed password is never sent back');

      const added = await senco.post('/settings/people/add', { email: 'Rosa.Teacher@a.example.org', displayName: 'Rosa Teacher', role: 'teacher', passwordChoice: 'generate' });
      assert.equal(added.statusCode, 200);
      assert.equal(added.headers['cache-control'], 'no-store');
      assert.match(added.body, /Account created/);
      const password = PASSWORD_PATTERN.exec(added.body)?.[1];
      assert.ok(password, 'the generated password is on the page');
      const list = await senco.get('/settings/people?q=rosa');
      assert.match(list.body, /Rosa Teacher/);
      assert.match(list.body, /rosa\.teacher@a\.example\.org/);
      assert.doesNotMatch(list.body, new RegExp(password), 'never shown again');
      const rosa = await signedIn('rosa.teacher@a.example.org', password);
      const home = await rosa.get('/my-pupils');
      assert.equal(home.statusCode, 200);
      assert.match(home.body, /None of the pupils in your groups is on the SEN register/);

      const again = await senco.post('/settings/people/add', { email: 'rosa.teacher@a.example.org', displayName: 'Rosa', role: 'leader', passwordChoice: 'generate' });
      assert.equal(again.statusCode, 400);
      assert.match(again.body, /already has a role at this school \(Teacher\): change their role instead/);

      const existing = await senco.post('/settings/people/add', { email: fixture.schoolB.users.leader.email, displayName: 'Ignored', role: 'governor', passwordChoice: 'generate' });
      assert.equal(existing.statusCode, 303);
      assert.match((await senco.get('/settings/people')).body, /already had an account: they now have the role Governor here\. Their password is unchanged/);
    });

    it('changes a role after a confirmation, and will not leave the school without a SENCO', async () => {
      const teacher = fixture.schoolA.users.teacher;
      const form = await senco.get(`/settings/people/${teacher.id}/role`);
      assert.equal(form.statusCode, 200);
      assert.doesNotMatch(form.body, /value="teacher"/, 'the current role is not offered');
      const confirm = await senco.post(`/settings/people/${teacher.id}/role`, { role: 'sen_admin' });
      assert.equal(confirm.statusCode, 200);
      assert.match(confirm.body, /Are you sure you want to change teacher A’s role\?/);
      assert.match(confirm.body, /name="confirm" value="yes"/);
      const still = await built.ctx.db.selectFrom('memberships').select('role').where('user_id', '=', teacher.id).where('school_id', '=', fixture.schoolA.id).executeTakeFirstOrThrow();
      assert.equal(still.role, 'teacher', 'asking is not changing');
      const changed = await senco.post(`/settings/people/${teacher.id}/role`, { role: 'sen_admin', confirm: 'yes' });
      assert.equal(changed.statusCode, 303);
      assert.match((await senco.get('/settings/people')).body, /teacher A is now SEN administrator here/);
      await senco.post(`/settings/people/${teacher.id}/role`, { role: 'teacher', confirm: 'yes' });

      // A SENCO who gives up the role (another SENCO remains) is sent to their new home page.
      const shared = await signedIn(fixture.sharedSenco.email);
      await shared.get(`/settings/people/${fixture.sharedSenco.id}/role`);
      const ownRole = await shared.post(`/settings/people/${fixture.sharedSenco.id}/role`, { role: 'leader', confirm: 'yes' });
      assert.equal(ownRole.statusCode, 303);
      assert.equal(ownRole.headers.location, '/');
      assert.equal((await shared.get('/settings')).statusCode, 403);

      // Two SENCOs: the shared one leaves, then the last may not demote or remove themselves.
      assert.equal((await senco.post(`/settings/people/${fixture.sharedSenco.id}/remove`)).statusCode, 303);
      const self = fixture.schoolA.users.senco.id;
      const refused = await senco.post(`/settings/people/${self}/role`, { role: 'teacher', confirm: 'yes' });
      assert.equal(refused.statusCode, 400);
      assert.match(refused.body, /You are the only SENCO at this school: give someone else the SENCO role before you change your own role/);
      const removal = await senco.get(`/settings/people/${self}/remove`);
      assert.match(removal.body, /You are the only SENCO at this school, so you cannot be removed/);
      assert.doesNotMatch(removal.body, /govuk-button--warning/);
      const forced = await senco.post(`/settings/people/${self}/remove`);
      assert.equal(forced.statusCode, 400);
      assert.match(forced.body, /only SENCO/);
      assert.equal((await senco.get('/settings')).statusCode, 200, 'still the SENCO');
    });

    it('creates a group, gives it a teacher and a pupil, and the teacher then sees the pupil', async () => {
      await senco.get('/settings/groups/new');
      const wrong = await senco.post('/settings/groups/new', { name: '7A English', kind: 'registration', subject: 'English', yearGroup: '' });
      assert.equal(wrong.statusCode, 400);
      assert.match(wrong.body, /There is already a group called 7A English|Leave the subject blank/);
      const created = await senco.post('/settings/groups/new', { name: '9 Science', kind: 'teaching', subject: 'Science', yearGroup: '9' });
      assert.equal(created.statusCode, 303);
      const groupUrl = created.headers.location as string;
      const groupId = groupUrl.split('/').pop()!;
      const page = await senco.get(groupUrl);
      assert.match(page.body, /Group 9 Science created: now add its staff and pupils/);
      assert.match(page.body, /No pupils in this group yet/);

      const staffForm = await senco.get(`${groupUrl}/staff`);
      assert.match(staffForm.body, /teacher A/);
      assert.doesNotMatch(staffForm.body, /leader A/, 'only teachers and teaching assistants are offered');
      assert.equal((await senco.post(`${groupUrl}/staff`, { staff: fixture.schoolA.users.leader.id })).statusCode, 400);
      assert.equal((await senco.post(`${groupUrl}/staff`, { staff: fixture.schoolA.users.teacher.id })).statusCode, 303);

      const search = await senco.get(`${groupUrl}?q=kowalczyk`);
      assert.match(search.body, /Tomasz Kowalczyk, Year 7/);
      assert.doesNotMatch(search.body, /Adebayo/, 'never another school’s pupil');
      const none = await senco.post(`${groupUrl}/pupils/add`, {});
      assert.equal(none.statusCode, 400);
      assert.match(none.body, /Select at least one pupil to add to the group/);
      const added = await senco.post(`${groupUrl}/pupils/add`, { pupilId: fixture.schoolA.otherPupilId });
      assert.equal(added.statusCode, 303);
      const list = await senco.get('/settings/groups?q=science');
      assert.match(list.body, /9 Science/);
      assert.match(list.body, /teacher A/);

      const teacher = await signedIn(fixture.schoolA.users.teacher.email);
      const mine = await teacher.get('/my-pupils');
      assert.match(mine.body, /Tomasz Kowalczyk/);
      assert.match(mine.body, /9 Science/);
      assert.equal((await teacher.get(`/pupils/${fixture.schoolA.otherPupilId}`)).statusCode, 200);

      // Taken out again: the teacher loses the pupil at once; deleting the group keeps the pupil.
      assert.equal((await senco.post(`${groupUrl}/pupils/remove`, { pupilId: fixture.schoolA.otherPupilId })).statusCode, 303);
      assert.equal((await teacher.get(`/pupils/${fixture.schoolA.otherPupilId}`)).statusCode, 403);
      const confirm = await senco.get(`${groupUrl}/delete`);
      assert.match(confirm.body, /Are you sure you want to delete 9 Science\?/);
      assert.equal((await senco.post(`${groupUrl}/delete`)).statusCode, 303);
      assert.equal((await senco.get(groupUrl)).statusCode, 404);
      assert.equal((await senco.get(`/pupils/${fixture.schoolA.otherPupilId}`)).statusCode, 200);
      assert.ok(groupId);
    });

    it('shows a new registration group in the register’s filter at once (the register version is bumped)', async () => {
      assert.doesNotMatch((await senco.get('/register')).body, />7Z<\/option>/);
      await senco.get('/settings/groups/new');
      assert.equal((await senco.post('/settings/groups/new', { name: '7Z', kind: 'registration', subject: '', yearGroup: '7' })).statusCode, 303);
      assert.match((await senco.get('/register')).body, /<option value="[0-9a-f-]+">7Z<\/option>/);
    });

    it('imports class lists from a CSV file: upload, preview, confirm', async () => {
      const upns = await built.ctx.db.selectFrom('pupils').select(['id', 'upn']).where('school_id', '=', fixture.schoolA.id).execute();
      const upn = (id: string) => upns.find((row) => row.id === id)!.upn!;
      const csv = [
        'Group name,Kind,Subject,Year,Staff emails,Pupil UPN',
        `8Y Maths,teaching,Mathematics,8,${fixture.schoolA.users.teaching_assistant.email},${upn(fixture.schoolA.otherPupilId)}`,
        `8Y Maths,teaching,Mathematics,8,${fixture.schoolA.users.teaching_assistant.email},A999999999999`,
      ].join('\n');
      await senco.get('/settings/groups/import');
      const forged = await senco.upload('/settings/groups/import', { filename: 'lists.csv', bytes: new TextEncoder().encode(csv) }, {}, { csrf: 'wrong' });
      assert.equal(forged.statusCode, 403);
      const noFile = await senco.post('/settings/groups/import', {});
      assert.equal(noFile.statusCode, 400);
      assert.match(noFile.body, /Select a CSV file of class lists to import/);
      const uploaded = await senco.upload('/settings/groups/import', { filename: 'lists.csv', bytes: new TextEncoder().encode(csv) });
      assert.equal(uploaded.statusCode, 303);
      const previewUrl = uploaded.headers.location as string;
      const preview = await senco.get(previewUrl);
      assert.match(preview.body, /Check the class lists before you import them/);
      assert.match(preview.body, /Rejected rows \(will be skipped\)/);
      assert.match(preview.body, /<td class="govuk-table__cell app-nowrap" rowspan="1">3<\/td>/);
      assert.match(preview.body, /UPN check letter|No pupil on the register has the UPN A999999999999/);
      assert.match(preview.body, /Confirm and import \(skip 1 rejected\)/);
      assert.equal((await built.ctx.db.selectFrom('teaching_groups').select('id').where('name', '=', '8Y Maths').execute()).length, 0, 'a preview saves no group');
      const confirmed = await senco.post(`${previewUrl}/confirm`);
      assert.equal(confirmed.statusCode, 303);
      const done = await senco.get(previewUrl);
      assert.match(done.body, /Class lists imported/);
      assert.match(done.body, /1 group created/);
      const twice = await senco.post(`${previewUrl}/confirm`);
      assert.equal(twice.statusCode, 409);
      assert.match(twice.body, /already been imported/);
      const assistant = await signedIn(fixture.schoolA.users.teaching_assistant.email);
      assert.match((await assistant.get('/my-pupils')).body, /Tomasz Kowalczyk/);

      const refused = await senco.upload('/settings/groups/import', { filename: 'lists.csv', bytes: new TextEncoder().encode('UPN,Name\n1,2\n') });
      assert.equal(refused.statusCode, 400);
      assert.match(refused.body, /The file has no “Group name” column/);
    });

    it('links a parent to their child’s contact; the parent then sees their child', async () => {
      const list = await senco.get('/settings/parents?show=all&q=zoe');
      assert.match(list.body, /Zoë O&#39;Connor/);
      const contact = await built.ctx.db.selectFrom('contacts').select('id').where('school_id', '=', fixture.schoolA.id).where('pupil_id', '=', fixture.schoolA.taughtPupilId).executeTakeFirstOrThrow();
      const unlinkPage = await senco.get(`/settings/parents/${contact.id}/unlink`);
      assert.match(unlinkPage.body, /Are you sure you want to unlink Ms Maria Parent from Zoë O&#39;Connor\?/);
      assert.equal((await senco.post(`/settings/parents/${contact.id}/unlink`)).statusCode, 303);
      assert.equal((await (await signedIn(fixture.schoolA.users.parent.email)).get(`/pupils/${fixture.schoolA.taughtPupilId}`)).statusCode, 403);

      const form = await senco.get(`/settings/parents/${contact.id}/link`);
      assert.match(form.body, /value="parent@a\.example\.org"/, 'the contact’s own email address is suggested');
      const teacherEmail = await senco.post(`/settings/parents/${contact.id}/link`, { email: fixture.schoolA.users.teacher.email, displayName: 'Maria Parent' });
      assert.equal(teacherEmail.statusCode, 400);
      assert.match(teacherEmail.body, /is Teacher at this school, and an account has one role in a school/);
      const check = await senco.post(`/settings/parents/${contact.id}/link`, { email: 'maria@home.example.org', displayName: 'Maria Parent' });
      assert.equal(check.statusCode, 200);
      assert.match(check.body, /Check before you link the account/);
      assert.match(check.body, /A new account is created with the parent role here/);
      const linked = await senco.post(`/settings/parents/${contact.id}/link`, { email: 'maria@home.example.org', displayName: 'Maria Parent', confirm: 'yes' });
      assert.equal(linked.statusCode, 200);
      assert.match(linked.body, /Parent account created/);
      const password = PASSWORD_PATTERN.exec(linked.body)?.[1];
      assert.ok(password);
      const parent = await signedIn('maria@home.example.org', password);
      const children = await parent.get('/my-children');
      assert.match(children.body, /Zoë/);
      assert.equal((await parent.get(`/pupils/${fixture.schoolA.taughtPupilId}`)).statusCode, 200);
      assert.equal((await parent.get(`/pupils/${fixture.schoolA.otherPupilId}`)).statusCode, 403);
      assert.equal((await senco.get(`/settings/parents/${contact.id}/link`)).statusCode, 303, 'a linked contact goes to its unlink page');
    });

    it('answers 404 for another school’s records and refuses a form without its CSRF token', async () => {
      const b = fixture.schoolB;
      const otherContact = await built.ctx.db.selectFrom('contacts').select('id').where('school_id', '=', b.id).executeTakeFirstOrThrow();
      for (const url of [`/settings/groups/${b.groupId}`, `/settings/people/${b.users.teacher.id}/role`, `/settings/parents/${otherContact.id}/link`]) {
        assert.equal((await senco.get(url)).statusCode, 404, url);
      }
      assert.equal((await senco.post(`/settings/groups/${b.groupId}/delete`)).statusCode, 404);
      assert.equal((await senco.post(`/settings/groups/${fixture.schoolA.groupId}/delete`, {}, { csrf: 'not-the-token' })).statusCode, 403);
      assert.equal((await senco.get(`/settings/groups/${fixture.schoolA.groupId}`)).statusCode, 200, 'the group is still there');
      const events = await built.ctx.db.selectFrom('audit_events').select('action').where('school_id', '=', b.id).where('action', 'like', 'group.%').execute();
      assert.deepEqual(events, []);
    });
  });
});
