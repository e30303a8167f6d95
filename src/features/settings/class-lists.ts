// Class lists from a CSV file: one row per pupil in a group, with the group's kind, subject, year and
// staff. Pure functions: the columns are found by their headings, every row is checked, and the plan
// says what importing the file would change. The service supplies what the school already has.
//
// What a file means: for each group it names, the file is the whole list. Pupils and staff it does not
// list are taken out of that group, unless one of that group's rows was rejected (then nobody is
// taken out: the list may be incomplete). Groups the file does not name are left alone, and so is a
// column the file leaves out (no Staff column: staff are not changed). Importing the same file again
// changes nothing.
import { describeUpnProblem, upnProblem } from '../register/identifiers.ts';
import { GROUP_KIND_LABELS, GROUP_NAME_MAX, groupKindFromText, parseYearGroup, yearGroupText, type GroupKind } from './validation.ts';

export type ClassListColumn = 'groupName' | 'kind' | 'subject' | 'yearGroup' | 'staff' | 'upn';

export const CLASS_LIST_COLUMNS: Array<{ key: ClassListColumn; label: string; required: boolean; aliases: string[] }> = [
  { key: 'groupName', label: 'Group name', required: true, aliases: ['groupname', 'group', 'classname', 'class'] },
  { key: 'kind', label: 'Kind', required: true, aliases: ['kind', 'groupkind', 'type', 'grouptype'] },
  { key: 'subject', label: 'Subject', required: false, aliases: ['subject'] },
  { key: 'yearGroup', label: 'Year', required: false, aliases: ['year', 'yeargroup', 'ncyear', 'yr'] },
  { key: 'staff', label: 'Staff emails', required: false, aliases: ['staffemails', 'staffemail', 'staff', 'teachers', 'teacheremails', 'teacher', 'emails'] },
  { key: 'upn', label: 'Pupil UPN', required: true, aliases: ['pupilupn', 'upn'] },
];

export const CLASS_LIST_HEADINGS = CLASS_LIST_COLUMNS.map((column) => column.label);

export type ColumnPositions = Partial<Record<ClassListColumn, number>>;

