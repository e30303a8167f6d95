// Downloads of Provision: the costed provision map as CSV and as an Excel workbook, and the impact
// report for leaders as a document model (rendered to Word and PDF by src/platform/documents). Pure
// builders: the service loads the figures, audits the export and hands them here; nothing here reads
// the database or the clock except to stamp when a file was made.
import { TZDate } from '@date-fns/tz';
import { format as formatDateFns } from 'date-fns';
import ExcelJS from 'exceljs';
import { chartTable, type ChartSpec } from '../../platform/charts/index.ts';
import { toCsv } from '../../platform/csv.ts';
import { SCHOOL_TIME_ZONE, formatDate, formatDateTime } from '../../platform/dates.ts';
import { bullets, heading, paragraph, summary, table, type Block, type DocumentModel } from '../../platform/documents/index.ts';
import { estimateArialWidth } from '../../platform/documents/model.ts';
import { PROVISION_LABELS, isProvision, yearGroupLabel } from '../register/census.ts';
import { IMPACT_EXPLANATION, unitName, type ImpactSummary } from './impact.ts';
import type { AcademicYear, MapFilters, MapRow, ProvisionSettings, ProvisionView, PupilCost } from './service.ts';
import { MEASURE_LABELS, STAFF_TYPES, STAFF_TYPE_LABELS, formatMoney, type Measure } from './validation.ts';
import { formatNumber } from '../../platform/figures.ts';

// Shared -------------------------------------------------------------------------------------------

/**
 * A text cell a spreadsheet could run as a formula (it starts with = + - @, a tab or a carriage return)
 * is prefixed with a quote, as the CSV export does (OWASP CSV injection). exceljs writes strings as
 * strings, so the workbook itself runs nothing; the quote keeps it so when a cell is edited, or the
 * sheet is saved as CSV and opened again.
 */
export function formulaSafe(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function percent(share: number | null | undefined): string {
  return share === null || share === undefined ? '' : `${Math.round(share * 100)}%`;
}

function provisionLabel(code: string): string {
  return isProvision(code) ? PROVISION_LABELS[code] : code;
}

function yearRowLabel(row: MapRow): string {
  return row.key === '' ? row.label : yearGroupLabel(Number(row.key));
}

/** Pence to pounds, to the penny, as a number a spreadsheet can add up. */
function pounds(pence: number): number {
  return Math.round(pence) / 100;
}

/** What a filtered view shows, in words; empty for the whole school. */
export function filterText(filters: MapFilters): string {
  const parts: string[] = [];
  if (filters.yearGroup) parts.push(/^-?\d+$/.test(filters.yearGroup) ? yearGroupLabel(Number(filters.yearGroup)) : filters.yearGroup);
  if (filters.registrationGroup) parts.push(`registration group ${filters.registrationGroup}`);
  if (filters.over) parts.push('pupils over £6,000');
  return parts.length ? `${parts.join(', ')} only` : '';
}

function slug(text: string): string {
  return text.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036F]/g, '').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 30);
}

// The costed provision map -------------------------------------------------------------------------

/** The map as the pages show it, for a school year and the pupils page's filters. */
export interface MapExport {
  schoolName: string;
  year: AcademicYear;
  generatedAt: Date;
  settings: ProvisionSettings;
  filters: MapFilters;
  /** The pupils the filters keep, highest planned cost first. */
  pupils: PupilCost[];
  /** Those pupils added up per year group and per registration group. */
  byYear: MapRow[];
  byClass: MapRow[];
  /** The whole school, whatever the filters, as the map page's summary and its table by provision. */
  whole: { plannedPence: number; actualPence: number; groups: number; pupils: number; overThreshold: number };
  byProvision: Array<{ provision: ProvisionView; groups: number; planned: number; actual: number }>;
}

export type MapExportFormat = 'csv' | 'xlsx';

