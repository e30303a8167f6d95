// School settings on both databases: the rules, the transactions and their audit events.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { describeEachDialect, type TestDatabase } from '../../../test/support/databases.ts';
import { testConfig } from '../../../test/support/config.ts';
import { seedFixture, type Fixture } from '../../../test/support/fixtures.ts';
import { AuditLog, verifyAuditChains } from '../../platform/audit/audit-log.ts';
import { loadChildPupilIds, loadTaughtPupilIds } from '../../platform/auth/repository.ts';
import { verifyPassword } from '../../platform/auth/passwords.ts';
import type { AppContext } from '../../platform/context.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import * as settings from './service.ts';

const encode = (text: string) => new TextEncoder().encode(text);

function contextFor(database: TestDatabase): AppContext {
  return { config: testConfig(), database, db: database.db, audit: new AuditLog(database) };
}

async function registerVersion(database: TestDatabase, schoolId: string): Promise<number> {
  const row = await database.db.selectFrom('schools').select('register_version').where('id', '=', schoolId).executeTakeFirstOrThrow();
  return Number(row.register_version);
}

async function actions(database: TestDatabase, schoolId: string): Promise<string[]> {
  const rows = await database.db.selectFrom('audit_events').select('action').where('school_id', '=', schoolId).orderBy('seq').execute();
  return rows.map((row) => row.action);
}

async function upnOf(database: TestDatabase, pupilId: string): Promise<string> {
  const row = await database.db.selectFrom('pupils').select('upn').where('id', '=', pupilId).executeTakeFirstOrThrow();
  return row.upn!;
}

function rejects(promise: Promise<unknown>, field: string, message: RegExp) {
  return assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
    assert.equal(error.errors[0]!.field, field);
    assert.match(error.errors[0]!.message, message);
    return true;
  });
}

