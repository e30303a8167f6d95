// The school's logo for documents: what an upload must be (checked by its bytes), and the School
// details page over HTTP on both databases: upload, preview, replace, remove, refusals and audit.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BuiltApp } from '../../app.ts';
import { buildTestApp } from '../../../test/support/app.ts';
import { describeEachDialect } from '../../../test/support/databases.ts';
import { seedFixture, type Fixture } from '../../../test/support/fixtures.ts';
import { TestClient } from '../../../test/support/http.ts';
import { ValidationError } from '../../platform/errors.ts';
import { LOGO_MAX_BYTES, checkLogo, encodePng, loadSchoolLogo } from './logo.ts';
import { auditEvents } from '../../../test/support/audit.ts';

const png = (width: number, height: number) => encodePng(width, height, (x, y) => [(x * 7) % 256, (y * 13) % 256, 120, 255]);
/** The smallest JPEG the PDF renderer accepts: start of image, a baseline frame header of 32 × 16, end. */
const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x10, 0x00, 0x20, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01, 0xff, 0xd9]);

function refusal(bytes: Uint8Array | undefined): string {
  try {
    checkLogo(bytes);
  } catch (error) {
    assert.ok(error instanceof ValidationError);
    assert.equal(error.errors[0]!.field, 'logo');
    return error.errors[0]!.message;
  }
  assert.fail('the file was accepted');
}

