import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type nunjucks from 'nunjucks';
import type { AppContext } from './context.ts';
import { actorForApiToken, resumeSession, type SessionInfo } from './auth/service.ts';
import { ForbiddenError, NotFoundError, ValidationError, type FieldError } from './errors.ts';
import { isAction, roleMay, type Action, type Actor, type PupilResource, can } from './permissions.ts';
import { navigationFor } from './navigation.ts';

/** 'public': anyone; 'signed-in': any signed-in person, with or without a role here; else a policy action. */
export type RoutePermission = 'public' | 'signed-in' | Action;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Every route must say who may reach it: 'public' or an action from the permission policy. */
    permission?: RoutePermission;
  }
  interface FastifyRequest {
    session?: SessionInfo;
    actor?: Actor;
    /** Set on API requests authenticated by a bearer token. */
    apiToken?: boolean;
    anonymousCsrf?: string;
  }
  interface FastifyReply {
    render(template: string, data?: Record<string, unknown>): FastifyReply;
    /** Renders a template that does not extend the layout, to a string (for caching a page's content). */
    renderFragment(template: string, data?: Record<string, unknown>): string;
    /**
     * Renders a page whose template places `contentHtml` (unescaped) in the layout, with ready-made
     * bytes as that content: the layout is rendered per request, the content is only copied.
     */
    renderAround(template: string, data: Record<string, unknown>, content: Buffer): FastifyReply;
  }
  interface FastifyInstance {
    /** Every route with the permission it declared: the authorisation test walks this list. */
    routeCatalogue: RouteEntry[];
  }
}

export interface RouteEntry {
  method: string;
  url: string;
  permission: RoutePermission;
}

export const SESSION_COOKIE = 'senco_session';
const ANONYMOUS_CSRF_COOKIE = 'senco_csrf';
const FLASH_COOKIE = 'senco_flash';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isApiPath(url: string): boolean {
  return url === '/api' || url.startsWith('/api/');
}

export function secureCookies(ctx: AppContext, request: FastifyRequest): boolean {
  if (ctx.config.secureCookies === 'auto') return request.protocol === 'https';
  return ctx.config.secureCookies === 'true';
}

export function cookieOptions(ctx: AppContext, request: FastifyRequest, maxAgeSeconds?: number) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: secureCookies(ctx, request),
    ...(maxAgeSeconds === undefined ? {} : { maxAge: maxAgeSeconds }),
  };
}

function tokensMatch(given: unknown, expected: string | undefined): boolean {
  if (typeof given !== 'string' || !expected) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Form bodies from urlencoded and multipart requests, as plain strings. */
export function formField(body: unknown, name: string): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const value = (body as Record<string, unknown>)[name];
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return typeof value[0] === 'string' ? value[0] : undefined;
  if (value && typeof value === 'object' && 'value' in value && typeof (value as { value: unknown }).value === 'string') {
    return (value as { value: string }).value;
  }
  return undefined;
}

export function formFields(body: unknown, name: string): string[] {
  if (!body || typeof body !== 'object') return [];
  const value = (body as Record<string, unknown>)[name];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((entry): entry is string => typeof entry === 'string');
  return [];
}

