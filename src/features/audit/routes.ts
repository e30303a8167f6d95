import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { errorView, requestIp, requireActor } from '../../platform/web.ts';
import * as audit from './service.ts';

export async function auditRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get('/audit', { config: { permission: 'audit.view' } }, async (request, reply) => {
    const actor = requireActor(request);
    const { query, problems } = audit.parseAuditQuery(request.query as Record<string, unknown>);
    const log = await audit.getAuditLog(ctx, actor, query, problems.length === 0, requestIp(request));
    const params = (page: number) => {
      const search = new URLSearchParams();
      for (const key of ['action', 'user', 'pupil', 'from', 'to'] as const) if (query[key]) search.set(key, query[key]);
      if (page > 1) search.set('page', String(page));
      return `/audit?${search.toString()}`;
    };
    if (problems.length) reply.code(400);
    return reply.render('features/audit/views/audit.njk', { pageTitle: 'Audit log', query, log, pageLink: params, ...errorView(problems) });
  });
}
