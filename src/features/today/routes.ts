// Today: the home page of the SENCO and the SEN administrator. The route stays thin: it asks the
// service for the day's work and renders it.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { requestIp, requireActor } from '../../platform/web.ts';
import { MEETINGS_EXPECTED } from '../chronology/rules.ts';
import { UNCONFIRMED_BATCH_DAYS } from '../imports/service.ts';
import * as today from './service.ts';

export async function todayRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get('/today', { config: { permission: 'today.view' } }, async (request, reply) => {
    const view = await today.getToday(ctx, requireActor(request), requestIp(request));
    return reply.render('features/today/views/today.njk', { pageTitle: 'Today', ...view, returnTo: '/today', meetingsExpected: MEETINGS_EXPECTED, uploadDays: UNCONFIRMED_BATCH_DAYS });
  });
}
