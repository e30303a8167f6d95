import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeUpn } from '../register/identifiers.ts';
import { matchColumns, planClassLists, type ClassListLookups, type CurrentGroup } from './class-lists.ts';

const UPN = [1, 2, 3, 4].map((serial) => makeUpn('881', '4001', 2014, serial));
const HEADERS = ['Group name', 'Kind', 'Subject', 'Year', 'Staff emails', 'Pupil UPN'];

function table(rows: string[][], headers = HEADERS) {
  return { headers, rows: rows.map((cells, index) => ({ line: index + 2, cells })) };
}

function lookups(groups: CurrentGroup[] = []): ClassListLookups {
  return {
    pupilsByUpn: new Map([
      [UPN[0]!, { id: 'p1', onRoll: true }],
      [UPN[1]!, { id: 'p2', onRoll: true }],
      [UPN[2]!, { id: 'p3', onRoll: true }],
      [UPN[3]!, { id: 'p4', onRoll: false }],
    ]),
    staffByEmail: new Map([
      ['t1@school.org', { userId: 't1' }],
      ['ta@school.org', { userId: 'ta' }],
    ]),
    otherRolesByEmail: new Map([['parent@home.org', 'parent']]),
    groups,
  };
}

function plan(rows: string[][], groups: CurrentGroup[] = [], headers = HEADERS) {
  const { columns, problems } = matchColumns(headers);
  assert.deepEqual(problems, []);
  return planClassLists(table(rows, headers), columns, lookups(groups));
}

describe('class lists: columns', () => {
  it('finds columns by heading in any order and case, and names missing ones', () => {
    const found = matchColumns(['UPN', 'group', 'TYPE', 'Notes']);
    assert.deepEqual(found.columns, { upn: 0, groupName: 1, kind: 2 });
    assert.deepEqual(found.ignored, ['Notes']);
    assert.deepEqual(matchColumns(['Group name', 'Subject']).problems, ['The file has no “Kind” column', 'The file has no “Pupil UPN” column']);
    assert.match(matchColumns(['Group', 'Group name', 'Kind', 'UPN']).problems[0]!, /Two columns are headed as Group name/);
  });
});

