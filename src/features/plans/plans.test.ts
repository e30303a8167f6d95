// SEN support plans over HTTP, as each role meets them: the SENCO starts a plan, writes each part on
// its own page, adds provision, reviews it and closes it into the next; teachers and teaching
// assistants read it; a parent reads their own child's current plan only; the hub lists reviews due;
// templates are edited without code; the plan and review download as Word and PDF with their text.
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
import { signedInAs } from '../../../test/support/http.ts';
import { seedProvisionFixture, type ProvisionFixture } from '../../../test/support/provision-fixtures.ts';
import { formatDate, schoolToday } from '../../platform/dates.ts';
import { dateParts } from '../../platform/web.ts';
import { defaultReviewDate } from './rules.ts';

const PDFTOTEXT = '/usr/bin/pdftotext';
const popplerMissing = existsSync(PDFTOTEXT) ? false : 'poppler-utils is not installed (apt-get install poppler-utils)';
const today = schoolToday();

function dateFields(name: string, iso: string): Record<string, string> {
  const parts = dateParts(iso);
  return { [`${name}-day`]: parts.day, [`${name}-month`]: parts.month, [`${name}-year`]: parts.year };
}

/** The text of a Word XML part: its w:t runs, with paragraphs on their own lines. */
function wordText(xml: string): string {
  return xml
    .replace(/<\/w:p>/g, '\n')
    .replace(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>|<[^>]+>/g, (_, text: string | undefined) => text ?? '')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

describeEachDialect('SEN support plans over HTTP', (getDatabase) => {
  describe('pages', () => {
    let built: BuiltApp;
    let fixture: Fixture;
    let provision: ProvisionFixture;
    const as = signedInAs(() => built.app, () => fixture.schoolA);
    let pupilId: string;
    let plan: string;
    let firstCycleId: string;

    before(async () => {
      built = await buildTestApp(getDatabase());
      fixture = await seedFixture(getDatabase());
      provision = await seedProvisionFixture(getDatabase(), fixture);
      pupilId = fixture.schoolA.taughtPupilId;
      plan = `/pupils/${pupilId}/plans`;
    });
    after(async () => {
      await built.app.close();
    });

    it('explains what to do when a pupil has no plan', async () => {
      const senco = await as('senco');
      const empty = await senco.get(plan);
      assert.equal(empty.statusCode, 200);
      assert.match(empty.body, /has no SEN support plan open/);
      assert.match(empty.body, new RegExp(`href="${plan}/new"[^>]*>\\s*Start an SEN support plan`));
      const noSen = await senco.get(`/pupils/${fixture.schoolA.noSenPupilId}/plans`);
      assert.match(noSen.body, /is not on SEN support\. A plan starts when a pupil is placed on SEN support/);
      assert.doesNotMatch(noSen.body, /Start an SEN support plan/);
      const teacher = await (await as('teacher')).get(plan);
      assert.equal(teacher.statusCode, 200);
      assert.doesNotMatch(teacher.body, /Start an SEN support plan/);
    });

    it('starts a plan with the termly review date filled in and explained', async () => {
      const senco = await as('senco');
      const form = await senco.get(`${plan}/new`);
      assert.equal(form.statusCode, 200);
      const due = dateParts(defaultReviewDate(today));
      assert.match(form.body, new RegExp(`id="reviewDueOn-day" name="reviewDueOn-day" type="text" value="${due.day}"`));
      assert.match(form.body, /two weeks before the end of the first term that ends at least six weeks after the plan starts/);
      const wrong = await senco.post(`${plan}/new`, { ...dateFields('startedOn', today), 'reviewDueOn-day': '31', 'reviewDueOn-month': '2', 'reviewDueOn-year': '2026' });
      assert.equal(wrong.statusCode, 400);
      assert.match(wrong.body, /<a href="#reviewDueOn-day">The review date must be a real date/);
      const started = await senco.post(`${plan}/new`, { ...dateFields('startedOn', today), ...dateFields('reviewDueOn', defaultReviewDate(today)) });
      assert.equal(started.statusCode, 303);
      firstCycleId = String(started.headers.location).split('/').pop()!;
      const page = await senco.get(String(started.headers.location));
      assert.match(page.body, /Plan started: now write what you know/);
      assert.match(page.body, /SEN support plan 1/);
      assert.match(page.body, new RegExp(`Review due in \\d+ days</strong>: ${formatDate(defaultReviewDate(today))}`));
      const twice = await senco.post(`${plan}/new`, { ...dateFields('startedOn', today), ...dateFields('reviewDueOn', defaultReviewDate(today)) });
      assert.equal(twice.statusCode, 400);
      assert.match(twice.body, /already has a plan open/);
    });

    it('edits each part on its own page, with errors that name the field', async () => {
      const senco = await as('senco');
      const cycle = `${plan}/${firstCycleId}`;
      assert.equal((await senco.post(`${cycle}/assess`, { 'section-needs': 'Speech and language: finds it hard to follow long instructions.', 'section-pupil-views': 'I like it when my work is on the wall.' })).statusCode, 303);
      const missing = await senco.post(`${cycle}/targets/new`, { target: '', successCriterion: '', area: '' });
      assert.equal(missing.statusCode, 400);
      for (const [href, text] of [['#target', 'Enter the target'], ['#successCriterion', 'Enter the success criterion'], ['#dueOn-day', 'Enter the date the target should be met by']]) assert.match(missing.body, new RegExp(`<a href="${href}">${text}`), href);
      const due = defaultReviewDate(today);
      assert.equal((await senco.post(`${cycle}/targets/new`, { target: 'Follow a two-step instruction in class', successCriterion: '4 times out of 5 in a week', area: 'Communication', ...dateFields('dueOn', due) })).statusCode, 303);
      assert.equal((await senco.post(`${cycle}/targets/new`, { target: 'Name 10 feelings words', successCriterion: 'Uses them in circle time', area: '', ...dateFields('dueOn', due) })).statusCode, 303);
      assert.equal((await senco.post(`${cycle}/strategies/new`, { strategy: 'Give one instruction at a time & check' })).statusCode, 303);
      assert.equal((await senco.post(`${cycle}/do/new`, { who: '', what: 'Talk Boost', howOften: '' })).statusCode, 400);
      assert.equal((await senco.post(`${cycle}/do/new`, { who: 'Teaching assistant', what: 'Talk Boost language group', howOften: 'Three times a week' })).statusCode, 303);
      const chooseProvision = await senco.get(`${cycle}/provision`);
      assert.match(chooseProvision.body, /Which provision will Zoë receive\?/);
      assert.ok(chooseProvision.body.includes('One-to-one support A') && !chooseProvision.body.includes('One-to-one support B'));
      const chooseGroup = await senco.get(`${cycle}/provision?provision=${provision.schoolA.supportProvisionId}`);
      assert.match(chooseGroup.body, /Which One-to-one support A group will Zoë join\?/);
      const none = await senco.post(`${cycle}/provision?provision=${provision.schoolA.supportProvisionId}`, {});
      assert.equal(none.statusCode, 400);
      assert.match(none.body, /<a href="#groupId">Choose the intervention group the pupil will join/);
      const added = await senco.post(`${cycle}/provision`, { groupId: provision.schoolA.supportGroupId });
      assert.equal(added.statusCode, 303);
      const page = await senco.get(cycle);
      for (const expected of ['finds it hard to follow long instructions', 'Follow a two-step instruction in class', '4 times out of 5 in a week', 'Give one instruction at a time &amp; check', 'Talk Boost language group', 'Three times a week', 'One-to-one support A', 'Added by this plan', 'Reading catch-up A', 'Also in this group']) {
        assert.ok(page.body.includes(expected), expected);
      }
      // Remove asks first, then removes.
      const targetId = /\/targets\/([0-9a-f-]{36})\/remove/.exec(page.body)![1]!;
      const confirm = await senco.get(`${cycle}/targets/${targetId}/remove`);
      assert.match(confirm.body, /Remove this target\?/);
      assert.equal((await senco.post(`${cycle}/targets/${targetId}/remove`)).statusCode, 303);
      assert.doesNotMatch((await senco.get(cycle)).body, /Follow a two-step instruction in class/);
      await built.ctx.audit.flush();
      const removed = await getDatabase().db.selectFrom('audit_events').select('detail').where('action', '=', 'plan.target-removed').executeTakeFirstOrThrow();
      assert.match(String(removed.detail), /Follow a two-step instruction in class/);
    });

    it('lets teachers and teaching assistants read the plan but change nothing', async () => {
      for (const role of ['teacher', 'teaching_assistant'] as const) {
        const client = await as(role);
        const page = await client.get(plan);
        assert.equal(page.statusCode, 200, role);
        assert.ok(page.body.includes('Name 10 feelings words'), role);
        assert.doesNotMatch(page.body, /Add a target|Review this plan|\/assess"/, role);
        assert.equal((await client.get(`${plan}/${firstCycleId}/assess`)).statusCode, 403, role);
        assert.equal((await client.post(`${plan}/${firstCycleId}/strategies/new`, { strategy: 'x' })).statusCode, 403, role);
      }
      // The teacher does not teach the other pupil (the teaching assistant runs a group with them in it).
      assert.equal((await (await as('teacher')).get(`/pupils/${fixture.schoolA.otherPupilId}/plans`)).statusCode, 403);
    });

    it('reviews the plan: every target rated, check your answers, then the next plan opens', async () => {
      const senco = await as('senco');
      const cycle = `${plan}/${firstCycleId}`;
      const form = await senco.get(`${cycle}/review`);
      assert.equal(form.statusCode, 200);
      const targetId = /name="target-1" value="([0-9a-f-]{36})"/.exec(form.body)![1]!;
      const incomplete = await senco.post(`${cycle}/review`, { 'target-1': targetId, ...dateFields('heldOn', today), ...dateFields('nextReviewOn', defaultReviewDate(today)) });
      assert.equal(incomplete.statusCode, 400);
      assert.match(incomplete.body, new RegExp(`<a href="#rating-${targetId}">Choose how far target 1 was achieved`));
      const saved = await senco.post(`${cycle}/review`, {
        'target-1': targetId, [`rating-${targetId}`]: 'partly', [`note-${targetId}`]: 'Names 6 of 10', ...dateFields('heldOn', today), ...dateFields('nextReviewOn', defaultReviewDate(today)),
        'section-progress': 'Good progress with words for feelings.', 'section-views': 'Mum says she talks about school more.', 'section-changes': 'Keep the language group.',
      });
      assert.equal(saved.statusCode, 303);
      const check = await senco.get(String(saved.headers.location));
      assert.equal(check.statusCode, 200);
      for (const expected of ['Check the review before closing the plan', 'Partly achieved', 'Names 6 of 10', 'Yes, due', '1 target carried into it', 'Provision that continues moves to the new plan: One-to-one support A']) assert.ok(check.body.includes(expected), expected);
      const closed = await senco.post(`${cycle}/review/close`);
      assert.equal(closed.statusCode, 303);
      const next = await senco.get(String(closed.headers.location));
      assert.match(next.body, /Review recorded and plan closed/);
      assert.match(next.body, /SEN support plan 2/);
      assert.match(next.body, /Carried forward: not yet fully achieved/);
      assert.ok(next.body.includes('Give one instruction at a time &amp; check'));
      const tab = await senco.get(plan);
      assert.match(tab.body, /Earlier plans/);
      assert.match(tab.body, new RegExp(`href="${plan}/${firstCycleId}">Plan 1</a>`));
      const old = await senco.get(cycle);
      assert.match(old.body, /Reviewed and closed/);
      assert.doesNotMatch(old.body, /Add a target/);
      assert.equal((await senco.get(`${cycle}/assess`)).statusCode, 400);
    });

    it('shows a parent their own child’s current plan only, read-only', async () => {
      const parent = await as('parent');
      const page = await parent.get(plan);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /SEN support plan 2/);
      assert.doesNotMatch(page.body, /Earlier plans|Add a target|Review this plan/);
      assert.equal((await parent.get(`${plan}/${firstCycleId}`)).statusCode, 403);
      assert.equal((await parent.get(`/pupils/${fixture.schoolA.otherPupilId}/plans`)).statusCode, 403);
      assert.equal((await parent.get(`${plan}/new`)).statusCode, 403);
    });

    it('downloads the plan and the review as Word with their text, and refuses a review not yet held', async () => {
      const senco = await as('senco');
      const docx = await senco.get(`${plan}/${firstCycleId}/review.docx`);
      assert.equal(docx.statusCode, 200);
      const text = wordText(strFromU8(unzipSync(new Uint8Array(docx.rawPayload))['word/document.xml']!));
      for (const expected of ['SEN support review', 'Progress against each target', 'Name 10 feelings words', 'Partly achieved', 'Names 6 of 10', 'Overall progress', 'Good progress with words for feelings.', 'Next review']) assert.ok(text.includes(expected), expected);
      const planDoc = await senco.get(`${plan}/${firstCycleId}/plan.docx`);
      const planText = wordText(strFromU8(unzipSync(new Uint8Array(planDoc.rawPayload))['word/document.xml']!));
      for (const expected of ['SEN support plan', 'Assess', 'Summary of needs', 'finds it hard to follow long instructions', 'Strategies for teachers', 'Give one instruction at a time & check', 'Who does what, and how often', 'Talk Boost language group', 'One-to-one support A']) assert.ok(planText.includes(expected), expected);
      const files = unzipSync(new Uint8Array(planDoc.rawPayload));
      const header = Object.keys(files).filter((name) => /^word\/header\d+\.xml$/.test(name)).map((name) => wordText(strFromU8(files[name]!))).join('');
      assert.ok(header.includes('Ashfield Academy'));
      const current = /plans\/([0-9a-f-]{36})"[^>]*>|plans\/([0-9a-f-]{36})\/plan\.docx/.exec((await senco.get(plan)).body)!;
      const currentId = current[1] ?? current[2];
      assert.equal((await senco.get(`${plan}/${currentId}/review.pdf`)).statusCode, 404);
      const pdf = await senco.get(`${plan}/${firstCycleId}/plan.pdf`);
      assert.equal(pdf.statusCode, 200);
      assert.equal(pdf.rawPayload.subarray(0, 5).toString('latin1'), '%PDF-');
      // A parent may download their child's current plan, not an earlier one.
      const parent = await as('parent');
      assert.equal((await parent.get(`${plan}/${currentId}/plan.pdf`)).statusCode, 200);
      assert.equal((await parent.get(`${plan}/${firstCycleId}/plan.pdf`)).statusCode, 403);
    });

    it('reads the PDF back as text', { skip: popplerMissing }, async () => {
      const response = await (await as('senco')).get(`${plan}/${firstCycleId}/review.pdf`);
      const directory = mkdtempSync(path.join(tmpdir(), 'senco-plan-'));
      try {
        const file = path.join(directory, 'review.pdf');
        writeFileSync(file, response.rawPayload);
        const text = execFileSync(PDFTOTEXT, [file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
        for (const expected of ['SEN support review', 'Ashfield Academy', 'Name 10 feelings words', 'Partly achieved', 'What will change', 'Keep the language group.']) assert.ok(text.includes(expected), expected);
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
    });

    it('lists pupils without a plan and reviews due on the hub, for the SENCO and leaders only', async () => {
      const senco = await as('senco');
      const page = await senco.get('/plans?show=no-plan');
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Plans and reviews/);
      assert.ok(page.body.includes('Tomasz Kowalczyk'));
      assert.match(page.body, /Never had a plan/);
      const soon = await senco.get('/plans?show=due-soon');
      assert.ok(!soon.body.includes('Tomasz Kowalczyk'));
      assert.equal((await (await as('leader')).get('/plans')).statusCode, 200);
      for (const role of ['teacher', 'teaching_assistant', 'parent', 'governor'] as const) assert.equal((await (await as(role)).get('/plans')).statusCode, 403, role);
    });

    it('edits a template without code: add, move and remove sections, then save a new version', async () => {
      const senco = await as('senco');
      const list = await senco.get('/plans/templates');
      assert.equal(list.statusCode, 200);
      assert.match(list.body, /Pupil’s views form/);
      const editor = await senco.get('/plans/templates/review');
      assert.match(editor.body, /value="Overall progress"/);
      const base = { count: '3', basedOn: '1', 'key-0': 'progress', 'heading-0': 'Overall progress', 'prompt-0': '', 'key-1': 'views', 'heading-1': 'What the pupil and parents said', 'prompt-1': '', 'key-2': 'changes', 'heading-2': 'What will change', 'prompt-2': '' };
      const addedRow = await senco.post('/plans/templates/review', { ...base, command: 'add' });
      assert.equal(addedRow.statusCode, 200);
      assert.match(addedRow.body, /name="heading-3"/);
      assert.match(addedRow.body, /Your changes are not saved yet/);
      const moved = await senco.post('/plans/templates/review', { ...base, command: 'up-2' });
      assert.ok(moved.body.indexOf('value="What will change"') < moved.body.indexOf('value="What the pupil and parents said"'));
      const duplicate = await senco.post('/plans/templates/review', { ...base, 'heading-2': 'overall progress', command: 'save' });
      assert.equal(duplicate.statusCode, 400);
      assert.match(duplicate.body, /<a href="#heading-2">The heading of section 3 is the same as section 1/);
      const saved = await senco.post('/plans/templates/review', { ...base, 'heading-2': 'Next steps', 'prompt-2': 'What happens next', count: '4', 'key-3': '', 'heading-3': 'Attendance', 'prompt-3': '', command: 'save' });
      assert.equal(saved.statusCode, 303);
      const after = await senco.get('/plans/templates/review');
      assert.match(after.body, /Version 2 saved/);
      assert.match(after.body, /value="Next steps"/);
      assert.match(after.body, /Version 1<\/a>/);
      // The closed review still reads with version 1's headings.
      const old = await senco.get(`${plan}/${firstCycleId}`);
      assert.ok(old.body.includes('What will change'));
      assert.ok(!old.body.includes('Next steps'));
      for (const role of ['sen_admin', 'teacher', 'leader'] as const) assert.equal((await (await as(role)).get('/plans/templates')).statusCode, 403, role);
      assert.equal((await senco.get('/plans/templates/nonsense')).statusCode, 404);
    });
  });
});