export const MAP_EXPORT_TYPES: Record<MapExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** For example provision-map-2025-26-year-7-2026-03-03.xlsx: ASCII only, so the header needs no encoding. */
export function mapExportFilename(view: Pick<MapExport, 'year' | 'filters' | 'generatedAt'>, format: MapExportFormat): string {
  const { filters } = view;
  const parts = [`provision-map-${view.year.start}-${String(view.year.start + 1).slice(2)}`];
  if (filters.yearGroup) parts.push(slug(/^-?\d+$/.test(filters.yearGroup) ? yearGroupLabel(Number(filters.yearGroup)) : filters.yearGroup));
  if (filters.registrationGroup) parts.push(`class-${slug(filters.registrationGroup)}`);
  if (filters.over) parts.push('over-6000');
  parts.push(formatDateFns(new TZDate(view.generatedAt, SCHOOL_TIME_ZONE), 'yyyy-MM-dd'));
  return `${parts.filter(Boolean).join('-')}.${format}`;
}

type CellKind = 'text' | 'money' | 'count' | 'date' | 'yesno';

interface Column<T> {
  header: string;
  /** The heading in the CSV, where a money column says its unit. */
  csvHeader?: string;
  kind: CellKind;
  value: (row: T) => string | number | boolean | null;
}

const PUPIL_COLUMNS: Column<PupilCost>[] = [
  { header: 'Pupil', kind: 'text', value: (pupil) => pupil.name },
  { header: 'UPN', kind: 'text', value: (pupil) => pupil.upn ?? '' },
  { header: 'Year group', kind: 'text', value: (pupil) => (pupil.yearGroup === null ? '' : yearGroupLabel(pupil.yearGroup)) },
  { header: 'Registration group', kind: 'text', value: (pupil) => pupil.registrationGroup ?? '' },
  { header: 'SEN provision', kind: 'text', value: (pupil) => provisionLabel(pupil.senProvision) },
  { header: 'Provision', kind: 'text', value: (pupil) => pupil.provisions.join('; ') },
  { header: 'Groups', kind: 'count', value: (pupil) => pupil.groups },
  { header: 'First group starts', kind: 'date', value: (pupil) => pupil.firstStart },
  { header: 'Last group ends', kind: 'date', value: (pupil) => pupil.lastEnd },
  { header: 'Planned cost', csvHeader: 'Planned cost (£)', kind: 'money', value: (pupil) => pupil.plannedPence },
  { header: 'Actual cost so far', csvHeader: 'Actual cost so far (£)', kind: 'money', value: (pupil) => pupil.actualPence },
  { header: 'Over £6,000', kind: 'yesno', value: (pupil) => pupil.overThreshold },
];

const rollUpColumns = (first: string, label: (row: MapRow) => string): Column<MapRow>[] => [
  { header: first, kind: 'text', value: label },
  { header: 'Pupils with provision', kind: 'count', value: (row) => row.pupils },
  { header: 'Planned cost', kind: 'money', value: (row) => row.plannedPence },
  { header: 'Actual cost so far', kind: 'money', value: (row) => row.actualPence },
  { header: 'Planned per pupil', kind: 'money', value: (row) => (row.pupils ? row.plannedPence / row.pupils : 0) },
  { header: 'Pupils over £6,000', kind: 'count', value: (row) => row.overThreshold },
];

export const MAP_CSV_HEADINGS = PUPIL_COLUMNS.map((column) => column.csvHeader ?? column.header);

/** One row per pupil, as the pupils page lists them: money in pounds to the penny, dates as YYYY-MM-DD. */
export function mapCsv(view: Pick<MapExport, 'pupils'>): string {
  const cell = (column: Column<PupilCost>, pupil: PupilCost) => {
    const value = column.value(pupil);
    if (column.kind === 'money') return (Math.round(Number(value)) / 100).toFixed(2);
    if (column.kind === 'yesno') return value ? 'Yes' : 'No';
    return value === null ? '' : (value as string | number);
  };
  return toCsv([MAP_CSV_HEADINGS, ...view.pupils.map((pupil) => PUPIL_COLUMNS.map((column) => cell(column, pupil)))]);
}

const FORMAT = {
  money: '"£"#,##0.00',
  count: '#,##0',
  date: 'd mmm yyyy',
  dateTime: 'd mmm yyyy hh:mm',
  percent: '0%',
} as const;

/** An ISO date as Excel's date: midnight UTC, which exceljs writes as the whole day. */
function excelDate(iso: string): Date {
  return new Date(`${iso}T00:00:00Z`);
}

/** An instant as the wall-clock time in England, which is what a spreadsheet (with no time zones) should show. */
function excelDateTime(instant: Date): Date {
  return new Date(`${formatDateFns(new TZDate(instant, SCHOOL_TIME_ZONE), "yyyy-MM-dd'T'HH:mm:ss")}Z`);
}

