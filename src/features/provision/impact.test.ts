// The impact and cost rules, each with a worked example written out so the arithmetic can be checked
// by hand (issue 4's quality bar).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  attendanceRate,
  groupCost,
  monthsBetween,
  notProgressing,
  plannedSessions,
  progressOf,
  sessionCostPence,
  summarise,
  termsOf,
  weeklyHoursPerStaff,
  type PupilResult,
} from './impact.ts';
import { DEFAULT_RATES, parseMeasure, type MeasureSpec } from './validation.ts';

const rates = { teacher: 4800, ta: 2000, specialist: 5500, external: 7500 };
const standardised: MeasureSpec = { measure: 'standardised', scaleMin: null, scaleMax: null };
const readingAge: MeasureSpec = { measure: 'reading-age', scaleMin: null, scaleMax: null };
const scale: MeasureSpec = { measure: 'scale', scaleMin: 0, scaleMax: 10 };
const target: MeasureSpec = { measure: 'target', scaleMin: null, scaleMax: null };

describe('costs', () => {
  it('costs staff time at the hourly rate, one member of staff per session', () => {
    // A TA group: 3 sessions a week of 30 minutes for 10 weeks, TA time at £20.00 an hour.
    //   one session   = 30 ÷ 60 × £20.00           = £10.00   (1,000p)
    //   planned       = 3 × 10                      = 30 sessions → 30 × £10.00 = £300.00
    //   actual        = 27 sessions delivered × £10 = £270.00
    const delivery = { sessionsPerWeek: 3, minutesPerSession: 30, weeks: 10 };
    const provision = { costModel: 'staff-time' as const, costPence: null, staffType: 'ta' as const };
    assert.equal(sessionCostPence(provision, delivery, rates), 1000);
    assert.deepEqual(groupCost(provision, delivery, rates, 27), { sessionPence: 1000, plannedSessions: 30, plannedPence: 30_000, actualPence: 27_000 });
  });

  it('costs per session, and per term spread over the sessions', () => {
    // Speech and language therapy at £85 a session, fortnightly (0.5 a week) for 12 weeks:
    //   planned = 0.5 × 12 = 6 sessions × £85 = £510; 4 delivered = £340.
    const fortnightly = { sessionsPerWeek: 0.5, minutesPerSession: 45, weeks: 12 };
    assert.deepEqual(groupCost({ costModel: 'per-session', costPence: 8500, staffType: 'external' }, fortnightly, rates, 4), {
      sessionPence: 8500, plannedSessions: 6, plannedPence: 51_000, actualPence: 34_000,
    });
    // A licence at £450 a term, a group of 26 teaching weeks, 2 sessions a week:
    //   terms = 26 ÷ 13 = 2 → £900 planned; 52 sessions planned → £900 ÷ 52 = £17.31 a session;
    //   26 delivered → £450; 60 delivered would be £1,038 but a per-term cost stops at the plan: £900.
    const licence = { costModel: 'per-term' as const, costPence: 45_000, staffType: 'ta' as const };
    const year = { sessionsPerWeek: 2, minutesPerSession: 20, weeks: 26 };
    assert.equal(termsOf(26), 2);
    assert.equal(termsOf(5), 1, 'at least one term');
    assert.equal(plannedSessions(year), 52);
    const half = groupCost(licence, year, rates, 26);
    assert.equal(Math.round(half.sessionPence), 1731);
    assert.equal(half.plannedPence, 90_000);
    assert.equal(half.actualPence, 45_000);
    assert.equal(groupCost(licence, year, rates, 60).actualPence, 90_000);
  });

  it('shares a group’s weekly hours between its staff', () => {
    // 5 sessions a week of 60 minutes = 5 hours; run by two TAs = 2.5 hours each.
    assert.equal(weeklyHoursPerStaff({ sessionsPerWeek: 5, minutesPerSession: 60 }, 2), 2.5);
    assert.equal(weeklyHoursPerStaff({ sessionsPerWeek: 3, minutesPerSession: 20 }, 0), 1, 'no staff yet counts as one');
  });

  it('has default rates for a school that has not set its own', () => {
    assert.ok(DEFAULT_RATES.ta > 0 && DEFAULT_RATES.teacher > DEFAULT_RATES.ta);
  });
});

