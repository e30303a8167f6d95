// SEN support plans: a pupil's Plans tab, each part of a plan edited on its own page, provision from
// the catalogue, the review and its "Check your answers", the plan and review as Word and PDF, the
// plans hub (reviews due and pupils without a plan), and the school's templates. Routes stay thin:
// read the request, call the service, render or redirect.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { documentResponse } from '../../platform/documents/index.ts';
import { schoolToday } from '../../platform/dates.ts';
import { NotFoundError, ValidationError, type FieldError } from '../../platform/errors.ts';
import { authorisePupil, dateErrors, dateParts, errorView, formField, readDateInput, requestIp, requireActor, setFlash } from '../../platform/web.ts';
import { planDocument } from './documents.ts';
import { RATINGS, RATING_LABELS, REVIEW_RULE_EXPLANATION, defaultReviewDate, planName, type DoItemInput, type ReviewInput, type TargetInput } from './rules.ts';
import { plansSubNavigation } from './sections.ts';
import * as plans from './service.ts';
import { HEADING_MAX, PROMPT_MAX, TEMPLATE_KIND_HINTS, TEMPLATE_KIND_LABELS, isTemplateKind, type SectionInput } from './templates.ts';

type PupilParams = { pupilId: string };
type CycleParams = { pupilId: string; cycleId: string };
type PartParams = CycleParams & { partId: string };
type KindParams = { kind: string };

const VIEWS = 'features/plans/views';

function text(value: unknown, max = 100): string {
  return typeof value === 'string' ? value.trim().slice(0, max) : '';
}


/** The typed date parts when re-showing a form, else the saved date's. */
function postedDate(raw: unknown, name: string, fallback: string) {
  return raw ? { day: formField(raw, `${name}-day`) ?? '', month: formField(raw, `${name}-month`) ?? '', year: formField(raw, `${name}-year`) ?? '' } : dateParts(fallback);
}

function schoolNameOf(request: FastifyRequest): string {
  return request.session?.schoolName?.trim() || 'SENCO Desk';
}

/** Runs a write; a ValidationError re-renders the form with status 400. */
async function attempt<T>(write: () => Promise<T>, onInvalid: (errors: FieldError[]) => unknown): Promise<{ ok: true; value: T } | { ok: false; reply: unknown }> {
  try {
    return { ok: true, value: await write() };
  } catch (error) {
    if (error instanceof ValidationError) return { ok: false, reply: await onInvalid(error.errors) };
    throw error;
  }
}

// The parts of a plan that are lists: targets, strategies and "do" items share their routes' shape.
const PARTS = {
  targets: { singular: 'target', fields: ['area', 'target', 'successCriterion', 'dueOn'] },
  strategies: { singular: 'strategy', fields: ['strategy'] },
  do: { singular: 'item', fields: ['who', 'what', 'howOften'] },
} as const;
type PartKind = keyof typeof PARTS;

