// Concerns through the real app on both databases: a teacher raises one (with evidence), the SENCO
// triages it, the teacher sees the outcome; a teacher cannot raise one about a pupil they do not
// teach; a form with a problem saves nothing, not even its files.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import type { BuiltApp } from '../../app.ts';
import { paragraph, renderPdf } from '../../platform/documents/index.ts';
import { buildTestApp } from '../../../test/support/app.ts';
import { describeEachDialect } from '../../../test/support/databases.ts';
import { seedFixture, type Fixture } from '../../../test/support/fixtures.ts';
import { TestClient, signedInAs } from '../../../test/support/http.ts';
import { concernChronology } from './service.ts';
import { auditEvents } from '../../../test/support/audit.ts';

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1]);

/** A multipart form with several files in one field, as a browser sends a multiple file input. */
async function postMany(app: BuiltApp['app'], client: TestClient, url: string, fields: Record<string, string>, files: Array<{ filename: string; bytes: Uint8Array; type: string }>): Promise<LightMyRequestResponse> {
  const form = new FormData();
  form.append('_csrf', client.csrfToken ?? '');
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  for (const file of files) form.append('evidence', new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.filename);
  const request = new Request(`http://localhost${url}`, { method: 'POST', body: form });
  const cookie = (client as unknown as { cookieHeader(): string }).cookieHeader();
  return app.inject({ method: 'POST', url, payload: Buffer.from(await request.arrayBuffer()), headers: { cookie, 'content-type': request.headers.get('content-type')! } });
}

