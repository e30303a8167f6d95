// The queries the `senco` commands make of their own (accounts go through the auth service).
import type { Db } from '../db/database.ts';

export async function listSchools(db: Db) {
  return db.selectFrom('schools').select(['id', 'name', 'urn']).orderBy('name').orderBy('id').execute();
}

export async function schoolNames(db: Db): Promise<Map<string, string>> {
  const rows = await db.selectFrom('schools').select(['id', 'name']).execute();
  return new Map(rows.map((row) => [row.id, row.name]));
}