describe('checking an uploaded logo', () => {
  it('accepts a PNG and a JPEG by their bytes, with their size in pixels', () => {
    const fromPng = checkLogo(png(120, 40));
    assert.deepEqual([fromPng.type, fromPng.contentType, fromPng.width, fromPng.height], ['png', 'image/png', 120, 40]);
    const fromJpeg = checkLogo(jpeg);
    assert.deepEqual([fromJpeg.type, fromJpeg.contentType, fromJpeg.width, fromJpeg.height], ['jpeg', 'image/jpeg', 32, 16]);
  });

  it('says what a file is when it is not a PNG or JPEG', () => {
    assert.match(refusal(Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1')), /^The selected file is a GIF image: the logo must be a PNG or JPEG image/);
    assert.match(refusal(Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>')), /is an SVG drawing/);
    assert.match(refusal(Buffer.from('%PDF-1.7\n')), /is a PDF document/);
    assert.match(refusal(Buffer.from('Dear parents, ')), /^The selected file is not a PNG or JPEG image/);
    assert.match(refusal(undefined), /^Select a PNG or JPEG file/);
  });

  it('refuses a file over 1 MB, saying how large it is', () => {
    const big = Buffer.concat([png(10, 10), Buffer.alloc(LOGO_MAX_BYTES)]);
    assert.match(refusal(big), /^The selected file is 1 MB: the logo must be 1 MB or smaller/);
  });

  it('refuses a PNG whose size cannot be read, and one too large in pixels', () => {
    assert.match(refusal(png(10, 10).subarray(0, 20)), /its size cannot be read: it may be damaged/);
    const huge = png(1, 1);
    huge.writeUInt32BE(5000, 16); // the header's width: the checks read it before any pixel
    assert.match(refusal(huge), /^The logo is 5000 × 1 pixels: it must be no more than 4000 pixels wide and high/);
  });
});

describeEachDialect('The school’s logo over HTTP', (getDatabase) => {
  let built: BuiltApp;
  let fixture: Fixture;
  let senco: TestClient;

  const events = (action: string) => auditEvents(built.ctx, fixture.schoolA.id, action);

  before(async () => {
    built = await buildTestApp(getDatabase());
    fixture = await seedFixture(getDatabase());
    senco = new TestClient(built.app);
    await senco.signIn(fixture.schoolA.users.senco.email);
  });
  after(async () => {
    await built.app.close();
  });

  it('starts with no logo: documents show the name alone', async () => {
    const page = await senco.get('/settings/school');
    assert.match(page.body, /No logo yet: documents show the school’s name alone/);
    assert.match(page.body, /<label class="govuk-label govuk-label--s" for="logo">\s*Upload a logo/);
    assert.equal((await senco.get('/settings/school/logo')).statusCode, 404);
    assert.equal(await loadSchoolLogo(built.ctx, fixture.schoolA.id), undefined);
  });

  it('refuses a file that is not a PNG or JPEG, whatever its name, with the error next to the field', async () => {
    await senco.get('/settings/school');
    const response = await senco.upload('/settings/school/logo', { field: 'logo', filename: 'logo.png', bytes: Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'), type: 'image/png' });
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /<title>Error: School details/);
    assert.match(response.body, /<a href="#logo">The selected file is a GIF image: the logo must be a PNG or JPEG image. Save it as PNG and upload that<\/a>/);
    assert.match(response.body, /id="logo-error"/);
    const none = await senco.upload('/settings/school/logo', { field: 'logo', filename: '', bytes: new Uint8Array(0), type: 'application/octet-stream' });
    assert.equal(none.statusCode, 400);
    assert.match(none.body, /Select a PNG or JPEG file of the school’s logo/);
    assert.equal(await loadSchoolLogo(built.ctx, fixture.schoolA.id), undefined);
    assert.equal((await events('school.logo-uploaded')).length, 0);
  });

  it('saves a PNG, shows its preview, and gives it to documents', async () => {
    await senco.get('/settings/school');
    const image = png(300, 100);
    const response = await senco.upload('/settings/school/logo', { field: 'logo', filename: 'crest.png', bytes: image, type: 'image/png' });
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, '/settings/school');
    const page = await senco.get('/settings/school');
    assert.match(page.body, /Logo saved: plans, reviews and passports now show it/);
    assert.match(page.body, /<img src="\/settings\/school\/logo" alt="The school’s current logo" width="300" height="100"/);
    assert.match(page.body, /PNG, 300 × 100 pixels, uploaded by senco A on/);
    const preview = await senco.get('/settings/school/logo');
    assert.equal(preview.statusCode, 200);
    assert.equal(preview.headers['content-type'], 'image/png');
    assert.equal(preview.headers['x-content-type-options'], 'nosniff');
    assert.deepEqual(new Uint8Array(preview.rawPayload), new Uint8Array(image));
    const logo = await loadSchoolLogo(built.ctx, fixture.schoolA.id);
    assert.equal(logo?.type, 'png');
    assert.deepEqual(logo?.data, new Uint8Array(image));
    assert.equal(await loadSchoolLogo(built.ctx, fixture.schoolB.id), undefined, 'the other school has none');
    const [event] = await events('school.logo-uploaded');
    assert.equal(event!.actor_user_id, fixture.schoolA.users.senco.id);
    assert.deepEqual({ ...event!.detail, sha256: undefined }, { type: 'image/png', width: 300, height: 100, bytes: image.length, sha256: undefined, replaced: false });
  });

  it('replaces it with a JPEG', async () => {
    await senco.get('/settings/school');
    assert.equal((await senco.upload('/settings/school/logo', { field: 'logo', filename: 'crest.jpg', bytes: jpeg, type: 'image/jpeg' })).statusCode, 303);
    assert.equal((await loadSchoolLogo(built.ctx, fixture.schoolA.id))?.type, 'jpeg');
    assert.equal((await senco.get('/settings/school/logo')).headers['content-type'], 'image/jpeg');
    assert.equal((await events('school.logo-uploaded')).at(-1)!.detail!.replaced, true);
  });

  it('is the SENCO’s alone: other roles cannot see, upload or remove it', async () => {
    for (const role of ['sen_admin', 'teacher', 'leader', 'parent'] as const) {
      const client = new TestClient(built.app);
      await client.signIn(fixture.schoolA.users[role].email);
      assert.equal((await client.get('/settings/school/logo')).statusCode, 403, role);
      assert.equal((await client.upload('/settings/school/logo', { field: 'logo', filename: 'x.png', bytes: png(4, 4), type: 'image/png' })).statusCode, 403, role);
      assert.equal((await client.post('/settings/school/logo/remove')).statusCode, 403, role);
    }
    const other = new TestClient(built.app);
    await other.signIn(fixture.schoolB.users.senco.email);
    assert.equal((await other.get('/settings/school/logo')).statusCode, 404, 'another school’s SENCO sees their own (none)');
    assert.equal((await loadSchoolLogo(built.ctx, fixture.schoolA.id))?.type, 'jpeg');
  });

  it('removes it, audited', async () => {
    await senco.get('/settings/school');
    const response = await senco.post('/settings/school/logo/remove');
    assert.equal(response.statusCode, 303);
    const page = await senco.get('/settings/school');
    assert.match(page.body, /Logo removed: documents now show the school’s name alone/);
    assert.match(page.body, /No logo yet/);
    assert.equal(await loadSchoolLogo(built.ctx, fixture.schoolA.id), undefined);
    assert.equal((await events('school.logo-removed')).length, 1);
    await senco.post('/settings/school/logo/remove');
    assert.equal((await events('school.logo-removed')).length, 1, 'nothing removed, nothing audited');
  });
});
