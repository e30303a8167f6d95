import type { Generated } from 'kysely';

// Row types for Kysely. Keep in step with migrations/ (docs/data-model.md explains each table).
export type Flag = 0 | 1;

export interface SchoolsTable {
  id: string;
  name: string;
  urn: string | null;
  laestab: string | null;
  la_name: string | null;
  phase: string;
  register_version: Generated<number>;
  created_at: string;
}

export interface UsersTable {
  id: string;
  email: string;
  display_name: string;
  password_hash: string | null;
  created_at: string;
  disabled_at: string | null;
}

export interface MembershipsTable {
  school_id: string;
  user_id: string;
  role: string;
  created_at: string;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  school_id: string | null;
  csrf_token: string;
  created_at: string;
  expires_at: string;
  ip: string | null;
  user_agent: string | null;
}

export interface LoginFailuresTable {
  id: string;
  email: string;
  ip: string;
  at: string;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  school_id: string;
  name: string;
  token_hash: string;
  token_hint: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface PupilsTable {
  school_id: string;
  id: string;
  upn: string | null;
  former_upn: string | null;
  uln: string | null;
  uci: string | null;
  legal_surname: string;
  legal_forename: string;
  middle_names: string | null;
  preferred_surname: string | null;
  preferred_forename: string | null;
  date_of_birth: string;
  sex: string | null;
  year_group: number | null;
  registration_group: string | null;
  ethnicity: string | null;
  first_language: string | null;
  fsm: number;
  pupil_premium: number;
  eal: number;
  looked_after: number;
  care_authority: string | null;
  medical_flag: number;
  enrol_status: string | null;
  on_roll: number;
  left_on: string | null;
  address: string | null;
  sen_provision: string;
  sen_since: string | null;
  primary_need: string | null;
  secondary_need: string | null;
  search_text: string;
  created_at: string;
  updated_at: string;
}

export interface SenProvisionPeriodsTable {
  school_id: string;
  id: string;
  pupil_id: string;
  provision: string;
  start_date: string;
  end_date: string | null;
  change_id: string | null;
}

export interface SenNeedPeriodsTable {
  school_id: string;
  id: string;
  pupil_id: string;
  need: string;
  rank: number;
  start_date: string;
  end_date: string | null;
  change_id: string | null;
}

export interface SenChangesTable {
  school_id: string;
  id: string;
  pupil_id: string;
  kind: string;
  effective_date: string;
  reason: string;
  provision_before: string | null;
  provision_after: string | null;
  needs_before: string;
  needs_after: string;
  source: string;
  recorded_by: string | null;
  recorded_at: string;
}

export interface ContactsTable {
  school_id: string;
  id: string;
  pupil_id: string;
  contact_order: number;
  title: string | null;
  forename: string | null;
  surname: string;
  relationship: string | null;
  parental_responsibility: number;
  phone: string | null;
  email: string | null;
  user_id: string | null;
}

export interface TeachingGroupsTable {
  school_id: string;
  id: string;
  name: string;
  kind: string;
  subject: string | null;
  year_group: number | null;
}

export interface GroupMembersTable {
  school_id: string;
  group_id: string;
  pupil_id: string;
}

export interface GroupStaffTable {
  school_id: string;
  group_id: string;
  user_id: string;
}

export interface AuditEventsTable {
  school_id: string;
  seq: number;
  at: string;
  actor_user_id: string | null;
  actor_label: string | null;
  action: string;
  pupil_id: string | null;
  detail: string | null;
  ip: string | null;
  prev_hash: string;
  hash: string;
}

export interface AuditChainHeadsTable {
  school_id: string;
  seq: number;
  hash: string;
}

export interface ImportBatchesTable {
  school_id: string;
  id: string;
  kind: string;
  filename: string;
  file_sha256: string;
  status: string;
  summary: string | null;
  payload: string | null;
  created_by: string;
  created_at: string;
  committed_at: string | null;
}

export interface ImportMappingsTable {
  school_id: string;
  header_signature: string;
  mapping: string;
  updated_at: string;
}

export interface GroupImportBatchesTable {
  school_id: string;
  id: string;
  filename: string;
  file_sha256: string;
  status: string;
  summary: string | null;
  content: string | null;
  created_by: string;
  created_at: string;
  committed_at: string | null;
}

// Provision and interventions (migration 0003_provision) ------------------------------------------

export interface ProvisionsTable {
  school_id: string;
  id: string;
  name: string;
  description: string | null;
  tier: string;
  area: string;
  group_size: number;
  sessions_per_week: number;
  minutes_per_session: number;
  staff_type: string;
  cost_model: string;
  cost_pence: number | null;
  measure: string;
  scale_min: number | null;
  scale_max: number | null;
  archived_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ProvisionSettingsTable {
  school_id: string;
  teacher_rate_pence: number;
  ta_rate_pence: number;
  specialist_rate_pence: number;
  external_rate_pence: number;
  sen_budget_pence: number | null;
  updated_at: string;
  updated_by: string | null;
}

export interface InterventionGroupsTable {
  school_id: string;
  id: string;
  provision_id: string;
  name: string;
  start_date: string;
  end_date: string;
  weeks: number;
  sessions_per_week: number;
  minutes_per_session: number;
  days: string;
  time: string | null;
  created_at: string;
  updated_at: string;
}

export interface InterventionGroupStaffTable {
  school_id: string;
  group_id: string;
  user_id: string;
}

export interface InterventionMembersTable {
  school_id: string;
  group_id: string;
  pupil_id: string;
  source: string | null;
  added_on: string;
  left_on: string | null;
  entry_value: number | null;
  entry_date: string | null;
  exit_value: number | null;
  exit_date: string | null;
  updated_at: string;
}

export interface InterventionSessionsTable {
  school_id: string;
  id: string;
  group_id: string;
  held_on: string;
  status: string;
  note: string | null;
  recorded_by: string | null;
  recorded_at: string;
}

export interface InterventionAttendanceTable {
  school_id: string;
  session_id: string;
  group_id: string;
  pupil_id: string;
  status: string;
  reason: string | null;
}

export interface StaffHoursTable {
  school_id: string;
  user_id: string;
  contracted_hours: number;
  updated_at: string;
  updated_by: string | null;
}

// The graduated approach (issue 3) -------------------------------------------------------------------

export interface RecordTemplatesTable {
  school_id: string;
  id: string;
  kind: string;
  version: number;
  sections: string;
  created_at: string;
  created_by: string | null;
}

export interface ConcernsTable {
  school_id: string;
  id: string;
  pupil_id: string;
  raised_by: string;
  raised_at: string;
  area: string | null;
  observed: string;
  tried: string;
  duration: string;
  status: string;
  outcome: string | null;
  outcome_note: string | null;
  outcome_by: string | null;
  outcome_at: string | null;
}

export interface SupportCyclesTable {
  school_id: string;
  id: string;
  pupil_id: string;
  number: number;
  status: string;
  plan_template_id: string;
  assess: Generated<string>;
  started_on: string;
  review_due_on: string;
  review_template_id: string | null;
  review: string | null;
  reviewed_on: string | null;
  next_review_on: string | null;
  previous_cycle_id: string | null;
  created_by: string | null;
  created_at: string;
  updated_by: string | null;
  updated_at: string;
  closed_by: string | null;
  closed_at: string | null;
}

export interface SupportTargetsTable {
  school_id: string;
  id: string;
  cycle_id: string;
  position: number;
  area: string | null;
  target: string;
  success_criterion: string;
  due_on: string;
  carried_from: string | null;
  rating: string | null;
  review_note: string | null;
  continues: Flag | null;
}

export interface SupportStrategiesTable {
  school_id: string;
  id: string;
  cycle_id: string;
  position: number;
  strategy: string;
  carried_from: string | null;
}

export interface SupportDoItemsTable {
  school_id: string;
  id: string;
  cycle_id: string;
  position: number;
  who: string;
  what: string;
  how_often: string;
  carried_from: string | null;
}

export interface ContributionRequestsTable {
  school_id: string;
  id: string;
  cycle_id: string;
  pupil_id: string;
  respondent: string;
  contact_id: string | null;
  recipient_name: string;
  recipient_email: string | null;
  template_id: string;
  token_hash: string;
  created_by: string | null;
  created_at: string;
  expires_at: string;
  emailed_at: string | null;
  opened_at: string | null;
  submitted_at: string | null;
  answers: string | null;
  superseded_at: string | null;
}

export interface PupilMeetingsTable {
  school_id: string;
  id: string;
  pupil_id: string;
  held_on: string;
  kind: string;
  with_parents: Flag;
  attendees: string;
  notes: string;
  cycle_id: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface StaffActionsTable {
  school_id: string;
  id: string;
  pupil_id: string;
  meeting_id: string | null;
  description: string;
  owner_user_id: string;
  due_on: string;
  done_at: string | null;
  done_by: string | null;
  created_by: string | null;
  created_at: string;
}

export interface ChronologyEntriesTable {
  school_id: string;
  id: string;
  pupil_id: string;
  kind: string;
  occurred_on: string;
  agency: string | null;
  summary: string;
  details: string | null;
  created_by: string | null;
  created_at: string;
  /** The last correction, if any. */
  updated_by: string | null;
  updated_at: string | null;
  /** Removed as a mistake: the row is kept, hidden from the timeline. */
  removed_by: string | null;
  removed_at: string | null;
}

export interface PupilDocumentsTable {
  school_id: string;
  id: string;
  pupil_id: string;
  title: string;
  category: string;
  document_date: string;
  filename: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  confidential: Flag;
  concern_id: string | null;
  uploaded_by: string | null;
  uploaded_at: string;
  removed_by: string | null;
  removed_at: string | null;
}

export interface PupilDocumentFilesTable {
  school_id: string;
  document_id: string;
  body: Uint8Array;
}

export interface PupilPassportsTable {
  school_id: string;
  id: string;
  pupil_id: string;
  version: number;
  template_id: string;
  sections: string;
  strategies: string;
  restored_from: number | null;
  created_by: string | null;
  created_at: string;
}

export interface SchoolLogosTable {
  school_id: string;
  content_type: string;
  body: Uint8Array;
  uploaded_by: string | null;
  uploaded_at: string;
}

export interface Database {
  schools: SchoolsTable;
  users: UsersTable;
  memberships: MembershipsTable;
  sessions: SessionsTable;
  login_failures: LoginFailuresTable;
  api_tokens: ApiTokensTable;
  pupils: PupilsTable;
  sen_provision_periods: SenProvisionPeriodsTable;
  sen_need_periods: SenNeedPeriodsTable;
  sen_changes: SenChangesTable;
  contacts: ContactsTable;
  teaching_groups: TeachingGroupsTable;
  group_members: GroupMembersTable;
  group_staff: GroupStaffTable;
  audit_events: AuditEventsTable;
  audit_chain_heads: AuditChainHeadsTable;
  import_batches: ImportBatchesTable;
  import_mappings: ImportMappingsTable;
  group_import_batches: GroupImportBatchesTable;
  provisions: ProvisionsTable;
  provision_settings: ProvisionSettingsTable;
  intervention_groups: InterventionGroupsTable;
  intervention_group_staff: InterventionGroupStaffTable;
  intervention_members: InterventionMembersTable;
  intervention_sessions: InterventionSessionsTable;
  intervention_attendance: InterventionAttendanceTable;
  staff_hours: StaffHoursTable;
  record_templates: RecordTemplatesTable;
  concerns: ConcernsTable;
  support_cycles: SupportCyclesTable;
  support_targets: SupportTargetsTable;
  support_strategies: SupportStrategiesTable;
  support_do_items: SupportDoItemsTable;
  contribution_requests: ContributionRequestsTable;
  pupil_meetings: PupilMeetingsTable;
  staff_actions: StaffActionsTable;
  chronology_entries: ChronologyEntriesTable;
  pupil_documents: PupilDocumentsTable;
  pupil_document_files: PupilDocumentFilesTable;
  pupil_passports: PupilPassportsTable;
  school_logos: SchoolLogosTable;
}
