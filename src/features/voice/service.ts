// Parents' and pupils' voice: contribution requests before a review, answered through one-time links.
// Staff request views for a pupil's open cycle; each request gets a random link whose SHA-256 hash
// alone is stored; the link opens one form for one pupil until it expires, is replaced, or is used.
// Answers are stored verbatim with the template version the request was made with. Every write
// commits with its audit event; every read of a pupil's data is audited.
import type { DbOrTransaction } from '../../db/database.ts';
import { staffDisplayNames } from '../../platform/auth/service.ts';
import type { AppContext, ChronologyEvent } from '../../platform/context.ts';
import { formatDate, schoolToday } from '../../platform/dates.ts';
import { ForbiddenError, NotFoundError, ValidationError, type FieldError } from '../../platform/errors.ts';
import { auditAs } from '../../platform/audit/audit-log.ts';
import { newId } from '../../platform/ids.ts';
import { can, roleMay, type Action, type Actor } from '../../platform/permissions.ts';
import { schoolScope, scopeOf, type SchoolScope } from '../../platform/scope.ts';
import { parseTextMap } from '../plans/rules.ts';
import { getCurrentTemplate, getTemplate, sectionsWithAnswers, type RecordTemplate } from '../plans/templates.ts';
import {
  CLOSED_LINK_MESSAGES,
  DEFAULT_EXPIRY_DAYS,
  MAX_EXPIRY_DAYS,
  MIN_EXPIRY_DAYS,
  STATUS_COLOURS,
  STATUS_LABELS,
  checkAnswers,
  checkExpiryDays,
  expiryText,
  hashLinkToken,
  isWellFormedToken,
  lastDayOf,
  linkExpiry,
  linkState,
  newLinkToken,
  parentStillResponsible,
  requestStatus,
  type RequestStatus,
  type Respondent,
  type TemplateSection,
} from './links.ts';
import { linkEmail, mailerFor, type LinkLetter } from './mail.ts';
import * as repository from './repository.ts';

export { MAX_ANSWER_LENGTH } from './links.ts';

/** Who the audit log names for a submission through a link: nobody signed in. */
export const LINK_ACTOR_LABELS: Record<Respondent, string> = {
  parent: 'Parent or carer via one-time link',
  pupil: 'Pupil via one-time link',
};

function mayOnPupil(actor: Actor, action: Action, pupilId: string): boolean {
  return can(actor, action, { kind: 'pupil', schoolId: actor.schoolId, pupilId });
}

/** Templates by id, each read once per call. */
function templateReader(ctx: AppContext, scope: SchoolScope) {
  const cache = new Map<string, Promise<RecordTemplate | null>>();
  return (templateId: string) => {
    let found = cache.get(templateId);
    if (!found) {
      found = getTemplate(ctx.db, scope, templateId).catch((error: unknown) => {
        if (error instanceof NotFoundError) return null;
        throw error;
      });
      cache.set(templateId, found);
    }
    return found;
  };
}

// For the plans feature: the views gathered for a cycle ---------------------------------------------

export interface CycleContribution {
  id: string;
  respondent: 'parent' | 'pupil';
  recipientName: string;
  status: 'awaiting' | 'submitted' | 'expired' | 'superseded';
  sentAt: string;
  expiresAt: string;
  submittedAt: string | null;
  answers: Array<{ key: string; heading: string; prompt: string; answer: string }>;
}

function toContribution(row: repository.RequestRow, template: RecordTemplate | null, now: Date): CycleContribution {
  const status = requestStatus({ expiresAt: row.expires_at, submittedAt: row.submitted_at, supersededAt: row.superseded_at }, now);
  const stored = parseTextMap(row.answers);
  const answers = row.submitted_at
    ? template
      ? sectionsWithAnswers(template, stored).map(({ key, heading, prompt, answer }) => ({ key, heading, prompt, answer }))
      : Object.entries(stored).map(([key, answer]) => ({ key, heading: key, prompt: '', answer }))
    : [];
  return {
    id: row.id,
    respondent: row.respondent === 'pupil' ? 'pupil' : 'parent',
    recipientName: row.recipient_name,
    status,
    sentAt: row.created_at,
    expiresAt: row.expires_at,
    submittedAt: row.submitted_at,
    answers,
  };
}

