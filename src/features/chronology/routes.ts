// The chronology: a pupil's Meetings tab (record and edit meetings with their actions), "My tasks",
// logged contacts and agency work, the Chronology tab (one filterable timeline of every feature's
// events, and a printable view), and the Plans page of meetings with parents of pupils on SEN support.
// Routes stay thin: read the request, call the service, render or redirect.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { formatDate, isIsoDate, schoolToday } from '../../platform/dates.ts';
import { ValidationError, type FieldError } from '../../platform/errors.ts';
import { ROLE_LABELS, isRole } from '../../platform/permissions.ts';
import { yearGroupLabel } from '../register/census.ts';
import { authorisePupil, dateParts, errorView, formField, formFields, pagination, readDateInput, requestIp, requireActor, setFlash } from '../../platform/web.ts';
import { plansSubNavigation } from '../plans/sections.ts';
import { MEETINGS_EXPECTED } from './rules.ts';
import * as chronology from './service.ts';
import {
  AGENCIES,
  ENTRY_KINDS,
  ENTRY_KIND_HINTS,
  ENTRY_KIND_LABELS,
  MAX_ACTIONS,
  MEETING_KINDS,
  MEETING_KIND_HINTS,
  MEETING_KIND_LABELS,
  OTHER_AGENCY,
  type ActionInput,
  type EntryInput,
  type MeetingInput,
} from './validation.ts';

type PupilParams = { pupilId: string };
type MeetingParams = { pupilId: string; meetingId: string };
type ActionParams = { actionId: string };
type EntryParams = { pupilId: string; entryId: string };

const VIEWS = 'features/chronology/views';

function text(value: unknown, max = 100): string {
  return typeof value === 'string' ? value.trim().slice(0, max) : '';
}

function pageNumber(raw: Record<string, unknown>): number {
  const page = Number.parseInt(text(raw.page), 10);
  return Number.isInteger(page) && page > 0 ? Math.min(page, 100_000) : 1;
}

/** Field errors on a date point at its day box, as the GOV.UK pattern does. */
function dateErrors(errors: FieldError[], dateFields: (field: string) => boolean) {
  const view = errorView(errors.map((error) => (dateFields(error.field) ? { ...error, field: `${error.field}-day` } : error)));
  for (const [field, message] of Object.entries(view.fieldErrors)) if (field.endsWith('-day')) view.fieldErrors[field.slice(0, -4)] = message;
  return view;
}

type DateParts = { day: string; month: string; year: string };
function rawDateParts(body: unknown, name: string): DateParts {
  return { day: formField(body, `${name}-day`) ?? '', month: formField(body, `${name}-month`) ?? '', year: formField(body, `${name}-year`) ?? '' };
}

/** Where to go back to after ticking an action: only our own pages. */
function safeReturn(value: string | undefined): string {
  if (value && /^\/(tasks|today|pupils\/)[^\s\\]*$/.test(value) && !value.startsWith('//')) return value;
  return '/tasks';
}

const helpers = {
  meetingKindLabels: MEETING_KIND_LABELS,
  entryKindLabels: ENTRY_KIND_LABELS,
  meetingsExpected: MEETINGS_EXPECTED,
};

// The meeting form: rows of actions that grow and shrink without JavaScript ---------------------------

interface ActionRowView {
  index: number;
  id: string;
  description: string;
  ownerUserId: string;
  due: DateParts;
  focus?: boolean;
}

interface MeetingFormState {
  input: MeetingInput;
  heldOn: DateParts;
  rows: ActionRowView[];
}

function readMeetingForm(body: unknown): MeetingFormState & { command: string } {
  const count = Math.min(Math.max(Number.parseInt(formField(body, 'actionCount') ?? '0', 10) || 0, 0), MAX_ACTIONS + 5);
  const rows: ActionRowView[] = [];
  const actions: ActionInput[] = [];
  for (let index = 0; index < count; index++) {
    const row = {
      index,
      id: formField(body, `action-${index}-id`)?.trim() ?? '',
      description: formField(body, `action-${index}-description`) ?? '',
      ownerUserId: formField(body, `action-${index}-owner`)?.trim() ?? '',
      due: rawDateParts(body, `action-${index}-due`),
    };
    rows.push(row);
    actions.push({ id: row.id, description: row.description, ownerUserId: row.ownerUserId, dueOn: readDateInput(body, `action-${index}-due`) });
  }
  return {
    command: formField(body, 'command') ?? 'save',
    input: {
      heldOn: readDateInput(body, 'heldOn'),
      kind: formField(body, 'kind') ?? '',
      withParents: formField(body, 'withParents') ?? '',
      attendees: formField(body, 'attendees') ?? '',
      notes: formField(body, 'notes') ?? '',
      cycleId: formField(body, 'cycleId') ?? '',
      actions,
    },
    heldOn: rawDateParts(body, 'heldOn'),
    rows,
  };
}

