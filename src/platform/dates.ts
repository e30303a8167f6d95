import { TZDate } from '@date-fns/tz';
// Subpath imports: the package root costs over a second to load.
import { differenceInCalendarDays } from 'date-fns/differenceInCalendarDays';
import { format } from 'date-fns/format';
import { isValid } from 'date-fns/isValid';
import { parseISO } from 'date-fns/parseISO';

export const SCHOOL_TIME_ZONE = 'Europe/London';

/** Today's date in England as 'YYYY-MM-DD'. */
export function schoolToday(now: Date = new Date()): string {
  return format(new TZDate(now, SCHOOL_TIME_ZONE), 'yyyy-MM-dd');
}

export function isIsoDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && isValid(parseISO(value)) && format(parseISO(value), 'yyyy-MM-dd') === value;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** '2026-03-14' → '14 March 2026' (the GOV.UK style). */
export function formatDate(value: string | null | undefined): string {
  if (!value) return '';
  // Plain dates are the common case on long tables: no parsing library needed.
  const plain = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (plain) {
    const month = MONTHS[Number(plain[2]) - 1];
    if (month && Number(plain[3]) >= 1 && Number(plain[3]) <= 31) return `${Number(plain[3])} ${month} ${plain[1]}`;
  }
  const date = parseISO(value.length > 10 ? value : `${value}T12:00:00`);
  if (!isValid(date)) return value;
  if (value.length > 10) return format(new TZDate(date, SCHOOL_TIME_ZONE), 'd MMMM yyyy');
  return format(date, 'd MMMM yyyy');
}

/** An instant as '14 March 2026 at 9:05am', in London time. */
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '';
  const date = parseISO(value);
  if (!isValid(date)) return value;
  return format(new TZDate(date, SCHOOL_TIME_ZONE), "d MMMM yyyy 'at' h:mmaaa");
}

/** 'due in 5 days', 'due today', '3 days overdue'. */
export function describeDeadline(dueDate: string, today: string = schoolToday()): string {
  const days = differenceInCalendarDays(parseISO(dueDate), parseISO(today));
  if (days === 0) return 'due today';
  if (days === 1) return 'due tomorrow';
  if (days > 1) return `due in ${days} days`;
  if (days === -1) return '1 day overdue';
  return `${-days} days overdue`;
}

/** The academic year (1 September to 31 August) a date falls in, by its starting calendar year. */
export function academicYearStart(onDate: string): number {
  const [y, m] = onDate.split('-').map(Number) as [number, number];
  return m >= 9 ? y : y - 1;
}
