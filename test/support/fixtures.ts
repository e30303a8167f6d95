// Two small schools with one account per role in each, pupils in groups, and a linked parent:
// enough to prove who can reach what, without the cost of the full demo school.
import type { AppDatabase } from '../../src/db/database.ts';
import { hashPassword } from '../../src/platform/auth/passwords.ts';
import * as authRepository from '../../src/platform/auth/repository.ts';
import { newId } from '../../src/platform/ids.ts';
import { ROLES, type Role } from '../../src/platform/permissions.ts';
import { schoolScope } from '../../src/platform/scope.ts';
import { makeUpn } from '../../src/features/register/identifiers.ts';
import * as registerRepository from '../../src/features/register/repository.ts';
import { pupilSearchText } from '../../src/features/register/search.ts';

export const FIXTURE_PASSWORD = 'correct horse battery staple';

export interface FixtureSchool {
  id: string;
  name: string;
  users: Record<Role, { id: string; email: string }>;
  /** A pupil with SEN support whom the teacher teaches and the parent is parent of. */
  taughtPupilId: string;
  /** A pupil with an EHC plan whom neither the teacher nor the parent is linked to. */
  otherPupilId: string;
  /** A pupil with no SEN. */
  noSenPupilId: string;
  groupId: string;
}

export interface Fixture {
  schoolA: FixtureSchool;
  schoolB: FixtureSchool;
  /** Holds the SENCO role in both schools. */
  sharedSenco: { id: string; email: string };
}

let cachedHash: string | undefined;

async function seedSchool(database: AppDatabase, label: 'a' | 'b', passwordHash: string, estab: string): Promise<FixtureSchool> {
  const db = database.db;
  const now = new Date().toISOString();
  const schoolId = newId();
  const name = label === 'a' ? 'Ashfield Academy' : 'Beechwood School';
  await db.insertInto('schools').values({ id: schoolId, name, urn: label === 'a' ? '100001' : '100002', laestab: `881${estab}`, la_name: 'Northshire', phase: 'secondary', created_at: now }).execute();
  const users = {} as Record<Role, { id: string; email: string }>;
  for (const role of ROLES) {
    const id = newId();
    const email = `${role.replace('_', '-')}@${label}.example.org`;
    await authRepository.insertUser(db, { id, email, displayName: `${role} ${label.toUpperCase()}`, passwordHash, createdAt: now });
    await authRepository.upsertMembership(db, schoolId, id, role, now);
    users[role] = { id, email };
  }
  const scope = schoolScope(schoolId);
  const pupil = async (serial: number, forename: string, surname: string, provision: string, primaryNeed: string | null) => {
    const id = newId();
    const upn = makeUpn('881', estab, 2014, serial);
    await registerRepository.insertPupil(db, scope, {
      id, upn, former_upn: null, uln: null, uci: null,
      legal_surname: surname, legal_forename: forename, middle_names: null, preferred_surname: null, preferred_forename: null,
      date_of_birth: '2014-10-01', sex: 'F', year_group: 7, registration_group: '7A', ethnicity: null, first_language: null,
      fsm: 0, pupil_premium: 0, eal: 0, looked_after: 0, care_authority: null, medical_flag: 0, enrol_status: 'C', on_roll: 1, left_on: null, address: null,
      sen_provision: provision, sen_since: provision === 'N' ? null : '2025-09-01', primary_need: primaryNeed, secondary_need: null,
      search_text: pupilSearchText({ legalForename: forename, legalSurname: surname, upn }),
      created_at: now, updated_at: now,
    });
    if (provision !== 'N') {
      await registerRepository.insertProvisionPeriod(db, scope, { id: newId(), pupilId: id, provision, startDate: '2025-09-01', changeId: null });
      await registerRepository.insertNeedPeriods(db, scope, [{ id: newId(), pupilId: id, need: primaryNeed!, rank: 1, startDate: '2025-09-01', changeId: null }]);
    }
    return id;
  };
  const taughtPupilId = await pupil(1, label === 'a' ? 'Zoë' : 'Aoife', label === 'a' ? "O'Connor" : 'Nowak-Smith', 'K', 'SLCN');
  const otherPupilId = await pupil(2, 'Tomasz', label === 'a' ? 'Kowalczyk' : 'Adebayo', 'E', 'ASD');
  const noSenPupilId = await pupil(3, 'Priya', label === 'a' ? 'Shah' : 'Patel', 'N', null);
  const groupId = newId();
  await db.insertInto('teaching_groups').values({ school_id: schoolId, id: groupId, name: '7A English', kind: 'teaching', subject: 'English', year_group: 7 }).execute();
  await db.insertInto('group_members').values({ school_id: schoolId, group_id: groupId, pupil_id: taughtPupilId }).execute();
  await db.insertInto('group_members').values({ school_id: schoolId, group_id: groupId, pupil_id: noSenPupilId }).execute();
  for (const role of ['teacher', 'teaching_assistant'] as const) {
    await db.insertInto('group_staff').values({ school_id: schoolId, group_id: groupId, user_id: users[role].id }).execute();
  }
  await registerRepository.replaceContacts(db, scope, taughtPupilId, [
    { id: newId(), contact_order: 1, title: 'Ms', forename: 'Maria', surname: 'Parent', relationship: 'Mother', parental_responsibility: 1, phone: '01632 960001', email: users.parent.email, user_id: users.parent.id },
  ]);
  return { id: schoolId, name, users, taughtPupilId, otherPupilId, noSenPupilId, groupId };
}

export async function seedFixture(database: AppDatabase): Promise<Fixture> {
  cachedHash ??= await hashPassword(FIXTURE_PASSWORD);
  const schoolA = await seedSchool(database, 'a', cachedHash, '4001');
  const schoolB = await seedSchool(database, 'b', cachedHash, '4002');
  const now = new Date().toISOString();
  const sharedId = newId();
  await authRepository.insertUser(database.db, { id: sharedId, email: 'shared-senco@example.org', displayName: 'Shared SENCO', passwordHash: cachedHash, createdAt: now });
  await authRepository.upsertMembership(database.db, schoolA.id, sharedId, 'senco', now);
  await authRepository.upsertMembership(database.db, schoolB.id, sharedId, 'senco', now);
  return { schoolA, schoolB, sharedSenco: { id: sharedId, email: 'shared-senco@example.org' } };
}
