// School settings (SENCO only): the school's details, people and roles, groups and class lists,
// parents' accounts. Routes stay thin: read the form, call the service, render or redirect.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { NotFoundError, ValidationError, type FieldError } from '../../platform/errors.ts';
import { ROLES, ROLE_LABELS, isRole } from '../../platform/permissions.ts';
import { errorView, formField, formFields, pagination, requestIp, requireActor, setFlash } from '../../platform/web.ts';
import { formatBytes, tooLargeMessage } from '../imports/file-check.ts';
import { CLASS_LIST_COLUMNS } from './class-lists.ts';
import { getLogoDetails, readLogoImage, removeSchoolLogo, saveSchoolLogo } from './logo.ts';
import * as settings from './service.ts';
import { GROUP_KINDS, GROUP_KIND_LABELS, PHASES, PHASE_LABELS, YEAR_GROUPS, yearGroupText, type GroupDetailsInput, type PersonForm, type SchoolDetailsInput } from './validation.ts';

type UserParams = { userId: string };
type GroupParams = { groupId: string };
type BatchParams = { batchId: string };
type ContactParams = { contactId: string };

const SECTIONS = [
  { href: '/settings/people', text: 'People' },
  { href: '/settings/groups', text: 'Groups' },
  { href: '/settings/parents', text: 'Parent links' },
  { href: '/settings/school', text: 'School details' },
];

function subNavigation(request: FastifyRequest) {
  const path = request.url.split('?')[0] ?? '';
  return SECTIONS.map((section) => ({ ...section, active: path === section.href || path.startsWith(`${section.href}/`) }));
}

function by(request: FastifyRequest): settings.SettingsActor {
  return settings.settingsActor(requireActor(request), requestIp(request));
}

function text(value: unknown, max = 100): string {
  return typeof value === 'string' ? value.trim().slice(0, max) : '';
}

function pageNumber(value: unknown): number {
  return Math.max(1, Math.min(100_000, Number.parseInt(text(value), 10) || 1));
}

function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '' && !(key === 'page' && value === 1)) search.set(key, String(value));
  const result = search.toString();
  return result ? `?${result}` : '';
}

const ROLE_ITEMS = ROLES.map((role) => ({ value: role, text: ROLE_LABELS[role] }));
const ROLE_HINTS: Record<string, string> = {
  senco: 'Everything in the school, including these settings',
  sen_admin: 'As the SENCO, except settings and the audit log',
  teacher: 'The pupils with SEN in the groups they teach',
  teaching_assistant: 'The pupils with SEN in the groups they support',
  leader: 'The register, overview and audit log',
  governor: 'The overview only: counts, small numbers hidden',
  parent: 'Their own children, once linked to them under Parent links',
};

function roleItems(selected: string, exclude?: string) {
  return ROLE_ITEMS.filter((item) => item.value !== exclude).map((item) => ({ ...item, checked: item.value === selected, hint: { text: ROLE_HINTS[item.value] } }));
}

function yearItems(selected: string) {
  return [
    { value: '', text: 'None (mixed ages)', selected: selected === '' },
    ...YEAR_GROUPS.map((year) => ({ value: String(year), text: yearGroupText(year), selected: selected === String(year) })),
  ];
}

