// The rules for what a SENCO types into School settings (and the `senco school` command): pure
// functions, each problem tied to the field it concerns so forms can show it in place.
import type { FieldError } from '../../platform/errors.ts';
import { isRole } from '../../platform/permissions.ts';
import { yearGroupFromText, yearGroupLabel } from '../register/census.ts';

export const PHASES = ['primary', 'secondary', 'all-through', 'special'] as const;
export type Phase = (typeof PHASES)[number];
export const PHASE_LABELS: Record<Phase, string> = {
  primary: 'Primary',
  secondary: 'Secondary',
  'all-through': 'All-through',
  special: 'Special',
};

export function isPhase(value: string): value is Phase {
  return (PHASES as readonly string[]).includes(value);
}

export interface SchoolDetailsInput {
  name: string;
  urn: string;
  laestab: string;
  laName: string;
  phase: string;
}

export interface SchoolDetails {
  name: string;
  urn: string;
  laestab: string | null;
  laName: string | null;
  phase: Phase;
}

/** Checks a school's details. A URN is 6 digits; a LAESTAB 7 (the LA's 3 and the school's 4, "881/4002" is read too). */
export function checkSchoolDetails(input: SchoolDetailsInput): { details?: SchoolDetails; problems: FieldError[] } {
  const problems: FieldError[] = [];
  const name = input.name.replace(/\s+/g, ' ').trim();
  const urn = input.urn.replace(/\s+/g, '');
  const laestab = input.laestab.replace(/[\s/-]+/g, '');
  const laName = input.laName.replace(/\s+/g, ' ').trim();
  const phase = input.phase.trim().toLowerCase();
  if (!name) problems.push({ field: 'name', message: 'Enter the school’s name' });
  else if (name.length > 200) problems.push({ field: 'name', message: 'School name must be 200 characters or fewer' });
  if (!urn) problems.push({ field: 'urn', message: 'Enter the school’s URN (unique reference number), 6 digits' });
  else if (!/^\d{6}$/.test(urn)) problems.push({ field: 'urn', message: 'URN must be 6 digits, like 123456' });
  if (laestab && !/^\d{7}$/.test(laestab)) {
    problems.push({ field: 'laestab', message: 'LAESTAB must be 7 digits: the 3-digit local authority number and the 4-digit establishment number, like 8814002' });
  }
  if (laName.length > 100) problems.push({ field: 'laName', message: 'Local authority name must be 100 characters or fewer' });
  if (!isPhase(phase)) problems.push({ field: 'phase', message: 'Choose the school’s phase: primary, secondary, all-through or special' });
  if (problems.length || !isPhase(phase)) return { problems };
  return { details: { name, urn, laestab: laestab || null, laName: laName || null, phase }, problems };
}

// Groups -------------------------------------------------------------------------------------------

export const GROUP_KINDS = ['registration', 'teaching'] as const;
export type GroupKind = (typeof GROUP_KINDS)[number];
export const GROUP_KIND_LABELS: Record<GroupKind, string> = { registration: 'Registration group', teaching: 'Teaching group' };

/** Nursery 1 (-2) to Year 14: the National Curriculum years a group can be for. */
export const YEAR_GROUPS = Array.from({ length: 17 }, (_, index) => index - 2);

export function isGroupKind(value: string): value is GroupKind {
  return (GROUP_KINDS as readonly string[]).includes(value);
}

/** "registration", "Registration group", "teaching", "Teaching group" (any case). */
export function groupKindFromText(value: string): GroupKind | undefined {
  const text = value.trim().toLowerCase().replace(/\s+group$/, '');
  return isGroupKind(text) ? text : undefined;
}

/** A year group as written: '' is none (null); 7, Y7, Year 7, R, Reception, N1, N2; undefined when it is not one. */
export function parseYearGroup(value: string): number | null | undefined {
  const text = value.trim();
  if (!text) return null;
  if (/^-?\d{1,2}$/.test(text)) {
    const number = Number(text);
    return number >= -2 && number <= 14 ? number : undefined;
  }
  const nursery = /^nursery\s*([12])$/i.exec(text);
  if (nursery) return nursery[1] === '1' ? -2 : -1;
  return yearGroupFromText(text.replace(/^yr\s*/i, 'Y'));
}

export function yearGroupText(year: number | null): string {
  return year === null ? 'None' : yearGroupLabel(year);
}

export interface GroupDetailsInput {
  name: string;
  kind: string;
  subject: string;
  yearGroup: string;
}

export interface GroupDetails {
  name: string;
  kind: GroupKind;
  subject: string | null;
  yearGroup: number | null;
}

export const GROUP_NAME_MAX = 100;

export function checkGroupDetails(input: GroupDetailsInput): { details?: GroupDetails; problems: FieldError[] } {
  const problems: FieldError[] = [];
  const name = input.name.replace(/\s+/g, ' ').trim();
  const kind = groupKindFromText(input.kind);
  const subject = input.subject.replace(/\s+/g, ' ').trim();
  const yearGroup = parseYearGroup(input.yearGroup);
  if (!name) problems.push({ field: 'name', message: 'Enter the group’s name, like 7A or 8X/Ma1' });
  else if (name.length > GROUP_NAME_MAX) problems.push({ field: 'name', message: `Group name must be ${GROUP_NAME_MAX} characters or fewer` });
  if (!kind) problems.push({ field: 'kind', message: 'Choose whether this is a registration group or a teaching group' });
  if (subject.length > 100) problems.push({ field: 'subject', message: 'Subject must be 100 characters or fewer' });
  else if (subject && kind === 'registration') problems.push({ field: 'subject', message: 'Leave the subject blank for a registration group: subjects are for teaching groups' });
  if (yearGroup === undefined) problems.push({ field: 'yearGroup', message: 'Year group must be Nursery 1 to Year 14 (like 7, Year 7, R or N1), or left blank for a mixed-age group' });
  if (problems.length || !kind || yearGroup === undefined) return { problems };
  return { details: { name, kind, subject: subject || null, yearGroup }, problems };
}

// People -------------------------------------------------------------------------------------------

export type PasswordChoice = 'generate' | 'set';

export interface PersonForm {
  email: string;
  displayName: string;
  role: string;
  passwordChoice: string;
  password: string;
}

/** The form's own rules: a role, and how the password is made. Account details are checked by the auth service. */
export function personFormProblems(form: PersonForm): FieldError[] {
  const problems: FieldError[] = [];
  if (!isRole(form.role)) problems.push({ field: 'role', message: 'Choose the person’s role at this school' });
  if (form.passwordChoice !== 'generate' && form.passwordChoice !== 'set') {
    problems.push({ field: 'passwordChoice', message: 'Choose how the password is made, in case the account is new' });
  } else if (form.passwordChoice === 'set' && !form.password) {
    problems.push({ field: 'password', message: 'Enter a password of at least 12 characters, or choose to generate one' });
  }
  return problems;
}