function ratesText(settings: ProvisionSettings): string {
  return STAFF_TYPES.map((type) => `${STAFF_TYPE_LABELS[type].replace(/ \(.*\)$/, '').toLowerCase()} ${formatMoney(settings.rates[type], { exact: true })}`).join(', ');
}

/** The line at the top of every sheet: whose figures, for when, made when, at which rates. */
export function mapNotes(view: Pick<MapExport, 'schoolName' | 'year' | 'generatedAt' | 'settings' | 'filters'>): string {
  const shown = filterText(view.filters);
  return [
    view.schoolName,
    `Costed provision map for groups starting in the school year ${view.year.label}${shown ? ` (${shown})` : ''}`,
    `Generated ${formatDateTime(view.generatedAt.toISOString())}`,
    `Staff time costed at these hourly rates: ${ratesText(view.settings)}${view.settings.saved ? '' : ' (the default rates)'}`,
  ].join('. ') + '.';
}

/** Excel's own default, named on every styled cell so bold and italic cells match the rest. */
const FONT = { name: 'Calibri', family: 2, size: 11 } as const;
const NOTES_FONT: Partial<ExcelJS.Font> = { ...FONT, italic: true, color: { argb: 'FF505A5F' } };
const BOLD_FONT: Partial<ExcelJS.Font> = { ...FONT, bold: true };
/** Wider than this, a text column wraps (characters). */
const MAX_COLUMN_WIDTH = 50;
const LINE_HEIGHT = 15;

const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF3F2F1' } };
const HEADER_BORDER: Partial<ExcelJS.Borders> = { bottom: { style: 'thin', color: { argb: 'FF0B0C0C' } } };

function pageSetup(sheet: ExcelJS.Worksheet, view: Pick<MapExport, 'schoolName'>, headerRow?: number): void {
  sheet.pageSetup = {
    ...sheet.pageSetup,
    paperSize: 9, // A4
    orientation: 'landscape',
    fitToPage: true,
    fitToWidth: 1,
    fitToHeight: 0,
    ...(headerRow ? { printTitlesRow: `${headerRow}:${headerRow}` } : {}),
    margins: { left: 0.5, right: 0.5, top: 0.7, bottom: 0.7, header: 0.3, footer: 0.3 },
  };
  const escaped = view.schoolName.replace(/&/g, '&&');
  sheet.headerFooter = { oddHeader: `&L${escaped}&RCosted provision map`, oddFooter: '&LConfidential: contains special category personal data&RPage &P of &N' };
}

/** Writes a cell as its kind: numbers as numbers with a format, dates as dates, text made formula-safe. */
function setCell(cell: ExcelJS.Cell, kind: CellKind | 'percent' | 'dateTime', value: string | number | boolean | Date | null): void {
  if (value === null || value === '') {
    cell.value = null;
    return;
  }
  switch (kind) {
    case 'money':
      cell.value = pounds(Number(value));
      cell.numFmt = FORMAT.money;
      return;
    case 'count':
      cell.value = Number(value);
      cell.numFmt = FORMAT.count;
      return;
    case 'percent':
      cell.value = Number(value);
      cell.numFmt = FORMAT.percent;
      return;
    case 'date':
      cell.value = value instanceof Date ? value : excelDate(String(value));
      cell.numFmt = FORMAT.date;
      return;
    case 'dateTime':
      cell.value = value instanceof Date ? excelDateTime(value) : value;
      cell.numFmt = FORMAT.dateTime;
      return;
    case 'yesno':
      cell.value = value ? 'Yes' : 'No';
      return;
    case 'text':
      cell.value = formulaSafe(String(value));
  }
}

/** A column's width is counted in widths of the digit 0: its share of an em, in Arial and Calibri alike. */
const DIGIT_WIDTH = 0.556;

/** How wide a cell's content is, in widths of the digit 0 (the unit of a column's width), as the sheet shows it. */
function shownWidth(kind: CellKind, value: string | number | boolean | null): number {
  if (value === null || value === '') return 0;
  switch (kind) {
    case 'money':
      return formatMoney(Number(value), { exact: true }).length;
    case 'count':
      return formatNumber(Number(value)).length;
    case 'date':
      return 11;
    case 'yesno':
      return 3;
    case 'text':
      // A tenth more than Arial: LibreOffice without Calibri shows text in a wider font.
      return Math.ceil((estimateArialWidth(formulaSafe(String(value)), false) * 1.1) / DIGIT_WIDTH);
  }
}

