import Fastify, { LogController, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import type { AppConfig } from './config.ts';
import type { AppDatabase } from './db/database.ts';
import { AuditLog } from './platform/audit/audit-log.ts';
import type { AppContext } from './platform/context.ts';
import { createViewEnvironment } from './platform/views/nunjucks.ts';
import { registerWebPlatform } from './platform/web.ts';
import { authRoutes } from './platform/auth/routes.ts';
import { FEATURES } from './features/index.ts';

export interface BuiltApp {
  app: FastifyInstance;
  ctx: AppContext;
}

export async function buildApp(options: { config: AppConfig; database: AppDatabase; audit?: AuditLog; logger?: boolean }): Promise<BuiltApp> {
  const { config, database } = options;
  const app = Fastify({
    logger: options.logger === false || config.logLevel === 'silent' ? false : { level: config.logLevel },
    // A number of proxy hops becomes a trust function: only that many X-Forwarded-For entries count.
    trustProxy: typeof config.trustProxy === 'number' ? (_address: string, hop: number) => hop < (config.trustProxy as number) : config.trustProxy,
    bodyLimit: 1024 * 1024,
    // Request lines only when debugging: a log line per page view is noise and costs time.
    logController: new LogController({ disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace' }),
  });
  const audit = options.audit ?? new AuditLog(database, { onError: (error) => app.log.error(error, 'audit flush failed') });
  const ctx: AppContext = { config, database, db: database.db, audit };

  await app.register(cookie);
  await app.register(formbody, { bodyLimit: 1024 * 1024 });
  await app.register(multipart, { limits: { fileSize: config.importMaxBytes, files: 1, fields: 50 }, attachFieldsToBody: true });
  await app.register(helmet, {
    enableCSPNonces: true,
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        upgradeInsecureRequests: null,
      },
    },
    strictTransportSecurity: config.production,
    referrerPolicy: { policy: 'same-origin' },
  });

  registerWebPlatform(app, ctx, createViewEnvironment({ watch: process.env.VIEWS_RELOAD === 'true' }));
  await app.register(async (scope) => authRoutes(scope, ctx));
  for (const feature of FEATURES) await app.register(async (scope) => feature(scope, ctx));

  app.addHook('onClose', async () => {
    await audit.flush();
  });
  return { app, ctx };
}
