// Provision's downloads over HTTP on both databases: the costed provision map as CSV and Excel for the
// view the pages show, and the impact report for leaders as Word and PDF (read back as text, with no
// child named); who may have them, and the audit event each writes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { strFromU8, unzipSync } from 'fflate';
import type { BuiltApp } from '../../app.ts';
import { buildTestApp } from '../../../test/support/app.ts';
import { describeEachDialect } from '../../../test/support/databases.ts';
import { seedFixture, type Fixture } from '../../../test/support/fixtures.ts';
import { signedInAs } from '../../../test/support/http.ts';
import { seedProvisionFixture } from '../../../test/support/provision-fixtures.ts';
import { schoolToday } from '../../platform/dates.ts';
import { MAP_CSV_HEADINGS } from './exports.ts';
import { IMPACT_EXPLANATION } from './impact.ts';
import { currentAcademicYear } from './service.ts';
import { auditEvents } from '../../../test/support/audit.ts';

const PDFTOTEXT = '/usr/bin/pdftotext';
const popplerMissing = existsSync(PDFTOTEXT) ? false : 'poppler-utils is not installed (apt-get install poppler-utils)';
const year = currentAcademicYear();
const today = schoolToday();
// The fixture's reading group started 35 days ago: its impact is in that day's school year.
const impactYear = currentAcademicYear(new Date(Date.parse(`${today}T12:00:00Z`) - 35 * 86_400_000).toISOString().slice(0, 10));
const PUPIL_NAMES = ['Kowalczyk', 'Tomasz', "O'Connor", 'O’Connor', 'Zoë', 'Shah'];