describe('progress', () => {
  it('standardised scores: exit minus entry, 5 points or more is expected', () => {
    // Entry 78, exit 85: +7 → expected.  Entry 82, exit 84: +2 → kept pace.  Entry 90, exit 87: −3 → fell behind.
    assert.deepEqual(progressOf(standardised, { entry: 78, entryDate: '2025-09-15', exit: 85, exitDate: '2025-12-12' }), {
      change: 7, monthsElapsed: null, ratioGain: null, band: 'expected', expected: true, units: 7,
    });
    assert.equal(progressOf(standardised, { entry: 82, entryDate: null, exit: 84, exitDate: null })!.band, 'kept-pace');
    assert.equal(progressOf(standardised, { entry: 90, entryDate: null, exit: 87, exitDate: null })!.band, 'fell-behind');
    assert.equal(progressOf(standardised, { entry: 90, entryDate: null, exit: null, exitDate: null }), null, 'no exit, no progress yet');
    assert.equal(progressOf(standardised, { entry: null, entryDate: null, exit: 90, exitDate: null }), null, 'no entry, no progress');
  });

  it('reading ages: ratio gain = months gained ÷ months elapsed (Brooks bands)', () => {
    // Entry 8y 2m (98 months) on 15 September 2025; exit 9y 0m (108 months) on 12 January 2026.
    //   gained  = 108 − 98 = 10 months
    //   elapsed = 119 days ÷ 30.4375 = 3.9 months
    //   ratio   = 10 ÷ 3.9 = 2.56 → 2.6: substantial impact (≥ 2), so expected progress.
    assert.equal(monthsBetween('2025-09-15', '2026-01-12'), 3.9);
    const strong = progressOf(readingAge, { entry: 98, entryDate: '2025-09-15', exit: 108, exitDate: '2026-01-12' })!;
    assert.deepEqual(strong, { change: 10, monthsElapsed: 3.9, ratioGain: 2.6, band: 'substantial', expected: true, units: 10 });
    // Same dates, 6 months gained: 6 ÷ 3.9 = 1.54 → 1.5: useful impact (1.4–1.9), expected.
    assert.equal(progressOf(readingAge, { entry: 98, entryDate: '2025-09-15', exit: 104, exitDate: '2026-01-12' })!.band, 'useful');
    // 5 months gained: 5 ÷ 3.9 = 1.28 → 1.3: modest impact, not the expected progress.
    const modest = progressOf(readingAge, { entry: 98, entryDate: '2025-09-15', exit: 103, exitDate: '2026-01-12' })!;
    assert.deepEqual([modest.ratioGain, modest.band, modest.expected], [1.3, 'modest', false]);
    // 2 months gained: 2 ÷ 3.9 = 0.5: slower than the passing of time.
    assert.equal(progressOf(readingAge, { entry: 98, entryDate: '2025-09-15', exit: 100, exitDate: '2026-01-12' })!.band, 'below-normal');
    // Assessed 20 days apart: too close for a ratio.
    const close = progressOf(readingAge, { entry: 98, entryDate: '2025-09-15', exit: 101, exitDate: '2025-10-05' })!;
    assert.deepEqual([close.ratioGain, close.expected], [null, false]);
  });

  it('a custom scale: a tenth of the range is expected; a target: met is expected', () => {
    // 0–10 scale: entry 3, exit 5 → +2 ≥ 1 (a tenth of 10): expected. Entry 4, exit 4.5 → +0.5: some progress.
    assert.equal(progressOf(scale, { entry: 3, entryDate: null, exit: 5, exitDate: null })!.expected, true);
    assert.equal(progressOf(scale, { entry: 4, entryDate: null, exit: 4.5, exitDate: null })!.band, 'some');
    // A target needs only the exit: met = 1 unit.
    assert.deepEqual(progressOf(target, { entry: null, entryDate: null, exit: 1, exitDate: '2026-03-01' }), {
      change: 1, monthsElapsed: null, ratioGain: null, band: 'met', expected: true, units: 1,
    });
    assert.equal(progressOf(target, { entry: null, entryDate: null, exit: 0, exitDate: '2026-03-01' })!.band, 'not-met');
  });

  it('reads values against the provision’s measure', () => {
    assert.deepEqual(parseMeasure(standardised, { value: '85' }, 'v', 'Sam'), { value: 85 });
    assert.match(parseMeasure(standardised, { value: '185' }, 'v', 'Sam').problem!.message, /Sam’s standardised score must be a whole number from 40 to 160/);
    assert.deepEqual(parseMeasure(readingAge, { years: '8', months: '6' }, 'v', 'Sam'), { value: 102 });
    assert.match(parseMeasure(readingAge, { years: '8', months: '13' }, 'v', 'Sam').problem!.message, /months 0 to 11/);
    assert.match(parseMeasure(readingAge, { years: '2', months: '0' }, 'v', 'Sam').problem!.message, /from 3 years 0 months/);
    assert.deepEqual(parseMeasure(scale, { value: '7.5' }, 'v', 'Sam'), { value: 7.5 });
    assert.match(parseMeasure(scale, { value: '11' }, 'v', 'Sam').problem!.message, /from 0 to 10/);
    assert.deepEqual(parseMeasure(target, { value: 'not-met' }, 'v', 'Sam'), { value: 0 });
    assert.deepEqual(parseMeasure(target, { value: '' }, 'v', 'Sam'), { value: null });
  });
});

