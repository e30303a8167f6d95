// `senco import`: the same preview as the web page, printed; nothing saved without --commit.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run } from '../../cli/import-command.ts';
import { CliError, UsageError, type CliIo } from '../../cli/support.ts';
import { openSqlite } from '../../db/database.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { makeCtf } from '../../../test/fixtures/imports/make-ctf.ts';

const fixtures = path.resolve(import.meta.dirname, '../../../test/fixtures/imports');

describe('senco import', () => {
  let directory: string;
  let databaseFile: string;
  let ctfFile: string;

  before(async () => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'senco-import-cli-'));
    databaseFile = path.join(directory, 'test.sqlite');
    const database = openSqlite(databaseFile);
    await migrateToLatest(database.db);
    await database.db.insertInto('schools').values({ id: 'cli-school', name: 'Cli Academy', urn: '500001', laestab: '8814002', la_name: null, phase: 'secondary', created_at: new Date().toISOString() }).execute();
    await database.close();
    ctfFile = path.join(directory, '8814001_CTF_8814002_001.xml');
    fs.writeFileSync(ctfFile, makeCtf({ pupils: 30, dest: { lea: '881', estab: '4002', urn: '500001' }, customise: (pupil, index) => (index === 4 ? { ...pupil, upn: 'X801200005001' } : pupil) }));
  });

  after(() => {
    fs.rmSync(directory, { recursive: true, force: true });
  });

  async function senco(args: string[]) {
    let stdout = '';
    let stderr = '';
    const io: CliIo = { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text), env: { DATA_DIR: directory, LOG_LEVEL: 'silent' } };
    const code = await run([...args, '--database', databaseFile], io);
    return { code, stdout, stderr };
  }

  async function pupilCount(): Promise<number> {
    const database = openSqlite(databaseFile);
    try {
      const row = await database.db.selectFrom('pupils').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
      return Number(row.count);
    } finally {
      await database.close();
    }
  }

  it('prints the preview and saves nothing without --commit', async () => {
    const { code, stdout } = await senco([ctfFile]);
    assert.equal(code, 0);
    assert.match(stdout, /Source school: +Ashfield & District Academy \(URN 100001; LA 881, establishment 4001\)/);
    assert.match(stdout, /Type: +Common Transfer File \(CTF\), version 25\.0/);
    assert.match(stdout, /New +29/);
    assert.match(stdout, /Rejected +1 \(will be skipped\)/);
    assert.match(stdout, /Pupil 5 +X801200005001 .* — UPN: UPN check letter does not match the rest of the UPN/);
    assert.match(stdout, /Nothing was imported: this was a preview/);
    assert.equal(await pupilCount(), 0);
  });

  it('imports with --commit, and a second run finds nothing to change', async () => {
    const first = await senco([ctfFile, '--school', '500001', '--commit']);
    assert.equal(first.code, 0);
    assert.match(first.stdout, /Imported in [\d,]+ ms: 29 new, 0 updated, 0 unchanged, 1 rejected pupils skipped\./);
    assert.equal(await pupilCount(), 29);
    const second = await senco([ctfFile, '--commit']);
    assert.match(second.stdout, /Unchanged +29/);
    assert.match(second.stdout, /0 new, 0 updated, 29 unchanged/);
  });

  it('matches a spreadsheet’s columns from its headings, or from a mapping file', async () => {
    const csv = path.join(fixtures, 'register-mixed.csv');
    const suggested = await senco([csv]);
    assert.match(suggested.stdout, /Columns matched from their headings:\n {2}upn +← "UPN"/);
    assert.match(suggested.stdout, /Row 6 +X801200005001/);
    const mappingFile = path.join(directory, 'mapping.json');
    fs.writeFileSync(mappingFile, JSON.stringify({ legalSurname: 'Surname', legalForename: 3, dateOfBirth: 'dob' }));
    const given = await senco([csv, '--mapping', mappingFile]);
    assert.match(given.stdout, /Columns matched as given in the mapping file:\n {2}legalSurname +← "Surname"\n {2}legalForename +← "Forename"\n {2}dateOfBirth +← "DOB"/);
  });

  it('refuses hostile files and bad arguments with a message', async () => {
    await assert.rejects(senco([path.join(fixtures, 'billion-laughs.xml')]), (error: unknown) => {
      assert.ok(error instanceof CliError);
      assert.match(error.message, /billion-laughs\.xml was not imported: The file contains an entity declaration/);
      return true;
    });
    await assert.rejects(senco([]), UsageError);
    await assert.rejects(senco([path.join(directory, 'missing.xml')]), /Cannot read/);
    const badMapping = path.join(directory, 'bad.json');
    fs.writeFileSync(badMapping, '["not", "an", "object"]');
    await assert.rejects(senco([ctfFile, '--mapping', badMapping]), /must be a JSON object/);
    assert.equal(await pupilCount(), 29);
  });
});