export async function settingsRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const render = (request: FastifyRequest, reply: FastifyReply, template: string, data: Record<string, unknown>) =>
    reply.render(`features/settings/views/${template}`, { subNavigation: subNavigation(request), ...data });

  // Overview -------------------------------------------------------------------------------------

  app.get('/settings', { config: { permission: 'settings.manage' } }, async (request, reply) => {
    const actor = by(request);
    const [school, roles, groups] = await Promise.all([settings.getSchool(ctx, actor), settings.countPeopleByRole(ctx, actor), settings.countGroupsByKind(ctx, actor)]);
    const count = (list: Array<{ count: number }>) => list.reduce((sum, entry) => sum + entry.count, 0);
    return render(request, reply, 'overview.njk', {
      pageTitle: 'School settings',
      school,
      people: count(roles),
      staff: count(roles.filter((entry) => entry.role === 'teacher' || entry.role === 'teaching_assistant')),
      parents: roles.find((entry) => entry.role === 'parent')?.count ?? 0,
      groups: count(groups),
      phaseLabels: PHASE_LABELS,
    });
  });

  // School details -------------------------------------------------------------------------------

  const renderSchool = async (request: FastifyRequest, reply: FastifyReply, errors: FieldError[] = [], status = 400) => {
    const [school, logo] = await Promise.all([settings.getSchool(ctx, by(request)), getLogoDetails(ctx, by(request))]);
    reply.code(errors.length ? status : 200);
    return render(request, reply, 'school.njk', { pageTitle: 'School details', school, logo, phaseLabels: PHASE_LABELS, ...errorView(errors) });
  };

  app.get('/settings/school', { config: { permission: 'settings.manage' } }, async (request, reply) => renderSchool(request, reply));

  // The logo on generated documents: PNG or JPEG up to 1 MB, checked by its bytes (see logo.ts).
  app.post(
    '/settings/school/logo',
    {
      config: { permission: 'settings.manage' },
      // The multipart parser refuses a file over the server's upload limit before the handler runs.
      errorHandler: async (error: FastifyError, request, reply) => {
        const code = error.code ?? '';
        if (error.statusCode !== 413 && !['FST_FILES_LIMIT', 'FST_FIELDS_LIMIT', 'FST_PARTS_LIMIT'].includes(code)) throw error;
        reply.code(413);
        return reply.render('features/settings/views/logo-problem.njk', { pageTitle: 'The logo was not saved', message: code === 'FST_FILES_LIMIT' ? 'Choose one file at a time' : 'The selected file is too large: the logo must be 1 MB or smaller' });
      },
    },
    async (request, reply) => {
      const body = request.body as Record<string, unknown> | undefined;
      const value = body?.logo;
      const file = (Array.isArray(value) ? value[0] : value) as { filename?: string; toBuffer?: () => Promise<Buffer> } | undefined;
      const bytes = file && typeof file.toBuffer === 'function' && file.filename ? await file.toBuffer() : undefined;
      try {
        await saveSchoolLogo(ctx, by(request), bytes);
      } catch (error) {
        if (error instanceof ValidationError) return renderSchool(request, reply, error.errors);
        throw error;
      }
      setFlash(ctx, request, reply, 'Logo saved: plans, reviews and passports now show it');
      return reply.redirect('/settings/school', 303);
    },
  );

  // The preview: only this page shows the logo (documents embed it on the server), so only the SENCO needs it.
  app.get('/settings/school/logo', { config: { permission: 'settings.manage' } }, async (request, reply) => {
    const image = await readLogoImage(ctx, by(request));
    if (!image) throw new NotFoundError('This school has no logo');
    return reply.header('content-type', image.contentType).header('cache-control', 'no-store').header('x-content-type-options', 'nosniff').header('content-disposition', 'inline').send(image.body);
  });

  app.post('/settings/school/logo/remove', { config: { permission: 'settings.manage' } }, async (request, reply) => {
    const removed = await removeSchoolLogo(ctx, by(request));
    setFlash(ctx, request, reply, removed ? 'Logo removed: documents now show the school’s name alone' : 'There was no logo to remove');
    return reply.redirect('/settings/school', 303);
  });

  const renderSchoolForm = (request: FastifyRequest, reply: FastifyReply, values: SchoolDetailsInput, errors: FieldError[] = []) => {
    reply.code(errors.length ? 400 : 200);
    return render(request, reply, 'school-edit.njk', {
      pageTitle: 'Change school details',
      values,
      phaseItems: PHASES.map((phase) => ({ value: phase, text: PHASE_LABELS[phase], checked: values.phase === phase })),
      ...errorView(errors),
    });
  };

  app.get('/settings/school/edit', { config: { permission: 'settings.manage' } }, async (request, reply) => {
    const school = await settings.getSchool(ctx, by(request));
    return renderSchoolForm(request, reply, { name: school.name, urn: school.urn ?? '', laestab: school.laestab ?? '', laName: school.la_name ?? '', phase: school.phase });
  });

  app.post('/settings/school/edit', { config: { permission: 'settings.manage' } }, async (request, reply) => {
    const values: SchoolDetailsInput = {
      name: formField(request.body, 'name') ?? '',
      urn: formField(request.body, 'urn') ?? '',
      laestab: formField(request.body, 'laestab') ?? '',
      laName: formField(request.body, 'laName') ?? '',
      phase: formField(request.body, 'phase') ?? '',
    };
    let changed: string[];
    try {
      changed = await settings.updateSchoolDetails(ctx, by(request), values);
    } catch (error) {
      if (error instanceof ValidationError) return renderSchoolForm(request, reply, values, error.errors);
      throw error;
    }
    setFlash(ctx, request, reply, changed.length ? 'School details saved' : 'Nothing was changed');
    return reply.redirect('/settings/school', 303);
  });

  // People ---------------------------------------------------------------------------------------

  app.get('/settings/people', { config: { permission: 'settings.manage' } }, async (request, reply) => {
    const raw = request.query as Record<string, unknown>;
    const filters = { q: text(raw.q), role: isRole(text(raw.role)) ? text(raw.role) : '' };
    const result = await settings.listPeople(ctx, by(request), { ...filters, page: pageNumber(raw.page) });
    return render(request, reply, 'people.njk', {
      pageTitle: 'People',
      filters,
      result,
      roleOptions: [{ value: '', text: 'Any role' }, ...ROLE_ITEMS.map((item) => ({ ...item, selected: item.value === filters.role }))],
      pagination: pagination(result.page, result.pageCount, (page) => `/settings/people${query({ ...filters, page })}`),
    });
  });

  const emptyPerson: PersonForm = { email: '', displayName: '', role: '', passwordChoice: 'generate', password: '' };
  const renderAddPerson = (request: FastifyRequest, reply: FastifyReply, values: PersonForm, errors: FieldError[] = []) => {
    reply.code(errors.length ? 400 : 200);
    return render(request, reply, 'person-add.njk', { pageTitle: 'Add a person', values, roleItems: roleItems(values.role), ...errorView(errors) });
  };

  app.get('/settings/people/add', { config: { permission: 'settings.manage' } }, async (request, reply) => renderAddPerson(request, reply, emptyPerson));

  app.post('/settings/people/add', { config: { permission: 'settings.manage' } }, async (request, reply) => {
    const values: PersonForm = {
      email: formField(request.body, 'email')?.trim() ?? '',
      displayName: formField(request.body, 'displayName') ?? '',
      role: formField(request.body, 'role') ?? '',
      passwordChoice: formField(request.body, 'passwordChoice') ?? '',
      password: formField(request.body, 'password') ?? '',
    };
    let added: settings.AddedPerson;
    try {
      added = await settings.addPerson(ctx, by(request), values);
    } catch (error) {
      // A typed password is never sent back to the browser.
      if (error instanceof ValidationError) return renderAddPerson(request, reply, { ...values, password: '' }, error.errors);
      throw error;
    }
    if (added.password) {
      // Shown once, on this response only: the database keeps a hash, and the page is never cached.
      return render(request, reply, 'person-added.njk', { pageTitle: 'Account created', added, roleLabel: ROLE_LABELS[added.role] });
    }
    setFlash(
      ctx,
      request,
      reply,
      added.created
        ? `${added.displayName} (${added.email}) can now sign in as ${ROLE_LABELS[added.role]} with the password you set`
        : `${added.displayName} (${added.email}) already had an account: they now have the role ${ROLE_LABELS[added.role]} here. Their password is unchanged`,
    );
    return reply.redirect('/settings/people', 303);
  });

  const renderRoleForm = async (request: FastifyRequest, reply: FastifyReply, userId: string, selected?: string, errors: FieldError[] = []) => {
    const person = await settings.getPerson(ctx, by(request), userId);
    reply.code(errors.length ? 400 : 200);
    return render(request, reply, 'person-role.njk', {
      pageTitle: `Change the role of ${person.displayName}`,
      person,
      roleItems: roleItems(selected ?? '', person.role),
      ...errorView(errors),
    });
  };

  app.get<{ Params: UserParams }>('/settings/people/:userId/role', { config: { permission: 'settings.manage' } }, async (request, reply) =>
    renderRoleForm(request, reply, request.params.userId),
  );

  app.post<{ Params: UserParams }>('/settings/people/:userId/role', { config: { permission: 'settings.manage' } }, async (request, reply) => {
    const { userId } = request.params;
    const role = formField(request.body, 'role') ?? '';
    const actor = by(request);
    try {
      const check = await settings.checkRoleChange(ctx, actor, userId, role);
      if (formField(request.body, 'confirm') !== 'yes') {
        return render(request, reply, 'person-role-confirm.njk', {
          pageTitle: `Change the role of ${check.person.displayName}`,
          person: check.person,
          role: check.role,
          fromLabel: isRole(check.person.role) ? ROLE_LABELS[check.person.role] : check.person.role,
          toLabel: ROLE_LABELS[check.role],
          toHint: ROLE_HINTS[check.role],
          yourself: actor.userId === userId,
        });
      }
      const changed = await settings.changeRole(ctx, actor, userId, role);
      setFlash(ctx, request, reply, `${changed.displayName} is now ${ROLE_LABELS[changed.to]} here`);
    } catch (error) {
      if (error instanceof ValidationError) return renderRoleForm(request, reply, userId, role, error.errors);
      throw error;
    }
    // A SENCO who gives up the role can no longer see these pages: send them to their new home page.
    return reply.redirect(actor.userId === userId ? '/' : '/settings/people', 303);
  });

  const renderRemove = async (request: FastifyRequest, reply: FastifyReply, userId: string, errors: FieldError[] = []) => {
    const impact = await settings.removalImpact(ctx, by(request), userId);
    reply.code(errors.length ? 400 : 200);
    return render(request, reply, 'person-remove.njk', {
      pageTitle: `Remove ${impact.person.displayName}`,
      impact,
      roleLabel: isRole(impact.person.role) ? ROLE_LABELS[impact.person.role] : impact.person.role,
      ...errorView(errors),
    });
  };

  app.get<{ Params: UserParams }>('/settings/people/:userId/remove', { config: { permission: 'settings.manage' } }, async (request, reply) =>
    renderRemove(request, reply, request.params.userId),
  );

  app.post<{ Params: UserParams }>('/settings/people/:userId/remove', { config: { permission: 'settings.manage' } }, async (request, reply) => {
    const { userId } = request.params;
    const actor = by(request);
    let removed;
    try {
      removed = await settings.removePerson(ctx, actor, userId);
    } catch (error) {
      if (error instanceof ValidationError) return renderRemove(request, reply, userId, error.errors);
      throw error;
    }
    setFlash(ctx, request, reply, `${removed.displayName} no longer has a role at this school`);
    return reply.redirect(actor.userId === userId ? '/' : '/settings/people', 303);
  });

  // Groups ---------------------------------------------------------------------------------------

  app.get('/settings/groups', { config: { permission: 'settings.manage' } }, async (request, reply) => {
    const raw = request.query as Record<string, unknown>;
    const filters = { q: text(raw.q), kind: (GROUP_KINDS as readonly string[]).includes(text(raw.kind)) ? text(raw.kind) : '' };
    const result = await settings.listGroups(ctx, by(request), { ...filters, page: pageNumber(raw.page) });
    return render(request, reply, 'groups.njk', {
      pageTitle: 'Groups',
      filters,
      result,
      kindLabels: GROUP_KIND_LABELS,
      kindOptions: [{ value: '', text: 'Registration and teaching groups' }, ...GROUP_KINDS.map((kind) => ({ value: kind, text: `${GROUP_KIND_LABELS[kind]}s`, selected: kind === filters.kind }))],
      pagination: pagination(result.page, result.pageCount, (page) => `/settings/groups${query({ ...filters, page })}`),
    });
  });

  const renderGroupForm = (request: FastifyRequest, reply: FastifyReply, values: GroupDetailsInput, group?: { id: string; name: string }, errors: FieldError[] = []) => {
    reply.code(errors.length ? 400 : 200);
    return render(request, reply, 'group-form.njk', {
      pageTitle: group ? `Change ${group.name}` : 'Create a group',
      group,
      values,
      kindItems: GROUP_KINDS.map((kind) => ({ value: kind, text: GROUP_KIND_LABELS[kind], checked: values.kind === kind })),
      yearItems: yearItems(values.yearGroup),
      ...errorView(errors),
    });
  };

  const groupForm = (body: unknown): GroupDetailsInput => ({
    name: formField(body, 'name') ?? '',
    kind: formField(body, 'kind') ?? '',
    subject: formField(body, 'subject') ?? '',
    yearGroup: formField(body, 'yearGroup') ?? '',
  });

  app.get('/settings/groups/new', { config: { permission: 'settings.manage' } }, async (request, reply) =>
    renderGroupForm(request, reply, { name: '', kind: '', subject: '', yearGroup: '' }),
  );

  app.post('/settings/groups/new', { config: { permission: 'settings.manage' } }, async (request, reply) => {
    const values = groupForm(request.body);
    let groupId: string;
    try {
      groupId = await settings.createGroup(ctx, by(request), values);
    } catch (error) {
      if (error instanceof ValidationError) return renderGroupForm(request, reply, values, undefined, error.errors);
      throw error;
    }
    setFlash(ctx, request, reply, `Group ${values.name.trim()} created: now add its staff and pupils`);
    return reply.redirect(`/settings/groups/${groupId}`, 303);
  });

  // Class lists from CSV (before /settings/groups/:groupId, so "import" is never taken for an id).
  const maxSize = formatBytes(ctx.config.importMaxBytes);
  const renderImportStart = async (request: FastifyRequest, reply: FastifyReply, problem?: { message: string; status: number }) => {
    const batches = await settings.listClassListImports(ctx, by(request));
    if (problem) reply.code(problem.status);
    return render(request, reply, 'class-lists.njk', {
      pageTitle: 'Import class lists',
      batches,
      maxSize,
      columns: CLASS_LIST_COLUMNS,
      ...(problem ? errorView([{ field: 'file', message: problem.message }]) : {}),
    });
  };
  const renderImportProblem = (request: FastifyRequest, reply: FastifyReply, batchId: string | undefined, message: string, status = 409) => {
    reply.code(status);
    return render(request, reply, 'class-list-problem.njk', { pageTitle: 'The class lists were not imported', message, batchId });
  };

  app.get('/settings/groups/import', { config: { permission: 'settings.manage' } }, async (request, reply) => renderImportStart(request, reply));

  app.post(
    '/settings/groups/import',
    {
      config: { permission: 'settings.manage' },
      // The multipart parser refuses an oversized file before the handler runs: say so plainly.
      errorHandler: async (error: FastifyError, request, reply) => {
        const code = error.code ?? '';
        if (error.statusCode !== 413 && !['FST_FILES_LIMIT', 'FST_FIELDS_LIMIT', 'FST_PARTS_LIMIT'].includes(code)) throw error;
        const message = code === 'FST_FILES_LIMIT' ? 'Choose one file at a time' : code === 'FST_FIELDS_LIMIT' || code === 'FST_PARTS_LIMIT' ? 'The form sent more fields than an upload has' : tooLargeMessage(ctx.config.importMaxBytes);
        // Shown before the permission check has run: this page names no pupils and lists no imports.
        reply.code(413);
        return reply.render('features/settings/views/class-list-problem.njk', { pageTitle: 'The class lists were not imported', message });
      },
    },
    async (request, reply) => {
      const body = request.body as Record<string, unknown> | undefined;
      const value = body?.file;
      const file = (Array.isArray(value) ? value[0] : value) as { filename?: string; toBuffer?: () => Promise<Buffer> } | undefined;
      if (!file || typeof file.toBuffer !== 'function' || !file.filename) return renderImportStart(request, reply, { message: 'Select a CSV file of class lists to import', status: 400 });
      let batchId: string;
      try {
        ({ batchId } = await settings.previewClassLists(ctx, by(request), { filename: file.filename, bytes: await file.toBuffer() }));
      } catch (error) {
        if (error instanceof settings.ImportFileError) return renderImportStart(request, reply, { message: error.message, status: error.status });
        throw error;
      }
      return reply.redirect(`/settings/groups/import/${batchId}`, 303);
    },
  );

  app.get<{ Params: BatchParams }>('/settings/groups/import/:batchId', { config: { permission: 'settings.manage' } }, async (request, reply) => {
    const batch = await settings.getClassListImport(ctx, by(request), request.params.batchId);
    return render(request, reply, 'class-list-preview.njk', {
      pageTitle: batch.status === 'previewed' ? `Check the class lists – ${batch.filename}` : `Class lists – ${batch.filename}`,
      batch,
      kindLabels: GROUP_KIND_LABELS,
    });
  });

  app.post<{ Params: BatchParams }>('/settings/groups/import/:batchId/confirm', { config: { permission: 'settings.manage' } }, async (request, reply) => {
    const { batchId } = request.params;
    try {
      await settings.confirmClassListImport(ctx, by(request), batchId);
    } catch (error) {
      if (error instanceof settings.ClassListStateError) return renderImportProblem(request, reply, batchId, error.message);
      if (error instanceof settings.ImportFileError) return renderImportProblem(request, reply, batchId, error.message, 400);
      throw error;
    }
    return reply.redirect(`/settings/groups/import/${batchId}`, 303);
  });

  app.post<{ Params: BatchParams }>('/settings/groups/import/:batchId/discard', { config: { permission: 'settings.manage' } }, async (request, reply) => {
    const { batchId } = request.params;
    try {
      await settings.discardClassListImport(ctx, by(request), batchId);
    } catch (error) {
      if (error instanceof settings.ClassListStateError) return renderImportProblem(request, reply, batchId, error.message);
      throw error;
    }
    setFlash(ctx, request, reply, 'Import discarded: no group was changed and the file’s contents have been deleted');
    return reply.redirect('/settings/groups/import', 303);
  });

  // One group --------------------------------------------------------------------------------------

  const renderGroup = async (request: FastifyRequest, reply: FastifyReply, groupId: string, errors: FieldError[] = []) => {
    const actor = requireActor(request);
    const q = text((request.query as Record<string, unknown>).q);
    const [detail, results] = await Promise.all([settings.getGroup(ctx, by(request), groupId), settings.searchPupilsForGroup(ctx, actor, groupId, q)]);
    reply.code(errors.length ? 400 : 200);
    return render(request, reply, 'group.njk', { pageTitle: detail.group.name, ...detail, q, results, kindLabels: GROUP_KIND_LABELS, ...errorView(errors) });
  };

  app.get<{ Params: GroupParams }>('/settings/groups/:groupId', { config: { permission: 'settings.manage' } }, async (request, reply) =>
    renderGroup(request, reply, request.params.groupId),
  );

  app.get<{ Params: GroupParams }>('/settings/groups/:groupId/edit', { config: { permission: 'settings.manage' } }, async (request, reply) => {
    const group = await settings.findGroup(ctx, by(request), request.params.groupId);
    return renderGroupForm(request, reply, { name: group.name, kind: group.kind, subject: group.subject ?? '', yearGroup: group.yearGroup === null ? '' : String(group.yearGroup) }, group);
  });

  app.post<{ Params: GroupParams }>('/settings/groups/:groupId/edit', { config: { permission: 'settings.manage' } }, async (request, reply) => {
    const { groupId } = request.params;
    const group = await settings.findGroup(ctx, by(request), groupId);
    const values = groupForm(request.body);
    try {
      await settings.updateGroup(ctx, by(request), groupId, values);
    } catch (error) {
      if (error instanceof ValidationError) return renderGroupForm(request, reply, values, group, error.errors);
      throw error;
    }
    setFlash(ctx, request, reply, 'Group details saved');
    return reply.redirect(`/settings/groups/${groupId}`, 303);
  });

  const renderStaff = async (request: FastifyRequest, reply: FastifyReply, groupId: string, selected?: string[], errors: FieldError[] = []) => {
    const actor = by(request);
    const [detail, choices] = await Promise.all([settings.getGroup(ctx, actor, groupId), settings.listStaffChoices(ctx, actor)]);
    const chosen = new Set(selected ?? detail.staff.map((person) => person.userId));
    reply.code(errors.length ? 400 : 200);
    return render(request, reply, 'group-staff.njk', {
      pageTitle: `Staff of ${detail.group.name}`,
      group: detail.group,
      staffItems: choices.map((person) => ({
        value: person.userId,
        text: person.displayName,
        hint: { text: `${isRole(person.role) ? ROLE_LABELS[person.role] : person.role}, ${person.email}` },
        checked: chosen.has(person.userId),
      })),
      ...errorView(errors),
    });
  };

  app.get<{ Params: GroupParams }>('/settings/groups/:groupId/staff', { config: { permission: 'settings.manage' } }, async (request, reply) =>
    renderStaff(request, reply, request.params.groupId),
  );

  app.post<{ Params: GroupParams }>('/settings/groups/:groupId/staff', { config: { permission: 'settings.manage' } }, async (request, reply) => {
    const { groupId } = request.params;
    const chosen = formFields(request.body, 'staff');
    let result;
    try {
      result = await settings.setGroupStaff(ctx, by(request), groupId, chosen);
    } catch (error) {
      if (error instanceof ValidationError) return renderStaff(request, reply, groupId, chosen, error.errors);
      throw error;
    }
    setFlash(ctx, request, reply, result.added || result.removed ? 'Staff saved: they see the pupils of this group with SEN on their next page' : 'The staff were already as chosen');
    return reply.redirect(`/settings/groups/${groupId}`, 303);
  });

  app.post<{ Params: GroupParams }>('/settings/groups/:groupId/pupils/add', { config: { permission: 'settings.manage' } }, async (request, reply) => {
    const { groupId } = request.params;
    let added: number;
    try {
      added = await settings.addPupilsToGroup(ctx, by(request), groupId, formFields(request.body, 'pupilId'));
    } catch (error) {
      if (error instanceof ValidationError) return renderGroup(request, reply, groupId, error.errors);
      throw error;
    }
    setFlash(ctx, request, reply, added === 1 ? '1 pupil added to the group' : `${added} pupils added to the group`);
    return reply.redirect(`/settings/groups/${groupId}`, 303);
  });

  app.post<{ Params: GroupParams }>('/settings/groups/:groupId/pupils/remove', { config: { permission: 'settings.manage' } }, async (request, reply) => {
    const { groupId } = request.params;
    const actor = by(request);
    await settings.findGroup(ctx, actor, groupId);
    const pupilId = formField(request.body, 'pupilId') ?? '';
    if (!pupilId) return renderGroup(request, reply, groupId, [{ field: 'pupils', message: 'Choose a pupil to remove from the group' }]);
    const groupName = await settings.removePupilFromGroup(ctx, actor, groupId, pupilId);
    setFlash(ctx, request, reply, `Pupil removed from ${groupName}`);
    return reply.redirect(`/settings/groups/${groupId}`, 303);
  });

  app.get<{ Params: GroupParams }>('/settings/groups/:groupId/delete', { config: { permission: 'settings.manage' } }, async (request, reply) => {
    const detail = await settings.getGroup(ctx, by(request), request.params.groupId);
    return render(request, reply, 'group-delete.njk', { pageTitle: `Delete ${detail.group.name}`, ...detail, kindLabels: GROUP_KIND_LABELS });
  });

  app.post<{ Params: GroupParams }>('/settings/groups/:groupId/delete', { config: { permission: 'settings.manage' } }, async (request, reply) => {
    const deleted = await settings.deleteGroup(ctx, by(request), request.params.groupId);
    setFlash(ctx, request, reply, `Group ${deleted.name} deleted. Its pupils are still on roll`);
    return reply.redirect('/settings/groups', 303);
  });

  // Parents' accounts ------------------------------------------------------------------------------

  const SHOW_OPTIONS = [
    { value: 'unlinked', text: 'Not linked to an account' },
    { value: 'linked', text: 'Linked to an account' },
    { value: 'all', text: 'All' },
  ];

  app.get('/settings/parents', { config: { permission: 'settings.manage' } }, async (request, reply) => {
    const raw = request.query as Record<string, unknown>;
    const showText = text(raw.show);
    const filters = { q: text(raw.q), show: (showText === 'linked' || showText === 'all' ? showText : 'unlinked') as settings.ParentFilter };
    const result = await settings.listParents(ctx, by(request), { ...filters, page: pageNumber(raw.page) });
    return render(request, reply, 'parents.njk', {
      pageTitle: 'Parent links',
      filters,
      result,
      showOptions: SHOW_OPTIONS.map((option) => ({ ...option, selected: option.value === filters.show })),
      pagination: pagination(result.page, result.pageCount, (page) => `/settings/parents${query({ q: filters.q, show: filters.show === 'unlinked' ? undefined : filters.show, page })}`),
    });
  });

  const renderLinkForm = async (request: FastifyRequest, reply: FastifyReply, contactId: string, values?: { email: string; displayName: string }, errors: FieldError[] = []) => {
    const contact = await settings.getParentalContact(ctx, by(request), contactId);
    if (contact.userId && !errors.length) {
      setFlash(ctx, request, reply, `${contact.name} is already linked to an account`);
      return reply.redirect(`/settings/parents/${contactId}/unlink`, 303);
    }
    reply.code(errors.length ? 400 : 200);
    return render(request, reply, 'parent-link.njk', {
      pageTitle: `Link ${contact.name} to a parent account`,
      contact,
      values: values ?? { email: contact.email ?? '', displayName: [contact.forename, contact.surname].filter(Boolean).join(' ') },
      ...errorView(errors),
    });
  };

  app.get<{ Params: ContactParams }>('/settings/parents/:contactId/link', { config: { permission: 'settings.manage' } }, async (request, reply) =>
    renderLinkForm(request, reply, request.params.contactId),
  );

  app.post<{ Params: ContactParams }>('/settings/parents/:contactId/link', { config: { permission: 'settings.manage' } }, async (request, reply) => {
    const { contactId } = request.params;
    const actor = by(request);
    const values = { email: formField(request.body, 'email')?.trim() ?? '', displayName: formField(request.body, 'displayName') ?? '' };
    try {
      if (formField(request.body, 'confirm') !== 'yes') {
        const check = await settings.checkParentLink(ctx, actor, contactId, values);
        return render(request, reply, 'parent-link-confirm.njk', { pageTitle: `Link ${check.contact.name} to a parent account`, check, values });
      }
      const linked = await settings.linkParent(ctx, actor, contactId, values);
      if (linked.password) return render(request, reply, 'parent-linked.njk', { pageTitle: 'Parent account created', linked });
      setFlash(
        ctx,
        request,
        reply,
        `${linked.contact.name} is linked to the account ${linked.email}: they see ${linked.contact.pupilName} when they sign in${linked.grantedRole ? ' (the account now has the parent role here; its password is unchanged)' : ''}`,
      );
    } catch (error) {
      if (error instanceof ValidationError) return renderLinkForm(request, reply, contactId, values, error.errors);
      throw error;
    }
    return reply.redirect('/settings/parents?show=linked', 303);
  });

  app.get<{ Params: ContactParams }>('/settings/parents/:contactId/unlink', { config: { permission: 'settings.manage' } }, async (request, reply) => {
    const contact = await settings.getParentalContact(ctx, by(request), request.params.contactId);
    if (!contact.userId) return reply.redirect(`/settings/parents/${contact.id}/link`, 303);
    return render(request, reply, 'parent-unlink.njk', { pageTitle: `Unlink ${contact.name}`, contact });
  });

  app.post<{ Params: ContactParams }>('/settings/parents/:contactId/unlink', { config: { permission: 'settings.manage' } }, async (request, reply) => {
    const result = await settings.unlinkParent(ctx, by(request), request.params.contactId);
    setFlash(
      ctx,
      request,
      reply,
      result.changed ? `${result.contact.name} is no longer linked to an account: they no longer see ${result.contact.pupilName}` : `${result.contact.name} was not linked to an account`,
    );
    return reply.redirect('/settings/parents', 303);
  });
}
