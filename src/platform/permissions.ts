// The one permission policy. Every route names an action from here; nothing else decides access.

export const ROLES = ['senco', 'sen_admin', 'teacher', 'teaching_assistant', 'leader', 'governor', 'parent'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  senco: 'SENCO',
  sen_admin: 'SEN administrator',
  teacher: 'Teacher',
  teaching_assistant: 'Teaching assistant',
  leader: 'Senior leader',
  governor: 'Governor',
  parent: 'Parent or carer',
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export interface Actor {
  userId: string;
  displayName: string;
  schoolId: string;
  role: Role;
  /** Pupils in groups this member of staff teaches (teachers and teaching assistants). */
  taughtPupilIds?: ReadonlySet<string>;
  /** Children this parent holds parental responsibility for. */
  childPupilIds?: ReadonlySet<string>;
}

export type PupilResource = { kind: 'pupil'; schoolId: string; pupilId: string };
/** An intervention group, with the staff who run it (loaded by the provision service with the group). */
export type InterventionGroupResource = { kind: 'intervention-group'; schoolId: string; groupId: string; staffUserIds: ReadonlySet<string> };
export type Resource = PupilResource | InterventionGroupResource;

/** 'group-staff': the actor runs the intervention group (is one of its staff). */
type Relationship = 'any' | 'taught' | 'own-child' | 'group-staff';

/** For each action, which roles may take it and, for pupil records, through which relationship. */
const POLICY = {
  'register.view': { senco: 'any', sen_admin: 'any', leader: 'any' },
  'register.export': { senco: 'any', sen_admin: 'any', leader: 'any' },
  'register.counts': { senco: 'any', sen_admin: 'any', leader: 'any', governor: 'any' },
  'pupil.view': { senco: 'any', sen_admin: 'any', leader: 'any', teacher: 'taught', teaching_assistant: 'taught', parent: 'own-child' },
  'pupil.sen.edit': { senco: 'any', sen_admin: 'any' },
  'import.run': { senco: 'any', sen_admin: 'any' },
  'audit.view': { senco: 'any', leader: 'any' },
  'mypupils.view': { teacher: 'any', teaching_assistant: 'any' },
  'mychildren.view': { parent: 'any' },
  // School settings: people and their roles, groups, parents' accounts, the school's details.
  'settings.manage': { senco: 'any' },
  // Provision and interventions (issue 4). The catalogue, groups, impact and costs: managed by the
  // SENCO and SEN administrator, seen by leaders; cost rates and the SEN budget are the SENCO's.
  'provision.view': { senco: 'any', sen_admin: 'any', leader: 'any' },
  'provision.manage': { senco: 'any', sen_admin: 'any' },
  'provision.settings': { senco: 'any' },
  // Costs and impact in aggregate, no child named (governors: small numbers suppressed).
  'provision.aggregate': { senco: 'any', sen_admin: 'any', leader: 'any', governor: 'any' },
  // One intervention group: staff who run it see it and record its sessions, attendance and measures.
  'provision.group.view': { senco: 'any', sen_admin: 'any', leader: 'any', teacher: 'group-staff', teaching_assistant: 'group-staff' },
  'provision.group.record': { senco: 'any', sen_admin: 'any', teacher: 'group-staff', teaching_assistant: 'group-staff' },
  'mygroups.view': { teacher: 'any', teaching_assistant: 'any' },
  // A pupil's Provision tab: teachers for pupils they teach, parents for their own child (no costs).
  'pupil.provision.view': { senco: 'any', sen_admin: 'any', leader: 'any', teacher: 'taught', parent: 'own-child' },
  // The graduated approach (issue 3). Concerns: any teacher or TA about a pupil they teach; the SENCO triages.
  'concern.raise': { senco: 'any', sen_admin: 'any', leader: 'any', teacher: 'taught', teaching_assistant: 'taught' },
  'concern.triage': { senco: 'any', sen_admin: 'any' },
  // The plans hub: reviews due, contributions awaited, parents' meetings this year.
  'plans.overview': { senco: 'any', sen_admin: 'any', leader: 'any' },
  // A pupil's SEN support plan (APDR cycles): teachers and TAs read it for pupils they teach, parents for their child.
  'plan.view': { senco: 'any', sen_admin: 'any', leader: 'any', teacher: 'taught', teaching_assistant: 'taught', parent: 'own-child' },
  'plan.edit': { senco: 'any', sen_admin: 'any' },
  'contribution.request': { senco: 'any', sen_admin: 'any' },
  // Headings and prompts of plans, reviews, passports and contribution forms.
  'templates.manage': { senco: 'any' },
  // The chronology: meetings, calls, emails, agency work, referrals and every change, in one timeline.
  'chronology.view': { senco: 'any', sen_admin: 'any', leader: 'any' },
  'chronology.record': { senco: 'any', sen_admin: 'any' },
  // Meetings with parents: parents see their own child's.
  'meetings.view': { senco: 'any', sen_admin: 'any', leader: 'any', parent: 'own-child' },
  // Uploaded documents; confidential ones (for example an EP report) only the SENCO and SEN administrator open.
  'document.view': { senco: 'any', sen_admin: 'any', leader: 'any', teacher: 'taught', teaching_assistant: 'taught' },
  'document.confidential': { senco: 'any', sen_admin: 'any' },
  'document.upload': { senco: 'any', sen_admin: 'any' },
  // Pupil passports (one-page profiles).
  'passport.view': { senco: 'any', sen_admin: 'any', leader: 'any', teacher: 'taught', teaching_assistant: 'taught', parent: 'own-child' },
  'passport.edit': { senco: 'any', sen_admin: 'any' },
  'myclass.view': { teacher: 'any', teaching_assistant: 'any' },
  // Actions assigned to a member of staff, until done.
  'tasks.view': { senco: 'any', sen_admin: 'any', leader: 'any', teacher: 'any', teaching_assistant: 'any' },
  // Today: the SENCO's and SEN administrator's home page (concerns, reviews, contributions, tasks, in one place).
  'today.view': { senco: 'any', sen_admin: 'any' },
  'account.use': {
    senco: 'any', sen_admin: 'any', teacher: 'any', teaching_assistant: 'any', leader: 'any', governor: 'any', parent: 'any',
  },
} as const satisfies Record<string, Partial<Record<Role, Relationship>>>;

export type Action = keyof typeof POLICY;

export function isAction(value: string): value is Action {
  return Object.hasOwn(POLICY, value);
}

/** Whether the actor's role may take the action at all (the route-level check). */
export function roleMay(role: Role, action: Action): boolean {
  return Object.hasOwn(POLICY[action], role);
}

export function can(actor: Actor, action: Action, resource?: Resource): boolean {
  const relationship = (POLICY[action] as Partial<Record<Role, Relationship>>)[actor.role];
  if (!relationship) return false;
  if (!resource) return true;
  if (resource.schoolId !== actor.schoolId) return false;
  switch (relationship) {
    case 'any':
      return true;
    case 'taught':
      return resource.kind === 'pupil' && (actor.taughtPupilIds?.has(resource.pupilId) ?? false);
    case 'own-child':
      return resource.kind === 'pupil' && (actor.childPupilIds?.has(resource.pupilId) ?? false);
    case 'group-staff':
      return resource.kind === 'intervention-group' && resource.staffUserIds.has(actor.userId);
  }
}

/** Which relationship set the actor needs loaded for pupil-level checks. */
export function relationshipFor(role: Role): 'taught' | 'own-child' | undefined {
  const relationship = (POLICY['pupil.view'] as Partial<Record<Role, Relationship>>)[role];
  return relationship === 'taught' || relationship === 'own-child' ? relationship : undefined;
}

/** Where each role lands after signing in (product.md). */
export function homePath(role: Role): string {
  switch (role) {
    case 'senco':
    case 'sen_admin':
      return '/today';
    case 'teacher':
      return '/my-class';
    case 'teaching_assistant':
      return '/my-groups';
    case 'leader':
    case 'governor':
      return '/overview';
    case 'parent':
      return '/my-children';
  }
}