/**
 * Every request made for a cycle, newest first, with the answers of those submitted under the
 * headings and prompts of the template version each request was made with. The actor must be
 * allowed to view the pupil's plan. Audited as a read.
 */
export async function contributionsForCycle(ctx: AppContext, actor: Actor, cycleId: string): Promise<CycleContribution[]> {
  const scope = scopeOf(actor);
  const cycle = await repository.findCycle(ctx.db, scope, cycleId);
  if (!cycle) throw new NotFoundError('No plan with that reference in this school');
  if (!mayOnPupil(actor, 'plan.view', cycle.pupil_id)) throw new ForbiddenError('You do not have permission to see this pupil’s plan');
  const rows = await repository.listRequestsForCycle(ctx.db, scope, cycleId);
  const template = templateReader(ctx, scope);
  const now = new Date();
  const contributions = await Promise.all(rows.map(async (row) => toContribution(row, await template(row.template_id), now)));
  ctx.audit.recordRead(auditAs(actor, null)('contributions.viewed', { cycleId, shown: contributions.length, submitted: contributions.filter((entry) => entry.status === 'submitted').length }, cycle.pupil_id));
  return contributions;
}

// A cycle's contributions page --------------------------------------------------------------------

export interface RequestView extends CycleContribution {
  statusLabel: string;
  statusColour: string;
  /** 'expires in 3 days' while awaiting; 'expired 2 days ago' once expired. */
  expiry: string;
  lastDay: string;
  recipientEmail: string | null;
  emailedAt: string | null;
  openedAt: string | null;
  /** Unanswered and not replaced: the SENCO may send a new link. */
  mayResend: boolean;
}

function requestView(row: repository.RequestRow, template: RecordTemplate | null, now: Date): RequestView {
  const contribution = toContribution(row, template, now);
  return {
    ...contribution,
    statusLabel: STATUS_LABELS[contribution.status],
    statusColour: STATUS_COLOURS[contribution.status],
    expiry: expiryText(row.expires_at, now),
    lastDay: lastDayOf(row.expires_at),
    recipientEmail: row.recipient_email,
    emailedAt: row.emailed_at,
    openedAt: row.opened_at,
    mayResend: contribution.status === 'awaiting' || contribution.status === 'expired',
  };
}

export interface RecipientOption {
  /** 'pupil' or 'contact:<id>'. */
  value: string;
  name: string;
  hint: string;
  /** Asking again replaces an unanswered link: say so. */
  pending: boolean;
}

export interface ContributionsPage {
  pupilFirstName: string;
  pupilName: string;
  cycle: repository.CycleRow;
  open: boolean;
  requests: RequestView[];
  recipients: RecipientOption[];
  emailConfigured: boolean;
  defaultExpiryDays: number;
  minExpiryDays: number;
  maxExpiryDays: number;
}

async function cycleOfPupil(ctx: AppContext, scope: SchoolScope, pupilId: string, cycleId: string) {
  const cycle = await repository.findCycle(ctx.db, scope, cycleId);
  if (!cycle || cycle.pupil_id !== pupilId) throw new NotFoundError('No plan with that reference for this pupil');
  return cycle;
}

function contactName(contact: repository.ParentContactRow): string {
  return [contact.title, contact.forename, contact.surname].filter(Boolean).join(' ');
}

