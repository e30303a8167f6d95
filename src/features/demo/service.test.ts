import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createTestDatabase, describeEachDialect, type TestDialect } from '../../../test/support/databases.ts';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';
import { verifyAuditChains } from '../../platform/audit/audit-log.ts';
import { verifyPassword } from '../../platform/auth/passwords.ts';
import { schoolToday } from '../../platform/dates.ts';
import { pupilSearchText } from '../register/search.ts';
import { generateDemoSchool, MILLBROOK, RIVERSIDE } from './generator.ts';
import { DEMO_PASSWORD, DEMO_SEED, ensureDemoSchool, seedDemoSchools } from './service.ts';

const PUPILS = 300;

async function count(db: Db, table: keyof Database, schoolId?: string): Promise<number> {
  let query = db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('count'));
  if (schoolId) query = query.where('school_id' as never, '=', schoolId as never);
  const row = await query.executeTakeFirstOrThrow();
  return Number(row.count);
}

async function schoolId(db: Db, urn: string): Promise<string> {
  return (await db.selectFrom('schools').select('id').where('urn', '=', urn).executeTakeFirstOrThrow()).id;
}

describeEachDialect('demo schools', (getDatabase) => {
  // ensureDemoSchool uses the demo seed and today's date: generate the same to compare.
  const expected = {
    riverside: generateDemoSchool({ ...RIVERSIDE, pupils: PUPILS, seed: DEMO_SEED, asOf: schoolToday() }),
    millbrook: generateDemoSchool({ ...MILLBROOK, seed: DEMO_SEED, asOf: schoolToday(), signInRoles: ['teacher', 'parent'] }),
  };

  it('seeds an empty database with both schools and lists the sign-ins', async () => {
    const result = await ensureDemoSchool(getDatabase(), { pupils: PUPILS });
    assert.ok(result);
    assert.equal(result.schoolName, 'Riverside Academy');
    assert.equal(result.password, DEMO_PASSWORD);
    assert.equal(result.accounts.length, 9);
    assert.deepEqual(result.accounts[0], { role: 'SENCO (both schools)', email: 'senco@riverside.example.org' });
    assert.ok(result.accounts.some((account) => account.email === 'teacher@millbrook.example.org'));
  });

  it('writes the rows the generator describes, school by school', async () => {
    const { db } = getDatabase();
    assert.equal(await count(db, 'schools'), 2);
    for (const data of [expected.riverside, expected.millbrook]) {
      const id = await schoolId(db, data.school.urn);
      const history = data.pupils.flatMap((pupil) => pupil.senHistory);
      assert.equal(await count(db, 'pupils', id), data.pupils.length);
      assert.equal(await count(db, 'contacts', id), data.contacts.length);
      assert.equal(await count(db, 'teaching_groups', id), data.groups.length);
      assert.equal(await count(db, 'group_members', id), data.groups.reduce((sum, group) => sum + group.pupilKeys.length, 0));
      assert.equal(await count(db, 'group_staff', id), data.groupStaff.length);
      assert.equal(await count(db, 'sen_changes', id), history.length);
      assert.equal(await count(db, 'sen_provision_periods', id), history.filter((change) => change.provisionAfter !== change.provisionBefore && change.provisionAfter !== 'N').length);
      const provisions = await db.selectFrom('pupils').select(['sen_provision']).where('school_id', '=', id).execute();
      for (const provision of ['N', 'K', 'E']) {
        assert.equal(
          provisions.filter((row) => row.sen_provision === provision).length,
          data.pupils.filter((pupil) => pupil.sen.provision === provision).length,
        );
      }
    }
    // Riverside's staff, plus Millbrook's, plus the shared SENCO's second membership.
    assert.equal(await count(db, 'users'), expected.riverside.users.length + expected.millbrook.users.length);
    assert.equal(await count(db, 'memberships'), expected.riverside.users.length + expected.millbrook.users.length + 1);
  });

  it('keeps the denormalised SEN columns in step with the open periods', async () => {
    const { db } = getDatabase();
    const id = await schoolId(db, RIVERSIDE.urn);
    const pupils = await db.selectFrom('pupils').selectAll().where('school_id', '=', id).execute();
    const needs = await db.selectFrom('sen_need_periods').selectAll().where('school_id', '=', id).where('end_date', 'is', null).execute();
    const periods = await db.selectFrom('sen_provision_periods').selectAll().where('school_id', '=', id).where('end_date', 'is', null).execute();
    for (const pupil of pupils) {
      const open = needs.filter((need) => need.pupil_id === pupil.id);
      assert.equal(open.find((need) => Number(need.rank) === 1)?.need ?? null, pupil.primary_need);
      assert.equal(open.find((need) => Number(need.rank) === 2)?.need ?? null, pupil.secondary_need);
      const current = periods.filter((period) => period.pupil_id === pupil.id);
      if (pupil.sen_provision === 'N') assert.equal(current.length, 0);
      else assert.deepEqual(current.map((period) => [period.provision, period.start_date]), [[pupil.sen_provision, pupil.sen_since]]);
      assert.equal(
        pupil.search_text,
        pupilSearchText({
          legalForename: pupil.legal_forename,
          legalSurname: pupil.legal_surname,
          middleNames: pupil.middle_names,
          preferredForename: pupil.preferred_forename,
          preferredSurname: pupil.preferred_surname,
          upn: pupil.upn,
        }),
      );
    }
    const change = await db.selectFrom('sen_changes').selectAll().where('school_id', '=', id).where('kind', '=', 'ehc-plan-started').executeTakeFirstOrThrow();
    assert.equal(change.source, 'demo');
    assert.equal(change.provision_after, 'E');
    assert.ok(Array.isArray(JSON.parse(change.needs_after)) && JSON.parse(change.needs_after)[0].rank === 1);
  });

  it('gives the demo accounts their roles, groups and children', async () => {
    const { db } = getDatabase();
    const riverside = await schoolId(db, RIVERSIDE.urn);
    const millbrook = await schoolId(db, MILLBROOK.urn);
    const user = (email: string) => db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
    const senco = await user('senco@riverside.example.org');
    assert.ok(await verifyPassword(DEMO_PASSWORD, senco.password_hash));
    const sencoRoles = await db.selectFrom('memberships').select(['school_id', 'role']).where('user_id', '=', senco.id).execute();
    assert.deepEqual(sencoRoles.map((row) => [row.school_id, row.role]).sort(), [[riverside, 'senco'], [millbrook, 'senco']].sort());

    const teacher = await user('teacher@riverside.example.org');
    const taught = await db
      .selectFrom('group_staff')
      .innerJoin('group_members', (join) => join.onRef('group_members.school_id', '=', 'group_staff.school_id').onRef('group_members.group_id', '=', 'group_staff.group_id'))
      .innerJoin('pupils', (join) => join.onRef('pupils.school_id', '=', 'group_members.school_id').onRef('pupils.id', '=', 'group_members.pupil_id'))
      .select(['group_staff.group_id', 'pupils.sen_provision'])
      .where('group_staff.school_id', '=', riverside)
      .where('group_staff.user_id', '=', teacher.id)
      .execute();
    assert.ok(new Set(taught.filter((row) => row.sen_provision !== 'N').map((row) => row.group_id)).size >= 2);

    const parent = await user('parent@riverside.example.org');
    const children = await db
      .selectFrom('contacts')
      .innerJoin('pupils', (join) => join.onRef('pupils.school_id', '=', 'contacts.school_id').onRef('pupils.id', '=', 'contacts.pupil_id'))
      .select(['pupils.sen_provision', 'contacts.parental_responsibility'])
      .where('contacts.school_id', '=', riverside)
      .where('contacts.user_id', '=', parent.id)
      .execute();
    assert.ok(children.length >= 1 && children.length <= 2);
    assert.ok(children.every((row) => Number(row.parental_responsibility) === 1));
    assert.ok(children.some((row) => row.sen_provision !== 'N'));
    const staffWithoutPassword = await db.selectFrom('users').select('id').where('password_hash', 'is', null).execute();
    assert.ok(staffWithoutPassword.length > 0, 'generated staff cannot sign in');
  });

  it('records one demo.created audit event per school, on a chain that verifies', async () => {
    const { db } = getDatabase();
    const events = await db.selectFrom('audit_events').select(['school_id', 'action']).execute();
    assert.deepEqual(events.map((event) => event.action), ['demo.created', 'demo.created']);
    assert.equal(new Set(events.map((event) => event.school_id)).size, 2);
    assert.equal((await verifyAuditChains(db)).ok, true);
  });

  it('is idempotent: a second start lists the sign-ins and writes nothing', async () => {
    const database = getDatabase();
    const before = await count(database.db, 'pupils');
    const again = await ensureDemoSchool(database, { pupils: PUPILS });
    assert.equal(again?.schoolName, 'Riverside Academy');
    assert.equal(again?.accounts.length, 9);
    assert.equal(await count(database.db, 'pupils'), before);
    assert.equal(await count(database.db, 'schools'), 2);
    assert.equal(await count(database.db, 'audit_events'), 2);
  });
});

