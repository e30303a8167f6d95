// For tests: an open (or reviewed) SEN support cycle for a pupil, written straight to the table, so the
// voice tests do not depend on the plans feature's forms.
import type { DbOrTransaction } from '../../db/database.ts';
import { newId } from '../../platform/ids.ts';
import { schoolScope } from '../../platform/scope.ts';
import { getCurrentTemplate } from '../plans/templates.ts';

export async function insertTestCycle(db: DbOrTransaction, schoolId: string, pupilId: string, options: { status?: 'open' | 'closed'; number?: number; reviewDueOn?: string } = {}): Promise<string> {
  const id = newId();
  const now = new Date().toISOString();
  const plan = await getCurrentTemplate(db, schoolScope(schoolId), 'plan');
  await db
    .insertInto('support_cycles')
    .values({
      school_id: schoolId, id, pupil_id: pupilId, number: options.number ?? 1, status: options.status ?? 'open', plan_template_id: plan.id,
      assess: '{}', started_on: '2026-01-05', review_due_on: options.reviewDueOn ?? '2026-04-01', review_template_id: null, review: null,
      reviewed_on: options.status === 'closed' ? '2026-04-01' : null, previous_cycle_id: null, created_by: null, created_at: now, updated_by: null, updated_at: now,
      closed_by: null, closed_at: options.status === 'closed' ? now : null,
    })
    .execute();
  return id;
}

/** The one-time link shown on a confirmation page (the only place it appears). */
export function linksOnPage(body: string): string[] {
  return [...body.matchAll(/readonly value="https?:\/\/[^"/]+(\/contribute\/[A-Za-z0-9_-]{43})"/g)].map((match) => match[1]!);
}
