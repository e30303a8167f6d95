// The rules of a one-time contribution link, as pure functions: how a token is made and kept, when a
// link works, when it expires, what its request's status is, and how answers are checked. Nothing
// here reads the database or the clock: callers pass `now`.
import { createHash, randomBytes } from 'node:crypto';
import { TZDate } from '@date-fns/tz';
import { addDays } from 'date-fns/addDays';
import { differenceInCalendarDays } from 'date-fns/differenceInCalendarDays';
import { parseISO } from 'date-fns/parseISO';
import { SCHOOL_TIME_ZONE, schoolToday } from '../../platform/dates.ts';
import type { FieldError } from '../../platform/errors.ts';

export const RESPONDENTS = ['parent', 'pupil'] as const;
export type Respondent = (typeof RESPONDENTS)[number];

export const DEFAULT_EXPIRY_DAYS = 14;
export const MIN_EXPIRY_DAYS = 1;
export const MAX_EXPIRY_DAYS = 60;
/** The longest answer one question takes. Longer answers are refused with a message, never cut short. */
export const MAX_ANSWER_LENGTH = 5000;

/** 32 random bytes, base64url: 43 characters, 256 bits. Only its hash is stored. */
export function newLinkToken(): string {
  return randomBytes(32).toString('base64url');
}

/** A token as a link carries it: exactly 43 base64url characters. Anything else is never looked up. */
export function isWellFormedToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token);
}

/** What the database keeps: the SHA-256 of the token, hex. Lookups are by this hash (an index), never by the token. */
export function hashLinkToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * When a link made now for `days` days stops working: the end of that day in England (23:59:59.999
 * London time), so "works until 28 March" on the letter holds for the whole of 28 March.
 */
export function linkExpiry(now: Date, days: number): string {
  const lastDay = addDays(parseISO(schoolToday(now)), days);
  const end = new TZDate(lastDay.getFullYear(), lastDay.getMonth(), lastDay.getDate(), 23, 59, 59, 999, SCHOOL_TIME_ZONE);
  return new Date(end.getTime()).toISOString();
}

/** The last day a link works, as 'YYYY-MM-DD' in England. */
export function lastDayOf(expiresAt: string): string {
  return schoolToday(new Date(expiresAt));
}

/** How many days a SENCO asked for: whole numbers 1 to 60, default 14. */
export function checkExpiryDays(raw: string): { days?: number; error?: string } {
  const text = raw.trim();
  if (text === '') return { days: DEFAULT_EXPIRY_DAYS };
  if (!/^\d{1,3}$/.test(text)) return { error: 'Enter the number of days the link works as a whole number, like 14' };
  const days = Number(text);
  if (days < MIN_EXPIRY_DAYS || days > MAX_EXPIRY_DAYS) return { error: `The link must work for between ${MIN_EXPIRY_DAYS} and ${MAX_EXPIRY_DAYS} days` };
  return { days };
}

export interface LinkFacts {
  expiresAt: string;
  submittedAt: string | null;
  supersededAt: string | null;
}

export type LinkState = 'open' | 'submitted' | 'superseded' | 'expired';

/**
 * Whether a link still opens its form. Used first wins: an answered link is "submitted" even after its
 * expiry; a replaced one is "superseded" from the moment it was replaced; otherwise it works until
 * `expiresAt` (exclusive).
 */
export function linkState(link: LinkFacts, now: Date): LinkState {
  if (link.submittedAt) return 'submitted';
  if (link.supersededAt) return 'superseded';
  if (now.getTime() >= Date.parse(link.expiresAt)) return 'expired';
  return 'open';
}

/** The request's status as staff see it. */
export type RequestStatus = 'awaiting' | 'submitted' | 'expired' | 'superseded';

export function requestStatus(link: LinkFacts, now: Date): RequestStatus {
  const state = linkState(link, now);
  return state === 'open' ? 'awaiting' : state;
}

export const STATUS_LABELS: Record<RequestStatus, string> = {
  awaiting: 'Awaiting reply',
  submitted: 'Replied',
  expired: 'Expired',
  superseded: 'Replaced by a new link',
};

export const STATUS_COLOURS: Record<RequestStatus, string> = {
  awaiting: 'govuk-tag--yellow',
  submitted: 'govuk-tag--green',
  expired: 'govuk-tag--red',
  superseded: 'govuk-tag--grey',
};