/** The notes line across the table's columns, wrapped, with the height its lines need. */
function notesRow(sheet: ExcelJS.Worksheet, view: MapExport, columns: number, widths: number[]): void {
  const text = mapNotes(view);
  sheet.mergeCells(1, 1, 1, columns);
  const cell = sheet.getCell(1, 1);
  cell.value = formulaSafe(text);
  cell.font = NOTES_FONT;
  cell.alignment = { wrapText: true, vertical: 'top' };
  const across = widths.reduce((sum, width) => sum + width, 0);
  // Excel does not fit a merged cell's row to its text: the row is given the height of its lines.
  sheet.getRow(1).height = Math.ceil(shownWidth('text', text) / Math.max(20, across - 2)) * LINE_HEIGHT + 4;
}

function headerCell(cell: ExcelJS.Cell, text: string, horizontal: 'left' | 'right' | 'center'): void {
  cell.value = text;
  cell.font = BOLD_FONT;
  cell.fill = HEADER_FILL;
  cell.border = HEADER_BORDER;
  cell.alignment = { vertical: 'bottom', horizontal };
}

/** A sheet of one table: the notes line, a bold header row frozen with it and filterable, then the rows. */
function tableSheet<T>(workbook: ExcelJS.Workbook, name: string, view: MapExport, columns: Column<T>[], rows: T[]): ExcelJS.Worksheet {
  const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 2, xSplit: 1, topLeftCell: 'B3', activeCell: 'A3' }] });
  const widths = columns.map((column) => Math.min(MAX_COLUMN_WIDTH, Math.max(8, column.header.length, ...rows.map((row) => shownWidth(column.kind, column.value(row)))) + 2));
  widths.forEach((width, index) => {
    sheet.getColumn(index + 1).width = width;
  });
  notesRow(sheet, view, columns.length, widths);
  columns.forEach((column, index) => headerCell(sheet.getCell(2, index + 1), column.header, column.kind === 'text' ? 'left' : column.kind === 'yesno' ? 'center' : 'right'));
  rows.forEach((row, rowIndex) => {
    const line = sheet.getRow(rowIndex + 3);
    let lines = 1;
    columns.forEach((column, index) => {
      const cell = line.getCell(index + 1);
      const value = column.value(row);
      setCell(cell, column.kind, value);
      if (column.kind === 'yesno') cell.alignment = { horizontal: 'center' };
      else if (column.kind === 'date') cell.alignment = { horizontal: 'right' };
      const width = shownWidth(column.kind, value);
      if (width > widths[index]! - 1) {
        cell.alignment = { wrapText: true };
        lines = Math.max(lines, Math.ceil(width / (widths[index]! - 1)));
      }
    });
    // Neither Excel nor LibreOffice fits a row to wrapped text it did not lay out itself: the row is
    // given the height of its lines, and its cells start at the top, each keeping its own alignment.
    if (lines > 1) {
      line.height = lines * LINE_HEIGHT;
      line.eachCell({ includeEmpty: true }, (cell) => {
        cell.alignment = { ...cell.alignment, vertical: 'top' };
      });
    }
  });
  sheet.autoFilter = { from: { row: 2, column: 1 }, to: { row: 2, column: columns.length } };
  pageSetup(sheet, view, 2);
  return sheet;
}

