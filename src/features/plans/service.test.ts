// SEN support plans at the service level, on both databases: templates and their versions, one open
// plan per pupil, the review that closes a cycle and opens the next (targets, strategies, do items,
// assessment and provision carried in one transaction), the hub's lists and the chronology's events.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BuiltApp } from '../../app.ts';
import { buildTestApp } from '../../../test/support/app.ts';
import { describeEachDialect } from '../../../test/support/databases.ts';
import { seedFixture, type Fixture } from '../../../test/support/fixtures.ts';
import { seedProvisionFixture, type ProvisionFixture } from '../../../test/support/provision-fixtures.ts';
import { schoolToday } from '../../platform/dates.ts';
import { ValidationError } from '../../platform/errors.ts';
import type { Actor } from '../../platform/permissions.ts';
import { schoolScope } from '../../platform/scope.ts';
import { addDaysIso, defaultReviewDate } from './rules.ts';
import * as plans from './service.ts';
import { getCurrentTemplate, getTemplate } from './templates.ts';

const today = schoolToday();

describeEachDialect('SEN support plans (service)', (getDatabase) => {
  describe('plans', () => {
    let built: BuiltApp;
    let fixture: Fixture;
    let provision: ProvisionFixture;
    let senco: Actor;
    let teacher: Actor;

    before(async () => {
      built = await buildTestApp(getDatabase());
      fixture = await seedFixture(getDatabase());
      provision = await seedProvisionFixture(getDatabase(), fixture);
      senco = { userId: fixture.schoolA.users.senco.id, displayName: 'SENCO A', schoolId: fixture.schoolA.id, role: 'senco' };
      teacher = { userId: fixture.schoolA.users.teacher.id, displayName: 'Teacher A', schoolId: fixture.schoolA.id, role: 'teacher', taughtPupilIds: new Set([fixture.schoolA.taughtPupilId]) };
    });
    after(async () => {
      await built.app.close();
    });

    const actions = async (pupilId?: string) => {
      await built.ctx.audit.flush();
      let query = getDatabase().db.selectFrom('audit_events').select(['action', 'detail']).where('school_id', '=', fixture.schoolA.id);
      if (pupilId) query = query.where('pupil_id', '=', pupilId);
      return (await query.orderBy('seq').execute()).map((row) => row.action);
    };

    it('writes version 1 of a template once, even when asked twice at the same time', async () => {
      const scope = schoolScope(fixture.schoolB.id);
      const [a, b] = await Promise.all([getCurrentTemplate(getDatabase().db, scope, 'review'), getCurrentTemplate(getDatabase().db, scope, 'review')]);
      assert.equal(a.id, b.id);
      assert.equal(a.version, 1);
      assert.deepEqual(a.sections.map((section) => section.heading), ['Overall progress', 'What the pupil and parents said', 'What will change']);
      const rows = await getDatabase().db.selectFrom('record_templates').select('id').where('school_id', '=', fixture.schoolB.id).where('kind', '=', 'review').execute();
      assert.equal(rows.length, 1);
    });

    it('starts one plan per pupil on SEN support, with a termly review date', async () => {
      await assert.rejects(plans.startPlan(built.ctx, senco, fixture.schoolA.noSenPupilId, { startedOn: today, reviewDueOn: '' }, null), (error: unknown) => error instanceof ValidationError && /on SEN support/.test(error.message));
      await assert.rejects(plans.startPlan(built.ctx, teacher, fixture.schoolA.taughtPupilId, { startedOn: today, reviewDueOn: '' }, null), /permission/);
      const cycleId = await plans.startPlan(built.ctx, senco, fixture.schoolA.taughtPupilId, { startedOn: today, reviewDueOn: '' }, null);
      const again = plans.startPlan(built.ctx, senco, fixture.schoolA.taughtPupilId, { startedOn: today, reviewDueOn: '' }, null);
      await assert.rejects(again, (error: unknown) => error instanceof ValidationError && /already has a plan open/.test(error.message));
      const row = await getDatabase().db.selectFrom('support_cycles').selectAll().where('id', '=', cycleId).executeTakeFirstOrThrow();
      assert.equal(row.review_due_on, defaultReviewDate(today));
      assert.equal(Number(row.number), 1);
      assert.ok((await actions(fixture.schoolA.taughtPupilId)).includes('plan.started'));
    });

    it('keeps old records reading with the headings they were written with after the template changes', async () => {
      const { current } = await plans.getPupilPlans(built.ctx, senco, fixture.schoolA.taughtPupilId, '127.0.0.1');
      assert.ok(current);
      await plans.saveAssess(built.ctx, senco, fixture.schoolA.taughtPupilId, current.id, { needs: 'Finds it hard to follow spoken instructions.', 'pupil-views': '“I like drawing.”' }, null);
      const v1 = await getCurrentTemplate(getDatabase().db, schoolScope(fixture.schoolA.id), 'plan');
      const saved = await plans.saveTemplate(built.ctx, senco, 'plan', [
        { key: 'needs', heading: 'Needs in a sentence', prompt: '' },
        { key: '', heading: 'Strengths', prompt: 'What the pupil is good at' },
      ], v1.version, null);
      assert.equal(saved.version, 2);
      await assert.rejects(plans.saveTemplate(built.ctx, senco, 'plan', [{ key: 'needs', heading: 'Other', prompt: '' }], v1.version, null), /while you were editing/);
      const again = await plans.getPupilPlans(built.ctx, senco, fixture.schoolA.taughtPupilId, '127.0.0.1');
      assert.deepEqual(again.current!.assess.map((section) => [section.heading, section.answer]).slice(0, 3), [['Summary of needs', 'Finds it hard to follow spoken instructions.'], ['Recent assessment results', ''], ['What the pupil says', '“I like drawing.”']]);
      assert.equal((await getTemplate(getDatabase().db, schoolScope(fixture.schoolA.id), again.current!.planTemplate.id)).version, 1);
      // Another school cannot read this school's template.
      await assert.rejects(getTemplate(getDatabase().db, schoolScope(fixture.schoolB.id), saved.id), /not found/);
    });

    it('closes a cycle and opens the next with what continues, in one transaction', async () => {
      const pupilId = fixture.schoolA.taughtPupilId;
      const { current } = await plans.getPupilPlans(built.ctx, senco, pupilId, '127.0.0.1');
      const cycleId = current!.id;
      const due = current!.reviewDueOn;
      const t1 = await plans.addTarget(built.ctx, senco, pupilId, cycleId, { area: 'Reading', target: 'Read the first 100 words', successCriterion: '90 of 100 on three days', dueOn: due }, null);
      const t2 = await plans.addTarget(built.ctx, senco, pupilId, cycleId, { area: '', target: 'Follow a two-step instruction', successCriterion: '4 times out of 5', dueOn: due }, null);
      await plans.addStrategy(built.ctx, senco, pupilId, cycleId, { strategy: 'Give one instruction at a time' }, null);
      const item = await plans.addDoItem(built.ctx, senco, pupilId, cycleId, { who: 'Teaching assistant', what: 'Precision teaching of words', howOften: 'Daily, 10 minutes' }, null);
      await plans.updateDoItem(built.ctx, senco, pupilId, cycleId, item, { who: 'Teaching assistant', what: 'Precision teaching of words', howOften: 'Four times a week' }, null);
      await plans.addProvision(built.ctx, senco, pupilId, cycleId, provision.schoolA.supportGroupId, null);
      const before = await plans.getPupilPlans(built.ctx, senco, pupilId, '127.0.0.1');
      assert.ok(before.provision.some((entry) => entry.groupId === provision.schoolA.supportGroupId && entry.fromThisPlan));
      assert.ok(before.provision.some((entry) => entry.groupId === provision.schoolA.groupId && !entry.fromThisPlan));

      // Closing before the review is recorded is refused.
      await assert.rejects(plans.closeCycle(built.ctx, senco, pupilId, cycleId, null), ValidationError);
      const heldOn = today;
      const next = defaultReviewDate(heldOn);
      await assert.rejects(plans.saveReviewDraft(built.ctx, senco, pupilId, cycleId, { heldOn, nextReviewOn: next, sections: {}, targets: { [t1]: { rating: 'achieved', note: '', carry: null } } }, null), (error: unknown) => error instanceof ValidationError && error.errors.some((entry) => entry.field === `rating-${t2}`));
      await plans.saveReviewDraft(built.ctx, senco, pupilId, cycleId, {
        heldOn, nextReviewOn: next, sections: { progress: 'Good progress in reading.', changes: 'Keep going with instructions.' },
        targets: { [t1]: { rating: 'achieved', note: 'Reads 95 of 100', carry: null }, [t2]: { rating: 'partly', note: '', carry: null } },
      }, null);
      const nextId = await plans.closeCycle(built.ctx, senco, pupilId, cycleId, null);

      const cycles = await getDatabase().db.selectFrom('support_cycles').selectAll().where('pupil_id', '=', pupilId).orderBy('number').execute();
      assert.deepEqual(cycles.map((row) => [Number(row.number), row.status]), [[1, 'closed'], [2, 'open']]);
      assert.equal(cycles[1]!.id, nextId);
      assert.equal(cycles[1]!.previous_cycle_id, cycleId);
      assert.equal(cycles[1]!.started_on, heldOn);
      assert.equal(cycles[1]!.review_due_on, next);
      assert.match(cycles[1]!.assess, /Finds it hard to follow spoken instructions/);
      const targets = await getDatabase().db.selectFrom('support_targets').selectAll().where('cycle_id', '=', nextId).execute();
      assert.deepEqual(targets.map((row) => [row.target, row.carried_from, row.rating, row.due_on]), [['Follow a two-step instruction', t2, null, next]]);
      const oldTargets = await getDatabase().db.selectFrom('support_targets').select(['id', 'rating', 'continues']).where('cycle_id', '=', cycleId).orderBy('position').execute();
      assert.deepEqual(oldTargets.map((row) => [row.rating, Number(row.continues)]), [['achieved', 0], ['partly', 1]]);
      const strategies = await getDatabase().db.selectFrom('support_strategies').select(['strategy', 'carried_from']).where('cycle_id', '=', nextId).execute();
      assert.deepEqual(strategies.map((row) => row.strategy), ['Give one instruction at a time']);
      const doItems = await getDatabase().db.selectFrom('support_do_items').select(['how_often', 'carried_from']).where('cycle_id', '=', nextId).execute();
      assert.deepEqual(doItems.map((row) => [row.how_often, row.carried_from]), [['Four times a week', item]]);
      const member = await getDatabase().db.selectFrom('intervention_members').select('source').where('group_id', '=', provision.schoolA.supportGroupId).where('pupil_id', '=', pupilId).executeTakeFirstOrThrow();
      assert.equal(member.source, `plan:${nextId}`);
      const log = await actions(pupilId);
      for (const action of ['plan.target-added', 'plan.do-changed', 'plan.provision-added', 'plan.review-drafted', 'plan.reviewed', 'plan.closed']) assert.ok(log.includes(action), action);
      // The closed cycle cannot be changed.
      await assert.rejects(plans.addTarget(built.ctx, senco, pupilId, cycleId, { area: '', target: 'x', successCriterion: 'y', dueOn: due }, null), /reviewed and closed/);
    });

    it('lists reviews overdue and due soon, and pupils on SEN support with no plan', async () => {
      const pupilId = fixture.schoolA.otherPupilId;
      const started = addDaysIso(today, -120);
      const cycleId = await plans.startPlan(built.ctx, senco, pupilId, { startedOn: started, reviewDueOn: addDaysIso(today, -3) }, null);
      const overdue = await plans.getPlansHub(built.ctx, senco, { show: 'overdue', yearGroup: '', sort: 'due', page: 1 }, null);
      assert.deepEqual(overdue.rows.map((row) => [row.pupilId, row.cycleId]), [[pupilId, cycleId]]);
      assert.equal(overdue.counts.overdue, 1);
      const none = await plans.getPlansHub(built.ctx, senco, { show: 'no-plan', yearGroup: '', sort: 'due', page: 1 }, null);
      assert.equal(none.counts['no-plan'], 0);
      await plans.changeReviewDate(built.ctx, senco, pupilId, cycleId, addDaysIso(today, 10), null);
      const soon = await plans.getPlansHub(built.ctx, senco, { show: 'due-soon', yearGroup: '7', sort: 'name', page: 1 }, null);
      assert.ok(soon.rows.some((row) => row.pupilId === pupilId));
      const otherYear = await plans.getPlansHub(built.ctx, senco, { show: 'due-soon', yearGroup: '9', sort: 'name', page: 1 }, null);
      assert.equal(otherYear.rows.length, 0);
    });

    it('gives the chronology plan started, targets set and review held, for those who may see the plan', async () => {
      const events = await plans.chronologyEvents(built.ctx, senco, fixture.schoolA.taughtPupilId);
      const titles = events.map((event) => event.title);
      assert.ok(titles.includes('Plan 1 started'), titles.join('; '));
      assert.ok(titles.includes('2 targets set in plan 1'), titles.join('; '));
      assert.ok(titles.includes('Review held: plan 1 closed'), titles.join('; '));
      assert.ok(events.find((event) => event.title === 'Review held: plan 1 closed')!.detail!.includes('1 achieved, 1 partly achieved, 0 not yet achieved'));
      const parentOfOther = { userId: fixture.schoolA.users.parent.id, displayName: 'Parent', schoolId: fixture.schoolA.id, role: 'parent' as const, childPupilIds: new Set([fixture.schoolA.taughtPupilId]) };
      assert.deepEqual(await plans.chronologyEvents(built.ctx, parentOfOther, fixture.schoolA.otherPupilId), []);
    });
  });
});
