// The graduated approach end to end, through the real UI with axe on every page: a teacher raises a
// concern → the SENCO triages it, puts the pupil on SEN support and writes a plan → a parent with no
// account gives their views through a one-time link → the SENCO reviews the plan and the next one
// opens with what continues; then a teacher opens "My class", prints the passports and downloads them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { schoolToday } from '../../src/platform/dates.ts';
import { addDaysIso } from '../../src/features/plans/rules.ts';
import { browserSkipReason, checkAccessibility, download, screenshot, signIn, startJourney, type Journey } from './browser.ts';

/** Types a date into a GOV.UK date input named `name`, as a user would: 7 3 2026. */
async function fillDate(page: Page, name: string, iso: string): Promise<void> {
  const [year, month, day] = iso.split('-');
  await page.locator(`#${name}-day`).fill(String(Number(day)));
  await page.locator(`#${name}-month`).fill(String(Number(month)));
  await page.locator(`#${name}-year`).fill(year!);
}

/** Signs in and checks the home page the person lands on (`home`: its path, like 'my-class'). */
async function signInHome(journey: Journey, email: string, home: string): Promise<void> {
  await signIn(journey, email);
  await journey.page.waitForURL(`**/${home}`);
  await checkAccessibility(journey);
}

/** Follows a link of the main navigation and checks the page it opens. */
async function openFromMenu(journey: Journey, name: string, url: string): Promise<void> {
  await journey.page.getByRole('link', { name, exact: true }).first().click();
  await journey.page.waitForURL(url);
  await checkAccessibility(journey);
}

async function signOut(journey: Journey): Promise<void> {
  await journey.page.getByRole('button', { name: 'Sign out' }).click();
  await journey.page.waitForURL('**/sign-in**');
}

interface PlanContent {
  needs: string;
  teachers?: string;
  targets: Array<{ target: string; criterion: string; dueOn: string }>;
  strategy: string;
  doItem: { who: string; what: string; howOften: string };
}

/** From a new plan's page: the assessment, the targets, a strategy and who does what, each on its own form. */
async function writePlan(journey: Journey, plan: PlanContent): Promise<void> {
  const { page } = journey;
  await page.getByRole('link', { name: 'Change the assessment' }).click();
  await page.getByRole('heading', { name: 'What you know about the pupil’s needs' }).waitFor();
  await checkAccessibility(journey);
  await page.getByLabel('Summary of needs').fill(plan.needs);
  if (plan.teachers) await page.getByLabel('What teachers say').fill(plan.teachers);
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Assessment saved').waitFor();
  await checkAccessibility(journey);

  for (const target of plan.targets) {
    await page.getByRole('link', { name: 'Add a target' }).click();
    await page.getByRole('heading', { name: 'Add a target' }).waitFor();
    await checkAccessibility(journey);
    await page.getByLabel('Target', { exact: true }).fill(target.target);
    await page.getByLabel('Success criterion').fill(target.criterion);
    await fillDate(page, 'dueOn', target.dueOn);
    await page.getByRole('button', { name: 'Add the target' }).click();
    await page.getByText('Target added').waitFor();
    await checkAccessibility(journey);
  }

  await page.getByRole('link', { name: 'Add a strategy' }).click();
  await checkAccessibility(journey);
  await page.getByLabel('What should teachers do?').fill(plan.strategy);
  await page.getByRole('button', { name: 'Add the strategy' }).click();
  await page.getByText('Strategy added').waitFor();
  await checkAccessibility(journey);

  await page.getByRole('link', { name: 'Add who does what' }).click();
  await checkAccessibility(journey);
  await page.getByLabel('Who', { exact: true }).fill(plan.doItem.who);
  await page.getByLabel('What they do').fill(plan.doItem.what);
  await page.getByLabel('How often').fill(plan.doItem.howOften);
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await page.getByText('Support arrangement added').waitFor();
  await checkAccessibility(journey);

  const shown = await page.locator('main').innerText();
  for (const text of [plan.needs, plan.strategy, plan.doItem.what, ...plan.targets.flatMap((target) => [target.target, target.criterion])]) {
    assert.ok(shown.includes(text), `the plan shows “${text}”`);
  }
}