function summarySheet(workbook: ExcelJS.Workbook, view: MapExport): ExcelJS.Worksheet {
  const sheet = workbook.addWorksheet('Summary', { views: [{ state: 'frozen', ySplit: 2, activeCell: 'A3' }] });
  const { whole, settings } = view;
  const budget = settings.budgetPence;
  const shown = filterText(view.filters);
  type Item = [string, Parameters<typeof setCell>[1], string | number | Date | null];
  const items: Item[] = [
    ['School', 'text', view.schoolName],
    ['Groups starting in the school year', 'text', view.year.label],
    ['School year starts', 'date', view.year.from],
    ['School year ends', 'date', view.year.to],
    ['Generated', 'dateTime', view.generatedAt],
    ['Notional SEN budget', budget === null ? 'text' : 'money', budget === null ? 'Not set' : budget],
    ['Planned cost, whole school', 'money', whole.plannedPence],
    ...(budget ? ([['Planned, share of the budget', 'percent', whole.plannedPence / budget]] as Item[]) : []),
    ['Actual cost so far, whole school', 'money', whole.actualPence],
    ...(budget ? ([['Actual so far, share of the budget', 'percent', whole.actualPence / budget]] as Item[]) : []),
    ['Intervention groups', 'count', whole.groups],
    ['Pupils with provision', 'count', whole.pupils],
    ['Pupils over £6,000', 'count', whole.overThreshold],
    ...(shown
      ? ([
          ['This download shows', 'text', shown],
          ['Pupils in this download', 'count', view.pupils.length],
          ['Their planned cost', 'money', view.pupils.reduce((sum, pupil) => sum + pupil.plannedPence, 0)],
          ['Their actual cost so far', 'money', view.pupils.reduce((sum, pupil) => sum + pupil.actualPence, 0)],
        ] as Item[])
      : []),
    ...STAFF_TYPES.map((type): Item => [`Hourly rate: ${STAFF_TYPE_LABELS[type].toLowerCase()}`, 'money', settings.rates[type]]),
  ];
  const textValues = items.filter(([, kind]) => kind === 'text').map(([, , value]) => String(value).length);
  const widths = [
    Math.min(MAX_COLUMN_WIDTH, Math.max(20, ...items.map(([label]) => label.length), ...view.byProvision.map((entry) => entry.provision.name.length)) + 2),
    Math.min(MAX_COLUMN_WIDTH, Math.max(18, ...textValues) + 2),
    16,
    20,
  ];
  widths.forEach((width, index) => {
    sheet.getColumn(index + 1).width = width;
  });
  notesRow(sheet, view, 4, widths);
  headerCell(sheet.getCell(2, 1), 'Figure', 'left');
  headerCell(sheet.getCell(2, 2), 'Value', 'right');
  let row = 3;
  for (const [label, kind, value] of items) {
    sheet.getCell(row, 1).value = label;
    const cell = sheet.getCell(row, 2);
    setCell(cell, kind, value);
    cell.alignment = { horizontal: 'right' };
    row += 1;
  }
  row += 1;
  sheet.getCell(row, 1).value = 'By provision, whole school';
  sheet.getCell(row, 1).font = { ...BOLD_FONT, size: 12 };
  row += 1;
  ['Provision', 'Groups', 'Planned cost', 'Actual cost so far'].forEach((text, index) => headerCell(sheet.getCell(row, index + 1), text, index > 0 ? 'right' : 'left'));
  row += 1;
  for (const entry of view.byProvision) {
    setCell(sheet.getCell(row, 1), 'text', entry.provision.name);
    setCell(sheet.getCell(row, 2), 'count', entry.groups);
    setCell(sheet.getCell(row, 3), 'money', entry.planned);
    setCell(sheet.getCell(row, 4), 'money', entry.actual);
    row += 1;
  }
  setCell(sheet.getCell(row, 1), 'text', 'Whole school');
  setCell(sheet.getCell(row, 2), 'count', whole.groups);
  setCell(sheet.getCell(row, 3), 'money', whole.plannedPence);
  setCell(sheet.getCell(row, 4), 'money', whole.actualPence);
  for (let column = 1; column <= 4; column += 1) sheet.getCell(row, column).font = BOLD_FONT;
  pageSetup(sheet, view);
  return sheet;
}

/** The workbook: sheets Pupils, By year group, By class and Summary. */
export async function mapWorkbook(view: MapExport): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'SENCO Desk';
  workbook.company = view.schoolName;
  workbook.title = `Costed provision map ${view.year.label}`;
  workbook.subject = 'Costed provision map';
  workbook.created = view.generatedAt;
  workbook.modified = view.generatedAt;
  tableSheet(workbook, 'Pupils', view, PUPIL_COLUMNS, view.pupils);
  tableSheet(workbook, 'By year group', view, rollUpColumns('Year group', yearRowLabel), view.byYear);
  tableSheet(workbook, 'By class', view, rollUpColumns('Registration group', (row) => row.label), view.byClass);
  summarySheet(workbook, view);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

// The impact report --------------------------------------------------------------------------------

type ImpactRow = { label: string; summary: { expectedShare: number | null } };

