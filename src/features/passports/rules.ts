// Pupil passports (one-page profiles): the rules, as pure functions. What a passport holds, how the
// edit form's buttons change it (add, remove and reorder key strategies), how "Fill from the plan"
// places the pupil's own words (verbatim) and the plan's strategies, and the checks before a save.
import { ValidationError, type FieldError } from '../../platform/errors.ts';
import { formatNumber } from '../../platform/figures.ts';

/** One section's text, and whether it is the pupil's own words (shown as their quotation). */
export interface PassportSection {
  text: string;
  pupilWords: boolean;
}

/** What one version of a passport says. Stored as JSON: sections { key: { text, pupilWords } }, strategies [text]. */
export interface PassportContent {
  sections: Record<string, PassportSection>;
  strategies: string[];
}

export interface TemplateSectionLike {
  key: string;
  heading: string;
  prompt: string;
}

/** A section's text must fit with the rest on one A4 page. */
export const SECTION_MAX = 700;
export const STRATEGY_MAX = 200;
export const STRATEGIES_MAX = 10;
/**
 * One A4 page of the PDF (the tightest of the three layouts: browser print, Word and PDF) holds about
 * 40 lines of body text under the title; a heading takes about two and a half lines. Line breaks
 * count, so a passport of many short lines is measured as it prints, not by its characters.
 */
export const PAGE_LINES = 40;
const LINE_CHARS = 95;
const BULLET_CHARS = 88;
const HEADING_LINES = 2.5;

/** About how many lines of a page the passport fills when printed. */
export function estimateLines(sections: readonly PassportSection[], strategies: readonly string[]): number {
  const lines = (text: string, width: number) => text.split('\n').reduce((sum, line) => sum + Math.max(1, Math.ceil(line.length / width)), 0);
  let total = 1.5; // the version line at the foot
  for (const section of sections) {
    if (!section.text) continue;
    total += HEADING_LINES + lines(section.text, section.pupilWords ? LINE_CHARS - 3 : LINE_CHARS) + (section.pupilWords ? 1.2 : 0);
  }
  if (strategies.length) total += HEADING_LINES + strategies.reduce((sum, strategy) => sum + lines(strategy, BULLET_CHARS), 0);
  return total;
}

const KEY_PATTERN = /^[a-z0-9-]{1,60}$/;

export function isSectionKey(value: string): boolean {
  return KEY_PATTERN.test(value);
}

// Stored form ------------------------------------------------------------------------------------

/** Reads stored sections JSON, dropping anything malformed rather than failing the page. */
export function parseSections(json: string): Record<string, PassportSection> {
  try {
    const value = JSON.parse(json) as unknown;
    if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
    const sections: Record<string, PassportSection> = {};
    for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
      if (!entry || typeof entry !== 'object') continue;
      const { text, pupilWords } = entry as { text?: unknown; pupilWords?: unknown };
      if (typeof text === 'string') sections[key] = { text, pupilWords: pupilWords === true };
    }
    return sections;
  } catch {
    return {};
  }
}

export function parseStrategies(json: string): string[] {
  try {
    const value = JSON.parse(json) as unknown;
    return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : [];
  } catch {
    return [];
  }
}

/** The sections to show, in the template's order, then any written under a heading the template has since dropped. */
export function sectionsForDisplay(template: readonly TemplateSectionLike[], sections: Record<string, PassportSection>) {
  const known = new Set(template.map((section) => section.key));
  return [
    ...template.map((section) => ({ key: section.key, heading: section.heading, text: sections[section.key]?.text ?? '', pupilWords: sections[section.key]?.pupilWords ?? false })),
    ...Object.entries(sections)
      .filter(([key, section]) => !known.has(key) && section.text.trim())
      .map(([key, section]) => ({ key, heading: headingFromKey(key), text: section.text, pupilWords: section.pupilWords })),
  ].filter((section) => section.text.trim() !== '');
}

