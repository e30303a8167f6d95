// A browser journey through SEN support plans, with axe on every page: the SENCO starts a plan, writes
// the assessment, a target, a strategy and who does what, adds provision, reviews the plan and
// closes it into the next; edits a template; a teacher reads the plan.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { browserSkipReason, checkAccessibility, screenshot, signIn, startJourney, type Journey } from '../../../test/e2e/browser.ts';
import { seedProvisionFixture } from '../../../test/support/provision-fixtures.ts';
import { formatDate, schoolToday } from '../../platform/dates.ts';
import { defaultReviewDate } from './rules.ts';

const skip = browserSkipReason();
if (skip) console.log(`# ${skip}`);

describe('journey: an SEN support plan from start to review', { skip }, () => {
  let journey: Journey;
  before(async () => {
    journey = await startJourney();
    await seedProvisionFixture(journey.database, journey.fixture);
  });
  after(async () => {
    await journey?.close();
  });

  it('a SENCO writes a plan one part at a time, reviews it and the next plan opens', async () => {
    const { page, fixture } = journey;
    const pupilId = fixture.schoolA.taughtPupilId;
    await signIn(journey, fixture.schoolA.users.senco.email);
    await page.goto(`/pupils/${pupilId}/plans`);
    await checkAccessibility(journey);
    await page.getByRole('button', { name: 'Start an SEN support plan' }).click();
    await page.waitForURL('**/plans/new');
    await checkAccessibility(journey);
    await page.getByRole('button', { name: 'Start the plan' }).click();
    await page.getByRole('heading', { name: /SEN support plan 1/ }).waitFor();
    await checkAccessibility(journey);

    await page.getByRole('link', { name: 'Change the assessment' }).click();
    await checkAccessibility(journey);
    await page.getByLabel('Summary of needs').fill('Finds it hard to follow spoken instructions.');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Assessment saved').waitFor();

    await page.getByRole('link', { name: 'Add a target' }).click();
    await page.getByRole('button', { name: 'Add the target' }).click();
    await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
    await checkAccessibility(journey);
    await screenshot(page, 'plan-target-errors');
    await page.getByLabel('Target', { exact: true }).fill('Follow a two-step instruction');
    await page.getByLabel('Success criterion').fill('4 times out of 5 in a week');
    await page.getByRole('button', { name: 'Add the target' }).click();
    await page.getByText('Target added').waitFor();

    await page.getByRole('link', { name: 'Add a strategy' }).click();
    await checkAccessibility(journey);
    await page.getByLabel('What should teachers do?').fill('Give one instruction at a time');
    await page.getByRole('button', { name: 'Add the strategy' }).click();
    await page.getByRole('link', { name: 'Add who does what' }).click();
    await checkAccessibility(journey);
    await page.getByLabel('Who', { exact: true }).fill('Teaching assistant');
    await page.getByLabel('What they do').fill('Talk Boost group');
    await page.getByLabel('How often').fill('Three times a week');
    await page.getByRole('button', { name: 'Add', exact: true }).click();

    await page.getByRole('link', { name: 'Add provision' }).click();
    await checkAccessibility(journey);
    await page.getByLabel('One-to-one support A').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await checkAccessibility(journey);
    await page.getByRole('radio').first().check();
    await page.getByRole('button', { name: 'Add to the group' }).click();
    await page.getByText(/Added to /).waitFor();
    await checkAccessibility(journey);
    await screenshot(page, 'plan-current');

    // The review: rate, check your answers, close.
    await page.getByRole('button', { name: 'Review this plan' }).click();
    await checkAccessibility(journey);
    await page.getByLabel('Partly achieved').check();
    await page.getByLabel('Overall progress').fill('Steady progress.');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Check the review before closing the plan' }).waitFor();
    await checkAccessibility(journey);
    await page.getByRole('button', { name: 'Close plan 1 and start the next' }).click();
    await page.getByRole('heading', { name: /SEN support plan 2/ }).waitFor();
    await checkAccessibility(journey);
    assert.ok(await page.getByText('Carried forward: not yet fully achieved').isVisible());
    assert.ok(await page.getByText(formatDate(defaultReviewDate(schoolToday()))).first().isVisible());
    await page.getByRole('link', { name: 'All plans' }).click();
    await checkAccessibility(journey);
    await page.getByRole('link', { name: 'Plan 1', exact: true }).click();
    await page.getByText('Reviewed and closed').waitFor();
    await checkAccessibility(journey);

    // The hub and the template editor.
    await page.goto('/plans?show=due-soon');
    await checkAccessibility(journey);
    await page.getByRole('link', { name: 'Templates', exact: true }).click();
    await checkAccessibility(journey);
    await page.getByRole('link', { name: 'Review', exact: true }).click();
    await checkAccessibility(journey);
    await page.getByRole('button', { name: 'Add a section' }).click();
    await page.locator('#heading-3').fill('Attendance');
    await page.getByRole('button', { name: 'Save as a new version' }).click();
    await page.getByText('Version 2 saved').waitFor();
    await checkAccessibility(journey);
  });

  it('a teacher reads the plan of a pupil they teach, with nothing to change', async () => {
    const { page, fixture } = journey;
    await page.context().clearCookies();
    await signIn(journey, fixture.schoolA.users.teacher.email);
    await page.goto(`/pupils/${fixture.schoolA.taughtPupilId}/plans`);
    await page.getByRole('heading', { name: /SEN support plan 2/ }).waitFor();
    await checkAccessibility(journey);
    assert.equal(await page.getByRole('link', { name: 'Add a target' }).count(), 0);
  });
});