/** A bar chart of the share who made expected progress, one bar per row; undefined with nothing measured. */
export function expectedShareChart(title: string, categoryLabel: string, rows: ImpactRow[]): ChartSpec | undefined {
  const shown = rows.filter((row) => row.summary.expectedShare !== null);
  if (shown.length === 0) return undefined;
  return {
    title,
    categoryLabel,
    valueLabel: 'Made expected progress',
    categories: shown.map((row) => row.label),
    series: [{ name: 'Made expected progress', values: shown.map((row) => Math.round(row.summary.expectedShare! * 100)) }],
    format: { suffix: '%' },
  };
}

/** The impact page's chart, which the report gives as a table. */
export function impactCharts(year: AcademicYear, perProvision: Array<{ provision: ProvisionView; summary: ImpactSummary }>): ChartSpec[] {
  const chart = expectedShareChart(`Pupils who made expected progress, by provision, ${year.label}`, 'Provision', perProvision.map((entry) => ({ label: entry.provision.name, summary: entry.summary })));
  return chart ? [chart] : [];
}

export interface ImpactReport {
  schoolName: string;
  year: AcademicYear;
  generatedAt: Date;
  perProvision: Array<{ provision: ProvisionView; groups: number; summary: ImpactSummary; plannedPence: number }>;
  /** Every pupil's result in the year's groups, pooled. */
  overall: ImpactSummary;
  /** Pupils, each counted once however many groups they were in. */
  pupils: number;
  groups: number;
  plannedPence: number;
  /** Pupils flagged as not progressing: a count, never names. */
  notProgressing: number;
}

const NBSP = '\u00A0';
const money = (pence: number | null) => (pence === null ? '–' : formatMoney(Math.round(pence)));
const plural = (count: number, one: string, many = `${one}s`) => `${formatNumber(count)} ${count === 1 ? one : many}`;

function averageProgress(measure: string, summary: ImpactSummary): string {
  if (measure === 'reading-age' || measure === 'spelling-age') return summary.meanRatioGain === null ? '–' : `ratio${NBSP}gain${NBSP}${summary.meanRatioGain}`;
  if (measure === 'target' || summary.meanChange === null) return '–';
  return summary.meanChange > 0 ? `+${summary.meanChange}` : summary.meanChange < 0 ? `−${Math.abs(summary.meanChange)}` : '0';
}

/** "73% (8 of 11)", kept on one line in a table. */
function expectedText(summary: ImpactSummary): string {
  return summary.expectedShare === null ? '–' : `${percent(summary.expectedShare)}${NBSP}(${summary.expected}${NBSP}of${NBSP}${summary.withMeasures})`;
}

export function impactReportFilename(report: Pick<ImpactReport, 'year' | 'schoolName'>): string {
  return `Impact of provision ${report.year.label} – ${report.schoolName}`;
}

