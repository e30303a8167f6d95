import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { browserSkipReason, checkAccessibility, screenshot, signIn, startJourney, type Journey } from './browser.ts';

const skip = browserSkipReason();
if (skip) console.log(`# ${skip}`);

describe('journey: setting up a school', { skip }, () => {
  let journey: Journey;
  before(async () => {
    journey = await startJourney();
  });
  after(async () => {
    await journey?.close();
  });

  it('a SENCO adds a teacher, creates a group with the teacher and a pupil; the teacher then sees the pupil', async () => {
    const { page } = journey;
    await signIn(journey, journey.fixture.schoolA.users.senco.email);
    await page.waitForURL('**/today');
    await page.getByRole('link', { name: 'School settings' }).first().click();
    await page.waitForURL('**/settings');
    await checkAccessibility(journey);
    await screenshot(page, 'settings');

    // People: the form explains what is missing, then makes the account and shows its password once.
    await page.getByRole('link', { name: 'People', exact: true }).first().click();
    await page.waitForURL('**/settings/people');
    await checkAccessibility(journey);
    await screenshot(page, 'settings-people');
    await page.getByRole('button', { name: 'Add a person' }).click();
    await page.waitForURL('**/settings/people/add');
    await checkAccessibility(journey);
    await page.getByRole('button', { name: 'Add person' }).click();
    await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
    await checkAccessibility(journey);
    await screenshot(page, 'settings-person-errors');
    await page.getByRole('link', { name: 'Choose the person’s role at this school' }).click();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'role');
    await page.getByLabel('Email address').fill('ruth.newton@a.example.org');
    await page.getByLabel('Full name').fill('Ruth Newton');
    await page.getByLabel('Teacher', { exact: true }).check();
    await page.getByLabel('Generate a strong password').check();
    await page.getByRole('button', { name: 'Add person' }).click();
    await page.getByRole('heading', { name: 'Account created' }).waitFor();
    await checkAccessibility(journey);
    await screenshot(page, 'settings-person-added');
    const password = await page.getByLabel('Password').inputValue();
    assert.match(password, /^[A-Za-z0-9]{24}$/);
    await page.getByRole('button', { name: 'I have noted the password' }).click();
    await page.waitForURL('**/settings/people');
    assert.match(await page.locator('main').innerText(), /Ruth Newton/);
    assert.equal(await page.getByText(password).count(), 0, 'the password is never shown again');

    // A group, with the new teacher and a pupil found by name.
    await page.getByRole('link', { name: 'Groups', exact: true }).click();
    await page.waitForURL('**/settings/groups');
    await checkAccessibility(journey);
    await page.getByRole('button', { name: 'Create a group' }).click();
    await checkAccessibility(journey);
    await page.getByLabel('Group name').fill('10 History');
    await page.getByLabel('Teaching group', { exact: true }).check();
    await page.getByLabel('Subject (teaching groups only)').fill('History');
    await page.getByLabel('Year group').selectOption({ label: 'Year 10' });
    await page.getByRole('button', { name: 'Create group' }).click();
    await page.getByRole('heading', { name: '10 History' }).waitFor();
    await checkAccessibility(journey);
    await page.getByRole('link', { name: 'Choose the staff' }).click();
    await checkAccessibility(journey);
    await screenshot(page, 'settings-group-staff');
    await page.getByLabel('Ruth Newton').check();
    await page.getByRole('button', { name: 'Save staff' }).click();
    await page.getByRole('heading', { name: '10 History' }).waitFor();
    await page.getByLabel('Pupil’s name or UPN').fill('kowalczyk');
    await page.getByLabel('Pupil’s name or UPN').press('Enter');
    await page.waitForURL(/q=kowalczyk/);
    await checkAccessibility(journey);
    await page.getByLabel(/Tomasz Kowalczyk/).check();
    await page.getByRole('button', { name: 'Add the selected pupils' }).click();
    await page.getByText('1 pupil added to the group').waitFor();
    await checkAccessibility(journey);
    await screenshot(page, 'settings-group');
    const main = await page.locator('main').innerText();
    assert.match(main, /Ruth Newton/);
    assert.match(main, /Tomasz Kowalczyk/);

    // The other School settings pages pass axe too.
    for (const [link, url] of [['Parent links', '**/settings/parents'], ['School details', '**/settings/school']] as const) {
      await page.getByRole('link', { name: link, exact: true }).click();
      await page.waitForURL(url);
      await checkAccessibility(journey);
    }
    await screenshot(page, 'settings-school');
    await page.goto('/settings/groups/import');
    await checkAccessibility(journey);

    // The teacher signs in with the password they were given and sees the pupil.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(journey, 'ruth.newton@a.example.org', password);
    await page.waitForURL('**/my-class');
    await page.goto('/my-pupils');
    await checkAccessibility(journey);
    await screenshot(page, 'settings-teacher-my-pupils');
    const mine = await page.locator('main').innerText();
    assert.match(mine, /Tomasz Kowalczyk/);
    assert.match(mine, /10 History/);
    assert.doesNotMatch(mine, /O'Connor/, 'only the pupils of their own groups');
    await page.getByRole('link', { name: 'Tomasz Kowalczyk' }).click();
    await page.waitForURL(`**/pupils/${journey.fixture.schoolA.otherPupilId}`);
    await checkAccessibility(journey);
  });
});
