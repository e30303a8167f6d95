import type { Db } from '../../db/database.ts';
import type { SchoolScope } from '../../platform/scope.ts';

export interface AuditFilters {
  action?: string;
  actorUserId?: string;
  pupilId?: string;
  from?: string; // ISO instant, inclusive
  to?: string; // ISO instant, exclusive
}

function filtered(db: Db, scope: SchoolScope, filters: AuditFilters) {
  let query = db.selectFrom('audit_events').where('audit_events.school_id', '=', scope.schoolId);
  if (filters.action) query = query.where('audit_events.action', '=', filters.action);
  if (filters.actorUserId) query = query.where('audit_events.actor_user_id', '=', filters.actorUserId);
  if (filters.pupilId) query = query.where('audit_events.pupil_id', '=', filters.pupilId);
  if (filters.from) query = query.where('audit_events.at', '>=', filters.from);
  if (filters.to) query = query.where('audit_events.at', '<', filters.to);
  return query;
}

export async function listAuditEvents(db: Db, scope: SchoolScope, filters: AuditFilters, page: { limit: number; offset: number }) {
  return filtered(db, scope, filters)
    .leftJoin('users', 'users.id', 'audit_events.actor_user_id')
    .select([
      'audit_events.seq',
      'audit_events.at',
      'audit_events.action',
      'audit_events.actor_label',
      'audit_events.pupil_id',
      'audit_events.detail',
      'audit_events.ip',
      'audit_events.hash',
      'users.email as actor_email',
    ])
    .orderBy('audit_events.seq', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

export async function countAuditEvents(db: Db, scope: SchoolScope, filters: AuditFilters) {
  const row = await filtered(db, scope, filters).select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirst();
  return Number(row?.count ?? 0);
}

export async function listAuditActions(db: Db, scope: SchoolScope) {
  const rows = await db.selectFrom('audit_events').select('action').distinct().where('school_id', '=', scope.schoolId).orderBy('action').execute();
  return rows.map((row) => row.action);
}

export async function listAuditActors(db: Db, scope: SchoolScope) {
  return db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['users.id', 'users.display_name', 'users.email', 'memberships.role'])
    .where('memberships.school_id', '=', scope.schoolId)
    .orderBy('users.display_name')
    .execute();
}
