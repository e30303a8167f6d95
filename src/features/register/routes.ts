import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { schoolToday } from '../../platform/dates.ts';
import { ValidationError } from '../../platform/errors.ts';
import { authorisePupil, dateParts, errorView, formField, readDateInput, requestIp, requireActor, setFlash } from '../../platform/web.ts';
import { BROAD_AREAS, NEED_CODES, NEEDS, PROVISION_LABELS, yearGroupLabel } from './census.ts';
import { VersionedCache } from '../../platform/versioned-cache.ts';
import * as register from './service.ts';

type PupilParams = { pupilId: string };

const INTENTS = {
  'add-support': { title: 'Add to SEN support', provision: 'K' },
  'ehc-plan': { title: 'Record an EHC plan start', provision: 'E' },
  remove: { title: 'Remove from the SEN register', provision: 'N' },
  needs: { title: 'Change SEN status or needs', provision: undefined },
} as const;
type Intent = keyof typeof INTENTS;
const MAX_NEEDS = 4;



export async function registerRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  // Rendered register content, reused until the school's register version changes (ADR 7).
  const registerContent = new VersionedCache<{ html: Buffer; shown: number; matching: number }>(200);

  app.get('/register', { config: { permission: 'register.view' } }, async (request, reply) => {
    const actor = requireActor(request);
    const query = register.parseRegisterQuery(request.query as Record<string, unknown>);
    const queryString = register.registerQueryString(query);
    // Web requests have the version from the session's query; the service reads it otherwise.
    const version = request.session?.registerVersion ?? (await register.getRegisterVersion(ctx, actor));
    const key = `${actor.schoolId}:${version}:${actor.role}:${queryString}`;
    let content = registerContent.get(key);
    if (!content) {
      const result = await register.getRegister(ctx, actor, query);
      const link = (changes: Partial<register.RegisterQuery>) => `/register?${register.registerQueryString(query, changes)}`;
      const html = reply.renderFragment('features/register/views/register-content.njk', {
        query,
        result,
        link,
        queryString: register.registerQueryString(query, { page: 1 }),
        options: {
          provisions: (['K', 'E', 'N', 'A', 'P', 'S'] as const).map((code) => ({ value: code, text: PROVISION_LABELS[code], checked: query.provisions.includes(code) })),
          needs: NEED_CODES.map((code) => ({ value: code, text: `${NEEDS[code].label} (${code})`, checked: query.needs.includes(code) })),
          areas: BROAD_AREAS.map((area) => ({ value: area, text: area, checked: query.areas.includes(area) })),
          years: result.yearGroups.map((year) => ({ value: String(year), text: yearGroupLabel(year), checked: query.years.includes(year) })),
          flags: Object.entries(register.FLAG_LABELS).map(([value, text]) => ({ value, text, checked: (query.flags as string[]).includes(value) })),
          groups: result.groups,
        },
      });
      content = { html: Buffer.from(html), shown: result.pupils.length, matching: result.counts.total };
      registerContent.set(key, content);
    }
    register.recordRegisterViewed(ctx, actor, query, { shown: content.shown, matching: content.matching }, requestIp(request));
    // The register has its own search box; the header one would repeat it.
    return reply.renderAround('features/register/views/register.njk', { pageTitle: 'SEN register', staffSearch: false }, content.html);
  });

  app.get('/register/export.csv', { config: { permission: 'register.export' } }, async (request, reply) => {
    const actor = requireActor(request);
    const query = register.parseRegisterQuery(request.query as Record<string, unknown>);
    const { csv } = await register.exportRegisterCsv(ctx, actor, query, requestIp(request));
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="sen-register-${schoolToday()}.csv"`)
      .header('cache-control', 'no-store')
      .send(csv);
  });

  app.get<{ Params: PupilParams }>('/pupils/:pupilId', { config: { permission: 'pupil.view' } }, async (request, reply) => {
    const actor = authorisePupil(request, 'pupil.view', request.params.pupilId);
    const record = await register.getPupilOverview(ctx, actor, request.params.pupilId, requestIp(request));
    return reply.render('features/register/views/pupil-overview.njk', { pageTitle: `${record.pupil.legal_forename} ${record.pupil.legal_surname}`, tab: 'overview', ...record });
  });

  app.get<{ Params: PupilParams }>('/pupils/:pupilId/sen', { config: { permission: 'pupil.view' } }, async (request, reply) => {
    const actor = authorisePupil(request, 'pupil.view', request.params.pupilId);
    const record = await register.getPupilSenHistory(ctx, actor, request.params.pupilId, requestIp(request));
    return reply.render('features/register/views/pupil-sen.njk', {
      pageTitle: `SEN status and needs – ${record.pupil.legal_forename} ${record.pupil.legal_surname}`,
      tab: 'sen',
      changeLabels: register.SEN_CHANGE_LABELS,
      ...record,
    });
  });

  app.get<{ Params: PupilParams }>('/pupils/:pupilId/timeline', { config: { permission: 'pupil.view' } }, async (request, reply) => {
    const actor = authorisePupil(request, 'pupil.view', request.params.pupilId);
    const record = await register.getPupilSenHistory(ctx, actor, request.params.pupilId, requestIp(request), 'timeline');
    return reply.render('features/register/views/pupil-timeline.njk', {
      pageTitle: `Timeline – ${record.pupil.legal_forename} ${record.pupil.legal_surname}`,
      tab: 'timeline',
      changeLabels: register.SEN_CHANGE_LABELS,
      ...record,
    });
  });

  app.get<{ Params: PupilParams }>('/pupils/:pupilId/contacts', { config: { permission: 'pupil.view' } }, async (request, reply) => {
    const actor = authorisePupil(request, 'pupil.view', request.params.pupilId);
    const record = await register.getPupilContacts(ctx, actor, request.params.pupilId, requestIp(request));
    return reply.render('features/register/views/pupil-contacts.njk', { pageTitle: `Contacts – ${record.pupil.legal_forename} ${record.pupil.legal_surname}`, tab: 'contacts', ...record });
  });

  const renderChangeForm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    pupilId: string,
    values?: { provision: string; needs: string[]; effective: { day: string; month: string; year: string }; reason: string },
    errors?: ReturnType<typeof errorView>,
  ) => {
    const actor = authorisePupil(request, 'pupil.sen.edit', pupilId);
    const intentName = String((request.query as { intent?: string }).intent ?? formField(request.body, 'intent') ?? 'needs');
    const intent: Intent = Object.hasOwn(INTENTS, intentName) ? (intentName as Intent) : 'needs';
    const { pupil, status } = await register.getSenChangeForm(ctx, actor, pupilId, requestIp(request), 'sen-change-form');
    const currentNeeds = [...status.needs].sort((a, b) => a.rank - b.rank).map((entry) => entry.need);
    const formValues = values ?? {
      provision: INTENTS[intent].provision ?? status.provision,
      needs: intent === 'remove' ? [] : currentNeeds,
      effective: dateParts(schoolToday()),
      reason: '',
    };
    if (formValues.provision === 'A' || formValues.provision === 'P' || formValues.provision === 'S') formValues.provision = 'K';
    reply.code(errors ? 400 : 200);
    return reply.render('features/register/views/sen-change.njk', {
      pageTitle: `${INTENTS[intent].title} – ${pupil.legal_forename} ${pupil.legal_surname}`,
      heading: INTENTS[intent].title,
      intent,
      pupil,
      status,
      values: formValues,
      needRows: Array.from({ length: MAX_NEEDS }, (_, index) => ({
        index: index + 1,
        label: ['Primary need', 'Secondary need', 'Third need', 'Fourth need'][index],
        items: [{ value: '', text: 'None' }, ...NEED_CODES.map((code) => ({ value: code, text: `${NEEDS[code].label} (${code})`, selected: formValues.needs[index] === code }))],
      })),
      ...(errors ?? {}),
    });
  };

  app.get<{ Params: PupilParams }>('/pupils/:pupilId/sen/change', { config: { permission: 'pupil.sen.edit' } }, async (request, reply) =>
    renderChangeForm(request, reply, request.params.pupilId),
  );

  app.post<{ Params: PupilParams }>('/pupils/:pupilId/sen/change', { config: { permission: 'pupil.sen.edit' } }, async (request, reply) => {
    const pupilId = request.params.pupilId;
    const actor = authorisePupil(request, 'pupil.sen.edit', pupilId);
    const body = request.body;
    const provision = formField(body, 'provision') ?? '';
    const needCodes = Array.from({ length: MAX_NEEDS }, (_, index) => formField(body, `needs-${index + 1}-need`) ?? '');
    const values = {
      provision,
      needs: needCodes,
      effective: {
        day: formField(body, 'effectiveDate-day') ?? '',
        month: formField(body, 'effectiveDate-month') ?? '',
        year: formField(body, 'effectiveDate-year') ?? '',
      },
      reason: formField(body, 'reason') ?? '',
    };
    const formProblems = [];
    if (!provision) formProblems.push({ field: 'provision', message: 'Choose the pupil’s SEN provision' });
    // Needs are chosen by position: the first row is rank 1. A gap before a chosen need is a mistake.
    const firstGap = needCodes.findIndex((code) => !code);
    if (provision !== 'N' && firstGap !== -1 && needCodes.slice(firstGap).some(Boolean)) {
      formProblems.push({ field: `needs-${firstGap + 1}-need`, message: `Choose the ${firstGap === 0 ? 'primary' : 'next'} need before adding another, or move the needs up` });
    }
    const needs = provision === 'N' ? [] : needCodes.filter(Boolean).map((need, index) => ({ need, rank: index + 1 }));
    try {
      if (formProblems.length) throw new ValidationError(formProblems);
      await register.changeSenStatus(ctx, actor, pupilId, { provision, needs, effectiveDate: readDateInput(body, 'effectiveDate'), reason: values.reason }, requestIp(request));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const view = errorView(
        error.errors.map((problem) => (problem.field === 'effectiveDate' ? { ...problem, field: 'effectiveDate-day' } : problem)),
      );
      view.fieldErrors.effectiveDate ??= view.fieldErrors['effectiveDate-day'] ?? '';
      return renderChangeForm(request, reply, pupilId, values, view);
    }
    setFlash(ctx, request, reply, 'SEN status saved. The change is in the pupil’s history.');
    return reply.redirect(`/pupils/${encodeURIComponent(pupilId)}/sen`);
  });

  const renderLeaving = async (request: FastifyRequest, reply: FastifyReply, pupilId: string, mode: 'leave' | 'return', values: Record<string, string>, errors?: ReturnType<typeof errorView>) => {
    const actor = authorisePupil(request, 'pupil.sen.edit', pupilId);
    const { pupil } = await register.getSenChangeForm(ctx, actor, pupilId, requestIp(request), mode === 'leave' ? 'leaving-form' : 'return-form');
    reply.code(errors ? 400 : 200);
    return reply.render('features/register/views/leaving.njk', {
      pageTitle: `${mode === 'leave' ? 'Record that a pupil has left' : 'Return a pupil to roll'} – ${pupil.legal_forename} ${pupil.legal_surname}`,
      mode,
      pupil,
      values,
      ...(errors ?? {}),
    });
  };

  app.get<{ Params: PupilParams }>('/pupils/:pupilId/leave', { config: { permission: 'pupil.sen.edit' } }, async (request, reply) =>
    renderLeaving(request, reply, request.params.pupilId, 'leave', { ...dateParts(schoolToday()), reason: '' }),
  );

  app.post<{ Params: PupilParams }>('/pupils/:pupilId/leave', { config: { permission: 'pupil.sen.edit' } }, async (request, reply) => {
    const pupilId = request.params.pupilId;
    const actor = authorisePupil(request, 'pupil.sen.edit', pupilId);
    const values = {
      day: formField(request.body, 'leftOn-day') ?? '',
      month: formField(request.body, 'leftOn-month') ?? '',
      year: formField(request.body, 'leftOn-year') ?? '',
      reason: formField(request.body, 'reason') ?? '',
    };
    try {
      await register.recordLeaving(ctx, actor, pupilId, { leftOn: readDateInput(request.body, 'leftOn'), reason: values.reason }, requestIp(request));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const view = errorView(error.errors.map((problem) => (problem.field === 'leftOn' ? { ...problem, field: 'leftOn-day' } : problem)));
      view.fieldErrors.leftOn ??= view.fieldErrors['leftOn-day'] ?? '';
      return renderLeaving(request, reply, pupilId, 'leave', values, view);
    }
    setFlash(ctx, request, reply, 'Recorded that the pupil has left. Their records are kept, and they are no longer on the register.');
    return reply.redirect(`/pupils/${encodeURIComponent(pupilId)}`);
  });

  app.get<{ Params: PupilParams }>('/pupils/:pupilId/return', { config: { permission: 'pupil.sen.edit' } }, async (request, reply) =>
    renderLeaving(request, reply, request.params.pupilId, 'return', { reason: '' }),
  );

  app.post<{ Params: PupilParams }>('/pupils/:pupilId/return', { config: { permission: 'pupil.sen.edit' } }, async (request, reply) => {
    const pupilId = request.params.pupilId;
    const actor = authorisePupil(request, 'pupil.sen.edit', pupilId);
    const reason = formField(request.body, 'reason') ?? '';
    try {
      await register.returnToRoll(ctx, actor, pupilId, { reason }, requestIp(request));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return renderLeaving(request, reply, pupilId, 'return', { reason }, errorView(error.errors));
    }
    setFlash(ctx, request, reply, 'The pupil is back on roll.');
    return reply.redirect(`/pupils/${encodeURIComponent(pupilId)}`);
  });

  app.get('/overview', { config: { permission: 'register.counts' } }, async (request, reply) => {
    const actor = requireActor(request);
    const overview = await register.getOverview(ctx, actor);
    return reply.render('features/register/views/overview.njk', { pageTitle: 'SEN overview', ...overview });
  });

  app.get('/my-pupils', { config: { permission: 'mypupils.view' } }, async (request, reply) => {
    const actor = requireActor(request);
    const pupils = await register.getMyPupils(ctx, actor, requestIp(request));
    return reply.render('features/register/views/my-pupils.njk', { pageTitle: 'My pupils with SEN', pupils });
  });

  app.get('/my-children', { config: { permission: 'mychildren.view' } }, async (request, reply) => {
    const actor = requireActor(request);
    const children = await register.getMyChildren(ctx, actor, requestIp(request));
    return reply.render('features/register/views/my-children.njk', { pageTitle: children.length === 1 ? 'My child' : 'My children', children });
  });
}