function renumber(rows: ActionRowView[]): ActionRowView[] {
  return rows.map((row, index) => ({ ...row, index }));
}

/** "Add another action" and "Remove" re-render the form with one row more or fewer. */
function applyCommand(state: MeetingFormState, command: string): MeetingFormState | undefined {
  if (command === 'add') {
    if (state.rows.length >= MAX_ACTIONS) return state;
    const rows = [...state.rows, { index: state.rows.length, id: '', description: '', ownerUserId: '', due: { day: '', month: '', year: '' }, focus: true }];
    return { ...state, rows, input: { ...state.input, actions: [...state.input.actions, { id: '', description: '', ownerUserId: '', dueOn: '' }] } };
  }
  const remove = /^remove-(\d+)$/.exec(command);
  if (remove) {
    const at = Number(remove[1]);
    return { ...state, rows: renumber(state.rows.filter((row) => row.index !== at)), input: { ...state.input, actions: state.input.actions.filter((_, index) => index !== at) } };
  }
  return undefined;
}

function stateFromInput(input: MeetingInput): MeetingFormState {
  const rows = input.actions.map((action, index) => ({ index, id: action.id, description: action.description, ownerUserId: action.ownerUserId, due: dateParts(action.dueOn) }));
  return { input, heldOn: dateParts(input.heldOn), rows };
}

const blankMeeting = (): MeetingInput => ({ heldOn: '', kind: '', withParents: '', attendees: '', notes: '', cycleId: '', actions: [{ id: '', description: '', ownerUserId: '', dueOn: '' }] });

// Filters of the chronology -------------------------------------------------------------------------

interface ChronologyFilterView {
  categories: string[];
  from: string;
  to: string;
  fromParts: DateParts;
  toParts: DateParts;
  errors: FieldError[];
  page: number;
}

function readChronologyFilter(raw: Record<string, unknown>): ChronologyFilterView {
  const categories = [...new Set(formFields(raw, 'category').map((value) => value.trim()).filter((value) => /^[a-z][a-z0-9-]{0,30}$/.test(value)))];
  const errors: FieldError[] = [];
  const readDate = (name: 'from' | 'to', label: string) => {
    const value = readDateInput(raw, name);
    if (value && !isIsoDate(value)) {
      errors.push({ field: name, message: `The ${label} date must be a real date, like 14 3 2026` });
      return '';
    }
    return value;
  };
  let from = readDate('from', 'from');
  let to = readDate('to', 'to');
  if (from && to && from > to) {
    errors.push({ field: 'to', message: 'The to date must be the same as or after the from date' });
    to = '';
  }
  return { categories, from, to, fromParts: rawDateParts(raw, 'from'), toParts: rawDateParts(raw, 'to'), errors, page: pageNumber(raw) };
}

function chronologyQueryString(filter: ChronologyFilterView, page?: number): string {
  const params = new URLSearchParams();
  for (const category of filter.categories) params.append('category', category);
  for (const [name, parts] of [['from', filter.fromParts], ['to', filter.toParts]] as const) {
    if (parts.day || parts.month || parts.year) {
      params.set(`${name}-day`, parts.day);
      params.set(`${name}-month`, parts.month);
      params.set(`${name}-year`, parts.year);
    }
  }
  if (page && page > 1) params.set('page', String(page));
  return params.toString();
}