export function headingFromKey(key: string): string {
  const words = key.replace(/-/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

// The edit form ----------------------------------------------------------------------------------

export interface FormSection extends TemplateSectionLike {
  text: string;
  pupilWords: boolean;
  /** Written under a heading the current template no longer has: kept unless emptied. */
  retired: boolean;
}

export interface PassportForm {
  /** The version this edit started from (0: the first). A save on top of a newer one is refused. */
  basedOnVersion: number;
  sections: FormSection[];
  strategies: string[];
  newStrategy: string;
}

/** The form for the current template, filled from the latest version (or empty). */
export function formFromContent(template: readonly TemplateSectionLike[], content: PassportContent | undefined, basedOnVersion: number): PassportForm {
  const sections = content?.sections ?? {};
  const known = new Set(template.map((section) => section.key));
  return {
    basedOnVersion,
    sections: [
      ...template.map((section) => ({ ...section, text: sections[section.key]?.text ?? '', pupilWords: sections[section.key]?.pupilWords ?? false, retired: false })),
      ...Object.entries(sections)
        .filter(([key, section]) => !known.has(key) && section.text.trim())
        .map(([key, section]) => ({ key, heading: headingFromKey(key), prompt: '', text: section.text, pupilWords: section.pupilWords, retired: true })),
    ],
    strategies: [...(content?.strategies ?? [])],
    newStrategy: '',
  };
}

/** Line endings as typed in any browser, one form: "\n". */
function normaliseText(value: string): string {
  return value.replace(/\r\n?/g, '\n');
}

export type FormAction =
  | { kind: 'save' }
  | { kind: 'fill' }
  | { kind: 'add' }
  | { kind: 'remove' | 'up' | 'down'; index: number };

export function parseAction(value: string | undefined): FormAction {
  if (value === 'fill' || value === 'add') return { kind: value };
  const match = /^(remove|up|down)-(\d{1,3})$/.exec(value ?? '');
  if (match) return { kind: match[1] as 'remove' | 'up' | 'down', index: Number(match[2]) };
  return { kind: 'save' };
}

/**
 * What a strategy button does to the form (no JavaScript needed): add the typed strategy to the end,
 * remove one, or move one up or down. Returns the new form, and a field error when "Add" had nothing.
 */
export function applyStrategyAction(form: PassportForm, action: Extract<FormAction, { kind: 'add' | 'remove' | 'up' | 'down' }>): { form: PassportForm; errors: FieldError[]; message?: string } {
  const strategies = [...form.strategies];
  if (action.kind === 'add') {
    const added = form.newStrategy.trim();
    if (!added) return { form, errors: [{ field: 'newStrategy', message: 'Enter the strategy to add' }] };
    return { form: { ...form, strategies: [...strategies, added], newStrategy: '' }, errors: [], message: `Strategy added as number ${strategies.length + 1}: save the passport to keep it` };
  }
  const { index } = action;
  if (index < 0 || index >= strategies.length) return { form, errors: [] };
  if (action.kind === 'remove') {
    strategies.splice(index, 1);
    return { form: { ...form, strategies }, errors: [], message: `Strategy ${index + 1} removed: save the passport to keep the change` };
  }
  const target = action.kind === 'up' ? index - 1 : index + 1;
  if (target < 0 || target >= strategies.length) return { form, errors: [] };
  [strategies[index], strategies[target]] = [strategies[target]!, strategies[index]!];
  return { form: { ...form, strategies }, errors: [], message: `Strategy moved ${action.kind} to number ${target + 1}: save the passport to keep the change` };
}

// Fill from the plan -----------------------------------------------------------------------------

/** Where each answer of the default pupil's views form goes in the default passport. */
const PUPIL_ANSWER_TARGETS: Readonly<Record<string, string>> = {
  'good-at': 'about-me',
  enjoy: 'important',
  'better-at': 'important',
  helps: 'helps',
  hard: 'does-not-help',
};

export interface PupilContribution {
  /** The pupil's answers, keyed by the form's section keys, exactly as they typed them. */
  answers: Record<string, string>;
  /** The sections of the form version they answered, in order. */
  sections: readonly TemplateSectionLike[];
  submittedAt: string;
}

export interface FillResult {
  form: PassportForm;
  /** Passport sections now holding the pupil's words, with the questions they answered. */
  placed: Array<{ key: string; heading: string; from: string[] }>;
  /** Answers with no matching section in the passport: shown so they can be copied by hand. */
  unplaced: Array<{ heading: string; answer: string }>;
  strategiesFilled: number | undefined;
}

/**
 * Prefills the form from the pupil's current plan and their latest views: the open plan's strategies
 * become the key strategies (in the plan's order), and each of the pupil's answers is copied word for
 * word into the matching passport section (same key, then the default mapping, then the same heading),
 * marked as the pupil's own words. Several answers for one section are kept whole, one paragraph each.
 * Sections with no answer are left as they were. Nothing is saved until the passport is saved.
 */
export function fillFromPlan(form: PassportForm, planStrategies: readonly string[] | undefined, contribution: PupilContribution | undefined): FillResult {
  const sections = form.sections.map((section) => ({ ...section }));
  const placed: FillResult['placed'] = [];
  const unplaced: FillResult['unplaced'] = [];
  if (contribution) {
    const byTarget = new Map<string, { answers: string[]; from: string[] }>();
    const headingOf = new Map(contribution.sections.map((section) => [section.key, section.heading]));
    const order = [...contribution.sections.map((section) => section.key), ...Object.keys(contribution.answers).filter((key) => !headingOf.has(key))];
    for (const key of order) {
      const answer = contribution.answers[key];
      if (typeof answer !== 'string' || answer.trim() === '') continue;
      const heading = headingOf.get(key) ?? headingFromKey(key);
      const target =
        sections.find((section) => section.key === key && !section.retired) ??
        sections.find((section) => section.key === PUPIL_ANSWER_TARGETS[key] && !section.retired) ??
        sections.find((section) => !section.retired && section.heading.trim().toLowerCase() === heading.trim().toLowerCase());
      if (!target) {
        unplaced.push({ heading, answer: answer.trim() });
        continue;
      }
      const entry = byTarget.get(target.key) ?? { answers: [], from: [] };
      entry.answers.push(normaliseText(answer).trim());
      entry.from.push(heading);
      byTarget.set(target.key, entry);
    }
    for (const section of sections) {
      const entry = byTarget.get(section.key);
      if (!entry) continue;
      section.text = entry.answers.join('\n\n');
      section.pupilWords = true;
      placed.push({ key: section.key, heading: section.heading, from: entry.from });
    }
  }
  // The plan's strategies join those already written (none is dropped); one already there is not repeated.
  const kept = form.strategies.filter((strategy) => strategy.trim() !== '');
  const known = new Set(kept.map((strategy) => strategy.trim().toLowerCase()));
  const added = (planStrategies ?? []).map((strategy) => strategy.trim()).filter((strategy) => strategy !== '' && !known.has(strategy.toLowerCase()) && known.add(strategy.toLowerCase()));
  const strategies = planStrategies && planStrategies.length ? [...kept, ...added] : form.strategies;
  return {
    form: { ...form, sections, strategies },
    placed,
    unplaced,
    strategiesFilled: planStrategies && planStrategies.length ? added.length : undefined,
  };
}

// Checks before a save ---------------------------------------------------------------------------

const count = (value: number) => formatNumber(value);

/**
 * Checks the form and returns what to store. Nothing is cut short: text over a limit is refused with
 * how long it is and the limit, so the passport stays on one page. Empty strategy boxes are ignored.
 */
export function checkPassport(form: PassportForm, pupilName: string): PassportContent {
  const errors: FieldError[] = [];
  const sections: Record<string, PassportSection> = {};
  for (const section of form.sections) {
    const text = normaliseText(section.text).trim();
    const field = `section-${section.key}`;
    if (text.length > SECTION_MAX) {
      errors.push({ field, message: `“${section.heading}” is ${count(text.length)} characters: it must be ${count(SECTION_MAX)} characters or fewer so the passport fits on one page` });
    }
    if (section.pupilWords && !text) {
      errors.push({ field, message: `You said “${section.heading}” is in ${pupilName}’s own words: write their words in, or untick the box` });
    }
    if (text || !section.retired) sections[section.key] = { text, pupilWords: Boolean(text) && section.pupilWords };
  }
  const strategies: string[] = [];
  const seen = new Map<string, number>();
  form.strategies.forEach((raw, index) => {
    const strategy = normaliseText(raw).trim();
    if (!strategy) return;
    const field = `strategy-${index}`;
    if (strategy.length > STRATEGY_MAX) {
      errors.push({ field, message: `Key strategy ${index + 1} is ${count(strategy.length)} characters: it must be ${count(STRATEGY_MAX)} characters or fewer` });
    }
    const earlier = seen.get(strategy.toLowerCase());
    if (earlier !== undefined) errors.push({ field, message: `Key strategy ${index + 1} is the same as key strategy ${earlier + 1}: remove one of them` });
    else seen.set(strategy.toLowerCase(), index);
    strategies.push(strategy);
  });
  const added = normaliseText(form.newStrategy).trim();
  if (added) {
    if (added.length > STRATEGY_MAX) errors.push({ field: 'newStrategy', message: `The new strategy is ${count(added.length)} characters: it must be ${count(STRATEGY_MAX)} characters or fewer` });
    else if (seen.has(added.toLowerCase())) errors.push({ field: 'newStrategy', message: `The new strategy is the same as key strategy ${seen.get(added.toLowerCase())! + 1}` });
    strategies.push(added);
  }
  if (strategies.length > STRATEGIES_MAX) {
    errors.push({ field: strategies.length > form.strategies.length && added ? 'newStrategy' : `strategy-${STRATEGIES_MAX}`, message: `A passport has at most ${STRATEGIES_MAX} key strategies and this one has ${strategies.length}: keep the ones that matter most in class` });
  }
  const lines = Math.ceil(estimateLines(Object.values(sections), strategies));
  if (errors.length === 0 && lines > PAGE_LINES) {
    const first = form.sections[0];
    errors.push({ field: first ? `section-${first.key}` : 'strategy-0', message: `The passport would take about ${lines} lines when printed and one page holds about ${PAGE_LINES}: shorten a section or a strategy, or use fewer line breaks, so that it fits on one page` });
  }
  if (errors.length === 0 && strategies.length === 0 && Object.values(sections).every((section) => !section.text)) {
    const first = form.sections[0];
    errors.push({ field: first ? `section-${first.key}` : 'newStrategy', message: 'Write at least one section or key strategy' });
  }
  if (errors.length) throw new ValidationError(errors);
  return { sections, strategies };
}

/** Whether two versions say the same (saving an unchanged passport makes no new version). */
export function sameContent(a: PassportContent, b: PassportContent): boolean {
  const keys = new Set([...Object.keys(a.sections), ...Object.keys(b.sections)]);
  for (const key of keys) {
    const left = a.sections[key] ?? { text: '', pupilWords: false };
    const right = b.sections[key] ?? { text: '', pupilWords: false };
    if (left.text !== right.text || left.pupilWords !== right.pupilWords) return false;
  }
  return a.strategies.length === b.strategies.length && a.strategies.every((strategy, index) => strategy === b.strategies[index]);
}
