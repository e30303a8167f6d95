// The passport's rules with worked examples: filling from the plan keeps the pupil's words exactly,
// the strategy buttons, the checks before a save (nothing cut short), and what counts as a change.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../platform/errors.ts';
import {
  SECTION_MAX,
  applyStrategyAction,
  checkPassport,
  estimateLines,
  fillFromPlan,
  formFromContent,
  parseAction,
  parseSections,
  sameContent,
  sectionsForDisplay,
  type PassportForm,
} from './rules.ts';

const PASSPORT = [
  { key: 'about-me', heading: 'About me', prompt: 'Who they are' },
  { key: 'important', heading: 'What is important to me', prompt: '' },
  { key: 'helps', heading: 'What helps me', prompt: '' },
  { key: 'does-not-help', heading: 'What does not help me', prompt: '' },
];
const PUPIL_FORM = [
  { key: 'good-at', heading: 'What I am good at', prompt: '' },
  { key: 'enjoy', heading: 'What I enjoy', prompt: '' },
  { key: 'hard', heading: 'What I find hard', prompt: '' },
  { key: 'helps', heading: 'What helps me', prompt: '' },
  { key: 'better-at', heading: 'What I want to get better at', prompt: '' },
];

const empty = (): PassportForm => formFromContent(PASSPORT, undefined, 0);
const problems = (form: PassportForm, name = 'Zoë') => {
  try {
    checkPassport(form, name);
  } catch (error) {
    assert.ok(error instanceof ValidationError);
    return error.errors;
  }
  return [];
};
const checkPassportSections = (form: PassportForm) => Object.fromEntries(form.sections.map((section) => [section.key, { text: section.text, pupilWords: section.pupilWords }]));
const withText = (form: PassportForm, key: string, text: string, pupilWords = false): PassportForm => ({
  ...form,
  sections: form.sections.map((section) => (section.key === key ? { ...section, text, pupilWords } : section)),
});

describe('filling a passport from the plan', () => {
  const answers = {
    'good-at': 'drawing dragons and fixing my bike',
    enjoy: 'lego club, and when Mr Khan lets us do experiments!!',
    hard: 'when evryone talks at once\nand the lights buzz',
    helps: '  a quiet place. and  my fidget  ',
    'better-at': 'reading big words',
  };

  it('copies each of the pupil’s answers word for word into the matching section, marked as their words', () => {
    const result = fillFromPlan(empty(), ['Use a visual timetable', 'Give thinking time'], { answers, sections: PUPIL_FORM, submittedAt: '2026-10-03T15:00:00Z' });
    const text = Object.fromEntries(result.form.sections.map((section) => [section.key, section]));
    assert.deepEqual(text['about-me'], { ...text['about-me'], text: 'drawing dragons and fixing my bike', pupilWords: true });
    // Two answers for one section: each kept whole, a paragraph each, in the form's order.
    assert.equal(text.important!.text, 'lego club, and when Mr Khan lets us do experiments!!\n\nreading big words');
    // Spelling, punctuation, capitals and inner spacing untouched; only the spaces around the answer go.
    assert.equal(text['does-not-help']!.text, 'when evryone talks at once\nand the lights buzz');
    assert.equal(text.helps!.text, 'a quiet place. and  my fidget');
    assert.ok(result.form.sections.every((section) => section.pupilWords));
    assert.deepEqual(result.form.strategies, ['Use a visual timetable', 'Give thinking time']);
    assert.equal(result.strategiesFilled, 2);
    // Strategies already written are kept; the plan's join them once each.
    const again = fillFromPlan({ ...empty(), strategies: ['Sit near the front', 'give thinking time'] }, ['Use a visual timetable', 'Give thinking time'], undefined);
    assert.deepEqual(again.form.strategies, ['Sit near the front', 'give thinking time', 'Use a visual timetable']);
    assert.equal(again.strategiesFilled, 1);
    assert.deepEqual(result.placed.map((entry) => [entry.key, entry.from]), [
      ['about-me', ['What I am good at']],
      ['important', ['What I enjoy', 'What I want to get better at']],
      ['helps', ['What helps me']],
      ['does-not-help', ['What I find hard']],
    ]);
    assert.deepEqual(result.unplaced, []);
  });

  it('leaves sections with no answer as they were, and lists answers with nowhere to go', () => {
    const form = withText(empty(), 'about-me', 'Written by the SENCO');
    const custom = [...PUPIL_FORM, { key: 'my-pets', heading: 'My pets', prompt: '' }];
    const result = fillFromPlan(form, undefined, { answers: { helps: 'headphones', 'my-pets': 'a gecko called Dave', hard: '   ' }, sections: custom, submittedAt: '2026-10-03' });
    const about = result.form.sections.find((section) => section.key === 'about-me')!;
    assert.deepEqual([about.text, about.pupilWords], ['Written by the SENCO', false]);
    assert.equal(result.form.sections.find((section) => section.key === 'does-not-help')!.text, '', 'a blank answer is not copied');
    assert.deepEqual(result.unplaced, [{ heading: 'My pets', answer: 'a gecko called Dave' }]);
    assert.equal(result.strategiesFilled, undefined);
  });

  it('matches a section the school added by key or by heading', () => {
    const template = [...PASSPORT, { key: 'my-pets', heading: 'My pets', prompt: '' }, { key: 'hobbies', heading: 'What I do after school', prompt: '' }];
    const form = formFromContent(template, undefined, 0);
    const result = fillFromPlan(form, [], { answers: { 'my-pets': 'a gecko', 'after-school': 'swimming' }, sections: [{ key: 'my-pets', heading: 'Pets', prompt: '' }, { key: 'after-school', heading: 'What I do after school', prompt: '' }], submittedAt: '2026-10-03' });
    assert.equal(result.form.sections.find((section) => section.key === 'my-pets')!.text, 'a gecko');
    assert.equal(result.form.sections.find((section) => section.key === 'hobbies')!.text, 'swimming');
  });

  it('keeps the key strategies when the plan has none, and adds the plan’s after them when it has some', () => {
    const form = { ...empty(), strategies: ['Sit near the front'] };
    assert.deepEqual(fillFromPlan(form, [], undefined).form.strategies, ['Sit near the front']);
    assert.deepEqual(fillFromPlan(form, ['A', 'B', 'C'], undefined).form.strategies, ['Sit near the front', 'A', 'B', 'C']);
  });
});

