import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { schoolToday } from '../../src/platform/dates.ts';
import { browserSkipReason, checkAccessibility, download, screenshot, signIn, startJourney, type Journey } from './browser.ts';

const skip = browserSkipReason();
if (skip) console.log(`# ${skip}`);

describe('journey: provision from the catalogue to its impact', { skip }, () => {
  let journey: Journey;
  before(async () => {
    journey = await startJourney();
  });
  after(async () => {
    await journey?.close();
  });

  it('a SENCO creates a provision and a group, the teaching assistant records a session and scores on a phone, and the impact shows', async () => {
    const { page, fixture } = journey;
    const [year, month, day] = schoolToday().split('-');
    await signIn(journey, fixture.schoolA.users.senco.email);
    await page.waitForURL('**/today');
    await page.getByRole('link', { name: 'Provision', exact: true }).first().click();
    await page.waitForURL('**/provision');
    await checkAccessibility(journey);

    // The catalogue: a form that explains what is missing, then the provision.
    await page.getByRole('button', { name: 'Add provision' }).click();
    await page.waitForURL('**/provision/new');
    await checkAccessibility(journey);
    await page.getByRole('button', { name: 'Add provision' }).click();
    await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
    await checkAccessibility(journey);
    await screenshot(page, 'provision-form-errors');
    await page.getByLabel('Name', { exact: true }).fill('Maths catch-up');
    await page.getByLabel('Targeted').check();
    await page.getByLabel('Broad area of need').selectOption('Cognition and learning');
    await page.getByLabel('Pupils in a group').fill('4');
    await page.getByLabel('Sessions a week').fill('3');
    await page.getByLabel('Minutes a session').fill('30');
    await page.getByLabel('Teaching assistant').check();
    await page.getByLabel('Staff time at the school’s hourly rate').check();
    await page.getByLabel('Standardised score').check();
    await page.getByRole('button', { name: 'Add provision' }).click();
    await page.getByRole('heading', { name: 'Maths catch-up' }).waitFor();
    await checkAccessibility(journey);
    await screenshot(page, 'provision');

    // A group of it, run by the teaching assistant, with two pupils found by name.
    await page.getByRole('button', { name: 'Start a group' }).click();
    await checkAccessibility(journey);
    await page.getByLabel('Group name').fill('Year 7 maths – autumn');
    await page.locator('#startDate-day').fill(String(Number(day)));
    await page.locator('#startDate-month').fill(String(Number(month)));
    await page.locator('#startDate-year').fill(year!);
    await page.locator('#endDate-day').fill(String(Number(day)));
    await page.locator('#endDate-month').fill(String(Number(month)));
    await page.locator('#endDate-year').fill(String(Number(year) + 1));
    await page.getByLabel('Teaching weeks it runs').fill('36');
    await page.getByRole('button', { name: 'Start the group' }).click();
    await page.getByRole('heading', { name: 'Year 7 maths – autumn' }).waitFor();
    await checkAccessibility(journey);
    await page.getByRole('link', { name: 'Choose the staff' }).click();
    await checkAccessibility(journey);
    await page.getByLabel('teaching_assistant A').check();
    await page.getByRole('button', { name: 'Save staff' }).click();
    await page.getByRole('heading', { name: 'Year 7 maths – autumn' }).waitFor();
    for (const name of ['Kowalczyk', "O'Connor"]) {
      await page.getByLabel('Pupil’s name or UPN').fill(name);
      await page.getByLabel('Pupil’s name or UPN').press('Enter');
      await page.waitForURL(/q=/);
      await checkAccessibility(journey);
      await page.locator('input[type="checkbox"][name="pupilId"]:not([disabled])').first().check();
      await page.getByRole('button', { name: 'Add the selected pupils' }).click();
      await page.getByText('1 pupil added to the group').waitFor();
    }
    await checkAccessibility(journey);
    await screenshot(page, 'provision-group');

    // The teaching assistant, on a phone: My groups → today's session → one form.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.setViewportSize({ width: 390, height: 844 });
    await signIn(journey, fixture.schoolA.users.teaching_assistant.email);
    await page.waitForURL('**/my-groups');
    await checkAccessibility(journey);
    await screenshot(page, 'provision-my-groups-phone');
    await page.getByRole('button', { name: 'Record today’s session of Year 7 maths – autumn' }).click();
    await page.getByRole('heading', { name: 'Year 7 maths – autumn' }).waitFor();
    await checkAccessibility(journey);
    const absent = page.getByRole('group', { name: 'Tomasz Kowalczyk' }).getByLabel('Absent');
    const box = await absent.boundingBox();
    assert.ok(box && box.width >= 24 && box.height >= 24, 'attendance choices are large enough to tap');
    await absent.check();
    await page.locator('input[id^="reason-"]').last().fill('Ill');
    await page.getByLabel('Note (optional)').fill('Number bonds to 20');
    await screenshot(page, 'provision-session-phone');
    await page.getByRole('button', { name: 'Save the session' }).click();
    await page.waitForURL('**/my-groups');
    await page.getByText('Session recorded').waitFor();
    await checkAccessibility(journey);

    // Entry and exit scores from the group's page.
    await page.getByRole('link', { name: 'Open Year 7 maths – autumn' }).first().click();
    await checkAccessibility(journey);
    await page.getByRole('link', { name: 'Entry measures' }).click();
    await checkAccessibility(journey);
    await page.getByLabel('Tomasz Kowalczyk').fill('78');
    await page.getByLabel("Zoë O'Connor").fill('82');
    await page.getByRole('button', { name: 'Save entry measures' }).click();
    await page.getByText('Entry measures saved for 2 pupils').waitFor();
    await page.getByRole('link', { name: 'Exit measures' }).click();
    await page.getByLabel('Tomasz Kowalczyk').fill('200');
    await page.getByRole('button', { name: 'Save exit measures' }).click();
    await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
    await checkAccessibility(journey);
    await page.getByLabel('Tomasz Kowalczyk').fill('86');
    await page.getByLabel("Zoë O'Connor").fill('84');
    await page.getByRole('button', { name: 'Save exit measures' }).click();
    await page.getByText('Exit measures saved for 2 pupils').waitFor();
    await checkAccessibility(journey);
    await screenshot(page, 'provision-group-phone');

    // The SENCO sees the impact: one of two made the expected progress (+8; +2).
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.setViewportSize({ width: 1280, height: 900 });
    await signIn(journey, fixture.schoolA.users.senco.email);
    await page.goto('/provision/impact');
    await checkAccessibility(journey);
    await page.getByRole('link', { name: 'Maths catch-up' }).click();
    await checkAccessibility(journey);
    const impact = await page.locator('main').innerText();
    assert.match(impact, /50%/);
    await page.getByRole('link', { name: 'Year 7 maths – autumn' }).click();
    await checkAccessibility(journey);
    await screenshot(page, 'provision-group-impact');
    const group = await page.locator('main').innerText();
    assert.match(group, /Expected progress \(\+8\)/);
    assert.match(group, /Kept pace \(\+2\)/);

    // The downloads: the impact report for leaders, then the costed provision map.
    await page.goto('/provision/impact');
    for (const [name, extension, type, magic] of [
      ['Download report (Word)', 'docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'PK'],
      ['Download report (PDF)', 'pdf', 'application/pdf', '%PDF-'],
    ] as const) {
      await download(journey, name, extension, type, magic);
    }
    await page.goto('/provision/map');
    await checkAccessibility(journey);
    for (const [name, extension, type, magic] of [
      ['Download as CSV', 'csv', 'text/csv; charset=utf-8', '\uFEFFPupil,'],
      ['Download as Excel', 'xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'PK'],
    ] as const) {
      await download(journey, name, extension, type, magic);
    }

    for (const url of ['/provision/map', '/provision/map/pupils', '/provision/staff', '/provision/settings', '/provision/groups', `/pupils/${fixture.schoolA.taughtPupilId}/provision`, '/provision/summary']) {
      await page.goto(url);
      await checkAccessibility(journey);
    }
    await screenshot(page, 'provision-summary');
  });
});
