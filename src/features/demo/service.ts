// Writes the demo schools: Riverside Academy (secondary, the size asked for) and Millbrook Primary
// School (210 pupils), which shares Riverside's SENCO so switching schools and tenancy can be seen.
import type { AppDatabase } from '../../db/database.ts';
import { AuditLog } from '../../platform/audit/audit-log.ts';
import { hashPassword } from '../../platform/auth/passwords.ts';
import { schoolToday } from '../../platform/dates.ts';
import { newId } from '../../platform/ids.ts';
import { ROLE_LABELS, ROLES, type Role } from '../../platform/permissions.ts';
import { schoolScope } from '../../platform/scope.ts';
import { pupilSearchText } from '../register/search.ts';
import { demoSignInEmail, generateDemoSchool, MILLBROOK, RIVERSIDE, senPeriods, type DemoSchoolData } from './generator.ts';
import { writeDemoProvision } from './provision.ts';
import { writeDemoPlans } from './plans.ts';
import { writeDemoVoice } from './voice.ts';
import { writeDemoConcerns } from './concerns.ts';
import { writeDemoChronology } from './chronology.ts';
import { writeDemoPassports } from './passports.ts';
import * as repository from './repository.ts';

export const DEMO_PASSWORD = 'demo-password-2026';
export const DEMO_SEED = 2026;

export interface DemoResult {
  schoolName: string;
  password: string;
  accounts: Array<{ role: string; email: string }>;
}

/** Who can sign in to the demo, in the order they are listed on start. */
const MILLBROOK_SIGN_IN_ROLES: readonly Role[] = ['teacher', 'parent'];
export const DEMO_ACCOUNTS: ReadonlyArray<{ role: string; email: string }> = [
  ...ROLES.map((role) => ({
    role: role === 'senco' ? `${ROLE_LABELS.senco} (both schools)` : ROLE_LABELS[role],
    email: demoSignInEmail(role, RIVERSIDE.emailDomain),
  })),
  { role: `${ROLE_LABELS.teacher} (Millbrook)`, email: demoSignInEmail('teacher', MILLBROOK.emailDomain) },
  { role: 'Parent (Millbrook)', email: demoSignInEmail('parent', MILLBROOK.emailDomain) },
];

export interface SeedOptions {
  pupils: number;
  seed?: number;
  /** The date the demo describes; today in England unless a test fixes it. */
  asOf?: string;
}

/** Generates both demo schools and writes each in one transaction, audited in the same transaction. */
export async function seedDemoSchools(database: AppDatabase, options: SeedOptions): Promise<DemoResult> {
  const seed = options.seed ?? DEMO_SEED;
  const asOf = options.asOf ?? schoolToday();
  const riverside = generateDemoSchool({ ...RIVERSIDE, pupils: options.pupils, seed, asOf });
  const millbrook = generateDemoSchool({ ...MILLBROOK, seed, asOf, signInRoles: MILLBROOK_SIGN_IN_ROLES });
  // scrypt is deliberately slow: hash the shared demo password once for every demo account.
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const audit = new AuditLog(database);
  const riversideSenco = await writeSchool(database, audit, riverside, { passwordHash, seed });
  await writeSchool(database, audit, millbrook, { passwordHash, seed, sharedSenco: riversideSenco });
  return demoResult(DEMO_ACCOUNTS);
}

/**
 * On start: seeds an empty database; lists the sign-ins when the demo is already there; leaves a
 * database of real schools alone (undefined).
 */
export async function ensureDemoSchool(database: AppDatabase, options: { pupils: number }): Promise<DemoResult | undefined> {
  const existing = await existingDemo(database);
  if (existing) return existing;
  if ((await repository.countSchools(database.db)) > 0) return undefined;
  try {
    return await seedDemoSchools(database, { pupils: options.pupils });
  } catch (error) {
    // Another process starting at the same moment may have seeded it first.
    const seeded = await existingDemo(database);
    if (seeded) return seeded;
    throw error;
  }
}

