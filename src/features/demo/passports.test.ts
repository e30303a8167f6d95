// The demo school's passports: most pupils with SEN have one (a few with two versions), built from
// their open plan's strategies and their own words when the plans and voice writers left them, the
// same every time, and a logo documents can use.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeEachDialect } from '../../../test/support/databases.ts';
import { newId } from '../../platform/ids.ts';
import { schoolScope } from '../../platform/scope.ts';
import { getCurrentTemplate } from '../plans/templates.ts';
import { parseSections, parseStrategies } from '../passports/rules.ts';
import { checkLogo } from '../settings/logo.ts';
import { DEMO_AS_OF, generateDemoSchool, RIVERSIDE } from './generator.ts';
import { demoLogoPng, writeDemoPassports } from './passports.ts';
import { DEMO_SEED, seedDemoSchools } from './service.ts';

const PUPILS = 120;
const PUPIL_WORDS = 'i like MINECRAFT and my cat pepper!! \n\nnot loud rooms';

class Rollback extends Error {}

it('draws a logo that passes the upload checks', () => {
  const logo = checkLogo(demoLogoPng());
  assert.deepEqual([logo.type, logo.width, logo.height], ['png', 160, 160]);
  assert.deepEqual(demoLogoPng(), demoLogoPng(), 'the same bytes every time');
});

describeEachDialect('the demo school’s passports', (getDatabase) => {
  it('gives most pupils with SEN a passport, from their plan and their own words where there are any, the same every time', async () => {
    const database = getDatabase();
    const db = database.db;
    await seedDemoSchools(database, { pupils: PUPILS, seed: DEMO_SEED, asOf: DEMO_AS_OF });
    const data = generateDemoSchool({ ...RIVERSIDE, pupils: PUPILS, seed: DEMO_SEED, asOf: DEMO_AS_OF });
    const school = await db.selectFrom('schools').select('id').where('urn', '=', RIVERSIDE.urn).executeTakeFirstOrThrow();
    const scope = schoolScope(school.id);
    const byUpn = new Map((await db.selectFrom('pupils').select(['id', 'upn']).where('school_id', '=', school.id).execute()).map((row) => [row.upn, row.id]));
    const byEmail = new Map((await db.selectFrom('users').select(['id', 'email']).execute()).map((row) => [row.email, row.id]));
    const ids = {
      pupilIds: new Map(data.pupils.map((pupil) => [pupil.key, byUpn.get(pupil.upn)!])),
      userIds: new Map(data.users.filter((user) => byEmail.has(user.email)).map((user) => [user.key, byEmail.get(user.email)!])),
    };
    // Whatever the demo already wrote for passports is cleared: this test writes them itself.
    await db.deleteFrom('pupil_passports').where('school_id', '=', school.id).execute();
    await db.deleteFrom('school_logos').where('school_id', '=', school.id).execute();

    // One pupil with an open plan (its strategies) and the views they sent, as the plans and voice writers leave them.
    const sen = data.pupils.filter((pupil) => pupil.sen.provision === 'E');
    const pupilId = ids.pupilIds.get(sen[0]!.key)!;
    const now = `${DEMO_AS_OF}T08:00:00.000Z`;
    await db.deleteFrom('contribution_requests').where('school_id', '=', school.id).where('pupil_id', '=', pupilId).execute();
    const open = await db.selectFrom('support_cycles').select('id').where('school_id', '=', school.id).where('pupil_id', '=', pupilId).where('status', '=', 'open').executeTakeFirst();
    const cycleId = open?.id ?? newId();
    if (!open) {
      const plan = await getCurrentTemplate(db, scope, 'plan');
      await db.insertInto('support_cycles').values({ school_id: school.id, id: cycleId, pupil_id: pupilId, number: 99, status: 'open', plan_template_id: plan.id, started_on: '2026-09-10', review_due_on: '2026-12-10', created_at: now, updated_at: now }).execute();
    }
    await db.deleteFrom('support_strategies').where('school_id', '=', school.id).where('cycle_id', '=', cycleId).execute();
    await db.insertInto('support_strategies').values(['Use a visual timetable', 'Give thinking time'].map((strategy, position) => ({ school_id: school.id, id: newId(), cycle_id: cycleId, position, strategy }))).execute();
    const pupilForm = await getCurrentTemplate(db, scope, 'contribution-pupil');
    await db.insertInto('contribution_requests').values({
      school_id: school.id, id: newId(), cycle_id: cycleId, pupil_id: pupilId, respondent: 'pupil', recipient_name: 'Pupil', template_id: pupilForm.id, token_hash: newId(),
      created_at: '2026-10-01T08:00:00.000Z', expires_at: '2026-10-15T08:00:00.000Z', submitted_at: '2026-10-03T15:00:00.000Z', answers: JSON.stringify({ enjoy: PUPIL_WORDS, hard: '' }),
    }).execute();

    const snapshot = () => db.selectFrom('pupil_passports').select(['pupil_id', 'version', 'sections', 'strategies', 'created_at']).where('school_id', '=', school.id).orderBy('pupil_id').orderBy('version').execute();
    const runs: Array<Awaited<ReturnType<typeof snapshot>>> = [];
    for (let run = 0; run < 2; run++) {
      try {
        await db.transaction().execute(async (trx) => {
          await writeDemoPassports(trx, scope, data, ids);
          runs.push(await trx.selectFrom('pupil_passports').select(['pupil_id', 'version', 'sections', 'strategies', 'created_at']).where('school_id', '=', school.id).orderBy('pupil_id').orderBy('version').execute());
          throw new Rollback();
        });
      } catch (error) {
        if (!(error instanceof Rollback)) throw error;
      }
    }
    assert.deepEqual(runs[0], runs[1], 'deterministic');
    assert.equal((await snapshot()).length, 0, 'rolled back');

    const counts = await db.transaction().execute((trx) => writeDemoPassports(trx, scope, data, ids));
    const rows = await snapshot();
    const senPupils = data.pupils.filter((pupil) => pupil.sen.provision !== 'N').length;
    const withPassport = new Set(rows.map((row) => row.pupil_id)).size;
    assert.equal(counts.passports, withPassport);
    assert.ok(withPassport >= senPupils * 0.6 && withPassport < senPupils, `${withPassport} of ${senPupils}`);
    assert.ok(rows.some((row) => Number(row.version) === 2), 'a few have a second version');
    assert.ok(rows.every((row) => row.created_at.slice(0, 10) < DEMO_AS_OF), 'written before the demo date');

    const theirs = rows.filter((row) => row.pupil_id === pupilId);
    assert.ok(theirs.length >= 1, 'the pupil with an EHC plan has a passport');
    const sections = parseSections(theirs[0]!.sections);
    assert.deepEqual(sections.important, { text: PUPIL_WORDS.trim(), pupilWords: true }, 'their words, verbatim');
    assert.deepEqual(parseStrategies(theirs[0]!.strategies), ['Use a visual timetable', 'Give thinking time']);

    const logo = await db.selectFrom('school_logos').select(['content_type', 'body']).where('school_id', '=', school.id).executeTakeFirstOrThrow();
    assert.equal(logo.content_type, 'image/png');
    assert.equal(checkLogo(new Uint8Array(logo.body)).width, 160);
  });
});