/** GOV.UK date input (name-day, name-month, name-year) → ISO date, or the raw text so validation can say what was wrong. */
export function readDateInput(body: unknown, name: string): string {
  const day = formField(body, `${name}-day`)?.trim() ?? '';
  const month = formField(body, `${name}-month`)?.trim() ?? '';
  const year = formField(body, `${name}-year`)?.trim() ?? '';
  if (!day && !month && !year) return '';
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year)) return `${year}-${month}-${day}?`;
  return `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
}

/** An ISO date's parts for filling a GOV.UK date input. */
export function dateParts(isoDate: string): { day: string; month: string; year: string } {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  return match ? { day: String(Number(match[3])), month: String(Number(match[2])), year: match[1]! } : { day: '', month: '', year: '' };
}

export function requireActor(request: FastifyRequest): Actor {
  if (!request.actor) throw new ForbiddenError();
  return request.actor;
}

/** Checks a pupil-level permission; a pupil in another school is simply not found. */
export function authorisePupil(request: FastifyRequest, action: Action, pupilId: string): Actor {
  const actor = requireActor(request);
  const resource: PupilResource = { kind: 'pupil', schoolId: actor.schoolId, pupilId };
  if (!can(actor, action, resource)) throw new ForbiddenError('You do not have permission to see this pupil’s record');
  return actor;
}

export function setFlash(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, message: string): void {
  reply.setCookie(FLASH_COOKIE, encodeURIComponent(message.slice(0, 300)), cookieOptions(ctx, request, 60));
}

/** Turns field errors into the GOV.UK error summary list and a field → message map. */
export function errorView(errors: FieldError[]) {
  const byField: Record<string, string> = {};
  for (const error of errors) byField[error.field] ??= error.message;
  return {
    errors: errors.map((error) => ({ text: error.message, href: `#${error.field.replace(/[^A-Za-z0-9_-]/g, '-')}` })),
    fieldErrors: byField,
  };
}

/** Field errors on a date point at its day box, as the GOV.UK pattern does. */
export function dateErrors(errors: FieldError[], dateFields: string[]) {
  const view = errorView(errors.map((error) => (dateFields.includes(error.field) ? { ...error, field: `${error.field}-day` } : error)));
  for (const field of dateFields) if (view.fieldErrors[`${field}-day`]) view.fieldErrors[field] = view.fieldErrors[`${field}-day`]!;
  return view;
}

/** GOV.UK pagination items: first, last and two either side of the current page. */
export function pagination(page: number, pageCount: number, href: (page: number) => string) {
  if (pageCount <= 1) return undefined;
  const items: Array<{ number?: number; href?: string; current?: boolean; ellipsis?: boolean }> = [];
  for (let number = 1; number <= pageCount; number++) {
    if (number === 1 || number === pageCount || Math.abs(number - page) <= 2) items.push({ number, href: href(number), current: number === page });
    else if (Math.abs(number - page) === 3) items.push({ ellipsis: true });
  }
  return { items, ...(page > 1 ? { previous: { href: href(page - 1) } } : {}), ...(page < pageCount ? { next: { href: href(page + 1) } } : {}) };
}

/** A cookie someone has tampered with must not break every page. */
function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

function clientIp(request: FastifyRequest): string {
  return request.ip ?? 'unknown';
}

export function requestIp(request: FastifyRequest): string {
  return clientIp(request);
}

/** Front-end files are few and small: read once, served from memory with long caching. */
function registerAssets(app: FastifyInstance): void {
  const root = path.resolve(import.meta.dirname, '../../public/build');
  const types: Record<string, string> = {
    '.css': 'text/css; charset=utf-8',
    '.js': 'text/javascript; charset=utf-8',
    '.svg': 'image/svg+xml',
    '.png': 'image/png',
    '.ico': 'image/x-icon',
  };
  const files = new Map<string, { body: Buffer; type: string }>();
  const walk = (directory: string) => {
    if (!fs.existsSync(directory)) return;
    for (const entry of fs.readdirSync(directory, { withFileTypes: true })) {
      const full = path.join(directory, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        const type = types[path.extname(entry.name)];
        if (type) files.set(`/${path.relative(root, full).split(path.sep).join('/')}`, { body: fs.readFileSync(full), type });
      }
    }
  };
  walk(root);
  if (!files.has('/app.css')) {
    throw new Error('Front-end assets are missing: run `npm run build` (npm install and npm start do it for you)');
  }
  app.get('/assets/*', { config: { permission: 'public' } }, async (request, reply) => {
    const file = files.get(`/${(request.params as { '*': string })['*']}`);
    if (!file) throw new NotFoundError();
    return reply.header('cache-control', 'public, max-age=3600').type(file.type).send(file.body);
  });
}