/** The demo's sign-ins when this database holds the demo school, otherwise undefined. */
export async function existingDemo(database: AppDatabase): Promise<DemoResult | undefined> {
  const school = await repository.findSchoolByUrn(database.db, RIVERSIDE.urn);
  if (!school || school.name !== RIVERSIDE.name) return undefined;
  const present = new Set((await repository.findUsersByEmail(database.db, DEMO_ACCOUNTS.map((account) => account.email))).map((user) => user.email));
  return demoResult(DEMO_ACCOUNTS.filter((account) => present.has(account.email)));
}

function demoResult(accounts: ReadonlyArray<{ role: string; email: string }>): DemoResult {
  return { schoolName: RIVERSIDE.name, password: DEMO_PASSWORD, accounts: accounts.map((account) => ({ ...account })) };
}

/** Writes one school; returns the id of its SENCO's account, when it has one. */
async function writeSchool(
  database: AppDatabase,
  audit: AuditLog,
  data: DemoSchoolData,
  options: { passwordHash: string; seed: number; sharedSenco?: string | undefined },
): Promise<string | undefined> {
  const now = new Date().toISOString();
  const schoolId = newId();
  const scope = schoolScope(schoolId);
  const userIds = new Map(data.users.map((user) => [user.key, newId()]));
  const pupilIds = new Map(data.pupils.map((pupil) => [pupil.key, newId()]));
  const groupIds = new Map(data.groups.map((group) => [group.key, newId()]));
  const flag = (value: boolean) => (value ? 1 : 0);

  const rows: repository.DemoSchoolRows = {
    memberships: data.users.map((user) => ({ school_id: schoolId, user_id: userIds.get(user.key)!, role: user.role, created_at: now })),
    pupils: [],
    provisionPeriods: [],
    needPeriods: [],
    changes: [],
    contacts: data.contacts.map((contact) => ({
      school_id: schoolId,
      id: newId(),
      pupil_id: pupilIds.get(contact.pupilKey)!,
      contact_order: contact.order,
      title: contact.title,
      forename: contact.forename,
      surname: contact.surname,
      relationship: contact.relationship,
      parental_responsibility: flag(contact.parentalResponsibility),
      phone: contact.phone,
      email: contact.email,
      user_id: contact.userKey ? userIds.get(contact.userKey)! : null,
    })),
    groups: data.groups.map((group) => ({
      school_id: schoolId,
      id: groupIds.get(group.key)!,
      name: group.name,
      kind: group.kind,
      subject: group.subject,
      year_group: group.yearGroup,
    })),
    groupMembers: data.groups.flatMap((group) =>
      group.pupilKeys.map((pupilKey) => ({ school_id: schoolId, group_id: groupIds.get(group.key)!, pupil_id: pupilIds.get(pupilKey)! })),
    ),
    groupStaff: data.groupStaff.map((link) => ({ school_id: schoolId, group_id: groupIds.get(link.groupKey)!, user_id: userIds.get(link.userKey)! })),
  };
  if (options.sharedSenco) rows.memberships.push({ school_id: schoolId, user_id: options.sharedSenco, role: 'senco', created_at: now });

  for (const pupil of data.pupils) {
    const pupilId = pupilIds.get(pupil.key)!;
    const primary = pupil.sen.needs.find((entry) => entry.rank === 1);
    const secondary = pupil.sen.needs.find((entry) => entry.rank === 2);
    rows.pupils.push({
      school_id: schoolId,
      id: pupilId,
      upn: pupil.upn,
      former_upn: null,
      uln: pupil.uln,
      uci: null,
      legal_surname: pupil.legalSurname,
      legal_forename: pupil.legalForename,
      middle_names: pupil.middleNames,
      preferred_surname: pupil.preferredSurname,
      preferred_forename: pupil.preferredForename,
      date_of_birth: pupil.dateOfBirth,
      sex: pupil.sex,
      year_group: pupil.yearGroup,
      registration_group: pupil.registrationGroup,
      ethnicity: pupil.ethnicity,
      first_language: pupil.firstLanguage,
      fsm: flag(pupil.fsm),
      pupil_premium: flag(pupil.pupilPremium),
      eal: flag(pupil.eal),
      looked_after: flag(pupil.lookedAfter),
      care_authority: pupil.careAuthority,
      medical_flag: flag(pupil.medicalFlag),
      enrol_status: 'C',
      on_roll: 1,
      address: null,
      sen_provision: pupil.sen.provision,
      sen_since: pupil.sen.since,
      primary_need: primary?.need ?? null,
      secondary_need: secondary?.need ?? null,
      search_text: pupilSearchText(pupil),
      created_at: now,
      updated_at: now,
    });
    const changeIds = pupil.senHistory.map(() => newId());
    pupil.senHistory.forEach((change, index) => {
      rows.changes.push({
        school_id: schoolId,
        id: changeIds[index]!,
        pupil_id: pupilId,
        kind: change.kind,
        effective_date: change.date,
        reason: change.reason,
        provision_before: change.provisionBefore,
        provision_after: change.provisionAfter,
        needs_before: JSON.stringify(change.needsBefore),
        needs_after: JSON.stringify(change.needsAfter),
        source: 'demo',
        recorded_by: null,
        recorded_at: change.recordedAt,
      });
    });
    const periods = senPeriods(pupil.senHistory);
    for (const period of periods.provisions) {
      rows.provisionPeriods.push({
        school_id: schoolId,
        id: newId(),
        pupil_id: pupilId,
        provision: period.provision,
        start_date: period.startDate,
        end_date: period.endDate,
        change_id: changeIds[period.change]!,
      });
    }
    for (const period of periods.needs) {
      rows.needPeriods.push({
        school_id: schoolId,
        id: newId(),
        pupil_id: pupilId,
        need: period.need,
        rank: period.rank,
        start_date: period.startDate,
        end_date: period.endDate,
        change_id: changeIds[period.change]!,
      });
    }
  }

  await database.db.transaction().execute(async (trx) => {
    await repository.insertSchool(trx, {
      id: schoolId,
      name: data.school.name,
      urn: data.school.urn,
      laestab: data.school.laestab,
      la_name: data.school.laName,
      phase: data.school.phase,
      created_at: now,
    });
    await repository.insertUsers(
      trx,
      data.users.map((user) => ({
        id: userIds.get(user.key)!,
        email: user.email,
        display_name: user.displayName,
        password_hash: user.signIn ? options.passwordHash : null,
        created_at: now,
        disabled_at: null,
      })),
    );
    await repository.insertSchoolRows(scope, trx, rows);
    // A year of interventions, through the provision service, in the same transaction.
    const provision = await writeDemoProvision(trx, scope, data, { pupilIds, userIds });
    // A year of the graduated approach; each writer may read what the ones before it wrote.
    const plans = await writeDemoPlans(trx, scope, data, { pupilIds, userIds });
    const voice = await writeDemoVoice(trx, scope, data, { pupilIds, userIds });
    const concerns = await writeDemoConcerns(trx, scope, data, { pupilIds, userIds });
    const chronology = await writeDemoChronology(trx, scope, data, { pupilIds, userIds });
    const passports = await writeDemoPassports(trx, scope, data, { pupilIds, userIds });
    await audit.record(trx, {
      schoolId,
      action: 'demo.created',
      actorLabel: 'SENCO Desk demo',
      detail: {
        school: data.school.name,
        pupils: data.pupils.length,
        contacts: data.contacts.length,
        groups: data.groups.length,
        staff: data.users.length,
        provision,
        plans,
        voice,
        concerns,
        chronology,
        passports,
        seed: options.seed,
        asOf: data.asOf,
      },
    });
  });
  const senco = data.users.find((user) => user.role === 'senco' && user.signIn);
  return senco ? userIds.get(senco.key) : undefined;
}
