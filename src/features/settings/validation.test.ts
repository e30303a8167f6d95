import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { can, roleMay, ROLES, type Actor } from '../../platform/permissions.ts';
import { navigationFor } from '../../platform/navigation.ts';
import { checkGroupDetails, checkSchoolDetails, groupKindFromText, parseYearGroup, personFormProblems } from './validation.ts';

const fields = (problems: Array<{ field: string }>) => problems.map((problem) => problem.field);

describe('school details', () => {
  const good = { name: ' Hill  Top Academy ', urn: '123456', laestab: '881/4002', laName: 'Northshire', phase: 'Secondary' };

  it('tidies and accepts good details, reading a LAESTAB written with a slash', () => {
    const { details, problems } = checkSchoolDetails(good);
    assert.deepEqual(problems, []);
    assert.deepEqual(details, { name: 'Hill Top Academy', urn: '123456', laestab: '8814002', laName: 'Northshire', phase: 'secondary' });
  });

  it('leaves the optional LAESTAB and local authority empty as null', () => {
    const { details } = checkSchoolDetails({ ...good, laestab: '', laName: '  ' });
    assert.equal(details?.laestab, null);
    assert.equal(details?.laName, null);
  });

  it('says what is wrong with each field', () => {
    const { details, problems } = checkSchoolDetails({ name: '', urn: '12345', laestab: '88140', laName: 'x'.repeat(101), phase: 'infant' });
    assert.equal(details, undefined);
    assert.deepEqual(fields(problems), ['name', 'urn', 'laestab', 'laName', 'phase']);
    assert.match(problems[1]!.message, /URN must be 6 digits, like 123456/);
    assert.match(problems[2]!.message, /LAESTAB must be 7 digits/);
    assert.match(problems[4]!.message, /primary, secondary, all-through or special/);
  });

  it('asks for a URN, and refuses letters in one', () => {
    assert.match(checkSchoolDetails({ ...good, urn: '' }).problems[0]!.message, /Enter the school’s URN/);
    assert.match(checkSchoolDetails({ ...good, urn: '12345A' }).problems[0]!.message, /6 digits/);
    assert.equal(checkSchoolDetails({ ...good, urn: '1234567' }).problems[0]!.field, 'urn');
  });

  it('accepts every phase', () => {
    for (const phase of ['primary', 'secondary', 'all-through', 'special']) assert.equal(checkSchoolDetails({ ...good, phase }).details?.phase, phase);
  });
});

describe('groups', () => {
  it('reads year groups as schools write them', () => {
    assert.equal(parseYearGroup(''), null);
    assert.equal(parseYearGroup('7'), 7);
    assert.equal(parseYearGroup('Year 7'), 7);
    assert.equal(parseYearGroup('Y11'), 11);
    assert.equal(parseYearGroup('yr 9'), 9);
    assert.equal(parseYearGroup('R'), 0);
    assert.equal(parseYearGroup('Reception'), 0);
    assert.equal(parseYearGroup('N1'), -2);
    assert.equal(parseYearGroup('Nursery 2'), -1);
    assert.equal(parseYearGroup('-2'), -2);
    assert.equal(parseYearGroup('15'), undefined);
    assert.equal(parseYearGroup('-3'), undefined);
    assert.equal(parseYearGroup('Year Seven'), undefined);
  });

  it('reads the kind of group', () => {
    assert.equal(groupKindFromText('Registration'), 'registration');
    assert.equal(groupKindFromText('teaching group'), 'teaching');
    assert.equal(groupKindFromText('form'), undefined);
  });

  it('accepts a teaching group with a subject and a registration group without one', () => {
    assert.deepEqual(checkGroupDetails({ name: ' 8X/Ma1 ', kind: 'teaching', subject: 'Mathematics', yearGroup: '8' }).details, {
      name: '8X/Ma1', kind: 'teaching', subject: 'Mathematics', yearGroup: 8,
    });
    assert.deepEqual(checkGroupDetails({ name: '7A', kind: 'registration', subject: '', yearGroup: '' }).details, { name: '7A', kind: 'registration', subject: null, yearGroup: null });
  });

  it('names the field of every problem', () => {
    const { problems } = checkGroupDetails({ name: '', kind: '', subject: '', yearGroup: '19' });
    assert.deepEqual(fields(problems), ['name', 'kind', 'yearGroup']);
    const registration = checkGroupDetails({ name: '7A', kind: 'registration', subject: 'English', yearGroup: '7' });
    assert.deepEqual(fields(registration.problems), ['subject']);
    assert.match(registration.problems[0]!.message, /Leave the subject blank for a registration group/);
    assert.match(checkGroupDetails({ name: 'x'.repeat(101), kind: 'teaching', subject: '', yearGroup: '' }).problems[0]!.message, /100 characters or fewer/);
  });
});

describe('the add-a-person form', () => {
  const form = { email: 'a@b.org', displayName: 'A', role: 'teacher', passwordChoice: 'generate', password: '' };
  it('needs a role and a way to make the password', () => {
    assert.deepEqual(personFormProblems(form), []);
    assert.deepEqual(fields(personFormProblems({ ...form, role: 'wizard', passwordChoice: '' })), ['role', 'passwordChoice']);
    assert.deepEqual(fields(personFormProblems({ ...form, passwordChoice: 'set' })), ['password']);
  });
});

describe('the settings.manage permission', () => {
  it('belongs to the SENCO alone, in their own school', () => {
    for (const role of ROLES) assert.equal(roleMay(role, 'settings.manage'), role === 'senco', role);
    const senco: Actor = { userId: 'u', displayName: 'S', schoolId: 'school-1', role: 'senco' };
    assert.equal(can(senco, 'settings.manage'), true);
  });

  it('puts School settings in the SENCO’s menu only, active on every settings page', () => {
    for (const role of ROLES) assert.equal(navigationFor(role, '/').some((item) => item.href === '/settings'), role === 'senco', role);
    assert.equal(navigationFor('senco', '/settings/groups/abc?q=1').find((item) => item.href === '/settings')?.active, true);
  });
});
