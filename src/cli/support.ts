import type { AppContext } from '../platform/context.ts';
import { AuditLog } from '../platform/audit/audit-log.ts';
// What every `senco` command shares: its input and output, argument parsing with clear errors,
// opening the database, and finding a school by URN or name.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig } from '../config.ts';
import { openPostgres, openSqlite, type AppDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { tooLargeMessage } from '../features/imports/file-check.ts';
import * as repository from './repository.ts';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
}

/** A command module: `usage` is printed by `senco help <command>` and after a usage error. */
export interface CommandModule {
  usage: string;
  run(args: string[], io: CliIo): Promise<number | void>;
}

export interface CommandEntry {
  /** One line for `senco help`. */
  summary: string;
  load(): Promise<CommandModule>;
}

/** A failure to report in one line, with the exit code to leave with. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** The command was called wrongly: the message is followed by the command's usage; exit code 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
  }
}

export const DATABASE_OPTION = { database: { type: 'string' } } as const;

/** node:util parseArgs, strict, with its errors turned into usage errors people can act on. */
export function parseCommand<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/\. To specify a positional argument.*$/s, '') : String(error);
    throw new UsageError(message);
  }
}

/** A whole number option within limits, or a usage error naming the option. */
export function wholeNumber(value: string | undefined, name: string, limits: { min: number; max: number }): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(number) || number < limits.min || number > limits.max) {
    throw new UsageError(`--${name} must be a whole number from ${limits.min} to ${limits.max} (got "${value}")`);
  }
  return number;
}

export function required(value: string | undefined, name: string): string {
  if (value === undefined || value.trim() === '') throw new UsageError(`--${name} is required`);
  return value.trim();
}

export interface OpenedDatabase {
  database: AppDatabase;
  /** 'SQLite at /path/file.sqlite' or 'PostgreSQL at host/name' (no password). */
  description: string;
  /** Migrations applied on opening. */
  applied: string[];
}

/**
 * Opens the database named by --database (postgres://… or a SQLite file path), else by DATABASE_URL or
 * DATA_DIR as the app does. Commands that only read (backup, audit verify) neither migrate nor create.
 */
export async function openDatabase(io: CliIo, options: { database?: string | undefined; migrate: boolean }): Promise<OpenedDatabase> {
  let target = options.database?.trim();
  if (!target) {
    const config = loadConfig(io.env);
    target = config.databaseUrl ?? config.sqlitePath;
  }
  if (/^postgres(ql)?:\/\//.test(target)) {
    const database = openPostgres(target, 2);
    const description = `PostgreSQL at ${describePostgres(target)}`;
    return { database, description, applied: options.migrate ? await migrate(database, description) : [] };
  }
  const file = path.resolve(target);
  if (!options.migrate && !fs.existsSync(file)) {
    throw new CliError(`There is no database at ${file}: set DATA_DIR or DATABASE_URL, or pass --database`);
  }
  const database = openSqlite(file);
  const description = `SQLite at ${file}`;
  return { database, description, applied: options.migrate ? await migrate(database, description) : [] };
}

async function migrate(database: AppDatabase, description: string): Promise<string[]> {
  try {
    return await migrateToLatest(database.db);
  } catch (error) {
    await database.close();
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
    if (cause && CONNECTION_ERRORS.has(String((cause as { code?: unknown }).code))) {
      throw new CliError(`Could not connect to the database (${description}): ${cause.message}`);
    }
    throw new CliError(`Could not prepare the database (${description}): ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Network errors, and PostgreSQL's wrong password (28P01) and no such database (3D000). */
export const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', '28P01', '28000', '3D000']);

function describePostgres(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}${parsed.pathname}`;
  } catch {
    return 'the configured server';
  }
}

export interface SchoolRow {
  id: string;
  name: string;
  urn: string | null;
}

function listForHumans(schools: SchoolRow[]): string {
  if (schools.length === 0) return 'This database has no schools yet.';
  return `Schools in this database:\n${schools.map((school) => `  ${school.urn ?? '(no URN)'}  ${school.name}`).join('\n')}`;
}

/**
 * The school a URN or a school's full name (any case) refers to. With no value, the only school in
 * the database; an error listing the schools otherwise.
 */
export async function resolveSchool(database: AppDatabase, value: string | undefined): Promise<SchoolRow> {
  const schools = await repository.listSchools(database.db);
  const wanted = value?.trim();
  if (!wanted) {
    if (schools.length === 1) return schools[0]!;
    throw new UsageError(`Choose a school with --school URN.\n${listForHumans(schools)}`);
  }
  const matches = schools.filter((school) => school.urn === wanted || school.name.toLowerCase() === wanted.toLowerCase());
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) throw new CliError(`More than one school matches "${wanted}": use its URN.\n${listForHumans(matches)}`);
  throw new CliError(`No school has the URN or name "${wanted}".\n${listForHumans(schools)}`);
}

/** Who ran the command, for the audit trail. */
export function cliActorLabel(): string {
  let user = 'unknown user';
  try {
    user = os.userInfo().username;
  } catch {
    // No passwd entry in some containers.
  }
  return `senco command line (${user}@${os.hostname()})`;
}

/** The services' context for a command: the same configuration the app would read. */
export function cliContext(io: CliIo, database: AppDatabase): AppContext {
  return { config: loadConfig(io.env), database, db: database.db, audit: new AuditLog(database) };
}

/** Reads a file for import, refusing it before reading when it is over the size limit. */
export function readFileWithin(file: string, maxBytes: number): Uint8Array {
  let size: number;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) throw new Error('it is not a file');
    size = stat.size;
  } catch (error) {
    throw new CliError(`Cannot read ${file}: ${(error as Error).message}`);
  }
  // Refused before reading, so an enormous file is never loaded into memory.
  if (size > maxBytes) throw new CliError(tooLargeMessage(maxBytes, size));
  return new Uint8Array(fs.readFileSync(file));
}