/** The impact page as a document for leaders: the same definitions and figures, no child named. */
export function impactReportModel(report: ImpactReport): DocumentModel {
  const { overall, year } = report;
  const notWorking = report.perProvision.filter((entry) => entry.summary.notWorking);
  const blocks: Block[] = [
    summary([
      { key: 'School', value: report.schoolName },
      { key: 'School year', value: `${year.label}: intervention groups starting between ${formatDate(year.from)} and ${formatDate(year.to)}` },
      { key: 'Produced', value: formatDateTime(report.generatedAt.toISOString()) },
    ]),
    heading('Summary'),
    summary([
      { key: 'Pupils', value: `${plural(report.pupils, 'pupil')} in ${plural(report.groups, 'group')}, across ${plural(report.perProvision.length, 'provision', 'provisions')}` },
      {
        key: 'Made expected progress',
        value: overall.expectedShare === null ? 'No exit measures recorded yet' : `${percent(overall.expectedShare)} (${overall.expected} of the ${plural(overall.withMeasures, 'result', 'results')} with exit measures)`,
      },
      { key: 'Attendance', value: overall.attendanceRate === null ? 'No sessions recorded yet' : `${percent(overall.attendanceRate)} of the sessions recorded for pupils` },
      { key: 'Cost', value: `${money(overall.costPence)} so far of ${money(report.plannedPence)} planned` },
      { key: 'Cost per pupil so far', value: overall.costPerPupilPence === null ? '–' : money(overall.costPerPupilPence) },
      { key: 'Provision that may not be working', value: notWorking.length ? `${notWorking.length} of ${report.perProvision.length}` : 'None' },
      { key: 'Pupils not progressing', value: report.notProgressing ? plural(report.notProgressing, 'pupil') : 'None' },
    ]),
    paragraph('A pupil in two groups has two results: each group’s progress, attendance and cost count once for each of its pupils.', 'secondary'),
    heading('How progress is measured'),
    bullets([IMPACT_EXPLANATION.standardised, IMPACT_EXPLANATION.age, IMPACT_EXPLANATION.scale, IMPACT_EXPLANATION.target]),
    paragraph(IMPACT_EXPLANATION.attendance),
    paragraph(IMPACT_EXPLANATION.cost),
    paragraph(`${IMPACT_EXPLANATION.notWorking} ${IMPACT_EXPLANATION.notProgressing}`),
    heading('By provision'),
  ];
  if (report.perProvision.length === 0) {
    blocks.push(paragraph(`No intervention groups started in ${year.label}.`));
  } else {
    blocks.push(
      table({
        caption: `Progress by provision, ${year.label}`,
        headers: ['Provision', 'Measure', 'Groups', 'Pupils', 'With exit measures', 'Made expected progress', 'Average progress'],
        numeric: [false, false, true, true, true, true, true],
        rows: report.perProvision.map((entry) => [
          entry.summary.notWorking ? `${entry.provision.name} (may not be working)` : entry.provision.name,
          MEASURE_LABELS[entry.provision.measure as Measure] ?? entry.provision.measure,
          String(entry.groups),
          String(entry.summary.pupils),
          String(entry.summary.withMeasures),
          expectedText(entry.summary),
          averageProgress(entry.provision.measure, entry.summary),
        ]),
      }),
      table({
        caption: `Attendance and cost by provision, ${year.label}`,
        headers: ['Provision', 'Attendance', 'Planned cost', 'Cost so far', 'Cost per pupil so far', 'Cost per unit of progress'],
        numeric: [false, true, true, true, true, true],
        widths: [2.6, 1.6, 1.3, 1.2, 1.3, 2.4],
        rows: report.perProvision.map((entry) => [
          entry.provision.name,
          percent(entry.summary.attendanceRate) || '–',
          money(entry.plannedPence),
          money(entry.summary.costPence),
          money(entry.summary.costPerPupilPence),
          entry.summary.costPerUnitPence === null ? '–' : `${money(entry.summary.costPerUnitPence)} per ${unitName(entry.provision.measure as Measure, 1)}`,
        ]),
      }),
    );
    for (const chart of impactCharts(year, report.perProvision)) {
      const figures = chartTable(chart);
      blocks.push(heading('The impact page’s chart, as figures', 3), table({ caption: figures.caption, headers: figures.headers, rows: figures.rows, numeric: figures.numeric }));
    }
  }
  blocks.push(heading('Provision that may not be working'), paragraph(IMPACT_EXPLANATION.notWorking));
  if (notWorking.length) {
    blocks.push(
      table({
        caption: `Flagged, ${year.label}`,
        headers: ['Provision', 'With exit measures', 'Made expected progress', 'Cost so far'],
        numeric: [false, true, true, true],
        rows: notWorking.map((entry) => [entry.provision.name, String(entry.summary.withMeasures), expectedText(entry.summary), money(entry.summary.costPence)]),
      }),
    );
  } else {
    blocks.push(paragraph(`No provision is flagged for ${year.label}.`));
  }
  blocks.push(
    heading('Pupils not progressing'),
    paragraph(IMPACT_EXPLANATION.notProgressing),
    paragraph(report.notProgressing ? `${plural(report.notProgressing, 'pupil is', 'pupils are')} flagged.` : 'No pupil is flagged.'),
    paragraph('Pupils’ names are not in this report, because reports for leaders are shared by email. They are on the Impact page in SENCO Desk (Provision, then Impact), which only staff allowed to see them can open.', 'secondary'),
  );
  return {
    title: 'Impact of provision',
    subtitle: `School year ${year.label} · report for leaders`,
    subject: 'Impact of provision',
    schoolName: report.schoolName,
    confidentiality: 'Confidential: for school leaders. No pupil is named, but small numbers can identify a child.',
    created: report.generatedAt,
    blocks,
  };
}
