import type { Kysely } from 'kysely';

// Frozen in time: this file never imports application code.
// Conventions (docs/data-model.md): ids are text (UUIDv7), dates are 'YYYY-MM-DD' text,
// instants are ISO-8601 UTC text, flags are integers 0/1, JSON is text. Every school-owned
// table has school_id first in its primary key and indexes, ready for distribution by school.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('schools')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('urn', 'text')
    .addColumn('laestab', 'text')
    .addColumn('la_name', 'text')
    .addColumn('phase', 'text', (c) => c.notNull().defaultTo('secondary'))
    // Bumped by every write that changes what the register shows, so rendered pages can be reused safely.
    .addColumn('register_version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('disabled_at', 'text')
    .execute();

  await db.schema
    .createTable('memberships')
    .addColumn('school_id', 'text', (c) => c.notNull().references('schools.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('memberships_pk', ['school_id', 'user_id'])
    .execute();
  await db.schema.createIndex('memberships_user').on('memberships').columns(['user_id']).execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey()) // sha256 of the cookie token
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('school_id', 'text')
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').columns(['user_id']).execute();

  await db.schema
    .createTable('login_failures')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('login_failures_email').on('login_failures').columns(['email', 'at']).execute();
  await db.schema.createIndex('login_failures_ip').on('login_failures').columns(['ip', 'at']).execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('school_id', 'text', (c) => c.notNull().references('schools.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('token_hint', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('api_tokens_user').on('api_tokens').columns(['user_id']).execute();

  await db.schema
    .createTable('pupils')
    .addColumn('school_id', 'text', (c) => c.notNull().references('schools.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('upn', 'text')
    .addColumn('former_upn', 'text')
    .addColumn('uln', 'text')
    .addColumn('uci', 'text')
    .addColumn('legal_surname', 'text', (c) => c.notNull())
    .addColumn('legal_forename', 'text', (c) => c.notNull())
    .addColumn('middle_names', 'text')
    .addColumn('preferred_surname', 'text')
    .addColumn('preferred_forename', 'text')
    .addColumn('date_of_birth', 'text', (c) => c.notNull())
    .addColumn('sex', 'text')
    .addColumn('year_group', 'integer') // NC year: -2 N1, -1 N2, 0 Reception, 1..14
    .addColumn('registration_group', 'text')
    .addColumn('ethnicity', 'text')
    .addColumn('first_language', 'text')
    .addColumn('fsm', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('pupil_premium', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('eal', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('looked_after', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('care_authority', 'text')
    .addColumn('medical_flag', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('enrol_status', 'text')
    .addColumn('on_roll', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('left_on', 'text')
    .addColumn('address', 'text')
    // Current SEN status, kept up to date on write so the register is one indexed query.
    .addColumn('sen_provision', 'text', (c) => c.notNull().defaultTo('N'))
    .addColumn('sen_since', 'text')
    .addColumn('primary_need', 'text')
    .addColumn('secondary_need', 'text')
    .addColumn('search_text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('pupils_pk', ['school_id', 'id'])
    .execute();
  await db.schema.createIndex('pupils_upn').on('pupils').columns(['school_id', 'upn']).unique().execute();
  await db.schema
    .createIndex('pupils_register')
    .on('pupils')
    .columns(['school_id', 'on_roll', 'sen_provision', 'legal_surname', 'legal_forename'])
    .execute();
  // Covering indexes: the register's headline counts and year list never touch the table rows.
  await db.schema
    .createIndex('pupils_register_counts')
    .on('pupils')
    .columns(['school_id', 'on_roll', 'sen_provision', 'primary_need', 'year_group'])
    .execute();
  await db.schema.createIndex('pupils_year').on('pupils').columns(['school_id', 'on_roll', 'year_group']).execute();

  // A pupil's SEN provision over time: one row a period, never overwritten.
  await db.schema
    .createTable('sen_provision_periods')
    .addColumn('school_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('pupil_id', 'text', (c) => c.notNull())
    .addColumn('provision', 'text', (c) => c.notNull())
    .addColumn('start_date', 'text', (c) => c.notNull())
    .addColumn('end_date', 'text')
    .addColumn('change_id', 'text')
    .addPrimaryKeyConstraint('sen_provision_periods_pk', ['school_id', 'id'])
    .addForeignKeyConstraint('sen_provision_periods_pupil', ['school_id', 'pupil_id'], 'pupils', ['school_id', 'id'])
    .execute();
  await db.schema
    .createIndex('sen_provision_periods_pupil')
    .on('sen_provision_periods')
    .columns(['school_id', 'pupil_id', 'start_date'])
    .execute();

  await db.schema
    .createTable('sen_need_periods')
    .addColumn('school_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('pupil_id', 'text', (c) => c.notNull())
    .addColumn('need', 'text', (c) => c.notNull())
    .addColumn('rank', 'integer', (c) => c.notNull())
    .addColumn('start_date', 'text', (c) => c.notNull())
    .addColumn('end_date', 'text')
    .addColumn('change_id', 'text')
    .addPrimaryKeyConstraint('sen_need_periods_pk', ['school_id', 'id'])
    .addForeignKeyConstraint('sen_need_periods_pupil', ['school_id', 'pupil_id'], 'pupils', ['school_id', 'id'])
    .execute();
  await db.schema
    .createIndex('sen_need_periods_pupil')
    .on('sen_need_periods')
    .columns(['school_id', 'pupil_id', 'start_date'])
    .execute();

  // Each change to SEN status or needs: who, when, effective from, why. The timeline reads this.
  await db.schema
    .createTable('sen_changes')
    .addColumn('school_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('pupil_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('effective_date', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('provision_before', 'text')
    .addColumn('provision_after', 'text')
    .addColumn('needs_before', 'text', (c) => c.notNull()) // JSON [{need, rank}]
    .addColumn('needs_after', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('recorded_by', 'text')
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('sen_changes_pk', ['school_id', 'id'])
    .addForeignKeyConstraint('sen_changes_pupil', ['school_id', 'pupil_id'], 'pupils', ['school_id', 'id'])
    .execute();
  await db.schema
    .createIndex('sen_changes_pupil')
    .on('sen_changes')
    .columns(['school_id', 'pupil_id', 'recorded_at'])
    .execute();

  await db.schema
    .createTable('contacts')
    .addColumn('school_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('pupil_id', 'text', (c) => c.notNull())
    .addColumn('contact_order', 'integer', (c) => c.notNull())
    .addColumn('title', 'text')
    .addColumn('forename', 'text')
    .addColumn('surname', 'text', (c) => c.notNull())
    .addColumn('relationship', 'text')
    .addColumn('parental_responsibility', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('phone', 'text')
    .addColumn('email', 'text')
    .addColumn('user_id', 'text') // a parent's account, when they have one
    .addPrimaryKeyConstraint('contacts_pk', ['school_id', 'id'])
    .addForeignKeyConstraint('contacts_pupil', ['school_id', 'pupil_id'], 'pupils', ['school_id', 'id'])
    .execute();
  await db.schema.createIndex('contacts_pupil').on('contacts').columns(['school_id', 'pupil_id']).execute();
  await db.schema.createIndex('contacts_user').on('contacts').columns(['school_id', 'user_id']).execute();

  await db.schema
    .createTable('teaching_groups')
    .addColumn('school_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull()) // registration | teaching
    .addColumn('subject', 'text')
    .addColumn('year_group', 'integer')
    .addPrimaryKeyConstraint('teaching_groups_pk', ['school_id', 'id'])
    .execute();
  await db.schema.createIndex('teaching_groups_name').on('teaching_groups').columns(['school_id', 'name']).unique().execute();
  await db.schema.createIndex('teaching_groups_kind').on('teaching_groups').columns(['school_id', 'kind', 'name']).execute();

  await db.schema
    .createTable('group_members')
    .addColumn('school_id', 'text', (c) => c.notNull())
    .addColumn('group_id', 'text', (c) => c.notNull())
    .addColumn('pupil_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('group_members_pk', ['school_id', 'group_id', 'pupil_id'])
    .addForeignKeyConstraint('group_members_group', ['school_id', 'group_id'], 'teaching_groups', ['school_id', 'id'])
    .addForeignKeyConstraint('group_members_pupil', ['school_id', 'pupil_id'], 'pupils', ['school_id', 'id'])
    .execute();
  await db.schema.createIndex('group_members_pupil').on('group_members').columns(['school_id', 'pupil_id']).execute();

  await db.schema
    .createTable('group_staff')
    .addColumn('school_id', 'text', (c) => c.notNull())
    .addColumn('group_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('group_staff_pk', ['school_id', 'group_id', 'user_id'])
    .addForeignKeyConstraint('group_staff_group', ['school_id', 'group_id'], 'teaching_groups', ['school_id', 'id'])
    .execute();
  await db.schema.createIndex('group_staff_user').on('group_staff').columns(['school_id', 'user_id']).execute();

  // Append-only and hash-chained per school ('system' holds events that belong to no school).
  await db.schema
    .createTable('audit_events')
    .addColumn('school_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor_user_id', 'text')
    .addColumn('actor_label', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('pupil_id', 'text')
    .addColumn('detail', 'text')
    .addColumn('ip', 'text')
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_events_pk', ['school_id', 'seq'])
    .execute();
  await db.schema.createIndex('audit_events_pupil').on('audit_events').columns(['school_id', 'pupil_id', 'seq']).execute();
  await db.schema.createIndex('audit_events_actor').on('audit_events').columns(['school_id', 'actor_user_id', 'seq']).execute();
  await db.schema.createIndex('audit_events_at').on('audit_events').columns(['school_id', 'at']).execute();

  await db.schema
    .createTable('audit_chain_heads')
    .addColumn('school_id', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('import_batches')
    .addColumn('school_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull()) // ctf | csv | xlsx
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('file_sha256', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull()) // uploaded | previewed | committed | discarded
    .addColumn('summary', 'text') // JSON counts and source details
    .addColumn('payload', 'text') // JSON: the parsed rows or the file for mapping
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('committed_at', 'text')
    .addPrimaryKeyConstraint('import_batches_pk', ['school_id', 'id'])
    .execute();
  await db.schema.createIndex('import_batches_created').on('import_batches').columns(['school_id', 'created_at']).execute();

  await db.schema
    .createTable('import_mappings')
    .addColumn('school_id', 'text', (c) => c.notNull())
    .addColumn('header_signature', 'text', (c) => c.notNull())
    .addColumn('mapping', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('import_mappings_pk', ['school_id', 'header_signature'])
    .execute();

}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'import_mappings',
    'import_batches',
    'audit_chain_heads',
    'audit_events',
    'group_staff',
    'group_members',
    'teaching_groups',
    'contacts',
    'sen_changes',
    'sen_need_periods',
    'sen_provision_periods',
    'pupils',
    'api_tokens',
    'login_failures',
    'sessions',
    'memberships',
    'users',
    'schools',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
