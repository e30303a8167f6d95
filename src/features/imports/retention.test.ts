import assert from 'node:assert/strict';
import { it } from 'node:test';
import { AuditLog } from '../../platform/audit/audit-log.ts';
import { newId } from '../../platform/ids.ts';
import { describeEachDialect } from '../../../test/support/databases.ts';
import { testConfig } from '../../../test/support/config.ts';
import { listImports, UNCONFIRMED_BATCH_DAYS } from './service.ts';

describeEachDialect('unconfirmed imports', (getDatabase) => {
  it(`drop their pupils’ data after ${UNCONFIRMED_BATCH_DAYS} days, and keep recent and confirmed ones`, async () => {
    const database = getDatabase();
    const ctx = { config: testConfig(), database, db: database.db, audit: new AuditLog(database) };
    const schoolId = newId();
    await database.db.insertInto('schools').values({ id: schoolId, name: 'Retention School', urn: null, laestab: null, la_name: null, phase: 'primary', created_at: new Date().toISOString() }).execute();
    const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
    const batch = (id: string, status: string, createdAt: string) => ({
      school_id: schoolId, id, kind: 'ctf', filename: `${id}.xml`, file_sha256: 'x', status, summary: '{}', payload: '{"records":[{"legalSurname":"Child"}]}',
      created_by: 'someone', created_at: createdAt, committed_at: status === 'committed' ? createdAt : null,
    });
    await database.db.insertInto('import_batches').values([batch('old', 'previewed', daysAgo(UNCONFIRMED_BATCH_DAYS + 1)), batch('recent', 'previewed', daysAgo(1)), batch('done', 'committed', daysAgo(30))]).execute();
    await listImports(ctx, { schoolId, userId: null, label: 'test', ip: null });
    const rows = await database.db.selectFrom('import_batches').select(['id', 'status', 'payload']).where('school_id', '=', schoolId).orderBy('id').execute();
    const byId = Object.fromEntries(rows.map((row) => [row.id, row]));
    assert.equal(byId.old!.status, 'discarded');
    assert.equal(byId.old!.payload, null);
    assert.equal(byId.recent!.status, 'previewed');
    assert.notEqual(byId.recent!.payload, null);
    assert.equal(byId.done!.status, 'committed');
    const events = await database.db.selectFrom('audit_events').select('action').where('school_id', '=', schoolId).execute();
    assert.deepEqual(events.map((event) => event.action), ['import.expired']);
  });
});
