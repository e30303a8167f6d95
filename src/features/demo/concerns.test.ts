// The demo's year of concerns and documents: deterministic, a year long, raised by staff who teach
// the pupil, mostly decided with a mix of outcomes, a few awaiting triage (one with a work sample),
// and reports on file for pupils with SEN, the sensitive ones confidential, each a PDF that opens.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderPdf } from '../../platform/documents/index.ts';
import { detectDocumentType } from '../documents/rules.ts';
import { generateDemoConcerns } from './concerns.ts';
import { DEMO_AS_OF, MILLBROOK, RIVERSIDE, generateDemoSchool } from './generator.ts';

function generate(school: 'riverside' | 'millbrook' = 'riverside') {
  const data = school === 'riverside' ? generateDemoSchool({ ...RIVERSIDE, pupils: 1000, seed: 2026, asOf: DEMO_AS_OF }) : generateDemoSchool({ ...MILLBROOK, seed: 2026, asOf: DEMO_AS_OF });
  const ids = { pupilIds: new Map(data.pupils.map((pupil) => [pupil.key, `p-${pupil.key}`])), userIds: new Map(data.users.map((user) => [user.key, `u-${user.key}`])) };
  // Millbrook shares Riverside's SENCO, who is not in its own data: the writer finds them in the database.
  return { data, rows: generateDemoConcerns(data, { ...ids, triagerId: school === 'millbrook' ? 'u-shared-senco' : undefined }) };
}

describe('the demo school’s concerns and documents', () => {
  it('are the same every time, apart from the generated ids', () => {
    const strip = (rows: ReturnType<typeof generate>['rows']) => ({
      concerns: rows.concerns.map((row) => [row.pupil_id, row.raised_by, row.raised_at, row.observed, row.status, row.outcome, row.outcome_note, row.outcome_at]),
      documents: rows.documents.map((document) => [document.row.pupil_id, document.row.title, document.row.document_date, document.row.confidential]),
    });
    assert.deepEqual(strip(generate().rows), strip(generate().rows));
  });

  it('cover a year, raised by staff who teach the pupil, mostly about pupils with no SEN, mostly decided', () => {
    const { data, rows } = generate();
    const { concerns } = rows;
    assert.ok(concerns.length >= 40, `${concerns.length} concerns`);
    const raised = concerns.map((row) => row.raised_at.slice(0, 10)).sort();
    assert.ok(raised[0]! >= '2025-11-22' && raised.at(-1)! < DEMO_AS_OF, `${raised[0]} to ${raised.at(-1)}`);
    const teaches = new Set(data.groupStaff.flatMap((link) => data.groups.find((group) => group.key === link.groupKey)!.pupilKeys.map((pupilKey) => `u-${link.userKey}|p-${pupilKey}`)));
    assert.ok(concerns.every((row) => teaches.has(`${row.raised_by}|${row.pupil_id}`)), 'every concern is about a pupil the raiser teaches');
    const provision = new Map(data.pupils.map((pupil) => [`p-${pupil.key}`, pupil.sen.provision]));
    const aboutNoSen = concerns.filter((row) => provision.get(row.pupil_id) === 'N').length;
    const aboutSupport = concerns.filter((row) => provision.get(row.pupil_id) === 'K').length;
    assert.ok(aboutNoSen + aboutSupport === concerns.length && aboutNoSen > aboutSupport / 2, `${aboutNoSen} N, ${aboutSupport} K`);
    const open = concerns.filter((row) => row.status === 'open');
    assert.ok(open.length >= 3 && open.length <= 6, `${open.length} open`);
    assert.ok(open.every((row) => row.outcome === null && row.outcome_at === null));
    const outcomes = new Set(concerns.map((row) => row.outcome).filter(Boolean));
    assert.deepEqual([...outcomes].sort(), ['monitor', 'no-further-action', 'refer', 'sen-support']);
    for (const row of concerns.filter((entry) => entry.status === 'closed')) {
      assert.ok(row.outcome_at! > row.raised_at && row.outcome_at!.slice(0, 10) < DEMO_AS_OF, `${row.raised_at} → ${row.outcome_at}`);
      if (row.outcome === 'refer' || row.outcome === 'no-further-action') assert.ok(row.outcome_note, 'a note for a referral or no further action');
    }
    const teacher = data.users.find((user) => user.role === 'teacher' && user.signIn)!;
    const theirs = concerns.filter((row) => row.raised_by === `u-${teacher.key}`);
    assert.ok(theirs.length >= 3 && theirs.some((row) => row.status === 'open'), 'the demo teacher has raised some, one awaiting triage');
  });

  it('attach a work sample to one or two open concerns, and file reports for pupils with SEN', async () => {
    const { data, rows } = generate();
    const evidence = rows.documents.filter((document) => document.row.concern_id);
    assert.ok(evidence.length >= 1 && evidence.length <= 2);
    const open = new Set(rows.concerns.filter((row) => row.status === 'open').map((row) => row.id));
    assert.ok(evidence.every((document) => open.has(document.row.concern_id!) && document.row.confidential === 0));
    const reports = rows.documents.filter((document) => !document.row.concern_id);
    assert.ok(reports.length >= 30, `${reports.length} reports`);
    const sen = new Map(data.pupils.map((pupil) => [`p-${pupil.key}`, pupil.sen.provision]));
    assert.ok(reports.every((document) => ['K', 'E'].includes(sen.get(document.row.pupil_id)!)));
    const categories = new Set(reports.map((document) => document.row.category));
    for (const category of ['ep', 'salt', 'ot']) assert.ok(categories.has(category), category);
    assert.ok(reports.every((document) => document.row.category !== 'ep' || document.row.confidential === 1), 'EP reports are confidential');
    assert.ok(reports.some((document) => document.row.confidential === 0));
    assert.ok(reports.every((document) => document.row.document_date < DEMO_AS_OF && document.row.uploaded_at.slice(0, 10) >= document.row.document_date));
    const pdf = await renderPdf(reports[0]!.model);
    assert.equal(detectDocumentType(pdf), 'pdf');
  });

  it('give the small primary school a few too', () => {
    const { rows } = generate('millbrook');
    assert.ok(rows.concerns.length >= 8, `${rows.concerns.length}`);
    assert.equal(rows.concerns.filter((row) => row.status === 'open').length, 3);
  });
});
