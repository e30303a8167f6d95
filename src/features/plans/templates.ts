// Templates the school edits without code: the headings and prompts of plans, reviews, passports
// and contribution forms. A change is a new version; every record keeps the version it was written
// with, so an old plan still reads with the headings it had.
import type { DbOrTransaction } from '../../db/database.ts';
import { NotFoundError, ValidationError, type FieldError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import type { SchoolScope } from '../../platform/scope.ts';
import * as repository from './repository.ts';

export type TemplateKind = 'plan' | 'review' | 'passport' | 'contribution-parent' | 'contribution-pupil';
export interface TemplateSection { key: string; heading: string; prompt: string }
export interface RecordTemplate { id: string; kind: TemplateKind; version: number; sections: TemplateSection[]; createdAt: string }

export const TEMPLATE_KINDS: readonly TemplateKind[] = ['plan', 'review', 'passport', 'contribution-parent', 'contribution-pupil'];

export function isTemplateKind(value: string): value is TemplateKind {
  return (TEMPLATE_KINDS as readonly string[]).includes(value);
}

export const TEMPLATE_KIND_LABELS: Record<TemplateKind, string> = {
  plan: 'SEN support plan: assess',
  review: 'Review',
  passport: 'Pupil passport',
  'contribution-parent': 'Parents’ and carers’ views form',
  'contribution-pupil': 'Pupil’s views form',
};

export const TEMPLATE_KIND_HINTS: Record<TemplateKind, string> = {
  plan: 'The “assess” part of every plan: what is known about the pupil’s needs and what everyone says.',
  review: 'What is written at each review, beside the rating of each target.',
  passport: 'The one-page profile teachers read: in the pupil’s own words where possible.',
  'contribution-parent': 'The form a parent or carer fills in through their link before a review.',
  'contribution-pupil': 'The form a pupil fills in through their link: short, simple questions for ages 5 to 16.',
};

export const HEADING_MAX = 120;
export const PROMPT_MAX = 500;
export const SECTIONS_MAX = 20;

export const DEFAULT_SECTIONS: Record<TemplateKind, readonly TemplateSection[]> = {
  plan: [
    { key: 'needs', heading: 'Summary of needs', prompt: 'Describe the pupil’s needs: their primary area of need, what they find difficult and what they do well.' },
    { key: 'assessments', heading: 'Recent assessment results', prompt: 'Record recent assessments with dates and scores, for example standardised reading or spelling scores, speech and language or educational psychology assessments.' },
    { key: 'pupil-views', heading: 'What the pupil says', prompt: 'In the pupil’s own words where you can: what they enjoy, what they find hard and what helps them.' },
    { key: 'parent-views', heading: 'What parents and carers say', prompt: 'What parents and carers tell you about their child at home, their worries and what they hope for.' },
    { key: 'teacher-views', heading: 'What teachers say', prompt: 'What class and subject teachers and teaching assistants see in lessons: strengths, difficulties and what has already been tried.' },
  ],
  review: [
    { key: 'progress', heading: 'Overall progress', prompt: 'Summarise the progress the pupil has made since the plan started, using the evidence you have.' },
    { key: 'views', heading: 'What the pupil and parents said', prompt: 'What the pupil and their parents or carers said about how things have gone.' },
    { key: 'changes', heading: 'What will change', prompt: 'What will change in the next plan: new targets, different strategies or provision, or support that can stop.' },
  ],
  passport: [
    { key: 'about-me', heading: 'About me', prompt: 'A few sentences about the pupil, ideally in their own words: who they are and what they like.' },
    { key: 'important', heading: 'What is important to me', prompt: 'The people, things and routines that matter to the pupil.' },
    { key: 'helps', heading: 'What helps me', prompt: 'What adults can do that helps the pupil learn and feel settled.' },
    { key: 'does-not-help', heading: 'What does not help me', prompt: 'What adults should avoid, and what makes things harder for the pupil.' },
  ],
  'contribution-parent': [
    { key: 'going-well', heading: 'What is going well', prompt: 'Tell us what is going well for your child at school and at home. What are they proud of?' },
    { key: 'worries', heading: 'Any worries', prompt: 'Is there anything you are worried about, or anything your child finds hard at the moment?' },
    { key: 'at-home', heading: 'What helps at home', prompt: 'What works well at home? For example routines, ways of explaining things or ways to help them calm down.' },
    { key: 'hopes', heading: 'Your hopes for the next few months', prompt: 'What would you most like your child to be able to do, or to feel, by the next review?' },
  ],
  'contribution-pupil': [
    { key: 'good-at', heading: 'What I am good at', prompt: 'What are you good at?' },
    { key: 'enjoy', heading: 'What I enjoy', prompt: 'What do you like doing at school?' },
    { key: 'hard', heading: 'What I find hard', prompt: 'What is hard for you at school?' },
    { key: 'helps', heading: 'What helps me', prompt: 'What do grown-ups do that helps you?' },
    { key: 'better-at', heading: 'What I want to get better at', prompt: 'What would you like to get better at?' },
  ],
};

function parseSections(text: string): TemplateSection[] {
  try {
    const value = JSON.parse(text) as unknown;
    if (!Array.isArray(value)) return [];
    return value
      .filter((entry): entry is Record<string, unknown> => !!entry && typeof entry === 'object')
      .map((entry) => ({ key: String(entry.key ?? ''), heading: String(entry.heading ?? ''), prompt: String(entry.prompt ?? '') }))
      .filter((entry) => entry.key);
  } catch {
    return [];
  }
}

export function toTemplate(row: repository.TemplateRow): RecordTemplate {
  return { id: row.id, kind: row.kind as TemplateKind, version: row.version, sections: parseSections(row.sections), createdAt: row.created_at };
}

/** The school's newest version of a kind; writes version 1 from the defaults the first time it is asked for. */
export async function getCurrentTemplate(db: DbOrTransaction, scope: SchoolScope, kind: TemplateKind): Promise<RecordTemplate> {
  const existing = await repository.latestTemplate(db, scope, kind);
  if (existing) return toTemplate(existing);
  // Two requests may both find none: the unique (school, kind, version) index lets one write; the other re-reads.
  await repository.insertTemplateVersion(db, scope, { id: newId(), kind, version: 1, sections: JSON.stringify(DEFAULT_SECTIONS[kind]), created_at: new Date().toISOString(), created_by: null });
  const written = await repository.latestTemplate(db, scope, kind);
  if (!written) throw new Error(`The ${kind} template could not be written`);
  return toTemplate(written);
}

/** A version by id (records keep the version they were written with). Throws NotFoundError if not this school's. */
export async function getTemplate(db: DbOrTransaction, scope: SchoolScope, templateId: string): Promise<RecordTemplate> {
  const row = await repository.findTemplate(db, scope, templateId);
  if (!row) throw new NotFoundError('That template was not found');
  return toTemplate(row);
}

/** Every version of a kind, newest first. */
export async function listTemplateVersions(db: DbOrTransaction, scope: SchoolScope, kind: TemplateKind): Promise<RecordTemplate[]> {
  return (await repository.listTemplateVersions(db, scope, kind)).map(toTemplate);
}

/** A section as typed into the editor: the key is kept for sections that existed, so records keep their answers. */
export interface SectionInput { key: string; heading: string; prompt: string }

/** A key for a new section, from its heading: lower-case words joined by hyphens, unique in the template. */
export function sectionKey(heading: string, taken: ReadonlySet<string>): string {
  const base = heading.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'section';
  let key = base;
  for (let n = 2; taken.has(key); n += 1) key = `${base}-${n}`;
  return key;
}

/**
 * Checks the sections typed into the editor. Field names are `heading-<index>` and `prompt-<index>`
 * (0-based) so the error summary links to the box. Returns the sections to save, with keys.
 */
export function validateSections(inputs: readonly SectionInput[]): TemplateSection[] {
  const errors: FieldError[] = [];
  if (inputs.length === 0) errors.push({ field: 'sections', message: 'Add at least one section' });
  if (inputs.length > SECTIONS_MAX) errors.push({ field: 'sections', message: `A template can have at most ${SECTIONS_MAX} sections` });
  const seen = new Map<string, number>();
  inputs.forEach((input, index) => {
    const heading = input.heading.trim();
    const prompt = input.prompt.trim();
    const label = `section ${index + 1}`;
    if (!heading) errors.push({ field: `heading-${index}`, message: `Enter a heading for ${label}` });
    else if (heading.length > HEADING_MAX) errors.push({ field: `heading-${index}`, message: `The heading of ${label} must be ${HEADING_MAX} characters or fewer` });
    else {
      const earlier = seen.get(heading.toLowerCase());
      if (earlier !== undefined) errors.push({ field: `heading-${index}`, message: `The heading of ${label} is the same as section ${earlier + 1}: each heading must be different` });
      else seen.set(heading.toLowerCase(), index);
    }
    if (prompt.length > PROMPT_MAX) errors.push({ field: `prompt-${index}`, message: `The prompt of ${label} must be ${PROMPT_MAX} characters or fewer` });
  });
  if (errors.length) throw new ValidationError(errors);
  const taken = new Set(inputs.map((input) => input.key).filter((key) => /^[a-z0-9-]{1,60}$/.test(key)));
  const used = new Set<string>();
  return inputs.map((input) => {
    let key = /^[a-z0-9-]{1,60}$/.test(input.key) && !used.has(input.key) ? input.key : '';
    if (!key) key = sectionKey(input.heading.trim(), new Set([...taken, ...used]));
    used.add(key);
    return { key, heading: input.heading.trim(), prompt: input.prompt.trim() };
  });
}

/**
 * Writes a new version of a kind from checked sections. Two people saving at once: the second
 * write finds the version number taken and is told to look again rather than overwriting.
 */
export async function saveTemplateVersion(db: DbOrTransaction, scope: SchoolScope, kind: TemplateKind, sections: TemplateSection[], userId: string, basedOnVersion?: number): Promise<RecordTemplate> {
  const current = await getCurrentTemplate(db, scope, kind);
  if (basedOnVersion !== undefined && basedOnVersion !== current.version) {
    throw new ValidationError([{ field: 'sections', message: `Someone saved version ${current.version} of this template while you were editing: look at it and make your changes again` }]);
  }
  const row = { id: newId(), kind, version: current.version + 1, sections: JSON.stringify(sections), created_at: new Date().toISOString(), created_by: userId };
  const written = await repository.insertTemplateVersion(db, scope, row);
  if (!written) throw new ValidationError([{ field: 'sections', message: 'Someone saved this template at the same moment: look at it and make your changes again' }]);
  return toTemplate(row);
}

/** Sections a record shows: its template's, then any answers under keys its template no longer has (nothing silently lost). */
export function sectionsWithAnswers(template: RecordTemplate, answers: Record<string, string>): Array<TemplateSection & { answer: string }> {
  const known = new Set(template.sections.map((section) => section.key));
  return [
    ...template.sections.map((section) => ({ ...section, answer: answers[section.key] ?? '' })),
    ...Object.entries(answers).filter(([key, answer]) => !known.has(key) && answer.trim()).map(([key, answer]) => ({ key, heading: key.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase()), prompt: '', answer })),
  ];
}
