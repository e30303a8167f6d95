// CSV and XLSX registers become one shape: the heading row and the data rows as text, each with the
// row number a person sees in Excel, so a rejected row can be found and fixed.
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { ImportFileError } from './file-check.ts';
import type { SpreadsheetTable } from './mapping.ts';

export const MAX_SPREADSHEET_ROWS = 50_000;
export const MAX_SPREADSHEET_COLUMNS = 200;

/** Comma, semicolon or tab: whichever the heading line uses most, outside quotes. */
function sniffDelimiter(firstLine: string): string {
  const counts: Record<string, number> = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const character of firstLine) {
    if (character === '"') quoted = !quoted;
    else if (!quoted && character in counts) counts[character]! += 1;
  }
  const [best, count] = Object.entries(counts).sort((a, b) => b[1] - a[1])[0]!;
  return count > 0 ? best : ',';
}

function finishTable(rows: Array<{ line: number; cells: string[] }>): SpreadsheetTable {
  const nonEmpty = rows.filter((row) => row.cells.some((cell) => cell.trim() !== ''));
  const [headerRow, ...data] = nonEmpty;
  if (!headerRow) throw new ImportFileError('The spreadsheet has no rows: check you chose the right file');
  const headers = headerRow.cells.map((cell) => cell.replace(/\s+/g, ' ').trim());
  while (headers.length && headers.at(-1) === '') headers.pop();
  if (headers.filter(Boolean).length < 2) {
    throw new ImportFileError('The first row of the spreadsheet must be column headings, such as UPN, Surname, Forename and DOB');
  }
  if (headers.length > MAX_SPREADSHEET_COLUMNS) throw new ImportFileError(`The spreadsheet has more than ${MAX_SPREADSHEET_COLUMNS} columns: save a copy with only the register columns`);
  if (data.length === 0) throw new ImportFileError('The spreadsheet has headings but no pupils below them');
  if (data.length > MAX_SPREADSHEET_ROWS) throw new ImportFileError(`The spreadsheet has more than ${MAX_SPREADSHEET_ROWS.toLocaleString('en-GB')} rows: split it into smaller files`);
  return {
    headers: headers.map((header, index) => header || `Column ${index + 1}`),
    rows: data.map((row) => ({ line: row.line, cells: headers.map((_, index) => (row.cells[index] ?? '').trim()) })),
  };
}

export function readCsv(text: string): SpreadsheetTable {
  // One line ending throughout, so row numbers match what a spreadsheet shows.
  const normalised = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const firstLine = normalised.slice(0, normalised.indexOf('\n') === -1 ? undefined : normalised.indexOf('\n'));
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(normalised, {
      delimiter: sniffDelimiter(firstLine),
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
    }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
  } catch (error) {
    const detail = error as { message?: string; lines?: number };
    throw new ImportFileError(
      `The CSV file could not be read${detail.lines ? ` at line ${detail.lines}` : ''}: ${(detail.message ?? '').replace(/^Invalid [^:]*: /, '').slice(0, 200) || 'it is not well formed'}. Open it in Excel and save it again as "CSV UTF-8"`,
    );
  }
  return finishTable(
    records.map(({ record, info }) => {
      // csv-parse reports the line a record ends on; a quoted value may span lines.
      const spanned = record.reduce((count, cell) => count + (cell.match(/\n/g)?.length ?? 0), 0);
      return { line: info.lines - spanned, cells: record };
    }),
  );
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/** An XLSX cell as the text a person would type: dates as ISO dates, formulas as their results. */
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return '';
    // ExcelJS gives a date cell as UTC midnight of the date shown.
    return `${value.getUTCFullYear()}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())}`;
  }
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'object') {
    if ('richText' in value && Array.isArray(value.richText)) return value.richText.map((part) => part.text).join('');
    if ('formula' in value || 'sharedFormula' in value) return cellText((value as { result?: ExcelJS.CellValue }).result ?? null);
    if ('text' in value && typeof (value as { text: unknown }).text === 'string') return (value as { text: string }).text;
    if ('error' in value) return '';
  }
  return String(value);
}

export async function readXlsx(bytes: Uint8Array): Promise<SpreadsheetTable> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as ExcelJS.Buffer);
  } catch {
    throw new ImportFileError('The Excel workbook could not be opened: it may be damaged or password-protected. Open it in Excel, save a copy without a password and import that');
  }
  const sheet = workbook.worksheets.find((candidate) => candidate.actualRowCount > 0);
  if (!sheet) throw new ImportFileError('The Excel workbook has no rows: check you chose the right file');
  if (sheet.rowCount > MAX_SPREADSHEET_ROWS + 1000) {
    throw new ImportFileError(`The spreadsheet has more than ${MAX_SPREADSHEET_ROWS.toLocaleString('en-GB')} rows: split it into smaller files`);
  }
  const rows: Array<{ line: number; cells: string[] }> = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: string[] = [];
    const count = Math.min(row.cellCount, MAX_SPREADSHEET_COLUMNS + 1);
    for (let column = 1; column <= count; column++) cells.push(cellText(row.getCell(column).value).trim());
    rows.push({ line: rowNumber, cells });
  });
  return finishTable(rows);
}
