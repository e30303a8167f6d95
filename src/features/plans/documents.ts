// The plan and the review as documents (Word and PDF from one model), with the school's name and
// logo. The model builders are pure; planDocument loads, checks access and audits.
import type { AppContext } from '../../platform/context.ts';
import { formatDate } from '../../platform/dates.ts';
import { NotFoundError } from '../../platform/errors.ts';
import type { Actor } from '../../platform/permissions.ts';
import { bold, bullets, heading, italic, paragraph, summary, table, type Block, type DocumentLogo, type DocumentModel } from '../../platform/documents/index.ts';
import { NEEDS, PROVISION_LABELS, isNeedCode, isProvision, yearGroupLabel } from '../register/census.ts';
import { loadSchoolLogo } from '../settings/logo.ts';
import type { CycleContribution } from '../voice/service.ts';
import type { CycleView, ProvisionEntry } from './service.ts';
import * as plans from './service.ts';
import { planName } from './rules.ts';

export interface PlanDocumentInput {
  schoolName: string;
  logo?: DocumentLogo;
  pupil: { name: string; dateOfBirth: string; yearGroup: number | null; registrationGroup: string | null; upn: string | null; senProvision: string; primaryNeed: string | null };
  cycle: CycleView;
  provision: ProvisionEntry[];
  contributions: CycleContribution[] | null;
  generatedAt: Date;
}

function pupilSummary(input: PlanDocumentInput, withReview = true): Block {
  const { pupil, cycle } = input;
  return summary([
    { key: 'Pupil', value: pupil.name },
    { key: 'Date of birth', value: formatDate(pupil.dateOfBirth) },
    { key: 'Year and class', value: `${yearGroupLabel(pupil.yearGroup)}${pupil.registrationGroup ? `, ${pupil.registrationGroup}` : ''}` },
    { key: 'SEN provision', value: isProvision(pupil.senProvision) ? PROVISION_LABELS[pupil.senProvision] : pupil.senProvision },
    ...(pupil.primaryNeed ? [{ key: 'Primary need', value: isNeedCode(pupil.primaryNeed) ? NEEDS[pupil.primaryNeed].label : pupil.primaryNeed }] : []),
    { key: 'Plan', value: `Plan ${cycle.number}, started ${formatDate(cycle.startedOn)}` },
    ...(withReview ? [{ key: cycle.reviewedOn && cycle.status === 'closed' ? 'Reviewed' : 'Review due', value: formatDate(cycle.status === 'closed' && cycle.reviewedOn ? cycle.reviewedOn : cycle.reviewDueOn) }] : []),
  ]);
}

function sectionBlocks(sections: CycleView['assess'], empty: string): Block[] {
  const blocks: Block[] = [];
  for (const section of sections) {
    blocks.push(heading(section.heading, 3));
    blocks.push(section.answer.trim() ? paragraph(section.answer) : paragraph(empty, 'secondary'));
  }
  return blocks;
}

function contributionBlocks(contributions: CycleContribution[] | null): Block[] {
  const submitted = (contributions ?? []).filter((entry) => entry.status === 'submitted');
  if (submitted.length === 0) return [];
  const blocks: Block[] = [heading('In their own words'), paragraph('Contributions sent to school before the review, exactly as they were written.', 'secondary')];
  for (const entry of submitted) {
    blocks.push(heading(`${entry.respondent === 'pupil' ? 'The pupil' : 'Parent or carer'}: ${entry.recipientName}${entry.submittedAt ? `, ${formatDate(entry.submittedAt)}` : ''}`, 3));
    for (const answer of entry.answers.filter((item) => item.answer.trim())) blocks.push(paragraph([bold(`${answer.heading}: `), italic(`“${answer.answer}”`)]));
  }
  return blocks;
}

function provisionRows(entries: ProvisionEntry[]) {
  return entries.map((entry) => [
    entry.provisionName || entry.groupName,
    entry.groupName,
    `${entry.sessionsPerWeek} a week, ${entry.minutesPerSession} minutes`,
    `${formatDate(entry.startDate)} to ${formatDate(entry.endDate)}${entry.leftOn ? ` (left ${formatDate(entry.leftOn)})` : ''}`,
  ]);
}