/** The text of a Word XML part: its w:t runs, with paragraphs on their own lines. */
function wordText(xml: string): string {
  return xml
    .replace(/<\/w:p>/g, '\n')
    .replace(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>|<[^>]+>/g, (_, text: string | undefined) => text ?? '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

describeEachDialect('Provision downloads over HTTP', (getDatabase) => {
  let built: BuiltApp;
  let fixture: Fixture;
  const as = signedInAs(() => built.app, () => fixture.schoolA);
  const events = (action: string) => auditEvents(built.ctx, fixture.schoolA.id, action);

  before(async () => {
    built = await buildTestApp(getDatabase());
    fixture = await seedFixture(getDatabase());
    await seedProvisionFixture(getDatabase(), fixture);
  });
  after(async () => {
    await built.app.close();
  });

  describe('the costed provision map', () => {
    it('links to its downloads from the map and from the pupils page, with the page’s filters', async () => {
      const senco = await as('senco');
      const map = await senco.get(`/provision/map?year=${year.start}`);
      assert.match(map.body, new RegExp(`<a class="govuk-link" href="/provision/map/export\\.csv\\?year=${year.start}">Download as CSV</a>`));
      assert.match(map.body, new RegExp(`<a class="govuk-link" href="/provision/map/export\\.xlsx\\?year=${year.start}">Download as Excel</a>`));
      const pupils = await senco.get(`/provision/map/pupils?year=${year.start}&yearGroup=7&over=yes`);
      assert.match(pupils.body, new RegExp(`href="/provision/map/export\\.csv\\?year=${year.start}&amp;yearGroup=7&amp;over=yes">Download as CSV`));
      assert.match(pupils.body, new RegExp(`href="/provision/map/export\\.xlsx\\?year=${year.start}&amp;yearGroup=7&amp;over=yes">Download as Excel`));
    });

    it('sends CSV: a row per pupil of this school, flagged over £6,000, and audits it with its counts', async () => {
      const senco = await as('senco');
      const response = await senco.get(`/provision/map/export.csv?year=${year.start}`);
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers['content-type'], 'text/csv; charset=utf-8');
      assert.equal(response.headers['content-disposition'], `attachment; filename="provision-map-${year.start}-${String(year.start + 1).slice(2)}-${today}.csv"`);
      assert.equal(response.headers['cache-control'], 'no-store');
      assert.ok(response.body.startsWith('\uFEFF'));
      const lines = response.body.slice(1).trim().split('\r\n');
      assert.equal(lines[0], MAP_CSV_HEADINGS.map((heading) => (heading.includes(',') ? `"${heading}"` : heading)).join(','));
      // One-to-one support all year: 5 × 300 minutes × 39 weeks = 195 sessions × £97.50 = £19,012.50, and more with reading.
      const tomasz = lines.find((line) => line.startsWith('Tomasz Kowalczyk,'));
      assert.match(tomasz ?? '', /^Tomasz Kowalczyk,[A-Z0-9]*,Year 7,7A,EHC plan,[^,]*One-to-one support A[^,]*,\d,\d{4}-\d{2}-\d{2},\d{4}-\d{2}-\d{2},19\d{3}\.\d\d,\d+\.\d\d,Yes$/);
      for (const name of ['Nowak-Smith', 'Adebayo', 'Patel']) assert.ok(!response.body.includes(name), `another school's ${name}`);
      const [event] = (await events('provision.map.exported')).slice(-1);
      assert.equal(event!.actor_user_id, fixture.schoolA.users.senco.id);
      assert.equal(event!.pupil_id, null);
      assert.deepEqual(event!.detail, { year: year.start, format: 'csv', filters: {}, pupils: lines.length - 1, overThreshold: 1, yearGroups: 1, classes: 1 });
    });

    it('sends the same view filtered as the pupils page is', async () => {
      const senco = await as('senco');
      const over = await senco.get(`/provision/map/export.csv?year=${year.start}&over=yes`);
      assert.match(String(over.headers['content-disposition']), /-over-6000-\d{4}-\d{2}-\d{2}\.csv"$/);
      const rows = over.body.trim().split('\r\n').slice(1);
      assert.equal(rows.length, 1);
      assert.match(rows[0]!, /^Tomasz Kowalczyk,/);
      const none = await senco.get(`/provision/map/export.csv?year=${year.start}&yearGroup=8`);
      assert.equal(none.body.trim().split('\r\n').length, 1, 'the headings and no pupil');
      const [event] = (await events('provision.map.exported')).slice(-1);
      assert.deepEqual(event!.detail, { year: year.start, format: 'csv', filters: { yearGroup: '8' }, pupils: 0, overThreshold: 0, yearGroups: 0, classes: 0 });
    });

    it('sends an Excel workbook with the pupils, year groups, classes and a summary, for leaders too', async () => {
      const leader = await as('leader');
      const response = await leader.get(`/provision/map/export.xlsx?year=${year.start}`);
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers['content-type'], 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      assert.equal(response.headers['content-disposition'], `attachment; filename="provision-map-${year.start}-${String(year.start + 1).slice(2)}-${today}.xlsx"`);
      assert.equal(response.rawPayload.subarray(0, 2).toString('latin1'), 'PK');
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(response.rawPayload as unknown as ArrayBuffer);
      assert.deepEqual(workbook.worksheets.map((sheet) => sheet.name), ['Pupils', 'By year group', 'By class', 'Summary']);
      assert.match(String(workbook.getWorksheet('Pupils')!.getCell('A1').value), /^Ashfield Academy\. Costed provision map/);
      let found = false;
      workbook.getWorksheet('Pupils')!.eachRow((row) => {
        if (row.getCell(1).value !== 'Tomasz Kowalczyk') return;
        found = true;
        assert.equal(typeof row.getCell(10).value, 'number');
        assert.ok((row.getCell(10).value as number) > 19_000);
        assert.equal(row.getCell(10).numFmt, '"£"#,##0.00');
        assert.equal(row.getCell(12).value, 'Yes');
      });
      assert.ok(found, 'Tomasz is in the workbook');
      assert.deepEqual((workbook.getWorksheet('By year group')!.getRow(3).values as unknown[]).slice(1, 3), ['Year 7', 2]);
      const [event] = (await events('provision.map.exported')).slice(-1);
      assert.equal(event!.actor_user_id, fixture.schoolA.users.leader.id);
      assert.equal(event!.detail.format, 'xlsx');
    });

    it('refuses governors, teachers, teaching assistants and parents: it names pupils', async () => {
      const before = (await events('provision.map.exported')).length;
      for (const role of ['governor', 'teacher', 'teaching_assistant', 'parent'] as const) {
        const client = await as(role);
        for (const format of ['csv', 'xlsx']) {
          const response = await client.get(`/provision/map/export.${format}`);
          assert.equal(response.statusCode, 403, `${role} ${format}`);
          assert.doesNotMatch(response.body, /Kowalczyk/);
        }
      }
      assert.equal((await events('provision.map.exported')).length, before, 'nothing exported, nothing audited');
    });
  });

  describe('the impact report for leaders', () => {
    it('links to the report from the impact page for the year it shows', async () => {
      const page = await (await as('leader')).get(`/provision/impact?year=${impactYear.start}`);
      assert.match(page.body, new RegExp(`<a class="govuk-link" href="/provision/impact/report\\.docx\\?year=${impactYear.start}">Download report \\(Word\\)</a>`));
      assert.match(page.body, new RegExp(`<a class="govuk-link" href="/provision/impact/report\\.pdf\\?year=${impactYear.start}">Download report \\(PDF\\)</a>`));
    });

    it('sends a Word document with the definitions and figures, the count of pupils not progressing and no names', async () => {
      const leader = await as('leader');
      const response = await leader.get(`/provision/impact/report.docx?year=${impactYear.start}`);
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers['content-type'], 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
      assert.equal(
        response.headers['content-disposition'],
        `attachment; filename="Impact of provision ${impactYear.label} - Ashfield Academy.docx"; filename*=UTF-8''${encodeURIComponent(`Impact of provision ${impactYear.label} – Ashfield Academy.docx`)}`,
      );
      assert.equal(response.headers['cache-control'], 'no-store');
      const files = unzipSync(new Uint8Array(response.rawPayload));
      const text = wordText(strFromU8(files['word/document.xml']!));
      assert.match(text, /^Impact of provision\n/);
      assert.ok(text.includes(`School year ${impactYear.label} · report for leaders`));
      for (const expected of ['Summary', 'How progress is measured', 'By provision', 'Provision that may not be working', 'Pupils not progressing', IMPACT_EXPLANATION.standardised, IMPACT_EXPLANATION.age, 'Reading catch-up A', 'Pupils who made expected progress, by provision']) {
        assert.ok(text.includes(expected), expected);
      }
      assert.ok(text.includes('names are not in this report'));
      for (const name of [...PUPIL_NAMES, 'Reading catch-up B']) assert.ok(!text.includes(name), `no ${name}`);
      const header = Object.keys(files).filter((name) => /^word\/header\d+\.xml$/.test(name)).map((name) => wordText(strFromU8(files[name]!))).join('');
      assert.ok(header.includes('Ashfield Academy'));
      const [event] = (await events('provision.impact.exported')).slice(-1);
      assert.equal(event!.actor_user_id, fixture.schoolA.users.leader.id);
      assert.equal(event!.pupil_id, null);
      assert.equal(event!.detail.format, 'docx');
      assert.equal(event!.detail.year, impactYear.start);
      assert.equal(typeof event!.detail.pupils, 'number');
      assert.equal(typeof event!.detail.notProgressing, 'number');
      assert.ok(!('pupilsNamed' in event!.detail), 'a report that names no one');
    });

    it('sends a tagged PDF that reads back with the same figures and no names', async () => {
      const senco = await as('senco');
      const response = await senco.get(`/provision/impact/report.pdf?year=${impactYear.start}`);
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers['content-type'], 'application/pdf');
      assert.match(String(response.headers['content-disposition']), new RegExp(`^attachment; filename="Impact of provision ${impactYear.label} - Ashfield Academy\\.pdf"`));
      assert.equal(response.rawPayload.subarray(0, 5).toString('latin1'), '%PDF-');
      assert.match(response.rawPayload.toString('latin1'), /\/StructTreeRoot/);
      const [event] = (await events('provision.impact.exported')).slice(-1);
      assert.equal(event!.detail.format, 'pdf');
    });

    it('reads back as text with pdftotext', { skip: popplerMissing }, async () => {
      const response = await (await as('senco')).get(`/provision/impact/report.pdf?year=${impactYear.start}`);
      const directory = mkdtempSync(path.join(tmpdir(), 'senco-impact-'));
      try {
        const file = path.join(directory, 'impact.pdf');
        writeFileSync(file, response.rawPayload);
        const text = execFileSync(PDFTOTEXT, [file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
        for (const expected of ['Impact of provision', 'Ashfield Academy', 'How progress is measured', 'Reading catch-up A', 'Pupils not progressing', 'Confidential: for school leaders.']) assert.ok(text.includes(expected), expected);
        assert.ok(text.includes(IMPACT_EXPLANATION.notWorking.replace(/\s+/g, ' ')));
        for (const name of PUPIL_NAMES) assert.ok(!text.includes(name), `no ${name}`);
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
    });

    it('refuses governors, teachers, teaching assistants and parents', async () => {
      const before = (await events('provision.impact.exported')).length;
      for (const role of ['governor', 'teacher', 'teaching_assistant', 'parent'] as const) {
        const client = await as(role);
        for (const format of ['docx', 'pdf']) assert.equal((await client.get(`/provision/impact/report.${format}`)).statusCode, 403, `${role} ${format}`);
      }
      assert.equal((await events('provision.impact.exported')).length, before);
    });
  });
});
