// The provision downloads' builders, on made-up figures: the map's CSV and workbook (read back with
// exceljs: sheets, formats, frozen header, formula-safety) and the impact report's document model.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { strFromU8, unzipSync } from 'fflate';
import { plainText, type Block, type TableBlock } from '../../platform/documents/index.ts';
import { MAP_CSV_HEADINGS, filterText, formulaSafe, impactReportModel, mapCsv, mapExportFilename, mapNotes, mapWorkbook, type ImpactReport, type MapExport } from './exports.ts';
import { summarise, type Progress } from './impact.ts';
import { academicYear, rollUpPupils, type ProvisionView, type PupilCost } from './service.ts';
import { DEFAULT_RATES } from './validation.ts';

const YEAR = academicYear(2025);
// 14:05 in London on 3 March 2026 (GMT).
const GENERATED = new Date('2026-03-03T14:05:00Z');

function pupil(overrides: Partial<PupilCost>): PupilCost {
  return {
    pupilId: 'p', name: 'A Pupil', upn: null, yearGroup: 7, registrationGroup: '7A', senProvision: 'K', groups: 1, provisions: ['Reading catch-up'],
    firstStart: '2025-09-15', lastEnd: '2025-12-12', plannedPence: 29_250, actualPence: 975, overThreshold: false, ...overrides,
  };
}

function provision(name: string, measure = 'standardised'): ProvisionView {
  return {
    id: name, name, description: null, tier: 'targeted', area: 'Cognition and learning', groupSize: 4, sessionsPerWeek: 3, minutesPerSession: 30, staffType: 'ta',
    costModel: 'staff-time', costPence: null, measure, scaleMin: null, scaleMax: null, archivedAt: null, spec: { measure: measure as 'standardised', scaleMin: null, scaleMax: null },
  };
}

/**
 * Two pupils in Year 7 and one in Year 9:
 * - Tomasz: one-to-one support, 195 sessions × £97.50 = £19,012.50 planned, plus a reading share of £146.25 = £19,158.75; over £6,000;
 * - Zoë: a reading share, £292.50 ÷ 2 = £146.25 planned, £4.875 actual (one £9.75 session shared);
 * - a pupil whose name and class were typed to run as formulas in a spreadsheet.
 */
function sampleMap(filters = { over: false, yearGroup: '', registrationGroup: '' }): MapExport {
  const pupils = [
    pupil({ pupilId: 't', name: 'Tomasz Kowalczyk', upn: 'A123456789012', senProvision: 'E', groups: 2, provisions: ['One-to-one support', 'Reading catch-up'], firstStart: '2025-09-01', lastEnd: '2026-07-20', plannedPence: 1_915_875, actualPence: 487.5, overThreshold: true }),
    pupil({ pupilId: 'z', name: 'Zoë O’Connor', upn: 'B123456789012', plannedPence: 14_625, actualPence: 487.5 }),
    pupil({ pupilId: 'x', name: '=HYPERLINK("http://evil.example","Click")', yearGroup: 9, registrationGroup: '+9B', provisions: ['@SUM(1,2)'], plannedPence: 10_000, actualPence: 0 }),
  ];
  const { byYear, byClass } = rollUpPupils(pupils);
  return {
    schoolName: 'Ashfield & District Academy',
    year: YEAR,
    generatedAt: GENERATED,
    settings: { rates: { ...DEFAULT_RATES }, budgetPence: 5_000_000, saved: true },
    filters,
    pupils,
    byYear,
    byClass,
    whole: { plannedPence: 1_940_500, actualPence: 975, groups: 3, pupils: 3, overThreshold: 1 },
    byProvision: [
      { provision: provision('One-to-one support', 'target'), groups: 1, planned: 1_901_250, actual: 0 },
      { provision: provision('Reading catch-up'), groups: 2, planned: 39_250, actual: 975 },
    ],
  };
}

async function readBack(buffer: Buffer): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
  return workbook;
}