/** The SEN support plan: assess, plan (targets, strategies, provision), do. */
export function planModel(input: PlanDocumentInput): DocumentModel {
  const { cycle } = input;
  const blocks: Block[] = [pupilSummary(input), heading('Assess'), ...sectionBlocks(cycle.assess, 'Not recorded.'), heading('Plan'), heading('Targets', 3)];
  if (cycle.targets.length) {
    blocks.push(table({
      caption: 'Targets, each with how we will know it is met and by when',
      headers: ['Target', 'Success criterion', 'By'],
      widths: [3, 3, 1.3],
      rows: cycle.targets.map((target) => [`${target.target}${target.area ? `\n(${target.area})` : ''}`, target.successCriterion, formatDate(target.dueOn)]),
    }));
  } else blocks.push(paragraph('No targets set yet.', 'secondary'));
  blocks.push(heading('Strategies for teachers', 3));
  blocks.push(cycle.strategies.length ? bullets(cycle.strategies.map((strategy) => strategy.strategy)) : paragraph('None recorded yet.', 'secondary'));
  blocks.push(heading('Provision', 3));
  if (input.provision.length) blocks.push(table({ caption: 'Provision the pupil receives', headers: ['Provision', 'Group', 'How often', 'Dates'], rows: provisionRows(input.provision) }));
  else blocks.push(paragraph('No additional provision recorded.', 'secondary'));
  blocks.push(heading('Do'));
  if (cycle.doItems.length) blocks.push(table({ caption: 'Who does what, and how often', headers: ['Who', 'What', 'How often'], widths: [1.5, 4, 1.5], rows: cycle.doItems.map((item) => [item.who, item.what, item.howOften]) }));
  else blocks.push(paragraph('Not recorded yet.', 'secondary'));
  blocks.push(heading('Review'));
  blocks.push(paragraph(`The plan will be reviewed by ${formatDate(cycle.reviewDueOn)} with the pupil and their parents or carers.`));
  blocks.push(...contributionBlocks(input.contributions));
  return {
    title: planName(input.pupil.senProvision),
    subtitle: `${input.pupil.name}: plan ${cycle.number}`,
    subject: planName(input.pupil.senProvision),
    schoolName: input.schoolName,
    ...(input.logo ? { logo: input.logo } : {}),
    created: input.generatedAt,
    blocks,
  };
}

/** The review: each target rated, the review's sections, what continues and the next review date. */
export function reviewModel(input: PlanDocumentInput): DocumentModel {
  const { cycle } = input;
  const blocks: Block[] = [
    pupilSummary(input, false),
    summary([
      { key: 'Review held', value: cycle.reviewedOn ? formatDate(cycle.reviewedOn) : 'Not yet' },
      { key: 'Next review', value: cycle.nextReviewOn ? formatDate(cycle.nextReviewOn) : 'Not yet agreed' },
    ]),
    heading('Progress against each target'),
  ];
  if (cycle.targets.length) {
    blocks.push(table({
      caption: 'Targets and how far each was achieved',
      headers: ['Target', 'Success criterion', 'Progress', 'Note', 'Carried into the next plan'],
      widths: [2.6, 2.4, 1.3, 2.4, 1.2],
      rows: cycle.targets.map((target) => [target.target, target.successCriterion, target.ratingLabel ?? 'Not rated', target.reviewNote ?? '', target.continues ? 'Yes' : 'No']),
    }));
  } else blocks.push(paragraph('The plan had no targets.', 'secondary'));
  blocks.push(...sectionBlocks(cycle.review, 'Nothing recorded.').map((block) => (block.type === 'heading' ? { ...block, level: 2 as const } : block)));
  if (input.provision.length) blocks.push(heading('Provision during this plan'), table({ caption: 'Provision the pupil received', headers: ['Provision', 'Group', 'How often', 'Dates'], rows: provisionRows(input.provision) }));
  blocks.push(...contributionBlocks(input.contributions));
  return {
    title: 'SEN support review',
    subtitle: `${input.pupil.name}: review of plan ${cycle.number}`,
    subject: 'SEN support review',
    schoolName: input.schoolName,
    ...(input.logo ? { logo: input.logo } : {}),
    created: input.generatedAt,
    blocks,
  };
}

/** Loads the cycle as the actor may see it and builds the document; the download is audited. */
export async function planDocument(ctx: AppContext, actor: Actor, pupilId: string, cycleId: string, which: 'plan' | 'review', schoolName: string, ip: string) {
  const record = await plans.getCycle(ctx, actor, pupilId, cycleId, ip);
  if (which === 'review' && !(record.cycle.status === 'closed' && record.cycle.reviewedOn)) throw new NotFoundError('This plan has not been reviewed yet: the review document is ready once the review is recorded and the plan closed');
  const logo = await loadSchoolLogo(ctx, actor.schoolId);
  const pupil = record.pupil;
  const name = `${pupil.preferred_forename || pupil.legal_forename} ${pupil.legal_surname}`;
  const input: PlanDocumentInput = {
    schoolName,
    ...(logo ? { logo } : {}),
    pupil: { name, dateOfBirth: pupil.date_of_birth, yearGroup: pupil.year_group === null ? null : Number(pupil.year_group), registrationGroup: pupil.registration_group, upn: pupil.upn, senProvision: pupil.sen_provision, primaryNeed: pupil.primary_need },
    cycle: record.cycle,
    provision: record.provision,
    contributions: record.contributions,
    generatedAt: new Date(),
  };
  ctx.audit.recordRead({ schoolId: actor.schoolId, action: `plan.${which}-downloaded`, actorUserId: actor.userId, actorLabel: actor.displayName, pupilId, detail: { cycleId }, ip });
  return { model: which === 'plan' ? planModel(input) : reviewModel(input), filename: `${name} – ${which === 'plan' ? `${planName(record.pupil.sen_provision)} ${record.cycle.number}` : `review of plan ${record.cycle.number}`}` };
}
