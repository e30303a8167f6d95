// A SENCO's own register spreadsheet: which column holds which field, and how each row becomes a pupil record.
import { createHash } from 'node:crypto';
import type { FieldError } from '../../platform/errors.ts';
import type { RankedNeed } from '../register/census.ts';
import type { PupilRecordInput } from '../register/service.ts';
import { parseImportDate } from './dates.ts';
import { displayName, type FieldNames, type ParsedRow, type RowProblem } from './rows.ts';
import { cleanText, normaliseUln, normaliseUpn, parseFlag, parseNeed, parseProvision, parseSex, parseYearGroup } from './values.ts';

export const TARGET_KEYS = [
  'upn',
  'uln',
  'legalSurname',
  'legalForename',
  'preferredSurname',
  'preferredForename',
  'middleNames',
  'dateOfBirth',
  'sex',
  'yearGroup',
  'registrationGroup',
  'senProvision',
  'primaryNeed',
  'secondaryNeed',
  'senStartDate',
  'fsm',
  'pupilPremium',
  'eal',
  'lookedAfter',
] as const;
export type TargetKey = (typeof TARGET_KEYS)[number];

export interface TargetField {
  key: TargetKey;
  label: string;
  hint?: string;
  required?: boolean;
  /** Normalised headings (lower case, letters and digits only) that mean this field. */
  aliases: string[];
}

export const TARGET_FIELDS: TargetField[] = [
  { key: 'upn', label: 'UPN', hint: 'Unique pupil number. Without it, pupils are matched by name and date of birth.', aliases: ['upn', 'uniquepupilnumber', 'pupilupn', 'upnnumber'] },
  { key: 'uln', label: 'ULN', hint: 'Unique learner number (10 digits)', aliases: ['uln', 'uniquelearnernumber'] },
  { key: 'legalSurname', label: 'Legal surname', required: true, aliases: ['surname', 'legalsurname', 'lastname', 'familyname', 'pupilsurname', 'studentsurname'] },
  { key: 'legalForename', label: 'Legal forename', required: true, aliases: ['forename', 'legalforename', 'firstname', 'givenname', 'forenames', 'pupilforename', 'studentforename', 'firstnames'] },
  { key: 'preferredSurname', label: 'Preferred surname', aliases: ['preferredsurname', 'preferredlastname', 'knownassurname', 'chosensurname'] },
  { key: 'preferredForename', label: 'Preferred forename', aliases: ['preferredforename', 'preferredname', 'preferredfirstname', 'knownas', 'chosenname', 'chosenforename'] },
  { key: 'middleNames', label: 'Middle names', aliases: ['middlenames', 'middlename', 'othernames'] },
  { key: 'dateOfBirth', label: 'Date of birth', required: true, hint: 'For example 31/12/2015 or 2015-12-31', aliases: ['dob', 'dateofbirth', 'birthdate', 'birthday', 'born'] },
  { key: 'sex', label: 'Sex', aliases: ['sex', 'gender'] },
  { key: 'yearGroup', label: 'Year group', aliases: ['year', 'yeargroup', 'ncyear', 'ncyearactual', 'yr', 'yeargrp', 'curriculumyear'] },
  { key: 'registrationGroup', label: 'Registration group', aliases: ['reg', 'reggroup', 'regroup', 'registrationgroup', 'regform', 'form', 'formgroup', 'tutorgroup', 'class', 'classname', 'tutor'] },
  { key: 'senProvision', label: 'SEN provision', hint: 'N, K or E, or words like "SEN support" or "EHC plan"', aliases: ['senstatus', 'senprovision', 'sen', 'senstage', 'sencode', 'senstatuscode', 'sencategory'] },
  { key: 'primaryNeed', label: 'Primary need', hint: 'A DfE code such as ASD, or its name such as "Autism"', aliases: ['primaryneed', 'primarysenneed', 'primarytypeofneed', 'primarysentype', 'needprimary', 'need1', 'senneed1', 'senneed', 'need', 'areaofneed', 'primaryareaofneed'] },
  { key: 'secondaryNeed', label: 'Secondary need', aliases: ['secondaryneed', 'secondarysenneed', 'secondarytypeofneed', 'secondarysentype', 'needsecondary', 'need2', 'senneed2', 'secondaryareaofneed'] },
  { key: 'senStartDate', label: 'SEN start date', hint: 'When the current SEN provision began', aliases: ['senstartdate', 'sensince', 'senstart', 'senfrom', 'datesenstarted', 'dateaddedtosenregister', 'dateadded', 'startdate'] },
  { key: 'fsm', label: 'Free school meals', hint: 'Yes or no', aliases: ['fsm', 'freeschoolmeals', 'fsmeligible', 'fsmeligibility', 'fsmflag', 'fsm6'] },
  { key: 'pupilPremium', label: 'Pupil premium', hint: 'Yes or no', aliases: ['pp', 'pupilpremium', 'ppeligible', 'pupilpremiumeligible', 'ppflag'] },
  { key: 'eal', label: 'English as an additional language', hint: 'Yes or no', aliases: ['eal', 'englishasanadditionallanguage', 'ealflag'] },
  { key: 'lookedAfter', label: 'Looked after', hint: 'Yes or no', aliases: ['lac', 'cla', 'lookedafter', 'lookedafterchild', 'childlookedafter', 'incare', 'lookedafterflag'] },
];

