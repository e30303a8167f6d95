// Provision for the two fixture schools: a catalogue, a running group run by the teaching assistant
// with the taught pupil and the other pupil (sessions, attendance and measures recorded), a
// one-to-one group that costs more than £6,000 a year, and a group in school B that school A must
// never see. Written through the provision repository, as the demo does.
import type { AppDatabase } from '../../src/db/database.ts';
import { schoolToday } from '../../src/platform/dates.ts';
import { newId } from '../../src/platform/ids.ts';
import { schoolScope } from '../../src/platform/scope.ts';
import { insertProvisionData, type ProvisionRow } from '../../src/features/provision/repository.ts';
import type { Fixture, FixtureSchool } from './fixtures.ts';

export interface ProvisionFixtureSchool {
  readingProvisionId: string;
  supportProvisionId: string;
  /** Running today, run by the teaching assistant: the taught pupil and the other pupil. */
  groupId: string;
  /** One-to-one support for the other pupil, all year. */
  supportGroupId: string;
  sessionId: string;
}

export interface ProvisionFixture {
  schoolA: ProvisionFixtureSchool;
  schoolB: ProvisionFixtureSchool;
}

function shift(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

async function seedSchool(database: AppDatabase, school: FixtureSchool, label: string): Promise<ProvisionFixtureSchool> {
  const now = new Date().toISOString();
  const today = schoolToday();
  const start = shift(today, -35);
  const provision = (name: string, extra: Partial<ProvisionRow>): ProvisionRow => ({
    id: newId(), name, description: null, tier: 'targeted', area: 'Cognition and learning', group_size: 4, sessions_per_week: 3, minutes_per_session: 30,
    staff_type: 'ta', cost_model: 'staff-time', cost_pence: null, measure: 'standardised', scale_min: null, scale_max: null, archived_at: null, created_at: now, updated_at: now, ...extra,
  });
  const reading = provision(`Reading catch-up ${label}`, { description: 'Small-group reading with a teaching assistant' });
  const support = provision(`One-to-one support ${label}`, { tier: 'specialist', group_size: 1, sessions_per_week: 5, minutes_per_session: 300, measure: 'target' });
  const groupId = newId();
  const supportGroupId = newId();
  const sessionId = newId();
  const group = (id: string, provisionId: string, name: string, extra: Record<string, unknown> = {}) => ({
    id, provision_id: provisionId, name, start_date: start, end_date: shift(today, 35), weeks: 10, sessions_per_week: 3, minutes_per_session: 30, days: '', time: null, created_at: now, updated_at: now, ...extra,
  });
  const member = (groupIdValue: string, pupilId: string, entry: number | null, exit: number | null) => ({
    group_id: groupIdValue, pupil_id: pupilId, source: null, added_on: start, left_on: null, entry_value: entry, entry_date: entry === null ? null : start, exit_value: exit, exit_date: exit === null ? null : shift(today, -1), updated_at: now,
  });
  await insertProvisionData(database.db, schoolScope(school.id), {
    provisions: [reading, support],
    groups: [
      group(groupId, reading.id, `Year 7 reading ${label}`),
      group(supportGroupId, support.id, `One-to-one ${label}`, { start_date: `${Number(today.slice(0, 4)) - (today.slice(5) < '09-01' ? 1 : 0)}-09-01`, end_date: `${Number(today.slice(0, 4)) + (today.slice(5) < '09-01' ? 0 : 1)}-07-20`, weeks: 39, sessions_per_week: 5, minutes_per_session: 300 }),
    ],
    staff: [{ group_id: groupId, user_id: school.users.teaching_assistant.id }],
    members: [member(groupId, school.taughtPupilId, 80, 87), member(groupId, school.otherPupilId, 78, null), member(supportGroupId, school.otherPupilId, null, null)],
    sessions: [{ id: sessionId, group_id: groupId, held_on: shift(today, -7), status: 'delivered', note: 'Phonics', recorded_by: school.users.teaching_assistant.id, recorded_at: now }],
    attendance: [
      { session_id: sessionId, group_id: groupId, pupil_id: school.taughtPupilId, status: 'present', reason: null },
      { session_id: sessionId, group_id: groupId, pupil_id: school.otherPupilId, status: 'absent', reason: 'Ill' },
    ],
    staffHours: [],
  });
  return { readingProvisionId: reading.id, supportProvisionId: support.id, groupId, supportGroupId, sessionId };
}

export async function seedProvisionFixture(database: AppDatabase, fixture: Fixture): Promise<ProvisionFixture> {
  return { schoolA: await seedSchool(database, fixture.schoolA, 'A'), schoolB: await seedSchool(database, fixture.schoolB, 'B') };
}
