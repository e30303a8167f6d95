import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Frozen in time once landed: this file never imports application code.
// The graduated approach (issue 3): concerns, SEN support plans in assess–plan–do–review cycles
// (targets, strategies, who does what), templates the school edits (records keep the version they
// were written with), contribution requests answered through one-time links, meetings and staff
// actions, the chronology's logged contacts and agency work, uploaded documents, pupil passports and
// the school's logo for documents. Dates are 'YYYY-MM-DD'; timestamps ISO; JSON is stored as text.

export async function up(db: Kysely<any>): Promise<void> {
  const binary = db.getExecutor().adapter instanceof PostgresAdapter ? sql`bytea` : sql`blob`;

  // Headings and prompts of plans, reviews, passports and contribution forms. A change is a new
  // version; records point at the version they were written with.
  await db.schema
    .createTable('record_templates')
    .addColumn('school_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull()) // plan | review | passport | contribution-parent | contribution-pupil
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('sections', 'text', (c) => c.notNull()) // JSON [{ key, heading, prompt }]
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addPrimaryKeyConstraint('record_templates_pk', ['school_id', 'id'])
    .execute();
  await db.schema.createIndex('record_templates_version').on('record_templates').columns(['school_id', 'kind', 'version']).unique().execute();

  await db.schema
    .createTable('concerns')
    .addColumn('school_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('pupil_id', 'text', (c) => c.notNull())
    .addColumn('raised_by', 'text', (c) => c.notNull())
    .addColumn('raised_at', 'text', (c) => c.notNull())
    .addColumn('area', 'text') // a broad area of need, if the member of staff can say
    .addColumn('observed', 'text', (c) => c.notNull()) // what they see
    .addColumn('tried', 'text', (c) => c.notNull()) // what they have tried
    .addColumn('duration', 'text', (c) => c.notNull()) // for how long
    .addColumn('status', 'text', (c) => c.notNull()) // open | closed
    .addColumn('outcome', 'text') // monitor | sen-support | refer | no-further-action
    .addColumn('outcome_note', 'text')
    .addColumn('outcome_by', 'text')
    .addColumn('outcome_at', 'text')
    .addPrimaryKeyConstraint('concerns_pk', ['school_id', 'id'])
    .addForeignKeyConstraint('concerns_pupil', ['school_id', 'pupil_id'], 'pupils', ['school_id', 'id'])
    .execute();
  await db.schema.createIndex('concerns_status').on('concerns').columns(['school_id', 'status', 'raised_at']).execute();
  await db.schema.createIndex('concerns_raised_by').on('concerns').columns(['school_id', 'raised_by', 'raised_at']).execute();
  await db.schema.createIndex('concerns_pupil').on('concerns').columns(['school_id', 'pupil_id']).execute();

  // One cycle of assess, plan, do and review. Closing a review opens the next cycle.
  await db.schema
    .createTable('support_cycles')
    .addColumn('school_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('pupil_id', 'text', (c) => c.notNull())
    .addColumn('number', 'integer', (c) => c.notNull()) // 1, 2, 3… for the pupil
    .addColumn('status', 'text', (c) => c.notNull()) // open | closed
    .addColumn('plan_template_id', 'text', (c) => c.notNull())
    .addColumn('assess', 'text', (c) => c.notNull().defaultTo('{}')) // JSON { sectionKey: text }
    .addColumn('started_on', 'text', (c) => c.notNull())
    .addColumn('review_due_on', 'text', (c) => c.notNull())
    .addColumn('review_template_id', 'text')
    .addColumn('review', 'text') // JSON { sectionKey: text }, once reviewed
    .addColumn('reviewed_on', 'text')
    .addColumn('next_review_on', 'text') // agreed at the review: the next cycle's review date
    .addColumn('previous_cycle_id', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('closed_by', 'text')
    .addColumn('closed_at', 'text')
    .addPrimaryKeyConstraint('support_cycles_pk', ['school_id', 'id'])
    .addForeignKeyConstraint('support_cycles_pupil', ['school_id', 'pupil_id'], 'pupils', ['school_id', 'id'])
    .execute();
  await db.schema.createIndex('support_cycles_number').on('support_cycles').columns(['school_id', 'pupil_id', 'number']).unique().execute();
  await db.schema.createIndex('support_cycles_due').on('support_cycles').columns(['school_id', 'status', 'review_due_on']).execute();
  // A pupil has at most one open cycle.
  await sql`create unique index support_cycles_one_open on support_cycles (school_id, pupil_id) where status = 'open'`.execute(db);

  // Outcomes / targets: specific and measurable, with a success criterion and a date; rated at review.
  await db.schema
    .createTable('support_targets')
    .addColumn('school_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('cycle_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('area', 'text')
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('success_criterion', 'text', (c) => c.notNull())
    .addColumn('due_on', 'text', (c) => c.notNull())
    .addColumn('carried_from', 'text') // the target it continues from the previous cycle
    .addColumn('rating', 'text') // achieved | partly | not-yet, at review
    .addColumn('review_note', 'text')
    .addColumn('continues', 'integer') // 1: carried into the next cycle
    .addPrimaryKeyConstraint('support_targets_pk', ['school_id', 'id'])
    .addForeignKeyConstraint('support_targets_cycle', ['school_id', 'cycle_id'], 'support_cycles', ['school_id', 'id'])
    .execute();
  await db.schema.createIndex('support_targets_cycle').on('support_targets').columns(['school_id', 'cycle_id', 'position']).execute();

  await db.schema
    .createTable('support_strategies')
    .addColumn('school_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('cycle_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('strategy', 'text', (c) => c.notNull())
    .addColumn('carried_from', 'text')
    .addPrimaryKeyConstraint('support_strategies_pk', ['school_id', 'id'])
    .addForeignKeyConstraint('support_strategies_cycle', ['school_id', 'cycle_id'], 'support_cycles', ['school_id', 'id'])
    .execute();
  await db.schema.createIndex('support_strategies_cycle').on('support_strategies').columns(['school_id', 'cycle_id', 'position']).execute();

  // The "do": who does what, and how often.
  await db.schema
    .createTable('support_do_items')
    .addColumn('school_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('cycle_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('who', 'text', (c) => c.notNull())
    .addColumn('what', 'text', (c) => c.notNull())
    .addColumn('how_often', 'text', (c) => c.notNull())
    .addColumn('carried_from', 'text')
    .addPrimaryKeyConstraint('support_do_items_pk', ['school_id', 'id'])
    .addForeignKeyConstraint('support_do_items_cycle', ['school_id', 'cycle_id'], 'support_cycles', ['school_id', 'id'])
    .execute();
  await db.schema.createIndex('support_do_items_cycle').on('support_do_items').columns(['school_id', 'cycle_id', 'position']).execute();

  // A request for a parent's or the pupil's views before a review, answered through a one-time link.
  // Only the link token's hash is kept; the link reaches this one form, until it expires or is used.
  await db.schema
    .createTable('contribution_requests')
    .addColumn('school_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('cycle_id', 'text', (c) => c.notNull())
    .addColumn('pupil_id', 'text', (c) => c.notNull())
    .addColumn('respondent', 'text', (c) => c.notNull()) // parent | pupil
    .addColumn('contact_id', 'text') // which parent, when a parent
    .addColumn('recipient_name', 'text', (c) => c.notNull())
    .addColumn('recipient_email', 'text')
    .addColumn('template_id', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('emailed_at', 'text')
    .addColumn('opened_at', 'text')
    .addColumn('submitted_at', 'text')
    .addColumn('answers', 'text') // JSON { sectionKey: text }, verbatim
    .addColumn('superseded_at', 'text') // resent: this link no longer works
    .addPrimaryKeyConstraint('contribution_requests_pk', ['school_id', 'id'])
    .addForeignKeyConstraint('contribution_requests_cycle', ['school_id', 'cycle_id'], 'support_cycles', ['school_id', 'id'])
    .execute();
  await db.schema.createIndex('contribution_requests_token').on('contribution_requests').columns(['token_hash']).unique().execute();
  await db.schema.createIndex('contribution_requests_cycle').on('contribution_requests').columns(['school_id', 'cycle_id']).execute();
  await db.schema.createIndex('contribution_requests_waiting').on('contribution_requests').columns(['school_id', 'submitted_at', 'expires_at']).execute();

  await db.schema
    .createTable('pupil_meetings')
    .addColumn('school_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('pupil_id', 'text', (c) => c.notNull())
    .addColumn('held_on', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull()) // parents | review | multi-agency | other
    .addColumn('with_parents', 'integer', (c) => c.notNull()) // counts towards the three a year (CoP 6.65)
    .addColumn('attendees', 'text', (c) => c.notNull())
    .addColumn('notes', 'text', (c) => c.notNull())
    .addColumn('cycle_id', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('pupil_meetings_pk', ['school_id', 'id'])
    .addForeignKeyConstraint('pupil_meetings_pupil', ['school_id', 'pupil_id'], 'pupils', ['school_id', 'id'])
    .execute();
  await db.schema.createIndex('pupil_meetings_pupil').on('pupil_meetings').columns(['school_id', 'pupil_id', 'held_on']).execute();
  await db.schema.createIndex('pupil_meetings_parents').on('pupil_meetings').columns(['school_id', 'with_parents', 'held_on']).execute();

  // Actions for staff (from a meeting, or on their own): in the owner's task list until done.
  await db.schema
    .createTable('staff_actions')
    .addColumn('school_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('pupil_id', 'text', (c) => c.notNull())
    .addColumn('meeting_id', 'text')
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('owner_user_id', 'text', (c) => c.notNull())
    .addColumn('due_on', 'text', (c) => c.notNull())
    .addColumn('done_at', 'text')
    .addColumn('done_by', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('staff_actions_pk', ['school_id', 'id'])
    .addForeignKeyConstraint('staff_actions_pupil', ['school_id', 'pupil_id'], 'pupils', ['school_id', 'id'])
    .execute();
  await db.schema.createIndex('staff_actions_owner').on('staff_actions').columns(['school_id', 'owner_user_id', 'done_at', 'due_on']).execute();
  await db.schema.createIndex('staff_actions_pupil').on('staff_actions').columns(['school_id', 'pupil_id']).execute();
  await db.schema.createIndex('staff_actions_meeting').on('staff_actions').columns(['school_id', 'meeting_id']).execute();

  // Logged contacts and agency work: phone calls, emails, agency involvement, referrals, notes.
  await db.schema
    .createTable('chronology_entries')
    .addColumn('school_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('pupil_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull()) // phone-call | email | agency | referral | note
    .addColumn('occurred_on', 'text', (c) => c.notNull())
    .addColumn('agency', 'text')
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('details', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text') // the last correction, if any
    .addColumn('updated_at', 'text')
    .addColumn('removed_by', 'text') // removed by mistake: kept, hidden from the timeline
    .addColumn('removed_at', 'text')
    .addPrimaryKeyConstraint('chronology_entries_pk', ['school_id', 'id'])
    .addForeignKeyConstraint('chronology_entries_pupil', ['school_id', 'pupil_id'], 'pupils', ['school_id', 'id'])
    .execute();
  await db.schema.createIndex('chronology_entries_pupil').on('chronology_entries').columns(['school_id', 'pupil_id', 'occurred_on']).execute();

  // Uploaded documents (reports from educational psychologists, speech and language therapists…).
  // The bytes sit in their own table so listing documents never reads them.
  await db.schema
    .createTable('pupil_documents')
    .addColumn('school_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('pupil_id', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('document_date', 'text', (c) => c.notNull())
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('confidential', 'integer', (c) => c.notNull()) // 1: only the SENCO and SEN administrator may open it
    .addColumn('concern_id', 'text') // evidence attached to a concern
    .addColumn('uploaded_by', 'text')
    .addColumn('uploaded_at', 'text', (c) => c.notNull())
    .addColumn('removed_by', 'text')
    .addColumn('removed_at', 'text')
    .addPrimaryKeyConstraint('pupil_documents_pk', ['school_id', 'id'])
    .addForeignKeyConstraint('pupil_documents_pupil', ['school_id', 'pupil_id'], 'pupils', ['school_id', 'id'])
    .execute();
  await db.schema.createIndex('pupil_documents_pupil').on('pupil_documents').columns(['school_id', 'pupil_id', 'document_date']).execute();
  await db.schema.createIndex('pupil_documents_concern').on('pupil_documents').columns(['school_id', 'concern_id']).execute();
  await db.schema
    .createTable('pupil_document_files')
    .addColumn('school_id', 'text', (c) => c.notNull())
    .addColumn('document_id', 'text', (c) => c.notNull())
    .addColumn('body', binary, (c) => c.notNull())
    .addPrimaryKeyConstraint('pupil_document_files_pk', ['school_id', 'document_id'])
    .addForeignKeyConstraint('pupil_document_files_document', ['school_id', 'document_id'], 'pupil_documents', ['school_id', 'id'])
    .execute();

  // One-page profiles. Every save is a new version, so earlier wording is never lost.
  await db.schema
    .createTable('pupil_passports')
    .addColumn('school_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('pupil_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('template_id', 'text', (c) => c.notNull())
    .addColumn('sections', 'text', (c) => c.notNull()) // JSON { sectionKey: { text, pupilWords } }
    .addColumn('strategies', 'text', (c) => c.notNull()) // JSON [text]
    .addColumn('restored_from', 'integer') // the version this one restored, when it was a restore
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('pupil_passports_pk', ['school_id', 'id'])
    .addForeignKeyConstraint('pupil_passports_pupil', ['school_id', 'pupil_id'], 'pupils', ['school_id', 'id'])
    .execute();
  await db.schema.createIndex('pupil_passports_version').on('pupil_passports').columns(['school_id', 'pupil_id', 'version']).unique().execute();

  await db.schema
    .createTable('school_logos')
    .addColumn('school_id', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull()) // image/png | image/jpeg
    .addColumn('body', binary, (c) => c.notNull())
    .addColumn('uploaded_by', 'text')
    .addColumn('uploaded_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('school_logos_pk', ['school_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'school_logos', 'pupil_passports', 'pupil_document_files', 'pupil_documents', 'chronology_entries', 'staff_actions', 'pupil_meetings',
    'contribution_requests', 'support_do_items', 'support_strategies', 'support_targets', 'support_cycles', 'concerns', 'record_templates',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