describe('the costed provision map as CSV', () => {
  it('has a row per pupil with money in pounds, dates as dates and the £6,000 flag as Yes or No', () => {
    const csv = mapCsv(sampleMap());
    assert.ok(csv.startsWith('\uFEFF'), 'a byte-order mark, so Excel reads Zoë');
    const lines = csv.slice(1).split('\r\n');
    assert.equal(lines[0], 'Pupil,UPN,Year group,Registration group,SEN provision,Provision,Groups,First group starts,Last group ends,Planned cost (£),Actual cost so far (£),"Over £6,000"');
    assert.equal(MAP_CSV_HEADINGS.length, 12);
    assert.equal(lines[1], 'Tomasz Kowalczyk,A123456789012,Year 7,7A,EHC plan,One-to-one support; Reading catch-up,2,2025-09-01,2026-07-20,19158.75,4.88,Yes');
    assert.equal(lines[2], 'Zoë O’Connor,B123456789012,Year 7,7A,SEN support,Reading catch-up,1,2025-09-15,2025-12-12,146.25,4.88,No');
    assert.equal(lines.length, 5, 'three pupils, a heading and the final line ending');
  });

  it('will not let a cell run as a formula', () => {
    const row = mapCsv(sampleMap()).split('\r\n')[3]!;
    assert.ok(row.startsWith(`"'=HYPERLINK(""http://evil.example"",""Click"")",,Year 9,'+9B,`), row);
    assert.match(row, /,'@SUM\(1,2\)|,"'@SUM\(1,2\)"/);
  });
});

describe('the costed provision map as an Excel workbook', () => {
  it('has the four sheets, each with a notes line and a bold, frozen, filterable header row', async () => {
    const workbook = await readBack(await mapWorkbook(sampleMap()));
    assert.deepEqual(workbook.worksheets.map((sheet) => sheet.name), ['Pupils', 'By year group', 'By class', 'Summary']);
    for (const sheet of workbook.worksheets) {
      const notes = String(sheet.getCell('A1').value);
      assert.match(notes, /^Ashfield & District Academy\. Costed provision map for groups starting in the school year 2025 to 2026\./, sheet.name);
      assert.match(notes, /Generated 3 March 2026 at 2:05pm\./);
      assert.match(notes, /teacher £48\.00, teaching assistant £19\.50, specialist teacher £55\.00, external professional £75\.00/);
      const view = sheet.views[0] as { state: string; ySplit?: number };
      assert.equal(view.state, 'frozen', `${sheet.name} is frozen`);
      assert.equal(view.ySplit, 2, `${sheet.name} keeps the notes and header rows in view`);
      assert.equal(sheet.getCell('A2').font?.bold, true, `${sheet.name}'s header is bold`);
      assert.ok((sheet.getColumn(1).width ?? 0) >= 10, `${sheet.name}'s columns have widths`);
    }
    const pupils = workbook.getWorksheet('Pupils')!;
    assert.deepEqual((pupils.getRow(2).values as unknown[]).slice(1), ['Pupil', 'UPN', 'Year group', 'Registration group', 'SEN provision', 'Provision', 'Groups', 'First group starts', 'Last group ends', 'Planned cost', 'Actual cost so far', 'Over £6,000']);
    assert.equal(pupils.getColumn(6).width! > pupils.getColumn(7).width!, true, 'the provision column is wider than the count of groups');
    assert.equal(pupils.rowCount, 5);
  });

  it('writes money as numbers formatted in pounds, counts as numbers, dates as dates and the flag as Yes or No', async () => {
    const workbook = await readBack(await mapWorkbook(sampleMap()));
    const tomasz = workbook.getWorksheet('Pupils')!.getRow(3);
    assert.equal(tomasz.getCell(1).value, 'Tomasz Kowalczyk');
    const planned = tomasz.getCell(10);
    assert.equal(planned.type, ExcelJS.ValueType.Number);
    assert.equal(planned.value, 19158.75);
    assert.equal(planned.numFmt, '"£"#,##0.00');
    assert.equal(tomasz.getCell(11).value, 4.88, 'rounded to the penny');
    assert.equal(tomasz.getCell(7).type, ExcelJS.ValueType.Number);
    assert.equal(tomasz.getCell(7).value, 2);
    const start = tomasz.getCell(8);
    assert.equal(start.type, ExcelJS.ValueType.Date);
    assert.equal((start.value as Date).toISOString(), '2025-09-01T00:00:00.000Z');
    assert.equal(start.numFmt, 'd mmm yyyy');
    assert.equal(tomasz.getCell(12).value, 'Yes');
    assert.equal(workbook.getWorksheet('Pupils')!.getRow(4).getCell(12).value, 'No');
    const years = workbook.getWorksheet('By year group')!;
    assert.deepEqual((years.getRow(3).values as unknown[]).slice(1), ['Year 7', 2, 19305, 9.75, 9652.5, 1]);
    assert.equal(years.getRow(3).getCell(5).numFmt, '"£"#,##0.00');
    assert.deepEqual((years.getRow(4).values as unknown[]).slice(1, 3), ['Year 9', 1]);
    const classes = workbook.getWorksheet('By class')!;
    assert.deepEqual([classes.getCell('A3').value, classes.getCell('A4').value], ["'+9B", '7A']);
    const summary = workbook.getWorksheet('Summary')!;
    const figures = new Map<string, ExcelJS.Cell>();
    summary.eachRow((row) => figures.set(String(row.getCell(1).value), row.getCell(2)));
    assert.equal(figures.get('School')!.value, 'Ashfield & District Academy');
    assert.equal(figures.get('Planned cost, whole school')!.value, 19405);
    assert.equal(figures.get('Planned cost, whole school')!.numFmt, '"£"#,##0.00');
    assert.equal(figures.get('Planned, share of the budget')!.value, 19405 / 50000);
    assert.equal(figures.get('Planned, share of the budget')!.numFmt, '0%');
    assert.equal(figures.get('Pupils over £6,000')!.value, 1);
    assert.equal((figures.get('School year starts')!.value as Date).toISOString(), '2025-09-01T00:00:00.000Z');
    assert.equal((figures.get('Generated')!.value as Date).toISOString(), '2026-03-03T14:05:00.000Z', 'the time in England');
    assert.equal(figures.get('Hourly rate: teaching assistant')!.value, 19.5);
    assert.equal(figures.get('Whole school')!.value, 3, 'the by-provision table ends with the whole school');
    assert.equal(figures.get('This download shows'), undefined, 'the whole school is not a filter');
  });

  it('will not let a cell run as a formula: the text is quoted and no formula is written', async () => {
    const buffer = await mapWorkbook(sampleMap());
    const workbook = await readBack(buffer);
    const row = workbook.getWorksheet('Pupils')!.getRow(5);
    assert.equal(row.getCell(1).type, ExcelJS.ValueType.String);
    assert.equal(row.getCell(1).value, `'=HYPERLINK("http://evil.example","Click")`);
    assert.equal(row.getCell(4).value, "'+9B");
    assert.equal(row.getCell(6).value, "'@SUM(1,2)");
    const files = unzipSync(new Uint8Array(buffer));
    const sheets = Object.keys(files).filter((name) => /^xl\/worksheets\/sheet\d+\.xml$/.test(name));
    assert.equal(sheets.length, 4);
    for (const name of sheets) assert.doesNotMatch(strFromU8(files[name]!), /<f[ >]/, `${name} has no formula`);
    assert.match(strFromU8(files['xl/sharedStrings.xml']!), /<t>&apos;=HYPERLINK\(&quot;http:\/\/evil\.example&quot;/);
    assert.equal(formulaSafe('-3 points'), "'-3 points");
    assert.equal(formulaSafe('\tx'), "'\tx");
    assert.equal(formulaSafe('Reading: 3 − 2'), 'Reading: 3 − 2');
  });

  it('relies on exceljs writing a string as a string, which it does: only a { formula } value becomes one', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Check');
    sheet.getCell('A1').value = '=1+1';
    sheet.getCell('A2').value = { formula: '1+1' };
    const files = unzipSync(new Uint8Array(await workbook.xlsx.writeBuffer()));
    const xml = strFromU8(files['xl/worksheets/sheet1.xml']!);
    assert.match(xml, /<c r="A1"[^>]* t="s"><v>\d+<\/v><\/c>/, 'A1 is a shared string');
    assert.match(xml, /<c r="A2"[^>]*><f>1\+1<\/f>/, 'A2 is a formula');
  });

  it('says which pupils a filtered download holds, beside the whole school’s figures', async () => {
    const filters = { over: true, yearGroup: '7', registrationGroup: '' };
    const view = sampleMap(filters);
    view.pupils = view.pupils.filter((entry) => entry.overThreshold);
    Object.assign(view, rollUpPupils(view.pupils));
    assert.equal(filterText(filters), 'Year 7, pupils over £6,000 only');
    assert.equal(filterText({ over: false, yearGroup: '0', registrationGroup: '7A' }), 'Reception, registration group 7A only');
    assert.match(mapNotes(view), /2025 to 2026 \(Year 7, pupils over £6,000 only\)\./);
    assert.equal(mapExportFilename(view, 'xlsx'), 'provision-map-2025-26-year-7-over-6000-2026-03-03.xlsx');
    assert.equal(mapExportFilename({ ...view, filters: { over: false, yearGroup: '', registrationGroup: '10/B "x"' } }, 'csv'), 'provision-map-2025-26-class-10-b-x-2026-03-03.csv');
    const workbook = await readBack(await mapWorkbook(view));
    assert.equal(workbook.getWorksheet('Pupils')!.rowCount, 3);
    const figures = new Map<string, unknown>();
    workbook.getWorksheet('Summary')!.eachRow((row) => figures.set(String(row.getCell(1).value), row.getCell(2).value));
    assert.equal(figures.get('This download shows'), 'Year 7, pupils over £6,000 only');
    assert.equal(figures.get('Pupils in this download'), 1);
    assert.equal(figures.get('Their planned cost'), 19158.75);
    assert.equal(figures.get('Pupils with provision'), 3, 'the whole school still');
  });
});

describe('the impact report for leaders', () => {
  const progress = (expected: boolean, change: number): Progress => ({ change, monthsElapsed: null, ratioGain: null, band: expected ? 'expected' : 'kept-pace', expected, units: change });
  const attendance = { present: 9, late: 0, absent: 1 };
  // Reading: 6 pupils, 2 made expected progress (+7, +6), 4 kept pace (+1 each): 33%, flagged as not working.
  const reading = summarise([progress(true, 7), progress(true, 6), progress(false, 1), progress(false, 1), progress(false, 1), progress(false, 1)].map((entry) => ({ progress: entry, attendance, costPence: 5_000 })));
  // Talk group: 2 pupils, both met their target.
  const talk = summarise([{ progress: { ...progress(true, 1), band: 'met' as const }, attendance, costPence: 12_000 }, { progress: { ...progress(true, 1), band: 'met' as const }, attendance, costPence: 12_000 }]);
  const report: ImpactReport = {
    schoolName: 'Ashfield Academy',
    year: YEAR,
    generatedAt: GENERATED,
    perProvision: [
      { provision: provision('Reading catch-up'), groups: 2, summary: reading, plannedPence: 40_000 },
      { provision: provision('Talk group', 'target'), groups: 1, summary: talk, plannedPence: 30_000 },
    ],
    overall: summarise([]),
    pupils: 7,
    groups: 3,
    plannedPence: 70_000,
    notProgressing: 2,
  };
  const model = impactReportModel({ ...report, overall: summarise([...Array(6)].map((_, index) => ({ progress: progress(index < 2, 1), attendance, costPence: 5_000 }))) });
  const text = (blocks: readonly Block[]) =>
    blocks
      .map((block) => {
        switch (block.type) {
          case 'heading':
            return block.text;
          case 'paragraph':
            return plainText(block.content);
          case 'bullets':
            return block.items.map(plainText).join('\n');
          case 'summary':
            return block.items.map((item) => `${item.key}: ${plainText(item.value)}`).join('\n');
          case 'table':
            return [block.caption ?? '', block.headers.join(' | '), ...block.rows.map((row) => row.map(plainText).join(' | '))].join('\n');
          default:
            return '';
        }
      })
      .join('\n');

  it('has the title, school and year, how progress is measured, and a summary', () => {
    assert.equal(model.title, 'Impact of provision');
    assert.equal(model.subtitle, 'School year 2025 to 2026 · report for leaders');
    assert.equal(model.schoolName, 'Ashfield Academy');
    assert.match(model.confidentiality!, /No pupil is named/);
    const all = text(model.blocks);
    assert.match(all, /School year: 2025 to 2026: intervention groups starting between 1 September 2025 and 31 August 2026/);
    assert.match(all, /Produced: 3 March 2026 at 2:05pm/);
    for (const heading of ['Summary', 'How progress is measured', 'By provision', 'Provision that may not be working', 'Pupils not progressing']) {
      assert.ok(model.blocks.some((block) => block.type === 'heading' && block.text === heading), heading);
    }
    assert.match(all, /Standardised scores: progress is the exit score minus the entry score\. A gain of 5 points or more/);
    assert.match(all, /Greg Brooks/);
    assert.match(all, /Pupils: 7 pupils in 3 groups, across 2 provisions/);
    assert.match(all, /Made expected progress: 33% \(2 of the 6 results with exit measures\)/);
    assert.match(all, /Attendance: 90% of the sessions recorded for pupils/);
    assert.match(all, /Cost: £300 so far of £700 planned/);
  });

  it('gives each provision’s figures, the chart as a table, what may not be working and how many pupils are not progressing, but no names', () => {
    const tables = model.blocks.filter((block): block is TableBlock => block.type === 'table');
    const progressTable = tables.find((block) => block.caption === 'Progress by provision, 2025 to 2026')!;
    assert.deepEqual(progressTable.rows[0]!.map(plainText), ['Reading catch-up (may not be working)', 'Standardised score', '2', '6', '6', '33%\u00A0(2\u00A0of\u00A06)', '+2.8']);
    assert.deepEqual(progressTable.rows[1]!.map(plainText), ['Talk group', 'Target met or not met', '1', '2', '2', '100%\u00A0(2\u00A0of\u00A02)', '–']);
    const costs = tables.find((block) => block.caption === 'Attendance and cost by provision, 2025 to 2026')!;
    // Reading: £300 for 6 pupils = £50 each; 2 × 7 + 2 × 6 … units gained 17, £300 ÷ 17 = £17.65 per point.
    assert.deepEqual(costs.rows[0]!.map(plainText), ['Reading catch-up', '90%', '£400', '£300', '£50', '£17.65 per standardised point']);
    const chart = tables.find((block) => block.caption === 'Pupils who made expected progress, by provision, 2025 to 2026')!;
    assert.deepEqual(chart.headers, ['Provision', 'Made expected progress']);
    assert.deepEqual(chart.rows, [['Reading catch-up', '33%'], ['Talk group', '100%']]);
    const flagged = tables.find((block) => block.caption === 'Flagged, 2025 to 2026')!;
    assert.deepEqual(flagged.rows.map((row) => plainText(row[0]!)), ['Reading catch-up']);
    const all = text(model.blocks);
    assert.match(all, /2 pupils are flagged\./);
    assert.match(all, /names are not in this report, because reports for leaders are shared by email\. They are on the Impact page/);
  });

  it('says so when nothing started in the year, and when no one is flagged', () => {
    const empty = text(impactReportModel({ ...report, perProvision: [], overall: summarise([]), pupils: 0, groups: 0, plannedPence: 0, notProgressing: 0 }).blocks);
    assert.match(empty, /No intervention groups started in 2025 to 2026\./);
    assert.match(empty, /Made expected progress: No exit measures recorded yet/);
    assert.match(empty, /No provision is flagged for 2025 to 2026\./);
    assert.match(empty, /No pupil is flagged\./);
  });
});
