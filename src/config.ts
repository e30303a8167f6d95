import path from 'node:path';
import { z } from 'zod';

// Safe defaults make the embedded mode work with no configuration at all.
const environmentSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .optional()
    .refine((value) => !value || /^postgres(ql)?:\/\//.test(value), {
      message: 'DATABASE_URL must start with postgres:// (leave it unset for the embedded SQLite database)',
    }),
  DATA_DIR: z.string().default('./data'),
  SECURE_COOKIES: z
    .enum(['true', 'false', 'auto'])
    .default('auto')
    .describe('auto: Secure cookies when the request came over HTTPS (behind a proxy, with TRUST_PROXY=true)'),
  TRUST_PROXY: z
    .string()
    .default('false')
    .refine((value) => /^(true|false|\d{1,2}|[0-9a-fA-F.:/, ]+)$/.test(value), {
      message: 'TRUST_PROXY must be false, true (one proxy), a number of proxies, or the proxies’ addresses separated by commas',
    }),
  SESSION_HOURS: z.coerce.number().positive().default(8),
  IMPORT_MAX_BYTES: z.coerce.number().int().positive().default(50 * 1024 * 1024),
  DEMO: z.enum(['true', 'false']).optional().describe('create the demo school on first start of an empty database (default: true, false when NODE_ENV=production)'),
  DEMO_PUPILS: z.coerce.number().int().min(50).max(20000).default(1000),
  SMTP_URL: z
    .string()
    .optional()
    .refine((value) => !value || /^smtps?:\/\//.test(value), { message: 'SMTP_URL must start with smtp:// or smtps:// (leave it unset to send no email)' }),
  PUBLIC_URL: z
    .string()
    .optional()
    .refine((value) => !value || /^https?:\/\/[^/?#\s]+\/?$/.test(value), { message: 'PUBLIC_URL must be the address people reach the app at, like https://senco.example.org (no path)' }),
  MAIL_FROM: z.string().optional().describe('the From address of email the app sends, e.g. "Oak Park SEN team <senco@oakpark.sch.uk>"'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ENV: z.string().default('development'),
});

export type AppConfig = {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  sqlitePath: string;
  secureCookies: 'true' | 'false' | 'auto';
  /** Fastify's trustProxy: how many proxies, or which addresses, may say who the client is. */
  trustProxy: false | number | string;
  sessionHours: number;
  importMaxBytes: number;
  demo: boolean;
  demoPupils: number;
  logLevel: string;
  production: boolean;
  /** Email for contribution links: both set, or email is not set up. */
  /** The address people reach the app at, for links the app sends; unset: the address of the request. */
  publicUrl: string | undefined;
  smtpUrl: string | undefined;
  mailFrom: string | undefined;
};

export class ConfigError extends Error {}

export function loadConfig(environment: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = environmentSchema.safeParse(environment);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n');
    throw new ConfigError(`Invalid configuration:\n${problems}`);
  }
  const env = parsed.data;
  return {
    port: env.PORT,
    host: env.HOST,
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: path.resolve(env.DATA_DIR),
    sqlitePath: path.resolve(env.DATA_DIR, 'senco-desk.sqlite'),
    secureCookies: env.SECURE_COOKIES,
    // "true" means one proxy hop, never "trust any X-Forwarded-For": a client could then claim any address.
    trustProxy: env.TRUST_PROXY === 'false' ? false : env.TRUST_PROXY === 'true' ? 1 : /^\d+$/.test(env.TRUST_PROXY) ? Number(env.TRUST_PROXY) : env.TRUST_PROXY,
    sessionHours: env.SESSION_HOURS,
    importMaxBytes: env.IMPORT_MAX_BYTES,
    // Demo accounts have a published password: never by default in production.
    demo: env.DEMO === undefined ? env.NODE_ENV !== 'production' : env.DEMO === 'true',
    demoPupils: env.DEMO_PUPILS,
    logLevel: env.LOG_LEVEL,
    production: env.NODE_ENV === 'production',
    publicUrl: env.PUBLIC_URL ? env.PUBLIC_URL.replace(/\/$/, '') : undefined,
    smtpUrl: env.SMTP_URL || undefined,
    mailFrom: env.MAIL_FROM || undefined,
  };
}
