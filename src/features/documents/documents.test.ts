// A pupil's documents through the real app on both databases: uploads checked by their bytes, a
// confidential report the teacher cannot open even with its address, downloads served as attachments
// and audited, and soft removal that leaves the audit trail.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { BuiltApp } from '../../app.ts';
import { paragraph, renderDocx, renderPdf } from '../../platform/documents/index.ts';
import { buildTestApp } from '../../../test/support/app.ts';
import { describeEachDialect } from '../../../test/support/databases.ts';
import { seedFixture, type Fixture } from '../../../test/support/fixtures.ts';
import { signedInAs } from '../../../test/support/http.ts';
import { documentChronology } from './service.ts';
import { auditEvents } from '../../../test/support/audit.ts';

describeEachDialect('pupil documents', (getDatabase) => {
  let built: BuiltApp;
  let fixture: Fixture;
  let pupilId: string;
  const as = signedInAs(() => built.app, () => fixture.schoolA);
  const events = (action: string) => auditEvents(built.ctx, fixture.schoolA.id, action);
  const details = (title: string, confidential: boolean) => ({
    title,
    category: 'ep',
    'documentDate-day': '2',
    'documentDate-month': '2',
    'documentDate-year': '2026',
    ...(confidential ? { confidential: 'yes' } : {}),
  });
  const documentIds = async () =>
    new Map((await getDatabase().db.selectFrom('pupil_documents').select(['id', 'title']).where('school_id', '=', fixture.schoolA.id).execute()).map((row) => [row.title, row.id]));
  let report: Buffer;

  before(async () => {
    built = await buildTestApp(getDatabase());
    fixture = await seedFixture(getDatabase());
    pupilId = fixture.schoolA.taughtPupilId;
    report = await renderPdf({ title: 'Educational psychologist report', schoolName: 'Ashfield Academy', blocks: [paragraph('Cognitive assessment findings.')] });
  });
  after(async () => {
    await built.app.close();
  });

  it('refuses files that are not a PDF, DOCX, JPEG or PNG, whatever they are called, and saves nothing', async () => {
    const senco = await as('senco');
    const form = await senco.get(`/pupils/${pupilId}/documents/new`);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /Upload a document/);
    const html = await senco.upload(`/pupils/${pupilId}/documents/new`, { filename: 'report.pdf', bytes: new TextEncoder().encode('<!doctype html><script>alert(1)</script>'), type: 'application/pdf' }, details('Looks like a PDF', false));
    assert.equal(html.statusCode, 400);
    assert.match(html.body, /The selected file must be a PDF, a Word document \(\.docx\), a JPEG or a PNG/);
    assert.match(html.body, /value="Looks like a PDF"/, 'the title typed is kept');
    const oldWord = await senco.upload(`/pupils/${pupilId}/documents/new`, { filename: 'report.doc', bytes: new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]), type: 'application/msword' }, details('Old Word', false));
    assert.equal(oldWord.statusCode, 400);
    assert.match(oldWord.body, /old Word format/);
    const huge = new Uint8Array(10 * 1024 * 1024 + 10);
    huge.set(report);
    const tooBig = await senco.upload(`/pupils/${pupilId}/documents/new`, { filename: 'scan.pdf', bytes: huge, type: 'application/pdf' }, details('A big scan', false));
    assert.equal(tooBig.statusCode, 400);
    assert.match(tooBig.body, /The selected file must be smaller than 10 MB/);
    assert.match(tooBig.body, /value="A big scan"/, 'the form survives a file over the limit');
    const noFile = await senco.post(`/pupils/${pupilId}/documents/new`, details('No file', false));
    assert.equal(noFile.statusCode, 400);
    assert.match(noFile.body, /Select the file to upload/);
    const noDetails = await senco.upload(`/pupils/${pupilId}/documents/new`, { filename: 'report.pdf', bytes: report, type: 'application/pdf' }, {});
    assert.equal(noDetails.statusCode, 400);
    assert.match(noDetails.body, /Enter a title/);
    assert.match(noDetails.body, /Choose what kind of document it is/);
    assert.match(noDetails.body, /Enter the date of the document/);
    assert.equal((await documentIds()).size, 0);
  });

  it('the SENCO uploads a confidential report and a Word document; the teacher sees only that the report is held', async () => {
    const senco = await as('senco');
    await senco.get(`/pupils/${pupilId}/documents/new`);
    const uploaded = await senco.upload(`/pupils/${pupilId}/documents/new`, { filename: 'EP report.pdf', bytes: report, type: 'application/pdf' }, details('EP report, spring 2026', true));
    assert.equal(uploaded.statusCode, 303, uploaded.body.slice(0, 400));
    const docx = await renderDocx({ title: 'Previous school records', schoolName: 'Ashfield Academy', blocks: [paragraph('Transfer notes.')] });
    await senco.get(`/pupils/${pupilId}/documents/new`);
    assert.equal((await senco.upload(`/pupils/${pupilId}/documents/new`, { filename: 'transfer notes', bytes: docx, type: 'application/octet-stream' }, { ...details('Transfer notes from primary', false), category: 'previous-school' })).statusCode, 303);

    const list = await senco.get(`/pupils/${pupilId}/documents`);
    assert.match(list.body, /EP report, spring 2026/);
    assert.match(list.body, /Confidential/);
    assert.match(list.body, /Transfer notes from primary/);

    const teacher = await as('teacher');
    const theirs = await teacher.get(`/pupils/${pupilId}/documents`);
    assert.equal(theirs.statusCode, 200);
    assert.doesNotMatch(theirs.body, /EP report, spring 2026/);
    assert.match(theirs.body, /1 confidential document is held by the SENCO/);
    assert.match(theirs.body, /Transfer notes from primary/);
    assert.doesNotMatch(theirs.body, /Upload a document/, 'teachers do not upload');

    const ids = await documentIds();
    const confidentialUrl = `/pupils/${pupilId}/documents/${ids.get('EP report, spring 2026')}`;
    const forbidden = await teacher.get(confidentialUrl);
    assert.equal(forbidden.statusCode, 403, 'not even with its address');
    assert.doesNotMatch(forbidden.body, /%PDF/);
    assert.equal((await (await as('leader')).get(confidentialUrl)).statusCode, 403);

    const docxDownload = await teacher.get(`/pupils/${pupilId}/documents/${ids.get('Transfer notes from primary')}`);
    assert.equal(docxDownload.statusCode, 200);
    assert.equal(docxDownload.headers['content-type'], 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    assert.match(String(docxDownload.headers['content-disposition']), /^attachment; filename="transfer notes\.docx"/, 'named for what it really is');
  });

  it('the SENCO downloads the report as an attachment, byte for byte, and the download is audited', async () => {
    const senco = await as('senco');
    const ids = await documentIds();
    const response = await senco.get(`/pupils/${pupilId}/documents/${ids.get('EP report, spring 2026')}`);
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'application/pdf');
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.match(String(response.headers['content-disposition']), /^attachment; filename="EP report\.pdf"/);
    assert.ok(response.rawPayload.equals(report), 'the same bytes that were uploaded');
    const downloads = await events('document.downloaded');
    assert.ok(downloads.some((event) => event.actor_user_id === fixture.schoolA.users.senco.id && event.detail.confidential === true));
    const uploads = await events('document.uploaded');
    const confidential = uploads.find((event) => event.detail.confidential === true)!;
    assert.equal(confidential.detail.title, undefined, 'a confidential title stays out of the audit log');
  });

  it('the chronology names the confidential report only to those who may open it', async () => {
    const actor = (role: 'senco' | 'leader') => ({ userId: fixture.schoolA.users[role].id, displayName: role, schoolId: fixture.schoolA.id, role });
    const senco = await documentChronology(built.ctx, actor('senco'), pupilId);
    assert.deepEqual(senco.map((event) => event.title).sort(), ['Document added: EP report, spring 2026', 'Document added: Transfer notes from primary']);
    const leader = await documentChronology(built.ctx, actor('leader'), pupilId);
    assert.deepEqual(leader.map((event) => event.title).sort(), ['Confidential document added (held by the SENCO)', 'Document added: Transfer notes from primary']);
    assert.equal(leader.find((event) => event.title.startsWith('Confidential'))!.href, undefined);
  });

  it('parents and governors have no documents tab; a teacher sees none for a pupil they do not teach', async () => {
    assert.equal((await (await as('parent')).get(`/pupils/${pupilId}/documents`)).statusCode, 403);
    assert.equal((await (await as('governor')).get(`/pupils/${pupilId}/documents`)).statusCode, 403);
    assert.equal((await (await as('teacher')).get(`/pupils/${fixture.schoolA.otherPupilId}/documents`)).statusCode, 403);
    assert.doesNotMatch((await (await as('parent')).get(`/pupils/${pupilId}`)).body, new RegExp(`/pupils/${pupilId}/documents"`));
  });

  it('removing a document takes it off the list; the audit trail keeps it', async () => {
    const senco = await as('senco');
    const id = (await documentIds()).get('Transfer notes from primary')!;
    const confirm = await senco.get(`/pupils/${pupilId}/documents/${id}/remove`);
    assert.equal(confirm.statusCode, 200);
    assert.match(confirm.body, /Remove this document\?/);
    assert.equal((await (await as('teacher')).post(`/pupils/${pupilId}/documents/${id}/remove`, {})).statusCode, 403);
    assert.equal((await senco.post(`/pupils/${pupilId}/documents/${id}/remove`, {})).statusCode, 303);
    assert.doesNotMatch((await senco.get(`/pupils/${pupilId}/documents`)).body, />Transfer notes from primary</);
    assert.equal((await senco.get(`/pupils/${pupilId}/documents/${id}`)).statusCode, 404);
    const row = await getDatabase().db.selectFrom('pupil_documents').select(['removed_at', 'removed_by']).where('id', '=', id).executeTakeFirstOrThrow();
    assert.ok(row.removed_at);
    assert.equal(row.removed_by, fixture.schoolA.users.senco.id);
    assert.deepEqual((await events('document.removed')).map((event) => event.detail.title), ['Transfer notes from primary']);
  });
});
