import type { AppContext } from '../../src/platform/context.ts';

/** The audit events of one action in a school, oldest first, with their detail parsed (after flushing buffered reads). */
export async function auditEvents(ctx: AppContext, schoolId: string, action: string) {
  await ctx.audit.flush();
  const rows = await ctx.db.selectFrom('audit_events').select(['action', 'detail', 'pupil_id', 'actor_user_id']).where('school_id', '=', schoolId).where('action', '=', action).orderBy('seq').execute();
  return rows.map((row) => ({ ...row, detail: JSON.parse(String(row.detail ?? 'null')) as Record<string, unknown> }));
}
