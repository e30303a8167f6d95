// The chronology's rules with worked examples: the school year, the three meetings with parents a year
// (CoP 6.65), how deadlines are worded, how the timeline merges and orders events, and what a
// meeting form must hold.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChronologyEvent } from '../../platform/context.ts';
import { actionDeadline, categoriesOffered, compareActions, countParentMeetings, mergeTimeline, pageOf, schoolYearOf } from './rules.ts';
import { checkEntry, checkMeeting, type MeetingInput } from './validation.ts';

describe('the school year', () => {
  it('runs from 1 September to 31 August', () => {
    assert.deepEqual(schoolYearOf('2026-09-01'), { start: 2026, from: '2026-09-01', to: '2027-08-31', label: '2026 to 2027' });
    assert.equal(schoolYearOf('2026-08-31').start, 2025);
    assert.equal(schoolYearOf('2027-02-14').label, '2026 to 2027');
  });
});

describe('three meetings a year with parents (CoP 6.65)', () => {
  const today = '2027-03-10';
  it('counts meetings parents took part in, this school year, up to today', () => {
    const result = countParentMeetings([
      { heldOn: '2026-08-31', withParents: true }, // last school year
      { heldOn: '2026-09-15', withParents: true },
      { heldOn: '2026-11-20', withParents: false }, // an internal review: does not count
      { heldOn: '2027-01-12', withParents: true },
      { heldOn: '2027-04-01', withParents: true }, // not happened yet
    ], today);
    assert.equal(result.count, 2);
    assert.equal(result.met, false);
    assert.equal(result.lastMeeting, '2027-01-12');
  });

  it('is met at three, and two records on the same day count once', () => {
    const three = [{ heldOn: '2026-09-15', withParents: true }, { heldOn: '2026-12-01', withParents: true }, { heldOn: '2027-03-10', withParents: true }];
    assert.deepEqual(countParentMeetings(three, today), { count: 3, lastMeeting: '2027-03-10', met: true });
    const sameDay = [three[0]!, three[1]!, { heldOn: '2026-12-01', withParents: true }];
    assert.deepEqual(countParentMeetings(sameDay, today), { count: 2, lastMeeting: '2026-12-01', met: false });
  });

  it('starts again on 1 September, keeping the last meeting from the year before', () => {
    const result = countParentMeetings([{ heldOn: '2026-07-10', withParents: true }], '2026-09-02');
    assert.deepEqual(result, { count: 0, lastMeeting: '2026-07-10', met: false });
  });
});

describe('deadlines', () => {
  const today = '2026-03-10';
  it('say how long is left or how late an action is, as people say it', () => {
    assert.deepEqual(actionDeadline('2026-03-15', null, today), { text: 'due in 5 days', state: 'soon' });
    assert.deepEqual(actionDeadline('2026-03-07', null, today), { text: '3 days overdue', state: 'overdue' });
    assert.deepEqual(actionDeadline('2026-03-09', null, today), { text: '1 day overdue', state: 'overdue' });
    assert.deepEqual(actionDeadline('2026-03-10', null, today), { text: 'due today', state: 'today' });
    assert.deepEqual(actionDeadline('2026-03-11', null, today), { text: 'due tomorrow', state: 'soon' });
    assert.deepEqual(actionDeadline('2026-04-30', null, today), { text: 'due in 51 days', state: 'later' });
    assert.equal(actionDeadline('2026-03-01', '2026-03-02T10:00:00Z', today).state, 'done');
  });

  it('order open actions by due date (overdue first), then done ones, latest first', () => {
    const actions = [
      { id: 'later', dueOn: '2026-04-01', doneAt: null, createdAt: '1' },
      { id: 'done-old', dueOn: '2026-01-01', doneAt: '2026-01-02', createdAt: '1' },
      { id: 'overdue', dueOn: '2026-03-01', doneAt: null, createdAt: '1' },
      { id: 'done-new', dueOn: '2026-02-01', doneAt: '2026-02-05', createdAt: '1' },
      { id: 'soon', dueOn: '2026-03-12', doneAt: null, createdAt: '1' },
    ];
    assert.deepEqual([...actions].sort(compareActions).map((action) => action.id), ['overdue', 'soon', 'later', 'done-new', 'done-old']);
  });
});

