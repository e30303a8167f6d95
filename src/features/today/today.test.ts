// Today, the SENCO's home page: the rules for its words (worked examples), then the page through the
// real app on both databases: a concern waiting, an overdue review and an overdue task of the SENCO's
// show with their counts and links; ticking the task off comes back to Today; other roles are refused.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BuiltApp } from '../../app.ts';
import { auditEvents } from '../../../test/support/audit.ts';
import { buildTestApp } from '../../../test/support/app.ts';
import { describeEachDialect } from '../../../test/support/databases.ts';
import { seedFixture, type Fixture } from '../../../test/support/fixtures.ts';
import { TestClient, signedInAs } from '../../../test/support/http.ts';
import { formatDate, schoolToday } from '../../platform/dates.ts';
import { newId } from '../../platform/ids.ts';
import type { Actor } from '../../platform/permissions.ts';
import { schoolScope } from '../../platform/scope.ts';
import * as chronologyRepository from '../chronology/repository.ts';
import * as concernsRepository from '../concerns/repository.ts';
import { addDaysIso } from '../plans/rules.ts';
import * as plans from '../plans/service.ts';
import { cardsFor, longDate, pluralOf, waitingText } from './service.ts';

describe('Today: words', () => {
  it('writes the date in full, with the day of the week', () => {
    assert.equal(longDate('2026-11-22'), 'Sunday 22 November 2026');
    assert.equal(longDate('2027-03-01'), 'Monday 1 March 2027');
    assert.equal(longDate('2028-02-29'), 'Tuesday 29 February 2028');
  });

  it('says how long a concern has waited', () => {
    assert.equal(waitingText('2026-11-22', '2026-11-22'), 'raised today');
    assert.equal(waitingText('2026-11-21', '2026-11-22'), 'waiting 1 day');
    assert.equal(waitingText('2026-11-17', '2026-11-22'), 'waiting 5 days');
    assert.equal(waitingText('2026-10-25', '2026-11-22'), 'waiting 28 days', 'across the change from summer time');
  });

  it('counts in words', () => {
    assert.equal(pluralOf(1, 'concern'), 'concern');
    assert.equal(pluralOf(0, 'concern'), 'concerns');
    assert.equal(pluralOf(2, 'reply', 'replies'), 'replies');
  });

  it('gives a card for each count, linking to its full list, and only for the sections given', () => {
    const cards = cardsFor({ concerns: { waiting: 1, oldest: [] }, tasks: { open: 4, overdue: 2, urgent: [] } });
    assert.deepEqual(cards, [
      { count: 1, label: 'concern to triage', href: '/concerns?status=open' },
      { count: 2, label: 'of your tasks are overdue', href: '/tasks' },
    ]);
    const reviews = cardsFor({ reviews: { overdue: 0, dueSoon: 1, noPlan: 3, mostOverdue: [], comingUp: [] } });
    assert.deepEqual(reviews.map((card) => `${card.count} ${card.label} → ${card.href}`), [
      '0 reviews overdue → /plans?show=overdue',
      '1 review due in the next 6 weeks → /plans?show=due-soon',
      '3 pupils with SEN and no plan open → /plans?show=no-plan',
    ]);
  });
});

