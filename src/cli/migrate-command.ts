import { DATABASE_OPTION, openDatabase, parseCommand, UsageError, type CliIo } from './support.ts';

export const usage = `Usage: npm run senco -- migrate [--database URL_OR_FILE]

Brings the database schema up to date. The app does this itself on start; run it before starting
several app processes against one PostgreSQL database, or to check a database after an upgrade.`;

export async function run(args: string[], io: CliIo): Promise<number> {
  const { positionals, values } = parseCommand(args, DATABASE_OPTION);
  if (positionals.length) throw new UsageError(`migrate takes no arguments (got "${positionals.join(' ')}")`);
  const { database, description, applied } = await openDatabase(io, { database: values.database, migrate: true });
  await database.close();
  io.stdout(applied.length ? `Applied ${applied.length} migration(s) to ${description}: ${applied.join(', ')}\n` : `${description} is up to date.\n`);
  return 0;
}