/** Who has been asked for a cycle, and who may be asked. The caller has checked contribution.request on the pupil. */
export async function getContributionsPage(ctx: AppContext, actor: Actor, pupilId: string, cycleId: string, ip: string): Promise<ContributionsPage> {
  if (!mayOnPupil(actor, 'contribution.request', pupilId)) throw new ForbiddenError('You do not have permission to request views for this pupil');
  const scope = scopeOf(actor);
  const cycle = await cycleOfPupil(ctx, scope, pupilId, cycleId);
  const [pupil, rows, contacts] = await Promise.all([
    repository.findPupilName(ctx.db, scope, pupilId),
    repository.listRequestsForCycle(ctx.db, scope, cycleId),
    repository.listParentalContacts(ctx.db, scope, pupilId),
  ]);
  if (!pupil) throw new NotFoundError('No pupil with that record in this school');
  const template = templateReader(ctx, scope);
  const now = new Date();
  const requests = await Promise.all(rows.map(async (row) => requestView(row, await template(row.template_id), now)));
  const pending = (respondent: string, contactId: string | null) =>
    rows.some((row) => row.respondent === respondent && row.contact_id === contactId && !row.submitted_at && !row.superseded_at);
  const recipients: RecipientOption[] = [
    ...contacts.map((contact) => ({
      value: `contact:${contact.id}`,
      name: contactName(contact),
      hint: [contact.relationship, contact.email ?? 'no email address on record'].filter(Boolean).join(' · '),
      pending: pending('parent', contact.id),
    })),
    { value: 'pupil', name: `${pupil.fullName} (the pupil)`, hint: 'An easy-read form with short questions. Give the link or the printed letter to the pupil', pending: pending('pupil', null) },
  ];
  ctx.audit.recordRead(auditAs(actor, ip)('contributions.viewed', { cycleId, shown: requests.length }, pupilId));
  return {
    pupilFirstName: pupil.firstName,
    pupilName: pupil.fullName,
    cycle,
    open: cycle.status === 'open',
    requests,
    recipients,
    emailConfigured: mailerFor(ctx) !== null,
    defaultExpiryDays: DEFAULT_EXPIRY_DAYS,
    minExpiryDays: MIN_EXPIRY_DAYS,
    maxExpiryDays: MAX_EXPIRY_DAYS,
  };
}

// Making links ----------------------------------------------------------------------------------------

export interface RequestInput {
  /** 'pupil' and/or 'contact:<id>'. */
  recipients: string[];
  expiryDays: string;
}

/** A link just made: shown once, on the confirmation page, and never again. */
export interface IssuedLink {
  requestId: string;
  respondent: Respondent;
  recipientName: string;
  recipientEmail: string | null;
  url: string;
  /** 'sent': emailed now; 'failed': the email server refused it; 'not-set-up': no email configured; 'no-address': no email address on record. */
  email: 'sent' | 'failed' | 'not-set-up' | 'no-address';
  letter: LinkLetter;
  replaced: number;
}

export interface IssuedLinks {
  pupilId: string;
  cycleId: string;
  pupilFirstName: string;
  schoolName: string;
  emailConfigured: boolean;
  links: IssuedLink[];
}

interface Recipient {
  respondent: Respondent;
  contactId: string | null;
  name: string;
  email: string | null;
}

/** The link a token makes: `origin` is the address the school reaches the app at, e.g. https://senco.example.sch.uk. */
export function linkUrl(origin: string, token: string): string {
  return `${origin.replace(/\/+$/, '')}/contribute/${token}`;
}