describeEachDialect('Today', (getDatabase) => {
  let built: BuiltApp;
  let fixture: Fixture;
  const as = signedInAs(() => built.app, () => fixture.schoolA);
  const today = schoolToday();
  let concernId: string;
  let cycleId: string;
  let taskId: string;

  before(async () => {
    built = await buildTestApp(getDatabase());
    fixture = await seedFixture(getDatabase());
    const school = fixture.schoolA;
    const scope = schoolScope(school.id);
    const db = getDatabase().db;
    concernId = newId();
    await concernsRepository.insertConcern(db, scope, {
      id: concernId, pupil_id: school.noSenPupilId, raised_by: school.users.teacher.id, raised_at: `${addDaysIso(today, -5)}T10:00:00.000Z`, area: 'Cognition and learning',
      observed: 'Struggles to start written work', tried: 'A writing frame', duration: 'Since September', status: 'open', outcome: null, outcome_note: null, outcome_by: null, outcome_at: null,
    });
    const senco: Actor = { userId: school.users.senco.id, displayName: 'SENCO A', schoolId: school.id, role: 'senco' };
    cycleId = await plans.startPlan(built.ctx, senco, school.otherPupilId, { startedOn: addDaysIso(today, -120), reviewDueOn: addDaysIso(today, -3) }, null);
    taskId = newId();
    const task = (id: string, description: string, owner: string, dueOn: string) => ({
      id, pupil_id: school.taughtPupilId, meeting_id: null, description, owner_user_id: owner, due_on: dueOn, done_at: null, done_by: null, created_by: null, created_at: new Date().toISOString(),
    });
    await chronologyRepository.insertActions(db, scope, [
      task(taskId, 'Ring the speech and language therapist', school.users.senco.id, addDaysIso(today, -2)),
      task(newId(), 'Send the reading assessment home', school.users.senco.id, addDaysIso(today, 60)),
      task(newId(), 'Book the interpreter', school.users.sen_admin.id, addDaysIso(today, -1)),
    ]);
  });
  after(async () => {
    await built.app.close();
  });

  it('is where the SENCO and the SEN administrator land when they sign in', async () => {
    for (const role of ['senco', 'sen_admin'] as const) {
      const client = new TestClient(built.app);
      const signedIn = await client.signIn(fixture.schoolA.users[role].email);
      assert.equal(signedIn.headers.location, '/today', role);
      const page = await client.get('/today');
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<ul class="govuk-service-navigation__list"[^>]*>\s*<li[^>]*>\s*<a class="govuk-service-navigation__link" href="\/today" aria-current="true">\s*<strong[^>]*>Today</, 'Today is first in the menu');
    }
  });

  it('shows the concern waiting, the overdue review and the overdue task, with their counts and links', async () => {
    const senco = await as('senco');
    const page = await senco.get('/today');
    assert.equal(page.statusCode, 200);
    const body = page.body;
    assert.match(body, /<h1[^>]*>Today<\/h1>/);
    assert.ok(body.includes(longDate(today)), 'the date, in full');

    // The concern: counted, linked, and how long it has waited.
    assert.match(body, /href="\/concerns\?status=open"><span class="app-count-card__number">1<\/span><span class="app-count-card__label">concern to triage/);
    assert.match(body, new RegExp(`<a class="govuk-link" href="/concerns/${concernId}">Priya Shah</a>`));
    assert.match(body, /Waiting 5 days/);
    assert.match(body, new RegExp(`since <span class="app-nowrap">${formatDate(addDaysIso(today, -5))}</span>, raised by teacher A`));

    // The overdue review links to the pupil's plan.
    assert.match(body, /href="\/plans\?show=overdue"><span class="app-count-card__number">1<\/span><span class="app-count-card__label">review overdue/);
    assert.match(body, new RegExp(`<a class="govuk-link" href="/pupils/${fixture.schoolA.otherPupilId}/plans/${cycleId}">Tomasz Kowalczyk</a>`));
    assert.match(body, /3 days overdue/);
    assert.ok(body.includes(formatDate(addDaysIso(today, -3))));
    // Zoë is on SEN support with no plan open.
    assert.match(body, /href="\/plans\?show=no-plan"><span class="app-count-card__number">1<\/span>/);

    // The SENCO's own overdue task, with a button to tick it off; not the administrator's, not one due in two months.
    assert.match(body, /href="\/tasks"><span class="app-count-card__number">1<\/span><span class="app-count-card__label">of your tasks is overdue/);
    assert.match(body, /Ring the speech and language therapist/);
    assert.match(body, /2 days overdue/);
    assert.match(body, new RegExp(`action="/tasks/${taskId}/done"`));
    assert.doesNotMatch(body, /Book the interpreter/);
    assert.doesNotMatch(body, /Send the reading assessment home/);
    assert.match(body, /See all 2 of your tasks/);

    // Replies and meetings with parents: counts with links to the lists.
    assert.match(body, /href="\/plans\/contributions\?show=awaiting"><span class="app-count-card__number">0<\/span>/);
    assert.match(body, /No replies are awaited/);
    assert.match(body, /href="\/plans\/parent-meetings"><span class="app-count-card__number">1<\/span>/);
    assert.match(body, /1 of 1 pupil on SEN support has met with their parents fewer than 3 times/);
  });

  it('audits the pupils it shows, and only those', async () => {
    const events = await auditEvents(built.ctx, fixture.schoolA.id, 'plans.overview-viewed');
    // One reading of the hub for Today: the overdue review's pupil (and any due soon), nobody else.
    const shown = events.filter((event) => event.detail.show === 'today').at(-1);
    assert.deepEqual(shown?.detail.pupils, [fixture.schoolA.otherPupilId]);
    const tasks = (await auditEvents(built.ctx, fixture.schoolA.id, 'tasks.viewed')).at(-1);
    assert.deepEqual(tasks?.detail.pupils, [fixture.schoolA.taughtPupilId]);
    assert.equal((await auditEvents(built.ctx, fixture.schoolA.id, 'parent-meetings.viewed')).length, 0, 'a count names no pupil');
  });

  it('ticks a task off and comes back to Today', async () => {
    const senco = await as('senco');
    await senco.get('/today');
    const done = await senco.post(`/tasks/${taskId}/done`, { returnTo: '/today' });
    assert.equal(done.statusCode, 303);
    assert.equal(done.headers.location, '/today');
    const page = await senco.get('/today');
    assert.match(page.body, /Done: Ring the speech and language therapist/);
    assert.match(page.body, /Nothing of yours is overdue or due in the next week/);
    assert.match(page.body, /See your task/);
  });

  it('shows another school nothing of this one, with empty states that say what comes next', async () => {
    const other = new TestClient(built.app);
    await other.signIn(fixture.schoolB.users.senco.email);
    const body = (await other.get('/today')).body;
    assert.doesNotMatch(body, /Priya Shah|Kowalczyk|speech and language therapist/);
    assert.match(body, /No concerns are waiting/);
    assert.match(body, /No reviews are overdue/);
    assert.match(body, /No reviews are due in the next 6 weeks/);
    assert.match(body, /You have no tasks to do/);
  });

  it('is refused to everyone else', async () => {
    for (const role of ['teacher', 'teaching_assistant', 'leader', 'governor', 'parent'] as const) {
      const client = await as(role);
      assert.equal((await client.get('/today')).statusCode, 403, role);
    }
  });
});
