import type { AppConfig } from '../config.ts';
import type { AppDatabase, Db } from '../db/database.ts';
import type { AuditLog } from './audit/audit-log.ts';
import type { Actor } from './permissions.ts';

/** Pupils a member of staff works with through one feature (e.g. intervention groups they run). */
export type TaughtPupilsSource = (schoolId: string, userId: string) => Promise<string[]>;

/** One dated thing that happened to a pupil, for the chronology (one timeline per child). */
export interface ChronologyEvent {
  /** The day it happened or takes effect: 'YYYY-MM-DD'. */
  date: string;
  /** When it was recorded (ISO timestamp): orders events on the same day. */
  recordedAt: string;
  /** The filter it belongs to, e.g. 'sen', 'plan', 'review', 'contribution', 'concern', 'meeting', 'contact', 'agency', 'document', 'provision'. */
  category: string;
  title: string;
  /** Lines of detail shown under the title (plain text). */
  detail?: string[];
  /** Who recorded it. */
  by?: string | null;
  /** Where to read more, if the reader may open it. */
  href?: string;
}

/**
 * A feature's events for one pupil, already filtered to what the actor may see. Called only after the
 * chronology has checked the actor may view the pupil's chronology; the source audits nothing itself.
 */
export type ChronologySource = (actor: Actor, pupilId: string) => Promise<ChronologyEvent[]>;

/** A line on a parent's card for one child on "My child": what it is, what it says, where to read more. */
export interface ChildSummaryRow {
  key: string;
  value: string;
  href?: string;
  linkText?: string;
}

/**
 * A feature's lines for each of a parent's children (pupil id → rows), for the "My child" page:
 * called with the parent's own children only; the source audits nothing itself.
 */
export type ChildSummarySource = (actor: Actor, pupilIds: string[]) => Promise<Map<string, ChildSummaryRow[]>>;

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
  /** Features that record things about a pupil register a source here; the chronology merges them. */
  chronologySources?: ChronologySource[];
  /** Features that keep something a parent should see first (the plan, the passport, meetings) add lines to "My child". */
  childSummarySources?: ChildSummarySource[];
}