export async function plansRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  (ctx.chronologySources ??= []).push((actor, pupilId) => plans.chronologyEvents(ctx, actor, pupilId));
  (ctx.childSummarySources ??= []).push((actor, pupilIds) => plans.childSummaries(ctx, actor, pupilIds));
  const ip = (request: FastifyRequest) => requestIp(request);
  const base = (params: CycleParams) => `/pupils/${params.pupilId}/plans/${params.cycleId}`;
  const helpers = { planName, ratingLabels: RATING_LABELS, reviewRule: REVIEW_RULE_EXPLANATION, kindLabels: TEMPLATE_KIND_LABELS, kindHints: TEMPLATE_KIND_HINTS };
  const render = (reply: FastifyReply, template: string, data: Record<string, unknown>) => reply.render(`${VIEWS}/${template}`, { ...helpers, ...data });

  // The Plans tab ------------------------------------------------------------------------------------

  app.get<{ Params: PupilParams }>('/pupils/:pupilId/plans', { config: { permission: 'plan.view' } }, async (request, reply) => {
    const actor = authorisePupil(request, 'plan.view', request.params.pupilId);
    const record = await plans.getPupilPlans(ctx, actor, request.params.pupilId, ip(request));
    return render(reply, 'pupil-plans.njk', { pageTitle: `Plans – ${record.pupil.legal_forename} ${record.pupil.legal_surname}`, tab: 'plans', today: schoolToday(), ...record });
  });

  // Starting a plan -------------------------------------------------------------------------------------

  const renderStart = async (request: FastifyRequest<{ Params: PupilParams }>, reply: FastifyReply, raw?: unknown, errors: FieldError[] = []) => {
    const actor = authorisePupil(request, 'plan.edit', request.params.pupilId);
    const form = await plans.getStartForm(ctx, actor, request.params.pupilId, ip(request));
    reply.code(errors.length ? 400 : 200);
    return render(reply, 'start.njk', {
      pageTitle: `${form.pupil.sen_provision === 'E' ? 'Start a support plan' : 'Start an SEN support plan'} – ${form.pupil.legal_forename} ${form.pupil.legal_surname}`,
      ...form,
      started: postedDate(raw, 'startedOn', form.startedOn),
      review: postedDate(raw, 'reviewDueOn', form.reviewDueOn),
      ...dateErrors(errors, ['startedOn', 'reviewDueOn']),
    });
  };

  app.get<{ Params: PupilParams }>('/pupils/:pupilId/plans/new', { config: { permission: 'plan.edit' } }, async (request, reply) => renderStart(request, reply));

  app.post<{ Params: PupilParams }>('/pupils/:pupilId/plans/new', { config: { permission: 'plan.edit' } }, async (request, reply) => {
    const actor = authorisePupil(request, 'plan.edit', request.params.pupilId);
    const startedOn = readDateInput(request.body, 'startedOn');
    const reviewDueOn = readDateInput(request.body, 'reviewDueOn');
    const result = await attempt(() => plans.startPlan(ctx, actor, request.params.pupilId, { startedOn, reviewDueOn }, ip(request)), (errors) => renderStart(request, reply, request.body, errors));
    if (!result.ok) return result.reply;
    setFlash(ctx, request, reply, 'Plan started: now write what you know about the pupil’s needs, then set targets');
    return reply.redirect(`/pupils/${request.params.pupilId}/plans/${result.value}`, 303);
  });

  // One cycle ------------------------------------------------------------------------------------------------

  app.get<{ Params: CycleParams }>('/pupils/:pupilId/plans/:cycleId', { config: { permission: 'plan.view' } }, async (request, reply) => {
    const actor = authorisePupil(request, 'plan.view', request.params.pupilId);
    const record = await plans.getCycle(ctx, actor, request.params.pupilId, request.params.cycleId, ip(request));
    return render(reply, 'cycle.njk', { pageTitle: `${planName(record.pupil.sen_provision)} ${record.cycle.number} – ${record.pupil.legal_forename} ${record.pupil.legal_surname}`, tab: 'plans', today: schoolToday(), ...record });
  });

  // Assess ----------------------------------------------------------------------------------------------------

  const renderAssess = async (request: FastifyRequest<{ Params: CycleParams }>, reply: FastifyReply, values?: Record<string, string>, errors: FieldError[] = []) => {
    const actor = authorisePupil(request, 'plan.edit', request.params.pupilId);
    const page = await plans.getCycleForEdit(ctx, actor, request.params.pupilId, request.params.cycleId, ip(request));
    reply.code(errors.length ? 400 : 200);
    const sections = page.cycle.assess.map((section) => ({ ...section, answer: values ? (values[section.key] ?? '') : section.answer }));
    return render(reply, 'assess-form.njk', { pageTitle: `What you know about the pupil’s needs – ${page.pupil.legal_forename} ${page.pupil.legal_surname}`, ...page, sections, back: base(request.params), ...errorView(errors) });
  };

  app.get<{ Params: CycleParams }>('/pupils/:pupilId/plans/:cycleId/assess', { config: { permission: 'plan.edit' } }, async (request, reply) => renderAssess(request, reply));

  app.post<{ Params: CycleParams }>('/pupils/:pupilId/plans/:cycleId/assess', { config: { permission: 'plan.edit' } }, async (request, reply) => {
    const actor = authorisePupil(request, 'plan.edit', request.params.pupilId);
    const values: Record<string, string> = {};
    for (const [name, value] of Object.entries((request.body as Record<string, unknown>) ?? {})) if (name.startsWith('section-') && typeof value === 'string') values[name.slice(8)] = value;
    const result = await attempt(() => plans.saveAssess(ctx, actor, request.params.pupilId, request.params.cycleId, values, ip(request)), (errors) => renderAssess(request, reply, values, errors));
    if (!result.ok) return result.reply;
    setFlash(ctx, request, reply, 'Assessment saved');
    return reply.redirect(base(request.params), 303);
  });

  // Targets, strategies and "do" items -------------------------------------------------------------------------

  for (const kind of Object.keys(PARTS) as PartKind[]) {
    const part = PARTS[kind];
    const readInput = (body: unknown): Record<string, string> =>
      Object.fromEntries(part.fields.map((field) => [field, field === 'dueOn' ? readDateInput(body, 'dueOn') : (formField(body, field) ?? '')]));

    const renderPart = async (request: FastifyRequest<{ Params: CycleParams & { partId?: string } }>, reply: FastifyReply, posted?: { values: Record<string, string>; raw: unknown }, errors: FieldError[] = []) => {
      const actor = authorisePupil(request, 'plan.edit', request.params.pupilId);
      const page = await plans.getCycleForEdit(ctx, actor, request.params.pupilId, request.params.cycleId, ip(request));
      const list = kind === 'targets' ? page.cycle.targets : kind === 'strategies' ? page.cycle.strategies : page.cycle.doItems;
      const existing = request.params.partId ? list.find((entry) => entry.id === request.params.partId) : undefined;
      if (request.params.partId && !existing) throw new NotFoundError(`That ${part.singular} was not found in this plan`);
      const saved: Record<string, string> = existing
        ? kind === 'targets'
          ? { area: (existing as plans.TargetView).area ?? '', target: (existing as plans.TargetView).target, successCriterion: (existing as plans.TargetView).successCriterion, dueOn: (existing as plans.TargetView).dueOn }
          : kind === 'strategies'
            ? { strategy: (existing as { strategy: string }).strategy }
            : { who: (existing as { who: string }).who, what: (existing as { what: string }).what, howOften: (existing as { howOften: string }).howOften }
        : { area: '', target: '', successCriterion: '', dueOn: page.cycle.reviewDueOn, strategy: '', who: '', what: '', howOften: '' };
      reply.code(errors.length ? 400 : 200);
      const values = posted?.values ?? saved;
      return render(reply, `${kind === 'do' ? 'do' : kind}-form.njk`, {
        pageTitle: `${existing ? 'Change' : 'Add'} a ${part.singular === 'item' ? 'support arrangement' : part.singular} – ${page.pupil.legal_forename} ${page.pupil.legal_surname}`,
        ...page,
        existing,
        values,
        due: postedDate(posted?.raw, 'dueOn', values.dueOn ?? ''),
        action: existing ? `${base(request.params)}/${kind}/${existing.id}` : `${base(request.params)}/${kind}/new`,
        back: base(request.params),
        ...dateErrors(errors, ['dueOn']),
      });
    };

    const write = (request: FastifyRequest<{ Params: CycleParams & { partId?: string } }>, values: Record<string, string>): Promise<unknown> => {
      const actor = authorisePupil(request, 'plan.edit', request.params.pupilId);
      const { pupilId, cycleId, partId } = request.params;
      if (kind === 'targets') return partId ? plans.updateTarget(ctx, actor, pupilId, cycleId, partId, values as unknown as TargetInput, ip(request)) : plans.addTarget(ctx, actor, pupilId, cycleId, values as unknown as TargetInput, ip(request));
      if (kind === 'strategies') return partId ? plans.updateStrategy(ctx, actor, pupilId, cycleId, partId, { strategy: values.strategy ?? '' }, ip(request)) : plans.addStrategy(ctx, actor, pupilId, cycleId, { strategy: values.strategy ?? '' }, ip(request));
      return partId ? plans.updateDoItem(ctx, actor, pupilId, cycleId, partId, values as unknown as DoItemInput, ip(request)) : plans.addDoItem(ctx, actor, pupilId, cycleId, values as unknown as DoItemInput, ip(request));
    };
    const label = part.singular === 'item' ? 'Support arrangement' : part.singular.replace(/^./, (c) => c.toUpperCase());

    app.get<{ Params: CycleParams }>(`/pupils/:pupilId/plans/:cycleId/${kind}/new`, { config: { permission: 'plan.edit' } }, async (request, reply) => renderPart(request, reply));

    app.post<{ Params: CycleParams }>(`/pupils/:pupilId/plans/:cycleId/${kind}/new`, { config: { permission: 'plan.edit' } }, async (request, reply) => {
      const values = readInput(request.body);
      const result = await attempt(() => write(request, values), (errors) => renderPart(request, reply, { values, raw: request.body }, errors));
      if (!result.ok) return result.reply;
      setFlash(ctx, request, reply, `${label} added`);
      return reply.redirect(`${base(request.params)}#${kind}`, 303);
    });

    app.get<{ Params: PartParams }>(`/pupils/:pupilId/plans/:cycleId/${kind}/:partId`, { config: { permission: 'plan.edit' } }, async (request, reply) => renderPart(request, reply));

    app.post<{ Params: PartParams }>(`/pupils/:pupilId/plans/:cycleId/${kind}/:partId`, { config: { permission: 'plan.edit' } }, async (request, reply) => {
      const values = readInput(request.body);
      const result = await attempt(() => write(request, values), (errors) => renderPart(request, reply, { values, raw: request.body }, errors));
      if (!result.ok) return result.reply;
      setFlash(ctx, request, reply, `${label} changed`);
      return reply.redirect(`${base(request.params)}#${kind}`, 303);
    });

    app.get<{ Params: PartParams }>(`/pupils/:pupilId/plans/:cycleId/${kind}/:partId/remove`, { config: { permission: 'plan.edit' } }, async (request, reply) => {
      const actor = authorisePupil(request, 'plan.edit', request.params.pupilId);
      const page = await plans.getCycleForEdit(ctx, actor, request.params.pupilId, request.params.cycleId, ip(request));
      const list: Array<{ id: string }> = kind === 'targets' ? page.cycle.targets : kind === 'strategies' ? page.cycle.strategies : page.cycle.doItems;
      const existing = list.find((entry) => entry.id === request.params.partId);
      if (!existing) throw new NotFoundError(`That ${part.singular} was not found in this plan`);
      return render(reply, 'remove.njk', { pageTitle: `Remove this ${part.singular === 'item' ? 'support arrangement' : part.singular}?`, ...page, kind, existing, noun: part.singular === 'item' ? 'support arrangement' : part.singular, action: `${base(request.params)}/${kind}/${existing.id}/remove`, back: base(request.params) });
    });

    app.post<{ Params: PartParams }>(`/pupils/:pupilId/plans/:cycleId/${kind}/:partId/remove`, { config: { permission: 'plan.edit' } }, async (request, reply) => {
      const actor = authorisePupil(request, 'plan.edit', request.params.pupilId);
      const { pupilId, cycleId, partId } = request.params;
      if (kind === 'targets') await plans.removeTarget(ctx, actor, pupilId, cycleId, partId, ip(request));
      else if (kind === 'strategies') await plans.removeStrategy(ctx, actor, pupilId, cycleId, partId, ip(request));
      else await plans.removeDoItem(ctx, actor, pupilId, cycleId, partId, ip(request));
      setFlash(ctx, request, reply, `${label} removed: the record of what it said is kept in the audit log`);
      return reply.redirect(`${base(request.params)}#${kind}`, 303);
    });
  }

  // The review date -----------------------------------------------------------------------------------------------

  const renderReviewDate = async (request: FastifyRequest<{ Params: CycleParams }>, reply: FastifyReply, raw?: unknown, errors: FieldError[] = []) => {
    const actor = authorisePupil(request, 'plan.edit', request.params.pupilId);
    const page = await plans.getCycleForEdit(ctx, actor, request.params.pupilId, request.params.cycleId, ip(request));
    reply.code(errors.length ? 400 : 200);
    return render(reply, 'review-date.njk', { pageTitle: `Change the review date – ${page.pupil.legal_forename} ${page.pupil.legal_surname}`, ...page, due: postedDate(raw, 'reviewDueOn', page.cycle.reviewDueOn), defaultDate: defaultReviewDate(page.cycle.startedOn), back: base(request.params), ...dateErrors(errors, ['reviewDueOn']) });
  };

  app.get<{ Params: CycleParams }>('/pupils/:pupilId/plans/:cycleId/review-date', { config: { permission: 'plan.edit' } }, async (request, reply) => renderReviewDate(request, reply));

  app.post<{ Params: CycleParams }>('/pupils/:pupilId/plans/:cycleId/review-date', { config: { permission: 'plan.edit' } }, async (request, reply) => {
    const actor = authorisePupil(request, 'plan.edit', request.params.pupilId);
    const value = readDateInput(request.body, 'reviewDueOn');
    const result = await attempt(() => plans.changeReviewDate(ctx, actor, request.params.pupilId, request.params.cycleId, value, ip(request)), (errors) => renderReviewDate(request, reply, request.body, errors));
    if (!result.ok) return result.reply;
    setFlash(ctx, request, reply, 'Review date changed');
    return reply.redirect(base(request.params), 303);
  });

  // Provision -------------------------------------------------------------------------------------------------------

  // Two steps, one question each: which provision, then which of its groups.
  const renderProvision = async (request: FastifyRequest<{ Params: CycleParams }>, reply: FastifyReply, chosen = '', errors: FieldError[] = []) => {
    const actor = authorisePupil(request, 'plan.edit', request.params.pupilId);
    const page = await plans.getProvisionChoices(ctx, actor, request.params.pupilId, request.params.cycleId, ip(request));
    const asked = text((request.query as Record<string, unknown>).provision) || page.choices.find((choice) => choice.groupId === chosen)?.provisionId || '';
    const groups = page.choices.filter((choice) => choice.provisionId === asked);
    const provisions = [...new Map(page.choices.map((choice) => [choice.provisionId, { id: choice.provisionId, name: choice.provisionName, area: choice.area, groups: page.choices.filter((entry) => entry.provisionId === choice.provisionId).length }])).values()];
    reply.code(errors.length ? 400 : 200);
    return render(reply, 'provision-form.njk', {
      pageTitle: `Add provision – ${page.pupil.legal_forename} ${page.pupil.legal_surname}`,
      ...page,
      step: groups.length ? 'group' : 'provision',
      provisions,
      groups,
      provisionName: groups[0]?.provisionName ?? '',
      chosen,
      back: base(request.params),
      ...errorView(errors),
    });
  };

  app.get<{ Params: CycleParams }>('/pupils/:pupilId/plans/:cycleId/provision', { config: { permission: 'plan.edit' } }, async (request, reply) => renderProvision(request, reply));

  app.post<{ Params: CycleParams }>('/pupils/:pupilId/plans/:cycleId/provision', { config: { permission: 'plan.edit' } }, async (request, reply) => {
    const actor = authorisePupil(request, 'plan.edit', request.params.pupilId);
    const groupId = formField(request.body, 'groupId') ?? '';
    const result = await attempt(() => plans.addProvision(ctx, actor, request.params.pupilId, request.params.cycleId, groupId, ip(request)), (errors) => renderProvision(request, reply, groupId, errors.map((error) => ({ ...error, field: 'groupId' }))));
    if (!result.ok) return result.reply;
    setFlash(ctx, request, reply, `Added to ${result.value}: the group’s staff now see the pupil`);
    return reply.redirect(`${base(request.params)}#provision`, 303);
  });

  // The review --------------------------------------------------------------------------------------------------------

  const renderReview = async (request: FastifyRequest<{ Params: CycleParams }>, reply: FastifyReply, posted?: { input: ReviewInput; raw: unknown }, errors: FieldError[] = []) => {
    const actor = authorisePupil(request, 'plan.edit', request.params.pupilId);
    const form = await plans.getReviewForm(ctx, actor, request.params.pupilId, request.params.cycleId, ip(request));
    reply.code(errors.length ? 400 : 200);
    const targets = form.cycle.targets.map((target) => {
      const given = posted?.input.targets[target.id];
      return { ...target, givenRating: given ? given.rating : (target.rating ?? ''), givenNote: given ? given.note : (target.reviewNote ?? ''), givenCarry: given ? (given.carry === null ? '' : given.carry ? 'yes' : 'no') : form.carry[target.id] };
    });
    const sections = form.sections.map((section) => ({ ...section, answer: posted ? (posted.input.sections[section.key] ?? '') : section.answer }));
    return render(reply, 'review-form.njk', {
      pageTitle: `Review plan ${form.cycle.number} – ${form.pupil.legal_forename} ${form.pupil.legal_surname}`,
      ...form,
      targets,
      sections,
      ratings: RATINGS,
      held: postedDate(posted?.raw, 'heldOn', form.heldOn),
      next: postedDate(posted?.raw, 'nextReviewOn', form.nextReviewOn),
      back: base(request.params),
      ...dateErrors(errors, ['heldOn', 'nextReviewOn']),
    });
  };

  app.get<{ Params: CycleParams }>('/pupils/:pupilId/plans/:cycleId/review', { config: { permission: 'plan.edit' } }, async (request, reply) => renderReview(request, reply));

  app.post<{ Params: CycleParams }>('/pupils/:pupilId/plans/:cycleId/review', { config: { permission: 'plan.edit' } }, async (request, reply) => {
    const actor = authorisePupil(request, 'plan.edit', request.params.pupilId);
    const body = (request.body as Record<string, unknown>) ?? {};
    const input: ReviewInput = { heldOn: readDateInput(body, 'heldOn'), nextReviewOn: readDateInput(body, 'nextReviewOn'), sections: {}, targets: {} };
    for (const [name, value] of Object.entries(body)) {
      if (typeof value !== 'string') continue;
      if (name.startsWith('section-')) input.sections[name.slice(8)] = value;
      if (name.startsWith('target-')) {
        const id = value;
        const carry = formField(body, `carry-${id}`);
        input.targets[id] = { rating: formField(body, `rating-${id}`) ?? '', note: formField(body, `note-${id}`) ?? '', carry: carry === 'yes' ? true : carry === 'no' ? false : null };
      }
    }
    const result = await attempt(() => plans.saveReviewDraft(ctx, actor, request.params.pupilId, request.params.cycleId, input, ip(request)), (errors) => renderReview(request, reply, { input, raw: body }, errors));
    if (!result.ok) return result.reply;
    return reply.redirect(`${base(request.params)}/review/check`, 303);
  });

  app.get<{ Params: CycleParams }>('/pupils/:pupilId/plans/:cycleId/review/check', { config: { permission: 'plan.edit' } }, async (request, reply) => {
    const actor = authorisePupil(request, 'plan.edit', request.params.pupilId);
    const check = await plans.getReviewCheck(ctx, actor, request.params.pupilId, request.params.cycleId, ip(request));
    if (!check.cycle.reviewStarted) return reply.redirect(`${base(request.params)}/review`, 303);
    if (check.problems.length) return renderReview(request, reply, undefined, check.problems);
    return render(reply, 'review-check.njk', { pageTitle: `Check the review before closing plan ${check.cycle.number}`, ...check, back: `${base(request.params)}/review` });
  });

  app.post<{ Params: CycleParams }>('/pupils/:pupilId/plans/:cycleId/review/close', { config: { permission: 'plan.edit' } }, async (request, reply) => {
    const actor = authorisePupil(request, 'plan.edit', request.params.pupilId);
    const result = await attempt(() => plans.closeCycle(ctx, actor, request.params.pupilId, request.params.cycleId, ip(request)), (errors) => renderReview(request, reply, undefined, errors));
    if (!result.ok) return result.reply;
    setFlash(ctx, request, reply, 'Review recorded and plan closed: the next plan has started with what continues');
    return reply.redirect(`/pupils/${request.params.pupilId}/plans/${result.value}`, 303);
  });

  // Documents --------------------------------------------------------------------------------------------------------

  for (const which of ['plan', 'review'] as const) {
    for (const format of ['docx', 'pdf'] as const) {
      app.get<{ Params: CycleParams }>(`/pupils/:pupilId/plans/:cycleId/${which}.${format}`, { config: { permission: 'plan.view' } }, async (request, reply) => {
        const actor = authorisePupil(request, 'plan.view', request.params.pupilId);
        const { model, filename } = await planDocument(ctx, actor, request.params.pupilId, request.params.cycleId, which, schoolNameOf(request), ip(request));
        return documentResponse(reply, { model, format, filename });
      });
    }
  }

  // The plans hub ----------------------------------------------------------------------------------------------------

  app.get('/plans', { config: { permission: 'plans.overview' } }, async (request, reply) => {
    const raw = request.query as Record<string, unknown>;
    const showText = text(raw.show);
    const show: plans.HubShow = showText === 'due-soon' || showText === 'no-plan' ? showText : 'overdue';
    const sortText = text(raw.sort);
    const sort: plans.HubSort = sortText === 'name' || sortText === 'year' ? sortText : 'due';
    const yearGroup = /^-?\d{1,2}$/.test(text(raw.yearGroup)) ? text(raw.yearGroup) : '';
    const query = { show, sort, yearGroup, page: Math.max(1, Number.parseInt(text(raw.page), 10) || 1) };
    const hub = await plans.getPlansHub(ctx, requireActor(request), query, ip(request));
    const link = (changes: Partial<typeof query>) => {
      const next = { ...query, page: 1, ...changes };
      return `/plans?${new URLSearchParams({ show: next.show, ...(next.yearGroup ? { yearGroup: next.yearGroup } : {}), ...(next.sort !== 'due' ? { sort: next.sort } : {}), ...(next.page > 1 ? { page: String(next.page) } : {}) }).toString()}`;
    };
    const pagination = hub.pageCount > 1
      ? {
          items: Array.from({ length: hub.pageCount }, (_, index) => index + 1).filter((number) => number === 1 || number === hub.pageCount || Math.abs(number - hub.page) <= 2).map((number) => ({ number, href: link({ page: number }), current: number === hub.page })),
          ...(hub.page > 1 ? { previous: { href: link({ page: hub.page - 1 }) } } : {}),
          ...(hub.page < hub.pageCount ? { next: { href: link({ page: hub.page + 1 }) } } : {}),
        }
      : undefined;
    return render(reply, 'hub.njk', {
      pageTitle: 'Plans and reviews',
      subNavigation: plansSubNavigation(request),
      query,
      ...hub,
      pagination,
      showLinks: (['overdue', 'due-soon', 'no-plan'] as const).map((value) => ({ value, href: link({ show: value }), count: hub.counts[value], current: value === show })),
      sortLinks: { due: link({ sort: 'due' }), name: link({ sort: 'name' }), year: link({ sort: 'year' }) },
      yearItems: [{ value: '', text: 'All year groups', selected: yearGroup === '' }, ...hub.yearGroups.filter((value): value is number => value !== null).map((value) => ({ value: String(value), text: '', number: value, selected: String(value) === yearGroup }))],
    });
  });

  // Templates --------------------------------------------------------------------------------------------------------

  app.get('/plans/templates', { config: { permission: 'templates.manage' } }, async (request, reply) => {
    const overview = await plans.getTemplatesOverview(ctx, requireActor(request));
    return render(reply, 'templates.njk', { pageTitle: 'Templates', subNavigation: plansSubNavigation(request), ...overview });
  });

  const readSections = (body: unknown): SectionInput[] => {
    const count = Math.min(50, Math.max(0, Number.parseInt(formField(body, 'count') ?? '0', 10) || 0));
    const sections: SectionInput[] = [];
    for (let index = 0; index < count; index += 1) {
      if (formField(body, `heading-${index}`) === undefined) continue;
      sections.push({ key: formField(body, `key-${index}`) ?? '', heading: formField(body, `heading-${index}`) ?? '', prompt: formField(body, `prompt-${index}`) ?? '' });
    }
    return sections;
  };

  const renderEditor = async (request: FastifyRequest<{ Params: KindParams }>, reply: FastifyReply, posted?: { sections: SectionInput[]; basedOn: number; focus?: string }, errors: FieldError[] = []) => {
    const kind = request.params.kind;
    if (!isTemplateKind(kind)) throw new NotFoundError('There is no template of that kind');
    const editor = await plans.getTemplateEditor(ctx, requireActor(request), kind);
    reply.code(errors.length ? 400 : 200);
    return render(reply, 'template-edit.njk', {
      pageTitle: `${TEMPLATE_KIND_LABELS[kind]} template`,
      subNavigation: plansSubNavigation(request),
      kind,
      ...editor,
      sections: posted?.sections ?? editor.current.sections,
      basedOn: posted?.basedOn ?? editor.current.version,
      changed: Boolean(posted),
      focus: posted?.focus,
      headingMax: HEADING_MAX,
      promptMax: PROMPT_MAX,
      ...errorView(errors),
    });
  };

  app.get<{ Params: KindParams }>('/plans/templates/:kind', { config: { permission: 'templates.manage' } }, async (request, reply) => renderEditor(request, reply));

  app.post<{ Params: KindParams }>('/plans/templates/:kind', { config: { permission: 'templates.manage' } }, async (request, reply) => {
    const kind = request.params.kind;
    if (!isTemplateKind(kind)) throw new NotFoundError('There is no template of that kind');
    const sections = readSections(request.body);
    const basedOn = Number.parseInt(formField(request.body, 'basedOn') ?? '', 10);
    const command = formField(request.body, 'command') ?? 'save';
    // Add, remove and move change the form without saving; only "Save" writes a new version.
    const match = /^(up|down|remove)-(\d+)$/.exec(command);
    if (command === 'add' || match) {
      const edited = [...sections];
      let focus: string | undefined;
      if (command === 'add') {
        edited.push({ key: '', heading: '', prompt: '' });
        focus = `heading-${edited.length - 1}`;
      } else {
        const index = Number(match![2]);
        if (match![1] === 'remove') edited.splice(index, 1);
        else {
          const other = match![1] === 'up' ? index - 1 : index + 1;
          if (index < edited.length && other >= 0 && other < edited.length) [edited[index], edited[other]] = [edited[other]!, edited[index]!];
          focus = `heading-${Math.max(0, Math.min(edited.length - 1, other))}`;
        }
      }
      return renderEditor(request, reply, { sections: edited, basedOn: Number.isInteger(basedOn) ? basedOn : 0, ...(focus ? { focus } : {}) });
    }
    const result = await attempt(
      () => plans.saveTemplate(ctx, requireActor(request), kind, sections, Number.isInteger(basedOn) ? basedOn : undefined, ip(request)),
      (errors) => renderEditor(request, reply, { sections, basedOn: Number.isInteger(basedOn) ? basedOn : 0 }, errors),
    );
    if (!result.ok) return result.reply;
    setFlash(ctx, request, reply, `Version ${result.value.version} saved: new records use it, and earlier records keep the headings they were written with`);
    return reply.redirect(`/plans/templates/${kind}`, 303);
  });

  app.get<{ Params: KindParams & { version: string } }>('/plans/templates/:kind/versions/:version', { config: { permission: 'templates.manage' } }, async (request, reply) => {
    const kind = request.params.kind;
    const version = Number.parseInt(request.params.version, 10);
    if (!isTemplateKind(kind) || !Number.isInteger(version)) throw new NotFoundError('That version of the template was not found');
    const found = await plans.getTemplateVersion(ctx, requireActor(request), kind, version);
    return render(reply, 'template-version.njk', { pageTitle: `${TEMPLATE_KIND_LABELS[kind]} template, version ${version}`, subNavigation: plansSubNavigation(request), kind, template: found });
  });
}

