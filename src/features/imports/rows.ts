// What every importer produces: one entry per pupil row, with the record or the reasons it is rejected.
import { isIsoDate } from '../../platform/dates.ts';
import { censusProblems } from '../register/census.ts';
import { describeUlnProblem, describeUpnProblem, ulnProblem, upnProblem } from '../register/identifiers.ts';
import type { PupilRecordInput } from '../register/service.ts';

export interface RowProblem {
  /** The file's own name for the field: the CTF element or the spreadsheet column heading. */
  field: string;
  reason: string;
}

export interface ParsedRow {
  /** Spreadsheet row number, or the pupil's position in a CTF (1 = first pupil). */
  line: number;
  upn: string | null;
  name: string;
  record?: PupilRecordInput;
  problems: RowProblem[];
}

/** The names a file uses for the fields the shared rules check. */
export interface FieldNames {
  upn: string;
  formerUpn: string;
  uln: string;
  legalSurname: string;
  legalForename: string;
  dateOfBirth: string;
  senProvision: string;
  senNeeds: string;
  senStartDate: string;
}

export function displayName(forename: string | null | undefined, surname: string | null | undefined): string {
  return [forename, surname].filter((part) => part && part.trim()).join(' ');
}

/** The rules every imported record meets, whatever file it came from: identifiers, names, dates, census codes. */
export function recordProblems(record: PupilRecordInput, names: FieldNames, today: string): RowProblem[] {
  const problems: RowProblem[] = [];
  if (record.upn) {
    const problem = upnProblem(record.upn);
    if (problem) problems.push({ field: names.upn, reason: `${describeUpnProblem(problem)} ("${record.upn}")` });
  }
  if (record.formerUpn) {
    const problem = upnProblem(record.formerUpn);
    if (problem) problems.push({ field: names.formerUpn, reason: `Former ${describeUpnProblem(problem)} ("${record.formerUpn}")` });
  }
  if (record.uln) {
    const problem = ulnProblem(record.uln);
    if (problem) problems.push({ field: names.uln, reason: `${describeUlnProblem(problem)} ("${record.uln}")` });
  }
  if (!record.legalSurname) problems.push({ field: names.legalSurname, reason: 'Surname is missing' });
  if (!record.legalForename) problems.push({ field: names.legalForename, reason: 'Forename is missing' });
  if (!record.dateOfBirth) {
    problems.push({ field: names.dateOfBirth, reason: 'Date of birth is missing' });
  } else if (!isIsoDate(record.dateOfBirth)) {
    problems.push({ field: names.dateOfBirth, reason: `Date of birth "${record.dateOfBirth}" is not a real date` });
  } else if (record.dateOfBirth > today) {
    problems.push({ field: names.dateOfBirth, reason: 'Date of birth must be in the past' });
  }
  if (record.sen) {
    for (const problem of censusProblems(record.sen.provision, record.sen.needs, { allowHistoric: true })) {
      problems.push({ field: problem.field === 'provision' ? names.senProvision : names.senNeeds, reason: problem.message });
    }
    if (record.sen.startDate && !isIsoDate(record.sen.startDate)) {
      problems.push({ field: names.senStartDate, reason: `SEN start date "${record.sen.startDate}" is not a real date` });
    }
  }
  return problems;
}

function listPositions(positions: number[], noun: string): string {
  const shown = positions.slice(0, 5).map(String);
  const more = positions.length > 5 ? ` and ${positions.length - 5} more` : '';
  return `${noun}s ${shown.slice(0, -1).join(', ')}${shown.length > 1 ? ' and ' : ''}${shown.at(-1)}${more}`;
}

/**
 * A UPN that appears twice in one file cannot be trusted either time: every occurrence is rejected.
 * Rows without a UPN are matched by name and date of birth, so the same holds for those.
 */
export function rejectDuplicates(rows: ParsedRow[], names: Pick<FieldNames, 'upn' | 'legalSurname'>, noun: 'row' | 'pupil'): void {
  const byKey = new Map<string, ParsedRow[]>();
  for (const row of rows) {
    const record = row.record;
    if (!record) continue;
    const key = record.upn
      ? `upn:${record.upn}`
      : `name:${record.legalSurname.toLowerCase()}|${record.legalForename.toLowerCase()}|${record.dateOfBirth}`;
    const list = byKey.get(key);
    if (list) list.push(row);
    else byKey.set(key, [row]);
  }
  for (const [key, list] of byKey) {
    if (list.length < 2) continue;
    const where = listPositions(list.map((row) => row.line), noun);
    for (const row of list) {
      if (key.startsWith('upn:')) {
        row.problems.push({ field: names.upn, reason: `UPN ${row.record!.upn} appears more than once in the file (${where})` });
      } else {
        row.problems.push({ field: names.legalSurname, reason: `The same name and date of birth appear more than once in the file without a UPN (${where})` });
      }
    }
  }
}

/**
 * Applies the shared rules to rows a reader produced, then rejects duplicates. A field the reader
 * already found a problem with is not reported twice (an unreadable date is not also "missing").
 */
export function validateRows(rows: ParsedRow[], names: FieldNames, today: string, noun: 'row' | 'pupil'): ParsedRow[] {
  for (const row of rows) {
    if (!row.record) continue;
    const already = new Set(row.problems.map((problem) => problem.field));
    for (const problem of recordProblems(row.record, names, today)) {
      if (!already.has(problem.field)) row.problems.push(problem);
    }
  }
  rejectDuplicates(rows, names, noun);
  return rows;
}
