// A parent's "My child" page: besides the register's facts, what other features add for each of
// their children — the plan and what it asks of the family, meetings with them, the passport — and
// nothing about a child who is not theirs.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { BuiltApp } from '../src/app.ts';
import { getCurrentTemplate } from '../src/features/plans/templates.ts';
import * as plans from '../src/features/plans/service.ts';
import { schoolToday } from '../src/platform/dates.ts';
import { newId } from '../src/platform/ids.ts';
import type { Actor } from '../src/platform/permissions.ts';
import { schoolScope } from '../src/platform/scope.ts';
import { buildTestApp } from './support/app.ts';
import { describeEachDialect } from './support/databases.ts';
import { seedFixture, type Fixture } from './support/fixtures.ts';
import { signedInAs } from './support/http.ts';

describeEachDialect('My child', (getDatabase) => {
  let built: BuiltApp;
  let fixture: Fixture;
  const today = schoolToday();

  before(async () => {
    built = await buildTestApp(getDatabase());
    fixture = await seedFixture(getDatabase());
    const senco: Actor = { userId: fixture.schoolA.users.senco.id, displayName: 'SENCO A', schoolId: fixture.schoolA.id, role: 'senco' };
    const { taughtPupilId, otherPupilId } = fixture.schoolA;
    for (const pupilId of [taughtPupilId, otherPupilId]) {
      const cycleId = await plans.startPlan(built.ctx, senco, pupilId, { startedOn: today, reviewDueOn: '' }, null);
      await plans.addDoItem(built.ctx, senco, pupilId, cycleId, { who: 'Parents', what: pupilId === taughtPupilId ? 'Share a picture book at bedtime' : 'Practise the bus route', howOften: 'Most evenings' }, null);
      await plans.addDoItem(built.ctx, senco, pupilId, cycleId, { who: 'Teaching assistant', what: 'Talk Boost group', howOften: 'Twice a week' }, null);
    }
    const db = getDatabase().db;
    const now = new Date().toISOString();
    await db.insertInto('pupil_meetings').values([
      { school_id: fixture.schoolA.id, id: newId(), pupil_id: taughtPupilId, held_on: today, kind: 'parents', with_parents: 1, attendees: 'Maria Parent, SENCO', notes: 'Talked about reading at home', cycle_id: null, created_by: senco.userId, created_at: now, updated_at: now },
      { school_id: fixture.schoolA.id, id: newId(), pupil_id: taughtPupilId, held_on: today, kind: 'other', with_parents: 0, attendees: 'SENCO, class teacher', notes: 'Internal', cycle_id: null, created_by: senco.userId, created_at: now, updated_at: now },
    ]).execute();
    const template = await getCurrentTemplate(db, schoolScope(fixture.schoolA.id), 'passport');
    await db.insertInto('pupil_passports').values({ school_id: fixture.schoolA.id, id: newId(), pupil_id: taughtPupilId, version: 1, template_id: template.id, sections: '{}', strategies: '[]', restored_from: null, created_by: senco.userId, created_at: now }).execute();
  });
  after(async () => {
    await built.app.close();
  });

  it('shows a parent their child’s plan, what it asks of them, meetings with them and the passport, each linked', async () => {
    const parent = await signedInAs(() => built.app, () => fixture.schoolA)('parent');
    const page = await parent.get('/my-children');
    assert.equal(page.statusCode, 200);
    const { taughtPupilId } = fixture.schoolA;
    assert.match(page.body, /Plan 1, started/);
    assert.match(page.body, /What the plan asks of you/);
    assert.match(page.body, /Share a picture book at bedtime \(Most evenings\)/);
    assert.ok(!page.body.includes('Talk Boost group'), 'only what is asked of the family');
    assert.match(page.body, /Met once this school year/, 'the internal meeting does not count');
    assert.match(page.body, /Read the passport/);
    for (const path of ['plans', 'meetings', 'passport']) assert.ok(page.body.includes(`/pupils/${taughtPupilId}/${path}`), path);
    assert.ok(!page.body.includes('Practise the bus route'), 'another child’s plan is not shown');
  });

  it('shows a child with no plan, meeting or passport with the register’s facts only', async () => {
    const parentB = await signedInAs(() => built.app, () => fixture.schoolB)('parent');
    const page = await parentB.get('/my-children');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Needs the school has recorded/);
    assert.ok(!/SEN support plan|Meetings with you|Read the passport/.test(page.body));
  });
});