describe('the timeline', () => {
  const event = (date: string, category: string, title: string, recordedAt = `${date}T09:00:00Z`): ChronologyEvent => ({ date, recordedAt, category, title });
  const sen = [event('2025-09-01', 'sen', 'Added to SEN support'), event('2026-01-10', 'sen', 'Needs changed')];
  const meetings = [event('2026-01-10', 'meeting', 'Review meeting', '2026-01-10T16:00:00Z'), event('2025-11-03', 'meeting', 'Meeting with parents')];
  const plans = [event('2026-02-01', 'plan', 'Plan written'), event('2026-01-10', 'review', 'Cycle 1 reviewed', '2026-01-10T16:00:00Z')];

  it('merges every source newest first; on the same day, the latest recorded first, then by title', () => {
    const merged = mergeTimeline([sen, meetings, plans], { categories: [] });
    assert.deepEqual(merged.map((entry) => entry.title), ['Plan written', 'Cycle 1 reviewed', 'Review meeting', 'Needs changed', 'Meeting with parents', 'Added to SEN support']);
  });

  it('filters by category and by dates, both ends included', () => {
    assert.deepEqual(mergeTimeline([sen, meetings, plans], { categories: ['meeting', 'sen'] }).map((entry) => entry.title), ['Review meeting', 'Needs changed', 'Meeting with parents', 'Added to SEN support']);
    assert.deepEqual(mergeTimeline([sen, meetings, plans], { categories: [], from: '2025-11-03', to: '2026-01-10' }).map((entry) => entry.title), ['Cycle 1 reviewed', 'Review meeting', 'Needs changed', 'Meeting with parents']);
    assert.deepEqual(mergeTimeline([sen, meetings, plans], { categories: ['document'] }), []);
  });

  it('offers the known categories first and any a feature adds after them', () => {
    const offered = categoriesOffered([...sen, event('2026-01-01', 'ehc-plan', 'EHC plan issued')]);
    assert.equal(offered[0], 'sen');
    assert.equal(offered.at(-1), 'ehc-plan');
  });

  it('pages keep the page number in range', () => {
    const items = Array.from({ length: 30 }, (_, index) => index);
    assert.deepEqual(pageOf(items, 2, 25).items, [25, 26, 27, 28, 29]);
    assert.equal(pageOf(items, 9, 25).page, 2);
    assert.equal(pageOf([], 3, 25).pageCount, 1);
  });
});

describe('what a meeting must hold', () => {
  const context = { today: '2026-03-10', staffIds: new Set(['u1', 'u2']), cycleIds: new Set(['c1']) };
  const valid: MeetingInput = { heldOn: '2026-03-09', kind: 'parents', withParents: 'yes', attendees: 'Mrs Okafor (mother), Ms Reid (SENCO)', notes: 'Talked about reading.', cycleId: 'c1', actions: [
    { id: '', description: 'Send home the reading log', ownerUserId: 'u1', dueOn: '2026-03-20' },
    { id: '', description: '', ownerUserId: '', dueOn: '' },
  ] };

  it('accepts a meeting and leaves out empty action rows', () => {
    const { details, problems } = checkMeeting(valid, context);
    assert.deepEqual(problems, []);
    assert.equal(details?.actions.length, 1);
    assert.equal(details?.withParents, true);
  });

  it('names each field and each action row that is wrong', () => {
    const { problems } = checkMeeting({ ...valid, heldOn: '2026-03-11', kind: 'parents', withParents: 'no', attendees: ' ', notes: '', cycleId: 'someone-elses', actions: [
      { id: '', description: 'Phone the EP', ownerUserId: 'stranger', dueOn: '2026-03-1?' },
      { id: '', description: '', ownerUserId: 'u2', dueOn: '2026-03-20' },
    ] }, context);
    assert.deepEqual(problems.map((problem) => problem.field), ['heldOn', 'withParents', 'attendees', 'notes', 'cycleId', 'action-0-owner', 'action-0-due', 'action-1-description']);
    assert.match(problems.find((problem) => problem.field === 'heldOn')!.message, /today or in the past/);
    assert.match(problems.find((problem) => problem.field === 'action-1-description')!.message, /^Action 2: enter what needs to be done/);
    assert.match(problems.find((problem) => problem.field === 'action-0-owner')!.message, /^Action 1: choose a member of staff in this school/);
  });

  it('needs the agency for a referral', () => {
    const { problems } = checkEntry({ kind: 'referral', occurredOn: '2026-03-01', agency: '', otherAgency: '', summary: 'Referred', details: '' }, '2026-03-10');
    assert.deepEqual(problems.map((problem) => problem.field), ['agency']);
    const other = checkEntry({ kind: 'agency', occurredOn: '2026-03-01', agency: 'other', otherAgency: 'Virtual school', summary: 'Visit', details: '' }, '2026-03-10');
    assert.equal(other.details?.agency, 'Virtual school');
  });
});
