import type { AppConfig } from '../config.ts';
import type { AppDatabase, Db } from '../db/database.ts';
import type { AuditLog } from './audit/audit-log.ts';

/** What every service is given: configuration, the database and the audit log. */
export interface AppContext {
  config: AppConfig;
  database: AppDatabase;
  db: Db;
  audit: AuditLog;
}
