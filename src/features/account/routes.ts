import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { NotFoundError, ValidationError, type FieldError } from '../../platform/errors.ts';
import { errorView, formField, requireActor, setFlash } from '../../platform/web.ts';
import * as account from './service.ts';
import { changeOwnPassword } from '../../platform/auth/service.ts';

type TokenParams = { tokenId: string };

export async function accountRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const renderAccount = async (request: FastifyRequest, reply: FastifyReply, form: account.NewTokenForm = { name: '', expiresInDays: '' }, errors: FieldError[] = []) => {
    const actor = requireActor(request);
    const session = request.session;
    if (!session) throw new NotFoundError();
    const { memberships, tokens } = await account.getAccount(ctx, session.userId);
    reply.code(errors.length ? 400 : 200);
    return reply.render('features/account/views/account.njk', {
      pageTitle: 'Your account',
      memberships,
      currentMembership: memberships.find((membership) => membership.schoolId === actor.schoolId),
      tokens,
      values: form,
      expiryItems: account.EXPIRY_CHOICES.map((choice) => ({
        value: choice.value,
        text: choice.text,
        checked: form.expiresInDays === choice.value,
        ...(choice.days === null ? { hint: { text: 'Only for a program you look after yourself: a token that never expires is a risk for as long as it exists' } } : {}),
      })),
      ...errorView(errors),
    });
  };

  app.get('/account', { config: { permission: 'account.use' } }, async (request, reply) => renderAccount(request, reply));

  app.post('/account/tokens', { config: { permission: 'account.use' } }, async (request, reply) => {
    const actor = requireActor(request);
    const form = { name: formField(request.body, 'name') ?? '', expiresInDays: formField(request.body, 'expiresInDays') ?? '' };
    let created;
    try {
      created = await account.createToken(ctx, actor, form);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return renderAccount(request, reply, form, error.errors);
    }
    const token = await account.findToken(ctx, actor.userId, created.id);
    // Shown once, on this response only: the database keeps a hash, and the page is never cached.
    return reply.render('features/account/views/token-created.njk', { pageTitle: 'Your new API token', token, secret: created.token });
  });

  app.get<{ Params: TokenParams }>('/account/tokens/:tokenId/revoke', { config: { permission: 'account.use' } }, async (request, reply) => {
    const actor = requireActor(request);
    const token = await account.findToken(ctx, actor.userId, request.params.tokenId);
    if (!token) throw new NotFoundError('You do not have a token with that address');
    if (token.status === 'revoked') {
      setFlash(ctx, request, reply, `The token ‘${token.name}’ has already been revoked`);
      return reply.redirect('/account');
    }
    return reply.render('features/account/views/revoke-token.njk', { pageTitle: `Revoke the token ${token.name}`, token });
  });

  app.post<{ Params: TokenParams }>('/account/tokens/:tokenId/revoke', { config: { permission: 'account.use' } }, async (request, reply) => {
    const actor = requireActor(request);
    const token = await account.findToken(ctx, actor.userId, request.params.tokenId);
    if (!token) throw new NotFoundError('You do not have a token with that address');
    const revoked = await account.revokeToken(ctx, actor, token.id);
    setFlash(
      ctx,
      request,
      reply,
      revoked ? `The token ‘${token.name}’ has been revoked: programs using it can no longer reach SENCO Desk` : `The token ‘${token.name}’ had already been revoked`,
    );
    return reply.redirect('/account');
  });

  app.get('/account/password', { config: { permission: 'signed-in' } }, async (_request, reply) =>
    reply.render('features/account/views/change-password.njk', { pageTitle: 'Change your password' }),
  );

  app.post('/account/password', { config: { permission: 'signed-in' } }, async (request, reply) => {
    const session = request.session!;
    try {
      await changeOwnPassword(ctx, session, {
        currentPassword: formField(request.body, 'currentPassword') ?? '',
        newPassword: formField(request.body, 'newPassword') ?? '',
        confirmPassword: formField(request.body, 'confirmPassword') ?? '',
      });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      reply.code(400);
      // Passwords are never put back into the form.
      return reply.render('features/account/views/change-password.njk', { pageTitle: 'Change your password', ...errorView(error.errors) });
    }
    setFlash(ctx, request, reply, 'Your password has been changed. You have been signed out everywhere else.');
    return reply.redirect(request.actor ? '/account' : '/');
  });
}
