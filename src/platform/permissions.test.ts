import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { can, roleMay, type Actor } from './permissions.ts';

const school = 'school-1';
const pupil = (pupilId: string) => ({ kind: 'pupil' as const, schoolId: school, pupilId });
const actor = (role: Actor['role'], extra: Partial<Actor> = {}): Actor => ({ userId: 'u', displayName: 'x', schoolId: school, role, ...extra });

describe('the permission policy', () => {
  it('lets teachers and teaching assistants open only pupils they teach', () => {
    const teacher = actor('teacher', { taughtPupilIds: new Set(['taught']) });
    assert.equal(can(teacher, 'pupil.view', pupil('taught')), true);
    assert.equal(can(teacher, 'pupil.view', pupil('other')), false);
    assert.equal(can(actor('teaching_assistant'), 'pupil.view', pupil('taught')), false, 'no relationship loaded means no access');
  });
  it('lets parents open only their own children', () => {
    const parent = actor('parent', { childPupilIds: new Set(['mine']) });
    assert.equal(can(parent, 'pupil.view', pupil('mine')), true);
    assert.equal(can(parent, 'pupil.view', pupil('yours')), false);
    assert.equal(roleMay('parent', 'register.view'), false);
  });
  it('gives governors counts only', () => {
    assert.equal(roleMay('governor', 'register.counts'), true);
    assert.equal(roleMay('governor', 'register.view'), false);
    assert.equal(can(actor('governor'), 'pupil.view', pupil('any')), false);
  });
  it('keeps the audit log from SEN administrators but not from SENCOs and leaders', () => {
    assert.equal(roleMay('sen_admin', 'audit.view'), false);
    assert.equal(roleMay('senco', 'audit.view'), true);
    assert.equal(roleMay('leader', 'audit.view'), true);
  });
  it('never crosses schools, whatever the role', () => {
    assert.equal(can(actor('senco'), 'pupil.view', { kind: 'pupil', schoolId: 'school-2', pupilId: 'p' }), false);
  });
  it('lets only the SENCO and SEN administrator change SEN status or import', () => {
    for (const role of ['teacher', 'teaching_assistant', 'leader', 'governor', 'parent'] as const) {
      assert.equal(roleMay(role, 'pupil.sen.edit'), false, role);
      assert.equal(roleMay(role, 'import.run'), false, role);
    }
    assert.equal(roleMay('senco', 'pupil.sen.edit'), true);
    assert.equal(roleMay('sen_admin', 'import.run'), true);
  });
  it('lets teaching assistants and teachers record only the intervention groups they run', () => {
    const group = (staff: string[], schoolId = school) => ({ kind: 'intervention-group' as const, schoolId, groupId: 'g', staffUserIds: new Set(staff) });
    assert.equal(can(actor('teaching_assistant'), 'provision.group.record', group(['u'])), true);
    assert.equal(can(actor('teaching_assistant'), 'provision.group.record', group(['someone-else'])), false);
    assert.equal(can(actor('teacher'), 'provision.group.view', group(['u'])), true);
    assert.equal(can(actor('senco'), 'provision.group.record', group([])), true, 'the SENCO records for any group');
    assert.equal(can(actor('leader'), 'provision.group.record', group([])), false, 'leaders only look');
    assert.equal(can(actor('senco'), 'provision.group.view', group([], 'school-2')), false);
    assert.equal(can(actor('teaching_assistant', { taughtPupilIds: new Set(['g']) }), 'pupil.view', group(['u'])), false, 'a group is not a pupil');
    assert.equal(roleMay('governor', 'provision.aggregate'), true);
    assert.equal(roleMay('governor', 'provision.view'), false);
    assert.equal(roleMay('teaching_assistant', 'pupil.provision.view'), false);
    assert.equal(can(actor('parent', { childPupilIds: new Set(['mine']) }), 'pupil.provision.view', pupil('mine')), true);
  });
});
