import type { AppConfig } from '../config.ts';
import type { AppDatabase, Db } from '../db/database.ts';
import type { AuditLog } from './audit/audit-log.ts';

/** Pupils a member of staff works with through one feature (e.g. intervention groups they run). */
export type TaughtPupilsSource = (schoolId: string, userId: string) => Promise<string[]>;

/** What every service is given: configuration, the database and the audit log. */
export interface AppContext {
  config: AppConfig;
  database: AppDatabase;
  db: Db;
  audit: AuditLog;
  /**
   * Features that give staff a working relationship with pupils register a source here at start-up;
   * the permission policy treats those pupils as taught. The platform never reads feature tables.
   */
  taughtPupilsSources?: TaughtPupilsSource[];
}