describe('class lists: the plan', () => {
  it('creates groups with their pupils and staff, one row per pupil', () => {
    const result = plan([
      ['7A', 'registration', '', '7', 't1@school.org', UPN[0]!],
      ['7A', 'Registration', '', 'Year 7', 't1@school.org', UPN[1]!],
      ['8X/Ma1', 'teaching', 'Mathematics', '8', 'T1@school.org; ta@school.org', UPN[2]!],
    ]);
    assert.deepEqual(result.rejected, []);
    assert.deepEqual(
      result.groups.map((group) => [group.name, group.outcome, group.kind, group.subject, group.yearGroup, group.addPupilIds, group.addStaffIds]),
      [
        ['7A', 'new', 'registration', null, 7, ['p1', 'p2'], ['t1']],
        ['8X/Ma1', 'new', 'teaching', 'Mathematics', 8, ['p3'], ['t1', 'ta']],
      ],
    );
    assert.equal(result.counts.newGroups, 2);
    assert.equal(result.counts.pupilsAdded, 3);
    assert.equal(result.toApply, 2);
  });

  it('rejects each bad row with its line, field and reason', () => {
    const result = plan([
      ['7A', 'form', '', '7', '', UPN[0]!],
      ['7B', 'registration', 'English', '7', '', UPN[1]!],
      ['7C', 'registration', '', 'Year Seven', '', UPN[2]!],
      ['7D', 'registration', '', '7', 'nobody@school.org;parent@home.org;not-an-email', UPN[0]!],
      ['7E', 'registration', '', '7', '', 'X123'],
      ['7E', 'registration', '', '7', '', makeUpn('881', '4001', 2014, 99)],
      ['7E', 'registration', '', '7', '', UPN[3]!],
      ['', 'registration', '', '7', '', ''],
    ]);
    assert.equal(result.groups.length, 0);
    const reasons = result.rejected.map((row) => [row.line, row.problems.map((problem) => `${problem.field}: ${problem.reason}`)]);
    assert.deepEqual(reasons, [
      [2, ['Kind: “form” is not a kind of group: write registration or teaching']],
      [3, ['Subject: Leave the subject blank for a registration group: subjects are for teaching groups']],
      [4, ['Year: “Year Seven” is not a year group: write a year like 7, Year 7, R or N1, or leave it blank']],
      [5, [
        'Staff emails: No teacher or teaching assistant at this school has the email address nobody@school.org: add them under People first',
        'Staff emails: parent@home.org is Parent or carer at this school: a group’s staff must be teachers or teaching assistants',
        'Staff emails: “not-an-email” is not an email address (separate several with ;)',
      ]],
      [6, ['Pupil UPN: UPN must be 13 characters']],
      [7, [`Pupil UPN: No pupil on the register has the UPN ${makeUpn('881', '4001', 2014, 99)}: import the school’s roll first, or check the UPN`]],
      [8, [`Pupil UPN: The pupil with UPN ${UPN[3]} is no longer on roll`]],
      [9, ['Group name: Enter the group’s name', 'Pupil UPN: Enter the pupil’s UPN']],
    ]);
    assert.equal(result.counts.rejected, 8);
    assert.equal(result.toApply, 0);
  });

  it('holds a group to what its first row says, and refuses a pupil listed twice', () => {
    const result = plan([
      ['7A', 'registration', '', '7', '', UPN[0]!],
      ['7a', 'teaching', '', '7', '', UPN[1]!],
      ['7A', 'registration', '', '8', '', UPN[1]!],
      ['7A', 'registration', '', '7', '', UPN[0]!],
    ]);
    assert.deepEqual(result.rejected.map((row) => [row.line, row.problems[0]!.reason]), [
      [3, '7A is a registration group on line 2'],
      [4, '7A is for Year 7 on line 2'],
      [5, 'This pupil is already listed for 7A on line 2'],
    ]);
    assert.deepEqual(result.groups.map((group) => group.addPupilIds), [['p1']]);
  });

  const existing = (): CurrentGroup => ({ id: 'g1', name: '7A', kind: 'registration', subject: null, yearGroup: 7, pupilIds: new Set(['p1', 'p2']), staffIds: new Set(['t1']) });

  it('treats the file as the whole list of each group it names: others are taken out', () => {
    const result = plan([['7a', 'registration', '', '7', 'ta@school.org', UPN[0]!], ['7A', 'registration', '', '7', 'ta@school.org', UPN[2]!]], [existing()]);
    const [group] = result.groups;
    assert.equal(group!.name, '7A', 'the existing name is kept, whatever its case in the file');
    assert.equal(group!.outcome, 'changed');
    assert.deepEqual(group!.addPupilIds, ['p3']);
    assert.deepEqual(group!.removePupilIds, ['p2']);
    assert.deepEqual(group!.addStaffIds, ['ta']);
    assert.deepEqual(group!.removeStaffIds, ['t1']);
    assert.deepEqual(group!.detailChanges, []);
  });

  it('takes nobody out of a group with a rejected row', () => {
    const result = plan([['7A', 'registration', '', '7', '', UPN[0]!], ['7A', 'registration', '', '7', '', 'A000000000000']], [existing()]);
    assert.equal(result.groups[0]!.removalsHeldBack, true);
    assert.deepEqual(result.groups[0]!.removePupilIds, []);
    assert.deepEqual(result.groups[0]!.removeStaffIds, []);
  });

  it('leaves alone what a column left out of the file would say', () => {
    const headers = ['Group name', 'Kind', 'Pupil UPN'];
    const result = plan([['7A', 'registration', UPN[0]!], ['7A', 'registration', UPN[1]!]], [existing()], headers);
    assert.equal(result.groups[0]!.outcome, 'unchanged', 'no Staff column: staff kept; no Year column: year kept');
    assert.equal(result.toApply, 0);
  });

  it('changes nothing when the file says what the school already has', () => {
    const result = plan([['7A', 'registration', '', '7', 't1@school.org', UPN[0]!], ['7A', 'registration', '', '7', 't1@school.org', UPN[1]!]], [existing()]);
    assert.equal(result.groups[0]!.outcome, 'unchanged');
    assert.equal(result.counts.unchangedGroups, 1);
    assert.equal(result.toApply, 0);
  });

  it('notices a change to the group itself', () => {
    const result = plan([['7A', 'teaching', 'English', '8', 't1@school.org', UPN[0]!], ['7A', 'teaching', 'English', '8', 't1@school.org', UPN[1]!]], [existing()]);
    assert.deepEqual(result.groups[0]!.detailChanges, ['kind (teaching group)', 'subject (English)', 'year (Year 8)']);
  });
});