async function issueLinks(ctx: AppContext, actor: Actor, scope: SchoolScope, cycle: repository.CycleRow, recipients: Recipient[], days: number, origin: string, ip: string, reason: 'requested' | 'resent'): Promise<IssuedLinks> {
  const now = new Date();
  const at = now.toISOString();
  const expiresAt = linkExpiry(now, days);
  const made: Array<{ recipient: Recipient; id: string; token: string; replaced: number }> = [];
  const names = await ctx.db.transaction().execute(async (trx) => {
    const [pupil, school] = await Promise.all([repository.findPupilName(trx, scope, cycle.pupil_id), repository.schoolName(trx, scope)]);
    if (!pupil) throw new NotFoundError('No pupil with that record in this school');
    const templates = {
      parent: await getCurrentTemplate(trx, scope, 'contribution-parent'),
      pupil: await getCurrentTemplate(trx, scope, 'contribution-pupil'),
    };
    for (const recipient of recipients) {
      let replaced = 0;
      for (const old of await repository.listUnansweredFor(trx, scope, cycle.id, recipient.respondent, recipient.contactId)) {
        if (await repository.supersedeRequest(trx, scope, old.id, at)) replaced += 1;
      }
      const token = newLinkToken();
      const id = newId();
      const template = templates[recipient.respondent];
      await repository.insertRequest(trx, scope, {
        id,
        cycle_id: cycle.id,
        pupil_id: cycle.pupil_id,
        respondent: recipient.respondent,
        contact_id: recipient.contactId,
        recipient_name: recipient.name,
        recipient_email: recipient.email,
        template_id: template.id,
        token_hash: hashLinkToken(token),
        created_by: actor.userId,
        created_at: at,
        expires_at: expiresAt,
        emailed_at: null,
        opened_at: null,
        submitted_at: null,
        answers: null,
        superseded_at: null,
      });
      await ctx.audit.record(trx, {
        ...auditAs(actor, ip)(
          reason === 'resent' ? 'contribution.resent' : 'contribution.requested',
          { requestId: id, cycleId: cycle.id, respondent: recipient.respondent, recipient: recipient.name, expiresAt, templateVersion: template.version, replaced },
          cycle.pupil_id,
        ),
        at,
      });
      made.push({ recipient, id, token, replaced });
    }
    return { pupilFirstName: pupil.firstName, schoolName: school };
  });

  // Email after the commit: a slow or failing mail server never holds the transaction or loses the links.
  const mailer = mailerFor(ctx);
  const links: IssuedLink[] = [];
  for (const { recipient, id, token, replaced } of made) {
    const url = linkUrl(origin, token);
    const letter: LinkLetter = { schoolName: names.schoolName, pupilFirstName: names.pupilFirstName, respondent: recipient.respondent, recipientName: recipient.name, url, lastDay: lastDayOf(expiresAt) };
    let email: IssuedLink['email'] = !mailer ? 'not-set-up' : recipient.email ? 'sent' : 'no-address';
    if (mailer && recipient.email) {
      try {
        await mailer.send({ to: recipient.email, ...linkEmail(letter) });
        const emailedAt = new Date().toISOString();
        await ctx.db.transaction().execute(async (trx) => {
          await repository.markEmailed(trx, scope, id, emailedAt);
          await ctx.audit.record(trx, {
            ...auditAs(actor, ip)('contribution.emailed', { requestId: id, cycleId: cycle.id, respondent: recipient.respondent, recipient: recipient.name, email: recipient.email }, cycle.pupil_id),
            at: emailedAt,
          });
        });
      } catch {
        email = 'failed';
      }
    }
    links.push({ requestId: id, respondent: recipient.respondent, recipientName: recipient.name, recipientEmail: recipient.email, url, email, letter, replaced });
  }
  return { pupilId: cycle.pupil_id, cycleId: cycle.id, pupilFirstName: names.pupilFirstName, schoolName: names.schoolName, emailConfigured: mailer !== null, links };
}

/** Requests views from the chosen contacts with parental responsibility and/or the pupil, for the pupil's open cycle. */
export async function requestViews(ctx: AppContext, actor: Actor, pupilId: string, cycleId: string, input: RequestInput, origin: string, ip: string): Promise<IssuedLinks> {
  if (!mayOnPupil(actor, 'contribution.request', pupilId)) throw new ForbiddenError('You do not have permission to request views for this pupil');
  const scope = scopeOf(actor);
  const cycle = await cycleOfPupil(ctx, scope, pupilId, cycleId);
  if (cycle.status !== 'open') throw new ValidationError([{ field: 'recipients', message: 'This plan has been reviewed: request views for the pupil’s current plan' }]);
  const errors: FieldError[] = [];
  const chosen = [...new Set(input.recipients)];
  if (chosen.length === 0) errors.push({ field: 'recipients', message: 'Select who you want to ask for their views' });
  const expiry = checkExpiryDays(input.expiryDays);
  if (expiry.error) errors.push({ field: 'expiryDays', message: expiry.error });
  const [contacts, pupil] = await Promise.all([repository.listParentalContacts(ctx.db, scope, pupilId), repository.findPupilName(ctx.db, scope, pupilId)]);
  if (!pupil) throw new NotFoundError('No pupil with that record in this school');
  const recipients: Recipient[] = [];
  for (const value of chosen) {
    if (value === 'pupil') {
      recipients.push({ respondent: 'pupil', contactId: null, name: pupil.firstName, email: null });
      continue;
    }
    const contact = value.startsWith('contact:') ? contacts.find((entry) => entry.id === value.slice(8)) : undefined;
    if (!contact) {
      errors.push({ field: 'recipients', message: 'Select people from the list: one of them no longer has parental responsibility recorded for this pupil' });
      break;
    }
    recipients.push({ respondent: 'parent', contactId: contact.id, name: contactName(contact), email: contact.email?.trim() || null });
  }
  if (errors.length) throw new ValidationError(errors);
  // Parents first, in the order chosen, then the pupil.
  recipients.sort((a, b) => (a.respondent === b.respondent ? 0 : a.respondent === 'parent' ? -1 : 1));
  return issueLinks(ctx, actor, scope, cycle, recipients, expiry.days!, origin, ip, 'requested');
}

