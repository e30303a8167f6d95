// Provision and interventions: the catalogue, intervention groups and their sessions, impact, the
// costed provision map, staff deployment and settings; "My groups" for staff who run groups; a
// pupil's Provision tab. Routes stay thin: read the request, call the service, render or redirect.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { schoolToday } from '../../platform/dates.ts';
import { NotFoundError, ValidationError, type FieldError } from '../../platform/errors.ts';
import { roleMay } from '../../platform/permissions.ts';
import { authorisePupil, dateErrors, dateParts, errorView, formField, formFields, readDateInput, requestIp, requireActor, setFlash } from '../../platform/web.ts';
import { documentResponse } from '../../platform/documents/index.ts';
import { expectedShareChart, impactCharts } from './exports.ts';
import { IMPACT_EXPLANATION, TOP_UP_THRESHOLD_PENCE, unitName } from './impact.ts';
import * as provision from './service.ts';
import {
  AREAS,
  COST_MODELS,
  COST_MODEL_LABELS,
  MEASURES,
  MEASURE_LABELS,
  STAFF_TYPES,
  STAFF_TYPE_LABELS,
  TIERS,
  TIER_HINTS,
  TIER_LABELS,
  WEEKDAYS,
  ageText,
  daysText,
  formatMoney,
  poundsText,
  type GroupInput,
  type MeasureEntry,
  type ProvisionInput,
  type RatesInput,
} from './validation.ts';
import { formatNumber } from '../../platform/figures.ts';

type ProvisionParams = { provisionId: string };
type GroupParams = { groupId: string };
type SessionParams = { groupId: string; sessionId: string };
type UserParams = { userId: string };

const SECTIONS = [
  { href: '/provision', text: 'Catalogue', action: 'provision.view' },
  { href: '/provision/groups', text: 'Groups', action: 'provision.view' },
  { href: '/provision/impact', text: 'Impact', action: 'provision.view' },
  { href: '/provision/map', text: 'Provision map', action: 'provision.view' },
  { href: '/provision/staff', text: 'Staff deployment', action: 'provision.view' },
  { href: '/provision/settings', text: 'Costs and budget', action: 'provision.settings' },
] as const;

function subNavigation(request: FastifyRequest) {
  const actor = requireActor(request);
  const path = request.url.split('?')[0] ?? '';
  const current = SECTIONS.filter((section) => path === section.href || path.startsWith(`${section.href}/`)).sort((a, b) => b.href.length - a.href.length)[0];
  return SECTIONS.filter((section) => roleMay(actor.role, section.action)).map((section) => ({ href: section.href, text: section.text, active: section.href === (current?.href ?? '/provision') }));
}

const HOURS = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 });

/** Shared by every page: formatting and labels. */
const helpers = {
  money: (pence: number | null | undefined) => (pence === null || pence === undefined ? '' : formatMoney(Math.round(pence))),
  moneyExact: (pence: number | null | undefined) => (pence === null || pence === undefined ? '' : formatMoney(Math.round(pence), { exact: true })),
  pct: (share: number | null | undefined) => (share === null || share === undefined ? '' : `${Math.round(share * 100)}%`),
  hours: (value: number) => HOURS.format(value),
  num: formatNumber,
  signed: (value: number) => (value > 0 ? `+${value}` : value < 0 ? `−${Math.abs(value)}` : '0'),
  ageText,
  daysText,
  unitName,
  tierLabels: TIER_LABELS,
  staffTypeLabels: STAFF_TYPE_LABELS,
  costModelLabels: COST_MODEL_LABELS,
  measureLabels: MEASURE_LABELS,
  attendanceLabels: provision.ATTENDANCE_LABELS,
  explanation: IMPACT_EXPLANATION,
  threshold: TOP_UP_THRESHOLD_PENCE,
};

function text(value: unknown, max = 100): string {
  return typeof value === 'string' ? value.trim().slice(0, max) : '';
}

function askedYear(request: FastifyRequest): provision.AcademicYear | undefined {
  const wanted = Number.parseInt(text((request.query as Record<string, unknown>).year), 10);
  const current = provision.currentAcademicYear();
  return Number.isInteger(wanted) && wanted >= current.start - 10 && wanted <= current.start + 1 ? provision.academicYear(wanted) : undefined;
}

function yearOf(request: FastifyRequest): provision.AcademicYear {
  return askedYear(request) ?? provision.currentAcademicYear();
}

function yearOptions(selected: provision.AcademicYear) {
  const current = provision.currentAcademicYear();
  return [current.start + 1, current.start, current.start - 1, current.start - 2].map((start) => ({ value: String(start), text: provision.academicYear(start).label, selected: start === selected.start }));
}

