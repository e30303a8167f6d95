// Parents' and pupils' voice: staff request views for a pupil's open plan and see who has replied; a
// parent or the pupil answers through a one-time link that needs no account. Routes stay thin: read
// the request, call the service, render or redirect.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { ValidationError, type FieldError } from '../../platform/errors.ts';
import { authorisePupil, errorView, formField, formFields, pagination, requestIp, requireActor } from '../../platform/web.ts';
import { plansSubNavigation } from '../plans/sections.ts';
import { yearGroupLabel } from '../register/census.ts';
import * as register from '../register/service.ts';
import { CLOSED_LINK_MESSAGES, MAX_ANSWER_LENGTH, isAnswered, normaliseLineBreaks } from './links.ts';
import * as voice from './service.ts';

type CycleParams = { pupilId: string; cycleId: string };
type RequestParams = { pupilId: string; cycleId: string; requestId: string };
type TokenParams = { token: string };

/** Failed link lookups allowed from one address in a window, before it must wait. */
const LOOKUP_FAILURES_ALLOWED = 30;
const LOOKUP_WINDOW_MS = 15 * 60 * 1000;

/** The address the school reaches the app at, for the links it sends: PUBLIC_URL when set, so a link never carries a Host header someone else chose. */
function originOf(ctx: AppContext, request: FastifyRequest): string {
  return ctx.config.publicUrl ?? `${request.protocol}://${request.host}`;
}

/** Pages behind a link: never cached, never passing the link on to another site, never indexed. */
function linkPageHeaders(reply: FastifyReply): void {
  reply.header('referrer-policy', 'no-referrer').header('cache-control', 'no-store').header('x-robots-tag', 'noindex, nofollow');
}

/** Counts failed lookups per address; a guessing client is slowed to a stop long before it could matter. */
function failureCounter() {
  const failures = new Map<string, { count: number; since: number }>();
  return {
    blocked(ip: string, now = Date.now()): boolean {
      const entry = failures.get(ip);
      if (!entry) return false;
      if (now - entry.since > LOOKUP_WINDOW_MS) {
        failures.delete(ip);
        return false;
      }
      return entry.count >= LOOKUP_FAILURES_ALLOWED;
    },
    fail(ip: string, now = Date.now()): void {
      const entry = failures.get(ip);
      if (!entry || now - entry.since > LOOKUP_WINDOW_MS) failures.set(ip, { count: 1, since: now });
      else entry.count += 1;
      // Keep memory bounded under a flood from many addresses.
      if (failures.size > 10_000) for (const [key, value] of failures) if (now - value.since > LOOKUP_WINDOW_MS) failures.delete(key);
    },
  };
}