/** 'expires today', 'expires tomorrow', 'expires in 3 days', 'expired 2 days ago', by calendar days in England. */
export function expiryText(expiresAt: string, now: Date): string {
  const days = differenceInCalendarDays(parseISO(lastDayOf(expiresAt)), parseISO(schoolToday(now)));
  if (now.getTime() >= Date.parse(expiresAt)) {
    const ago = -days;
    if (ago <= 0) return 'expired today';
    return ago === 1 ? 'expired yesterday' : `expired ${ago} days ago`;
  }
  if (days <= 0) return 'expires today';
  if (days === 1) return 'expires tomorrow';
  return `expires in ${days} days`;
}

/** Why a link does not open, in words for whoever holds it. No pupil's data: the holder may not be who it was sent to. */
export const CLOSED_LINK_MESSAGES: Record<Exclude<LinkState, 'open'> | 'unknown', { status: number; heading: string; message: string }> = {
  unknown: {
    status: 404,
    heading: 'This link does not work',
    message: 'The link may have been copied wrongly. Check it is exactly as it was sent to you. If it still does not work, contact the school and ask for a new link.',
  },
  expired: {
    status: 410,
    heading: 'This link has expired',
    message: 'Links to share your views work for a limited time. Contact the school and ask for a new link.',
  },
  superseded: {
    status: 410,
    heading: 'This link has been replaced',
    message: 'The school has sent a newer link. Use the most recent link you were given, or contact the school and ask for a new one.',
  },
  submitted: {
    status: 410,
    heading: 'These views have already been sent',
    message: 'Each link can be used once, and this one has been used. If you want to add something or change your answers, contact the school.',
  },
};

export interface TemplateSection {
  key: string;
  heading: string;
  prompt: string;
}

/** Line breaks as one character: browsers send CR LF, a page round trip gives LF. Nothing else is changed. */
export function normaliseLineBreaks(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/** An answer counts when it has something besides spaces and line breaks. */
export function isAnswered(text: string): boolean {
  return text.trim() !== '';
}

/**
 * Reads one answer per section, verbatim (only line breaks made uniform; nothing trimmed or cut). A
 * skipped question is an empty answer. At least one question must be answered, and no answer may be
 * longer than MAX_ANSWER_LENGTH characters.
 */
export function checkAnswers(sections: TemplateSection[], given: (key: string) => string | undefined): { answers: Record<string, string>; errors: FieldError[] } {
  const answers: Record<string, string> = {};
  const errors: FieldError[] = [];
  for (const section of sections) {
    const text = normaliseLineBreaks(given(section.key) ?? '');
    answers[section.key] = text;
    const length = [...text].length;
    if (length > MAX_ANSWER_LENGTH) {
      errors.push({ field: `answer-${section.key}`, message: `“${section.heading}” must be ${MAX_ANSWER_LENGTH.toLocaleString('en-GB')} characters or fewer. It has ${length.toLocaleString('en-GB')}: shorten it, or contact the school to tell them the rest` });
    }
  }
  if (errors.length === 0 && !sections.some((section) => isAnswered(answers[section.key] ?? ''))) {
    errors.push({ field: `answer-${sections[0]?.key ?? 'none'}`, message: 'Answer at least one question before you send your views' });
  }
  return { answers, errors };
}

export interface LinkRecipient {
  contactId: string | null;
  name: string;
  email: string | null;
}

export interface CurrentContact {
  id: string;
  /** As the request names a parent: title, forename and surname. */
  name: string;
  email: string | null;
  parentalResponsibility: boolean;
}

const sameText = (a: string | null, b: string | null) => {
  const [x, y] = [a, b].map((text) => (text ?? '').trim().replace(/\s+/g, ' ').toLowerCase());
  return x !== '' && x === y;
};

/**
 * Whether the parent a request was made for is still one of the pupil's contacts with parental
 * responsibility. The stored contact first: if it still exists, its parental responsibility decides.
 * Contacts are replaced when the register is imported again, so a contact that no longer exists is
 * looked for by email address (any case), then by name, among those with parental responsibility.
 */
export function parentStillResponsible(recipient: LinkRecipient, contacts: CurrentContact[]): boolean {
  const same = recipient.contactId ? contacts.find((contact) => contact.id === recipient.contactId) : undefined;
  if (same) return same.parentalResponsibility;
  return contacts.some((contact) => contact.parentalResponsibility && (sameText(contact.email, recipient.email) || sameText(contact.name, recipient.name)));
}
