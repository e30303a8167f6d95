// One suite, every dialect: SQLite in a temporary file, and PostgreSQL through a real server when
// TEST_DATABASE_URL is set (CI) or in-process PGlite otherwise, so a fresh machine still tests it.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { after, before, describe } from 'node:test';
import { openSqlite, type AppDatabase } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import type { Database } from '../../src/db/schema.ts';

export type TestDialect = 'sqlite' | 'postgres';

export interface TestDatabase extends AppDatabase {
  label: string;
}

export async function createTestDatabase(dialect: TestDialect): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'senco-test-'));
    const database = openSqlite(path.join(directory, 'test.sqlite'));
    await migrateToLatest(database.db);
    return {
      ...database,
      label: 'SQLite',
      async close() {
        await database.close();
        fs.rmSync(directory, { recursive: true, force: true });
      },
    };
  }
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (serverUrl) {
    // A database of its own for each test file, dropped afterwards.
    const name = `senco_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    const pool = new pg.Pool({ connectionString: url.toString(), max: 5 });
    // An idle client told its database is being dropped must not become an uncaught error.
    pool.on('error', () => undefined);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    await migrateToLatest(db);
    return {
      db,
      dialect: 'postgres',
      label: 'PostgreSQL server',
      async close() {
        await db.destroy();
        const cleanup = new pg.Client({ connectionString: serverUrl });
        await cleanup.connect();
        // Let the pool's backends finish leaving before the drop, which would otherwise cut them off.
        for (let attempt = 0; attempt < 50; attempt++) {
          const { rows } = await cleanup.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
          if (rows[0].n === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await cleanup.end();
      },
    };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGliteDialect } = await import('kysely-pglite-dialect');
  const pglite = new PGlite();
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  await migrateToLatest(db);
  return {
    db,
    dialect: 'postgres',
    label: 'PostgreSQL (PGlite)',
    async close() {
      await db.destroy();
      if (!pglite.closed) await pglite.close();
    },
  };
}

export const DIALECTS: TestDialect[] = ['sqlite', 'postgres'];

/** Runs the same suite against each dialect; the suite gets a fresh migrated database. */
export function describeEachDialect(name: string, suite: (getDatabase: () => TestDatabase, dialect: TestDialect) => void): void {
  for (const dialect of DIALECTS) {
    describe(`${name} [${dialect}]`, () => {
      let database: TestDatabase | undefined;
      before(async () => {
        database = await createTestDatabase(dialect);
      });
      after(async () => {
        await database?.close();
      });
      // An inner suite, so the suite's own after-hooks (closing the app, flushing audit) run before the database closes.
      describe('tests', () => {
        suite(() => {
          if (!database) throw new Error('test database not ready');
          return database;
        }, dialect);
      });
    });
  }
}
