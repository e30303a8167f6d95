// The provision service on both databases: costs added up across the school, the link from plans,
// history kept when a pupil leaves a group, sessions' rules, and every write audited in its transaction.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { describeEachDialect, type TestDatabase } from '../../../test/support/databases.ts';
import { testConfig } from '../../../test/support/config.ts';
import { seedFixture, type Fixture } from '../../../test/support/fixtures.ts';
import { seedProvisionFixture, type ProvisionFixture } from '../../../test/support/provision-fixtures.ts';
import { AuditLog, verifyAuditChains } from '../../platform/audit/audit-log.ts';
import type { AppContext } from '../../platform/context.ts';
import { schoolToday } from '../../platform/dates.ts';
import { ForbiddenError, ValidationError } from '../../platform/errors.ts';
import type { Actor } from '../../platform/permissions.ts';
import { schoolScope } from '../../platform/scope.ts';
import * as provision from './service.ts';

describeEachDialect('provision service', (getDatabase) => {
  let database: TestDatabase;
  let ctx: AppContext;
  let fixture: Fixture;
  let seeded: ProvisionFixture;
  let senco: Actor;
  let ta: Actor;

  before(async () => {
    database = getDatabase();
    ctx = { config: testConfig(), database, db: database.db, audit: new AuditLog(database) };
    fixture = await seedFixture(database);
    seeded = await seedProvisionFixture(database, fixture);
    senco = { userId: fixture.schoolA.users.senco.id, displayName: 'senco A', schoolId: fixture.schoolA.id, role: 'senco' };
    ta = { userId: fixture.schoolA.users.teaching_assistant.id, displayName: 'TA A', schoolId: fixture.schoolA.id, role: 'teaching_assistant' };
  });

  it('adds up the costed provision map per pupil, year group and school', async () => {
    const map = await provision.costedMap(ctx, schoolScope(fixture.schoolA.id), provision.currentAcademicYear());
    // Default TA rate £19.50 an hour.
    // One-to-one: 5 sessions × 300 minutes × 39 weeks = 195 sessions × £97.50 = £19,012.50, one pupil.
    // Reading: 3 × 30 minutes × 10 weeks = 30 sessions × £9.75 = £292.50 planned, shared by 2 pupils;
    //          1 session delivered = £9.75, so £4.875 each.
    const other = map.pupils.find((pupil) => pupil.pupilId === fixture.schoolA.otherPupilId)!;
    const taught = map.pupils.find((pupil) => pupil.pupilId === fixture.schoolA.taughtPupilId);
    if (taught) {
      assert.equal(taught.plannedPence, 14_625);
      assert.equal(taught.actualPence, 487.5);
      assert.equal(other.plannedPence, 1_901_250 + 14_625);
    } else {
      // Early September the reading group started in the school year before: only the one-to-one counts.
      assert.equal(other.plannedPence, 1_901_250);
    }
    assert.equal(other.overThreshold, true);
    assert.deepEqual(map.overThreshold.map((pupil) => pupil.pupilId), [fixture.schoolA.otherPupilId]);
    assert.equal(map.byYear.length, 1);
    assert.equal(map.byYear[0]!.pupils, map.pupils.length);
    assert.equal(Math.round(map.byYear[0]!.plannedPence), Math.round(map.plannedPence));
    assert.ok(!map.pupils.some((pupil) => pupil.pupilId === fixture.schoolB.otherPupilId), 'never another school’s pupils');
  });

  it('links a membership to the plan that asked for it (SEN support plans, EHC plan Section F)', async () => {
    await assert.rejects(provision.addPupils(ctx, senco, seeded.schoolA.groupId, [fixture.schoolA.noSenPupilId], null, 'notes:1'), ValidationError);
    assert.equal(await provision.addPupils(ctx, senco, seeded.schoolA.groupId, [fixture.schoolA.noSenPupilId], null, 'plan:0190abcd'), 1);
    // A pupil already in the group keeps their place and gains the source.
    assert.equal(await provision.addPupils(ctx, senco, seeded.schoolA.groupId, [fixture.schoolA.taughtPupilId], null, 'ehcp-f:section-f-1'), 0);
    const linked = await provision.provisionForSources(ctx, schoolScope(fixture.schoolA.id), ['plan:0190abcd', 'ehcp-f:section-f-1', 'plan:unknown']);
    assert.deepEqual(linked.map((entry) => [entry.source, entry.pupilId, entry.provisionName]).sort(), [
      ['ehcp-f:section-f-1', fixture.schoolA.taughtPupilId, 'Reading catch-up A'],
      ['plan:0190abcd', fixture.schoolA.noSenPupilId, 'Reading catch-up A'],
    ].sort());
    const other = await provision.provisionForSources(ctx, schoolScope(fixture.schoolB.id), ['plan:0190abcd']);
    assert.deepEqual(other, [], 'sources are per school');
  });

  it('keeps a pupil with recorded sessions as having left, and deletes one without', async () => {
    assert.equal(await provision.removePupil(ctx, senco, seeded.schoolA.groupId, fixture.schoolA.noSenPupilId, null), 'deleted');
    assert.equal(await provision.removePupil(ctx, senco, seeded.schoolA.groupId, fixture.schoolA.otherPupilId, null), 'left');
    const row = await database.db.selectFrom('intervention_members').select('left_on').where('group_id', '=', seeded.schoolA.groupId).where('pupil_id', '=', fixture.schoolA.otherPupilId).executeTakeFirstOrThrow();
    assert.equal(row.left_on, schoolToday());
    // Back in the group: the same membership, with its history.
    assert.equal(await provision.addPupils(ctx, senco, seeded.schoolA.groupId, [fixture.schoolA.otherPupilId], null), 1);
  });

  it('records sessions within the group’s dates, for the staff who run it', async () => {
    const groupId = seeded.schoolA.groupId;
    const attendance = { [fixture.schoolA.taughtPupilId]: { status: 'present', reason: '' }, [fixture.schoolA.otherPupilId]: { status: 'late', reason: 'Bus' } };
    await assert.rejects(provision.recordSession(ctx, ta, groupId, { heldOn: '2001-01-01', status: 'delivered', note: '', attendance }, null), (error: unknown) => error instanceof ValidationError && /within the group’s dates/.test(error.message));
    await assert.rejects(provision.recordSession(ctx, ta, seeded.schoolA.supportGroupId, { heldOn: schoolToday(), status: 'delivered', note: '', attendance: {} }, null), ForbiddenError);
    const first = await provision.recordSession(ctx, ta, groupId, { heldOn: schoolToday(), status: 'cancelled', note: 'Staff absence', attendance: {} }, null);
    assert.equal(first.replaced, false);
    assert.equal((await database.db.selectFrom('intervention_attendance').select('pupil_id').where('session_id', '=', first.sessionId).execute()).length, 0);
    const second = await provision.recordSession(ctx, ta, groupId, { heldOn: schoolToday(), status: 'delivered', note: '', attendance }, null);
    assert.deepEqual(second, { sessionId: first.sessionId, replaced: true });
    await ctx.audit.flush();
    const events = await database.db.selectFrom('audit_events').select(['action', 'pupil_id']).where('school_id', '=', fixture.schoolA.id).where('action', 'like', 'intervention-%').execute();
    assert.ok(events.some((event) => event.action === 'intervention-attendance.recorded' && event.pupil_id === fixture.schoolA.otherPupilId));
    assert.ok(events.some((event) => event.action === 'intervention-group.pupil-removed' && event.pupil_id === fixture.schoolA.otherPupilId));
    const chains = await verifyAuditChains(database.db);
    assert.ok(chains.ok, JSON.stringify(chains));
  });

  it('works out staff deployment from the groups running on a date', async () => {
    const deployment = await provision.getDeployment(ctx, senco, schoolToday());
    const assistant = deployment.staff.find((person) => person.userId === ta.userId)!;
    // Year 7 reading A: 3 sessions × 30 minutes = 1.5 hours a week, one member of staff.
    assert.equal(assistant.hours, 1.5);
    assert.equal(assistant.contracted, null);
    assert.equal(assistant.over, false);
  });
});
