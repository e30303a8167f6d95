import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Db } from './database.ts';
import * as foundation from './migrations/0001_foundation.ts';
import * as groupImportBatches from './migrations/0002_group_import_batches.ts';
import * as provision from './migrations/0003_provision.ts';
import * as graduatedApproach from './migrations/0004_graduated_approach.ts';

// Listed, not scanned: the set of migrations is part of the code, so a build cannot miss one.
const migrations: Record<string, Migration> = {
  '0001_foundation': foundation,
  '0002_group_import_batches': groupImportBatches,
  '0003_provision': provision,
  '0004_graduated_approach': graduatedApproach,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === 'Error');
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
