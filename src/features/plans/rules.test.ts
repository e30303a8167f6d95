// The rules of SEN support plans, with worked examples: the default review date, carry-forward at
// review, and what makes a target, strategy, "do" item, review or template complete.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../platform/errors.ts';
import { carriesByDefault, carryForward, checkDoItem, checkReview, checkReviewDue, checkStrategy, checkTarget, defaultReviewDate, planName, reviewState, termEndOnOrAfter, weekdayOnOrBefore } from './rules.ts';
import { DEFAULT_SECTIONS, TEMPLATE_KINDS, sectionKey, sectionsWithAnswers, validateSections } from './templates.ts';

function fieldsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error.errors.map((entry) => entry.field);
    throw error;
  }
  return [];
}

describe('the default review date', () => {
  it('falls two weeks before the end of the first term ending at least six weeks after the start', () => {
    // Starts 8 September 2025; six weeks later is 20 October; the autumn term ends 19 December;
    // 14 days before is Friday 5 December 2025.
    assert.equal(defaultReviewDate('2025-09-08'), '2025-12-05');
    // Starts 10 November 2025; six weeks later is 22 December, after the autumn term ends, so the
    // spring term (ends 31 March 2026) counts: 14 days before is Tuesday 17 March 2026.
    assert.equal(defaultReviewDate('2025-11-10'), '2026-03-17');
    // Starts 20 February 2026; six weeks later is 3 April, after 31 March, so the summer term (ends
    // 20 July 2026): 14 days before is Monday 6 July 2026.
    assert.equal(defaultReviewDate('2026-02-20'), '2026-07-06');
  });

  it('counts a term that ends exactly six weeks after the start', () => {
    // 7 November + 42 days = 19 December: that term still counts. 19 Dec − 14 = Friday 5 December.
    assert.equal(defaultReviewDate('2025-11-07'), '2025-12-05');
    assert.equal(defaultReviewDate('2025-11-08'), '2026-03-17');
  });

  it('moves a weekend date back to the Friday', () => {
    // Starts 15 June 2026; six weeks later is 27 July, after the summer term, so autumn 2026: 19
    // December 2026 − 14 days is Saturday 5 December, moved back to Friday 4 December.
    assert.equal(defaultReviewDate('2026-06-15'), '2026-12-04');
    // Spring 2028: 31 March − 14 = Friday 17 March 2028? 31 March 2028 is a Friday; 17 March 2028 is a Friday.
    assert.equal(defaultReviewDate('2027-12-01'), '2028-03-17');
    // Summer 2029: 20 July 2029 − 14 = 6 July 2029, a Friday; summer 2030: 6 July 2030 is a Saturday → 5 July.
    assert.equal(defaultReviewDate('2030-04-01'), '2030-07-05');
    assert.equal(weekdayOnOrBefore('2030-07-07'), '2030-07-05');
    assert.equal(weekdayOnOrBefore('2030-07-08'), '2030-07-08');
  });

  it('crosses into the next calendar year', () => {
    assert.equal(termEndOnOrAfter('2025-12-20'), '2026-03-31');
    assert.equal(defaultReviewDate('2025-12-15'), '2026-03-17');
  });

  it('says whether a review is overdue or due in the next six weeks', () => {
    assert.equal(reviewState('2026-03-01', '2026-03-02'), 'overdue');
    assert.equal(reviewState('2026-03-02', '2026-03-02'), 'due-soon');
    assert.equal(reviewState('2026-04-13', '2026-03-02'), 'due-soon');
    assert.equal(reviewState('2026-04-14', '2026-03-02'), 'later');
  });
});