describe('the strategy buttons', () => {
  const form = { ...empty(), strategies: ['One', 'Two', 'Three'], newStrategy: '  Four ' };

  it('adds, removes and moves strategies', () => {
    assert.deepEqual(applyStrategyAction(form, { kind: 'add' }).form.strategies, ['One', 'Two', 'Three', 'Four']);
    assert.equal(applyStrategyAction(form, { kind: 'add' }).form.newStrategy, '');
    assert.deepEqual(applyStrategyAction(form, { kind: 'remove', index: 1 }).form.strategies, ['One', 'Three']);
    assert.deepEqual(applyStrategyAction(form, { kind: 'up', index: 2 }).form.strategies, ['One', 'Three', 'Two']);
    assert.deepEqual(applyStrategyAction(form, { kind: 'down', index: 0 }).form.strategies, ['Two', 'One', 'Three']);
    assert.deepEqual(applyStrategyAction(form, { kind: 'up', index: 0 }).form.strategies, ['One', 'Two', 'Three'], 'the first cannot go up');
    assert.deepEqual(applyStrategyAction(form, { kind: 'remove', index: 7 }).form.strategies, ['One', 'Two', 'Three'], 'an index out of range changes nothing');
  });

  it('says when there is nothing to add', () => {
    assert.deepEqual(applyStrategyAction({ ...form, newStrategy: '  ' }, { kind: 'add' }).errors, [{ field: 'newStrategy', message: 'Enter the strategy to add' }]);
  });

  it('reads the button pressed; anything else saves', () => {
    assert.deepEqual(parseAction('down-3'), { kind: 'down', index: 3 });
    assert.deepEqual(parseAction('fill'), { kind: 'fill' });
    assert.deepEqual(parseAction('save'), { kind: 'save' });
    assert.deepEqual(parseAction('delete-everything'), { kind: 'save' });
  });
});

