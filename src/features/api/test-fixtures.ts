// Test data for the API and account tests: two schools, a few staff, a parent and a handful of
// pupils with SEN history and contacts, made through the same services the app uses (users by the
// auth service, pupils by the register's import path), so the history is what a real import makes.
import type { AppContext } from '../../platform/context.ts';
import { createApiToken, createUser } from '../../platform/auth/service.ts';
import { newId } from '../../platform/ids.ts';
import type { Actor, Role } from '../../platform/permissions.ts';
import { schoolScope } from '../../platform/scope.ts';
import { applyImportedPupils, matchImportedPupils, type PupilRecordInput } from '../register/service.ts';

export { buildTestApp } from '../../../test/support/app.ts';
export { TestClient } from '../../../test/support/http.ts';

export const TEST_PASSWORD = 'a long enough test password';

export interface TestUser {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  schoolId: string;
}

export interface ApiFixture {
  schoolA: { id: string; name: string };
  schoolB: { id: string; name: string };
  users: {
    /** SENCO at school A, and a senior leader at school B. */
    senco: TestUser;
    teacher: TestUser;
    governor: TestUser;
    parent: TestUser;
    sencoB: TestUser;
  };
  pupils: {
    /** SEN support; taught by the teacher; the parent's child. Two contacts, one with parental responsibility. */
    taught: string;
    /** EHC plan; taught by nobody in the fixture. */
    untaught: string;
    /** No SEN. */
    noSen: string;
    /** At school B. */
    otherSchool: string;
  };
}

async function insertSchool(ctx: AppContext, name: string, urn: string): Promise<{ id: string; name: string }> {
  const id = newId();
  await ctx.db.insertInto('schools').values({ id, name, urn, laestab: null, la_name: 'Northshire', phase: 'secondary', created_at: new Date().toISOString() }).execute();
  return { id, name };
}

async function addUser(ctx: AppContext, schoolId: string, email: string, displayName: string, role: Role): Promise<TestUser> {
  const id = await createUser(ctx, { email, displayName, password: TEST_PASSWORD, schoolId, role, actorLabel: 'test fixture' });
  return { id, email, displayName, role, schoolId };
}

async function importPupils(ctx: AppContext, schoolId: string, records: PupilRecordInput[]): Promise<string[]> {
  const scope = schoolScope(schoolId);
  await ctx.db.transaction().execute(async (trx) => {
    const matches = await matchImportedPupils(trx, scope, records);
    await applyImportedPupils(ctx, trx, scope, matches, { source: 'import:test', reason: 'Test fixture', actorUserId: null, actorLabel: 'test fixture', ip: null });
  });
  const rows = await ctx.db.selectFrom('pupils').select(['id', 'upn']).where('school_id', '=', schoolId).execute();
  return records.map((record) => rows.find((row) => row.upn === record.upn)!.id);
}

function pupil(upn: string, forename: string, surname: string, yearGroup: number, sen?: PupilRecordInput['sen'], extra: Partial<PupilRecordInput> = {}): PupilRecordInput {
  return {
    upn,
    legalForename: forename,
    legalSurname: surname,
    dateOfBirth: `${2025 - yearGroup - 5}-10-0${(yearGroup % 9) + 1}`,
    yearGroup,
    registrationGroup: `${yearGroup}X`,
    ...(sen ? { sen } : {}),
    ...extra,
  };
}

export async function seedApiFixture(ctx: AppContext): Promise<ApiFixture> {
  const schoolA = await insertSchool(ctx, 'Ashgrove Academy', '900001');
  const schoolB = await insertSchool(ctx, 'Birchfield School', '900002');
  const senco = await addUser(ctx, schoolA.id, 'senco@ashgrove.test', 'Sam Senco', 'senco');
  await addUser(ctx, schoolB.id, senco.email, senco.displayName, 'leader');
  const teacher = await addUser(ctx, schoolA.id, 'teacher@ashgrove.test', 'Tess Teacher', 'teacher');
  const governor = await addUser(ctx, schoolA.id, 'governor@ashgrove.test', 'Gil Governor', 'governor');
  const parent = await addUser(ctx, schoolA.id, 'parent@ashgrove.test', 'Mary Taylor', 'parent');
  const sencoB = await addUser(ctx, schoolB.id, 'senco@birchfield.test', 'Bea Birch', 'senco');

  const since = '2025-09-01';
  const [taught, untaught, noSen] = await importPupils(ctx, schoolA.id, [
    pupil('A100000000001', 'Amelia', 'Taylor', 7, { provision: 'K', startDate: since, needs: [{ need: 'SPLD', rank: 1 }] }, {
      fsm: true,
      address: '1 Private Lane',
      contacts: [
        { order: 1, forename: 'Mary', surname: 'Taylor', relationship: 'Mother', parentalResponsibility: true, phone: '07700 900001', email: 'mary@example.org' },
        { order: 2, forename: 'Bill', surname: 'Taylor', relationship: 'Grandfather', parentalResponsibility: false, phone: '07700 900002' },
      ],
    }),
    pupil('A100000000002', 'Ben', 'Okafor', 8, { provision: 'E', startDate: since, needs: [{ need: 'ASD', rank: 1 }, { need: 'SLCN', rank: 2 }] }),
    pupil('A100000000003', 'Cara', 'Nolan', 7, { provision: 'N', needs: [] }),
    ...Array.from({ length: 6 }, (_, index) => pupil(`A10000000001${index}`, `Pupil${index}`, `Semh${index}`, 9, { provision: 'K', startDate: since, needs: [{ need: 'SEMH', rank: 1 }] })),
  ]);
  const [otherSchool] = await importPupils(ctx, schoolB.id, [pupil('B200000000001', 'Dev', 'Birch', 7, { provision: 'K', startDate: since, needs: [{ need: 'MLD', rank: 1 }] })]);

  // The teacher teaches Amelia's maths group; the parent's account is linked to Amelia's mother.
  const groupId = newId();
  await ctx.db.insertInto('teaching_groups').values({ school_id: schoolA.id, id: groupId, name: '7X Maths', kind: 'teaching', subject: 'Maths', year_group: 7 }).execute();
  await ctx.db.insertInto('group_members').values({ school_id: schoolA.id, group_id: groupId, pupil_id: taught! }).execute();
  await ctx.db.insertInto('group_staff').values({ school_id: schoolA.id, group_id: groupId, user_id: teacher.id }).execute();
  await ctx.db
    .updateTable('contacts')
    .set({ user_id: parent.id })
    .where('school_id', '=', schoolA.id)
    .where('pupil_id', '=', taught!)
    .where('forename', '=', 'Mary')
    .execute();

  return {
    schoolA,
    schoolB,
    users: { senco, teacher, governor, parent, sencoB },
    pupils: { taught: taught!, untaught: untaught!, noSen: noSen!, otherSchool: otherSchool! },
  };
}

export function actorOf(user: TestUser): Actor {
  return { userId: user.id, displayName: user.displayName, schoolId: user.schoolId, role: user.role };
}

/** A token made directly through the auth service, for tests about what a token may do. */
export async function tokenFor(ctx: AppContext, user: TestUser, expiresInDays: number | null = 30): Promise<string> {
  return (await createApiToken(ctx, actorOf(user), { name: `${user.role} test token`, expiresInDays })).token;
}