/**
 * Sends a new link for an unanswered request: the old link stops working at once. The new link works
 * for as many days as the old one was given.
 */
export async function resendRequest(ctx: AppContext, actor: Actor, requestId: string, origin: string, ip: string, expected?: { pupilId: string; cycleId: string }): Promise<IssuedLinks> {
  const scope = scopeOf(actor);
  const request = await repository.findRequest(ctx.db, scope, requestId);
  if (!request) throw new NotFoundError('No request for views with that reference in this school');
  // Reached through a pupil's plan: the request must be that plan's, not another pupil's.
  if (expected && (request.pupil_id !== expected.pupilId || request.cycle_id !== expected.cycleId)) throw new NotFoundError('No request for views with that reference for this plan');
  if (!mayOnPupil(actor, 'contribution.request', request.pupil_id)) throw new ForbiddenError('You do not have permission to request views for this pupil');
  const cycle = await cycleOfPupil(ctx, scope, request.pupil_id, request.cycle_id);
  if (cycle.status !== 'open') throw new ValidationError([{ field: 'request', message: 'This plan has been reviewed: request views for the pupil’s current plan' }]);
  if (request.submitted_at) throw new ValidationError([{ field: 'request', message: `${request.recipient_name} has already replied: there is nothing to resend` }]);
  if (request.superseded_at) throw new ValidationError([{ field: 'request', message: 'A newer link has already been sent for this request' }]);
  const given = Math.round((Date.parse(request.expires_at) - Date.parse(request.created_at)) / 86_400_000);
  const days = Math.min(MAX_EXPIRY_DAYS, Math.max(MIN_EXPIRY_DAYS, Number.isFinite(given) ? given : DEFAULT_EXPIRY_DAYS));
  const recipient: Recipient = { respondent: request.respondent === 'pupil' ? 'pupil' : 'parent', contactId: request.contact_id, name: request.recipient_name, email: request.recipient_email };
  return issueLinks(ctx, actor, scope, cycle, [recipient], days, origin, ip, 'resent');
}

// The school's list of replies awaited ----------------------------------------------------------------

export const OUTSTANDING_PAGE_SIZE = 25;

export interface OutstandingQuery {
  show: repository.OutstandingFilters['show'];
  respondent: repository.OutstandingFilters['respondent'];
  yearGroup: number | null;
  sort: repository.OutstandingSort;
  order: 'asc' | 'desc';
  page: number;
}

export function parseOutstandingQuery(raw: Record<string, unknown>): OutstandingQuery {
  const text = (name: string) => (typeof raw[name] === 'string' ? (raw[name] as string) : '');
  const show = text('show');
  const respondent = text('respondent');
  const year = Number.parseInt(text('year'), 10);
  const sort = text('sort');
  return {
    show: show === 'awaiting' || show === 'expired' ? show : 'all',
    respondent: respondent === 'parent' || respondent === 'pupil' ? respondent : '',
    yearGroup: Number.isInteger(year) && year >= -2 && year <= 14 ? year : null,
    sort: Object.hasOwn(repository.OUTSTANDING_SORTS, sort) ? (sort as repository.OutstandingSort) : 'review',
    order: text('order') === 'desc' ? 'desc' : 'asc',
    page: Math.max(1, Math.min(100_000, Number.parseInt(text('page'), 10) || 1)),
  };
}