describe('carry-forward at review', () => {
  const previous = {
    targets: [
      { id: 't2', position: 2, area: 'Writing', target: 'Write three sentences with full stops', success_criterion: '3 of 4 pieces', due_on: '2025-12-05', rating: 'partly', continues: 1 as const },
      { id: 't1', position: 1, area: 'Reading', target: 'Read the first 100 words', success_criterion: '90 of 100', due_on: '2025-12-05', rating: 'achieved', continues: 0 as const },
      { id: 't3', position: 3, area: null, target: 'Ask for help with a help card', success_criterion: 'Uses it daily', due_on: '2025-12-01', rating: 'not-yet', continues: 1 as const },
    ],
    strategies: [{ id: 's1', position: 1, strategy: 'Seat near the front' }, { id: 's2', position: 2, strategy: 'Visual timetable' }],
    doItems: [{ id: 'd1', position: 1, who: 'Teaching assistant', what: 'Precision teaching', how_often: 'Daily, 10 minutes' }],
    assess: { needs: 'Finds phonics hard', 'teacher-views': 'Works hard' },
  };

  it('carries the targets marked to continue, with a new date, the rating cleared and a link back', () => {
    let n = 0;
    const next = carryForward(previous, { cycleId: 'c2', reviewDueOn: '2026-03-17' }, () => `new-${++n}`);
    assert.deepEqual(next.targets.map((target) => [target.carried_from, target.position, target.target, target.due_on, target.rating, target.review_note, target.continues, target.cycle_id]), [
      ['t2', 1, 'Write three sentences with full stops', '2026-03-17', null, null, null, 'c2'],
      ['t3', 2, 'Ask for help with a help card', '2026-03-17', null, null, null, 'c2'],
    ]);
    assert.equal(next.targets[0]!.success_criterion, '3 of 4 pieces');
    assert.equal(next.targets[0]!.area, 'Writing');
  });

  it('carries every strategy and do item in order, and copies the assessment', () => {
    let n = 0;
    const next = carryForward(previous, { cycleId: 'c2', reviewDueOn: '2026-03-17' }, () => `new-${++n}`);
    assert.deepEqual(next.strategies.map((row) => [row.carried_from, row.strategy]), [['s1', 'Seat near the front'], ['s2', 'Visual timetable']]);
    assert.deepEqual(next.doItems.map((row) => [row.carried_from, row.who, row.how_often]), [['d1', 'Teaching assistant', 'Daily, 10 minutes']]);
    assert.deepEqual(next.assess, previous.assess);
    assert.notEqual(next.assess, previous.assess);
    assert.equal(new Set([...next.targets, ...next.strategies, ...next.doItems].map((row) => row.id)).size, 5);
  });

  it('carries nothing the SENCO did not mark, even when not achieved', () => {
    const next = carryForward({ ...previous, targets: previous.targets.map((target) => ({ ...target, continues: 0 as const })) }, { cycleId: 'c2', reviewDueOn: '2026-03-17' }, () => 'x');
    assert.equal(next.targets.length, 0);
  });

  it('by default, carries targets partly or not yet achieved', () => {
    assert.equal(carriesByDefault('achieved'), false);
    assert.equal(carriesByDefault('partly'), true);
    assert.equal(carriesByDefault('not-yet'), true);
    assert.equal(carriesByDefault(null), false);
  });
});

describe('validation', () => {
  const cycle = { startedOn: '2025-09-08', reviewDueOn: '2025-12-05' };

  it('needs a target, a success criterion and a date within the plan or soon after', () => {
    assert.deepEqual(fieldsOf(() => checkTarget({ area: '', target: ' ', successCriterion: '', dueOn: '' }, cycle)), ['target', 'successCriterion', 'dueOn']);
    assert.deepEqual(fieldsOf(() => checkTarget({ area: '', target: 'Read', successCriterion: '90%', dueOn: '2025-02-30?' }, cycle)), ['dueOn']);
    assert.deepEqual(fieldsOf(() => checkTarget({ area: '', target: 'Read', successCriterion: '90%', dueOn: '2025-09-01' }, cycle)), ['dueOn']);
    // Six weeks after the review date is the latest: 5 December + 42 days = 16 January.
    assert.deepEqual(fieldsOf(() => checkTarget({ area: '', target: 'Read', successCriterion: '90%', dueOn: '2026-01-16' }, cycle)), []);
    assert.deepEqual(fieldsOf(() => checkTarget({ area: '', target: 'Read', successCriterion: '90%', dueOn: '2026-01-17' }, cycle)), ['dueOn']);
    assert.deepEqual(fieldsOf(() => checkTarget({ area: '', target: 'x'.repeat(501), successCriterion: '90%', dueOn: '2025-12-01' }, cycle)), ['target']);
    const saved = checkTarget({ area: ' Reading ', target: ' Read the first 100 words ', successCriterion: '90 of 100', dueOn: '2025-12-01' }, cycle);
    assert.deepEqual(saved, { area: 'Reading', target: 'Read the first 100 words', success_criterion: '90 of 100', due_on: '2025-12-01' });
  });

  it('names the field and what is wrong', () => {
    try {
      checkTarget({ area: '', target: '', successCriterion: 'ok', dueOn: '2025-12-01' }, cycle);
      assert.fail('expected a validation error');
    } catch (error) {
      assert.ok(error instanceof ValidationError);
      assert.deepEqual(error.errors, [{ field: 'target', message: 'Enter the target' }]);
    }
  });

  it('needs a strategy, and who, what and how often for a do item', () => {
    assert.deepEqual(fieldsOf(() => checkStrategy({ strategy: '' })), ['strategy']);
    assert.deepEqual(fieldsOf(() => checkDoItem({ who: '', what: 'Reads', howOften: '' })), ['who', 'howOften']);
    assert.deepEqual(checkDoItem({ who: 'TA', what: 'Reads daily', howOften: 'Daily' }), { who: 'TA', what: 'Reads daily', how_often: 'Daily' });
  });

  it('needs every target rated, a review date not in the future, and a next review after it', () => {
    const shape = { startedOn: '2025-09-08', targets: [{ id: 'a', position: 1 }, { id: 'b', position: 2 }], sections: [{ key: 'progress', heading: 'Overall progress' }] };
    assert.deepEqual(
      fieldsOf(() => checkReview({ heldOn: '2025-12-10', nextReviewOn: '2025-12-01', sections: {}, targets: { a: { rating: 'achieved', note: '', carry: null } } }, shape, '2025-12-09')),
      ['rating-b', 'heldOn', 'nextReviewOn'],
    );
    const ok = checkReview({ heldOn: '2025-12-05', nextReviewOn: '2026-03-17', sections: { progress: ' Good ' }, targets: { a: { rating: 'achieved', note: '', carry: null }, b: { rating: 'partly', note: 'Nearly', carry: null } } }, shape, '2025-12-09');
    assert.deepEqual(ok.targets, { a: { rating: 'achieved', note: null, carry: false }, b: { rating: 'partly', note: 'Nearly', carry: true } });
    assert.deepEqual(ok.sections, { progress: 'Good' });
    const overridden = checkReview({ heldOn: '2025-12-05', nextReviewOn: '2026-03-17', sections: {}, targets: { a: { rating: 'achieved', note: '', carry: true }, b: { rating: 'not-yet', note: '', carry: false } } }, shape, '2025-12-09');
    assert.deepEqual([overridden.targets.a!.carry, overridden.targets.b!.carry], [true, false]);
  });

  it('takes a review date the SENCO sets after the start and within a year', () => {
    assert.equal(checkReviewDue('2026-01-09', '2025-09-08'), '2026-01-09');
    assert.deepEqual(fieldsOf(() => checkReviewDue('2025-09-08', '2025-09-08')), ['reviewDueOn']);
    assert.deepEqual(fieldsOf(() => checkReviewDue('2026-09-10', '2025-09-08')), ['reviewDueOn']);
    assert.deepEqual(fieldsOf(() => checkReviewDue('', '2025-09-08')), ['reviewDueOn']);
  });
});