describe('checking a passport before it is saved', () => {
  it('stores the sections and strategies, ignoring empty strategy boxes and adding the one typed', () => {
    const form = { ...withText(empty(), 'about-me', 'I like lego\r\nand cats', true), strategies: ['Sit near the front', '  '], newStrategy: 'Check understanding' };
    assert.deepEqual(checkPassport(form, 'Zoë'), {
      sections: { 'about-me': { text: 'I like lego\nand cats', pupilWords: true }, important: { text: '', pupilWords: false }, helps: { text: '', pupilWords: false }, 'does-not-help': { text: '', pupilWords: false } },
      strategies: ['Sit near the front', 'Check understanding'],
    });
  });

  it('refuses text over the limit with its length, never cutting it short', () => {
    const long = 'a'.repeat(SECTION_MAX + 12);
    const errors = problems(withText(empty(), 'helps', long));
    assert.deepEqual(errors, [{ field: 'section-helps', message: '“What helps me” is 712 characters: it must be 700 characters or fewer so the passport fits on one page' }]);
  });

  it('refuses own words with nothing written, repeated strategies, too many, and an empty passport', () => {
    assert.match(problems(withText(empty(), 'about-me', '  ', true))[0]!.message, /^You said “About me” is in Zoë’s own words: write their words in, or untick the box$/);
    assert.deepEqual(problems({ ...empty(), strategies: ['Visual timetable', 'visual timetable'] }).map((error) => error.field), ['strategy-1']);
    const eleven = Array.from({ length: 11 }, (_, index) => `Strategy number ${index}`);
    assert.match(problems({ ...empty(), strategies: eleven })[0]!.message, /at most 10 key strategies and this one has 11/);
    assert.deepEqual(problems(empty()), [{ field: 'section-about-me', message: 'Write at least one section or key strategy' }]);
  });

  it('refuses a passport too long for one page, counting lines as they print', () => {
    let form = empty();
    for (const section of PASSPORT) form = withText(form, section.key, 'b'.repeat(690));
    form = { ...form, strategies: ['c'.repeat(150), 'd'.repeat(150)] };
    // Four sections of 8 lines under a heading (2.5 lines) each, 2 strategies of 2 lines under theirs, and the version line.
    assert.equal(estimateLines(Object.values(checkPassportSections(form)), form.strategies), 4 * (2.5 + 8) + (2.5 + 4) + 1.5);
    assert.match(problems(form)[0]!.message, /^The passport would take about 50 lines when printed and one page holds about 40: shorten a section or a strategy, or use fewer line breaks/);
    // Short lines take a whole line each: 37 one-word lines do not fit, though they are few characters.
    assert.match(problems(withText(empty(), 'helps', Array.from({ length: 37 }, () => 'Yes').join('\n')))[0]!.message, /about 41 lines/);
    assert.deepEqual(problems(withText(empty(), 'helps', Array.from({ length: 36 }, () => 'Yes').join('\n'))), []);
  });
});

describe('versions and templates', () => {
  it('tells an unchanged passport from a changed one', () => {
    const a = { sections: { 'about-me': { text: 'Hi', pupilWords: true } }, strategies: ['One'] };
    assert.equal(sameContent(a, { sections: { 'about-me': { text: 'Hi', pupilWords: true }, helps: { text: '', pupilWords: false } }, strategies: ['One'] }), true);
    assert.equal(sameContent(a, { sections: { 'about-me': { text: 'Hi', pupilWords: false } }, strategies: ['One'] }), false, 'marking words as the pupil’s is a change');
    assert.equal(sameContent(a, { ...a, strategies: ['One', 'Two'] }), false);
  });

  it('shows a version with its own template’s headings, and keeps text under a heading since dropped', () => {
    const sections = parseSections(JSON.stringify({ 'about-me': { text: 'Hi', pupilWords: true }, 'my-pets': { text: 'A gecko', pupilWords: false }, helps: { text: '' } }));
    assert.deepEqual(sectionsForDisplay(PASSPORT, sections), [
      { key: 'about-me', heading: 'About me', text: 'Hi', pupilWords: true },
      { key: 'my-pets', heading: 'My pets', text: 'A gecko', pupilWords: false },
    ]);
    const form = formFromContent(PASSPORT, { sections, strategies: [] }, 3);
    assert.deepEqual(form.sections.map((section) => [section.key, section.retired]), [['about-me', false], ['important', false], ['helps', false], ['does-not-help', false], ['my-pets', true]]);
    assert.equal(form.basedOnVersion, 3);
    assert.deepEqual(parseSections('not json'), {});
  });
});