export function outstandingQueryString(query: OutstandingQuery, changes: Partial<OutstandingQuery> = {}): string {
  const merged = { ...query, ...changes };
  const params = new URLSearchParams();
  if (merged.show !== 'all') params.set('show', merged.show);
  if (merged.respondent) params.set('respondent', merged.respondent);
  if (merged.yearGroup !== null) params.set('year', String(merged.yearGroup));
  if (merged.sort !== 'review') params.set('sort', merged.sort);
  if (merged.order !== 'asc') params.set('order', merged.order);
  if (merged.page > 1) params.set('page', String(merged.page));
  const text = params.toString();
  return text ? `?${text}` : '';
}

export interface OutstandingEntry {
  id: string;
  pupilId: string;
  pupilName: string;
  yearGroup: number | null;
  cycleId: string;
  cycleNumber: number;
  reviewDueOn: string;
  respondent: Respondent;
  recipientName: string;
  recipientEmail: string | null;
  sentAt: string;
  openedAt: string | null;
  status: RequestStatus;
  statusLabel: string;
  statusColour: string;
  expiry: string;
}

/** How many requests for open plans await a reply, and how many expired without one (counts only: no pupil is named). */
export async function outstandingCounts(ctx: AppContext, actor: Actor): Promise<{ awaiting: number; expired: number }> {
  if (!roleMay(actor.role, 'contribution.request')) throw new ForbiddenError();
  const scope = scopeOf(actor);
  const filters: repository.OutstandingFilters = { show: 'awaiting', respondent: '', yearGroup: null, now: new Date().toISOString() };
  const [awaiting, expired] = await Promise.all([repository.countOutstanding(ctx.db, scope, filters), repository.countOutstanding(ctx.db, scope, { ...filters, show: 'expired' })]);
  return { awaiting, expired };
}

/** Requests without a reply (awaiting or expired, not replaced) for open cycles, by review date. Audited as a read. */
export async function getOutstanding(ctx: AppContext, actor: Actor, query: OutstandingQuery, ip: string) {
  const scope = scopeOf(actor);
  const now = new Date();
  const filters: repository.OutstandingFilters = { show: query.show, respondent: query.respondent, yearGroup: query.yearGroup, now: now.toISOString() };
  const total = await repository.countOutstanding(ctx.db, scope, filters);
  const pages = Math.max(1, Math.ceil(total / OUTSTANDING_PAGE_SIZE));
  const page = Math.min(query.page, pages);
  const [rows, yearGroups, counts] = await Promise.all([
    repository.listOutstanding(ctx.db, scope, filters, query.sort, query.order, { limit: OUTSTANDING_PAGE_SIZE, offset: (page - 1) * OUTSTANDING_PAGE_SIZE }),
    repository.outstandingYearGroups(ctx.db, scope, filters.now),
    Promise.all([
      repository.countOutstanding(ctx.db, scope, { ...filters, show: 'awaiting', respondent: '', yearGroup: null }),
      repository.countOutstanding(ctx.db, scope, { ...filters, show: 'expired', respondent: '', yearGroup: null }),
    ]),
  ]);
  const entries: OutstandingEntry[] = rows.map((row) => {
    const status = requestStatus({ expiresAt: row.expires_at, submittedAt: null, supersededAt: null }, now);
    return {
      id: row.id,
      pupilId: row.pupil_id,
      pupilName: row.pupil_name,
      yearGroup: row.year_group,
      cycleId: row.cycle_id,
      cycleNumber: row.cycle_number,
      reviewDueOn: row.review_due_on,
      respondent: row.respondent === 'pupil' ? 'pupil' : 'parent',
      recipientName: row.recipient_name,
      recipientEmail: row.recipient_email,
      sentAt: row.created_at,
      openedAt: row.opened_at,
      status,
      statusLabel: STATUS_LABELS[status],
      statusColour: STATUS_COLOURS[status],
      expiry: expiryText(row.expires_at, now),
    };
  });
  ctx.audit.recordRead(auditAs(actor, ip)('contributions.outstanding-viewed', { query: outstandingQueryString(query), shown: entries.length, matching: total }));
  return { entries, total, page, pages, yearGroups, awaitingCount: counts[0], expiredCount: counts[1], today: schoolToday(now) };
}

