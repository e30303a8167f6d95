// `senco school`, `senco groups import` and `senco parent link`: a real school set up from nothing.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run as school } from '../../cli/school-command.ts';
import { run as groups } from '../../cli/groups-command.ts';
import { run as parent } from '../../cli/parent-command.ts';
import { run as user } from '../../cli/user-command.ts';
import { run as importCtf } from '../../cli/import-command.ts';
import { CliError, UsageError, type CliIo, type CommandModule } from '../../cli/support.ts';
import { openSqlite } from '../../db/database.ts';
import { verifyPassword } from '../../platform/auth/passwords.ts';
import { loadChildPupilIds, loadTaughtPupilIds } from '../../platform/auth/repository.ts';
import { makeCtf } from '../../../test/fixtures/imports/make-ctf.ts';

describe('senco school, groups and parent commands', () => {
  let directory: string;
  let databaseFile: string;

  before(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'senco-settings-cli-'));
    databaseFile = path.join(directory, 'school.sqlite');
  });
  after(() => {
    fs.rmSync(directory, { recursive: true, force: true });
  });

  async function senco(command: CommandModule['run'], args: string[]) {
    let stdout = '';
    let stderr = '';
    const io: CliIo = { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text), env: { DATA_DIR: directory, LOG_LEVEL: 'silent' } };
    const code = await command([...args, '--database', databaseFile], io);
    return { code, stdout, stderr };
  }

  async function query<T>(use: (db: ReturnType<typeof openSqlite>['db']) => Promise<T>): Promise<T> {
    const database = openSqlite(databaseFile);
    try {
      return await use(database.db);
    } finally {
      await database.close();
    }
  }

  it('adds a school, refusing a bad or duplicate URN, and lists the schools', async () => {
    await assert.rejects(senco(school, ['add', '--name', 'Hill Top Academy', '--urn', '12345']), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, /--urn: URN must be 6 digits/);
      return true;
    });
    await assert.rejects(senco(school, ['add', '--name', 'Hill Top', '--urn', '139999', '--phase', 'infant']), /--phase must be one of primary, secondary, all-through, special/);
    await assert.rejects(senco(school, ['add', '--urn', '139999']), /--name is required/);
    const added = await senco(school, ['add', '--name', 'Hill Top Academy', '--urn', '139999', '--laestab', '881/4002', '--la', 'Northshire', '--phase', 'secondary']);
    assert.equal(added.code, 0);
    assert.match(added.stdout, /Added Hill Top Academy \(URN 139999, LAESTAB 8814002, Northshire, secondary\)/);
    assert.match(added.stdout, /npm run senco -- user add --school 139999 --role senco/);
    await assert.rejects(senco(school, ['add', '--name', 'Copy', '--urn', '139999']), (error: unknown) => {
      assert.ok(error instanceof CliError && !(error instanceof UsageError));
      assert.match(error.message, /already has the URN 139999/);
      return true;
    });
    const listed = await senco(school, ['list']);
    assert.match(listed.stdout, /^URN {5}LAESTAB {2}Phase {8}Name\n139999 {2}8814002 {2}Secondary {4}Hill Top Academy \(Northshire\)\n$/);
    const audit = await query((db) => db.selectFrom('audit_events').select(['action', 'actor_label']).execute());
    assert.deepEqual(audit.map((event) => event.action), ['school.created']);
    assert.match(audit[0]!.actor_label!, /^senco command line/);
  });

  it('imports class lists into a school set up from the command line, then again changing nothing', async () => {
    assert.equal((await senco(user, ['add', '--school', '139999', '--role', 'teacher', '--email', 'sam@hilltop.example.org', '--name', 'Sam Teacher'])).code, 0);
    const ctf = path.join(directory, 'roll.xml');
    fs.writeFileSync(ctf, makeCtf({ pupils: 20, dest: { lea: '881', estab: '4002', urn: '139999' } }));
    assert.equal((await senco(importCtf, [ctf, '--school', '139999', '--commit'])).code, 0);
    const pupils = await query((db) => db.selectFrom('pupils').select(['id', 'upn', 'sen_provision']).orderBy('upn').execute());
    const [first, second] = pupils;
    const csv = path.join(directory, 'classes.csv');
    fs.writeFileSync(csv, ['Group name,Kind,Subject,Year,Staff emails,Pupil UPN', `9E,registration,,9,sam@hilltop.example.org,${first!.upn}`, `9E,registration,,9,sam@hilltop.example.org,${second!.upn}`, '9E,registration,,9,sam@hilltop.example.org,Z999999999999'].join('\n'));

    const preview = await senco(groups, ['import', csv, '--school', '139999']);
    assert.equal(preview.code, 0);
    assert.match(preview.stdout, /Groups new +1/);
    assert.match(preview.stdout, /Pupils added +2/);
    assert.match(preview.stdout, /Line 4 +9E +Z999999999999 +Pupil UPN: UPN check letter does not match the rest of the UPN/);
    assert.match(preview.stdout, /New {5}9E: \+2 pupils; staff added: Sam Teacher \(sam@hilltop\.example\.org\)\n/);
    assert.match(preview.stdout, /Nothing was imported: this was a preview/);
    assert.equal(await query(async (db) => (await db.selectFrom('teaching_groups').select('id').execute()).length), 0);

    const committed = await senco(groups, ['import', csv, '--school', '139999', '--commit']);
    assert.match(committed.stdout, /Imported: 1 groups created, 0 changed; 2 pupils added, 0 taken out; 1 staff added, 0 taken off; 1 rejected rows skipped\./);
    const teacher = await query((db) => db.selectFrom('users').select('id').where('email', '=', 'sam@hilltop.example.org').executeTakeFirstOrThrow());
    const school = await query((db) => db.selectFrom('schools').select('id').executeTakeFirstOrThrow());
    assert.deepEqual([...(await query((db) => loadTaughtPupilIds(db, school.id, teacher.id)))].sort(), [first!.id, second!.id].sort());
    const again = await senco(groups, ['import', csv, '--school', '139999', '--commit']);
    assert.match(again.stdout, /Groups unchanged +1/);
    assert.match(again.stdout, /Imported: 0 groups created, 0 changed; 0 pupils added/);

    await assert.rejects(senco(groups, ['import', path.join(directory, 'roll.xml'), '--school', '139999']), /was not imported: Class lists are imported from a CSV file/);
    await assert.rejects(senco(groups, ['export']), UsageError);
  });

  it('links a parent by UPN and email, creating their account with a password printed once', async () => {
    const contact = await query((db) =>
      db
        .selectFrom('contacts')
        .innerJoin('pupils', 'pupils.id', 'contacts.pupil_id')
        .select(['pupils.id as pupilId', 'pupils.upn', 'contacts.email', 'contacts.forename', 'contacts.surname', 'pupils.school_id as schoolId'])
        .where('contacts.parental_responsibility', '=', 1)
        .where('contacts.email', 'is not', null)
        .orderBy('pupils.upn')
        .executeTakeFirstOrThrow(),
    );
    await assert.rejects(senco(parent, ['link', '--school', '139999', '--upn', contact.upn!, '--email', 'stranger@example.org']), /name the contact with --name/);
    const linked = await senco(parent, ['link', '--school', '139999', '--upn', contact.upn!, '--email', contact.email!]);
    assert.equal(linked.code, 0);
    assert.match(linked.stdout, new RegExp(`Created the account ${contact.email!.replace('.', '\\.')} \\(${contact.forename} ${contact.surname}\\) with the parent role at Hill Top Academy`));
    const password = /Password \(shown once[^)]*\): (\S+)/.exec(linked.stdout)?.[1];
    const account = await query((db) => db.selectFrom('users').selectAll().where('email', '=', contact.email!).executeTakeFirstOrThrow());
    assert.ok(await verifyPassword(password!, account.password_hash));
    assert.deepEqual([...(await query((db) => loadChildPupilIds(db, contact.schoolId, account.id)))], [contact.pupilId]);
    const again = await senco(parent, ['link', '--school', '139999', '--upn', contact.upn!, '--email', contact.email!]);
    assert.match(again.stdout, /is already linked to the account/);
    await assert.rejects(senco(parent, ['link', '--school', '139999', '--email', 'x@example.org']), /--upn is required/);
  });
});
