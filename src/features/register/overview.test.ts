import assert from 'node:assert/strict';
import { it } from 'node:test';
import { AuditLog } from '../../platform/audit/audit-log.ts';
import { describeEachDialect } from '../../../test/support/databases.ts';
import { testConfig } from '../../../test/support/config.ts';
import { seedFixture } from '../../../test/support/fixtures.ts';
import { getOverview } from './service.ts';

describeEachDialect('the SEN overview', (getDatabase) => {
  it('counts each factor among pupils with SEN only', async () => {
    const database = getDatabase();
    const fixture = await seedFixture(database);
    const ctx = { config: testConfig(), database, db: database.db, audit: new AuditLog(database) };
    const a = fixture.schoolA;
    // Taught pupil (K): FSM and EAL. Other pupil (E): FSM and looked after. No-SEN pupil: FSM, which must not count.
    await database.db.updateTable('pupils').set({ fsm: 1, eal: 1 }).where('id', '=', a.taughtPupilId).execute();
    await database.db.updateTable('pupils').set({ fsm: 1, looked_after: 1 }).where('id', '=', a.otherPupilId).execute();
    await database.db.updateTable('pupils').set({ fsm: 1, pupil_premium: 1 }).where('id', '=', a.noSenPupilId).execute();
    const overview = await getOverview(ctx, { userId: a.users.senco.id, displayName: 'senco', schoolId: a.id, role: 'senco' });
    assert.deepEqual(
      Object.fromEntries(overview.flagCounts.map((row) => [row.flag, row.count])),
      { fsm: 2, pp: 0, eal: 1, lac: 1 },
    );
    assert.equal(overview.sen.total, 2);
    assert.equal(overview.all.total, 3);
  });
});