// The public form behind a link -------------------------------------------------------------------------

/**
 * A parent's link stands only while the parent is one of the pupil's current contacts with parental
 * responsibility (matched by contact, else by email or name: contacts are replaced on re-import).
 * A pupil's link is not affected.
 */
async function linkHolderStands(db: DbOrTransaction, scope: SchoolScope, row: repository.RequestRow): Promise<boolean> {
  if (row.respondent === 'pupil') return true;
  const contacts = await repository.listContactsForPupil(db, scope, row.pupil_id);
  return parentStillResponsible(
    { contactId: row.contact_id, name: row.recipient_name, email: row.recipient_email },
    contacts.map((contact) => ({ id: contact.id, name: contactName(contact), email: contact.email, parentalResponsibility: contact.parental_responsibility })),
  );
}

export type ClosedReason = keyof typeof CLOSED_LINK_MESSAGES;

export interface OpenLink {
  state: 'open';
  requestId: string;
  schoolId: string;
  respondent: Respondent;
  pupilFirstName: string;
  schoolName: string;
  sections: TemplateSection[];
  lastDay: string;
}

export type LinkLookup = OpenLink | { state: ClosedReason };

/**
 * What a link opens, if anything. A malformed token is never looked up; a well-formed one is hashed
 * and found by its hash (an index lookup: no comparison of secrets character by character). Only an
 * open link yields the pupil's first name and the school's name.
 */
export async function lookUpLink(ctx: AppContext, token: string, now: Date = new Date()): Promise<LinkLookup> {
  if (!isWellFormedToken(token)) return { state: 'unknown' };
  const row = await repository.findRequestByTokenHash(ctx.db, hashLinkToken(token));
  if (!row) return { state: 'unknown' };
  const state = linkState({ expiresAt: row.expires_at, submittedAt: row.submitted_at, supersededAt: row.superseded_at }, now);
  if (state !== 'open') return { state };
  const scope = schoolScope(row.school_id);
  const [pupil, school, cycle] = await Promise.all([repository.findPupilName(ctx.db, scope, row.pupil_id), repository.schoolName(ctx.db, scope), repository.findCycle(ctx.db, scope, row.cycle_id)]);
  if (!pupil) return { state: 'unknown' };
  // Views are for a review still to come: once the plan has been reviewed, or the pupil has left, the link has done its job.
  if (!cycle || cycle.status !== 'open' || !pupil.onRoll) return { state: 'expired' };
  // A parent who no longer has parental responsibility, or is no longer a contact, sees nothing.
  if (!(await linkHolderStands(ctx.db, scope, row))) return { state: 'expired' };
  let sections: TemplateSection[];
  try {
    sections = (await getTemplate(ctx.db, scope, row.template_id)).sections;
  } catch (error) {
    if (error instanceof NotFoundError) return { state: 'unknown' };
    throw error;
  }
  return {
    state: 'open',
    requestId: row.id,
    schoolId: row.school_id,
    respondent: row.respondent === 'pupil' ? 'pupil' : 'parent',
    pupilFirstName: pupil.firstName,
    schoolName: school,
    sections,
    lastDay: lastDayOf(row.expires_at),
  };
}

/** Notes the first opening of a link's form, and audits each opening (a read of the pupil's first name). */
export async function recordOpened(ctx: AppContext, link: OpenLink, ip: string): Promise<void> {
  const scope = schoolScope(link.schoolId);
  await repository.markOpened(ctx.db, scope, link.requestId, new Date().toISOString());
  const row = await repository.findRequest(ctx.db, scope, link.requestId);
  ctx.audit.recordRead({ schoolId: link.schoolId, action: 'contribution.link-opened', pupilId: row?.pupil_id ?? null, actorUserId: null, actorLabel: LINK_ACTOR_LABELS[link.respondent], detail: { requestId: link.requestId }, ip });
}

/** Checks answers read from the form; throws ValidationError with the fields to fix. */
export function checkLinkAnswers(link: OpenLink, given: (key: string) => string | undefined): Record<string, string> {
  const { answers, errors } = checkAnswers(link.sections, given);
  if (errors.length) throw new ValidationError(errors);
  return answers;
}

