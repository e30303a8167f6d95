import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import ExcelJS from 'exceljs';
import { describeEachDialect, type TestDatabase } from '../../../test/support/databases.ts';
import { testConfig } from '../../../test/support/config.ts';
import { makeCtf } from '../../../test/fixtures/imports/make-ctf.ts';
import { AuditLog, verifyAuditChains } from '../../platform/audit/audit-log.ts';
import type { AppContext } from '../../platform/context.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import * as imports from './service.ts';

const fixtures = path.resolve(import.meta.dirname, '../../../test/fixtures/imports');
const fixtureBytes = (name: string) => new Uint8Array(fs.readFileSync(path.join(fixtures, name)));
const encode = (text: string) => new TextEncoder().encode(text);

const TABLES = ['pupils', 'sen_changes', 'sen_provision_periods', 'sen_need_periods', 'contacts', 'import_batches', 'import_mappings', 'audit_events'] as const;

/**
 * Row counts of every table an import could touch. Audit events are counted for the school and the
 * system chain only, so buffered read events other tests flush on their timers do not disturb them.
 */
async function rowCounts(database: TestDatabase, ctx: AppContext, ...schoolIds: string[]): Promise<Record<(typeof TABLES)[number], number>> {
  await ctx.audit.flush();
  const counts = {} as Record<(typeof TABLES)[number], number>;
  for (const table of TABLES) {
    let query = database.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('count'));
    if (table === 'audit_events') query = query.where('school_id', 'in', [...schoolIds, 'system']);
    const row = await query.executeTakeFirstOrThrow();
    counts[table] = Number(row.count);
  }
  return counts;
}

function contextFor(database: TestDatabase, overrides: Partial<AppContext['config']> = {}): AppContext {
  return { config: testConfig(overrides), database, db: database.db, audit: new AuditLog(database) };
}

async function newSchool(database: TestDatabase, urn: string): Promise<imports.ImportActor> {
  const id = newId();
  await database.db
    .insertInto('schools')
    .values({ id, name: `School ${urn}`, urn, laestab: '8814002', la_name: 'Northshire', phase: 'secondary', created_at: new Date().toISOString() })
    .execute();
  return { schoolId: id, userId: null, label: 'Test SENCO', ip: '127.0.0.1' };
}

/** The audit actions written for a school, reads aside (they are buffered and flushed on a timer). */
async function auditActions(database: TestDatabase, schoolId: string): Promise<string[]> {
  const rows = await database.db.selectFrom('audit_events').select('action').where('school_id', '=', schoolId).orderBy('seq').execute();
  return rows.map((row) => row.action).filter((action) => action !== 'import.viewed' && action !== 'import.rejected-downloaded');
}