function headingKey(heading: string): string {
  return heading.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Finds each column by its heading (any case, spaces and punctuation ignored). */
export function matchColumns(headers: string[]): { columns: ColumnPositions; problems: string[]; ignored: string[] } {
  const columns: ColumnPositions = {};
  const problems: string[] = [];
  const ignored: string[] = [];
  headers.forEach((heading, index) => {
    const key = headingKey(heading);
    const column = CLASS_LIST_COLUMNS.find((candidate) => candidate.aliases.includes(key));
    if (!column) {
      ignored.push(heading);
      return;
    }
    if (columns[column.key] !== undefined) {
      problems.push(`Two columns are headed as ${column.label} (“${headers[columns[column.key]!]}” and “${heading}”): keep one`);
      return;
    }
    columns[column.key] = index;
  });
  for (const column of CLASS_LIST_COLUMNS) {
    if (column.required && columns[column.key] === undefined) problems.push(`The file has no “${column.label}” column`);
  }
  return { columns, problems, ignored };
}

export interface ClassListProblem {
  /** The column's name as this page calls it (Group name, Kind, Subject, Year, Staff emails, Pupil UPN). */
  field: string;
  reason: string;
}

export interface RejectedClassListRow {
  line: number;
  group: string;
  upn: string;
  problems: ClassListProblem[];
}

/** What the school has now, for checking and comparing. Emails are lower case, UPNs upper case, names as stored. */
export interface ClassListLookups {
  pupilsByUpn: ReadonlyMap<string, { id: string; onRoll: boolean }>;
  /** Teachers and teaching assistants of the school: the people a group's staff can be. */
  staffByEmail: ReadonlyMap<string, { userId: string }>;
  /** Everyone else with a role here, so a refusal can say why. */
  otherRolesByEmail: ReadonlyMap<string, string>;
  groups: ReadonlyArray<CurrentGroup>;
}

export interface CurrentGroup {
  id: string;
  name: string;
  kind: string;
  subject: string | null;
  yearGroup: number | null;
  pupilIds: ReadonlySet<string>;
  staffIds: ReadonlySet<string>;
}

export interface GroupPlan {
  name: string;
  existingId: string | null;
  outcome: 'new' | 'changed' | 'unchanged';
  kind: GroupKind;
  subject: string | null;
  yearGroup: number | null;
  /** Words for what changes about the group itself: "kind", "subject", "year". */
  detailChanges: string[];
  addPupilIds: string[];
  removePupilIds: string[];
  addStaffIds: string[];
  removeStaffIds: string[];
  /** Some of this group's rows were rejected, so nobody is taken out of it. */
  removalsHeldBack: boolean;
  lines: number[];
}

export interface ClassListCounts {
  rows: number;
  groups: number;
  newGroups: number;
  changedGroups: number;
  unchangedGroups: number;
  pupilsAdded: number;
  pupilsRemoved: number;
  staffAdded: number;
  staffRemoved: number;
  rejected: number;
}

export interface ClassListPlan {
  groups: GroupPlan[];
  rejected: RejectedClassListRow[];
  counts: ClassListCounts;
  /** Whether confirming would change anything. */
  toApply: number;
}

interface GroupDraft {
  name: string;
  kind: GroupKind;
  subject: string | null | undefined;
  yearGroup: number | null | undefined;
  firstLine: number;
  pupils: Map<string, number>;
  staff: Set<string>;
  lines: number[];
  rejectedRows: number;
}

const ROLE_WORDS: Record<string, string> = {
  senco: 'SENCO',
  sen_admin: 'SEN administrator',
  leader: 'Senior leader',
  governor: 'Governor',
  parent: 'Parent or carer',
};

/** Checks every row and works out what importing the file would do to the school's groups. */
export function planClassLists(
  table: { headers: string[]; rows: ReadonlyArray<{ line: number; cells: string[] }> },
  columns: ColumnPositions,
  lookups: ClassListLookups,
): ClassListPlan {
  const cell = (cells: string[], key: ClassListColumn) => (columns[key] === undefined ? undefined : (cells[columns[key]!] ?? '').trim());
  const label = (key: ClassListColumn) => CLASS_LIST_COLUMNS.find((column) => column.key === key)!.label;
  const drafts = new Map<string, GroupDraft>();
  const rejected: RejectedClassListRow[] = [];
  const rejectedGroups = new Map<string, number>();

  for (const row of table.rows) {
    const problems: ClassListProblem[] = [];
    const problem = (key: ClassListColumn, reason: string) => problems.push({ field: label(key), reason });
    const name = (cell(row.cells, 'groupName') ?? '').replace(/\s+/g, ' ');
    const kindText = cell(row.cells, 'kind') ?? '';
    const subjectText = cell(row.cells, 'subject');
    const yearText = cell(row.cells, 'yearGroup');
    const staffText = cell(row.cells, 'staff');
    const upn = (cell(row.cells, 'upn') ?? '').replace(/\s+/g, '').toUpperCase();
    const groupKey = name.toLowerCase();

    if (!name) problem('groupName', 'Enter the group’s name');
    else if (name.length > GROUP_NAME_MAX) problem('groupName', `Group name must be ${GROUP_NAME_MAX} characters or fewer`);
    const kind = groupKindFromText(kindText);
    if (!kind) problem('kind', kindText ? `“${kindText}” is not a kind of group: write registration or teaching` : 'Enter the kind of group: registration or teaching');
    const subject = subjectText === undefined ? undefined : subjectText.replace(/\s+/g, ' ') || null;
    if (subject && subject.length > 100) problem('subject', 'Subject must be 100 characters or fewer');
    else if (subject && kind === 'registration') problem('subject', 'Leave the subject blank for a registration group: subjects are for teaching groups');
    const yearGroup = yearText === undefined ? undefined : parseYearGroup(yearText);
    if (yearText !== undefined && yearGroup === undefined) problem('yearGroup', `“${yearText}” is not a year group: write a year like 7, Year 7, R or N1, or leave it blank`);

    const staffIds: string[] = [];
    if (staffText) {
      for (const email of staffText.split(';').map((entry) => entry.trim().toLowerCase()).filter(Boolean)) {
        const member = lookups.staffByEmail.get(email);
        if (member) staffIds.push(member.userId);
        else if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) problem('staff', `“${email}” is not an email address (separate several with ;)`);
        else if (lookups.otherRolesByEmail.has(email)) {
          problem('staff', `${email} is ${ROLE_WORDS[lookups.otherRolesByEmail.get(email)!] ?? 'not a teacher'} at this school: a group’s staff must be teachers or teaching assistants`);
        } else problem('staff', `No teacher or teaching assistant at this school has the email address ${email}: add them under People first`);
      }
    }

    let pupilId: string | undefined;
    if (!upn) problem('upn', 'Enter the pupil’s UPN');
    else {
      const pupil = lookups.pupilsByUpn.get(upn);
      const formatProblem = upnProblem(upn);
      if (!pupil && formatProblem) problem('upn', describeUpnProblem(formatProblem));
      else if (!pupil) problem('upn', `No pupil on the register has the UPN ${upn}: import the school’s roll first, or check the UPN`);
      else if (!pupil.onRoll) problem('upn', `The pupil with UPN ${upn} is no longer on roll`);
      else pupilId = pupil.id;
    }

    // The group's first good row says what the group is; later rows must agree.
    const draft = drafts.get(groupKey);
    if (draft && problems.length === 0) {
      if (kind !== draft.kind) problem('kind', `${draft.name} is a ${draft.kind} group on line ${draft.firstLine}`);
      if (subject !== undefined && draft.subject !== undefined && subject !== draft.subject) {
        problem('subject', `${draft.name} has ${draft.subject ? `the subject ${draft.subject}` : 'no subject'} on line ${draft.firstLine}`);
      }
      if (yearGroup !== undefined && draft.yearGroup !== undefined && yearGroup !== draft.yearGroup) {
        problem('yearGroup', `${draft.name} is for ${yearGroupText(draft.yearGroup)} on line ${draft.firstLine}`);
      }
      if (pupilId && draft.pupils.has(pupilId)) problem('upn', `This pupil is already listed for ${draft.name} on line ${draft.pupils.get(pupilId)}`);
    }

    if (problems.length || !kind || !pupilId) {
      rejected.push({ line: row.line, group: name, upn, problems });
      if (groupKey) rejectedGroups.set(groupKey, (rejectedGroups.get(groupKey) ?? 0) + 1);
      continue;
    }
    const entry = draft ?? {
      name,
      kind,
      subject: subject === undefined ? undefined : subject,
      yearGroup,
      firstLine: row.line,
      pupils: new Map<string, number>(),
      staff: new Set<string>(),
      lines: [],
      rejectedRows: 0,
    };
    entry.pupils.set(pupilId, row.line);
    for (const id of staffIds) entry.staff.add(id);
    entry.lines.push(row.line);
    drafts.set(groupKey, entry);
  }

  const existingByName = new Map(lookups.groups.map((group) => [group.name.toLowerCase(), group]));
  const groups: GroupPlan[] = [];
  for (const [key, draft] of drafts) {
    const existing = existingByName.get(key);
    const heldBack = (rejectedGroups.get(key) ?? 0) > 0;
    const subject = draft.subject === undefined ? (existing?.subject ?? null) : draft.subject;
    const yearGroup = draft.yearGroup === undefined ? (existing?.yearGroup ?? null) : draft.yearGroup;
    const detailChanges: string[] = [];
    if (existing) {
      if (existing.kind !== draft.kind) detailChanges.push(`kind (${GROUP_KIND_LABELS[draft.kind].toLowerCase()})`);
      if ((existing.subject ?? null) !== subject) detailChanges.push(subject ? `subject (${subject})` : 'subject (none)');
      if ((existing.yearGroup ?? null) !== yearGroup) detailChanges.push(`year (${yearGroupText(yearGroup)})`);
    }
    const filePupils = [...draft.pupils.keys()];
    const addPupilIds = filePupils.filter((id) => !existing?.pupilIds.has(id));
    const removePupilIds = existing && !heldBack ? [...existing.pupilIds].filter((id) => !draft.pupils.has(id)) : [];
    const staffColumn = columns.staff !== undefined;
    const addStaffIds = staffColumn ? [...draft.staff].filter((id) => !existing?.staffIds.has(id)) : [];
    const removeStaffIds = staffColumn && existing && !heldBack ? [...existing.staffIds].filter((id) => !draft.staff.has(id)) : [];
    const changed = detailChanges.length + addPupilIds.length + removePupilIds.length + addStaffIds.length + removeStaffIds.length > 0;
    groups.push({
      name: existing?.name ?? draft.name,
      existingId: existing?.id ?? null,
      outcome: existing ? (changed ? 'changed' : 'unchanged') : 'new',
      kind: draft.kind,
      subject,
      yearGroup,
      detailChanges,
      addPupilIds,
      removePupilIds,
      addStaffIds,
      removeStaffIds,
      removalsHeldBack: heldBack && Boolean(existing),
      lines: draft.lines,
    });
  }
  groups.sort((a, b) => a.name.localeCompare(b.name, 'en-GB', { numeric: true }));

  const counts: ClassListCounts = {
    rows: table.rows.length,
    groups: groups.length,
    newGroups: groups.filter((group) => group.outcome === 'new').length,
    changedGroups: groups.filter((group) => group.outcome === 'changed').length,
    unchangedGroups: groups.filter((group) => group.outcome === 'unchanged').length,
    pupilsAdded: groups.reduce((sum, group) => sum + group.addPupilIds.length, 0),
    pupilsRemoved: groups.reduce((sum, group) => sum + group.removePupilIds.length, 0),
    staffAdded: groups.reduce((sum, group) => sum + group.addStaffIds.length, 0),
    staffRemoved: groups.reduce((sum, group) => sum + group.removeStaffIds.length, 0),
    rejected: rejected.length,
  };
  return { groups, rejected, counts, toApply: counts.newGroups + counts.changedGroups };
}