export async function voiceRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  (ctx.chronologySources ??= []).push((actor, pupilId) => voice.chronologyEvents(ctx, actor, pupilId));
  const view = (name: string) => `features/voice/views/${name}`;
  const lookups = failureCounter();

  // A cycle's contributions page -----------------------------------------------------------------

  const renderCyclePage = async (request: FastifyRequest, reply: FastifyReply, params: CycleParams, values: { recipients: string[]; expiryDays: string }, errors: FieldError[] = []) => {
    const actor = authorisePupil(request, 'contribution.request', params.pupilId);
    const summary = await register.getPupilSummary(ctx, actor, params.pupilId, requestIp(request), 'contributions');
    const page = await voice.getContributionsPage(ctx, actor, params.pupilId, params.cycleId, requestIp(request));
    reply.code(errors.length ? 400 : 200);
    return reply.render(view('cycle.njk'), {
      pageTitle: `Views for ${page.pupilName}’s plan`,
      tab: 'plans',
      ...summary,
      page,
      values,
      recipientItems: page.recipients.map((recipient) => ({
        value: recipient.value,
        text: recipient.name,
        hint: { text: recipient.pending ? `${recipient.hint}. Asking again replaces the link not yet answered` : recipient.hint },
        checked: values.recipients.includes(recipient.value),
      })),
      ...errorView(errors),
    });
  };

  app.get<{ Params: CycleParams }>('/pupils/:pupilId/plans/:cycleId/contributions', { config: { permission: 'contribution.request' } }, async (request, reply) =>
    renderCyclePage(request, reply, request.params, { recipients: [], expiryDays: '' }),
  );

  app.post<{ Params: CycleParams }>('/pupils/:pupilId/plans/:cycleId/contributions', { config: { permission: 'contribution.request' } }, async (request, reply) => {
    const actor = authorisePupil(request, 'contribution.request', request.params.pupilId);
    const values = { recipients: formFields(request.body, 'recipients'), expiryDays: formField(request.body, 'expiryDays') ?? '' };
    let issued: voice.IssuedLinks;
    try {
      issued = await voice.requestViews(ctx, actor, request.params.pupilId, request.params.cycleId, values, originOf(ctx, request), requestIp(request));
    } catch (error) {
      if (error instanceof ValidationError) return renderCyclePage(request, reply, request.params, values, error.errors);
      throw error;
    }
    return renderIssued(reply, issued, 'Views requested');
  });

  // The confirmation page: the only time a link is shown. Rendered in the response to the POST, never stored.
  const renderIssued = (reply: FastifyReply, issued: voice.IssuedLinks, heading: string) => {
    linkPageHeaders(reply);
    return reply.render(view('issued.njk'), { pageTitle: heading, heading, issued });
  };

  const resend = async (request: FastifyRequest, reply: FastifyReply, requestId: string, expected?: { pupilId: string; cycleId: string }) => {
    const issued = await voice.resendRequest(ctx, requireActor(request), requestId, originOf(ctx, request), requestIp(request), expected);
    return renderIssued(reply, issued, 'New link made');
  };

  app.post<{ Params: RequestParams }>('/pupils/:pupilId/plans/:cycleId/contributions/:requestId/resend', { config: { permission: 'contribution.request' } }, async (request, reply) => {
    authorisePupil(request, 'contribution.request', request.params.pupilId);
    return resend(request, reply, request.params.requestId, { pupilId: request.params.pupilId, cycleId: request.params.cycleId });
  });

  // The school's list of replies awaited -----------------------------------------------------------

  app.get('/plans/contributions', { config: { permission: 'contribution.request' } }, async (request, reply) => {
    const query = voice.parseOutstandingQuery(request.query as Record<string, unknown>);
    const result = await voice.getOutstanding(ctx, requireActor(request), query, requestIp(request));
    const link = (changes: Partial<voice.OutstandingQuery>) => `/plans/contributions${voice.outstandingQueryString(query, changes)}`;
    return reply.render(view('outstanding.njk'), {
      pageTitle: 'Contributions awaited',
      subNavigation: plansSubNavigation(request),
      query,
      result,
      link,
      filtered: query.show !== 'all' || query.respondent !== '' || query.yearGroup !== null,
      showOptions: [
        { value: 'all', text: 'Awaiting and expired', selected: query.show === 'all' },
        { value: 'awaiting', text: 'Awaiting a reply', selected: query.show === 'awaiting' },
        { value: 'expired', text: 'Expired without a reply', selected: query.show === 'expired' },
      ],
      respondentOptions: [
        { value: '', text: 'Parents and pupils', selected: query.respondent === '' },
        { value: 'parent', text: 'Parents and carers', selected: query.respondent === 'parent' },
        { value: 'pupil', text: 'Pupils', selected: query.respondent === 'pupil' },
      ],
      yearOptions: [{ value: '', text: 'All years', selected: query.yearGroup === null }, ...result.yearGroups.map((year) => ({ value: String(year), text: yearGroupLabel(year), selected: query.yearGroup === year }))],
      pagination: pagination(result.page, result.pages, (page) => link({ page })),
    });
  });

  app.post<{ Params: { requestId: string } }>('/plans/contributions/:requestId/resend', { config: { permission: 'contribution.request' } }, async (request, reply) =>
    resend(request, reply, request.params.requestId),
  );

  // The public form behind a link ---------------------------------------------------------------

  const renderClosed = (reply: FastifyReply, reason: voice.ClosedReason) => {
    const message = CLOSED_LINK_MESSAGES[reason];
    linkPageHeaders(reply);
    reply.code(message.status);
    return reply.render(view('closed.njk'), { pageTitle: message.heading, heading: message.heading, message: message.message });
  };

  const renderTooMany = (reply: FastifyReply) => {
    linkPageHeaders(reply);
    reply.code(429).header('retry-after', String(LOOKUP_WINDOW_MS / 1000));
    return reply.render(view('closed.njk'), {
      pageTitle: 'Too many attempts',
      heading: 'Too many attempts',
      message: 'Links that do not work have been tried too many times from this device. Wait 15 minutes and try again, or contact the school and ask for a new link.',
    });
  };

  /** The link, or the page that says it does not work. Failed lookups count towards the address's limit. */
  const openLink = async (request: FastifyRequest<{ Params: TokenParams }>, reply: FastifyReply): Promise<voice.OpenLink | FastifyReply> => {
    const ip = requestIp(request);
    if (lookups.blocked(ip)) return renderTooMany(reply);
    const link = await voice.lookUpLink(ctx, request.params.token);
    if (link.state !== 'open') {
      if (link.state === 'unknown') lookups.fail(ip);
      return renderClosed(reply, link.state);
    }
    return link;
  };

  const answersFrom = (body: unknown, link: voice.OpenLink) => {
    const answers: Record<string, string> = {};
    for (const section of link.sections) answers[section.key] = normaliseLineBreaks(formField(body, `answer-${section.key}`) ?? '');
    return answers;
  };

  /**
   * The form: a parent's on one page; a pupil's one question a page (`step`), earlier answers carried
   * in hidden fields so nothing is kept on the server until the answers are sent.
   */
  const renderForm = (reply: FastifyReply, link: voice.OpenLink, token: string, answers: Record<string, string>, step: number, errors: FieldError[] = []) => {
    linkPageHeaders(reply);
    reply.code(errors.length ? 400 : 200);
    const pupil = link.respondent === 'pupil';
    const current = pupil ? link.sections[Math.min(step, link.sections.length - 1)] : undefined;
    return reply.render(view(pupil ? 'pupil-form.njk' : 'parent-form.njk'), {
      pageTitle: pupil ? (current?.prompt || current?.heading || 'Your views') : `Your views about ${link.pupilFirstName}`,
      link,
      token,
      answers,
      step,
      current,
      maxLength: MAX_ANSWER_LENGTH,
      ...errorView(errors),
    });
  };

  const renderCheck = (reply: FastifyReply, link: voice.OpenLink, token: string, answers: Record<string, string>, errors: FieldError[] = []) => {
    linkPageHeaders(reply);
    reply.code(errors.length ? 400 : 200);
    return reply.render(view('check.njk'), {
      pageTitle: 'Check your answers',
      link,
      token,
      answers,
      rows: link.sections.map((section, index) => ({ ...section, index, answer: answers[section.key] ?? '', answered: isAnswered(answers[section.key] ?? '') })),
      // The check page has no boxes: its errors point at the list of answers.
      ...errorView(errors.map((error) => ({ ...error, field: 'answers' }))),
    });
  };

  app.get<{ Params: TokenParams }>('/contribute/:token', { config: { permission: 'public' } }, async (request, reply) => {
    const link = await openLink(request, reply);
    if (!('state' in link)) return link;
    await voice.recordOpened(ctx, link, requestIp(request));
    return renderForm(reply, link, request.params.token, {}, 0);
  });

  app.post<{ Params: TokenParams }>('/contribute/:token', { config: { permission: 'public' } }, async (request, reply) => {
    const link = await openLink(request, reply);
    if (!('state' in link)) return link;
    const token = request.params.token;
    const body = request.body;
    const answers = answersFrom(body, link);
    const action = formField(body, 'action') ?? '';
    const change = formField(body, 'change');
    const count = link.sections.length;
    const stepOf = (value: string | undefined) => Math.max(0, Math.min(count - 1, Number.parseInt(value ?? '0', 10) || 0));

    // From "check your answers": change one answer (a pupil goes to that question; a parent to the form).
    if (change !== undefined) return renderForm(reply, link, token, answers, stepOf(change));

    if (action === 'send') {
      let checked: Record<string, string>;
      try {
        checked = voice.checkLinkAnswers(link, (key) => answers[key]);
      } catch (error) {
        if (error instanceof ValidationError) return renderCheck(reply, link, token, answers, error.errors);
        throw error;
      }
      const result = await voice.submitContribution(ctx, link, checked, requestIp(request));
      if (!result.stored) return renderClosed(reply, result.state);
      linkPageHeaders(reply);
      return reply.redirect('/contribute/thank-you', 303);
    }

    if (link.respondent === 'pupil' && action !== 'check') {
      const step = stepOf(formField(body, 'step'));
      const current = link.sections[step]!;
      if (action === 'skip') answers[current.key] = '';
      if (action === 'back') return renderForm(reply, link, token, answers, Math.max(0, step - 1));
      const length = [...(answers[current.key] ?? '')].length;
      if (length > MAX_ANSWER_LENGTH) {
        return renderForm(reply, link, token, answers, step, [{ field: `answer-${current.key}`, message: `Your answer must be ${MAX_ANSWER_LENGTH.toLocaleString('en-GB')} characters or fewer. It has ${length.toLocaleString('en-GB')}` }]);
      }
      if (step + 1 < count) return renderForm(reply, link, token, answers, step + 1);
    }

    // The whole form (a parent's) or the last question (a pupil's): check, then show the answers back.
    try {
      voice.checkLinkAnswers(link, (key) => answers[key]);
    } catch (error) {
      if (error instanceof ValidationError) {
        if (link.respondent === 'pupil') return renderCheck(reply, link, token, answers, error.errors);
        return renderForm(reply, link, token, answers, 0, error.errors);
      }
      throw error;
    }
    return renderCheck(reply, link, token, answers);
  });

  app.get('/contribute/thank-you', { config: { permission: 'public' } }, async (_request, reply) => {
    linkPageHeaders(reply);
    return reply.render(view('thank-you.njk'), { pageTitle: 'Your views have been sent' });
  });
}