describe('templates', () => {
  it('has plain built-in sections for every kind, with unique keys and headings', () => {
    for (const kind of TEMPLATE_KINDS) {
      const sections = DEFAULT_SECTIONS[kind];
      assert.ok(sections.length >= 3, kind);
      assert.equal(new Set(sections.map((section) => section.key)).size, sections.length, kind);
      assert.doesNotThrow(() => validateSections(sections));
    }
    assert.deepEqual(DEFAULT_SECTIONS.plan.map((section) => section.heading), ['Summary of needs', 'Recent assessment results', 'What the pupil says', 'What parents and carers say', 'What teachers say']);
    assert.deepEqual(DEFAULT_SECTIONS.review.map((section) => section.key), ['progress', 'views', 'changes']);
    // The pupil's form speaks to the pupil, briefly.
    for (const section of DEFAULT_SECTIONS['contribution-pupil']) assert.ok(section.prompt.length <= 45 && /\byou\b/i.test(section.prompt), section.prompt);
  });

  it('checks headings and prompts, naming the section', () => {
    assert.deepEqual(fieldsOf(() => validateSections([])), ['sections']);
    assert.deepEqual(
      fieldsOf(() => validateSections([{ key: 'a', heading: '', prompt: '' }, { key: 'b', heading: 'x'.repeat(121), prompt: 'y'.repeat(501) }, { key: 'c', heading: 'Needs', prompt: '' }, { key: 'd', heading: ' needs ', prompt: '' }])),
      ['heading-0', 'heading-1', 'prompt-1', 'heading-3'],
    );
  });

  it('keeps the keys of sections that existed and makes keys for new ones', () => {
    const saved = validateSections([{ key: 'needs', heading: 'Needs now', prompt: '' }, { key: '', heading: 'What the pupil’s friends say', prompt: 'Optional' }, { key: '', heading: 'Needs now 2', prompt: '' }]);
    assert.deepEqual(saved.map((section) => section.key), ['needs', 'what-the-pupil-s-friends-say', 'needs-now-2']);
    assert.equal(sectionKey('Needs', new Set(['needs'])), 'needs-2');
  });

  it('shows answers under headings the template no longer has, so nothing is lost', () => {
    const template = { id: 't', kind: 'plan' as const, version: 2, createdAt: '', sections: [{ key: 'needs', heading: 'Needs', prompt: '' }] };
    assert.deepEqual(sectionsWithAnswers(template, { needs: 'A', 'old-views': 'B' }).map((section) => [section.heading, section.answer]), [['Needs', 'A'], ['Old views', 'B']]);
  });
});

describe('the plan’s name', () => {
  it('is an SEN support plan on SEN support, and the school’s support plan beside an EHC plan', () => {
    assert.equal(planName('K'), 'SEN support plan');
    assert.equal(planName('E'), 'Support plan');
  });
});
