// The demo's year of meetings, actions and logged contacts: deterministic, realistic in shape, and
// enough for every page (the three-meetings page has names, the demo staff have tasks, a few overdue).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countParentMeetings } from '../chronology/rules.ts';
import { generateDemoChronology, type DemoCycle } from './chronology.ts';
import { DEMO_AS_OF, generateDemoSchool, RIVERSIDE } from './generator.ts';

function generate(cycles: DemoCycle[] = []) {
  const data = generateDemoSchool({ ...RIVERSIDE, pupils: 600, seed: 2026, asOf: DEMO_AS_OF });
  const ids = { pupilIds: new Map(data.pupils.map((pupil) => [pupil.key, `p-${pupil.key}`])), userIds: new Map(data.users.map((user) => [user.key, `u-${user.key}`])) };
  return { data, ids, rows: generateDemoChronology(data, ids, cycles) };
}

describe('the demo school’s meetings and chronology', () => {
  it('are the same every time, apart from the generated ids', () => {
    const strip = (rows: ReturnType<typeof generate>['rows']) => ({
      meetings: rows.meetings.map((row) => [row.pupil_id, row.held_on, row.kind, row.with_parents, row.notes]),
      actions: rows.actions.map((row) => [row.pupil_id, row.description, row.owner_user_id, row.due_on, row.done_at]),
      entries: rows.entries.map((row) => [row.pupil_id, row.kind, row.occurred_on, row.summary]),
    });
    assert.deepEqual(strip(generate().rows), strip(generate().rows));
  });

  it('give most parents of SEN support pupils regular meetings, and leave some short of three', () => {
    const { data, ids, rows } = generate();
    assert.ok(rows.meetings.every((row) => row.held_on < DEMO_AS_OF && row.held_on >= '2025-11-22'), 'a year up to the demo date');
    const support = data.pupils.filter((pupil) => pupil.sen.provision === 'K').map((pupil) => ids.pupilIds.get(pupil.key)!);
    const yearOf = (pupilId: string) => rows.meetings.filter((row) => row.pupil_id === pupilId && row.with_parents === 1);
    const inTwelveMonths = support.map((pupilId) => new Set(yearOf(pupilId).map((row) => row.held_on)).size);
    assert.ok(inTwelveMonths.filter((count) => count >= 2).length / support.length > 0.75, 'most met parents at least twice in the year');
    const thisYear = support.map((pupilId) => countParentMeetings(yearOf(pupilId).map((row) => ({ heldOn: row.held_on, withParents: true })), DEMO_AS_OF));
    const met = thisYear.filter((count) => count.met).length;
    assert.ok(met > 0 && met < support.length, `${met} of ${support.length} have had three this school year`);
    assert.ok(thisYear.some((count) => count.count === 0), 'someone has had none');
    assert.ok(rows.meetings.some((row) => row.with_parents === 0), 'some meetings are internal');
    assert.ok(rows.meetings.some((row) => row.kind === 'multi-agency'));
  });

  it('give the demo staff tasks, some open and a few overdue, and log calls, agency work and referrals', () => {
    const { data, rows } = generate();
    for (const role of ['senco', 'teacher', 'teaching_assistant'] as const) {
      const user = data.users.find((entry) => entry.role === role && entry.signIn)!;
      const theirs = rows.actions.filter((row) => row.owner_user_id === `u-${user.key}`);
      assert.ok(theirs.some((row) => row.done_at === null), `${role} has open actions`);
      assert.ok(theirs.some((row) => row.done_at !== null), `${role} has done actions`);
    }
    const overdue = rows.actions.filter((row) => row.done_at === null && row.due_on < DEMO_AS_OF);
    assert.ok(overdue.length > 0 && overdue.length < rows.actions.length * 0.15, `${overdue.length} overdue of ${rows.actions.length}`);
    assert.ok(rows.actions.every((row) => !row.done_at || row.done_at.slice(0, 10) < DEMO_AS_OF), 'nothing done in the future');
    for (const kind of ['phone-call', 'email', 'agency', 'referral']) assert.ok(rows.entries.some((row) => row.kind === kind), kind);
    assert.ok(rows.entries.filter((row) => row.kind === 'agency' || row.kind === 'referral').every((row) => row.agency), 'agency work names the agency');
  });

  it('holds review meetings on the plan cycles’ review dates when the plans demo wrote cycles', () => {
    const { data, ids } = generate();
    const pupil = data.pupils.find((entry) => entry.sen.provision === 'K')!;
    const pupilId = ids.pupilIds.get(pupil.key)!;
    const cycles: DemoCycle[] = [
      { id: 'c1', pupil_id: pupilId, number: 1, status: 'closed', started_on: '2025-09-10', reviewed_on: '2026-01-14' },
      { id: 'c2', pupil_id: pupilId, number: 2, status: 'closed', started_on: '2026-01-14', reviewed_on: '2026-05-13' },
      { id: 'c3', pupil_id: pupilId, number: 3, status: 'open', started_on: '2026-05-13', reviewed_on: null },
    ];
    const reviews = generate(cycles).rows.meetings.filter((row) => row.pupil_id === pupilId && row.kind === 'review');
    assert.deepEqual(reviews.map((row) => [row.held_on, row.cycle_id]), [['2026-01-14', 'c1'], ['2026-05-13', 'c2']]);
  });
});
