// Concerns: staff raise them (choosing from the pupils they teach, or from a pupil's page), see the
// outcome of those they raised, and the SENCO triages them in the Plans section. Routes stay thin:
// read the request, call the service, render or redirect.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { ValidationError, type FieldError } from '../../platform/errors.ts';
import { authorisePupil, errorView, formField, pagination, requestIp, requireActor, setFlash } from '../../platform/web.ts';
import { MAX_DOCUMENT_BYTES } from '../documents/rules.ts';
import { MAX_EVIDENCE_FILES } from '../documents/service.ts';
import { multipartErrorHandler, multipartOptions, uploadedFiles } from '../documents/uploads.ts';
import { formatBytes } from '../imports/file-check.ts';
import { plansSubNavigation } from '../plans/sections.ts';
import { yearGroupLabel } from '../register/census.ts';
import * as concerns from './service.ts';
import {
  CONCERN_AREAS,
  NOTE_REQUIRED,
  OUTCOMES,
  OUTCOME_HINTS,
  OUTCOME_LABELS,
  OUTCOME_TAGS,
  parseTriageQuery,
  triageQueryString,
  type ConcernInput,
  type OutcomeInput,
  type TriageQuery,
} from './rules.ts';

type PupilParams = { pupilId: string };
type ConcernParams = { concernId: string };

/** Labels and tags every concerns page uses. */
const helpers = {
  outcomeLabels: OUTCOME_LABELS,
  outcomeTags: OUTCOME_TAGS,
  /** "start SEN support": an outcome's label inside a sentence. */
  inSentence: (label: string) => label.charAt(0).toLowerCase() + label.slice(1),
};

function text(value: unknown, max = 100): string {
  return typeof value === 'string' ? value.trim().slice(0, max) : '';
}

function pageOf(request: FastifyRequest): number {
  const page = Number.parseInt(text((request.query as Record<string, unknown>).page), 10);
  return Number.isInteger(page) && page > 0 ? Math.min(page, 10_000) : 1;
}

