// The demo's year of interventions: deterministic, a year long, and shaped so the impact pages have
// something to say (a provision not working, pupils over £6,000, the demo TA with groups this term).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEMO_AS_OF, generateDemoSchool, RIVERSIDE } from './generator.ts';
import { generateDemoProvision } from './provision.ts';

function generate() {
  const data = generateDemoSchool({ ...RIVERSIDE, pupils: 600, seed: 2026, asOf: DEMO_AS_OF });
  const ids = { pupilIds: new Map(data.pupils.map((pupil) => [pupil.key, `p-${pupil.key}`])), userIds: new Map(data.users.map((user) => [user.key, `u-${user.key}`])) };
  return { data, rows: generateDemoProvision(data, ids) };
}

describe('the demo school’s interventions', () => {
  it('are the same every time, apart from the generated ids', () => {
    const strip = (rows: ReturnType<typeof generate>['rows']) => ({
      groups: rows.groups.map((group) => [group.name, group.start_date, group.end_date, group.days]),
      members: rows.members.map((member) => [member.pupil_id, member.entry_value, member.exit_value]),
      sessions: rows.sessions.map((session) => [session.held_on, session.status]),
      attendance: rows.attendance.map((row) => [row.pupil_id, row.status]),
    });
    assert.deepEqual(strip(generate().rows), strip(generate().rows));
  });

  it('cover a year up to the demo date, with scores only where an assessment was due', () => {
    const { data, rows } = generate();
    const starts = rows.groups.map((group) => group.start_date).sort();
    assert.ok(starts[0]! >= '2025-11-22' && starts.at(-1)! <= DEMO_AS_OF, `${starts[0]} to ${starts.at(-1)}`);
    assert.ok(rows.sessions.every((session) => session.held_on < DEMO_AS_OF), 'nothing recorded for today or later');
    assert.ok(rows.groups.length > 50 && rows.members.length > 150, `${rows.groups.length} groups, ${rows.members.length} members`);
    const running = new Set(rows.groups.filter((group) => group.end_date >= DEMO_AS_OF).map((group) => group.id));
    assert.ok(rows.members.filter((member) => running.has(member.group_id)).every((member) => member.exit_value === null), 'no exit score before a group ends');
    const signInTa = data.users.find((user) => user.role === 'teaching_assistant' && user.signIn)!;
    const theirs = new Set(rows.staff.filter((link) => link.user_id === `u-${signInTa.key}`).map((link) => link.group_id));
    assert.ok([...running].filter((id) => theirs.has(id)).length >= 3, 'the demo TA runs groups this term');
    assert.ok(rows.provisions.some((provision) => provision.archived_at !== null), 'one provision is archived');
    assert.ok(rows.groups.some((group) => group.name.startsWith('1:1 support')), 'one-to-one support for pupils with EHC plans');
  });
});
