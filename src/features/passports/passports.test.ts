// Pupil passports over HTTP on both databases: the SENCO writes one from the plan and the pupil's own
// words, changes it (every save a version) and restores an old one; who may read it; "My class" for
// teachers and teaching assistants; the passport and the class's passports as Word and PDF.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { strFromU8, unzipSync } from 'fflate';
import type { BuiltApp } from '../../app.ts';
import { buildTestApp } from '../../../test/support/app.ts';
import { describeEachDialect } from '../../../test/support/databases.ts';
import { seedFixture, type Fixture } from '../../../test/support/fixtures.ts';
import { TestClient, signedInAs } from '../../../test/support/http.ts';
import * as authRepository from '../../platform/auth/repository.ts';
import { newId } from '../../platform/ids.ts';
import type { Actor } from '../../platform/permissions.ts';
import { schoolScope } from '../../platform/scope.ts';
import { getCurrentTemplate } from '../plans/templates.ts';
import { encodePng } from '../settings/logo.ts';
import { passportEvents } from './service.ts';
import { auditEvents } from '../../../test/support/audit.ts';

const PDFTOTEXT = '/usr/bin/pdftotext';
const popplerMissing = existsSync(PDFTOTEXT) ? false : 'poppler-utils is not installed (apt-get install poppler-utils)';
const PUPIL_GOOD_AT = 'drawing dragons & fixing my bike (with dad)';
const PUPIL_HARD = 'when evryone talks at once';