/**
 * Stores the answers verbatim if the link still works at this moment, in one statement with the
 * audit event. Returns the reason it is closed if it is not (used, replaced or expired meanwhile).
 */
export async function submitContribution(ctx: AppContext, link: OpenLink, answers: Record<string, string>, ip: string): Promise<{ stored: true } | { stored: false; state: ClosedReason }> {
  const scope = schoolScope(link.schoolId);
  const at = new Date().toISOString();
  const stored = await ctx.db.transaction().execute(async (trx) => {
    const current = await repository.findRequest(trx, scope, link.requestId);
    if (!current || !(await linkHolderStands(trx, scope, current))) return false;
    const ok = await repository.submitAnswers(trx, scope, link.requestId, JSON.stringify(answers), at);
    if (!ok) return false;
    const row = await repository.findRequest(trx, scope, link.requestId);
    await ctx.audit.record(trx, {
      schoolId: link.schoolId,
      action: 'contribution.submitted',
      pupilId: row?.pupil_id ?? null,
      actorUserId: null,
      actorLabel: LINK_ACTOR_LABELS[link.respondent],
      detail: { requestId: link.requestId, cycleId: row?.cycle_id, recipient: row?.recipient_name, answered: Object.values(answers).filter((answer) => answer.trim() !== '').length, questions: link.sections.length },
      ip,
      at,
    });
    return true;
  });
  if (stored) return { stored: true };
  const row = await repository.findRequest(ctx.db, scope, link.requestId);
  const state = row ? linkState({ expiresAt: row.expires_at, submittedAt: row.submitted_at, supersededAt: row.superseded_at }, new Date()) : 'unknown';
  return { stored: false, state: state === 'open' ? 'expired' : state };
}

// The chronology ----------------------------------------------------------------------------------------

/** Views requested and views received, for a pupil's chronology. The chronology has checked the actor may see it. */
export async function chronologyEvents(ctx: AppContext, actor: Actor, pupilId: string): Promise<ChronologyEvent[]> {
  const scope = scopeOf(actor);
  const rows = await repository.listRequestsForPupil(ctx.db, scope, pupilId);
  if (rows.length === 0) return [];
  const staff = await staffDisplayNames(ctx, actor.schoolId, rows.map((row) => row.created_by));
  const seesPage = mayOnPupil(actor, 'contribution.request', pupilId);
  const who = (respondent: string, name: string) => (respondent === 'pupil' ? `${name} (the pupil)` : name);
  const events: ChronologyEvent[] = [];
  for (const row of rows) {
    const href = seesPage ? `/pupils/${pupilId}/plans/${row.cycle_id}/contributions` : undefined;
    const resent = rows.some((other) => other.superseded_at !== null && other.superseded_at === row.created_at && other.respondent === row.respondent && other.contact_id === row.contact_id);
    events.push({
      date: schoolToday(new Date(row.created_at)),
      recordedAt: row.created_at,
      category: 'contribution',
      title: resent ? `New link sent to ${who(row.respondent, row.recipient_name)}` : `Views requested from ${who(row.respondent, row.recipient_name)}`,
      detail: [`${row.emailed_at ? 'Emailed' : 'Link given'}; works until ${formatDate(lastDayOf(row.expires_at))}`],
      by: row.created_by ? (staff.get(row.created_by) ?? null) : null,
      ...(href ? { href } : {}),
    });
    if (row.submitted_at) {
      const answered = Object.values(parseTextMap(row.answers)).filter((answer) => answer.trim() !== '').length;
      events.push({
        date: schoolToday(new Date(row.submitted_at)),
        recordedAt: row.submitted_at,
        category: 'contribution',
        title: `Views received from ${who(row.respondent, row.recipient_name)}`,
        detail: [`${answered} ${answered === 1 ? 'question' : 'questions'} answered through the one-time link`],
        by: row.respondent === 'pupil' ? LINK_ACTOR_LABELS.pupil : LINK_ACTOR_LABELS.parent,
        ...(href ? { href } : {}),
      });
    }
  }
  return events;
}