/** The pupils page's filters, which the map's downloads take too. */
function mapFilters(request: FastifyRequest): provision.MapFilters {
  const raw = request.query as Record<string, unknown>;
  return { over: text(raw.over) === 'yes', yearGroup: text(raw.yearGroup), registrationGroup: text(raw.registrationGroup) };
}

/** The query string of a download link for the view a page shows. */
function mapDownloadQuery(year: provision.AcademicYear, filters?: provision.MapFilters): string {
  return new URLSearchParams({ year: String(year.start), ...(filters?.yearGroup ? { yearGroup: filters.yearGroup } : {}), ...(filters?.registrationGroup ? { registrationGroup: filters.registrationGroup } : {}), ...(filters?.over ? { over: 'yes' } : {}) }).toString();
}

/** The school's name for a document's header: the signed-in session's current school. */
function schoolNameOf(request: FastifyRequest): string {
  return request.session?.schoolName?.trim() || 'SENCO Desk';
}

export async function provisionRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  // Staff who run an intervention group may open the records of the pupils in it, as teachers can for their classes.
  (ctx.taughtPupilsSources ??= []).push((schoolId, userId) => provision.pupilsInMyGroups(ctx, schoolId, userId));
  // The pupil's chronology shows joining and leaving intervention groups.
  (ctx.chronologySources ??= []).push((actor, pupilId) => provision.pupilProvisionEvents(ctx, actor, pupilId));
  const render = (request: FastifyRequest, reply: FastifyReply, template: string, data: Record<string, unknown>) =>
    reply.render(`features/provision/views/${template}`, { subNavigation: subNavigation(request), ...helpers, ...data });
  const ip = (request: FastifyRequest) => requestIp(request);

  // The catalogue ------------------------------------------------------------------------------------

  app.get('/provision', { config: { permission: 'provision.view' } }, async (request, reply) => {
    const archived = text((request.query as Record<string, unknown>).show) === 'archived';
    const catalogue = await provision.getCatalogue(ctx, requireActor(request), { archived });
    return render(request, reply, 'catalogue.njk', { pageTitle: archived ? 'Archived provision' : 'Provision catalogue', archived, ...catalogue });
  });

  const emptyProvision: ProvisionInput = { name: '', description: '', tier: '', area: '', groupSize: '', sessionsPerWeek: '', minutesPerSession: '', staffType: '', costModel: '', cost: '', measure: '', scaleMin: '', scaleMax: '' };
  const provisionForm = (body: unknown): ProvisionInput => Object.fromEntries(Object.keys(emptyProvision).map((key) => [key, formField(body, key) ?? ''])) as unknown as ProvisionInput;
  const renderProvisionForm = (request: FastifyRequest, reply: FastifyReply, values: ProvisionInput, existing?: provision.ProvisionView, errors: FieldError[] = []) => {
    reply.code(errors.length ? 400 : 200);
    return render(request, reply, 'provision-form.njk', {
      pageTitle: existing ? `Change ${existing.name}` : 'Add provision to the catalogue',
      existing,
      values,
      tierItems: TIERS.map((tier) => ({ value: tier, text: TIER_LABELS[tier], hint: { text: TIER_HINTS[tier] }, checked: values.tier === tier })),
      areaItems: [{ value: '', text: 'Choose an area' }, ...AREAS.map((area) => ({ value: area, text: area, selected: values.area === area }))],
      staffItems: STAFF_TYPES.map((type) => ({ value: type, text: STAFF_TYPE_LABELS[type], checked: values.staffType === type })),
      costModels: COST_MODELS.map((model) => ({ value: model, text: COST_MODEL_LABELS[model], checked: values.costModel === model })),
      measures: MEASURES.map((measure) => ({ value: measure, text: MEASURE_LABELS[measure], checked: values.measure === measure })),
      ...errorView(errors),
    });
  };

  app.get('/provision/new', { config: { permission: 'provision.manage' } }, async (request, reply) => renderProvisionForm(request, reply, emptyProvision));

  app.post('/provision/new', { config: { permission: 'provision.manage' } }, async (request, reply) => {
    const values = provisionForm(request.body);
    let id: string;
    try {
      id = await provision.createProvision(ctx, requireActor(request), values, ip(request));
    } catch (error) {
      if (error instanceof ValidationError) return renderProvisionForm(request, reply, values, undefined, error.errors);
      throw error;
    }
    setFlash(ctx, request, reply, `${values.name.trim()} added to the catalogue: now start a group`);
    return reply.redirect(`/provision/${id}`, 303);
  });

  // Settings: hourly rates and the notional SEN budget -------------------------------------------------

  const renderSettings = async (request: FastifyRequest, reply: FastifyReply, values?: RatesInput, errors: FieldError[] = []) => {
    const settings = await provision.getSettings(ctx, requireActor(request));
    reply.code(errors.length ? 400 : 200);
    return render(request, reply, 'settings.njk', {
      pageTitle: 'Cost rates and SEN budget',
      settings,
      values: values ?? { teacher: poundsText(settings.rates.teacher), ta: poundsText(settings.rates.ta), specialist: poundsText(settings.rates.specialist), external: poundsText(settings.rates.external), budget: poundsText(settings.budgetPence) },
      staffTypes: STAFF_TYPES.map((type) => ({ type, label: STAFF_TYPE_LABELS[type] })),
      ...errorView(errors),
    });
  };

  app.get('/provision/settings', { config: { permission: 'provision.settings' } }, async (request, reply) => renderSettings(request, reply));

  app.post('/provision/settings', { config: { permission: 'provision.settings' } }, async (request, reply) => {
    const values: RatesInput = { teacher: formField(request.body, 'teacher') ?? '', ta: formField(request.body, 'ta') ?? '', specialist: formField(request.body, 'specialist') ?? '', external: formField(request.body, 'external') ?? '', budget: formField(request.body, 'budget') ?? '' };
    try {
      await provision.saveSettings(ctx, requireActor(request), values, ip(request));
    } catch (error) {
      if (error instanceof ValidationError) return renderSettings(request, reply, values, error.errors);
      throw error;
    }
    setFlash(ctx, request, reply, 'Cost rates and budget saved: costs on every page now use them');
    return reply.redirect('/provision/settings', 303);
  });

  // Groups ---------------------------------------------------------------------------------------------

  app.get('/provision/groups', { config: { permission: 'provision.view' } }, async (request, reply) => {
    const raw = request.query as Record<string, unknown>;
    const showText = text(raw.show);
    const show: provision.GroupShow = showText === 'planned' || showText === 'ended' || showText === 'all' ? showText : 'current';
    const provisionId = text(raw.provision);
    const actor = requireActor(request);
    const [groups, provisions] = await Promise.all([provision.listGroupsPage(ctx, actor, { show, provisionId }), provision.listProvisions(ctx, actor)]);
    return render(request, reply, 'groups.njk', {
      pageTitle: 'Intervention groups',
      groups,
      show,
      provisionId,
      showOptions: [
        { value: 'current', text: 'Running today', selected: show === 'current' },
        { value: 'planned', text: 'Not started yet', selected: show === 'planned' },
        { value: 'ended', text: 'Ended', selected: show === 'ended' },
        { value: 'all', text: 'All', selected: show === 'all' },
      ],
      provisionOptions: [{ value: '', text: 'Any provision' }, ...provisions.map((entry) => ({ value: entry.id, text: entry.name, selected: entry.id === provisionId }))],
    });
  });

  const groupForm = (body: unknown, provisionId?: string): GroupInput => ({
    provisionId: provisionId ?? formField(body, 'provisionId') ?? '',
    name: formField(body, 'name') ?? '',
    startDate: readDateInput(body, 'startDate'),
    endDate: readDateInput(body, 'endDate'),
    weeks: formField(body, 'weeks') ?? '',
    sessionsPerWeek: formField(body, 'sessionsPerWeek') ?? '',
    minutesPerSession: formField(body, 'minutesPerSession') ?? '',
    days: formFields(body, 'days'),
    time: formField(body, 'time') ?? '',
  });

  const renderGroupForm = async (request: FastifyRequest, reply: FastifyReply, values: GroupInput, existing?: provision.GroupView, errors: FieldError[] = [], raw?: unknown) => {
    const provisions = (await provision.listProvisions(ctx, requireActor(request))).filter((entry) => !entry.archivedAt || entry.id === values.provisionId);
    reply.code(errors.length ? 400 : 200);
    const parts = (name: 'startDate' | 'endDate') =>
      raw ? { day: formField(raw, `${name}-day`) ?? '', month: formField(raw, `${name}-month`) ?? '', year: formField(raw, `${name}-year`) ?? '' } : dateParts(values[name]);
    return render(request, reply, 'group-form.njk', {
      pageTitle: existing ? `Change ${existing.name}` : 'Start an intervention group',
      existing,
      values,
      start: parts('startDate'),
      end: parts('endDate'),
      provisionName: provisions.find((entry) => entry.id === values.provisionId)?.name,
      provisionItems: [{ value: '', text: 'Choose a provision' }, ...provisions.map((entry) => ({ value: entry.id, text: entry.name, selected: entry.id === values.provisionId }))],
      dayItems: WEEKDAYS.map((day) => ({ value: day.value, text: day.text, checked: values.days.includes(day.value) })),
      ...dateErrors(errors, ['startDate', 'endDate']),
    });
  };

  app.get('/provision/groups/new', { config: { permission: 'provision.manage' } }, async (request, reply) => {
    const provisionId = text((request.query as Record<string, unknown>).provision);
    const chosen = provisionId ? (await provision.listProvisions(ctx, requireActor(request))).find((entry) => entry.id === provisionId) : undefined;
    return renderGroupForm(request, reply, provision.newGroupInput(chosen));
  });

  app.post('/provision/groups/new', { config: { permission: 'provision.manage' } }, async (request, reply) => {
    const values = groupForm(request.body);
    let id: string;
    try {
      id = await provision.createGroup(ctx, requireActor(request), values, ip(request));
    } catch (error) {
      if (error instanceof ValidationError) return renderGroupForm(request, reply, values, undefined, error.errors, request.body);
      throw error;
    }
    setFlash(ctx, request, reply, `Group ${values.name.trim()} started: now choose its staff and add its pupils`);
    return reply.redirect(`/provision/groups/${id}`, 303);
  });

  const renderGroup = async (request: FastifyRequest, reply: FastifyReply, groupId: string, errors: FieldError[] = []) => {
    const actor = requireActor(request);
    const detail = await provision.getGroup(ctx, actor, groupId, ip(request));
    const q = detail.canManage ? text((request.query as Record<string, unknown>).q) : '';
    const results = q ? await provision.searchPupilsForGroup(ctx, actor, groupId, q) : [];
    reply.code(errors.length ? 400 : 200);
    return render(request, reply, 'group.njk', { pageTitle: detail.group.name, ...detail, q, results, today: schoolToday(), ...errorView(errors) });
  };

  app.get<{ Params: GroupParams }>('/provision/groups/:groupId', { config: { permission: 'provision.group.view' } }, async (request, reply) => renderGroup(request, reply, request.params.groupId));

  app.get<{ Params: GroupParams }>('/provision/groups/:groupId/edit', { config: { permission: 'provision.manage' } }, async (request, reply) => {
    const { group } = await provision.findGroup(ctx, requireActor(request), request.params.groupId, 'provision.manage');
    return renderGroupForm(request, reply, provision.groupInput(group), group);
  });

  app.post<{ Params: GroupParams }>('/provision/groups/:groupId/edit', { config: { permission: 'provision.manage' } }, async (request, reply) => {
    const { group } = await provision.findGroup(ctx, requireActor(request), request.params.groupId, 'provision.manage');
    const values = groupForm(request.body, group.provisionId);
    try {
      await provision.updateGroup(ctx, requireActor(request), group.id, values, ip(request));
    } catch (error) {
      if (error instanceof ValidationError) return renderGroupForm(request, reply, values, group, error.errors, request.body);
      throw error;
    }
    setFlash(ctx, request, reply, 'Group details saved');
    return reply.redirect(`/provision/groups/${group.id}`, 303);
  });

  const renderStaff = async (request: FastifyRequest, reply: FastifyReply, groupId: string, selected?: string[], errors: FieldError[] = []) => {
    const actor = requireActor(request);
    const detail = await provision.getGroup(ctx, actor, groupId, ip(request));
    const choices = await provision.listStaffChoices(ctx, actor);
    const chosen = new Set(selected ?? detail.staff.map((person) => person.userId));
    reply.code(errors.length ? 400 : 200);
    return render(request, reply, 'group-staff.njk', {
      pageTitle: `Staff of ${detail.group.name}`,
      group: detail.group,
      staffItems: choices.map((person) => ({ value: person.userId, text: person.displayName, hint: { text: person.role === 'teacher' ? 'Teacher' : 'Teaching assistant' }, checked: chosen.has(person.userId) })),
      ...errorView(errors),
    });
  };

  app.get<{ Params: GroupParams }>('/provision/groups/:groupId/staff', { config: { permission: 'provision.manage' } }, async (request, reply) => {
    await provision.findGroup(ctx, requireActor(request), request.params.groupId, 'provision.manage');
    return renderStaff(request, reply, request.params.groupId);
  });

  app.post<{ Params: GroupParams }>('/provision/groups/:groupId/staff', { config: { permission: 'provision.manage' } }, async (request, reply) => {
    const { groupId } = request.params;
    const chosen = formFields(request.body, 'staff');
    try {
      await provision.setGroupStaff(ctx, requireActor(request), groupId, chosen, ip(request));
    } catch (error) {
      if (error instanceof ValidationError) return renderStaff(request, reply, groupId, chosen, error.errors);
      throw error;
    }
    setFlash(ctx, request, reply, 'Staff saved: the group is on their “My groups” page');
    return reply.redirect(`/provision/groups/${groupId}`, 303);
  });

  app.post<{ Params: GroupParams }>('/provision/groups/:groupId/pupils/add', { config: { permission: 'provision.manage' } }, async (request, reply) => {
    const { groupId } = request.params;
    let added: number;
    try {
      added = await provision.addPupils(ctx, requireActor(request), groupId, formFields(request.body, 'pupilId'), ip(request));
    } catch (error) {
      if (error instanceof ValidationError) return renderGroup(request, reply, groupId, error.errors);
      throw error;
    }
    setFlash(ctx, request, reply, added === 1 ? '1 pupil added to the group' : `${added} pupils added to the group`);
    return reply.redirect(`/provision/groups/${groupId}`, 303);
  });

  app.post<{ Params: GroupParams }>('/provision/groups/:groupId/pupils/remove', { config: { permission: 'provision.manage' } }, async (request, reply) => {
    const { groupId } = request.params;
    const actor = requireActor(request);
    await provision.findGroup(ctx, actor, groupId, 'provision.manage');
    const pupilId = formField(request.body, 'pupilId') ?? '';
    if (!pupilId) return renderGroup(request, reply, groupId, [{ field: 'pupils', message: 'Choose a pupil to take out of the group' }]);
    const outcome = await provision.removePupil(ctx, actor, groupId, pupilId, ip(request));
    setFlash(ctx, request, reply, outcome === 'left' ? 'Pupil taken out of the group: their sessions and measures are kept, marked as left today' : 'Pupil taken out of the group');
    return reply.redirect(`/provision/groups/${groupId}`, 303);
  });

  // Sessions: a phone-width form for the staff running the group ----------------------------------------

  const renderSession = async (request: FastifyRequest, reply: FastifyReply, groupId: string, options: { sessionId?: string; date?: string }, posted?: { input: provision.SessionInput; raw: unknown }, errors: FieldError[] = []) => {
    const form = await provision.getSessionForm(ctx, requireActor(request), groupId, options);
    const pupils = form.pupils.map((pupil) => {
      const given = posted?.input.attendance[pupil.pupilId];
      return { ...pupil, status: given?.status ?? pupil.status, reason: given?.reason ?? pupil.reason };
    });
    reply.code(errors.length ? 400 : 200);
    const date = posted ? { day: formField(posted.raw, 'heldOn-day') ?? '', month: formField(posted.raw, 'heldOn-month') ?? '', year: formField(posted.raw, 'heldOn-year') ?? '' } : dateParts(form.date);
    return reply.render('features/provision/views/session-form.njk', {
      ...helpers,
      pageTitle: `${form.recorded ? 'Change the session' : 'Record a session'} – ${form.group.name}`,
      ...form,
      pupils,
      heldOn: date,
      status: posted?.input.status ?? form.recorded?.status ?? 'delivered',
      note: posted?.input.note ?? form.recorded?.note ?? '',
      action: options.sessionId ? `/provision/groups/${groupId}/sessions/${options.sessionId}` : `/provision/groups/${groupId}/sessions`,
      ...dateErrors(errors, ['heldOn']),
    });
  };

  const sessionForm = (body: unknown, sessionId?: string): provision.SessionInput => {
    const attendance: provision.SessionInput['attendance'] = {};
    for (const pupilId of formFields(body, 'pupil')) attendance[pupilId] = { status: formField(body, `attendance-${pupilId}`) ?? '', reason: formField(body, `reason-${pupilId}`) ?? '' };
    return { ...(sessionId ? { sessionId } : {}), heldOn: readDateInput(body, 'heldOn'), status: formField(body, 'status') ?? '', note: formField(body, 'note') ?? '', attendance };
  };

  app.get<{ Params: GroupParams }>('/provision/groups/:groupId/sessions/new', { config: { permission: 'provision.group.record' } }, async (request, reply) =>
    renderSession(request, reply, request.params.groupId, { date: text((request.query as Record<string, unknown>).date) }),
  );

  app.post<{ Params: GroupParams }>('/provision/groups/:groupId/sessions', { config: { permission: 'provision.group.record' } }, async (request, reply) => {
    const { groupId } = request.params;
    const input = sessionForm(request.body);
    let result;
    try {
      result = await provision.recordSession(ctx, requireActor(request), groupId, input, ip(request));
    } catch (error) {
      if (error instanceof ValidationError) return renderSession(request, reply, groupId, { date: input.heldOn }, { input, raw: request.body }, error.errors);
      throw error;
    }
    setFlash(ctx, request, reply, result.replaced ? 'Session updated' : 'Session recorded');
    return reply.redirect(roleMay(requireActor(request).role, 'mygroups.view') ? '/my-groups' : `/provision/groups/${groupId}`, 303);
  });

  app.get<{ Params: SessionParams }>('/provision/groups/:groupId/sessions/:sessionId', { config: { permission: 'provision.group.record' } }, async (request, reply) =>
    renderSession(request, reply, request.params.groupId, { sessionId: request.params.sessionId }),
  );

  app.post<{ Params: SessionParams }>('/provision/groups/:groupId/sessions/:sessionId', { config: { permission: 'provision.group.record' } }, async (request, reply) => {
    const { groupId, sessionId } = request.params;
    const input = sessionForm(request.body, sessionId);
    try {
      await provision.recordSession(ctx, requireActor(request), groupId, input, ip(request));
    } catch (error) {
      if (error instanceof ValidationError) return renderSession(request, reply, groupId, { sessionId }, { input, raw: request.body }, error.errors);
      throw error;
    }
    setFlash(ctx, request, reply, 'Session updated');
    return reply.redirect(`/provision/groups/${groupId}`, 303);
  });

  // Entry and exit measures -----------------------------------------------------------------------------

  for (const stage of ['entry', 'exit'] as const) {
    const renderMeasures = async (request: FastifyRequest, reply: FastifyReply, groupId: string, posted?: { raw: unknown }, errors: FieldError[] = []) => {
      const form = await provision.getMeasuresForm(ctx, requireActor(request), groupId, stage, ip(request));
      const pupils = posted
        ? form.pupils.map((pupil) => ({ ...pupil, value: formField(posted.raw, `value-${pupil.pupilId}`) ?? '', years: formField(posted.raw, `years-${pupil.pupilId}`) ?? '', months: formField(posted.raw, `months-${pupil.pupilId}`) ?? '' }))
        : form.pupils;
      reply.code(errors.length ? 400 : 200);
      return reply.render('features/provision/views/measures-form.njk', {
        ...helpers,
        pageTitle: `${stage === 'entry' ? 'Entry' : 'Exit'} measures – ${form.group.name}`,
        ...form,
        pupils,
        date: posted ? { day: formField(posted.raw, 'date-day') ?? '', month: formField(posted.raw, 'date-month') ?? '', year: formField(posted.raw, 'date-year') ?? '' } : dateParts(form.date),
        ...dateErrors(errors, ['date']),
      });
    };

    app.get<{ Params: GroupParams }>(`/provision/groups/:groupId/measures/${stage}`, { config: { permission: 'provision.group.record' } }, async (request, reply) => renderMeasures(request, reply, request.params.groupId));

    app.post<{ Params: GroupParams }>(`/provision/groups/:groupId/measures/${stage}`, { config: { permission: 'provision.group.record' } }, async (request, reply) => {
      const { groupId } = request.params;
      const values: Record<string, MeasureEntry> = {};
      for (const pupilId of formFields(request.body, 'pupil')) {
        values[pupilId] = { value: formField(request.body, `value-${pupilId}`) ?? '', years: formField(request.body, `years-${pupilId}`) ?? '', months: formField(request.body, `months-${pupilId}`) ?? '' };
      }
      let saved: number;
      try {
        saved = await provision.saveMeasures(ctx, requireActor(request), groupId, stage, { date: readDateInput(request.body, 'date'), values }, ip(request));
      } catch (error) {
        if (error instanceof ValidationError) return renderMeasures(request, reply, groupId, { raw: request.body }, error.errors);
        throw error;
      }
      setFlash(ctx, request, reply, saved ? `${stage === 'entry' ? 'Entry' : 'Exit'} measures saved for ${saved === 1 ? '1 pupil' : `${saved} pupils`}` : 'Nothing was changed');
      return reply.redirect(`/provision/groups/${groupId}`, 303);
    });
  }

  // Impact ---------------------------------------------------------------------------------------------

  app.get<{ Params: GroupParams }>('/provision/groups/:groupId/impact', { config: { permission: 'provision.view' } }, async (request, reply) => {
    const impact = await provision.getGroupImpact(ctx, requireActor(request), request.params.groupId, ip(request));
    return render(request, reply, 'group-impact.njk', { pageTitle: `Impact – ${impact.group.name}`, ...impact });
  });

  app.get('/provision/impact', { config: { permission: 'provision.view' } }, async (request, reply) => {
    const impact = await provision.getImpactOverview(ctx, requireActor(request), askedYear(request), ip(request));
    const [chart] = impactCharts(impact.year, impact.perProvision);
    return render(request, reply, 'impact.njk', { pageTitle: 'Impact of provision', yearOptions: yearOptions(impact.year), chart, ...impact });
  });

  // The impact report for leaders: the page's figures, no child named, as Word or PDF.
  for (const format of ['docx', 'pdf'] as const) {
    app.get(`/provision/impact/report.${format}`, { config: { permission: 'provision.view' } }, async (request, reply) => {
      const { model, filename } = await provision.exportImpactReport(ctx, requireActor(request), askedYear(request), format, schoolNameOf(request), ip(request));
      return documentResponse(reply, { model, format, filename });
    });
  }

  // The costed provision map -------------------------------------------------------------------------

  app.get('/provision/map', { config: { permission: 'provision.view' } }, async (request, reply) => {
    const year = yearOf(request);
    const map = await provision.getCostedMap(ctx, requireActor(request), year, ip(request));
    return render(request, reply, 'map.njk', { pageTitle: 'Costed provision map', yearOptions: yearOptions(year), downloadQuery: mapDownloadQuery(year), ...map });
  });

  app.get('/provision/map/pupils', { config: { permission: 'provision.view' } }, async (request, reply) => {
    const raw = request.query as Record<string, unknown>;
    const year = yearOf(request);
    const query = { page: Math.max(1, Number.parseInt(text(raw.page), 10) || 1), ...mapFilters(request) };
    const map = await provision.getCostedMapPupils(ctx, requireActor(request), year, query, ip(request));
    const link = (page: number) => `/provision/map/pupils?${new URLSearchParams({ year: String(year.start), ...(query.over ? { over: 'yes' } : {}), ...(query.yearGroup ? { yearGroup: query.yearGroup } : {}), ...(query.registrationGroup ? { registrationGroup: query.registrationGroup } : {}), ...(page > 1 ? { page: String(page) } : {}) }).toString()}`;
    const pagination = map.pageCount > 1
      ? { items: Array.from({ length: map.pageCount }, (_, index) => index + 1).filter((number) => number === 1 || number === map.pageCount || Math.abs(number - map.page) <= 2).map((number) => ({ number, href: link(number), current: number === map.page })), ...(map.page > 1 ? { previous: { href: link(map.page - 1) } } : {}), ...(map.page < map.pageCount ? { next: { href: link(map.page + 1) } } : {}) }
      : undefined;
    return render(request, reply, 'map-pupils.njk', { pageTitle: 'Costed provision map: pupils', query, downloadQuery: mapDownloadQuery(year, query), yearOptions: yearOptions(year), pagination, ...map });
  });

  // The map's downloads: the view the pages show (the school year and the pupils page's filters).
  for (const format of ['csv', 'xlsx'] as const) {
    app.get(`/provision/map/export.${format}`, { config: { permission: 'provision.view' } }, async (request, reply) => {
      const file = await provision.exportCostedMap(ctx, requireActor(request), yearOf(request), mapFilters(request), format, schoolNameOf(request), ip(request));
      return reply
        .header('content-type', file.contentType)
        .header('content-disposition', `attachment; filename="${file.filename}"`)
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff')
        .send(file.body);
    });
  }

  // Staff deployment ------------------------------------------------------------------------------------

  app.get('/provision/staff', { config: { permission: 'provision.view' } }, async (request, reply) => {
    const wanted = text((request.query as Record<string, unknown>).date);
    const onDate = /^\d{4}-\d{2}-\d{2}$/.test(wanted) ? wanted : schoolToday();
    const deployment = await provision.getDeployment(ctx, requireActor(request), onDate);
    return render(request, reply, 'staff.njk', { pageTitle: 'Staff deployment', ...deployment, canManage: roleMay(requireActor(request).role, 'provision.manage') });
  });

  const renderHours = async (request: FastifyRequest, reply: FastifyReply, userId: string, value?: string, errors: FieldError[] = []) => {
    const { person, hours } = await provision.getStaffMember(ctx, requireActor(request), userId);
    reply.code(errors.length ? 400 : 200);
    return render(request, reply, 'staff-hours.njk', { pageTitle: `Contracted hours – ${person.displayName}`, person, value: value ?? (hours === null ? '' : String(hours)), ...errorView(errors) });
  };

  app.get<{ Params: UserParams }>('/provision/staff/:userId', { config: { permission: 'provision.manage' } }, async (request, reply) => renderHours(request, reply, request.params.userId));

  app.post<{ Params: UserParams }>('/provision/staff/:userId', { config: { permission: 'provision.manage' } }, async (request, reply) => {
    const value = formField(request.body, 'hours') ?? '';
    try {
      await provision.saveContractedHours(ctx, requireActor(request), request.params.userId, value, ip(request));
    } catch (error) {
      if (error instanceof ValidationError) return renderHours(request, reply, request.params.userId, value, error.errors);
      throw error;
    }
    setFlash(ctx, request, reply, 'Contracted hours saved');
    return reply.redirect('/provision/staff', 303);
  });

  // Governors and leaders: costs and impact in aggregate ------------------------------------------------

  app.get('/provision/summary', { config: { permission: 'provision.aggregate' } }, async (request, reply) => {
    const year = yearOf(request);
    const summary = await provision.getAggregateSummary(ctx, requireActor(request), year);
    return reply.render('features/provision/views/summary.njk', { ...helpers, pageTitle: 'Provision: costs and impact', yearOptions: yearOptions(year), ...summary });
  });

  // One provision ----------------------------------------------------------------------------------------

  app.get<{ Params: ProvisionParams }>('/provision/:provisionId', { config: { permission: 'provision.view' } }, async (request, reply) => {
    const actor = requireActor(request);
    const item = await provision.findProvision(ctx, actor, request.params.provisionId);
    const groups = await provision.listGroupsPage(ctx, actor, { show: 'all', provisionId: item.id });
    const settings = await provision.getSettings(ctx, actor);
    return render(request, reply, 'provision.njk', { pageTitle: item.name, provision: item, groups, settings, canManage: roleMay(actor.role, 'provision.manage') });
  });

  app.get<{ Params: ProvisionParams }>('/provision/:provisionId/edit', { config: { permission: 'provision.manage' } }, async (request, reply) => {
    const item = await provision.findProvision(ctx, requireActor(request), request.params.provisionId);
    return renderProvisionForm(request, reply, provision.provisionInput(item), item);
  });

  app.post<{ Params: ProvisionParams }>('/provision/:provisionId/edit', { config: { permission: 'provision.manage' } }, async (request, reply) => {
    const item = await provision.findProvision(ctx, requireActor(request), request.params.provisionId);
    const values = provisionForm(request.body);
    try {
      await provision.updateProvision(ctx, requireActor(request), item.id, values, ip(request));
    } catch (error) {
      if (error instanceof ValidationError) return renderProvisionForm(request, reply, values, item, error.errors);
      throw error;
    }
    setFlash(ctx, request, reply, 'Provision saved');
    return reply.redirect(`/provision/${item.id}`, 303);
  });

  app.get<{ Params: ProvisionParams }>('/provision/:provisionId/remove', { config: { permission: 'provision.manage' } }, async (request, reply) => {
    const check = await provision.removalCheck(ctx, requireActor(request), request.params.provisionId);
    return render(request, reply, 'provision-remove.njk', { pageTitle: `Remove ${check.provision.name}`, ...check });
  });

  app.post<{ Params: ProvisionParams }>('/provision/:provisionId/remove', { config: { permission: 'provision.manage' } }, async (request, reply) => {
    const outcome = await provision.removeProvision(ctx, requireActor(request), request.params.provisionId, ip(request));
    if (outcome === 'deleted') {
      setFlash(ctx, request, reply, 'Provision deleted: it had never been used');
      return reply.redirect('/provision', 303);
    }
    setFlash(ctx, request, reply, 'Provision archived: its groups, sessions and impact are kept, and no new group can start');
    return reply.redirect(`/provision/${request.params.provisionId}`, 303);
  });

  app.post<{ Params: ProvisionParams }>('/provision/:provisionId/restore', { config: { permission: 'provision.manage' } }, async (request, reply) => {
    await provision.restoreProvision(ctx, requireActor(request), request.params.provisionId, ip(request));
    setFlash(ctx, request, reply, 'Provision restored to the catalogue');
    return reply.redirect(`/provision/${request.params.provisionId}`, 303);
  });

  app.get<{ Params: ProvisionParams }>('/provision/:provisionId/impact', { config: { permission: 'provision.view' } }, async (request, reply) => {
    const impact = await provision.getProvisionImpact(ctx, requireActor(request), request.params.provisionId, ip(request));
    const bandChart = impact.bands.length
      ? { title: `Progress of pupils with exit measures, ${impact.provision.name}`, categoryLabel: 'Progress', valueLabel: 'Pupils', categories: impact.bands.map((band) => band.label), series: [{ name: 'Pupils', values: impact.bands.map((band) => band.count) }] }
      : undefined;
    const groupChart = expectedShareChart(`Pupils who made expected progress, by group, ${impact.provision.name}`, 'Group', impact.groups.map((entry) => ({ label: entry.group.name, summary: entry.summary })));
    return render(request, reply, 'provision-impact.njk', { pageTitle: `Impact – ${impact.provision.name}`, bandChart, groupChart, ...impact });
  });

  // My groups: the home page of teaching assistants ----------------------------------------------------

  app.get('/my-groups', { config: { permission: 'mygroups.view' } }, async (request, reply) => {
    const mine = await provision.getMyGroups(ctx, requireActor(request), ip(request));
    return reply.render('features/provision/views/my-groups.njk', { ...helpers, pageTitle: 'My groups', ...mine });
  });

  // A pupil's Provision tab -------------------------------------------------------------------------------

  app.get<{ Params: { pupilId: string } }>('/pupils/:pupilId/provision', { config: { permission: 'pupil.provision.view' } }, async (request, reply) => {
    const actor = authorisePupil(request, 'pupil.provision.view', request.params.pupilId);
    const record = await provision.getPupilProvision(ctx, actor, request.params.pupilId, ip(request));
    if (!record.pupil) throw new NotFoundError();
    return reply.render('features/provision/views/pupil-provision.njk', { ...helpers, pageTitle: `Provision – ${record.pupil.legal_forename} ${record.pupil.legal_surname}`, tab: 'provision', ...record });
  });

}
