// Pupil passports: the Passport tab (the one-page profile, printable on A4), its edit form (sections,
// the pupil's own words, key strategies; "Fill from the plan"), its history and earlier versions, the
// passport as Word and PDF, and "My class" (the teacher's home page) with every passport as one file.
// Routes stay thin: read the request, call the service, render or redirect.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { documentResponse } from '../../platform/documents/index.ts';
import { ValidationError, type FieldError } from '../../platform/errors.ts';
import { authorisePupil, errorView, formField, formFields, requestIp, requireActor, setFlash } from '../../platform/web.ts';
import type { RecordTemplate } from '../plans/templates.ts';
import { STRATEGIES_HEADING, knownAs } from './documents.ts';
import {
  SECTION_MAX,
  STRATEGIES_MAX,
  STRATEGY_MAX,
  PAGE_LINES,
  applyStrategyAction,
  headingFromKey,
  isSectionKey,
  parseAction,
  type FillResult,
  type PassportForm,
} from './rules.ts';
import * as passports from './service.ts';

type PupilParams = { pupilId: string };
type VersionParams = { pupilId: string; passportId: string };

const limits = { sectionMax: SECTION_MAX, strategyMax: STRATEGY_MAX, strategiesMax: STRATEGIES_MAX, pageLines: PAGE_LINES, strategiesHeading: STRATEGIES_HEADING };

/** The posted form, in the template it was written in; sections it has that the template does not are kept. */
function readForm(body: unknown, template: RecordTemplate): PassportForm {
  const known = new Set(template.sections.map((section) => section.key));
  const posted = formFields(body, 'key').filter((key) => isSectionKey(key));
  const section = (key: string) => ({ text: formField(body, `section-${key}`) ?? '', pupilWords: formField(body, `pupilWords-${key}`) === 'yes' });
  return {
    basedOnVersion: Math.max(0, Number.parseInt(formField(body, 'basedOnVersion') ?? '0', 10) || 0),
    sections: [
      ...template.sections.map((entry) => ({ ...entry, ...section(entry.key), retired: false })),
      ...[...new Set(posted)].filter((key) => !known.has(key)).map((key) => ({ key, heading: headingFromKey(key), prompt: '', ...section(key), retired: true })),
    ],
    strategies: formFields(body, 'strategy'),
    newStrategy: formField(body, 'newStrategy') ?? '',
  };
}

function groupQuery(request: FastifyRequest): string {
  const value = (request.query as Record<string, unknown>).group;
  return typeof value === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(value) ? value : '';
}

