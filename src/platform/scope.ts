/**
 * A school scope is the first argument of every repository function that touches school-owned
 * rows, so a query without one does not type-check. Only the auth layer and trusted jobs make one.
 */
export interface SchoolScope {
  readonly schoolId: string;
  readonly __scope: 'school';
}

export function schoolScope(schoolId: string): SchoolScope {
  if (!schoolId) throw new Error('A school scope needs a school id');
  return { schoolId, __scope: 'school' } as SchoolScope;
}

/** The scope of the school the signed-in person is acting in. */
export function scopeOf(actor: { readonly schoolId: string }): SchoolScope {
  return schoolScope(actor.schoolId);
}
