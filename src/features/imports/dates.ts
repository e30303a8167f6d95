// Dates as schools' spreadsheets and MIS exports write them. English schools write the day first,
// so 03/04/2015 is 3 April 2015, never 4 March.

export type DateParse = { ok: true; date: string } | { ok: false; reason: string };

const MONTHS: Record<string, number> = {
  jan: 1, january: 1, feb: 2, february: 2, mar: 3, march: 3, apr: 4, april: 4, may: 5, jun: 6, june: 6,
  jul: 7, july: 7, aug: 8, august: 8, sep: 9, sept: 9, september: 9, oct: 10, october: 10, nov: 11, november: 11,
  dec: 12, december: 12,
};

export interface DateOptions {
  /** 'YYYY-MM-DD': the school's today, used for the two-digit-year pivot and "must be in the past". */
  today: string;
  /** Dates of birth and SEN start dates are in the past: a two-digit year that would land in the future goes back a century. */
  past?: boolean;
  /** Numbers are Excel date serials (XLSX cells that are numbers but not formatted as dates). */
  allowSerial?: boolean;
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

function isoFrom(year: number, month: number, day: number): string | undefined {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return undefined;
  if (year < 1000 || year > 9999 || month < 1 || month > 12 || day < 1) return undefined;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return undefined;
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

/**
 * Two-digit years: 00–29 are 2000s and 30–99 are 1900s; for dates that must be in the past a year
 * that would land after today goes back a century, so a child born in '28' is not born in the future.
 */
export function expandTwoDigitYear(twoDigits: number, month: number, day: number, options: DateOptions): number {
  let year = twoDigits <= 29 ? 2000 + twoDigits : 1900 + twoDigits;
  if (options.past) {
    const candidate = `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
    if (candidate > options.today) year -= 100;
  }
  return year;
}

/** Excel's day count from 30 December 1899 (which absorbs Excel's phantom 29 February 1900). */
export function excelSerialToIso(serial: number): string | undefined {
  if (!Number.isFinite(serial) || serial < 1 || serial > 2958465) return undefined;
  const whole = Math.floor(serial);
  const date = new Date(Date.UTC(1899, 11, 30) + whole * 86_400_000);
  return date.toISOString().slice(0, 10);
}

const NOT_A_DATE = 'is not a date we recognise: write it like 31/12/2015 or 2015-12-31';

/** Reads one date cell. Blank cells are the caller's business: this is only called with text. */
export function parseImportDate(raw: string, options: DateOptions): DateParse {
  const text = raw.trim();
  if (!text) return { ok: false, reason: 'is blank' };
  let match: RegExpExecArray | null;

  // ISO, optionally with a time (Excel and MIS exports add T00:00:00 or " 00:00:00").
  if ((match = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(text))) {
    const iso = isoFrom(Number(match[1]), Number(match[2]), Number(match[3]));
    return iso ? { ok: true, date: iso } : { ok: false, reason: `"${text}" is not a real date` };
  }
  // yyyy/mm/dd
  if ((match = /^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$/.exec(text))) {
    const iso = isoFrom(Number(match[1]), Number(match[2]), Number(match[3]));
    return iso ? { ok: true, date: iso } : { ok: false, reason: `"${text}" is not a real date` };
  }
  // dd/mm/yyyy, d/m/yy, dd-mm-yyyy, dd.mm.yyyy (day first), optionally followed by a midnight time.
  if ((match = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?$/.exec(text))) {
    const day = Number(match[1]);
    const month = Number(match[3]);
    const yearText = match[4]!;
    const year = yearText.length === 2 ? expandTwoDigitYear(Number(yearText), month, day, options) : Number(yearText);
    const iso = isoFrom(year, month, day);
    if (iso) return { ok: true, date: iso };
    if (month > 12 && day <= 12) {
      return { ok: false, reason: `"${text}" is not a real date: dates are read day first, like 31/12/2015` };
    }
    return { ok: false, reason: `"${text}" is not a real date` };
  }
  // 3 March 2015, 3 Mar 15, 03-Mar-2015, 3rd March 2015
  if ((match = /^(\d{1,2})(?:st|nd|rd|th)?[\s-]+([A-Za-z]{3,9})\.?,?[\s-]+(\d{2}|\d{4})$/.exec(text))) {
    const month = MONTHS[match[2]!.toLowerCase()];
    if (!month) return { ok: false, reason: `"${text}" ${NOT_A_DATE}` };
    const day = Number(match[1]);
    const yearText = match[3]!;
    const year = yearText.length === 2 ? expandTwoDigitYear(Number(yearText), month, day, options) : Number(yearText);
    const iso = isoFrom(year, month, day);
    return iso ? { ok: true, date: iso } : { ok: false, reason: `"${text}" is not a real date` };
  }
  // Excel serial numbers, when the cell was a number.
  if (options.allowSerial && /^\d{1,7}(?:\.\d+)?$/.test(text)) {
    const iso = excelSerialToIso(Number(text));
    if (iso) return { ok: true, date: iso };
  }
  return { ok: false, reason: `"${text}" ${NOT_A_DATE}` };
}
