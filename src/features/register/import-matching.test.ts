import assert from 'node:assert/strict';
import { it } from 'node:test';
import { AuditLog } from '../../platform/audit/audit-log.ts';
import { newId } from '../../platform/ids.ts';
import { schoolScope } from '../../platform/scope.ts';
import { describeEachDialect } from '../../../test/support/databases.ts';
import { testConfig } from '../../../test/support/config.ts';
import { makeUpn } from './identifiers.ts';
import { applyImportedPupils, matchImportedPupils, type PupilRecordInput } from './service.ts';

describeEachDialect('matching imported pupils to the register', (getDatabase) => {
  it('gives a pupil added without a UPN the UPN a later file brings, instead of a second record', async () => {
    const database = getDatabase();
    const ctx = { config: testConfig(), database, db: database.db, audit: new AuditLog(database) };
    const schoolId = newId();
    await database.db.insertInto('schools').values({ id: schoolId, name: 'Matching School', urn: null, laestab: null, la_name: null, phase: 'primary', created_at: new Date().toISOString() }).execute();
    const scope = schoolScope(schoolId);
    const meta = { source: 'import:test', reason: 'test', actorUserId: null, actorLabel: 'test', ip: null };
    const withoutUpn: PupilRecordInput = { upn: null, legalSurname: 'Ó Súilleabháin', legalForename: 'Niamh', dateOfBirth: '2017-03-04', yearGroup: 4, sen: { provision: 'K', needs: [{ need: 'SLCN', rank: 1 }] } };
    await database.db.transaction().execute(async (trx) => applyImportedPupils(ctx, trx, scope, await matchImportedPupils(trx, scope, [withoutUpn]), meta));
    const upn = makeUpn('881', '2345', 2021, 7);
    const withUpn = { ...withoutUpn, upn };
    const result = await database.db.transaction().execute(async (trx) => applyImportedPupils(ctx, trx, scope, await matchImportedPupils(trx, scope, [withUpn]), meta));
    assert.deepEqual(result, { created: 0, updated: 1, unchanged: 0 });
    const pupils = await database.db.selectFrom('pupils').select(['upn']).where('school_id', '=', schoolId).execute();
    assert.deepEqual(pupils.map((pupil) => pupil.upn), [upn]);
    // Two different children who share a name and birthday but have different UPNs stay two records.
    const twin = { ...withoutUpn, upn: makeUpn('881', '2345', 2021, 8) };
    const twinResult = await database.db.transaction().execute(async (trx) => applyImportedPupils(ctx, trx, scope, await matchImportedPupils(trx, scope, [twin]), meta));
    assert.equal(twinResult.created, 1);
  });
});