for (const dialect of ['sqlite', 'postgres'] as TestDialect[]) {
  it(`leaves a database of real schools alone, and writes each school all or nothing [${dialect}]`, async () => {
    const database = await createTestDatabase(dialect);
    try {
      await database.db
        .insertInto('schools')
        .values({ id: 'real-school', name: 'Real School', urn: '100001', laestab: '8810001', la_name: 'Northshire', phase: 'primary', created_at: new Date().toISOString() })
        .execute();
      assert.equal(await ensureDemoSchool(database, { pupils: 50 }), undefined);
      assert.equal(await count(database.db, 'pupils'), 0);

      // An account that already uses a Millbrook demo email makes Millbrook fail: Riverside stands,
      // nothing of Millbrook is left behind.
      await database.db
        .insertInto('users')
        .values({ id: 'someone', email: 'teacher@millbrook.example.org', display_name: 'Someone', password_hash: null, created_at: new Date().toISOString(), disabled_at: null })
        .execute();
      await assert.rejects(seedDemoSchools(database, { pupils: 50, seed: 5 }));
      const urns = (await database.db.selectFrom('schools').select('urn').execute()).map((row) => row.urn).sort();
      assert.deepEqual(urns, ['100001', RIVERSIDE.urn]);
      const riverside = await schoolId(database.db, RIVERSIDE.urn);
      assert.equal(await count(database.db, 'pupils'), await count(database.db, 'pupils', riverside));
      assert.equal(await count(database.db, 'audit_events'), 1);
    } finally {
      await database.close();
    }
  });
}