export function registerWebPlatform(app: FastifyInstance, ctx: AppContext, views: nunjucks.Environment): void {
  app.decorateRequest('session', undefined);
  app.decorateRequest('actor', undefined);
  app.decorateRequest('apiToken', false);
  app.decorateRequest('anonymousCsrf', undefined);

  app.decorate('routeCatalogue', [] as RouteEntry[]);
  app.addHook('onRoute', (route) => {
    const permission = route.config?.permission;
    if (route.method === 'HEAD') return; // Fastify's automatic HEAD twin of a GET route
    if (permission !== 'public' && permission !== 'signed-in' && !(typeof permission === 'string' && isAction(permission))) {
      throw new Error(`Route ${String(route.method)} ${route.url} must declare config.permission ('public', 'signed-in' or a policy action)`);
    }
    for (const method of [route.method].flat()) app.routeCatalogue.push({ method, url: route.url, permission });
  });

  const pageContext = (reply: FastifyReply, data: Record<string, unknown>) => {
    const request = reply.request;
    const actor = request.actor;
    const flash = request.cookies[FLASH_COOKIE];
    if (flash) reply.clearCookie(FLASH_COOKIE, { path: '/' });
    return {
      actor,
      session: request.session,
      schoolName: request.session?.schoolName,
      memberships: { length: request.session?.membershipCount ?? 0 },
      csrfToken: request.session?.csrfToken ?? request.anonymousCsrf,
      cspNonce: (reply as unknown as { cspNonce?: { script: string } }).cspNonce?.script,
      navigation: actor ? navigationFor(actor.role, request.url) : undefined,
      staffSearch: actor ? roleMay(actor.role, 'register.view') : false,
      may: (action: Action) => (actor ? roleMay(actor.role, action) : false),
      flash: flash ? safeDecode(flash) : undefined,
      currentUrl: request.url,
      ...data,
    };
  };

  app.decorateReply('render', function render(this: FastifyReply, template: string, data: Record<string, unknown> = {}) {
    const html = views.render(template, pageContext(this, data));
    return this.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
  });

  const CONTENT_MARKER = '<!--senco-desk:content-->';
  app.decorateReply('renderAround', function renderAround(this: FastifyReply, template: string, data: Record<string, unknown>, content: Buffer) {
    const html = views.render(template, pageContext(this, { ...data, contentHtml: CONTENT_MARKER }));
    const at = html.indexOf(CONTENT_MARKER);
    if (at === -1) throw new Error(`${template} does not place contentHtml`);
    const body = Buffer.concat([Buffer.from(html.slice(0, at)), content, Buffer.from(html.slice(at + CONTENT_MARKER.length))]);
    return this.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
  });

  app.decorateReply('renderFragment', function renderFragment(this: FastifyReply, template: string, data: Record<string, unknown> = {}) {
    return views.render(template, data);
  });

  registerAssets(app);

  app.addHook('onRequest', async (request, reply) => {
    if (isApiPath(request.url)) {
      const header = request.headers.authorization;
      if (header?.startsWith('Bearer ')) {
        const actor = await actorForApiToken(ctx, header.slice(7).trim());
        if (actor) {
          request.actor = actor;
          request.apiToken = true;
        }
      }
      return authoriseRoute(request, reply);
    }
    if (request.url.startsWith('/assets/')) return;
    const token = request.cookies[SESSION_COOKIE];
    if (token) {
      const resumed = await resumeSession(ctx, token);
      if (resumed) {
        request.session = resumed.session;
        request.actor = resumed.actor;
      } else {
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
      }
    }
    if (!request.session) {
      // Sign-in forms need CSRF protection too: a double-submit token in its own cookie.
      let anonymous = request.cookies[ANONYMOUS_CSRF_COOKIE];
      if (!anonymous || anonymous.length < 20) {
        anonymous = randomBytes(24).toString('base64url');
        reply.setCookie(ANONYMOUS_CSRF_COOKIE, anonymous, cookieOptions(ctx, request));
      }
      request.anonymousCsrf = anonymous;
    }
    return authoriseRoute(request, reply);
  });

  // The route's permission is checked as soon as we know who is asking, before any body is read:
  // an anonymous upload of tens of megabytes is never buffered just to be turned away.
  async function authoriseRoute(request: FastifyRequest, reply: FastifyReply) {
    const permission = request.routeOptions.config?.permission;
    // Only the not-found handler has no route; a matched route without a permission is never served.
    if (!permission) {
      if (request.routeOptions.url) throw new NotFoundError();
      return;
    }
    if (permission === 'public') return;
    const api = isApiPath(request.url);
    const signIn = () => reply.redirect(`/sign-in${request.method === 'GET' ? `?returnTo=${encodeURIComponent(request.url)}` : ''}`);
    if (permission === 'signed-in') {
      if (!request.session) return signIn();
      return;
    }
    if (!request.actor) {
      if (api) return reply.code(401).send({ error: 'unauthorised', message: 'Send a valid API token as "Authorization: Bearer <token>"' });
      if (request.session) {
        reply.code(403);
        return reply.render('platform/views/no-role.njk', { pageTitle: 'You do not have a role in a school' });
      }
      return signIn();
    }
    if (!roleMay(request.actor.role, permission)) throw new ForbiddenError();
  }

  // CSRF needs the form body, so it is checked once the body is parsed.
  app.addHook('preHandler', async (request, reply) => {
    if (isApiPath(request.url) || SAFE_METHODS.has(request.method)) return;
    const given = formField(request.body, '_csrf') ?? request.headers['x-csrf-token'];
    const expected = request.session?.csrfToken ?? request.anonymousCsrf;
    if (!tokensMatch(given, expected)) {
      reply.code(403);
      return reply.render('platform/views/csrf.njk', { pageTitle: 'This form has expired' });
    }
  });

  app.setNotFoundHandler({}, async (request, reply) => {
    if (isApiPath(request.url)) return reply.code(404).send({ error: 'not_found', message: 'No such API route' });
    reply.code(404);
    return reply.render('platform/views/error.njk', { pageTitle: 'Page not found', heading: 'Page not found', message: 'If you typed the web address, check it is correct.' });
  });

  app.setErrorHandler(async (error, request, reply) => {
    const api = isApiPath(request.url);
    if (error instanceof ValidationError) {
      reply.code(400);
      if (api) return reply.send({ error: 'invalid', message: error.message, errors: error.errors });
      return reply.render('platform/views/error.njk', { pageTitle: 'There is a problem', heading: 'There is a problem', message: error.message });
    }
    if (error instanceof ForbiddenError) {
      reply.code(403);
      if (api) return reply.send({ error: 'forbidden', message: error.message });
      return reply.render('platform/views/error.njk', { pageTitle: 'You do not have permission', heading: 'You do not have permission to see this page', message: error.message });
    }
    if (error instanceof NotFoundError) {
      reply.code(404);
      if (api) return reply.send({ error: 'not_found', message: error.message });
      return reply.render('platform/views/error.njk', { pageTitle: 'Page not found', heading: 'Page not found', message: error.message });
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) {
      reply.code(status);
      const message = status === 413 ? 'The file is larger than this server accepts' : (error as Error).message;
      if (api) return reply.send({ error: 'bad_request', message });
      return reply.render('platform/views/error.njk', { pageTitle: 'There is a problem', heading: 'There is a problem', message });
    }
    request.log.error(error);
    reply.code(500);
    if (api) return reply.send({ error: 'server_error', message: 'Something went wrong on the server' });
    return reply.render('platform/views/error.njk', {
      pageTitle: 'Sorry, there is a problem with the service',
      heading: 'Sorry, there is a problem with the service',
      message: 'Nothing you entered was saved. Try again later.',
    });
  });
}
