import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { browserSkipReason, checkAccessibility, screenshot, signIn, startJourney, type Journey } from '../../../test/e2e/browser.ts';

const skip = browserSkipReason();
if (skip) console.log(`# ${skip}`);

describe('journey: a personal API token', { skip }, () => {
  let journey: Journey;
  before(async () => {
    journey = await startJourney();
  });
  after(async () => {
    await journey?.close();
  });

  it('a SENCO creates a token by keyboard, copies it once, uses it and revokes it', async () => {
    const { page } = journey;
    await signIn(journey, journey.fixture.schoolA.users.senco.email);
    await page.getByRole('link', { name: 'Your account', exact: true }).first().click();
    await page.waitForURL('**/account');
    await checkAccessibility(journey);
    await assert.doesNotReject(page.getByText('You have not created any API tokens').waitFor());

    // Nothing chosen: the error summary links to each field.
    await page.getByRole('button', { name: 'Create token' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL('**/account/tokens');
    await checkAccessibility(journey);
    await page.getByRole('link', { name: 'Choose when the token expires' }).click();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'expiresInDays');

    await page.getByLabel('Token name').fill('Termly report');
    await page.getByLabel('90 days').check();
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByRole('heading', { name: 'Your new API token' }).waitFor();
    await checkAccessibility(journey);
    await screenshot(page, 'account-token-created');
    const token = await page.getByLabel('API token').inputValue();
    assert.match(token, /^sdk_/);

    const api = await page.request.get('/api/v1/register', { headers: { authorization: `Bearer ${token}` } });
    assert.equal(api.status(), 200);

    await page.getByRole('button', { name: 'I have copied the token' }).click();
    await page.waitForURL('**/account');
    assert.equal(await page.getByText(token).count(), 0, 'the token is never shown again');
    await screenshot(page, 'account');
    await page.getByRole('link', { name: 'Revoke the token Termly report' }).click();
    await page.getByRole('heading', { name: 'Are you sure you want to revoke ‘Termly report’?' }).waitFor();
    await checkAccessibility(journey);
    await page.getByRole('button', { name: 'Revoke token' }).click();
    await page.waitForURL('**/account');
    await checkAccessibility(journey);
    await assert.doesNotReject(page.getByText('has been revoked').waitFor());
    const refused = await page.request.get('/api/v1/register', { headers: { authorization: `Bearer ${token}` } });
    assert.equal(refused.status(), 401);
  });

  it('a signed-in person changes their password from their account page', async () => {
    const { page } = journey;
    await page.goto('/account');
    await page.getByRole('link', { name: 'Change your password' }).click();
    await checkAccessibility(journey);
    await page.getByLabel('Current password', { exact: true }).fill('wrong password entirely');
    await page.getByLabel('New password', { exact: true }).fill('a brand new long password');
    await page.getByLabel('Type the new password again', { exact: true }).fill('a brand new long password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
    await checkAccessibility(journey);
    await screenshot(page, 'change-password-error');
  });
});
