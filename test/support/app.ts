import { buildApp, type BuiltApp } from '../../src/app.ts';
import { AuditLog } from '../../src/platform/audit/audit-log.ts';
import { testConfig } from './config.ts';
import type { TestDatabase } from './databases.ts';

/** The real app over a test database; audit reads flush at once so tests can see them. */
export async function buildTestApp(database: TestDatabase): Promise<BuiltApp> {
  const audit = new AuditLog(database, { flushEveryMs: 1 });
  const built = await buildApp({ config: testConfig(), database, audit, logger: false });
  await built.app.ready();
  return built;
}