describeEachDialect('school settings', (getDatabase) => {
  let database: TestDatabase;
  let ctx: AppContext;
  let fixture: Fixture;
  let a: settings.SettingsActor;

  before(async () => {
    database = getDatabase();
    ctx = contextFor(database);
    fixture = await seedFixture(database);
    a = { schoolId: fixture.schoolA.id, userId: fixture.schoolA.users.senco.id, label: 'senco A', ip: '192.0.2.1' };
  });

  it('creates a school, refusing a URN another school has, and edits its details with an audited change', async () => {
    await rejects(settings.createSchool(ctx, { label: 'cli' }, { name: 'Copy', urn: '100001', laestab: '', laName: '', phase: 'primary' }), 'urn', /already has the URN 100001/);
    await rejects(settings.createSchool(ctx, { label: 'cli' }, { name: 'Bad', urn: '12', laestab: '', laName: '', phase: 'primary' }), 'urn', /6 digits/);
    const created = await settings.createSchool(ctx, { label: 'cli' }, { name: 'Cedar Primary', urn: '654321', laestab: '8812001', laName: 'Northshire', phase: 'primary' });
    const row = await database.db.selectFrom('schools').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    assert.deepEqual([row.name, row.urn, row.laestab, row.la_name, row.phase, Number(row.register_version)], ['Cedar Primary', '654321', '8812001', 'Northshire', 'primary', 0]);
    assert.deepEqual(await actions(database, created.id), ['school.created']);

    const cedar: settings.SettingsActor = { schoolId: created.id, userId: null, label: 'test', ip: null };
    await rejects(settings.updateSchoolDetails(ctx, cedar, { name: 'Cedar', urn: '100002', laestab: '', laName: '', phase: 'primary' }), 'urn', /already has the URN/);
    assert.deepEqual(await settings.updateSchoolDetails(ctx, cedar, { name: 'Cedar Primary School', urn: '654321', laestab: '881-2001', laName: 'Northshire', phase: 'primary' }), ['name']);
    assert.deepEqual(await settings.updateSchoolDetails(ctx, cedar, { name: 'Cedar Primary School', urn: '654321', laestab: '8812001', laName: 'Northshire', phase: 'primary' }), []);
    const event = await database.db.selectFrom('audit_events').select('detail').where('school_id', '=', created.id).where('action', '=', 'school.updated').executeTakeFirstOrThrow();
    assert.deepEqual(JSON.parse(event.detail!), { changes: { name: ['Cedar Primary', 'Cedar Primary School'] } });
  });

  it('adds a new person with a generated password shown once, and gives an existing account a role keeping its password', async () => {
    const added = await settings.addPerson(ctx, a, { email: ' New.Teacher@A.example.org ', displayName: 'New Teacher', role: 'teacher', passwordChoice: 'generate', password: '' });
    assert.equal(added.created, true);
    assert.equal(added.email, 'new.teacher@a.example.org');
    assert.match(added.password!, /^[A-HJ-NP-Za-km-z2-9]{24}$/);
    const user = await database.db.selectFrom('users').selectAll().where('email', '=', 'new.teacher@a.example.org').executeTakeFirstOrThrow();
    assert.ok(await verifyPassword(added.password!, user.password_hash));
    const membership = await database.db.selectFrom('memberships').selectAll().where('user_id', '=', user.id).execute();
    assert.deepEqual(membership.map((row) => [row.school_id, row.role]), [[fixture.schoolA.id, 'teacher']]);

    // A teacher at school B is given a role at A: name and password stay as they were.
    const before = await database.db.selectFrom('users').selectAll().where('id', '=', fixture.schoolB.users.teacher.id).executeTakeFirstOrThrow();
    const granted = await settings.addPerson(ctx, a, { email: fixture.schoolB.users.teacher.email, displayName: 'Another Name', role: 'teaching_assistant', passwordChoice: 'set', password: 'a different password' });
    assert.equal(granted.created, false);
    assert.equal(granted.password, undefined);
    assert.equal(granted.displayName, before.display_name);
    const after = await database.db.selectFrom('users').selectAll().where('id', '=', before.id).executeTakeFirstOrThrow();
    assert.equal(after.password_hash, before.password_hash);
    assert.equal(after.display_name, before.display_name);

    await rejects(settings.addPerson(ctx, a, { email: fixture.schoolA.users.leader.email, displayName: 'x', role: 'teacher', passwordChoice: 'generate', password: '' }), 'email', /already has a role at this school \(Senior leader\)/);
    await assert.rejects(settings.addPerson(ctx, a, { email: 'not-an-email', displayName: '', role: 'wizard', passwordChoice: 'set', password: 'short' }), (error: unknown) => {
      assert.ok(error instanceof ValidationError);
      assert.deepEqual(error.errors.map((problem) => problem.field), ['role', 'email', 'displayName', 'password']);
      return true;
    });
    const events = await database.db.selectFrom('audit_events').select(['action', 'actor_user_id', 'detail']).where('school_id', '=', fixture.schoolA.id).where('action', 'in', ['user.created', 'user.role-granted']).execute();
    assert.deepEqual(events.map((event) => [event.action, event.actor_user_id]), [['user.created', a.userId], ['user.role-granted', a.userId]]);
    assert.equal((await settings.listPeople(ctx, a, { q: 'new teach', role: '', page: 1 })).total, 1);
    assert.equal((await settings.listPeople(ctx, a, { q: '', role: 'teaching_assistant', page: 9 })).page, 1, 'a page past the end shows the last page');
  });

  it('keeps at least one SENCO: the last one can neither change their role nor remove themselves', async () => {
    const created = await settings.createSchool(ctx, { label: 'cli' }, { name: 'Solo School', urn: '700001', laestab: '', laName: '', phase: 'special' });
    const solo: settings.SettingsActor = { schoolId: created.id, userId: null, label: 'cli', ip: null };
    const senco = await settings.addPerson(ctx, solo, { email: 'solo-senco@example.org', displayName: 'Solo Senco', role: 'senco', passwordChoice: 'generate', password: '' });
    const self: settings.SettingsActor = { ...solo, userId: senco.userId, label: 'Solo Senco' };
    await rejects(settings.changeRole(ctx, self, senco.userId, 'teacher'), 'role', /You are the only SENCO at this school: give someone else the SENCO role before you change your own role/);
    await rejects(settings.removePerson(ctx, self, senco.userId), 'role', /You are the only SENCO at this school: .* before you remove yourself/);
    assert.equal((await settings.removalImpact(ctx, self, senco.userId)).lastSenco, true);
    await rejects(settings.checkRoleChange(ctx, self, senco.userId, 'senco'), 'role', /already SENCO here/);
    await assert.rejects(settings.changeRole(ctx, self, '01900000-0000-7000-8000-000000000000', 'teacher'), NotFoundError);

    const second = await settings.addPerson(ctx, self, { email: 'second-senco@example.org', displayName: 'Second Senco', role: 'senco', passwordChoice: 'generate', password: '' });
    const changed = await settings.changeRole(ctx, self, senco.userId, 'sen_admin');
    assert.deepEqual([changed.from, changed.to], ['senco', 'sen_admin']);
    await rejects(settings.removePerson(ctx, self, second.userId), 'role', /This person is the only SENCO/);
    assert.deepEqual((await actions(database, created.id)).filter((action) => action.startsWith('user.')), ['user.created', 'user.created', 'user.role-changed']);
  });

  it('removes a person with their group staff links and parent links, keeping the account', async () => {
    const school = fixture.schoolB;
    const b: settings.SettingsActor = { schoolId: school.id, userId: school.users.senco.id, label: 'senco B', ip: null };
    assert.equal((await loadTaughtPupilIds(database.db, school.id, school.users.teacher.id)).size, 2);
    const impact = await settings.removalImpact(ctx, b, school.users.teacher.id);
    assert.deepEqual([impact.groups, impact.children, impact.lastSenco], [1, 0, false]);
    const versionBefore = await registerVersion(database, school.id);
    const removed = await settings.removePerson(ctx, b, school.users.teacher.id);
    assert.deepEqual([removed.groupsLeft, removed.childrenUnlinked], [1, 0]);
    assert.equal(await registerVersion(database, school.id), versionBefore + 1);
    assert.equal((await loadTaughtPupilIds(database.db, school.id, school.users.teacher.id)).size, 0);
    assert.ok(await database.db.selectFrom('users').select('id').where('id', '=', school.users.teacher.id).executeTakeFirst(), 'the account remains');

    const parent = await settings.removePerson(ctx, b, school.users.parent.id);
    assert.equal(parent.childrenUnlinked, 1);
    assert.equal((await loadChildPupilIds(database.db, school.id, school.users.parent.id)).size, 0);
    const events = (await actions(database, school.id)).filter((action) => action !== 'parental-contacts.viewed');
    assert.deepEqual(events, ['user.role-removed', 'user.role-removed', 'contact.unlinked']);
    await assert.rejects(settings.removePerson(ctx, b, school.users.teacher.id), NotFoundError);
  });

  it('creates, changes and deletes groups, bumping the register version, and never deletes a pupil', async () => {
    const version = await registerVersion(database, fixture.schoolA.id);
    const groupId = await settings.createGroup(ctx, a, { name: '9Z', kind: 'registration', subject: '', yearGroup: '9' });
    assert.equal(await registerVersion(database, fixture.schoolA.id), version + 1);
    await rejects(settings.createGroup(ctx, a, { name: '9z', kind: 'teaching', subject: '', yearGroup: '' }), 'name', /There is already a group called 9Z/);
    await rejects(settings.updateGroup(ctx, a, groupId, { name: '7A English', kind: 'registration', subject: '', yearGroup: '' }), 'name', /already a group called 7A English/);
    await settings.updateGroup(ctx, a, groupId, { name: '9Z Science', kind: 'teaching', subject: 'Science', yearGroup: '9' });
    assert.deepEqual(await settings.findGroup(ctx, a, groupId), { id: groupId, name: '9Z Science', kind: 'teaching', subject: 'Science', yearGroup: 9 });

    await rejects(settings.setGroupStaff(ctx, a, groupId, [fixture.schoolA.users.leader.id]), 'staff', /only teachers and teaching assistants/);
    await rejects(settings.setGroupStaff(ctx, a, groupId, [fixture.schoolB.users.governor.id]), 'staff', /Choose staff from the list/);
    assert.deepEqual(await settings.setGroupStaff(ctx, a, groupId, [fixture.schoolA.users.teacher.id]), { added: 1, removed: 0 });

    await rejects(settings.addPupilsToGroup(ctx, a, groupId, []), 'pupilId', /Select at least one pupil/);
    await rejects(settings.addPupilsToGroup(ctx, a, groupId, [fixture.schoolB.otherPupilId]), 'pupilId', /Choose pupils from the search results/);
    assert.equal(await settings.addPupilsToGroup(ctx, a, groupId, [fixture.schoolA.otherPupilId, fixture.schoolA.otherPupilId]), 1);
    assert.equal(await settings.addPupilsToGroup(ctx, a, groupId, [fixture.schoolA.otherPupilId]), 0, 'a pupil already in the group stays once');
    assert.ok((await loadTaughtPupilIds(database.db, fixture.schoolA.id, fixture.schoolA.users.teacher.id)).has(fixture.schoolA.otherPupilId));

    const detail = await settings.getGroup(ctx, a, groupId);
    assert.deepEqual(detail.pupils.map((pupil) => pupil.name), ['Tomasz Kowalczyk']);
    assert.deepEqual(detail.staff.map((person) => person.userId), [fixture.schoolA.users.teacher.id]);

    await assert.rejects(settings.removePupilFromGroup(ctx, a, groupId, fixture.schoolA.noSenPupilId), NotFoundError);
    assert.equal(await settings.removePupilFromGroup(ctx, a, groupId, fixture.schoolA.otherPupilId), '9Z Science');
    await settings.addPupilsToGroup(ctx, a, groupId, [fixture.schoolA.noSenPupilId]);
    const deleted = await settings.deleteGroup(ctx, a, groupId);
    assert.deepEqual(deleted, { name: '9Z Science', pupils: 1 });
    await assert.rejects(settings.findGroup(ctx, a, groupId), NotFoundError);
    assert.ok(await database.db.selectFrom('pupils').select('id').where('id', '=', fixture.schoolA.noSenPupilId).executeTakeFirst());

    const pupilEvents = await database.db
      .selectFrom('audit_events')
      .select(['action', 'pupil_id'])
      .where('school_id', '=', fixture.schoolA.id)
      .where('action', 'like', 'group.%')
      .where('action', '!=', 'group.viewed')
      .orderBy('seq')
      .execute();
    assert.deepEqual(pupilEvents.map((event) => event.action), [
      'group.created', 'group.updated', 'group.staff-changed', 'group.pupil-added', 'group.pupil-removed', 'group.pupil-added', 'group.deleted', 'group.pupil-removed',
    ]);
    assert.equal(pupilEvents[3]!.pupil_id, fixture.schoolA.otherPupilId);
    // Another school's group is simply not found.
    await assert.rejects(settings.getGroup(ctx, a, fixture.schoolB.groupId), NotFoundError);
  });

  it('imports class lists: preview, confirm in one go, and a second import changes nothing', async () => {
    const school = fixture.schoolA;
    const [taught, other, noSen] = await Promise.all([upnOf(database, school.taughtPupilId), upnOf(database, school.otherPupilId), upnOf(database, school.noSenPupilId)]);
    const csv = [
      'Group name,Kind,Subject,Year,Staff emails,Pupil UPN',
      `7A English,teaching,English,7,${school.users.teacher.email},${taught}`,
      `7A English,teaching,English,7,${school.users.teacher.email},${other}`,
      `10M,registration,,10,${school.users.teaching_assistant.email},${noSen}`,
      `10M,registration,,10,${school.users.leader.email},${taught}`,
      `Spare,teaching,Art,,,${fixture.schoolB.users.teacher.email}`,
    ].join('\r\n');
    const version = await registerVersion(database, school.id);
    const preview = await settings.previewClassLists(ctx, a, { filename: 'class lists.csv', bytes: encode(csv) });
    assert.equal(await registerVersion(database, school.id), version, 'a preview changes nothing');
    assert.deepEqual(preview.plan.rejected.map((row) => [row.line, row.problems[0]!.field]), [[5, 'Staff emails'], [6, 'Pupil UPN']]);
    // 7A English had the pupil without SEN and the teaching assistant: the file lists neither, so both are taken out.
    assert.deepEqual(preview.plan.counts, { rows: 5, groups: 2, newGroups: 1, changedGroups: 1, unchangedGroups: 0, pupilsAdded: 2, pupilsRemoved: 1, staffAdded: 1, staffRemoved: 1, rejected: 2 });
    const view = await settings.getClassListImport(ctx, a, preview.batchId);
    assert.equal(view.status, 'previewed');
    assert.deepEqual(view.plan?.groups.map((group) => [group.name, group.outcome, group.pupilsAdded, group.staffAdded.length, group.removalsHeldBack]), [
      ['7A English', 'changed', 1, 0, false],
      ['10M', 'new', 1, 1, false],
    ]);
    assert.deepEqual(view.plan?.groups[0]!.pupilsRemoved, ['Priya Shah']);
    assert.deepEqual(view.plan?.groups[0]!.staffRemoved, [`teaching_assistant A (${school.users.teaching_assistant.email})`]);

    const result = await settings.confirmClassListImport(ctx, a, preview.batchId);
    assert.deepEqual({ ...result, committedAt: '' }, { groupsCreated: 1, groupsUpdated: 1, pupilsAdded: 2, pupilsRemoved: 1, staffAdded: 1, staffRemoved: 1, skipped: 2, committedAt: '' });
    assert.equal(await registerVersion(database, school.id), version + 1);
    assert.ok((await loadTaughtPupilIds(database.db, school.id, school.users.teacher.id)).has(school.otherPupilId));
    assert.ok((await loadTaughtPupilIds(database.db, school.id, school.users.teaching_assistant.id)).has(school.noSenPupilId));
    assert.equal((await loadTaughtPupilIds(database.db, school.id, school.users.teaching_assistant.id)).has(school.otherPupilId), false);
    const batch = await database.db.selectFrom('group_import_batches').selectAll().where('id', '=', preview.batchId).executeTakeFirstOrThrow();
    assert.equal(batch.status, 'committed');
    assert.equal(batch.content, null, 'the file is not kept once imported');
    await assert.rejects(settings.confirmClassListImport(ctx, a, preview.batchId), settings.ClassListStateError);
    await assert.rejects(settings.discardClassListImport(ctx, a, preview.batchId), settings.ClassListStateError);

    const again = await settings.previewClassLists(ctx, a, { filename: 'class lists.csv', bytes: encode(csv) });
    assert.deepEqual([again.plan.counts.unchangedGroups, again.plan.toApply], [2, 0]);
    const versionAfter = await registerVersion(database, school.id);
    await settings.confirmClassListImport(ctx, a, again.batchId);
    assert.equal(await registerVersion(database, school.id), versionAfter, 'nothing changed, so nothing is stale');

    // A file that lists fewer pupils for a group takes the others out.
    const smaller = await settings.previewClassLists(ctx, a, { filename: 'smaller.csv', bytes: encode(`Group name,Kind,Pupil UPN\n7A English,teaching,${taught}\n`) });
    assert.deepEqual([smaller.plan.counts.pupilsRemoved, smaller.plan.counts.staffRemoved], [1, 0], 'no Staff emails column: staff are left alone');
    await settings.discardClassListImport(ctx, a, smaller.batchId);
    await assert.rejects(settings.confirmClassListImport(ctx, a, smaller.batchId), settings.ClassListStateError);
    const listed = await settings.listClassListImports(ctx, a);
    assert.deepEqual(listed.map((entry) => entry.status), ['discarded', 'committed', 'committed']);

    const audited = (await actions(database, school.id)).filter((action) => action.startsWith('group-import.') || action.startsWith('group.pupil'));
    const fromImports = audited.filter((action) => action !== 'group-import.viewed');
    assert.deepEqual(fromImports.slice(fromImports.indexOf('group-import.previewed')), [
      'group-import.previewed', 'group-import.committed', 'group.pupil-added', 'group.pupil-added', 'group.pupil-removed',
      'group-import.previewed', 'group-import.committed', 'group-import.previewed', 'group-import.discarded',
    ]);
    await assert.rejects(settings.getClassListImport(ctx, { ...a, schoolId: fixture.schoolB.id }, preview.batchId), NotFoundError);
  });

  it('refuses files that are not class lists, touching nothing', async () => {
    const count = async () => Number((await database.db.selectFrom('group_import_batches').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    const refuse = (filename: string, text: string | Uint8Array, message: RegExp) =>
      assert.rejects(settings.previewClassLists(ctx, a, { filename, bytes: typeof text === 'string' ? encode(text) : text }), (error: unknown) => {
        assert.ok(error instanceof settings.ImportFileError);
        assert.match(error.message, message);
        return true;
      });
    await refuse('empty.csv', '', /empty/);
    await refuse('lists.csv', 'UPN,Surname,Forename\nA,B,C\n', /The file has no “Group name” column. The file has no “Kind” column. The first row must be the column headings: Group name, Kind, Subject, Year, Staff emails, Pupil UPN/);
    await refuse('lists.xml', '<CTfile></CTfile>', /CSV file/);
    await refuse('lists.csv', new Uint8Array([0x47, 0x00, 0x72]), /binary data/);
    assert.equal(await count(), before);
  });

  it('links a parent’s account to a contact, creating it with the parent role, and unlinks it', async () => {
    const school = fixture.schoolA;
    const [contact] = (await settings.listParents(ctx, a, { q: "o'connor", show: 'all', page: 1 })).contacts;
    assert.equal(contact?.pupilName, "Zoë O'Connor");
    assert.equal(contact?.account?.email, school.users.parent.email);
    await rejects(settings.checkParentLink(ctx, a, contact!.id, { email: 'x@example.org', displayName: 'X' }), 'email', /already linked to parent@a\.example\.org: unlink it first/);
    assert.equal((await settings.unlinkParent(ctx, a, contact!.id)).changed, true);
    assert.equal((await loadChildPupilIds(database.db, school.id, school.users.parent.id)).size, 0);

    await rejects(settings.checkParentLink(ctx, a, contact!.id, { email: school.users.teacher.email, displayName: '' }), 'email', /is Teacher at this school, and an account has one role in a school/);
    await rejects(settings.checkParentLink(ctx, a, contact!.id, { email: 'nope', displayName: '' }), 'email', /correct format/);
    const check = await settings.checkParentLink(ctx, a, contact!.id, { email: 'Maria.Parent@home.example.org', displayName: 'Maria Parent' });
    assert.deepEqual([check.willCreate, check.willGrantRole], [true, true]);
    const linked = await settings.linkParent(ctx, a, contact!.id, { email: 'Maria.Parent@home.example.org', displayName: 'Maria Parent' });
    assert.equal(linked.created, true);
    assert.match(linked.password!, /^\w{24}$/);
    const person = (await settings.listPeople(ctx, a, { q: 'maria.parent', role: '', page: 1 })).people[0]!;
    assert.equal(person.role, 'parent');
    assert.deepEqual([...(await loadChildPupilIds(database.db, school.id, linked.userId))], [school.taughtPupilId]);
    const events = (await actions(database, school.id)).filter((action) => action.startsWith('contact.') || action === 'user.created');
    assert.deepEqual(events.slice(-3), ['contact.unlinked', 'user.created', 'contact.linked']);

    // The command line: the pupil by UPN, the contact by email or by name.
    const upn = await upnOf(database, school.taughtPupilId);
    await settings.unlinkParent(ctx, a, contact!.id);
    await rejects(settings.linkParentByUpn(ctx, a, { upn, email: 'someone@else.org' }), 'email', /No contact with parental responsibility for Zoë O'Connor has the email address someone@else\.org: name the contact with --name/);
    await rejects(settings.linkParentByUpn(ctx, a, { upn: 'A000000000000', email: 'someone@else.org' }), 'upn', /No pupil with the UPN A000000000000/);
    const byName = await settings.linkParentByUpn(ctx, a, { upn: upn.toLowerCase(), email: 'maria.parent@home.example.org', name: 'maria parent' });
    assert.deepEqual([byName.created, byName.grantedRole, byName.userId], [false, false, linked.userId]);
    await settings.unlinkParent(ctx, a, contact!.id);
    const byEmail = await settings.linkParentByUpn(ctx, a, { upn, email: school.users.parent.email });
    assert.equal(byEmail.userId, school.users.parent.id);
    await assert.rejects(settings.getParentalContact(ctx, { ...a, schoolId: fixture.schoolB.id }, contact!.id), NotFoundError);
  });

  it('leaves every audit chain intact', async () => {
    await ctx.audit.flush();
    const verification = await verifyAuditChains(database.db);
    assert.equal(verification.ok, true, JSON.stringify(verification.firstBroken));
  });
});
