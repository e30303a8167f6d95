import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeCtf } from '../fixtures/imports/make-ctf.ts';
import { browserSkipReason, checkAccessibility, screenshot, signIn, startJourney, type Journey } from './browser.ts';

const skip = browserSkipReason();
if (skip) console.log(`# ${skip}`);

describe('journey: importing a school’s roll from a CTF', { skip }, () => {
  let journey: Journey;
  let directory: string;
  before(async () => {
    journey = await startJourney();
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'senco-e2e-import-'));
  });
  after(async () => {
    await journey?.close();
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it('uploads a CTF, previews it with a rejected row named, confirms it, and finds the pupils on the register', async () => {
    const { page } = journey;
    // One pupil carries a mistyped UPN: the preview must name its line, field and reason.
    const xml = makeCtf({
      pupils: 12,
      version: 25,
      seed: 11,
      customise: (pupil, index) => (index === 3 ? { ...pupil, upn: `${pupil.upn.slice(0, 12)}${pupil.upn.endsWith('1') ? '2' : '1'}` } : pupil),
    });
    const file = path.join(directory, '8814001_CTF_8814002_001.xml');
    fs.writeFileSync(file, xml);

    await signIn(journey, journey.fixture.schoolA.users.senco.email);
    await page.getByRole('link', { name: 'Imports' }).click();
    await page.waitForURL('**/imports');
    await checkAccessibility(journey);
    await page.getByLabel('Choose a file').setInputFiles(file);
    await page.getByRole('button', { name: 'Upload and check the file' }).click();
    await page.getByRole('heading', { name: 'Check the import before you confirm it' }).waitFor();
    await checkAccessibility(journey);
    await screenshot(page, 'import-preview');
    const preview = await page.locator('main').innerText();
    assert.match(preview, /CTF 25|version 25/i, 'the preview shows the CTF version');
    assert.match(preview, /11\s*new pupils/i);
    assert.match(preview, /1\s*rejected/i);
    assert.match(preview, /UPN check letter does not match/);

    await page.getByRole('button', { name: 'Confirm and import' }).click();
    await page.waitForLoadState('load');
    await checkAccessibility(journey);
    await screenshot(page, 'import-done');
    assert.match(await page.locator('main').innerText(), /11/);

    // The imported pupils are on the register with their SEN status.
    await page.goto('/register?provision=K&provision=E&provision=N');
    await checkAccessibility(journey);
    const register = await page.locator('main').innerText();
    assert.match(register, /\b14 pupils\b|\b14 pupils match\b|14\s+pupils/);

    // The same file again changes nothing.
    await page.goto('/imports');
    await page.getByLabel('Choose a file').setInputFiles(file);
    await page.getByRole('button', { name: 'Upload and check the file' }).click();
    await page.getByRole('heading', { name: 'Check the import before you confirm it' }).waitFor();
    const again = await page.locator('main').innerText();
    assert.match(again, /0\s*new pupils/i);
    assert.match(again, /11\s*unchanged/i);
    assert.match(again, /There is nothing to import/);
    await checkAccessibility(journey);
  });

  it('refuses a hostile file with a clear message and imports nothing', async () => {
    const { page } = journey;
    const file = path.join(directory, 'hostile.xml');
    fs.writeFileSync(file, '<?xml version="1.0"?>\n<!DOCTYPE CTfile [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<CTfile><Header/><CTFpupilData/></CTfile>\n');
    const before = await journey.database.db.selectFrom('pupils').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    await page.goto('/imports');
    await page.getByLabel('Choose a file').setInputFiles(file);
    await page.getByRole('button', { name: 'Upload and check the file' }).click();
    await page.waitForLoadState('load');
    await checkAccessibility(journey);
    assert.match(await page.locator('main').innerText(), /DOCTYPE|entit/i);
    const afterCount = await journey.database.db.selectFrom('pupils').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(afterCount.n), Number(before.n));
  });
});
