import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { schoolToday } from '../../src/platform/dates.ts';
import { browserSkipReason, checkAccessibility, screenshot, signIn, startJourney, type Journey } from './browser.ts';

const skip = browserSkipReason();
if (skip) console.log(`# ${skip}`);

describe('journeys through the register', { skip }, () => {
  let journey: Journey;
  before(async () => {
    journey = await startJourney();
  });
  after(async () => {
    await journey?.close();
  });

  it('a SENCO signs in, filters the register and searches by name, by keyboard', async () => {
    const { page } = journey;
    await signIn(journey, journey.fixture.schoolA.users.senco.email);
    await page.waitForURL('**/today');
    await checkAccessibility(journey);
    await page.goto('/register');
    await checkAccessibility(journey);
    await screenshot(page, 'register');
    await assert.doesNotReject(page.getByRole('link', { name: "O'Connor, Zoë" }).waitFor());
    // Filter to EHC plans only by keyboard: the form works without JavaScript.
    await page.getByRole('checkbox', { name: 'SEN support', exact: true }).uncheck();
    await page.getByRole('button', { name: 'Apply filters' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/provision=E/);
    await checkAccessibility(journey);
    assert.equal(await page.getByRole('link', { name: "O'Connor, Zoë" }).count(), 0);
    assert.equal(await page.getByRole('link', { name: 'Kowalczyk, Tomasz' }).count(), 1);
    await page.goto('/register');
    await page.getByLabel('Search by name or UPN').fill('zoe');
    await page.getByLabel('Search by name or UPN').press('Enter');
    await page.waitForURL(/q=zoe/);
    assert.equal(await page.getByRole('link', { name: "O'Connor, Zoë" }).count(), 1);
    assert.equal(await page.getByRole('link', { name: 'Kowalczyk, Tomasz' }).count(), 0);
    await checkAccessibility(journey);
  });

  it('a SENCO changes a pupil’s needs, sees the error summary first, then the history', async () => {
    const { page } = journey;
    await page.goto(`/pupils/${journey.fixture.schoolA.taughtPupilId}`);
    await checkAccessibility(journey);
    await page.getByRole('link', { name: 'Change SEN status or needs' }).click();
    await checkAccessibility(journey);
    await page.getByLabel('Secondary need').selectOption('SEMH');
    await page.getByRole('button', { name: 'Save change' }).click();
    // No reason given: the error summary links to the field.
    await assert.doesNotReject(page.getByRole('heading', { name: 'There is a problem' }).waitFor());
    await checkAccessibility(journey);
    await screenshot(page, 'sen-change-error');
    await page.getByRole('link', { name: 'Enter the reason for the change' }).click();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'reason');
    await page.keyboard.type('Speech and language therapist’s report, October');
    const [year, month, day] = schoolToday().split('-');
    await page.getByLabel('Day').fill(String(Number(day)));
    await page.getByLabel('Month').fill(String(Number(month)));
    await page.getByLabel('Year').fill(year!);
    await page.getByRole('button', { name: 'Save change' }).click();
    await page.waitForURL(/\/sen$/);
    await checkAccessibility(journey);
    await screenshot(page, 'pupil-sen-history');
    const history = await page.locator('main').innerText();
    assert.match(history, /SEN status saved/);
    assert.match(history, /Needs changed/);
    assert.match(history, /Speech and language therapist’s report, October/);
    assert.match(history, /Social, emotional and mental health \(SEMH\)/);
    // The SENCO's chronology holds the change with everything else recorded about the pupil.
    await page.getByRole('link', { name: 'Chronology', exact: true }).click();
    await checkAccessibility(journey);
    assert.match(await page.locator('.moj-timeline').innerText(), /Needs changed/);
  });

  it('a SENCO records that a pupil has left, finds them among leavers, and returns them to roll', async () => {
    const { page } = journey;
    await page.goto(`/pupils/${journey.fixture.schoolA.otherPupilId}`);
    await page.getByRole('link', { name: 'Record that this pupil has left the school' }).click();
    await checkAccessibility(journey);
    await page.getByLabel('Why did they leave?').fill('Moved to Hillside School');
    await page.getByRole('button', { name: 'Record that they have left' }).click();
    await page.waitForURL(/\/pupils\/[^/]+$/);
    await checkAccessibility(journey);
    assert.match(await page.locator('main').innerText(), /This pupil left the school on/);
    await page.goto('/register');
    await page.getByRole('link', { name: 'Pupils who have left' }).click();
    await checkAccessibility(journey);
    await page.getByRole('link', { name: 'Kowalczyk, Tomasz' }).click();
    await page.getByRole('link', { name: 'Return to roll' }).click();
    await checkAccessibility(journey);
    await page.getByLabel('Why are they back on roll?').fill('Recorded by mistake');
    await page.getByRole('button', { name: 'Return to roll' }).click();
    await page.waitForURL(/\/pupils\/[^/]+$/);
    assert.match(await page.locator('main').innerText(), /back on roll/);
  });

  it('a teacher sees only their pupils with SEN, and the audit log shows who looked', async () => {
    const { page } = journey;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(journey, journey.fixture.schoolA.users.teacher.email);
    await page.waitForURL('**/my-class');
    await checkAccessibility(journey);
    assert.match(await page.locator('main').innerText(), /Zoë O'Connor/);
    assert.doesNotMatch(await page.locator('main').innerText(), /Kowalczyk/);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(journey, journey.fixture.schoolA.users.senco.email);
    await page.goto(`/audit?pupil=${journey.fixture.schoolA.taughtPupilId}`);
    await checkAccessibility(journey);
    await screenshot(page, 'audit');
    const log = await page.locator('main').innerText();
    assert.match(log, /pupil\.sen\.changed/);
    assert.match(log, /teacher A/);
  });
});