export async function concernsRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  (ctx.chronologySources ??= []).push((actor, pupilId) => concerns.concernChronology(ctx, actor, pupilId));
  const ip = (request: FastifyRequest) => requestIp(request);

  // Raising a concern ----------------------------------------------------------------------------------

  app.get('/concerns/new', { config: { permission: 'concern.raise' } }, async (request, reply) => {
    const raw = request.query as Record<string, unknown>;
    // The pupil chosen from the list: their page checks the actor may raise a concern about them.
    const chosen = text(raw.pupil);
    if (/^[0-9a-f-]{36}$/.test(chosen)) return reply.redirect(`/pupils/${chosen}/concerns/new`, 303);
    const q = text(raw.q);
    const choices = await concerns.pupilChoices(ctx, requireActor(request), q, ip(request));
    // A long list of everyone taught is easier to choose from as a list grouped by class.
    const byClass = !choices.searchOnly && !q && choices.pupils.length > 30;
    const classes: Array<{ name: string; pupils: concerns.PupilChoice[] }> = [];
    for (const pupil of choices.pupils) {
      const name = pupil.registrationGroup ?? yearGroupLabel(pupil.yearGroup);
      if (classes.at(-1)?.name !== name) classes.push({ name, pupils: [] });
      classes.at(-1)!.pupils.push(pupil);
    }
    // Continue pressed without choosing from the list: say so rather than silently showing the page again.
    const notChosen = byClass && raw.pupil !== undefined && !chosen;
    const view = notChosen ? errorView([{ field: 'pupil', message: 'Choose the pupil the concern is about' }]) : {};
    return reply.code(notChosen ? 400 : 200).render('features/concerns/views/choose-pupil.njk', { pageTitle: 'Raise a concern: choose the pupil', q, byClass, classes, ...choices, ...view });
  });

  const emptyConcern: ConcernInput = { observed: '', tried: '', duration: '', area: '' };

  const renderForm = async (request: FastifyRequest<{ Params: PupilParams }>, reply: FastifyReply, values: ConcernInput, errors: FieldError[] = []) => {
    const actor = requireActor(request);
    const { pupil } = await concerns.getConcernForm(ctx, actor, request.params.pupilId, ip(request));
    reply.code(errors.length ? 400 : 200);
    return reply.render('features/concerns/views/concern-form.njk', {
      pageTitle: `Raise a concern – ${pupil.legal_forename} ${pupil.legal_surname}`,
      pupil,
      values,
      maxFiles: MAX_EVIDENCE_FILES,
      maxSize: formatBytes(MAX_DOCUMENT_BYTES),
      areaItems: [
        ...CONCERN_AREAS.map((area) => ({ value: area, text: area, checked: values.area === area })),
        { divider: 'or' },
        { value: '', text: 'Not sure', checked: !values.area },
      ],
      ...errorView(errors),
    });
  };

  app.get<{ Params: PupilParams }>('/pupils/:pupilId/concerns/new', { config: { permission: 'concern.raise' } }, async (request, reply) => {
    authorisePupil(request, 'concern.raise', request.params.pupilId);
    return renderForm(request, reply, emptyConcern);
  });

  app.post<{ Params: PupilParams }>(
    '/pupils/:pupilId/concerns/new',
    {
      config: { permission: 'concern.raise', multipartOptions: multipartOptions(MAX_EVIDENCE_FILES + 1) },
      errorHandler: multipartErrorHandler(`Attach up to ${MAX_EVIDENCE_FILES} files: go back, and choose fewer`),
    },
    async (request, reply) => {
      const pupilId = request.params.pupilId;
      const actor = authorisePupil(request, 'concern.raise', pupilId);
      const body = request.body;
      const values: ConcernInput = {
        observed: formField(body, 'observed') ?? '',
        tried: formField(body, 'tried') ?? '',
        duration: formField(body, 'duration') ?? '',
        area: formField(body, 'area') ?? '',
      };
      const files = await uploadedFiles(body, 'evidence');
      let id: string;
      try {
        id = await concerns.raiseConcern(ctx, actor, pupilId, values, files, ip(request));
      } catch (error) {
        if (error instanceof ValidationError) return renderForm(request, reply, values, error.errors);
        throw error;
      }
      return reply.redirect(`/concerns/${id}/raised`, 303);
    },
  );

  app.get<{ Params: ConcernParams }>('/concerns/:concernId/raised', { config: { permission: 'concern.raise' } }, async (request, reply) => {
    const concern = await concerns.getRaisedConcern(ctx, requireActor(request), request.params.concernId, ip(request));
    return reply.render('features/concerns/views/raised.njk', { pageTitle: 'Concern sent to the SENCO', concern, ...helpers });
  });

  app.get('/concerns/mine', { config: { permission: 'concern.raise' } }, async (request, reply) => {
    const mine = await concerns.getMyConcerns(ctx, requireActor(request), pageOf(request), ip(request));
    return reply.render('features/concerns/views/mine.njk', {
      pageTitle: 'Concerns you have raised',
      ...mine,
      pagination: pagination(mine.page, mine.pageCount, (page) => `/concerns/mine${page > 1 ? `?page=${page}` : ''}`),
      ...helpers,
    });
  });

  // Triage (the SENCO) ------------------------------------------------------------------------------------

  app.get('/concerns', { config: { permission: 'concern.triage' } }, async (request, reply) => {
    const query = parseTriageQuery(request.query as Record<string, unknown>);
    const list = await concerns.getTriageList(ctx, requireActor(request), query, ip(request));
    const shown: TriageQuery = { ...query, page: list.page };
    return reply.render('features/concerns/views/triage.njk', {
      pageTitle: 'Concerns',
      subNavigation: plansSubNavigation(request),
      query: shown,
      ...list,
      pagination: pagination(list.page, list.pageCount, (page) => `/concerns${triageQueryString(shown, { page })}`),
      filtered: query.status !== 'all' || Boolean(query.outcome) || query.yearGroup !== null || Boolean(query.q),
      statusItems: [
        { value: 'all', text: 'Open and decided', selected: query.status === 'all' },
        { value: 'open', text: 'Awaiting triage', selected: query.status === 'open' },
        { value: 'closed', text: 'Decided', selected: query.status === 'closed' },
      ],
      outcomeItems: [{ value: '', text: 'Any outcome' }, ...OUTCOMES.map((outcome) => ({ value: outcome, text: OUTCOME_LABELS[outcome], selected: query.outcome === outcome }))],
      yearItems: [{ value: '', text: 'Any year' }, ...list.yearGroups.map((year) => ({ value: String(year), text: yearGroupLabel(year), selected: query.yearGroup === year }))],
      ...helpers,
    });
  });

  const renderConcern = async (request: FastifyRequest<{ Params: ConcernParams }>, reply: FastifyReply, values: OutcomeInput = { outcome: '', note: '' }, errors: FieldError[] = []) => {
    const record = await concerns.getConcern(ctx, requireActor(request), request.params.concernId, ip(request));
    reply.code(errors.length ? 400 : 200);
    return reply.render('features/concerns/views/concern.njk', {
      pageTitle: `Concern about ${record.concern.pupilName}`,
      subNavigation: plansSubNavigation(request),
      ...record,
      values,
      outcomeItems: OUTCOMES.map((outcome) => ({ value: outcome, text: OUTCOME_LABELS[outcome], hint: { text: OUTCOME_HINTS[outcome] }, checked: values.outcome === outcome })),
      noteRequired: [...NOTE_REQUIRED].map((outcome) => helpers.inSentence(OUTCOME_LABELS[outcome])),
      ...errorView(errors),
      ...helpers,
    });
  };

  app.get<{ Params: ConcernParams }>('/concerns/:concernId', { config: { permission: 'concern.triage' } }, async (request, reply) => renderConcern(request, reply));

  app.post<{ Params: ConcernParams }>('/concerns/:concernId/outcome', { config: { permission: 'concern.triage' } }, async (request, reply) => {
    const values: OutcomeInput = { outcome: formField(request.body, 'outcome') ?? '', note: formField(request.body, 'note') ?? '' };
    let result: Awaited<ReturnType<typeof concerns.recordOutcome>>;
    try {
      result = await concerns.recordOutcome(ctx, requireActor(request), request.params.concernId, values, ip(request));
    } catch (error) {
      if (error instanceof ValidationError) return renderConcern(request, reply, values, error.errors);
      throw error;
    }
    setFlash(
      ctx,
      request,
      reply,
      result.outcome === 'sen-support'
        ? 'Outcome recorded: start SEN support. Next, change their SEN status and start a plan (links below)'
        : `Outcome recorded: ${helpers.inSentence(OUTCOME_LABELS[result.outcome])}. The member of staff who raised it can now see it`,
    );
    return reply.redirect(`/concerns/${encodeURIComponent(request.params.concernId)}`, 303);
  });

  app.post<{ Params: ConcernParams }>('/concerns/:concernId/reopen', { config: { permission: 'concern.triage' } }, async (request, reply) => {
    try {
      await concerns.reopenConcern(ctx, requireActor(request), request.params.concernId, ip(request));
    } catch (error) {
      if (error instanceof ValidationError) return renderConcern(request, reply, undefined, error.errors);
      throw error;
    }
    setFlash(ctx, request, reply, 'Concern reopened: record a new outcome when you have decided. The earlier outcome is kept in the audit log');
    return reply.redirect(`/concerns/${encodeURIComponent(request.params.concernId)}`, 303);
  });
}
