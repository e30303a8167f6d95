import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { BuiltApp } from '../../app.ts';
import { buildTestApp } from '../../../test/support/app.ts';
import { describeEachDialect } from '../../../test/support/databases.ts';
import { seedFixture, type Fixture } from '../../../test/support/fixtures.ts';
import { TestClient } from '../../../test/support/http.ts';
import { seedProvisionFixture } from '../../../test/support/provision-fixtures.ts';

describeEachDialect('staff who run an intervention group', (getDatabase) => {
  let built: BuiltApp;
  let fixture: Fixture;
  before(async () => {
    fixture = await seedFixture(getDatabase());
    await seedProvisionFixture(getDatabase(), fixture);
    built = await buildTestApp(getDatabase());
  });
  after(async () => {
    await built.app.close();
  });

  it('may open the records of the pupils in their group, and no others', async () => {
    // The other pupil is in no teaching group of the TA's: only the intervention group links them.
    const ta = new TestClient(built.app);
    await ta.signIn(fixture.schoolA.users.teaching_assistant.email);
    assert.equal((await ta.get(`/pupils/${fixture.schoolA.otherPupilId}`)).statusCode, 200);
    assert.equal((await ta.get(`/pupils/${fixture.schoolB.otherPupilId}`)).statusCode, 403, 'never another school’s pupil');
    // A teacher who runs no intervention group gains nothing from it.
    const teacher = new TestClient(built.app);
    await teacher.signIn(fixture.schoolA.users.teacher.email);
    assert.equal((await teacher.get(`/pupils/${fixture.schoolA.otherPupilId}`)).statusCode, 403);
  });
});