/** The text of a Word XML part: its w:t runs, with paragraphs on their own lines. */
function wordText(xml: string): string {
  return xml
    .replace(/<\/w:p>/g, '\n')
    .replace(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>|<[^>]+>/g, (_, text: string | undefined) => text ?? '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

function pdfText(bytes: Buffer): string {
  const directory = mkdtempSync(path.join(tmpdir(), 'senco-passport-'));
  try {
    const file = path.join(directory, 'passport.pdf');
    writeFileSync(file, bytes);
    return execFileSync(PDFTOTEXT, [file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

const decode = (html: string) => html.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>');

describeEachDialect('Pupil passports over HTTP', (getDatabase) => {
  let built: BuiltApp;
  let fixture: Fixture;
  const as = signedInAs(() => built.app, () => fixture.schoolA);
  const events = (action: string) => auditEvents(built.ctx, fixture.schoolA.id, action);
  let pupil: string;
  const edit = (fields: Record<string, string | string[]>) => ({ templateId: '', basedOnVersion: '0', ...fields });

  before(async () => {
    built = await buildTestApp(getDatabase());
    fixture = await seedFixture(getDatabase());
    pupil = fixture.schoolA.taughtPupilId;
    // Zoë's open plan with two strategies, and the views form she sent.
    const db = getDatabase().db;
    const scope = schoolScope(fixture.schoolA.id);
    const now = new Date().toISOString();
    const plan = await getCurrentTemplate(db, scope, 'plan');
    const cycleId = newId();
    await db.insertInto('support_cycles').values({ school_id: fixture.schoolA.id, id: cycleId, pupil_id: pupil, number: 1, status: 'open', plan_template_id: plan.id, started_on: '2026-09-10', review_due_on: '2026-12-10', created_at: now, updated_at: now }).execute();
    await db.insertInto('support_strategies').values(['Give instructions one at a time', 'Pre-teach key vocabulary'].map((strategy, position) => ({ school_id: fixture.schoolA.id, id: newId(), cycle_id: cycleId, position, strategy }))).execute();
    const pupilForm = await getCurrentTemplate(db, scope, 'contribution-pupil');
    await db.insertInto('contribution_requests').values({
      school_id: fixture.schoolA.id, id: newId(), cycle_id: cycleId, pupil_id: pupil, respondent: 'pupil', recipient_name: 'Zoë', template_id: pupilForm.id, token_hash: newId(),
      created_at: now, expires_at: now, submitted_at: now, answers: JSON.stringify({ 'good-at': PUPIL_GOOD_AT, hard: PUPIL_HARD }),
    }).execute();
  });
  after(async () => {
    await built.app.close();
  });

  describe('writing a passport', () => {
    it('starts empty, inviting the SENCO to write it', async () => {
      const senco = await as('senco');
      const page = await senco.get(`/pupils/${pupil}/passport`);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Zoë has no passport yet/);
      assert.match(page.body, new RegExp(`href="/pupils/${pupil}/passport/edit"[^>]*>\\s*Write the passport`));
      assert.equal((await senco.get(`/pupils/${pupil}/passport.pdf`)).statusCode, 404, 'no passport, no document');
    });

    it('fills from the plan: the plan’s strategies and Zoë’s own words, verbatim, not yet saved', async () => {
      const senco = await as('senco');
      const form = await senco.get(`/pupils/${pupil}/passport/edit`);
      assert.equal(form.statusCode, 200);
      assert.match(form.body, /Fill from the plan/);
      const filled = await senco.post(`/pupils/${pupil}/passport/edit`, edit({ 'section-helps': 'Short instructions', action: 'fill' }));
      assert.equal(filled.statusCode, 200);
      assert.match(filled.body, /Filled from the plan – not saved yet/);
      assert.match(filled.body, /<textarea[^>]*id="section-about-me"[^>]*>drawing dragons &amp; fixing my bike \(with dad\)<\/textarea>/);
      assert.match(filled.body, /<textarea[^>]*id="section-does-not-help"[^>]*>when evryone talks at once<\/textarea>/);
      assert.match(filled.body, /<textarea[^>]*id="section-helps"[^>]*>Short instructions<\/textarea>/, 'a section with no answer keeps what was typed');
      assert.match(filled.body, /name="pupilWords-about-me" type="checkbox" value="yes" checked/);
      assert.match(filled.body, /id="strategy-0" name="strategy" type="text" value="Give instructions one at a time"/);
      assert.match(filled.body, /id="strategy-1" name="strategy" type="text" value="Pre-teach key vocabulary"/);
      assert.equal((await getDatabase().db.selectFrom('pupil_passports').select('id').execute()).length, 0, 'nothing saved');
      assert.equal((await events('passport.filled-from-plan')).length, 1);
    });

    it('refuses what would not fit, keeping every character typed', async () => {
      const senco = await as('senco');
      const long = `${'Needs lots of reassurance. '.repeat(27)}END`;
      const response = await senco.post(`/pupils/${pupil}/passport/edit`, edit({ 'section-helps': long, 'section-about-me': '', 'pupilWords-about-me': 'yes', action: 'save' }));
      assert.equal(response.statusCode, 400);
      assert.match(response.body, /<a href="#section-helps">“What helps me” is 732 characters: it must be 700 characters or fewer so the passport fits on one page<\/a>/);
      assert.match(response.body, /<a href="#section-about-me">You said “About me” is in Zoë’s own words: write their words in, or untick the box<\/a>/);
      assert.ok(response.body.includes(`${long}</textarea>`), 'no silent truncation');
    });

    it('saves version 1, shown with the pupil’s words as their quotation and the key strategies', async () => {
      const senco = await as('senco');
      const saved = await senco.post(`/pupils/${pupil}/passport/edit`, edit({
        'section-about-me': PUPIL_GOOD_AT, 'pupilWords-about-me': 'yes', 'section-important': 'Her cat Pepper and her friends at lunch', 'section-helps': 'Short instructions, written down',
        'section-does-not-help': PUPIL_HARD, 'pupilWords-does-not-help': 'yes', strategy: ['Give instructions one at a time', 'Pre-teach key vocabulary'], action: 'save',
      }));
      assert.equal(saved.statusCode, 303);
      assert.equal(saved.headers.location, `/pupils/${pupil}/passport`);
      const page = await senco.get(`/pupils/${pupil}/passport`);
      assert.match(page.body, /Passport saved: teachers of this pupil see it on their “My class” page/);
      assert.match(page.body, /Version 1, updated/);
      assert.match(page.body, /<h3[^>]*>About me<\/h3>\s*<figure class="app-passport__quote">\s*<blockquote class="app-passport__quote-text"><p class="govuk-body">drawing dragons &amp; fixing my bike \(with dad\)<\/p><\/blockquote>\s*<figcaption[^>]*>In Zoë’s own words<\/figcaption>/);
      assert.match(page.body, /<h3[^>]*>What is important to me<\/h3>\s*<p class="govuk-body app-passport__text">Her cat Pepper/);
      assert.match(page.body, /<h3[^>]*>Key strategies for adults<\/h3>\s*<ul class="govuk-list govuk-list--bullet">\s*<li>Give instructions one at a time<\/li><li>Pre-teach key vocabulary<\/li>/);
      const [event] = await events('passport.written');
      assert.equal(event!.pupil_id, pupil);
      assert.equal(event!.detail.version, 1);
      assert.deepEqual(event!.detail.pupilWords, ['about-me', 'does-not-help']);
    });

    it('makes each change a new version, reorders strategies without JavaScript, and refuses a stale form', async () => {
      const senco = await as('senco');
      const form = await senco.get(`/pupils/${pupil}/passport/edit`);
      assert.match(form.body, /name="basedOnVersion" value="1"/);
      const base = { basedOnVersion: '1', 'section-about-me': PUPIL_GOOD_AT, 'pupilWords-about-me': 'yes', 'section-important': 'Her cat Pepper and her friends at lunch', 'section-helps': 'Short instructions, written down', 'section-does-not-help': PUPIL_HARD, 'pupilWords-does-not-help': 'yes' };
      const moved = await senco.post(`/pupils/${pupil}/passport/edit`, edit({ ...base, strategy: ['Give instructions one at a time', 'Pre-teach key vocabulary'], action: 'down-0' }));
      assert.equal(moved.statusCode, 200);
      assert.match(moved.body, /id="strategy-0" name="strategy" type="text" value="Pre-teach key vocabulary"/);
      assert.match(moved.body, /Strategy moved down to number 2: save the passport to keep the change/);
      const unchanged = await senco.post(`/pupils/${pupil}/passport/edit`, edit({ ...base, strategy: ['Give instructions one at a time', 'Pre-teach key vocabulary'], action: 'save' }));
      assert.equal(unchanged.statusCode, 303);
      assert.match((await senco.get(`/pupils/${pupil}/passport`)).body, /Nothing was changed/);
      const changed = await senco.post(`/pupils/${pupil}/passport/edit`, edit({ ...base, strategy: ['Pre-teach key vocabulary', 'Give instructions one at a time'], newStrategy: 'Seat near the door', action: 'save' }));
      assert.equal(changed.statusCode, 303);
      assert.match((await senco.get(`/pupils/${pupil}/passport`)).body, /Passport saved as version 2/);
      const stale = await senco.post(`/pupils/${pupil}/passport/edit`, edit({ ...base, strategy: ['Something else'], action: 'save' }));
      assert.equal(stale.statusCode, 400);
      assert.match(stale.body, /Someone saved version 2 of this passport while you were editing/);
      const versions = await getDatabase().db.selectFrom('pupil_passports').select(['version', 'strategies']).where('pupil_id', '=', pupil).orderBy('version').execute();
      assert.deepEqual(versions.map((row) => [Number(row.version), JSON.parse(row.strategies)]), [
        [1, ['Give instructions one at a time', 'Pre-teach key vocabulary']],
        [2, ['Pre-teach key vocabulary', 'Give instructions one at a time', 'Seat near the door']],
      ]);
    });

    it('lists the versions, shows an old one, and restores it as a new version', async () => {
      const senco = await as('senco');
      const history = await senco.get(`/pupils/${pupil}/passport/history`);
      assert.equal(history.statusCode, 200);
      assert.match(history.body, /2 versions, newest first/);
      const first = await getDatabase().db.selectFrom('pupil_passports').select('id').where('pupil_id', '=', pupil).where('version', '=', 1).executeTakeFirstOrThrow();
      assert.match(history.body, new RegExp(`href="/pupils/${pupil}/passport/versions/${first.id}">Version 1</a>`));
      const old = await senco.get(`/pupils/${pupil}/passport/versions/${first.id}`);
      assert.equal(old.statusCode, 200);
      assert.match(old.body, /This is version 1, as it was on .*\. The current passport is version 2\./);
      assert.doesNotMatch(old.body, /Seat near the door/);
      const restored = await senco.post(`/pupils/${pupil}/passport/versions/${first.id}/restore`);
      assert.equal(restored.statusCode, 303);
      const page = await senco.get(`/pupils/${pupil}/passport`);
      assert.match(page.body, /Version 1 restored: it is now version 3, and the versions in between are kept/);
      assert.doesNotMatch(page.body, /Seat near the door/);
      const [event] = await events('passport.restored');
      assert.deepEqual([event!.detail.version, event!.detail.restoredFrom], [3, 1]);
      assert.equal((await senco.get(`/pupils/${pupil}/passport/versions/${newId()}`)).statusCode, 404);
      assert.match((await senco.get(`/pupils/${pupil}/passport/history`)).body, /Version 1 restored/);
    });

    it('puts every version in the pupil’s chronology', async () => {
      const actor: Actor = { userId: fixture.schoolA.users.senco.id, displayName: 'senco A', schoolId: fixture.schoolA.id, role: 'senco' };
      const found = await passportEvents(built.ctx, actor, pupil);
      assert.deepEqual(found.map((event) => [event.category, event.title]).sort(), [['passport', 'Passport restored from version 1'], ['passport', 'Passport updated'], ['passport', 'Passport written']]);
      assert.ok(found.every((event) => event.by === 'senco A' && event.href?.startsWith(`/pupils/${pupil}/passport/versions/`)));
      assert.ok(built.ctx.chronologySources?.length, 'registered as a chronology source');
    });
  });

  describe('who may read and change it', () => {
    it('lets the teacher, teaching assistant and parent of the pupil read it, and no one else', async () => {
      for (const role of ['teacher', 'teaching_assistant', 'parent', 'leader', 'sen_admin'] as const) {
        const page = await (await as(role)).get(`/pupils/${pupil}/passport`);
        assert.equal(page.statusCode, 200, role);
        assert.match(page.body, /In Zoë’s own words/, role);
      }
      for (const role of ['teacher', 'teaching_assistant', 'parent'] as const) {
        const client = await as(role);
        assert.equal((await client.get(`/pupils/${fixture.schoolA.otherPupilId}/passport`)).statusCode, 403, `${role}: not their pupil`);
        assert.equal((await client.get(`/pupils/${fixture.schoolA.otherPupilId}/passport.pdf`)).statusCode, 403, role);
        assert.equal((await client.get(`/pupils/${pupil}/passport/edit`)).statusCode, 403, `${role} cannot edit`);
        assert.doesNotMatch((await client.get(`/pupils/${pupil}/passport`)).body, /Change the passport/, role);
      }
      assert.equal((await (await as('governor')).get(`/pupils/${pupil}/passport`)).statusCode, 403);
      const other = new TestClient(built.app);
      await other.signIn(fixture.schoolB.users.senco.email);
      assert.equal((await other.get(`/pupils/${pupil}/passport`)).statusCode, 404, 'another school’s pupil is not found');
      assert.equal((await (await as('parent')).get('/my-class')).statusCode, 403);
      assert.equal((await (await as('senco')).get('/my-class')).statusCode, 403);
    });
  });

  describe('My class', () => {
    it('is the teacher’s home, showing the passports of the pupils with SEN they teach and no others', async () => {
      const teacher = new TestClient(built.app);
      const signedIn = await teacher.signIn(fixture.schoolA.users.teacher.email);
      assert.equal(signedIn.headers.location, '/my-class');
      const page = await teacher.get('/my-class');
      assert.equal(page.statusCode, 200);
      const body = decode(page.body);
      assert.match(body, /1 pupil with SEN in your groups: 1 passport\./);
      assert.match(body, /Zoë O'Connor/);
      assert.match(body, /Your groups: 7A English/);
      assert.match(body, /drawing dragons & fixing my bike \(with dad\)/);
      assert.match(body, /<li>Give instructions one at a time<\/li>/);
      for (const name of ['Kowalczyk', 'Priya']) assert.doesNotMatch(body, new RegExp(name), `${name} is not theirs, or has no SEN`);
      assert.match(body, /href="\/my-class\/passports\.docx">Download all as one Word document/);
      const [event] = (await events('my-class.viewed')).slice(-1);
      assert.deepEqual(event!.detail.pupils, [pupil]);
      assert.equal(event!.actor_user_id, fixture.schoolA.users.teacher.id);
    });

    it('filters by group, and says so when a group has no pupils with SEN or a pupil has no passport yet', async () => {
      const db = getDatabase().db;
      const teacher = await as('teacher');
      const groupId = newId();
      await db.insertInto('teaching_groups').values({ school_id: fixture.schoolA.id, id: groupId, name: '7B Maths', kind: 'teaching', subject: 'Mathematics', year_group: 7 }).execute();
      await db.insertInto('group_staff').values({ school_id: fixture.schoolA.id, group_id: groupId, user_id: fixture.schoolA.users.teacher.id }).execute();
      await db.insertInto('group_members').values({ school_id: fixture.schoolA.id, group_id: groupId, pupil_id: fixture.schoolA.noSenPupilId }).execute();
      const empty = decode((await teacher.get(`/my-class?group=${groupId}`)).body);
      assert.match(empty, /No pupils with SEN in 7B Maths/);
      assert.match(empty, /<option value="[^"]+" selected>7B Maths<\/option>/);
      assert.match((await teacher.get('/my-class?group=not-mine')).body, /That group is not one of yours, so all your groups are shown/);
      // Tomasz joins the maths group: a pupil with an EHC plan and no passport.
      await db.insertInto('group_members').values({ school_id: fixture.schoolA.id, group_id: groupId, pupil_id: fixture.schoolA.otherPupilId }).execute();
      const maths = decode((await teacher.get(`/my-class?group=${groupId}`)).body);
      assert.match(maths, /Tomasz Kowalczyk/);
      assert.match(maths, /No passport yet/);
      assert.match(maths, /The SENCO writes passports with each pupil; Tomasz’s will appear here when it is written/);
      assert.doesNotMatch(maths, /Zoë/, 'only the chosen group');
      assert.match(maths, new RegExp(`href="/my-class/passports\\.pdf\\?group=${groupId}"`));
      await db.deleteFrom('group_members').where('group_id', '=', groupId).execute();
      await db.deleteFrom('group_staff').where('group_id', '=', groupId).execute();
      await db.deleteFrom('teaching_groups').where('id', '=', groupId).execute();
    });

    it('tells a teacher with no groups what to do', async () => {
      const now = new Date().toISOString();
      const id = newId();
      const user = await getDatabase().db.selectFrom('users').select('password_hash').where('id', '=', fixture.schoolA.users.teacher.id).executeTakeFirstOrThrow();
      await authRepository.insertUser(getDatabase().db, { id, email: 'new-teacher@a.example.org', displayName: 'New Teacher', passwordHash: user.password_hash!, createdAt: now });
      await authRepository.upsertMembership(getDatabase().db, fixture.schoolA.id, id, 'teacher', now);
      const client = new TestClient(built.app);
      await client.signIn('new-teacher@a.example.org');
      const page = await client.get('/my-class');
      assert.match(page.body, /You have no groups yet/);
      assert.match(page.body, /Ask your SENCO to add you to your groups/);
    });

    it('is the teaching assistant’s too', async () => {
      const page = await (await as('teaching_assistant')).get('/my-class');
      assert.equal(page.statusCode, 200);
      assert.match(decode(page.body), /Zoë O'Connor/);
    });
  });

  describe('documents', () => {
    before(async () => {
      const senco = await as('senco');
      await senco.get('/settings/school');
      const logo = encodePng(90, 30, (x) => [x * 2, 60, 140, 255]);
      assert.equal((await senco.upload('/settings/school/logo', { field: 'logo', filename: 'logo.png', bytes: logo, type: 'image/png' })).statusCode, 303);
    });

    it('sends the passport as Word with the school’s name and logo, the headings, the pupil’s words and the strategies', async () => {
      const response = await (await as('parent')).get(`/pupils/${pupil}/passport.docx`);
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers['content-type'], 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
      assert.match(String(response.headers['content-disposition']), /^attachment; filename="Zoe O'Connor - pupil passport\.docx"/);
      const files = unzipSync(new Uint8Array(response.rawPayload));
      const text = wordText(strFromU8(files['word/document.xml']!));
      assert.match(text, /^Zoë O'Connor: pupil passport\n/);
      for (const expected of ['Year 7, 7A · SEN support · Speech, language and communication needs', 'About me', `“${PUPIL_GOOD_AT}”`, 'In Zoë’s own words', 'What does not help me', `“${PUPIL_HARD}”`, 'Key strategies for adults', 'Give instructions one at a time', 'Passport version 3']) {
        assert.ok(text.includes(expected), expected);
      }
      const header = Object.keys(files).filter((name) => /^word\/header\d+\.xml$/.test(name)).map((name) => wordText(strFromU8(files[name]!))).join('');
      assert.ok(header.includes('Ashfield Academy'));
      assert.ok(Object.keys(files).some((name) => name.startsWith('word/media/')), 'the logo is in the document');
      const [event] = (await events('passport.exported')).slice(-1);
      assert.deepEqual([event!.pupil_id, event!.detail.format, event!.detail.version, event!.actor_user_id], [pupil, 'docx', 3, fixture.schoolA.users.parent.id]);
    });

    it('sends the passport as a PDF that reads back with the same text', { skip: popplerMissing }, async () => {
      const response = await (await as('teacher')).get(`/pupils/${pupil}/passport.pdf`);
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers['content-type'], 'application/pdf');
      const text = pdfText(response.rawPayload);
      for (const expected of ['Ashfield Academy', "Zoë O'Connor: pupil passport", 'What is important to me', PUPIL_GOOD_AT, 'In Zoë’s own words', 'Pre-teach key vocabulary']) assert.ok(text.includes(expected), expected);
    });

    it('sends every passport of the class as one Word document and one PDF, for the group chosen', async () => {
      const teacher = await as('teacher');
      const docx = await teacher.get('/my-class/passports.docx');
      assert.equal(docx.statusCode, 200);
      assert.match(String(docx.headers['content-disposition']), /^attachment; filename="Pupil passports - my class\.docx"/);
      const text = wordText(strFromU8(unzipSync(new Uint8Array(docx.rawPayload))['word/document.xml']!));
      assert.match(text, /^Pupil passports: my class\n/);
      for (const expected of ["Zoë O'Connor", PUPIL_GOOD_AT, 'Key strategies for adults', 'Give instructions one at a time']) assert.ok(text.includes(expected), expected);
      assert.ok(!text.includes('Kowalczyk'), 'only their pupils');
      const pdf = await teacher.get(`/my-class/passports.pdf?group=${fixture.schoolA.groupId}`);
      assert.equal(pdf.statusCode, 200);
      assert.equal(pdf.headers['content-type'], 'application/pdf');
      if (!popplerMissing) {
        const read = pdfText(pdf.rawPayload);
        for (const expected of ['Pupil passports: 7A English', "Zoë O'Connor", PUPIL_HARD]) assert.ok(read.includes(expected), expected);
      }
      const [event] = (await events('my-class.passports-exported')).slice(-1);
      assert.deepEqual([event!.detail.format, event!.detail.group, event!.detail.pupils], ['pdf', fixture.schoolA.groupId, [pupil]]);
      assert.equal((await (await as('parent')).get('/my-class/passports.pdf')).statusCode, 403);
    });
  });
});
