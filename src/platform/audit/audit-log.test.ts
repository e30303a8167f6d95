import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeEachDialect } from '../../../test/support/databases.ts';
import { AuditLog, verifyAuditChains } from './audit-log.ts';

describeEachDialect('audit log', (getDatabase) => {
  it('chains events per school and verifies the chain', async () => {
    const database = getDatabase();
    const audit = new AuditLog(database);
    await audit.recordNow({ schoolId: 'school-a', action: 'pupil.sen.changed', pupilId: 'p1', actorLabel: 'Test' });
    await audit.recordNow({ schoolId: 'school-a', action: 'pupil.viewed', pupilId: 'p1' }, { schoolId: 'school-b', action: 'pupil.viewed' });
    for (let index = 0; index < 30; index++) audit.recordRead({ schoolId: 'school-a', action: 'pupil.viewed', pupilId: `p${index}` });
    await audit.flush();
    const result = await verifyAuditChains(database.db);
    assert.equal(result.ok, true);
    assert.equal(result.checked, 33);
    assert.equal(result.chains, 2);
  });

  it('names the first broken link when an event is altered', async () => {
    const database = getDatabase();
    await database.db.updateTable('audit_events').set({ action: 'pupil.tampered' }).where('school_id', '=', 'school-a').where('seq', '=', 3).execute();
    const result = await verifyAuditChains(database.db);
    assert.equal(result.ok, false);
    assert.deepEqual(result.firstBroken, { schoolId: 'school-a', seq: 3, reason: 'its contents were changed after it was written' });
  });

  it('notices when the latest events are deleted', async () => {
    const database = getDatabase();
    await database.db.updateTable('audit_events').set({ action: 'pupil.viewed' }).where('school_id', '=', 'school-a').where('seq', '=', 3).execute();
    const before = await verifyAuditChains(database.db);
    assert.equal(before.ok, true, 'restoring the altered event restores the chain');
    await database.db.deleteFrom('audit_events').where('school_id', '=', 'school-b').execute();
    const result = await verifyAuditChains(database.db);
    assert.equal(result.ok, false);
    assert.equal(result.firstBroken?.schoolId, 'school-b');
    assert.match(result.firstBroken!.reason, /removed/);
  });
});