describeEachDialect('concerns', (getDatabase) => {
  let built: BuiltApp;
  let fixture: Fixture;
  const as = signedInAs(() => built.app, () => fixture.schoolA);
  const events = (action: string) => auditEvents(built.ctx, fixture.schoolA.id, action);
  const count = async (table: 'concerns' | 'pupil_documents' | 'pupil_document_files') =>
    Number((await getDatabase().db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('school_id', '=', fixture.schoolA.id).executeTakeFirstOrThrow()).n);
  const fields = {
    observed: 'Priya copies from her neighbour and rarely starts writing on her own. She turns away when asked to read aloud.',
    tried: 'Sat her near the front, gave her a word mat and a writing frame; these help a little.',
    duration: 'Since the start of the spring term',
    area: 'Cognition and learning',
  };

  before(async () => {
    built = await buildTestApp(getDatabase());
    fixture = await seedFixture(getDatabase());
  });
  after(async () => {
    await built.app.close();
  });

  it('a teacher chooses from the pupils they teach, and cannot raise a concern about anyone else', async () => {
    const teacher = await as('teacher');
    const choose = await teacher.get('/concerns/new');
    assert.equal(choose.statusCode, 200);
    assert.match(choose.body, /Priya Shah/);
    assert.match(choose.body, /Zoë O&#39;Connor|Zoë O'Connor/);
    assert.doesNotMatch(choose.body, /Kowalczyk/, 'a pupil they do not teach is not offered');
    assert.match((await teacher.get('/concerns/new?q=shah')).body, /Priya Shah/);
    assert.doesNotMatch((await teacher.get('/concerns/new?q=shah')).body, /Connor/);

    const picked = await teacher.get(`/concerns/new?pupil=${fixture.schoolA.noSenPupilId}`);
    assert.equal(picked.headers.location, `/pupils/${fixture.schoolA.noSenPupilId}/concerns/new`);
    assert.equal((await teacher.get(`/concerns/new?pupil=${fixture.schoolA.otherPupilId}`)).headers.location, `/pupils/${fixture.schoolA.otherPupilId}/concerns/new`);
    assert.equal((await teacher.get(`/pupils/${fixture.schoolA.otherPupilId}/concerns/new`)).statusCode, 403);
    await teacher.get(`/pupils/${fixture.schoolA.noSenPupilId}/concerns/new`);
    assert.equal((await teacher.post(`/pupils/${fixture.schoolA.otherPupilId}/concerns/new`, fields)).statusCode, 403);
    assert.equal((await teacher.post(`/pupils/${fixture.schoolB.noSenPupilId}/concerns/new`, fields)).statusCode, 403, 'never another school’s pupil');
    assert.equal(await count('concerns'), 0);
  });

  it('a form with a problem shows every problem and saves nothing, not even the good files', async () => {
    const teacher = await as('teacher');
    const url = `/pupils/${fixture.schoolA.noSenPupilId}/concerns/new`;
    const form = await teacher.get(url);
    assert.match(form.body, /Raise a concern/);
    const empty = await teacher.post(url, { observed: '', tried: '', duration: '' });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /Enter what you see/);
    assert.match(empty.body, /Enter what you have tried/);
    assert.match(empty.body, /Enter how long you have noticed this/);

    const pdf = await renderPdf({ title: 'Writing sample', schoolName: 'Ashfield Academy', blocks: [paragraph('A sample.')] });
    const badFile = await postMany(built.app, teacher, url, fields, [
      { filename: 'writing.pdf', bytes: pdf, type: 'application/pdf' },
      { filename: 'notes.pdf', bytes: new TextEncoder().encode('<html>not a pdf</html>'), type: 'application/pdf' },
    ]);
    assert.equal(badFile.statusCode, 400);
    assert.match(badFile.body, /notes\.pdf must be a PDF, a Word document/);
    assert.match(badFile.body, /copies from her neighbour/, 'what they typed is kept');
    assert.equal(await count('concerns'), 0);
    assert.equal(await count('pupil_documents'), 0);
    assert.equal(await count('pupil_document_files'), 0);
  });

  it('a teacher raises a concern with evidence, the SENCO triages it, and the teacher sees the outcome', async () => {
    const teacher = await as('teacher');
    const url = `/pupils/${fixture.schoolA.noSenPupilId}/concerns/new`;
    await teacher.get(url);
    const pdf = await renderPdf({ title: 'Writing sample', schoolName: 'Ashfield Academy', blocks: [paragraph('A sample.')] });
    const raised = await postMany(built.app, teacher, url, fields, [
      { filename: 'writing.pdf', bytes: pdf, type: 'application/pdf' },
      { filename: 'photo.png', bytes: PNG, type: 'image/png' },
    ]);
    assert.equal(raised.statusCode, 303, raised.body.slice(0, 300));
    const location = String(raised.headers.location);
    const concernId = /^\/concerns\/([^/]+)\/raised$/.exec(location)?.[1];
    assert.ok(concernId, location);
    const confirmation = await teacher.get(location);
    assert.match(confirmation.body, /Concern sent to the SENCO/);
    assert.match(confirmation.body, /2 files/);
    const evidence = await getDatabase().db.selectFrom('pupil_documents').select(['concern_id', 'confidential', 'category', 'filename']).where('school_id', '=', fixture.schoolA.id).orderBy('filename').execute();
    assert.deepEqual(evidence.map((row) => [row.concern_id, Number(row.confidential), row.category, row.filename]), [
      [concernId, 0, 'concern-evidence', 'photo.png'],
      [concernId, 0, 'concern-evidence', 'writing.pdf'],
    ]);

    // Someone else who teaches the pupil cannot open the teacher's confirmation.
    assert.equal((await (await as('teaching_assistant')).get(location)).statusCode, 404);
    // Reading the confirmation (what was said about the pupil) is audited, once, for the teacher who read it.
    const confirmationReads = (await events('concern.viewed')).filter((event) => event.detail.page === 'raised');
    assert.deepEqual(confirmationReads.map((event) => [event.pupil_id, event.detail.concernId]), [[fixture.schoolA.noSenPupilId, concernId]]);

    let mine = await teacher.get('/concerns/mine');
    assert.match(mine.body, /Priya Shah/);
    assert.match(mine.body, /Waiting for the SENCO/);
    assert.equal((await teacher.get('/concerns')).statusCode, 403, 'teachers do not triage');
    assert.equal((await teacher.get(`/concerns/${concernId}`)).statusCode, 403);

    const senco = await as('senco');
    const list = await senco.get('/concerns');
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /Priya Shah/);
    assert.match(list.body, /Awaiting triage/);
    assert.doesNotMatch((await senco.get('/concerns?status=closed')).body, /Priya Shah/);
    assert.match((await senco.get('/concerns?q=priya')).body, /Priya Shah/);
    assert.doesNotMatch((await senco.get('/concerns?q=kowalczyk')).body, /Priya Shah/);

    const page = await senco.get(`/concerns/${concernId}`);
    assert.match(page.body, /copies from her neighbour/);
    assert.match(page.body, /writing\.pdf/);
    assert.match(page.body, /Record the outcome/);

    const noNote = await senco.post(`/concerns/${concernId}/outcome`, { outcome: 'refer', note: '' });
    assert.equal(noNote.statusCode, 400);
    assert.match(noNote.body, /Enter a note saying which agency/);
    const referred = await senco.post(`/concerns/${concernId}/outcome`, { outcome: 'refer', note: 'Referred to the educational psychology service for a cognitive assessment.' });
    assert.equal(referred.statusCode, 303);
    const closed = await getDatabase().db.selectFrom('concerns').selectAll().where('id', '=', concernId).executeTakeFirstOrThrow();
    assert.equal(closed.status, 'closed');
    assert.equal(closed.outcome_by, fixture.schoolA.users.senco.id);
    assert.ok(closed.outcome_at);
    assert.equal((await senco.post(`/concerns/${concernId}/outcome`, { outcome: 'monitor', note: '' })).statusCode, 400, 'decided once, until reopened');

    mine = await teacher.get('/concerns/mine');
    assert.match(mine.body, /Refer to an agency/);
    assert.match(mine.body, /Referred to the educational psychology service/);

    // Reopened: the earlier outcome is kept in the audit log; then SEN support, with its next steps.
    assert.equal((await senco.post(`/concerns/${concernId}/reopen`, {})).statusCode, 303);
    assert.match((await teacher.get('/concerns/mine')).body, /Waiting for the SENCO/);
    const reopened = await events('concern.reopened');
    assert.equal(reopened.length, 1);
    assert.equal(reopened[0]!.detail.previousOutcome, 'refer');
    assert.equal(reopened[0]!.pupil_id, fixture.schoolA.noSenPupilId);
    assert.equal((await senco.post(`/concerns/${concernId}/outcome`, { outcome: 'sen-support', note: '' })).statusCode, 303);
    const decided = await senco.get(`/concerns/${concernId}`);
    assert.match(decided.body, new RegExp(`/pupils/${fixture.schoolA.noSenPupilId}/sen/change\\?intent=add-support`));
    assert.match(decided.body, new RegExp(`/pupils/${fixture.schoolA.noSenPupilId}/plans/new`));
    assert.match((await senco.get('/concerns?status=closed&outcome=sen-support')).body, /Priya Shah/);

    assert.deepEqual((await events('concern.raised')).map((event) => (event.detail.evidence as unknown[]).length), [2]);
    assert.deepEqual((await events('concern.triaged')).map((event) => event.detail.outcome), ['refer', 'sen-support']);
  });

  it('appear in the pupil’s chronology: raised, then decided', async () => {
    const senco = { userId: fixture.schoolA.users.senco.id, displayName: 'SENCO', schoolId: fixture.schoolA.id, role: 'senco' as const };
    const timeline = await concernChronology(built.ctx, senco, fixture.schoolA.noSenPupilId);
    assert.deepEqual(timeline.map((event) => [event.category, event.title]), [
      ['concern', 'Concern raised: cognition and learning'],
      ['concern', 'Concern decided: start SEN support'],
    ]);
    assert.match(timeline[0]!.detail!.join('\n'), /Evidence: photo\.png, writing\.pdf|Evidence: writing\.pdf, photo\.png/);
    assert.equal(timeline[0]!.by, 'teacher A');
    assert.ok(timeline[0]!.href?.startsWith('/concerns/'));
    assert.ok(built.ctx.chronologySources?.length, 'registered as a chronology source');
  });

  describe('the SENCO may raise a concern about any pupil', () => {
    it('by searching for them', async () => {
      const senco = await as('senco');
      assert.doesNotMatch((await senco.get('/concerns/new')).body, /Kowalczyk/);
      assert.match((await senco.get('/concerns/new?q=kowal')).body, /Tomasz Kowalczyk/);
      assert.equal((await senco.get(`/pupils/${fixture.schoolA.otherPupilId}/concerns/new`)).statusCode, 200);
      assert.equal((await senco.get(`/pupils/${fixture.schoolB.otherPupilId}/concerns/new`)).statusCode, 404);
    });
  });
});