export async function passportsRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  // Passport versions in the pupil's chronology.
  (ctx.chronologySources ??= []).push((actor, pupilId) => passports.passportEvents(ctx, actor, pupilId));
  (ctx.childSummarySources ??= []).push((actor, pupilIds) => passports.childSummaries(ctx, actor, pupilIds));

  const view = (template: string) => `features/passports/views/${template}`;
  const ip = (request: FastifyRequest) => requestIp(request);

  // The Passport tab -----------------------------------------------------------------------------

  app.get<{ Params: PupilParams }>('/pupils/:pupilId/passport', { config: { permission: 'passport.view' } }, async (request, reply) => {
    const actor = authorisePupil(request, 'passport.view', request.params.pupilId);
    const record = await passports.getPupilPassport(ctx, actor, request.params.pupilId, ip(request));
    return reply.render(view('passport.njk'), { pageTitle: `Passport – ${record.pupil.legal_forename} ${record.pupil.legal_surname}`, tab: 'passport', name: knownAs(record.pupil), ...limits, ...record });
  });

  for (const format of ['docx', 'pdf'] as const) {
    app.get<{ Params: PupilParams }>(`/pupils/:pupilId/passport.${format}`, { config: { permission: 'passport.view' } }, async (request, reply) => {
      const actor = authorisePupil(request, 'passport.view', request.params.pupilId);
      const { model, filename } = await passports.exportPassport(ctx, actor, request.params.pupilId, format, ip(request));
      return documentResponse(reply, { model, format, filename });
    });
  }

  // Writing and changing it ------------------------------------------------------------------------

  const renderEdit = async (
    request: FastifyRequest,
    reply: FastifyReply,
    pupilId: string,
    state: { template: RecordTemplate; form: PassportForm; errors?: FieldError[]; message?: string; fill?: FillResult },
  ) => {
    const actor = authorisePupil(request, 'passport.edit', pupilId);
    const context = await passports.getEditContext(ctx, actor, pupilId, ip(request));
    const errors = state.errors ?? [];
    reply.code(errors.length ? 400 : 200);
    return reply.render(view('passport-edit.njk'), {
      pageTitle: `${state.form.basedOnVersion ? 'Change' : 'Write'} the passport – ${context.pupil.legal_forename} ${context.pupil.legal_surname}`,
      tab: 'passport',
      name: knownAs(context.pupil),
      ...context,
      template: state.template,
      form: state.form,
      message: state.message,
      fill: state.fill,
      ...limits,
      ...errorView(errors),
    });
  };

  app.get<{ Params: PupilParams }>('/pupils/:pupilId/passport/edit', { config: { permission: 'passport.edit' } }, async (request, reply) => {
    const actor = authorisePupil(request, 'passport.edit', request.params.pupilId);
    const { template, form } = await passports.getEditForm(ctx, actor, request.params.pupilId, ip(request));
    return renderEdit(request, reply, request.params.pupilId, { template, form });
  });

  app.post<{ Params: PupilParams }>('/pupils/:pupilId/passport/edit', { config: { permission: 'passport.edit' } }, async (request, reply) => {
    const { pupilId } = request.params;
    const actor = authorisePupil(request, 'passport.edit', pupilId);
    const template = await passports.templateForForm(ctx, actor, formField(request.body, 'templateId') ?? '');
    const form = readForm(request.body, template);
    const action = parseAction(formField(request.body, 'action'));
    if (action.kind === 'fill') {
      const fill = await passports.fillForm(ctx, actor, pupilId, form, ip(request));
      return renderEdit(request, reply, pupilId, { template, form: fill.form, fill });
    }
    if (action.kind !== 'save') {
      const changed = applyStrategyAction(form, action);
      return renderEdit(request, reply, pupilId, { template, form: changed.form, errors: changed.errors, ...(changed.message ? { message: changed.message } : {}) });
    }
    let version: number | undefined;
    try {
      const context = await passports.getEditContext(ctx, actor, pupilId, ip(request));
      version = await passports.savePassport(ctx, actor, pupilId, template, form, knownAs(context.pupil), ip(request));
    } catch (error) {
      if (error instanceof ValidationError) return renderEdit(request, reply, pupilId, { template, form, errors: error.errors });
      throw error;
    }
    setFlash(ctx, request, reply, version === undefined ? 'Nothing was changed' : version === 1 ? 'Passport saved: teachers of this pupil see it on their “My class” page' : `Passport saved as version ${version}`);
    return reply.redirect(`/pupils/${pupilId}/passport`, 303);
  });

  // History ------------------------------------------------------------------------------------------

  app.get<{ Params: PupilParams }>('/pupils/:pupilId/passport/history', { config: { permission: 'passport.view' } }, async (request, reply) => {
    const actor = authorisePupil(request, 'passport.view', request.params.pupilId);
    const record = await passports.getPassportHistory(ctx, actor, request.params.pupilId, ip(request));
    return reply.render(view('passport-history.njk'), { pageTitle: `Passport history – ${record.pupil.legal_forename} ${record.pupil.legal_surname}`, tab: 'passport', ...record });
  });

  app.get<{ Params: VersionParams }>('/pupils/:pupilId/passport/versions/:passportId', { config: { permission: 'passport.view' } }, async (request, reply) => {
    const actor = authorisePupil(request, 'passport.view', request.params.pupilId);
    const record = await passports.getPassportVersion(ctx, actor, request.params.pupilId, request.params.passportId, ip(request));
    return reply.render(view('passport-version.njk'), {
      pageTitle: `Passport version ${record.passport.version} – ${record.pupil.legal_forename} ${record.pupil.legal_surname}`,
      tab: 'passport',
      name: knownAs(record.pupil),
      ...limits,
      ...record,
    });
  });

  app.post<{ Params: VersionParams }>('/pupils/:pupilId/passport/versions/:passportId/restore', { config: { permission: 'passport.edit' } }, async (request, reply) => {
    const actor = authorisePupil(request, 'passport.edit', request.params.pupilId);
    const restored = await passports.restoreVersion(ctx, actor, request.params.pupilId, request.params.passportId, ip(request));
    setFlash(ctx, request, reply, `Version ${restored.from} restored: it is now version ${restored.version}, and the versions in between are kept`);
    return reply.redirect(`/pupils/${request.params.pupilId}/passport`, 303);
  });

  // My class: the teacher's home page ------------------------------------------------------------------

  app.get('/my-class', { config: { permission: 'myclass.view' } }, async (request, reply) => {
    const group = groupQuery(request);
    const mine = await passports.getMyClass(ctx, requireActor(request), group, ip(request));
    const query = mine.chosen ? `?group=${encodeURIComponent(mine.chosen.id)}` : '';
    return reply.render(view('my-class.njk'), {
      pageTitle: mine.chosen ? `My class – ${mine.chosen.name}` : 'My class',
      ...mine,
      ...limits,
      downloadQuery: query,
      groupItems: [{ value: '', text: 'All my groups', selected: !mine.chosen }, ...mine.groups.map((entry) => ({ value: entry.id, text: entry.name, selected: entry.id === mine.chosen?.id }))],
      unknownGroup: Boolean(group) && !mine.chosen,
    });
  });

  for (const format of ['docx', 'pdf'] as const) {
    app.get(`/my-class/passports.${format}`, { config: { permission: 'myclass.view' } }, async (request, reply) => {
      const { model, filename } = await passports.exportMyClass(ctx, requireActor(request), groupQuery(request), format, ip(request));
      return documentResponse(reply, { model, format, filename });
    });
  }
}
