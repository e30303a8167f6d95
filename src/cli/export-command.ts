import fs from 'node:fs';
import path from 'node:path';
import { exportRegisterCsv, parseRegisterQuery } from '../features/register/service.ts';
import { cliActorLabel, cliContext, DATABASE_OPTION, openDatabase, parseCommand, resolveSchool, UsageError, type CliIo } from './support.ts';

export const usage = `Usage: npm run senco -- export register [--school URN_OR_NAME] [--out FILE] [--database URL_OR_FILE]

Writes the SEN register (pupils on roll with SEN support or an EHC plan) as CSV: to FILE (UTF-8 with
a byte-order mark, so spreadsheets show accents; readable by its owner only) or to standard output.
Cells that a spreadsheet would run as a formula start with a single quote. Each export is recorded
in the school's audit trail. --school may be left out when the database holds one school.`;

export async function run(args: string[], io: CliIo): Promise<number> {
  const { positionals, values } = parseCommand(args, { ...DATABASE_OPTION, school: { type: 'string' }, out: { type: 'string' } });
  if (positionals[0] !== 'register' || positionals.length > 1) throw new UsageError('Say what to export: export register');
  const { database } = await openDatabase(io, { database: values.database, migrate: true });
  try {
    const school = await resolveSchool(database, values.school);
    const out = values.out ? path.resolve(values.out) : undefined;
    // The same export as the register page's download, audited the same way.
    const { csv, rows } = await exportRegisterCsv(
      cliContext(io, database),
      { schoolId: school.id, userId: null, displayName: cliActorLabel() },
      parseRegisterQuery({}),
      null,
    );
    if (out) {
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.writeFileSync(out, csv, { mode: 0o600 });
      io.stderr(`Exported the SEN register of ${school.name}: ${rows} pupil(s) to ${out}\n`);
    } else {
      io.stdout(csv);
    }
    return 0;
  } finally {
    await database.close();
  }
}