const skip = browserSkipReason();
if (skip) console.log(`# ${skip}`);

describe('journey: the graduated approach, from a concern to the next plan, and the passports', { skip }, () => {
  let journey: Journey;
  before(async () => {
    journey = await startJourney();
  });
  after(async () => {
    await journey?.close();
  });

  const today = schoolToday();
  const concern = {
    observed: 'Priya avoids reading aloud and copies slowly from the board.\nHer spelling is well below her spoken vocabulary.',
    tried: 'Seated her near the front, printed copies of board work and pre-taught key words. The printed copies helped.',
    duration: 'Since September',
  };
  const triageNote = 'Thank you. We will put Priya on SEN support and start a plan with her parents; a reading assessment is booked.';
  const parentAnswers = {
    'What is going well': 'Zoë loves drama club.\nShe’s proud of the poem she read out in assembly – “I did it!” she said.',
    'Any worries': 'She gets upset when instructions are long, and she won’t ask for help.',
    'What helps at home': 'A picture timetable on the fridge, and one thing at a time.',
  };

  it('a teacher raises a concern, the SENCO starts SEN support and a plan, a parent answers through the link, and the review opens the next plan', async () => {
    const { page, fixture } = journey;
    const school = fixture.schoolA;

    // 1. The teacher raises a concern about Priya, from their own menu.
    await signInHome(journey, school.users.teacher.email, 'my-class');
    await openFromMenu(journey, 'Concerns', '**/concerns/mine');
    await page.getByRole('button', { name: 'Raise a concern' }).click();
    await page.getByRole('heading', { name: 'Which pupil is it about?' }).waitFor();
    await checkAccessibility(journey);
    await page.getByRole('link', { name: /^Priya Shah\b.*raise a concern/ }).click();
    await page.getByRole('heading', { name: 'Raise a concern' }).waitFor();
    await checkAccessibility(journey);
    await page.getByRole('button', { name: 'Send to the SENCO' }).click();
    await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
    await checkAccessibility(journey);
    await screenshot(page, 'graduated-concern-errors');
    await page.getByLabel('What do you see?').fill(concern.observed);
    await page.getByLabel('What have you tried?').fill(concern.tried);
    await page.getByLabel('How long have you noticed it?').fill(concern.duration);
    await page.getByLabel('Cognition and learning').check();
    await page.getByRole('button', { name: 'Send to the SENCO' }).click();
    await page.getByRole('heading', { name: 'Concern sent to the SENCO' }).waitFor();
    await checkAccessibility(journey);
    await screenshot(page, 'graduated-concern-raised');
    assert.ok((await page.locator('main').innerText()).includes(concern.tried), 'the confirmation repeats what was sent');
    await signOut(journey);

    // 2. The SENCO triages it: start SEN support, with a note for the teacher.
    await signInHome(journey, school.users.senco.email, 'today');
    await openFromMenu(journey, 'Plans', '**/plans');
    await page.getByRole('navigation').getByRole('link', { name: 'Concerns', exact: true }).click();
    await page.waitForURL('**/concerns');
    await checkAccessibility(journey);
    await screenshot(page, 'graduated-triage-list');
    await page.getByRole('link', { name: 'Priya Shah' }).click();
    await page.getByRole('heading', { name: 'Concern about Priya Shah' }).waitFor();
    await checkAccessibility(journey);
    assert.ok((await page.locator('main').innerText()).includes(concern.observed.split('\n')[0]!), 'the SENCO reads what the teacher saw');
    await page.getByLabel('Start SEN support').check();
    await page.getByLabel('Note', { exact: true }).fill(triageNote);
    await page.getByRole('button', { name: 'Save the outcome' }).click();
    await page.getByText('Outcome recorded: start SEN support').waitFor();
    await checkAccessibility(journey);
    await screenshot(page, 'graduated-concern-outcome');

    // … follows the next step to put Priya on SEN support …
    await page.getByRole('link', { name: 'Add Priya Shah to SEN support' }).click();
    await page.getByRole('heading', { name: 'Add to SEN support' }).waitFor();
    await checkAccessibility(journey);
    assert.ok(await page.getByLabel('SEN support (K)').isChecked(), 'SEN support is chosen for the SENCO');
    await page.getByLabel('Primary need').selectOption('SPLD');
    await fillDate(page, 'effectiveDate', today);
    await page.getByLabel('Reason for the change').fill('Concern from her English teacher; agreed with her parents at a meeting today.');
    await page.getByRole('button', { name: 'Save change' }).click();
    await page.getByText('SEN status saved').waitFor();
    await checkAccessibility(journey);
    assert.match(await page.locator('.app-identity-bar').innerText(), /SEN support/);

    // … and back on the concern, the next step is to start a plan.
    await openFromMenu(journey, 'Plans', '**/plans');
    await page.getByRole('navigation').getByRole('link', { name: 'Concerns', exact: true }).click();
    await page.waitForURL('**/concerns');
    await checkAccessibility(journey);
    await page.getByRole('link', { name: 'Priya Shah' }).click();
    await page.getByText('Priya Shah is already recorded as SEN support').waitFor();
    await checkAccessibility(journey);
    await page.getByRole('link', { name: 'Start a plan' }).click();
    await page.waitForURL('**/plans/new');
    await page.getByRole('heading', { name: 'Start an SEN support plan' }).waitFor();
    await checkAccessibility(journey);
    await page.getByRole('button', { name: 'Start the plan' }).click();
    await page.getByRole('heading', { name: /SEN support plan 1/ }).waitFor();
    await checkAccessibility(journey);
    await writePlan(journey, {
      needs: 'Specific learning difficulty: reading and spelling well below her spoken language.',
      teachers: concern.observed,
      targets: [{ target: 'Read and spell the first 100 high-frequency words', criterion: 'Reads 90 of the 100 words correctly on three days in a week', dueOn: addDaysIso(today, 42) }],
      strategy: 'Give her a printed copy of anything on the board',
      doItem: { who: 'Teaching assistant', what: 'Precision teaching of high-frequency words', howOften: 'Daily for 10 minutes' },
    });
    await screenshot(page, 'graduated-priya-plan');

    // 3. Priya has no parent contact on record, so the rest of the cycle follows Zoë, already on SEN
    // support, whose mother Maria is on her record: the SENCO writes Zoë's plan and asks for Maria's views.
    await openFromMenu(journey, 'Register', '**/register');
    await page.getByRole('link', { name: "O'Connor, Zoë" }).click();
    await page.waitForURL(`**/pupils/${school.taughtPupilId}`);
    await checkAccessibility(journey);
    await page.getByRole('link', { name: 'Plans', exact: true }).last().click();
    await page.waitForURL(`**/pupils/${school.taughtPupilId}/plans`);
    await checkAccessibility(journey);
    await page.getByRole('button', { name: 'Start an SEN support plan' }).click();
    await page.waitForURL('**/plans/new');
    await checkAccessibility(journey);
    await page.getByRole('button', { name: 'Start the plan' }).click();
    await page.getByRole('heading', { name: /SEN support plan 1/ }).waitFor();
    await checkAccessibility(journey);
    const zoeTargets = [
      { target: 'Follow a two-step instruction in class', criterion: 'Does so 4 times out of 5 across a week, seen by her teachers', dueOn: addDaysIso(today, 42) },
      { target: 'Ask an adult for help when she is stuck', criterion: 'Asks for help at least once a lesson in English and maths', dueOn: addDaysIso(today, 42) },
    ];
    await writePlan(journey, {
      needs: 'Speech, language and communication needs: finds long spoken instructions hard to follow.',
      targets: zoeTargets,
      strategy: 'Give one instruction at a time and check she has understood',
      doItem: { who: 'Class teacher', what: 'Visual prompt card for the steps of each task', howOften: 'Every lesson' },
    });
    await screenshot(page, 'graduated-zoe-plan');

    await page.getByRole('link', { name: 'Request views from parents and the pupil' }).click();
    await page.getByRole('heading', { name: /Views for plan 1/ }).waitFor();
    await checkAccessibility(journey);
    await page.getByRole('button', { name: 'Request views' }).click();
    await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
    await checkAccessibility(journey);
    await page.getByLabel('Ms Maria Parent').check();
    await page.getByRole('button', { name: 'Request views' }).click();
    await page.getByRole('heading', { name: 'Views requested' }).waitFor();
    await checkAccessibility(journey);
    await screenshot(page, 'graduated-link-issued');
    const link = await page.getByLabel('Link for Ms Maria Parent').inputValue();
    assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/contribute\/\S+$/, 'the one-time link is shown once, in full');
    assert.ok(await page.locator('.app-letter').getByText(link).isVisible(), 'the letter to print carries the same link');

    // 4. Maria, with no account, opens the link in her own browser.
    const parentContext = await journey.browser.newContext({ baseURL: journey.baseUrl });
    const parentErrors: string[] = [];
    try {
      const parentPage = await parentContext.newPage();
      parentPage.on('pageerror', (error) => parentErrors.push(error.message));
      const parent: Journey = { ...journey, page: parentPage };
      await parentPage.goto(link);
      await parentPage.getByRole('heading', { name: 'Your views about Zoë' }).waitFor();
      await checkAccessibility(parent);
      assert.equal(await parentPage.getByRole('button', { name: 'Sign out' }).count(), 0, 'the parent is not signed in');
      for (const [question, answer] of Object.entries(parentAnswers)) await parentPage.getByLabel(question).fill(answer);
      await screenshot(parentPage, 'graduated-parent-form');
      await parentPage.getByRole('button', { name: 'Continue' }).click();
      await parentPage.getByRole('heading', { name: 'Check your answers' }).waitFor();
      await checkAccessibility(parent);
      const check = await parentPage.locator('main').innerText();
      for (const answer of Object.values(parentAnswers)) assert.ok(check.includes(answer), `the check page shows “${answer}” as typed`);
      assert.match(check, /Your hopes for the next few months\s+Not answered/);
      await screenshot(parentPage, 'graduated-parent-check');
      await parentPage.getByRole('button', { name: 'Send your answers' }).click();
      await parentPage.waitForURL('**/contribute/thank-you');
      await parentPage.getByRole('heading', { name: 'Thank you' }).waitFor();
      await checkAccessibility(parent);
      await screenshot(parentPage, 'graduated-parent-thank-you');

      // The same link, opened again, no longer works and shows nothing about the pupil.
      const again = await parentPage.goto(link);
      assert.equal(again?.status(), 410);
      await parentPage.getByRole('heading', { name: 'These views have already been sent' }).waitFor();
      await checkAccessibility(parent);
      const closed = await parentPage.content();
      for (const personal of ['Zoë', 'O&#39;Connor', "O'Connor", 'Maria', 'drama club', school.name]) assert.ok(!closed.includes(personal), `the used link shows no “${personal}”`);
      assert.equal(await parentPage.locator('textarea, input[type="text"]').count(), 0, 'the used link shows no form');
      await screenshot(parentPage, 'graduated-parent-link-used');
    } finally {
      await parentContext.close();
    }
    assert.deepEqual(parentErrors, []);

    // 5. The SENCO sees Maria's words verbatim on the plan, then reviews it.
    await page.getByRole('link', { name: 'Back to who has been asked' }).click();
    await page.getByRole('heading', { name: /Views for plan 1/ }).waitFor();
    await checkAccessibility(journey);
    assert.match(await page.locator('main').innerText(), /Ms Maria Parent[\s\S]*Replied/);
    await page.getByRole('link', { name: 'Back to plans' }).click();
    await page.getByRole('heading', { name: 'Views of the pupil and parents for this plan' }).waitFor();
    await checkAccessibility(journey);
    const quotes = await page.locator('#contributions ~ div blockquote').allInnerTexts();
    for (const answer of Object.values(parentAnswers)) assert.ok(quotes.includes(`“${answer}”`), `the plan quotes “${answer}” word for word`);
    await screenshot(page, 'graduated-zoe-plan-with-views');

    await page.getByRole('button', { name: 'Review this plan' }).click();
    await page.getByRole('heading', { name: 'Review the plan' }).waitFor();
    await checkAccessibility(journey);
    await page.getByRole('group', { name: 'How far was target 1 achieved?' }).getByLabel('Achieved', { exact: true }).check();
    await page.locator('textarea[id^="note-"]').first().fill('Follows two-step instructions in most lessons now.');
    await page.getByRole('group', { name: 'Carry target 1 into the next plan?' }).getByLabel('No').check();
    await page.getByRole('group', { name: 'How far was target 2 achieved?' }).getByLabel('Partly achieved').check();
    await page.getByRole('group', { name: 'Carry target 2 into the next plan?' }).getByLabel('Yes').check();
    await page.getByLabel('Overall progress').fill('Good progress with instructions; still reluctant to ask for help.');
    await page.getByLabel('What the pupil and parents said').fill('Her mother says she is proud of her assembly poem and worries that she will not ask for help.');
    await page.getByLabel('What will change').fill('Keep the help target; add a “help” card on her desk.');
    await screenshot(page, 'graduated-review-form');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Check the review before closing the plan' }).waitFor();
    await checkAccessibility(journey);
    const checkPage = await page.locator('main').innerText();
    assert.match(checkPage, /1 target carried into it/);
    await screenshot(page, 'graduated-review-check');
    await page.getByRole('button', { name: 'Close plan 1 and start the next' }).click();
    await page.getByRole('heading', { name: /SEN support plan 2/ }).waitFor();
    await page.getByText('Review recorded and plan closed').waitFor();
    await checkAccessibility(journey);
    await screenshot(page, 'graduated-next-plan');
    const targets = await page.locator('#targets ~ .govuk-summary-card').allInnerTexts();
    assert.equal(targets.length, 1, 'one target continues into plan 2');
    assert.ok(targets[0]!.includes(zoeTargets[1]!.target) && targets[0]!.includes('Carried forward: not yet fully achieved'));
    assert.ok(!(await page.locator('main').innerText()).includes(zoeTargets[0]!.target), 'the achieved target is not carried');
    await page.getByRole('link', { name: 'All plans' }).click();
    await page.getByRole('heading', { name: 'Earlier plans' }).waitFor();
    await checkAccessibility(journey);
    await page.getByRole('link', { name: 'Plan 1', exact: true }).click();
    await page.getByText('Reviewed and closed').waitFor();
    await checkAccessibility(journey);
    await signOut(journey);

    // 6. The teacher sees the outcome of their concern, with the SENCO's note.
    await signInHome(journey, school.users.teacher.email, 'my-class');
    await openFromMenu(journey, 'Concerns', '**/concerns/mine');
    await screenshot(page, 'graduated-teacher-outcome');
    const mine = page.locator('.govuk-summary-card', { hasText: 'Priya Shah' });
    await mine.getByText('Start SEN support').waitFor();
    assert.ok((await mine.innerText()).includes(triageNote), 'the teacher reads the SENCO’s note');
    await signOut(journey);
  });

  it('the SENCO writes Zoë’s passport; a teacher opens My class, prints the passports and downloads them', async () => {
    const { page, fixture } = journey;
    const school = fixture.schoolA;
    const aboutMe = 'I am Zoë. I like drama, my dog Biscuit and drawing comics.';

    await signInHome(journey, school.users.senco.email, 'today');
    await openFromMenu(journey, 'Register', '**/register');
    await page.getByRole('link', { name: "O'Connor, Zoë" }).click();
    await page.waitForURL(`**/pupils/${school.taughtPupilId}`);
    await checkAccessibility(journey);
    await page.getByRole('link', { name: 'Passport', exact: true }).click();
    await page.waitForURL('**/passport');
    await checkAccessibility(journey);
    await page.getByRole('button', { name: 'Write the passport' }).click();
    await page.getByRole('heading', { name: 'Write Zoë’s passport' }).waitFor();
    await checkAccessibility(journey);
    await page.getByRole('button', { name: 'Fill from the plan' }).click();
    await page.getByRole('heading', { name: 'Filled from the plan – not saved yet' }).waitFor();
    await checkAccessibility(journey);
    assert.equal(await page.locator('#strategy-0').inputValue(), 'Give one instruction at a time and check she has understood');
    await page.getByLabel('About me', { exact: true }).fill(aboutMe);
    await page.locator('#pupilWords-about-me').check();
    await page.getByLabel('What is important to me').fill('My mum, drama club and knowing what is happening next.');
    await page.getByLabel('What helps me', { exact: true }).fill('One instruction at a time. A picture of the steps.');
    await page.getByLabel('What does not help me').fill('Long lists of instructions, and being asked to read aloud without warning.');
    await page.getByRole('button', { name: 'Save passport' }).click();
    await page.getByText('Passport saved').waitFor();
    await checkAccessibility(journey);
    await screenshot(page, 'graduated-passport');
    await signOut(journey);

    // The teacher's home page: the passports of the SEN pupils they teach, Zoë's and (new) Priya's.
    await signIn(journey, school.users.teacher.email);
    await page.waitForURL('**/my-class');
    await page.getByRole('heading', { name: 'My class' }).waitFor();
    await checkAccessibility(journey);
    await screenshot(page, 'graduated-my-class');
    const passports = page.locator('article.app-passport');
    assert.equal(await passports.count(), 2, 'Zoë and Priya, both now with SEN, are on My class');
    const zoe = passports.filter({ hasText: "Zoë O'Connor" });
    assert.ok((await zoe.innerText()).includes(aboutMe), 'Zoë’s own words are on her passport');
    assert.ok((await zoe.innerText()).includes('Give one instruction at a time and check she has understood'));
    await passports.filter({ hasText: 'Priya Shah' }).getByText('No passport yet').waitFor();
    assert.ok(await page.getByRole('button', { name: 'Print the passports' }).isVisible(), 'the print button is offered');

    // Printed: no navigation or controls, one passport per A4 page.
    await page.emulateMedia({ media: 'print' });
    const printed = await page.evaluate(() => {
      const shown = (selector: string) => Array.from(document.querySelectorAll(selector)).some((element) => getComputedStyle(element).display !== 'none');
      const articles = Array.from(document.querySelectorAll('article.app-passport'));
      return {
        header: shown('.govuk-header'),
        navigation: shown('.govuk-service-navigation'),
        footer: shown('.govuk-footer'),
        controls: shown('.app-no-print'),
        breaks: articles.map((article) => getComputedStyle(article).breakBefore),
        keepTogether: articles.map((article) => getComputedStyle(article).breakInside),
      };
    });
    assert.deepEqual(
      { header: printed.header, navigation: printed.navigation, footer: printed.footer, controls: printed.controls },
      { header: false, navigation: false, footer: false, controls: false },
      'printing hides the header, navigation, footer and controls',
    );
    assert.deepEqual(printed.breaks, ['auto', 'page'], 'each passport after the first starts a new page');
    assert.deepEqual(printed.keepTogether, ['avoid', 'avoid'], 'a passport is not split across pages');
    await screenshot(page, 'graduated-my-class-print');
    await page.emulateMedia({ media: 'screen' });

    for (const [name, extension, type, magic] of [
      ['Download all as one Word document', 'docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'PK'],
      ['Download all as one PDF', 'pdf', 'application/pdf', '%PDF'],
    ] as const) {
      await download(journey, name, extension, type, magic);
    }
  });
});
