import { MAX_DEMO_PUPILS, MIN_DEMO_PUPILS } from '../features/demo/generator.ts';
import { existingDemo, seedDemoSchools } from '../features/demo/service.ts';
import * as repository from './repository.ts';
import { CliError, DATABASE_OPTION, openDatabase, parseCommand, UsageError, wholeNumber, type CliIo } from './support.ts';

export const usage = `Usage: npm run senco -- demo [--pupils N] [--seed S] [--database URL_OR_FILE] [--force]

Creates the demo schools: Riverside Academy, a secondary school of N pupils (${MIN_DEMO_PUPILS} to ${MAX_DEMO_PUPILS},
default 1000), and Millbrook Primary School (210 pupils), which shares Riverside's SENCO. Every name
is invented; the same seed gives the same schools. Prints the demo sign-ins.

  --pupils N     pupils at Riverside Academy (default 1000)
  --seed S       a whole number that picks the invented data (default 2026)
  --database     postgres://… or a SQLite file path (default: DATABASE_URL, else DATA_DIR)
  --force        add the demo even though the database already holds other schools`;

export async function run(args: string[], io: CliIo): Promise<number> {
  const { positionals, values } = parseCommand(args, {
    ...DATABASE_OPTION,
    pupils: { type: 'string' },
    seed: { type: 'string' },
    force: { type: 'boolean' },
  });
  if (positionals.length) throw new UsageError(`demo takes no arguments (got "${positionals.join(' ')}")`);
  const pupils = wholeNumber(values.pupils, 'pupils', { min: MIN_DEMO_PUPILS, max: MAX_DEMO_PUPILS }) ?? 1000;
  const seed = wholeNumber(values.seed, 'seed', { min: 0, max: 0xffffffff });
  const { database, description } = await openDatabase(io, { database: values.database, migrate: true });
  try {
    if (await existingDemo(database)) {
      throw new CliError(`${description} already has the demo schools. Use another database (--database) to make a new one.`);
    }
    const schools = await repository.listSchools(database.db);
    if (schools.length > 0 && !values.force) {
      throw new CliError(
        `${description} already holds ${schools.length} school(s) (${schools.map((school) => school.name).join(', ')}). ` +
          'Invented pupils would sit beside real ones: pass --force if that is what you want.',
      );
    }
    const started = performance.now();
    const result = await seedDemoSchools(database, { pupils, seed });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    io.stdout(`Created the demo schools in ${description} in ${seconds} s: ${result.schoolName} (${pupils} pupils) and Millbrook Primary School.\n`);
    io.stdout(`Sign in with any of these (password: ${result.password}):\n`);
    for (const account of result.accounts) io.stdout(`  ${account.role.padEnd(22)} ${account.email}\n`);
    return 0;
  } finally {
    await database.close();
  }
}
