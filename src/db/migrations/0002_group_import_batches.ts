import type { Kysely } from 'kysely';

// Frozen in time: this file never imports application code.
// Class-list imports (School settings → Groups → Import class lists): upload → preview → confirm.
// The file's text is kept only until the batch is confirmed or discarded (or 14 days pass).

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('group_import_batches')
    .addColumn('school_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('file_sha256', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull()) // previewed | committed | discarded
    .addColumn('summary', 'text') // JSON: counts at preview, the result once confirmed
    .addColumn('content', 'text') // the CSV text, until confirmed or discarded
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('committed_at', 'text')
    .addPrimaryKeyConstraint('group_import_batches_pk', ['school_id', 'id'])
    .execute();
  await db.schema.createIndex('group_import_batches_created').on('group_import_batches').columns(['school_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('group_import_batches').ifExists().execute();
}
