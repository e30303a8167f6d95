// The demo's year of SEN support plans: deterministic, most pupils on SEN support or with an EHC plan
// have termly cycles (closed ones rated and reviewed, one open), some reviews overdue, some due soon,
// some pupils on SEN support with no plan yet, and carried-forward targets that point back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEMO_AS_OF, generateDemoSchool, RIVERSIDE } from './generator.ts';
import { generateDemoPlans } from './plans.ts';
import { addDaysIso } from '../plans/rules.ts';

function generate() {
  const data = generateDemoSchool({ ...RIVERSIDE, pupils: 600, seed: 2026, asOf: DEMO_AS_OF });
  const ids = { pupilIds: new Map(data.pupils.map((pupil) => [pupil.key, `p-${pupil.key}`])), userIds: new Map(data.users.map((user) => [user.key, `u-${user.key}`])) };
  return { data, rows: generateDemoPlans(data, ids, { planTemplateId: 'plan-v1', reviewTemplateId: 'review-v1' }) };
}

describe('the demo school’s SEN support plans', () => {
  it('are the same every time, apart from the generated ids', () => {
    const strip = (rows: ReturnType<typeof generate>['rows']) => ({
      cycles: rows.cycles.map((cycle) => [cycle.pupil_id, cycle.number, cycle.status, cycle.started_on, cycle.review_due_on, cycle.reviewed_on, cycle.assess, cycle.review]),
      targets: rows.targets.map((target) => [target.target, target.rating, target.continues, target.review_note]),
      strategies: rows.strategies.map((row) => row.strategy),
      doItems: rows.doItems.map((row) => [row.who, row.how_often]),
    });
    assert.deepEqual(strip(generate().rows), strip(generate().rows));
  });

  it('give most pupils on SEN support a year of termly cycles, with one open each', () => {
    const { data, rows } = generate();
    const supported = data.pupils.filter((pupil) => pupil.sen.provision === 'K' || pupil.sen.provision === 'E');
    const withPlans = new Set(rows.cycles.map((cycle) => cycle.pupil_id));
    assert.ok(withPlans.size >= supported.length * 0.75 && withPlans.size < supported.length, `${withPlans.size} of ${supported.length}`);
    const noPlan = supported.filter((pupil) => !withPlans.has(`p-${pupil.key}`));
    assert.ok(noPlan.length > 0 && noPlan.every((pupil) => pupil.sen.provision === 'K'), 'some pupils on SEN support have no plan yet');
    for (const pupilId of withPlans) {
      const cycles = rows.cycles.filter((cycle) => cycle.pupil_id === pupilId).sort((a, b) => a.number - b.number);
      assert.equal(cycles.filter((cycle) => cycle.status === 'open').length, 1, pupilId);
      assert.equal(cycles.at(-1)!.status, 'open');
      for (const [index, cycle] of cycles.entries()) {
        if (index > 0) assert.equal(cycle.previous_cycle_id, cycles[index - 1]!.id);
        if (index > 0) assert.equal(cycle.started_on, cycles[index - 1]!.reviewed_on);
        assert.ok(cycle.started_on <= DEMO_AS_OF);
      }
    }
    const closedCounts = [...withPlans].map((pupilId) => rows.cycles.filter((cycle) => cycle.pupil_id === pupilId && cycle.status === 'closed').length);
    assert.ok(closedCounts.filter((count) => count >= 2).length > withPlans.size / 2, 'most have two or three reviews behind them');
    assert.ok(Math.max(...closedCounts) <= 4);
  });

  it('include reviews overdue and reviews due in the next six weeks', () => {
    const { rows } = generate();
    const open = rows.cycles.filter((cycle) => cycle.status === 'open');
    const overdue = open.filter((cycle) => cycle.review_due_on < DEMO_AS_OF);
    const soon = open.filter((cycle) => cycle.review_due_on >= DEMO_AS_OF && cycle.review_due_on <= addDaysIso(DEMO_AS_OF, 42));
    assert.ok(overdue.length >= 3 && overdue.length < open.length / 3, `${overdue.length} overdue of ${open.length}`);
    assert.ok(soon.length >= 3, `${soon.length} due soon`);
  });

  it('rate every target at review and carry those not achieved into the next plan', () => {
    const { rows } = generate();
    const closed = new Set(rows.cycles.filter((cycle) => cycle.status === 'closed').map((cycle) => cycle.id));
    const byId = new Map(rows.targets.map((target) => [target.id, target]));
    const cycleOf = new Map(rows.cycles.map((cycle) => [cycle.id, cycle]));
    for (const target of rows.targets) {
      if (closed.has(target.cycle_id)) assert.ok(target.rating !== null, 'rated');
      else assert.equal(target.rating, null);
      if (target.carried_from) {
        const from = byId.get(target.carried_from)!;
        assert.notEqual(from.rating, 'achieved');
        assert.equal(from.target, target.target);
        assert.equal(cycleOf.get(from.cycle_id)!.id, cycleOf.get(target.cycle_id)!.previous_cycle_id);
      }
    }
    assert.ok(rows.targets.some((target) => target.carried_from), 'some targets are carried forward');
    const withTargets = new Set(rows.targets.map((target) => target.cycle_id));
    assert.ok(rows.cycles.every((cycle) => withTargets.has(cycle.id)), 'every plan has targets');
    assert.ok(rows.strategies.length >= rows.cycles.length * 3 && rows.doItems.length >= rows.cycles.length * 2);
    for (const cycle of rows.cycles.filter((entry) => entry.status === 'closed')) assert.match(cycle.review!, /"progress":/);
  });
});
