import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { Kysely, PostgresDialect, SqliteDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

export type Dialect = 'sqlite' | 'postgres';
export type Db = Kysely<Database>;
export type DbOrTransaction = Kysely<Database> | Transaction<Database>;

export interface AppDatabase {
  db: Db;
  dialect: Dialect;
  /** Where a consistent backup can be taken from (SQLite only). */
  sqlite?: DatabaseSync;
  close(): Promise<void>;
}

// Kysely's SQLite dialect expects better-sqlite3's shape; node:sqlite is close enough to adapt.
class NodeSqliteStatement {
  readonly reader: boolean;
  private readonly statement: StatementSync;
  constructor(statement: StatementSync) {
    this.statement = statement;
    this.reader = statement.columns().length > 0;
  }
  all(parameters: ReadonlyArray<unknown>): unknown[] {
    return this.statement.all(...(parameters as never[]));
  }
  run(parameters: ReadonlyArray<unknown>) {
    const result = this.statement.run(...(parameters as never[]));
    return { changes: result.changes, lastInsertRowid: result.lastInsertRowid };
  }
  iterate(parameters: ReadonlyArray<unknown>): IterableIterator<unknown> {
    return this.statement.iterate(...(parameters as never[])) as IterableIterator<unknown>;
  }
}

class NodeSqliteDatabase {
  private readonly statements = new Map<string, NodeSqliteStatement>();
  readonly database: DatabaseSync;
  constructor(database: DatabaseSync) {
    this.database = database;
  }
  prepare(sqlText: string): NodeSqliteStatement {
    // Pages repeat the same handful of queries: reuse compiled statements.
    let statement = this.statements.get(sqlText);
    if (!statement) {
      statement = new NodeSqliteStatement(this.database.prepare(sqlText));
      if (this.statements.size > 500) this.statements.clear();
      this.statements.set(sqlText, statement);
    }
    return statement;
  }
  close(): void {
    this.statements.clear();
    if (this.database.isOpen) this.database.close();
  }
}

export function openSqlite(filePath: string): AppDatabase {
  // Children's records: the folder and file are for the app's own user only.
  if (filePath !== ':memory:') fs.mkdirSync(path.dirname(filePath), { recursive: true, mode: 0o700 });
  const sqlite = new DatabaseSync(filePath, { enableForeignKeyConstraints: true });
  if (filePath !== ':memory:') fs.chmodSync(filePath, 0o600);
  sqlite.exec('PRAGMA journal_mode = WAL');
  // synchronous=FULL: what a user typed survives a power cut.
  sqlite.exec('PRAGMA synchronous = FULL');
  sqlite.exec('PRAGMA busy_timeout = 5000');
  sqlite.exec('PRAGMA foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new NodeSqliteDatabase(sqlite) }) });
  return {
    db,
    dialect: 'sqlite',
    sqlite,
    async close() {
      await db.destroy();
      if (sqlite.isOpen) sqlite.close();
    },
  };
}

export function openPostgres(connectionString: string, poolSize = 10): AppDatabase {
  const pool = new pg.Pool({ connectionString, max: poolSize });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    async close() {
      await db.destroy();
    },
  };
}

export function createDatabase(options: { databaseUrl?: string | undefined; sqlitePath: string }): AppDatabase {
  return options.databaseUrl ? openPostgres(options.databaseUrl) : openSqlite(options.sqlitePath);
}
