import { SYSTEM_CHAIN, verifyAuditChains } from '../platform/audit/audit-log.ts';
import * as repository from './repository.ts';
import { DATABASE_OPTION, openDatabase, parseCommand, UsageError, type CliIo } from './support.ts';

export const usage = `Usage: npm run senco -- audit verify [--database URL_OR_FILE]

Walks every school's audit trail from its first event, recomputing each event's hash, and names the
first event that was changed, removed or inserted out of turn. Exits 1 when a chain is broken.`;

export async function run(args: string[], io: CliIo): Promise<number> {
  const { positionals, values } = parseCommand(args, DATABASE_OPTION);
  if (positionals[0] !== 'verify' || positionals.length > 1) throw new UsageError('The audit command has one action: audit verify');
  const { database, description } = await openDatabase(io, { database: values.database, migrate: false });
  try {
    const result = await verifyAuditChains(database.db);
    if (result.ok) {
      io.stdout(`OK: ${result.checked} audit event(s) in ${result.chains} chain(s) verified in ${description}.\n`);
      return 0;
    }
    const broken = result.firstBroken!;
    const names = await repository.schoolNames(database.db);
    const chain =
      broken.schoolId === SYSTEM_CHAIN ? 'the system chain (sign-ins and accounts)' : `the chain of ${names.get(broken.schoolId) ?? 'an unknown school'} (school id ${broken.schoolId})`;
    io.stdout(`BROKEN: in ${chain}, event ${broken.seq}: ${broken.reason}.\n`);
    io.stdout(`${result.checked} event(s) before it verified. Keep this database as it is and investigate before anything else is written.\n`);
    return 1;
  } finally {
    await database.close();
  }
}