export async function chronologyRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const ip = (request: FastifyRequest) => requestIp(request);
  const render = (reply: FastifyReply, template: string, data: Record<string, unknown>) => reply.render(`${VIEWS}/${template}`, { ...helpers, ...data });
  (ctx.childSummarySources ??= []).push((actor, pupilIds) => chronology.childSummaries(ctx, actor, pupilIds));

  // A pupil's meetings ---------------------------------------------------------------------------------

  app.get<{ Params: PupilParams }>('/pupils/:pupilId/meetings', { config: { permission: 'meetings.view' } }, async (request, reply) => {
    const actor = authorisePupil(request, 'meetings.view', request.params.pupilId);
    const record = await chronology.getPupilMeetings(ctx, actor, request.params.pupilId, ip(request));
    return render(reply, 'pupil-meetings.njk', { pageTitle: `Meetings – ${record.pupil.legal_forename} ${record.pupil.legal_surname}`, tab: 'meetings', ...record });
  });

  const renderMeetingForm = async (request: FastifyRequest<{ Params: PupilParams & { meetingId?: string } }>, reply: FastifyReply, state?: MeetingFormState, errors: FieldError[] = []) => {
    const { pupilId, meetingId } = request.params;
    const actor = authorisePupil(request, 'chronology.record', pupilId);
    const form = await chronology.getMeetingForm(ctx, actor, pupilId, ip(request), meetingId);
    const current = state ?? stateFromInput(form.existing ? chronology.meetingInput(form.existing.meeting, form.existing.actions) : blankMeeting());
    const values = current.input;
    reply.code(errors.length ? 400 : 200);
    const name = `${form.pupil.legal_forename} ${form.pupil.legal_surname}`;
    return render(reply, 'meeting-form.njk', {
      pageTitle: form.existing ? `Change meeting – ${name}` : `Record a meeting – ${name}`,
      tab: 'meetings',
      ...form,
      values,
      heldOn: current.heldOn,
      rows: current.rows,
      maxActions: MAX_ACTIONS,
      doneActions: form.existing?.actions.filter((action) => action.doneAt) ?? [],
      kindItems: MEETING_KINDS.map((kind) => ({ value: kind, text: MEETING_KIND_LABELS[kind], hint: { text: MEETING_KIND_HINTS[kind] }, checked: values.kind === kind })),
      withParentsItems: [
        { value: 'yes', text: 'Yes', checked: values.withParents === 'yes' },
        { value: 'no', text: 'No, an internal meeting', checked: values.withParents === 'no' },
      ],
      cycleItems: [
        { value: '', text: 'Not part of a plan' },
        ...form.cycles.map((cycle) => ({ value: cycle.id, text: `Plan ${cycle.number}, started ${formatDate(cycle.started_on)}${cycle.status === 'open' ? ' (current)' : ''}`, selected: values.cycleId === cycle.id })),
      ],
      ownerItems: (selected: string) => [
        { value: '', text: 'Choose a member of staff' },
        ...form.staff.map((person) => ({ value: person.userId, text: isRole(person.role) ? `${person.displayName} (${ROLE_LABELS[person.role]})` : person.displayName, selected: person.userId === selected })),
      ],
      ...dateErrors(errors, (field) => field === 'heldOn' || /^action-\d+-due$/.test(field)),
    });
  };

  const meetingPost = async (request: FastifyRequest<{ Params: PupilParams & { meetingId?: string } }>, reply: FastifyReply) => {
    const { pupilId, meetingId } = request.params;
    const actor = authorisePupil(request, 'chronology.record', pupilId);
    const posted = readMeetingForm(request.body);
    const changed = applyCommand(posted, posted.command);
    if (changed) return renderMeetingForm(request, reply, changed);
    try {
      if (meetingId) await chronology.updateMeeting(ctx, actor, pupilId, meetingId, posted.input, ip(request));
      else await chronology.recordMeeting(ctx, actor, pupilId, posted.input, ip(request));
    } catch (error) {
      if (error instanceof ValidationError) return renderMeetingForm(request, reply, posted, error.errors);
      throw error;
    }
    const actions = posted.input.actions.filter((action) => action.description.trim()).length;
    setFlash(ctx, request, reply, meetingId ? 'Meeting saved' : `Meeting recorded${actions ? `, with ${actions === 1 ? '1 action' : `${actions} actions`} now in the owners’ task lists` : ''}`);
    return reply.redirect(`/pupils/${pupilId}/meetings`, 303);
  };

  app.get<{ Params: PupilParams }>('/pupils/:pupilId/meetings/new', { config: { permission: 'chronology.record' } }, async (request, reply) => renderMeetingForm(request, reply));
  app.post<{ Params: PupilParams }>('/pupils/:pupilId/meetings/new', { config: { permission: 'chronology.record' } }, meetingPost);

  app.get<{ Params: MeetingParams }>('/pupils/:pupilId/meetings/:meetingId', { config: { permission: 'meetings.view' } }, async (request, reply) => {
    const actor = authorisePupil(request, 'meetings.view', request.params.pupilId);
    const record = await chronology.getMeeting(ctx, actor, request.params.pupilId, request.params.meetingId, ip(request));
    return render(reply, 'meeting.njk', { pageTitle: `${record.meeting.kindLabel}, ${formatDate(record.meeting.heldOn)} – ${record.pupil.legal_forename} ${record.pupil.legal_surname}`, tab: 'meetings', ...record, returnTo: request.url });
  });

  app.get<{ Params: MeetingParams }>('/pupils/:pupilId/meetings/:meetingId/edit', { config: { permission: 'chronology.record' } }, async (request, reply) => renderMeetingForm(request, reply));
  app.post<{ Params: MeetingParams }>('/pupils/:pupilId/meetings/:meetingId/edit', { config: { permission: 'chronology.record' } }, meetingPost);

  // My tasks -------------------------------------------------------------------------------------------

  app.get('/tasks', { config: { permission: 'tasks.view' } }, async (request, reply) => {
    const raw = request.query as Record<string, unknown>;
    const query: chronology.TaskQuery = { show: text(raw.show) === 'done' ? 'done' : 'open', everyone: text(raw.who) === 'everyone', page: pageNumber(raw) };
    const tasks = await chronology.getTasks(ctx, requireActor(request), query, ip(request));
    const link = (changes: Partial<{ show: string; who: string; page: number }>) => {
      const params = new URLSearchParams();
      const show = changes.show ?? tasks.show;
      const who = changes.who ?? (tasks.everyone ? 'everyone' : 'me');
      if (show === 'done') params.set('show', 'done');
      if (who === 'everyone') params.set('who', 'everyone');
      if (changes.page && changes.page > 1) params.set('page', String(changes.page));
      const query = params.toString();
      return `/tasks${query ? `?${query}` : ''}`;
    };
    return render(reply, 'tasks.njk', {
      pageTitle: tasks.everyone ? 'Everyone’s tasks' : 'My tasks',
      ...tasks,
      links: { open: link({ show: 'open' }), done: link({ show: 'done' }), mine: link({ who: 'me' }), everyone: link({ who: 'everyone' }) },
      pagination: pagination(tasks.page, tasks.pageCount, (page) => link({ page })),
      returnTo: request.url,
    });
  });

  for (const [verb, done] of [['done', true], ['undo', false]] as const) {
    app.post<{ Params: ActionParams }>(`/tasks/:actionId/${verb}`, { config: { permission: 'tasks.view' } }, async (request, reply) => {
      const { description } = await chronology.setActionDone(ctx, requireActor(request), request.params.actionId, done, ip(request));
      const short = description.length > 80 ? `${description.slice(0, 79)}…` : description;
      setFlash(ctx, request, reply, done ? `Done: ${short}` : `Back on the list: ${short}`);
      return reply.redirect(safeReturn(formField(request.body, 'returnTo')), 303);
    });
  }

  // Logged contacts and agency work ----------------------------------------------------------------------

  const renderEntryForm = async (request: FastifyRequest<{ Params: PupilParams & { entryId?: string } }>, reply: FastifyReply, posted?: { values: EntryInput; occurred: DateParts }, errors: FieldError[] = []) => {
    const { pupilId, entryId } = request.params;
    const actor = authorisePupil(request, 'chronology.record', pupilId);
    const form = await chronology.getEntryForm(ctx, actor, pupilId, ip(request), entryId);
    const kind = text((request.query as Record<string, unknown>).kind);
    const values = posted?.values ?? (form.existing ? chronology.entryInput(form.existing) : { kind: (ENTRY_KINDS as readonly string[]).includes(kind) ? kind : '', occurredOn: '', agency: '', otherAgency: '', summary: '', details: '' });
    const occurred = posted?.occurred ?? dateParts(form.existing ? form.existing.occurred_on : schoolToday());
    const name = `${form.pupil.legal_forename} ${form.pupil.legal_surname}`;
    reply.code(errors.length ? 400 : 200);
    return render(reply, 'entry-form.njk', {
      pageTitle: form.existing ? `Change a chronology entry – ${name}` : `Record a call, email or agency work – ${name}`,
      tab: 'chronology',
      pupil: form.pupil,
      canEditSen: form.canEditSen,
      entry: form.existing,
      action: form.existing ? `/pupils/${pupilId}/chronology/entries/${form.existing.id}/edit` : `/pupils/${pupilId}/chronology/new`,
      values,
      occurred,
      kindItems: ENTRY_KINDS.map((kind) => ({ value: kind, text: ENTRY_KIND_LABELS[kind], hint: { text: ENTRY_KIND_HINTS[kind] }, checked: values.kind === kind })),
      agencyItems: [
        { value: '', text: 'No agency' },
        ...AGENCIES.map((agency) => ({ value: agency, text: agency, selected: values.agency === agency })),
        { value: OTHER_AGENCY, text: 'Another agency (type its name below)', selected: values.agency === OTHER_AGENCY },
      ],
      ...dateErrors(errors, (field) => field === 'occurredOn'),
    });
  };

  const readEntryForm = (body: unknown): EntryInput => ({
    kind: formField(body, 'kind') ?? '', occurredOn: readDateInput(body, 'occurredOn'), agency: formField(body, 'agency') ?? '',
    otherAgency: formField(body, 'otherAgency') ?? '', summary: formField(body, 'summary') ?? '', details: formField(body, 'details') ?? '',
  });

  app.get<{ Params: PupilParams }>('/pupils/:pupilId/chronology/new', { config: { permission: 'chronology.record' } }, async (request, reply) => renderEntryForm(request, reply));

  app.post<{ Params: PupilParams }>('/pupils/:pupilId/chronology/new', { config: { permission: 'chronology.record' } }, async (request, reply) => {
    const { pupilId } = request.params;
    const actor = authorisePupil(request, 'chronology.record', pupilId);
    const values = readEntryForm(request.body);
    try {
      await chronology.recordEntry(ctx, actor, pupilId, values, ip(request));
    } catch (error) {
      if (error instanceof ValidationError) return renderEntryForm(request, reply, { values, occurred: rawDateParts(request.body, 'occurredOn') }, error.errors);
      throw error;
    }
    setFlash(ctx, request, reply, `${chronology.entryKindLabel(values.kind)} added to the chronology`);
    return reply.redirect(`/pupils/${pupilId}/chronology`, 303);
  });

  app.get<{ Params: EntryParams }>('/pupils/:pupilId/chronology/entries/:entryId/edit', { config: { permission: 'chronology.record' } }, async (request, reply) => renderEntryForm(request, reply));

  app.post<{ Params: EntryParams }>('/pupils/:pupilId/chronology/entries/:entryId/edit', { config: { permission: 'chronology.record' } }, async (request, reply) => {
    const { pupilId, entryId } = request.params;
    const actor = authorisePupil(request, 'chronology.record', pupilId);
    const values = readEntryForm(request.body);
    let changed: boolean;
    try {
      changed = await chronology.updateEntry(ctx, actor, pupilId, entryId, values, ip(request));
    } catch (error) {
      if (error instanceof ValidationError) return renderEntryForm(request, reply, { values, occurred: rawDateParts(request.body, 'occurredOn') }, error.errors);
      throw error;
    }
    setFlash(ctx, request, reply, changed ? `${chronology.entryKindLabel(values.kind)} changed` : 'Nothing was changed');
    return reply.redirect(`/pupils/${pupilId}/chronology`, 303);
  });

  app.get<{ Params: EntryParams }>('/pupils/:pupilId/chronology/entries/:entryId/remove', { config: { permission: 'chronology.record' } }, async (request, reply) => {
    const { pupilId, entryId } = request.params;
    const actor = authorisePupil(request, 'chronology.record', pupilId);
    const record = await chronology.getEntryRemoval(ctx, actor, pupilId, entryId, ip(request));
    return render(reply, 'entry-remove.njk', { pageTitle: `Remove a chronology entry – ${record.pupil.legal_forename} ${record.pupil.legal_surname}`, tab: 'chronology', ...record });
  });

  app.post<{ Params: EntryParams }>('/pupils/:pupilId/chronology/entries/:entryId/remove', { config: { permission: 'chronology.record' } }, async (request, reply) => {
    const { pupilId, entryId } = request.params;
    const actor = authorisePupil(request, 'chronology.record', pupilId);
    const { title } = await chronology.removeEntry(ctx, actor, pupilId, entryId, ip(request));
    setFlash(ctx, request, reply, `Removed from the chronology: ${title}`);
    return reply.redirect(`/pupils/${pupilId}/chronology`, 303);
  });

  // The chronology: one timeline per child -----------------------------------------------------------------

  for (const print of [false, true]) {
    app.get<{ Params: PupilParams }>(`/pupils/:pupilId/chronology${print ? '/print' : ''}`, { config: { permission: 'chronology.view' } }, async (request, reply) => {
      const { pupilId } = request.params;
      const actor = authorisePupil(request, 'chronology.view', pupilId);
      const filter = readChronologyFilter(request.query as Record<string, unknown>);
      const record = await chronology.getChronology(ctx, actor, pupilId, { categories: filter.categories, ...(filter.from ? { from: filter.from } : {}), ...(filter.to ? { to: filter.to } : {}), page: filter.page }, ip(request), {
        all: print,
        onError: (error) => request.log.error(error),
      });
      const base = `/pupils/${pupilId}/chronology`;
      const query = chronologyQueryString(filter);
      const filtered = filter.categories.length > 0 || Boolean(filter.from) || Boolean(filter.to);
      const view = dateErrors(filter.errors, (field) => field === 'from' || field === 'to');
      return render(reply, print ? 'chronology-print.njk' : 'pupil-chronology.njk', {
        pageTitle: `Chronology – ${record.pupil.legal_forename} ${record.pupil.legal_surname}`,
        tab: 'chronology',
        ...record,
        filter,
        filtered,
        printHref: `${base}/print${query ? `?${query}` : ''}`,
        screenHref: `${base}${query ? `?${query}` : ''}`,
        categoryItems: record.categories.map((category) => ({ value: category.value, text: `${category.text} (${category.count})`, checked: filter.categories.includes(category.value) })),
        pagination: pagination(record.page, record.pageCount, (page) => `${base}?${chronologyQueryString(filter, page)}`),
        printedOn: schoolToday(),
        pageSize: chronology.TIMELINE_PAGE_SIZE,
        selectedLabels: record.categories.filter((category) => filter.categories.includes(category.value)).map((category) => category.text.toLowerCase()),
        ...view,
        // A filter the reader got wrong is shown beside the field; the page still answers.
        errors: view.errors,
      });
    });
  }

  // Three meetings a year with parents of pupils on SEN support (CoP 6.65) --------------------------------------

  app.get('/plans/parent-meetings', { config: { permission: 'plans.overview' } }, async (request, reply) => {
    const raw = request.query as Record<string, unknown>;
    const year = Number.parseInt(text(raw.yearGroup), 10);
    const sortText = text(raw.sort);
    const sort: chronology.ParentMeetingSort = (chronology.PARENT_MEETING_SORTS as readonly string[]).includes(sortText) ? (sortText as chronology.ParentMeetingSort) : 'count';
    const direction = text(raw.direction) === 'desc' ? 'desc' : 'asc';
    const query: chronology.ParentMeetingQuery = { yearGroup: Number.isInteger(year) && year >= -3 && year <= 15 ? year : null, sort, direction, page: pageNumber(raw) };
    const result = await chronology.getParentMeetings(ctx, requireActor(request), query, ip(request));
    const link = (changes: Partial<chronology.ParentMeetingQuery>) => {
      const next = { ...query, ...changes };
      const params = new URLSearchParams();
      if (next.yearGroup !== null) params.set('yearGroup', String(next.yearGroup));
      if (next.sort !== 'count') params.set('sort', next.sort);
      if (next.direction !== 'asc') params.set('direction', next.direction);
      if (next.page > 1) params.set('page', String(next.page));
      const string = params.toString();
      return `/plans/parent-meetings${string ? `?${string}` : ''}`;
    };
    const header = (key: chronology.ParentMeetingSort, label: string) => {
      const active = query.sort === key;
      const nextDirection = active && query.direction === 'asc' ? 'desc' : 'asc';
      return { label, href: link({ sort: key, direction: nextDirection, page: 1 }), ariaSort: active ? (query.direction === 'asc' ? 'ascending' : 'descending') : 'none' };
    };
    return reply.render(`${VIEWS}/parent-meetings.njk`, {
      ...helpers,
      pageTitle: 'Meetings with parents',
      subNavigation: plansSubNavigation(request),
      ...result,
      query,
      yearFiltered: query.yearGroup !== null,
      headers: { name: header('name', 'Pupil'), year: header('year', 'Year'), count: header('count', 'Meetings this year'), last: header('last', 'Last meeting with parents') },
      yearItems: [{ value: '', text: 'All year groups' }, ...result.yearGroups.map((group) => ({ value: String(group), text: yearGroupLabel(group), selected: query.yearGroup === group }))],
      pagination: pagination(result.page, result.pageCount, (page) => link({ page })),
    });
  });
}

