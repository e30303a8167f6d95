// Meetings, tasks and the chronology over HTTP, on both databases, as each role meets them: the SENCO
// records a meeting with two actions, the owners find them in "My tasks" and mark them done; a parent
// reads the meetings held with them but never an internal one; a teacher cannot open the chronology;
// the timeline merges and filters; and the three-meetings page counts as the Code of Practice asks.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { BuiltApp } from '../../app.ts';
import { buildTestApp } from '../../../test/support/app.ts';
import { describeEachDialect } from '../../../test/support/databases.ts';
import { seedFixture, type Fixture } from '../../../test/support/fixtures.ts';
import { signedInAs } from '../../../test/support/http.ts';
import { auditEvents } from '../../../test/support/audit.ts';
import { schoolToday } from '../../platform/dates.ts';
import { newId } from '../../platform/ids.ts';
import { schoolScope } from '../../platform/scope.ts';
import * as repository from './repository.ts';
import * as chronology from './service.ts';
import type { Actor } from '../../platform/permissions.ts';

const today = schoolToday();
const daysAgo = (days: number) => new Date(Date.parse(`${today}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
const dateFields = (name: string, iso: string) => {
  const [year, month, day] = iso.split('-');
  return { [`${name}-day`]: String(Number(day)), [`${name}-month`]: String(Number(month)), [`${name}-year`]: year! };
};

describeEachDialect('Meetings, tasks and the chronology', (getDatabase) => {
  let built: BuiltApp;
  let fixture: Fixture;
  const as = signedInAs(() => built.app, () => fixture.schoolA);
  let pupilId: string;

  before(async () => {
    built = await buildTestApp(getDatabase());
    fixture = await seedFixture(getDatabase());
    pupilId = fixture.schoolA.taughtPupilId;
  });
  after(async () => {
    await built.app.close();
  });

  const meetingFields = (overrides: Record<string, string> = {}) => ({
    ...dateFields('heldOn', daysAgo(10)),
    kind: 'parents',
    withParents: 'yes',
    attendees: 'Ms Maria Parent (mother), senco A (SENCO)',
    notes: 'Talked about reading at home.\nAgreed a reading log.',
    cycleId: '',
    actionCount: '2',
    'action-0-description': 'Send home the reading log',
    'action-0-owner': fixture.schoolA.users.teacher.id,
    ...dateFields('action-0-due', daysAgo(3)),
    'action-1-description': 'Set up the Talk Boost group',
    'action-1-owner': fixture.schoolA.users.teaching_assistant.id,
    ...dateFields('action-1-due', daysAgo(-5)),
    command: 'save',
    ...overrides,
  });

  it('the meeting form grows a row with "Add another action" and names each wrong row', async () => {
    const senco = await as('senco');
    const form = await senco.get(`/pupils/${pupilId}/meetings/new`);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /name="actionCount" value="1"/);
    const grown = await senco.post(`/pupils/${pupilId}/meetings/new`, { ...meetingFields(), command: 'add' });
    assert.equal(grown.statusCode, 200);
    assert.match(grown.body, /name="actionCount" value="3"/);
    assert.match(grown.body, /Send home the reading log/, 'what was typed is kept');
    const shrunk = await senco.post(`/pupils/${pupilId}/meetings/new`, { ...meetingFields(), command: 'remove-0' });
    assert.match(shrunk.body, /name="actionCount" value="1"/);
    assert.doesNotMatch(shrunk.body, /Send home the reading log/);
    const wrong = await senco.post(`/pupils/${pupilId}/meetings/new`, meetingFields({ ...dateFields('heldOn', daysAgo(-2)), 'action-1-description': '', 'action-0-owner': fixture.schoolB.users.teacher.id }));
    assert.equal(wrong.statusCode, 400);
    for (const href of ['#heldOn-day', '#action-0-owner', '#action-1-description']) assert.match(wrong.body, new RegExp(`<a href="${href}">`), href);
    assert.match(wrong.body, /Action 2: enter what needs to be done/);
    assert.match(wrong.body, /Action 1: choose a member of staff in this school/);
    assert.equal((await repository.listMeetingsOfPupil(getDatabase().db, schoolScope(fixture.schoolA.id), pupilId)).length, 0, 'nothing saved');
  });

  let actionIds: string[] = [];
  it('records a meeting with two actions, which land in their owners’ task lists', async () => {
    const senco = await as('senco');
    const saved = await senco.post(`/pupils/${pupilId}/meetings/new`, meetingFields());
    assert.equal(saved.statusCode, 303);
    const page = await senco.get(saved.headers.location as string);
    assert.match(page.body, /Meeting recorded, with 2 actions/);
    assert.match(page.body, /Meeting with parents, /);
    assert.match(page.body, /Talked about reading at home.<br \/>/);

    const teacher = await as('teacher');
    const tasks = await teacher.get('/tasks');
    assert.equal(tasks.statusCode, 200);
    assert.match(tasks.body, /Send home the reading log/);
    assert.doesNotMatch(tasks.body, /Set up the Talk Boost group/, 'only my own actions');
    assert.match(tasks.body, /3 days overdue/);
    assert.match(tasks.body, /Zoë/);
    assert.match(tasks.body, new RegExp(`href="/pupils/${pupilId}"`), 'a pupil I teach is linked');
    const ta = await as('teaching_assistant');
    const theirs = await ta.get('/tasks');
    assert.match(theirs.body, /Set up the Talk Boost group/);
    assert.match(theirs.body, /Due in 5 days/);

    const rows = await repository.listActionsOfPupil(getDatabase().db, schoolScope(fixture.schoolA.id), pupilId);
    actionIds = rows.map((row) => row.id);
    const teachersAction = rows.find((row) => row.owner_user_id === fixture.schoolA.users.teacher.id)!;
    // Someone else's action cannot be ticked off by a teaching assistant.
    assert.equal((await ta.post(`/tasks/${teachersAction.id}/done`, { returnTo: '/tasks' })).statusCode, 403);
    const done = await teacher.post(`/tasks/${teachersAction.id}/done`, { returnTo: '/tasks' });
    assert.equal(done.statusCode, 303);
    assert.equal(done.headers.location, '/tasks');
    const after = await teacher.get('/tasks');
    assert.match(after.body, /Done: Send home the reading log/);
    assert.match(after.body, /You have no actions to do/);
    assert.match((await teacher.get('/tasks?show=done')).body, /Send home the reading log/);
    await teacher.post(`/tasks/${teachersAction.id}/undo`, { returnTo: 'https://evil.example/' });
    assert.match((await teacher.get('/tasks')).body, /Send home the reading log/, 'undone: back on the list');

    // The SENCO sees everyone's open actions on request.
    const everyone = await senco.get('/tasks?who=everyone');
    assert.match(everyone.body, /Send home the reading log/);
    assert.match(everyone.body, /Set up the Talk Boost group/);
    assert.doesNotMatch((await senco.get('/tasks')).body, /Set up the Talk Boost group/);
    assert.doesNotMatch((await teacher.get('/tasks?who=everyone')).body, /Set up the Talk Boost group/, 'a teacher cannot see everyone’s');
  });

  it('edits a meeting: changes an action, removes one and adds one', async () => {
    const senco = await as('senco');
    const meetings = await repository.listMeetingsOfPupil(getDatabase().db, schoolScope(fixture.schoolA.id), pupilId);
    const edit = await senco.get(`/pupils/${pupilId}/meetings/${meetings[0]!.id}/edit`);
    assert.equal(edit.statusCode, 200);
    assert.match(edit.body, /Set up the Talk Boost group/);
    const fields = meetingFields({
      actionCount: '2',
      'action-0-id': actionIds[0]!, 'action-0-description': 'Send home the reading log every Friday',
      'action-1-id': '', 'action-1-description': 'Book the review', 'action-1-owner': fixture.schoolA.users.senco.id, ...dateFields('action-1-due', today),
    });
    const saved = await senco.post(`/pupils/${pupilId}/meetings/${meetings[0]!.id}/edit`, fields);
    assert.equal(saved.statusCode, 303);
    const rows = await repository.listActionsOfPupil(getDatabase().db, schoolScope(fixture.schoolA.id), pupilId);
    assert.deepEqual(rows.map((row) => row.description).sort(), ['Book the review', 'Send home the reading log every Friday']);
    assert.equal((await senco.get(`/pupils/${pupilId}/meetings/${newId()}/edit`)).statusCode, 404);
  });

  it('shows parents the meetings held with them, never an internal one', async () => {
    const senco = await as('senco');
    const internal = await senco.post(`/pupils/${pupilId}/meetings/new`, meetingFields({ kind: 'review', withParents: 'no', attendees: 'SENCO and class teacher', notes: 'Internal: staff worries about home', actionCount: '0' }));
    assert.equal(internal.statusCode, 303);
    const parent = await as('parent');
    const page = await parent.get(`/pupils/${pupilId}/meetings`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Talked about reading at home/);
    assert.match(page.body, /Send home the reading log every Friday/, 'the actions agreed');
    assert.doesNotMatch(page.body, /staff worries about home/);
    const rows = await repository.listMeetingsOfPupil(getDatabase().db, schoolScope(fixture.schoolA.id), pupilId);
    const hidden = rows.find((row) => row.with_parents === 0)!;
    const shown = rows.find((row) => row.with_parents === 1)!;
    assert.equal((await parent.get(`/pupils/${pupilId}/meetings/${hidden.id}`)).statusCode, 404);
    assert.equal((await parent.get(`/pupils/${pupilId}/meetings/${shown.id}`)).statusCode, 200);
    assert.equal((await parent.get(`/pupils/${fixture.schoolA.otherPupilId}/meetings`)).statusCode, 403, 'not another child');
    assert.match((await senco.get(`/pupils/${pupilId}/meetings`)).body, /staff worries about home/, 'staff see it');
  });

  it('keeps one timeline: meetings, actions, logged contacts and referrals, filtered, paged and printable', async () => {
    const senco = await as('senco');
    const wrong = await senco.post(`/pupils/${pupilId}/chronology/new`, { kind: 'referral', ...dateFields('occurredOn', daysAgo(2)), agency: '', otherAgency: '', summary: '', details: '' });
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /Choose which agency the pupil was referred to/);
    const saved = await senco.post(`/pupils/${pupilId}/chronology/new`, { kind: 'referral', ...dateFields('occurredOn', daysAgo(2)), agency: 'Speech and language therapy', otherAgency: '', summary: 'Referred with parents’ consent', details: 'Expressive language' });
    assert.equal(saved.statusCode, 303);
    await senco.post(`/pupils/${pupilId}/chronology/new`, { kind: 'phone-call', ...dateFields('occurredOn', daysAgo(20)), agency: '', otherAgency: '', summary: 'Phoned mother to arrange a meeting', details: '' });

    const page = await senco.get(`/pupils/${pupilId}/chronology`);
    assert.equal(page.statusCode, 200);
    const timeline = page.body.slice(page.body.indexOf('class="moj-timeline"'));
    const order = ['Referral to Speech and language therapy', 'Meeting with parents', 'Phone call'].map((title) => timeline.indexOf(title));
    assert.ok(order.every((at) => at > 0), `every event shows: ${order}`);
    assert.deepEqual([...order].sort((a, b) => a - b), order, 'newest first');
    const referrals = await senco.get(`/pupils/${pupilId}/chronology?category=agency`);
    assert.match(referrals.body, /Referral to Speech and language therapy/);
    assert.doesNotMatch(referrals.body, /Phoned mother/);
    const early = await senco.get(`/pupils/${pupilId}/chronology?${new URLSearchParams({ ...dateFields('to', daysAgo(15)) })}`);
    assert.match(early.body, /Phoned mother/);
    assert.doesNotMatch(early.body, /Referral to Speech/);
    const badDate = await senco.get(`/pupils/${pupilId}/chronology?from-day=31&from-month=2&from-year=2026`);
    assert.equal(badDate.statusCode, 200);
    assert.match(badDate.body, /The from date must be a real date/);
    const print = await senco.get(`/pupils/${pupilId}/chronology/print?category=contact`);
    assert.equal(print.statusCode, 200);
    assert.match(print.body, /<button[^>]*data-app-print hidden>Print the chronology<\/button>/, 'a print button, hidden until JavaScript shows it');
    assert.match(print.body, /Phoned mother/);
    assert.doesNotMatch(print.body, /Referral to Speech/);
    await built.ctx.audit.flush();
    const reads = await getDatabase().db.selectFrom('audit_events').select(['action', 'detail']).where('school_id', '=', fixture.schoolA.id).where('pupil_id', '=', pupilId).where('action', '=', 'pupil.viewed').execute();
    assert.ok(reads.some((row) => row.detail?.includes('"chronology"')), 'the chronology read is audited');
  });

  it('merges other features’ events from their chronology sources', async () => {
    const senco = await as('senco');
    built.ctx.chronologySources ??= [];
    const source = async (_actor: unknown, id: string) => (id === pupilId ? [{ date: daysAgo(1), recordedAt: new Date().toISOString(), category: 'passport', title: 'Passport updated by another feature' }] : []);
    built.ctx.chronologySources.push(source);
    try {
      const page = await senco.get(`/pupils/${pupilId}/chronology`);
      assert.match(page.body, /Passport updated by another feature/);
      assert.ok(page.body.indexOf('Passport updated by another feature') < page.body.indexOf('Referral to Speech'), 'in date order with the rest');
    } finally {
      built.ctx.chronologySources.splice(built.ctx.chronologySources.indexOf(source), 1);
    }
  });

  it('keeps the chronology from teachers and parents, who keep the SEN timeline', async () => {
    for (const role of ['teacher', 'parent', 'teaching_assistant'] as const) {
      const client = await as(role);
      assert.equal((await client.get(`/pupils/${pupilId}/chronology`)).statusCode, 403, role);
      assert.equal((await client.get(`/pupils/${pupilId}/chronology/print`)).statusCode, 403, role);
      assert.equal((await client.post(`/pupils/${pupilId}/chronology/new`, { kind: 'note' })).statusCode, 403, role);
    }
    assert.equal((await (await as('teacher')).get(`/pupils/${pupilId}/timeline`)).statusCode, 200);
  });

  it('audits which meeting was read or opened for editing', async () => {
    const senco = await as('senco');
    const [meeting] = await repository.listMeetingsOfPupil(getDatabase().db, schoolScope(fixture.schoolA.id), pupilId);
    assert.equal((await senco.get(`/pupils/${pupilId}/meetings/${meeting!.id}`)).statusCode, 200);
    assert.equal((await senco.get(`/pupils/${pupilId}/meetings/${meeting!.id}/edit`)).statusCode, 200);
    const reads = (await auditEvents(built.ctx, fixture.schoolA.id, 'pupil.viewed')).filter((event) => event.pupil_id === pupilId).map((event) => event.detail);
    assert.ok(reads.some((detail) => detail.section === 'meeting' && detail.meetingId === meeting!.id), 'the meeting page names the meeting');
    assert.ok(reads.some((detail) => detail.section === 'meeting-edit' && detail.meetingId === meeting!.id), 'the edit form names the meeting');
  });

  it('changes a logged entry with the same checks, audits before and after, and says so on the timeline', async () => {
    const senco = await as('senco');
    const scope = schoolScope(fixture.schoolA.id);
    const entry = (await repository.listEntriesOfPupil(getDatabase().db, scope, pupilId)).find((row) => row.summary === 'Phoned mother to arrange a meeting')!;
    const url = `/pupils/${pupilId}/chronology/entries/${entry.id}/edit`;
    const timeline = await senco.get(`/pupils/${pupilId}/chronology`);
    assert.ok(timeline.body.includes(`href="${url}"`), 'the timeline entry links to its change form');
    const form = await senco.get(url);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /Change a chronology entry/);
    assert.match(form.body, /value="Phoned mother to arrange a meeting"/, 'prefilled');
    assert.match(form.body, /value="phone-call" checked/);
    const fields = { kind: 'phone-call', ...dateFields('occurredOn', daysAgo(19)), agency: '', otherAgency: '', summary: 'Phoned father to arrange a meeting', details: 'He will come on Tuesday' };
    const wrong = await senco.post(url, { ...fields, summary: '', ...dateFields('occurredOn', daysAgo(-3)) });
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /Enter a summary, in a sentence/);
    assert.match(wrong.body, /The date it happened must be today or in the past/);
    assert.equal((await repository.findEntry(getDatabase().db, scope, entry.id))!.summary, 'Phoned mother to arrange a meeting', 'nothing saved');

    const saved = await senco.post(url, fields);
    assert.equal(saved.statusCode, 303);
    const page = await senco.get(saved.headers.location as string);
    assert.match(page.body, /Phone call changed/);
    assert.match(page.body, /Phoned father to arrange a meeting/);
    assert.doesNotMatch(page.body, /Phoned mother/);
    assert.match(page.body, new RegExp(`Changed on ${new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${today}T00:00:00Z`))} by senco A`));
    const changes = (await auditEvents(built.ctx, fixture.schoolA.id, 'chronology.entry-changed')).filter((event) => event.detail.entryId === entry.id);
    assert.equal(changes.length, 1);
    assert.equal(changes[0]!.pupil_id, pupilId);
    assert.deepEqual(changes[0]!.detail.changes, {
      occurredOn: { before: daysAgo(20), after: daysAgo(19) },
      summary: { before: 'Phoned mother to arrange a meeting', after: 'Phoned father to arrange a meeting' },
      details: { before: null, after: 'He will come on Tuesday' },
    });
    // Saving again without changes writes nothing.
    assert.match((await senco.get((await senco.post(url, fields)).headers.location as string)).body, /Nothing was changed/);
    assert.equal((await auditEvents(built.ctx, fixture.schoolA.id, 'chronology.entry-changed')).length, 1);
    // Another pupil's address for this entry, or an unknown entry: not found.
    assert.equal((await senco.get(`/pupils/${fixture.schoolA.otherPupilId}/chronology/entries/${entry.id}/edit`)).statusCode, 404);
    assert.equal((await senco.post(`/pupils/${pupilId}/chronology/entries/${newId()}/edit`, fields)).statusCode, 404);
  });

  it('lets no teacher, teaching assistant or parent change or remove an entry', async () => {
    const entry = (await repository.listEntriesOfPupil(getDatabase().db, schoolScope(fixture.schoolA.id), pupilId))[0]!;
    for (const role of ['teacher', 'parent', 'teaching_assistant'] as const) {
      const client = await as(role);
      const base = `/pupils/${pupilId}/chronology/entries/${entry.id}`;
      assert.equal((await client.get(`${base}/edit`)).statusCode, 403, role);
      assert.equal((await client.post(`${base}/edit`, { kind: 'note', summary: 'Changed by someone who may not' })).statusCode, 403, role);
      assert.equal((await client.get(`${base}/remove`)).statusCode, 403, role);
      assert.equal((await client.post(`${base}/remove`, {})).statusCode, 403, role);
    }
    const after = (await repository.findEntry(getDatabase().db, schoolScope(fixture.schoolA.id), entry.id))!;
    assert.equal(after.summary, entry.summary);
    assert.equal(after.updated_at, entry.updated_at);
  });

  it('removes an entry recorded by mistake after asking: kept in the table, gone from the timeline, audited', async () => {
    const senco = await as('senco');
    const db = getDatabase().db;
    const entry = (await repository.listEntriesOfPupil(db, schoolScope(fixture.schoolA.id), pupilId)).find((row) => row.kind === 'referral')!;
    const url = `/pupils/${pupilId}/chronology/entries/${entry.id}/remove`;
    const confirm = await senco.get(url);
    assert.equal(confirm.statusCode, 200);
    assert.match(confirm.body, /Are you sure you want to remove this entry\?/);
    assert.match(confirm.body, /Referred with parents’ consent/);
    const removed = await senco.post(url, {});
    assert.equal(removed.statusCode, 303);
    const page = await senco.get(removed.headers.location as string);
    assert.match(page.body, /Removed from the chronology: Referral to Speech and language therapy/);
    assert.doesNotMatch(page.body.slice(page.body.indexOf('class="moj-timeline"')), /Referred with parents’ consent/);
    const row = await db.selectFrom('chronology_entries').select(['summary', 'removed_at', 'removed_by']).where('id', '=', entry.id).executeTakeFirstOrThrow();
    assert.equal(row.summary, 'Referred with parents’ consent', 'the row is kept');
    assert.ok(row.removed_at);
    assert.equal(row.removed_by, fixture.schoolA.users.senco.id);
    const events = (await auditEvents(built.ctx, fixture.schoolA.id, 'chronology.entry-removed')).filter((event) => event.detail.entryId === entry.id);
    assert.equal(events.length, 1);
    assert.equal(events[0]!.detail.summary, 'Referred with parents’ consent');
    assert.equal((await senco.get(`/pupils/${pupilId}/chronology/entries/${entry.id}/edit`)).statusCode, 404, 'a removed entry cannot be changed');
    assert.equal((await senco.post(url, {})).statusCode, 404, 'nor removed twice');
  });

  it('lists SEN support pupils whose parents have had fewer than three meetings this school year', async () => {
    const leader = await as('leader');
    const before = await leader.get('/plans/parent-meetings');
    assert.equal(before.statusCode, 200);
    assert.match(before.body, /Zoë O&#39;Connor|Zoë O'Connor/);
    const yearStart = `${Number(today.slice(0, 4)) - (today.slice(5) < '09-01' ? 1 : 0)}-09-01`;
    assert.match(before.body, daysAgo(10) >= yearStart ? /1 of 3/ : />None</);
    assert.doesNotMatch(before.body, /Kowalczyk/, 'pupils with an EHC plan are not listed');
    const senco = await as('senco');
    // Two more meetings with parents this school year: the pupil drops off the list.
    const earlier = daysAgo(1) >= yearStart ? daysAgo(1) : today;
    const earliest = daysAgo(2) >= yearStart ? daysAgo(2) : today;
    if (earlier === today && earliest === today) return; // 1 September: only today counts, the list cannot drop to zero here
    for (const day of [earlier, earliest]) {
      await senco.post(`/pupils/${pupilId}/meetings/new`, meetingFields({ ...dateFields('heldOn', day), actionCount: '0', kind: 'review' }));
    }
    const page = await leader.get('/plans/parent-meetings');
    if (daysAgo(10) >= yearStart) {
      assert.doesNotMatch(page.body, /Zoë O/);
      assert.match(page.body, /Every pupil on SEN support has had three meetings/);
      assert.match(page.body, /100%/);
    }
    assert.equal((await (await as('teacher')).get('/plans/parent-meetings')).statusCode, 403);
  });

  it('counts this school year’s meetings with parents on any date, including the first days of September', async () => {
    const db = getDatabase().db;
    const leader: Actor = { userId: fixture.schoolB.users.leader.id, displayName: 'Leader B', schoolId: fixture.schoolB.id, role: 'leader' };
    const pupil = fixture.schoolB.taughtPupilId;
    const now = new Date().toISOString();
    const meeting = (heldOn: string, withParents: 0 | 1) => ({ school_id: fixture.schoolB.id, id: newId(), pupil_id: pupil, held_on: heldOn, kind: 'parents', with_parents: withParents, attendees: 'Parent, SENCO', notes: 'Notes', cycle_id: null, created_by: null, created_at: now, updated_at: now });
    await db.insertInto('pupil_meetings').values([meeting('2030-07-10', 1), meeting('2030-09-01', 1), meeting('2030-09-02', 0), meeting('2030-09-03', 1), meeting('2030-09-03', 1)]).execute();
    const query = { yearGroup: null, sort: 'count' as const, direction: 'asc' as const, page: 1 };
    const listed = async (today: string) => (await chronology.getParentMeetings(built.ctx, leader, query, '127.0.0.1', today)).rows.find((row) => row.pupilId === pupil);
    // 2 September: one meeting this year (the July one was last year; the internal one does not count).
    assert.deepEqual((({ count, lastMeeting }) => ({ count, lastMeeting }))((await listed('2030-09-02'))!), { count: 1, lastMeeting: '2030-09-01' });
    // 3 September: two records of one day count once.
    assert.equal((await listed('2030-09-03'))!.count, 2);
    await db.insertInto('pupil_meetings').values(meeting('2030-09-04', 1)).execute();
    assert.equal(await listed('2030-09-04'), undefined, 'three meetings: off the list');
    assert.equal((await listed('2031-09-01'))!.count, 0, 'a new school year starts again');
  });

  it('orders task lists in SQL as the rule says: overdue, then by due date; done latest first', async () => {
    const db = getDatabase().db;
    const scope = schoolScope(fixture.schoolB.id);
    const owner = fixture.schoolB.users.teacher.id;
    const now = new Date().toISOString();
    const row = (description: string, due: string, doneAt: string | null) => ({ id: newId(), pupil_id: fixture.schoolB.taughtPupilId, meeting_id: null, description, owner_user_id: owner, due_on: due, done_at: doneAt, done_by: doneAt ? owner : null, created_by: null, created_at: now });
    await repository.insertActions(db, scope, [row('later', daysAgo(-9), null), row('overdue', daysAgo(4), null), row('soon', daysAgo(-1), null), row('done first', daysAgo(30), '2026-01-01T09:00:00Z'), row('done last', daysAgo(30), '2026-02-01T09:00:00Z')]);
    const open = await repository.listTasks(db, scope, { ownerUserId: owner, done: false }, { limit: 10, offset: 0 });
    assert.deepEqual(open.map((task) => task.description), ['overdue', 'soon', 'later']);
    assert.deepEqual((await repository.listTasks(db, scope, { ownerUserId: owner, done: true }, { limit: 10, offset: 0 })).map((task) => task.description), ['done last', 'done first']);
    assert.equal(await repository.countOpenTasksDueBy(db, scope, { ownerUserId: owner, dueBy: daysAgo(1) }), 1);
    assert.equal((await repository.listTasks(db, schoolScope(fixture.schoolA.id), { ownerUserId: owner, done: false }, { limit: 10, offset: 0 })).length, 0, 'another school’s tasks stay there');
  });
});
