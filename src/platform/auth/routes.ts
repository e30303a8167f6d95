import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { homePath } from '../permissions.ts';
import { ValidationError, type FieldError } from '../errors.ts';
import { SESSION_COOKIE, cookieOptions, errorView, formField, requestIp, setFlash } from '../web.ts';
import * as auth from './service.ts';

/** Only same-site paths are followed after sign-in, never another host. */
export function safeReturnPath(value: string | undefined): string | undefined {
  // A path on this site only: no control characters or backslashes (browsers drop or rewrite them,
  // turning "/\t/evil.example" into another host), and it must resolve to this origin.
  if (!value || !/^\/(?![/\\])[^\x00-\x1f\x7f\\]*$/.test(value)) return undefined;
  try {
    return new URL(value, 'http://senco.invalid').origin === 'http://senco.invalid' ? value : undefined;
  } catch {
    return undefined;
  }
}

export async function authRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get('/', { config: { permission: 'public' } }, async (request, reply) => {
    if (request.actor) return reply.redirect(homePath(request.actor.role));
    if (request.session) return reply.redirect('/switch-school');
    return reply.redirect('/sign-in');
  });

  app.get('/sign-in', { config: { permission: 'public' } }, async (request, reply) => {
    const query = request.query as { returnTo?: string };
    if (request.actor) return reply.redirect(safeReturnPath(query.returnTo) ?? homePath(request.actor.role));
    return reply.render('platform/auth/views/sign-in.njk', { pageTitle: 'Sign in', returnTo: safeReturnPath(query.returnTo), values: {} });
  });

  app.post('/sign-in', { config: { permission: 'public' } }, async (request, reply) => {
    const email = formField(request.body, 'email')?.trim() ?? '';
    const password = formField(request.body, 'password') ?? '';
    const returnTo = safeReturnPath(formField(request.body, 'returnTo'));
    const problems: FieldError[] = [];
    if (!email) problems.push({ field: 'email', message: 'Enter your email address' });
    if (!password) problems.push({ field: 'password', message: 'Enter your password' });
    const renderProblem = (messages: typeof problems, status = 400) => {
      reply.code(status);
      return reply.render('platform/auth/views/sign-in.njk', { pageTitle: 'Sign in', returnTo, values: { email }, ...errorView(messages) });
    };
    if (problems.length) return renderProblem(problems);
    const result = await auth.signIn(ctx, { email, password, ip: requestIp(request), userAgent: request.headers['user-agent'] ?? '' });
    if (!result.ok) {
      if (result.reason === 'throttled') {
        return renderProblem(
          [{ field: 'email', message: `Too many failed attempts to sign in. Wait ${result.retryInMinutes} minute${result.retryInMinutes === 1 ? '' : 's'} and try again` }],
          429,
        );
      }
      if (result.reason === 'no-school') {
        return renderProblem([{ field: 'email', message: 'Your account does not have a role in any school yet: ask your SENCO to add you' }], 403);
      }
      return renderProblem([{ field: 'email', message: 'The email address or password is not right' }], 401);
    }
    reply.setCookie(SESSION_COOKIE, result.sessionToken, cookieOptions(ctx, request, ctx.config.sessionHours * 3600));
    reply.clearCookie('senco_csrf', { path: '/' });
    return reply.redirect(returnTo ?? (result.role ? homePath(result.role) : '/'));
  });

  app.post('/sign-out', { config: { permission: 'public' } }, async (request, reply) => {
    if (request.session) await auth.signOut(ctx, request.session, requestIp(request));
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/sign-in');
  });

  app.get('/switch-school', { config: { permission: 'signed-in' } }, async (request, reply) => {
    const memberships = await auth.listMemberships(ctx, request.session!.userId);
    return reply.render('platform/auth/views/switch-school.njk', { pageTitle: 'Switch school', schools: memberships, current: request.actor?.schoolId });
  });

  app.post('/switch-school', { config: { permission: 'signed-in' } }, async (request, reply) => {
    const schoolId = formField(request.body, 'schoolId') ?? '';
    try {
      const role = await auth.switchSchool(ctx, request.session!, schoolId);
      const memberships = await auth.listMemberships(ctx, request.session!.userId);
      setFlash(ctx, request, reply, `You are now working in ${memberships.find((entry) => entry.schoolId === schoolId)?.schoolName ?? 'the school you chose'}`);
      return reply.redirect(homePath(role));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const memberships = await auth.listMemberships(ctx, request.session!.userId);
      reply.code(400);
      return reply.render('platform/auth/views/switch-school.njk', { pageTitle: 'Switch school', schools: memberships, current: request.actor?.schoolId, ...errorView(error.errors) });
    }
  });
}