describeEachDialect('imports', (getDatabase) => {
  it('previews a CTF without touching the register, then confirms it in one go with SEN history', async () => {
    const database = getDatabase();
    const ctx = contextFor(database);
    const actor = await newSchool(database, '200001');
    const xml = makeCtf({ pupils: 40, version: 25, dest: { lea: '881', estab: '4002', urn: '200001' } });
    const before = await rowCounts(database, ctx, actor.schoolId);
    const preview = await imports.previewImport(ctx, actor, { filename: '8814001_CTF_8814002_001.xml', bytes: encode(xml) });
    assert.equal(preview.status, 'previewed');
    assert.deepEqual(preview.summary.counts, { total: 40, new: 40, changed: 0, unchanged: 0, rejected: 0 });
    assert.equal(preview.summary.ctf?.source.name, 'Ashfield & District Academy');
    assert.equal(preview.summary.ctf?.version, '25.0');
    assert.deepEqual(preview.summary.warnings, []);
    const afterPreview = await rowCounts(database, ctx, actor.schoolId);
    assert.equal(afterPreview.pupils, before.pupils, 'a preview writes nothing to the register');
    assert.equal(afterPreview.import_batches, before.import_batches + 1);

    const view = await imports.getImport(ctx, actor, preview.batchId);
    assert.equal(view.addedTotal, 40);
    assert.equal(view.toApply, 40);

    const result = await imports.confirmImport(ctx, actor, preview.batchId);
    assert.equal(result.created, 40);
    assert.equal(result.updated, 0);
    const pupils = await database.db.selectFrom('pupils').selectAll().where('school_id', '=', actor.schoolId).execute();
    assert.equal(pupils.length, 40);
    const withSen = pupils.filter((pupil) => pupil.sen_provision !== 'N');
    assert.ok(withSen.length > 0, 'the generated file has pupils with SEN');
    const changes = await database.db.selectFrom('sen_changes').selectAll().where('school_id', '=', actor.schoolId).execute();
    assert.equal(changes.length, withSen.length, 'one SEN change per pupil with SEN, from the import');
    assert.ok(changes.every((change) => change.source === `import:ctf:${preview.batchId}` && change.reason === 'Imported from 8814001_CTF_8814002_001.xml'));
    const needs = await database.db.selectFrom('sen_need_periods').selectAll().where('school_id', '=', actor.schoolId).execute();
    assert.ok(needs.length >= withSen.length);
    const contacts = await database.db.selectFrom('contacts').selectAll().where('school_id', '=', actor.schoolId).execute();
    assert.ok(contacts.length >= 40);
    const committed = await imports.getImport(ctx, actor, preview.batchId);
    assert.equal(committed.status, 'committed');
    assert.equal(committed.summary.result?.created, 40);
    const actions = await auditActions(database, actor.schoolId);
    assert.deepEqual(actions.filter((action) => action.startsWith('import.')), ['import.previewed', 'import.committed']);
    assert.equal(actions.filter((action) => action === 'pupil.created-by-import').length, 40);
    const event = await database.db.selectFrom('audit_events').select('detail').where('school_id', '=', actor.schoolId).where('action', '=', 'import.committed').executeTakeFirstOrThrow();
    assert.deepEqual({ ...JSON.parse(event.detail!), batchId: undefined }, { batchId: undefined, kind: 'ctf', filename: '8814001_CTF_8814002_001.xml', created: 40, updated: 0, unchanged: 0, skipped: 0 });
    assert.equal((await verifyAuditChains(database.db)).ok, true);

    // The same file again: every pupil unchanged, and no new history.
    const again = await imports.previewImport(ctx, actor, { filename: '8814001_CTF_8814002_001.xml', bytes: encode(xml) });
    assert.deepEqual(again.summary.counts, { total: 40, new: 0, changed: 0, unchanged: 40, rejected: 0 });
    assert.match(again.summary.warnings.join(' '), /imported before/);
    const senChangesBefore = (await rowCounts(database, ctx, actor.schoolId)).sen_changes;
    const second = await imports.confirmImport(ctx, actor, again.batchId);
    assert.deepEqual({ ...second, committedAt: '' }, { created: 0, updated: 0, unchanged: 40, skipped: 0, committedAt: '' });
    assert.equal((await rowCounts(database, ctx, actor.schoolId)).sen_changes, senChangesBefore, 're-importing adds no SEN changes');

    // A later CTF where one pupil now has an EHC plan: one changed, and history grows by one.
    const sen = pupils.find((pupil) => pupil.sen_provision === 'K')!;
    const later = makeCtf({
      pupils: 40,
      version: 25,
      customise: (pupil) => (pupil.upn === sen.upn ? { ...pupil, sen: { provision: 'E', startDate: '2025-10-01', needs: [{ type: 'ASD', rank: 1 }] } } : pupil),
    });
    const third = await imports.previewImport(ctx, actor, { filename: 'later.xml', bytes: encode(later) });
    assert.deepEqual(third.summary.counts, { total: 40, new: 0, changed: 1, unchanged: 39, rejected: 0 });
    const thirdView = await imports.getImport(ctx, actor, third.batchId);
    assert.deepEqual(thirdView.changed.map((entry) => entry.changes), [['SEN provision']]);
    await imports.confirmImport(ctx, actor, third.batchId);
    const history = await database.db.selectFrom('sen_changes').selectAll().where('school_id', '=', actor.schoolId).where('pupil_id', '=', sen.id).orderBy('recorded_at').execute();
    assert.deepEqual(history.map((change) => [change.provision_before, change.provision_after, change.effective_date]).at(-1), ['K', 'E', '2025-10-01']);
    const updated = await database.db.selectFrom('pupils').select(['sen_provision', 'primary_need']).where('school_id', '=', actor.schoolId).where('id', '=', sen.id).executeTakeFirstOrThrow();
    assert.deepEqual({ ...updated }, { sen_provision: 'E', primary_need: 'ASD' });
  });

  it('refuses hostile and broken files with a clear message, leaving every table as it was', async () => {
    const database = getDatabase();
    const ctx = contextFor(database, { importMaxBytes: 64 * 1024 });
    const actor = await newSchool(database, '200002');
    const cases: Array<[string, Uint8Array, RegExp]> = [
      ['xxe.xml', fixtureBytes('xxe.xml'), /entity declaration/],
      ['billion-laughs.xml', fixtureBytes('billion-laughs.xml'), /entity declaration/],
      ['truncated.xml', fixtureBytes('truncated.xml'), /The file is incomplete/],
      ['binary.xml', new Uint8Array([0x3c, 0x43, 0x54, 0x00, 0x00, 0x01, 0x02]), /binary data \(NUL bytes\)/],
      ['latin.csv', new Uint8Array([0x55, 0x50, 0x4e, 0x2c, 0xe9, 0x0a]), /not UTF-8 text/],
      ['big.xml', encode(makeCtf({ pupils: 60 })), /The selected file is \d+ KB: the largest file this server accepts is 64 KB/],
      ['empty.csv', new Uint8Array(), /The selected file is empty/],
      ['fake.xlsx', encode('UPN,Surname'), /not an Excel workbook/],
      ['not-ctf.xml', encode('<?xml version="1.0"?><Register/>'), /not a Common Transfer File/],
    ];
    const before = await rowCounts(database, ctx, actor.schoolId);
    for (const [filename, bytes, message] of cases) {
      await assert.rejects(imports.previewImport(ctx, actor, { filename, bytes }), (error: unknown) => {
        assert.ok(error instanceof imports.ImportFileError, `${filename}: ${String(error)}`);
        assert.match(error.message, message, filename);
        return true;
      });
    }
    assert.deepEqual(await rowCounts(database, ctx, actor.schoolId), before, 'no batch, no audit event, no pupil');
  });

  it('keeps each school’s batches to itself', async () => {
    const database = getDatabase();
    const ctx = contextFor(database);
    const schoolA = await newSchool(database, '200003');
    const schoolB = await newSchool(database, '200004');
    const preview = await imports.previewImport(ctx, schoolA, { filename: 'a.xml', bytes: encode(makeCtf({ pupils: 5 })) });
    const before = await rowCounts(database, ctx, schoolA.schoolId, schoolB.schoolId);
    await assert.rejects(imports.confirmImport(ctx, schoolB, preview.batchId), NotFoundError);
    await assert.rejects(imports.discardImport(ctx, schoolB, preview.batchId), NotFoundError);
    await assert.rejects(imports.getImport(ctx, schoolB, preview.batchId), NotFoundError);
    await assert.rejects(imports.rejectedRowsCsv(ctx, schoolB, preview.batchId), NotFoundError);
    assert.deepEqual(await imports.listImports(ctx, schoolB), []);
    assert.deepEqual(await rowCounts(database, ctx, schoolA.schoolId, schoolB.schoolId), before);
    assert.equal((await imports.getImport(ctx, schoolA, preview.batchId)).status, 'previewed');
    assert.equal((await imports.confirmImport(ctx, schoolA, preview.batchId)).created, 5);
  });

  it('rolls back everything when one record fails part-way through the commit', async () => {
    const database = getDatabase();
    const ctx = contextFor(database);
    const actor = await newSchool(database, '200005');
    const preview = await imports.previewImport(ctx, actor, { filename: 'c.xml', bytes: encode(makeCtf({ pupils: 10 })) });
    // Make the seventh record collide with the first on UPN, as if the payload were damaged after the preview.
    const batch = await database.db.selectFrom('import_batches').select('payload').where('school_id', '=', actor.schoolId).where('id', '=', preview.batchId).executeTakeFirstOrThrow();
    const payload = JSON.parse(batch.payload!);
    payload.records[6].record.upn = payload.records[0].record.upn;
    await database.db.updateTable('import_batches').set({ payload: JSON.stringify(payload) }).where('school_id', '=', actor.schoolId).where('id', '=', preview.batchId).execute();
    const before = await rowCounts(database, ctx, actor.schoolId);
    await assert.rejects(imports.confirmImport(ctx, actor, preview.batchId));
    assert.deepEqual(await rowCounts(database, ctx, actor.schoolId), before, 'not one pupil, change or audit event was kept');
    assert.equal((await imports.getImport(ctx, actor, preview.batchId)).status, 'previewed');
  });

  it('confirms a batch once, even when two confirms race', async () => {
    const database = getDatabase();
    const ctx = contextFor(database);
    const actor = await newSchool(database, '200006');
    const preview = await imports.previewImport(ctx, actor, { filename: 'd.xml', bytes: encode(makeCtf({ pupils: 8 })) });
    const results = await Promise.allSettled([imports.confirmImport(ctx, actor, preview.batchId), imports.confirmImport(ctx, actor, preview.batchId)]);
    assert.deepEqual(results.map((result) => result.status).sort(), ['fulfilled', 'rejected']);
    const rejected = results.find((result) => result.status === 'rejected') as PromiseRejectedResult;
    assert.ok(rejected.reason instanceof imports.ImportStateError);
    const count = await database.db.selectFrom('pupils').select((eb) => eb.fn.countAll<number>().as('count')).where('school_id', '=', actor.schoolId).executeTakeFirstOrThrow();
    assert.equal(Number(count.count), 8);
  });

  it('imports a CSV register through a column mapping, remembers the mapping, and skips rejected rows', async () => {
    const database = getDatabase();
    const ctx = contextFor(database);
    const actor = await newSchool(database, '200007');
    const bytes = fixtureBytes('register-mixed.csv');
    const uploaded = await imports.previewImport(ctx, actor, { filename: 'register-mixed.csv', bytes });
    assert.equal(uploaded.status, 'uploaded', 'a spreadsheet waits for its columns to be matched');
    const form = await imports.getMappingForm(ctx, actor, uploaded.batchId);
    assert.equal(form.source, 'suggested');
    assert.equal(form.sample.length, 5);
    assert.equal(form.headers[4], 'DOB');
    await assert.rejects(imports.confirmImport(ctx, actor, uploaded.batchId), imports.ImportStateError);
    await assert.rejects(imports.applyMapping(ctx, actor, uploaded.batchId, { legalSurname: 1 }), (error: unknown) => {
      assert.ok(error instanceof Error && 'errors' in error);
      return true;
    });
    const summary = await imports.applyMapping(ctx, actor, uploaded.batchId, form.mapping);
    assert.deepEqual(summary.counts, { total: 9, new: 4, changed: 0, unchanged: 0, rejected: 5 });
    const view = await imports.getImport(ctx, actor, uploaded.batchId);
    assert.deepEqual(view.rejected.map((row) => row.line), [6, 7, 8, 9, 10]);
    const csv = await imports.rejectedRowsCsv(ctx, actor, uploaded.batchId);
    assert.match(csv.csv, /^\uFEFFRow,UPN,Name,Field,Reason\r\n6,X801200005001,Check-Letter Bad,UPN,"UPN check letter does not match/);
    assert.equal(csv.filename, 'register-mixed-rejected-rows.csv');
    const result = await imports.confirmImport(ctx, actor, uploaded.batchId);
    assert.deepEqual({ ...result, committedAt: '' }, { created: 4, updated: 0, unchanged: 0, skipped: 5, committedAt: '' });
    const pupils = await database.db.selectFrom('pupils').selectAll().where('school_id', '=', actor.schoolId).orderBy('legal_surname').execute();
    assert.deepEqual(
      pupils.map((pupil) => [pupil.legal_surname, pupil.date_of_birth, pupil.sen_provision, pupil.primary_need, pupil.secondary_need, Number(pupil.fsm), pupil.registration_group]),
      [
        ['Kowalczyk', '2013-11-23', 'E', 'ASD', null, 1, '8C'],
        ["O'Connor", '2014-04-03', 'K', 'SLCN', 'SEMH', 0, '7B'],
        ['Shah', '2013-06-23', 'N', null, null, 0, '8A'],
        ['Smith', '2014-05-01', 'K', 'ASD', null, 1, '7A'],
      ],
    );
    // The rejected rows stay downloadable after the commit.
    assert.match((await imports.rejectedRowsCsv(ctx, actor, uploaded.batchId)).csv, /J881200001001/);

    // Next time, the same headings are matched from the saved mapping and nothing has changed.
    const again = await imports.previewImport(ctx, actor, { filename: 'register-mixed.csv', bytes });
    assert.equal(again.status, 'previewed');
    assert.equal(again.summary.spreadsheet?.mappingRemembered, true);
    assert.deepEqual(again.summary.counts, { total: 9, new: 0, changed: 0, unchanged: 4, rejected: 5 });
    await imports.discardImport(ctx, actor, again.batchId);
    const discarded = await database.db.selectFrom('import_batches').select(['status', 'payload']).where('school_id', '=', actor.schoolId).where('id', '=', again.batchId).executeTakeFirstOrThrow();
    assert.deepEqual({ ...discarded }, { status: 'discarded', payload: null });
    await assert.rejects(imports.confirmImport(ctx, actor, again.batchId), /discarded/);
    assert.deepEqual((await auditActions(database, actor.schoolId)).filter((action) => action.startsWith('import.')), [
      'import.uploaded',
      'import.previewed',
      'import.committed',
      'import.previewed',
      'import.discarded',
    ]);
  });

  it('imports an Excel workbook with date cells and serial numbers, using a mapping given by heading', async () => {
    const database = getDatabase();
    const ctx = contextFor(database);
    const actor = await newSchool(database, '200008');
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('SEN register');
    sheet.addRow(['Pupil UPN', 'Last name', 'First name', 'Birth date', 'NC Year', 'SEN', 'Need 1', 'FSM?']);
    sheet.addRow(['B801200005001', 'Smith', 'Ava', new Date(Date.UTC(2014, 4, 1)), 7, 'SEN support', 'Autism', 'Y']);
    sheet.addRow(['R674123101121', 'Ng', 'Li', 41000, 'Year 8', 'E', 'SLCN', 'N']);
    sheet.addRow(['P207000016049', 'Evans', 'Nia', '03/04/2013', 8, 'No SEN', '', '']);
    const bytes = new Uint8Array((await workbook.xlsx.writeBuffer()) as ArrayBuffer);
    const preview = await imports.previewImport(ctx, actor, {
      filename: 'register.xlsx',
      bytes,
      mapping: { upn: 'Pupil UPN', legalSurname: 'Last name', legalForename: 'First name', dateOfBirth: 'Birth date', yearGroup: 'NC Year', senProvision: 'SEN', primaryNeed: 'Need 1', fsm: 8 },
    });
    assert.equal(preview.status, 'previewed');
    assert.deepEqual(preview.summary.counts, { total: 3, new: 3, changed: 0, unchanged: 0, rejected: 0 });
    await imports.confirmImport(ctx, actor, preview.batchId);
    const pupils = await database.db.selectFrom('pupils').select(['legal_surname', 'date_of_birth', 'year_group', 'sen_provision', 'primary_need', 'fsm']).where('school_id', '=', actor.schoolId).orderBy('legal_surname').execute();
    assert.deepEqual(pupils.map((pupil) => ({ ...pupil, year_group: Number(pupil.year_group), fsm: Number(pupil.fsm) })), [
      { legal_surname: 'Evans', date_of_birth: '2013-04-03', year_group: 8, sen_provision: 'N', primary_need: null, fsm: 0 },
      { legal_surname: 'Ng', date_of_birth: '2012-04-01', year_group: 8, sen_provision: 'E', primary_need: 'SLCN', fsm: 0 },
      { legal_surname: 'Smith', date_of_birth: '2014-05-01', year_group: 7, sen_provision: 'K', primary_need: 'ASD', fsm: 1 },
    ]);
    await assert.rejects(
      imports.previewImport(ctx, actor, { filename: 'register.xlsx', bytes, mapping: { legalSurname: 'Surname' } }),
      /the file has no column headed "Surname"/,
    );
  });
});
