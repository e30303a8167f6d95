// Passports as documents: one pupil's passport, or every passport of a teacher's class in one file
// (each pupil on a page of their own). The same model becomes the Word document and the PDF.
import { formatDate } from '../../platform/dates.ts';
import { bullets, heading, italic, pageBreak, paragraph, type Block, type DocumentLogo, type DocumentModel } from '../../platform/documents/index.ts';
import { NEEDS, PROVISION_LABELS, isNeedCode, isProvision, yearGroupLabel } from '../register/census.ts';

export interface PassportPupil {
  legal_forename: string;
  legal_surname: string;
  preferred_forename: string | null;
  year_group: number | null;
  registration_group: string | null;
  sen_provision: string;
  primary_need: string | null;
}

export interface PassportForDocument {
  pupil: PassportPupil;
  version: number;
  createdAt: string;
  sections: Array<{ heading: string; text: string; pupilWords: boolean }>;
  strategies: string[];
}

export const STRATEGIES_HEADING = 'Key strategies for adults';

/** The name a passport uses: the one the pupil is known by. */
export function knownAs(pupil: Pick<PassportPupil, 'legal_forename' | 'preferred_forename'>): string {
  return pupil.preferred_forename?.trim() || pupil.legal_forename;
}

export function fullName(pupil: Pick<PassportPupil, 'legal_forename' | 'legal_surname' | 'preferred_forename'>): string {
  return `${knownAs(pupil)} ${pupil.legal_surname}`;
}

/** "Year 7, 7A · SEN support · Speech, language and communication needs". */
export function pupilFacts(pupil: PassportPupil): string {
  return [
    `${yearGroupLabel(pupil.year_group)}${pupil.registration_group ? `, ${pupil.registration_group}` : ''}`,
    isProvision(pupil.sen_provision) ? PROVISION_LABELS[pupil.sen_provision] : pupil.sen_provision,
    pupil.primary_need && isNeedCode(pupil.primary_need) ? NEEDS[pupil.primary_need].label : null,
  ]
    .filter(Boolean)
    .join(' · ');
}

/** One passport's blocks: each section under its heading (the pupil's words as their quotation), then the strategies. */
function passportBlocks(passport: PassportForDocument, level: 2 | 3 = 2): Block[] {
  const name = knownAs(passport.pupil);
  const blocks: Block[] = [];
  for (const section of passport.sections) {
    blocks.push(heading(section.heading, level));
    if (section.pupilWords) {
      blocks.push(paragraph([italic(`“${section.text}”`)]));
      blocks.push(paragraph(`In ${name}’s own words`, 'secondary'));
    } else {
      for (const part of section.text.split(/\n{2,}/)) if (part.trim()) blocks.push(paragraph(part));
    }
  }
  if (passport.strategies.length) {
    blocks.push(heading(STRATEGIES_HEADING, level));
    blocks.push(bullets(passport.strategies));
  }
  blocks.push(paragraph(`Passport version ${passport.version}, updated ${formatDate(passport.createdAt.slice(0, 10))}.`, 'secondary'));
  return blocks;
}

/** One pupil's passport as a document. */
export function passportModel(passport: PassportForDocument, school: { name: string; logo?: DocumentLogo | undefined }): DocumentModel {
  return {
    title: `${fullName(passport.pupil)}: pupil passport`,
    subtitle: pupilFacts(passport.pupil),
    subject: 'Pupil passport (one-page profile)',
    schoolName: school.name,
    ...(school.logo ? { logo: school.logo } : {}),
    blocks: passportBlocks(passport, 3),
  };
}

export function passportFilename(passport: PassportForDocument): string {
  return `${fullName(passport.pupil)} – pupil passport`;
}

/**
 * Every passport of a class in one document: each pupil from a new page, their name as the heading.
 * Pupils with no passport yet are listed at the end, with the plan's strategies when there are any.
 */
export function classPassportsModel(
  options: { title: string; subtitle: string; passports: PassportForDocument[]; without: Array<{ pupil: PassportPupil; planStrategies: string[] }> },
  school: { name: string; logo?: DocumentLogo | undefined },
): DocumentModel {
  const blocks: Block[] = [];
  options.passports.forEach((passport, index) => {
    if (index > 0) blocks.push(pageBreak());
    blocks.push(heading(fullName(passport.pupil), 2));
    blocks.push(paragraph(pupilFacts(passport.pupil), 'secondary'));
    blocks.push(...passportBlocks(passport, 3));
  });
  if (options.without.length) {
    if (blocks.length) blocks.push(pageBreak());
    blocks.push(heading('Pupils without a passport yet', 2));
    blocks.push(paragraph('The SENCO writes passports. Until then, use the strategies from the pupil’s current plan where there are any.'));
    for (const entry of options.without) {
      blocks.push(heading(fullName(entry.pupil), 3));
      blocks.push(paragraph(pupilFacts(entry.pupil), 'secondary'));
      if (entry.planStrategies.length) blocks.push(paragraph('Strategies from the current plan:'), bullets(entry.planStrategies));
      else blocks.push(paragraph('No current plan with strategies.'));
    }
  }
  if (blocks.length === 0) blocks.push(paragraph('There are no pupils with SEN support or an EHC plan in these groups.'));
  return {
    title: options.title,
    subtitle: options.subtitle,
    subject: 'Pupil passports (one-page profiles)',
    schoolName: school.name,
    ...(school.logo ? { logo: school.logo } : {}),
    blocks,
  };
}
