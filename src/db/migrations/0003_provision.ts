import type { Kysely } from 'kysely';

// Frozen in time: this file never imports application code.
// Provision and interventions (issue 4): the school's catalogue of provision, intervention groups
// (a provision running for some pupils over a period) with their staff, members, sessions and
// attendance, the school's cost rates and notional SEN budget, and staff's contracted hours.
// Money is whole pence; dates are 'YYYY-MM-DD'; school_id leads every primary key and index.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('provisions')
    .addColumn('school_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('tier', 'text', (c) => c.notNull()) // universal | targeted | specialist
    .addColumn('area', 'text', (c) => c.notNull()) // a broad area of need (CoP 6.28–6.35)
    .addColumn('group_size', 'integer', (c) => c.notNull())
    .addColumn('sessions_per_week', 'real', (c) => c.notNull())
    .addColumn('minutes_per_session', 'integer', (c) => c.notNull())
    .addColumn('staff_type', 'text', (c) => c.notNull()) // teacher | ta | specialist | external
    .addColumn('cost_model', 'text', (c) => c.notNull()) // staff-time | per-session | per-term
    .addColumn('cost_pence', 'integer') // per session or per term; null for staff time
    .addColumn('measure', 'text', (c) => c.notNull()) // standardised | reading-age | spelling-age | scale | target
    .addColumn('scale_min', 'real')
    .addColumn('scale_max', 'real')
    .addColumn('archived_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('provisions_pk', ['school_id', 'id'])
    .execute();
  await db.schema.createIndex('provisions_name').on('provisions').columns(['school_id', 'name']).execute();

  await db.schema
    .createTable('provision_settings')
    .addColumn('school_id', 'text', (c) => c.notNull())
    .addColumn('teacher_rate_pence', 'integer', (c) => c.notNull())
    .addColumn('ta_rate_pence', 'integer', (c) => c.notNull())
    .addColumn('specialist_rate_pence', 'integer', (c) => c.notNull())
    .addColumn('external_rate_pence', 'integer', (c) => c.notNull())
    .addColumn('sen_budget_pence', 'integer')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .addPrimaryKeyConstraint('provision_settings_pk', ['school_id'])
    .execute();

  await db.schema
    .createTable('intervention_groups')
    .addColumn('school_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('provision_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('start_date', 'text', (c) => c.notNull())
    .addColumn('end_date', 'text', (c) => c.notNull())
    .addColumn('weeks', 'integer', (c) => c.notNull()) // teaching weeks it runs (holidays left out)
    .addColumn('sessions_per_week', 'real', (c) => c.notNull())
    .addColumn('minutes_per_session', 'integer', (c) => c.notNull())
    .addColumn('days', 'text', (c) => c.notNull().defaultTo('')) // ISO weekdays '1,3,5'; '' = not fixed
    .addColumn('time', 'text') // 'HH:MM', optional
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('intervention_groups_pk', ['school_id', 'id'])
    .addForeignKeyConstraint('intervention_groups_provision', ['school_id', 'provision_id'], 'provisions', ['school_id', 'id'])
    .execute();
  await db.schema.createIndex('intervention_groups_provision').on('intervention_groups').columns(['school_id', 'provision_id', 'start_date']).execute();
  await db.schema.createIndex('intervention_groups_dates').on('intervention_groups').columns(['school_id', 'start_date', 'end_date']).execute();

  await db.schema
    .createTable('intervention_group_staff')
    .addColumn('school_id', 'text', (c) => c.notNull())
    .addColumn('group_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('intervention_group_staff_pk', ['school_id', 'group_id', 'user_id'])
    .addForeignKeyConstraint('intervention_group_staff_group', ['school_id', 'group_id'], 'intervention_groups', ['school_id', 'id'])
    .execute();
  await db.schema.createIndex('intervention_group_staff_user').on('intervention_group_staff').columns(['school_id', 'user_id']).execute();

  await db.schema
    .createTable('intervention_members')
    .addColumn('school_id', 'text', (c) => c.notNull())
    .addColumn('group_id', 'text', (c) => c.notNull())
    .addColumn('pupil_id', 'text', (c) => c.notNull())
    // Why the pupil is in the group: null (added here), 'plan:<id>' (an SEN support plan), 'ehcp-f:<id>' (EHC plan Section F).
    .addColumn('source', 'text')
    .addColumn('added_on', 'text', (c) => c.notNull())
    .addColumn('left_on', 'text') // taken out part-way: kept, because sessions were recorded
    .addColumn('entry_value', 'real')
    .addColumn('entry_date', 'text')
    .addColumn('exit_value', 'real')
    .addColumn('exit_date', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('intervention_members_pk', ['school_id', 'group_id', 'pupil_id'])
    .addForeignKeyConstraint('intervention_members_group', ['school_id', 'group_id'], 'intervention_groups', ['school_id', 'id'])
    .addForeignKeyConstraint('intervention_members_pupil', ['school_id', 'pupil_id'], 'pupils', ['school_id', 'id'])
    .execute();
  await db.schema.createIndex('intervention_members_pupil').on('intervention_members').columns(['school_id', 'pupil_id']).execute();
  await db.schema.createIndex('intervention_members_source').on('intervention_members').columns(['school_id', 'source']).execute();

  await db.schema
    .createTable('intervention_sessions')
    .addColumn('school_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('group_id', 'text', (c) => c.notNull())
    .addColumn('held_on', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull()) // delivered | cancelled
    .addColumn('note', 'text')
    .addColumn('recorded_by', 'text')
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('intervention_sessions_pk', ['school_id', 'id'])
    .addForeignKeyConstraint('intervention_sessions_group', ['school_id', 'group_id'], 'intervention_groups', ['school_id', 'id'])
    .execute();
  await db.schema.createIndex('intervention_sessions_group').on('intervention_sessions').columns(['school_id', 'group_id', 'held_on']).unique().execute();
  // Covers the costed provision map's count of sessions delivered since a date, per group.
  await db.schema.createIndex('intervention_sessions_delivered').on('intervention_sessions').columns(['school_id', 'status', 'held_on', 'group_id']).execute();

  await db.schema
    .createTable('intervention_attendance')
    .addColumn('school_id', 'text', (c) => c.notNull())
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('group_id', 'text', (c) => c.notNull())
    .addColumn('pupil_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull()) // present | late | absent
    .addColumn('reason', 'text')
    .addPrimaryKeyConstraint('intervention_attendance_pk', ['school_id', 'session_id', 'pupil_id'])
    .addForeignKeyConstraint('intervention_attendance_session', ['school_id', 'session_id'], 'intervention_sessions', ['school_id', 'id'])
    .execute();
  await db.schema.createIndex('intervention_attendance_group').on('intervention_attendance').columns(['school_id', 'group_id', 'pupil_id', 'status']).execute();
  await db.schema.createIndex('intervention_attendance_pupil').on('intervention_attendance').columns(['school_id', 'pupil_id']).execute();

  await db.schema
    .createTable('staff_hours')
    .addColumn('school_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('contracted_hours', 'real', (c) => c.notNull()) // per week
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .addPrimaryKeyConstraint('staff_hours_pk', ['school_id', 'user_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['staff_hours', 'intervention_attendance', 'intervention_sessions', 'intervention_members', 'intervention_group_staff', 'intervention_groups', 'provision_settings', 'provisions']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