export const TARGETS_BY_KEY = Object.fromEntries(TARGET_FIELDS.map((field) => [field.key, field])) as Record<TargetKey, TargetField>;

/** Which column (0-based) holds each field; fields not in the file are left out. */
export type ColumnMapping = Partial<Record<TargetKey, number>>;

export function isTargetKey(value: string): value is TargetKey {
  return (TARGET_KEYS as readonly string[]).includes(value);
}

export function normaliseHeader(header: string): string {
  return header.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Identifies a spreadsheet layout, so the mapping chosen for it can be offered again next time. */
export function headerSignature(headers: string[]): string {
  return createHash('sha256').update(JSON.stringify(headers.map(normaliseHeader))).digest('hex');
}

/** Guesses the mapping from the headings: exact names first, then headings that start with a known name ("DOB (dd/mm/yyyy)"). */
export function suggestMapping(headers: string[]): ColumnMapping {
  const mapping: ColumnMapping = {};
  const used = new Set<number>();
  const normalised = headers.map(normaliseHeader);
  const assign = (matches: (heading: string, alias: string) => boolean) => {
    for (const field of TARGET_FIELDS) {
      if (mapping[field.key] !== undefined) continue;
      for (const alias of field.aliases) {
        const index = normalised.findIndex((heading, position) => !used.has(position) && heading !== '' && matches(heading, alias));
        if (index !== -1) {
          mapping[field.key] = index;
          used.add(index);
          break;
        }
      }
    }
  };
  assign((heading, alias) => heading === alias);
  assign((heading, alias) => alias.length >= 3 && heading.startsWith(alias) && !/^(preferred|legal|secondary|primary|former)/.test(heading.slice(alias.length)));
  return mapping;
}

/** The problems with a mapping a person chose, tied to the select that needs changing. */
export function mappingProblems(mapping: ColumnMapping, headers: string[]): FieldError[] {
  const problems: FieldError[] = [];
  const field = (key: TargetKey) => `map-${key}`;
  for (const target of TARGET_FIELDS) {
    const column = mapping[target.key];
    if (target.required && column === undefined) {
      problems.push({ field: field(target.key), message: `Choose the column that holds the ${target.label.toLowerCase()}` });
    }
    if (column !== undefined && (!Number.isInteger(column) || column < 0 || column >= headers.length)) {
      problems.push({ field: field(target.key), message: `Choose a column from the file for ${target.label.toLowerCase()}` });
    }
  }
  const byColumn = new Map<number, TargetKey[]>();
  for (const key of TARGET_KEYS) {
    const column = mapping[key];
    if (column === undefined) continue;
    byColumn.set(column, [...(byColumn.get(column) ?? []), key]);
  }
  for (const [column, keys] of byColumn) {
    if (keys.length < 2) continue;
    const [first, ...rest] = keys as [TargetKey, ...TargetKey[]];
    for (const key of rest) {
      problems.push({
        field: field(key),
        message: `${TARGETS_BY_KEY[key].label} and ${TARGETS_BY_KEY[first].label.toLowerCase()} cannot both use the column "${headers[column] ?? ''}"`,
      });
    }
  }
  const has = (key: TargetKey) => mapping[key] !== undefined;
  if (has('senProvision') && !has('primaryNeed')) {
    problems.push({ field: field('primaryNeed'), message: 'Choose the column for primary need: pupils with SEN support or an EHC plan must have one' });
  }
  for (const key of ['primaryNeed', 'secondaryNeed', 'senStartDate'] as const) {
    if (has(key) && !has('senProvision')) {
      problems.push({ field: field('senProvision'), message: `Choose the column for SEN provision: ${TARGETS_BY_KEY[key].label.toLowerCase()} is only read with it` });
      break;
    }
  }
  if (has('secondaryNeed') && !has('primaryNeed')) {
    problems.push({ field: field('primaryNeed'), message: 'Choose the column for primary need: a secondary need is only read with it' });
  }
  return problems;
}

export interface SpreadsheetTable {
  headers: string[];
  rows: Array<{ line: number; cells: string[] }>;
}

export function fieldNamesFor(mapping: ColumnMapping, headers: string[]): FieldNames {
  const name = (key: TargetKey) => {
    const column = mapping[key];
    return column === undefined ? TARGETS_BY_KEY[key].label : headers[column] || TARGETS_BY_KEY[key].label;
  };
  return {
    upn: name('upn'),
    formerUpn: 'Former UPN',
    uln: name('uln'),
    legalSurname: name('legalSurname'),
    legalForename: name('legalForename'),
    dateOfBirth: name('dateOfBirth'),
    senProvision: name('senProvision'),
    senNeeds: name('primaryNeed'),
    senStartDate: name('senStartDate'),
  };
}

/** Turns one spreadsheet row into a pupil record, or the reasons it cannot be one. */
export function rowToRecord(
  cells: string[],
  line: number,
  headers: string[],
  mapping: ColumnMapping,
  options: { today: string; allowSerialDates: boolean },
): ParsedRow {
  const problems: RowProblem[] = [];
  const heading = (key: TargetKey) => headers[mapping[key]!] || TARGETS_BY_KEY[key].label;
  const cell = (key: TargetKey): string | undefined => {
    const column = mapping[key];
    if (column === undefined) return undefined;
    return cells[column] ?? '';
  };
  const read = <T>(key: TargetKey, parse: (raw: string) => { ok: true; value: T } | { ok: false; reason: string }): T | undefined => {
    const raw = cell(key);
    if (raw === undefined) return undefined;
    const result = parse(raw);
    if (result.ok) return result.value;
    problems.push({ field: heading(key), reason: `${TARGETS_BY_KEY[key].label} ${result.reason}` });
    return undefined;
  };
  const date = (key: TargetKey, past: boolean): string | undefined => {
    const raw = cell(key);
    if (raw === undefined || raw.trim() === '') return undefined;
    const result = parseImportDate(raw, { today: options.today, past, allowSerial: options.allowSerialDates });
    if (result.ok) return result.date;
    problems.push({ field: heading(key), reason: `${TARGETS_BY_KEY[key].label} ${result.reason}` });
    return undefined;
  };
  const text = (key: TargetKey) => {
    const raw = cell(key);
    return raw === undefined ? undefined : cleanText(raw);
  };

  const upnText = cell('upn');
  const upn = upnText === undefined || upnText.trim() === '' ? null : normaliseUpn(upnText);
  const ulnText = cell('uln');
  const legalSurname = text('legalSurname') ?? '';
  const legalForename = text('legalForename') ?? '';
  const dateOfBirth = date('dateOfBirth', true);
  const record: PupilRecordInput = {
    upn,
    legalSurname,
    legalForename,
    dateOfBirth: dateOfBirth ?? '',
  };
  // A blank or missing identifier is unknown, not removed: the register keeps the one it has.
  if (upn === null) delete (record as Partial<PupilRecordInput>).upn;
  if (ulnText !== undefined && ulnText.trim() !== '') record.uln = normaliseUln(ulnText);
  const optionalText: Array<[TargetKey, 'preferredSurname' | 'preferredForename' | 'middleNames' | 'registrationGroup']> = [
    ['preferredSurname', 'preferredSurname'],
    ['preferredForename', 'preferredForename'],
    ['middleNames', 'middleNames'],
    ['registrationGroup', 'registrationGroup'],
  ];
  for (const [key, field] of optionalText) {
    const value = text(key);
    // A blank preferred or middle name means there is none; a blank registration group is unknown.
    if (value !== undefined && !(value === null && field === 'registrationGroup')) record[field] = value;
  }
  const sex = read('sex', parseSex);
  if (sex !== undefined) record.sex = sex;
  const yearGroup = read('yearGroup', parseYearGroup);
  if (yearGroup !== undefined) record.yearGroup = yearGroup;
  for (const key of ['fsm', 'pupilPremium', 'eal', 'lookedAfter'] as const) {
    const value = read(key, parseFlag);
    if (value !== undefined) record[key] = value;
  }
  if (mapping.senProvision !== undefined) {
    const provision = read('senProvision', parseProvision);
    const primary = read('primaryNeed', parseNeed);
    const secondary = read('secondaryNeed', parseNeed);
    const startDate = date('senStartDate', true);
    if (provision) {
      const needs: RankedNeed[] = [];
      if (primary) needs.push({ need: primary, rank: 1 });
      if (secondary) needs.push({ need: secondary, rank: 2 });
      record.sen = { provision, needs, startDate: startDate ?? null };
    }
  }

  return { line, upn, name: displayName(legalForename, legalSurname), record, problems };
}
