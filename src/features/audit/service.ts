import type { AppContext } from '../../platform/context.ts';
import { isIsoDate } from '../../platform/dates.ts';
import type { FieldError } from '../../platform/errors.ts';
import type { Actor } from '../../platform/permissions.ts';
import { schoolScope } from '../../platform/scope.ts';
import { pupilNames } from '../register/service.ts';
import { TZDate } from '@date-fns/tz';
import * as repository from './repository.ts';

export const AUDIT_PAGE_SIZE = 100;

export interface AuditQuery {
  action: string;
  user: string;
  pupil: string;
  from: string;
  to: string;
  page: number;
}

export function parseAuditQuery(raw: Record<string, unknown>): { query: AuditQuery; problems: FieldError[] } {
  const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');
  const query: AuditQuery = {
    action: text(raw.action),
    user: text(raw.user),
    pupil: text(raw.pupil),
    from: text(raw.from),
    to: text(raw.to),
    page: Math.max(1, Number.parseInt(text(raw.page) || '1', 10) || 1),
  };
  const problems: FieldError[] = [];
  if (query.from && !isIsoDate(query.from)) problems.push({ field: 'from', message: 'The “from” date must be a real date, like 2026-09-01' });
  if (query.to && !isIsoDate(query.to)) problems.push({ field: 'to', message: 'The “to” date must be a real date, like 2026-12-31' });
  if (!problems.length && query.from && query.to && query.from > query.to) problems.push({ field: 'to', message: 'The “to” date must be the same as or after the “from” date' });
  return { query, problems };
}

/** Start of a London school day as a UTC instant, so filters match what staff saw on the clock. */
function londonMidnight(isoDate: string, addDays = 0): string {
  const [year, month, day] = isoDate.split('-').map(Number) as [number, number, number];
  return new TZDate(year, month - 1, day + addDays, 'Europe/London').toISOString();
}

export async function getAuditLog(ctx: AppContext, actor: Actor, query: AuditQuery, valid: boolean, ip: string) {
  const scope = schoolScope(actor.schoolId);
  const filters: repository.AuditFilters = valid
    ? {
        ...(query.action ? { action: query.action } : {}),
        ...(query.user ? { actorUserId: query.user } : {}),
        ...(query.pupil ? { pupilId: query.pupil } : {}),
        ...(query.from ? { from: londonMidnight(query.from) } : {}),
        ...(query.to ? { to: londonMidnight(query.to, 1) } : {}),
      }
    : {};
  const [total, actions, actors] = await Promise.all([
    repository.countAuditEvents(ctx.db, scope, filters),
    repository.listAuditActions(ctx.db, scope),
    repository.listAuditActors(ctx.db, scope),
  ]);
  const pageCount = Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE));
  const page = Math.min(query.page, pageCount);
  const events = await repository.listAuditEvents(ctx.db, scope, filters, { limit: AUDIT_PAGE_SIZE, offset: (page - 1) * AUDIT_PAGE_SIZE });
  const names = await pupilNames(ctx, scope, [...events.map((event) => event.pupil_id).filter((id): id is string => Boolean(id)), ...(query.pupil ? [query.pupil] : [])]);
  ctx.audit.recordRead({ schoolId: actor.schoolId, action: 'audit.viewed', actorUserId: actor.userId, actorLabel: actor.displayName, detail: { filters: query }, ip });
  return {
    total,
    page,
    pageCount,
    actions,
    actors,
    pupilFilterName: query.pupil ? names.get(query.pupil)?.name : undefined,
    events: events.map((event) => ({
      ...event,
      seq: Number(event.seq),
      pupil: event.pupil_id ? names.get(event.pupil_id) : undefined,
      detailText: event.detail ? summariseDetail(event.detail) : '',
    })),
  };
}

function summariseDetail(detail: string): string {
  try {
    const parsed = JSON.parse(detail) as Record<string, unknown>;
    return Object.entries(parsed)
      .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join('; ')
      .slice(0, 300);
  } catch {
    return detail.slice(0, 300);
  }
}
