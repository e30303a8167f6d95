import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../platform/context.ts';
import { registerRoutes } from './register/routes.ts';
import { auditRoutes } from './audit/routes.ts';
import { accountRoutes } from './account/routes.ts';
import { apiRoutes } from './api/routes.ts';
import { importRoutes } from './imports/routes.ts';
import { settingsRoutes } from './settings/routes.ts';
import { provisionRoutes } from './provision/routes.ts';
import { plansRoutes } from './plans/routes.ts';
import { voiceRoutes } from './voice/routes.ts';
import { concernsRoutes } from './concerns/routes.ts';
import { chronologyRoutes } from './chronology/routes.ts';
import { passportsRoutes } from './passports/routes.ts';
import { documentsRoutes } from './documents/routes.ts';
import { todayRoutes } from './today/routes.ts';

export type Feature = (app: FastifyInstance, ctx: AppContext) => Promise<void>;

/** Each feature is a Fastify plugin; the order here is the order routes are registered. */
export const FEATURES: Feature[] = [registerRoutes, auditRoutes, accountRoutes, apiRoutes, importRoutes, settingsRoutes, provisionRoutes, plansRoutes, voiceRoutes, concernsRoutes, chronologyRoutes, passportsRoutes, documentsRoutes, todayRoutes];