describe('summaries and flags', () => {
  const result = (entry: number, exit: number | null, attendance: [number, number, number], costPence: number): PupilResult => ({
    progress: progressOf(standardised, { entry, entryDate: null, exit, exitDate: null }),
    attendance: { present: attendance[0], late: attendance[1], absent: attendance[2] },
    costPence,
  });

  it('pools a group: expected share, attendance, cost per pupil and per point', () => {
    // Four pupils, a group costing £300 to date, so £75 each:
    //   A 80→88 (+8, expected)  B 75→77 (+2)  C 82→89 (+7, expected)  D 79→(no exit yet)
    //   with measures: 3; expected: 2 → 2 ÷ 3 = 66.7%; mean change (8 + 2 + 7) ÷ 3 = 5.7
    //   attendance: attended (present + late) 26+2, 20+0, 28+1, 25+0 = 102 of 120 recorded = 85%
    //   cost per point: the 3 measured pupils cost £225 for 17 points = £13.24 a point
    const summary = summarise([
      result(80, 88, [26, 2, 2], 7500),
      result(75, 77, [20, 0, 10], 7500),
      result(82, 89, [28, 1, 1], 7500),
      result(79, null, [25, 0, 5], 7500),
    ]);
    assert.equal(summary.pupils, 4);
    assert.equal(summary.withMeasures, 3);
    assert.equal(summary.expected, 2);
    assert.equal(Math.round(summary.expectedShare! * 1000) / 10, 66.7);
    assert.equal(summary.meanChange, 5.7);
    assert.equal(summary.attendanceRate, 102 / 120);
    assert.equal(summary.costPence, 30_000);
    assert.equal(summary.costPerPupilPence, 7500);
    assert.equal(summary.unitsGained, 17);
    assert.equal(Math.round(summary.costPerUnitPence!), 1324);
    assert.equal(summary.notWorking, false, 'fewer than 5 pupils with measures: not judged');
  });

  it('flags a provision as not working: at least 5 measured, fewer than half expected', () => {
    // 6 measured pupils, 2 expected (33%) → not working. With 3 of 6 (50%) it is not flagged.
    const two = [result(80, 86, [1, 0, 0], 0), result(80, 85, [1, 0, 0], 0), ...Array.from({ length: 4 }, () => result(80, 81, [1, 0, 0], 0))];
    assert.equal(summarise(two).notWorking, true);
    const three = [...two.slice(0, 2), result(80, 90, [1, 0, 0], 0), ...Array.from({ length: 3 }, () => result(80, 81, [1, 0, 0], 0))];
    assert.equal(summarise(three).notWorking, false);
    assert.equal(summarise([]).expectedShare, null);
    assert.equal(summarise([result(80, 78, [0, 0, 0], 100)]).costPerUnitPence, null, 'nothing gained: no cost per unit');
  });

  it('flags a pupil who did not make expected progress in their last two groups', () => {
    const made = progressOf(standardised, { entry: 80, entryDate: null, exit: 88, exitDate: null });
    const missed = progressOf(standardised, { entry: 80, entryDate: null, exit: 81, exitDate: null });
    // Autumn made it, spring and summer missed → flagged.
    assert.equal(notProgressing([
      { exitDate: '2025-12-10', endDate: '2025-12-12', progress: made },
      { exitDate: '2026-03-20', endDate: '2026-03-27', progress: missed },
      { exitDate: '2026-07-01', endDate: '2026-07-10', progress: missed },
    ]), true);
    // Missed, then made it in the latest → not flagged; a group without an exit measure does not count.
    assert.equal(notProgressing([
      { exitDate: '2026-03-20', endDate: '2026-03-27', progress: missed },
      { exitDate: null, endDate: '2026-05-01', progress: null },
      { exitDate: '2026-07-01', endDate: '2026-07-10', progress: made },
    ]), false);
    assert.equal(notProgressing([{ exitDate: '2026-03-20', endDate: '2026-03-27', progress: missed }]), false, 'one group is not two cycles');
  });

  it('counts late as attended', () => {
    // 8 present, 1 late, 1 absent → 9 of 10 = 90%.
    assert.equal(attendanceRate({ present: 8, late: 1, absent: 1 }), 0.9);
    assert.equal(attendanceRate({ present: 0, late: 0, absent: 0 }), null);
  });
});
