import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { AuditLog, SYSTEM_CHAIN } from '../platform/audit/audit-log.ts';
import { CliError, cliActorLabel, DATABASE_OPTION, openDatabase, parseCommand, UsageError, type CliIo } from './support.ts';

export const usage = `Usage: npm run senco -- backup FILE [--database URL_OR_FILE]

Copies the SQLite database to FILE (a new file), consistently, even while the app is running
(SQLite's VACUUM INTO). The copy holds pupils' personal data: keep it as safely as the database.
PostgreSQL databases are backed up with pg_dump instead.`;

export async function run(args: string[], io: CliIo): Promise<number> {
  const { positionals, values } = parseCommand(args, DATABASE_OPTION);
  if (positionals.length !== 1) throw new UsageError('Name one file to write the backup to');
  const target = path.resolve(positionals[0]!);
  const { database, description } = await openDatabase(io, { database: values.database, migrate: false });
  try {
    if (database.dialect === 'postgres') {
      io.stderr(
        `senco backup copies SQLite databases; this one is ${description}. Back it up with pg_dump,\n` +
          'which gives a consistent copy while the app runs, for example\n' +
          '  pg_dump --format=custom --file=senco-desk.dump "$DATABASE_URL"\n' +
          'and restore it with pg_restore.\n',
      );
      return 2;
    }
    if (fs.existsSync(target)) throw new CliError(`${target} already exists: a backup never overwrites a file, so choose a new name`);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    // Recorded first, so the copy carries the record of its own making.
    await new AuditLog(database).recordNow({ schoolId: SYSTEM_CHAIN, action: 'database.backed-up', actorLabel: cliActorLabel(), detail: { file: target } });
    await sql`VACUUM INTO ${target}`.execute(database.db);
    fs.chmodSync(target, 0o600);
    const megabytes = (fs.statSync(target).size / 1_048_576).toFixed(1);
    io.stdout(`Backed up ${description} to ${target} (${megabytes} MB).\n`);
    return 0;
  } finally {
    await database.close();
  }
}
