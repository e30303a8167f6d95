// `senco school add|list`: the first step of setting up a real school.
import { ValidationError } from '../platform/errors.ts';
import * as settings from '../features/settings/service.ts';
import { PHASES, PHASE_LABELS, isPhase } from '../features/settings/validation.ts';
import { CliError, cliActorLabel, cliContext, DATABASE_OPTION, openDatabase, parseCommand, UsageError, type CliIo } from './support.ts';

export const usage = `Usage:
  npm run senco -- school add --name NAME --urn URN [--laestab LAESTAB] [--la LA_NAME] [--phase PHASE]
  npm run senco -- school list

school add adds a school, so that accounts can be given roles in it (senco user add) and its
pupils imported (senco import). Then sign in as its SENCO and finish setting it up under
School settings.

  --name NAME        the school's name
  --urn URN          its 6-digit URN (unique reference number, from Get Information about Schools);
                     no two schools in a database may share one
  --laestab LAESTAB  7 digits: LA number and establishment number (8814002 or 881/4002), optional
  --la NAME          the local authority's name, optional
  --phase PHASE      ${PHASES.join(', ')} (default secondary)

Both take --database URL_OR_FILE (default: DATABASE_URL, else DATA_DIR).`;

const OPTION_FOR_FIELD: Record<string, string> = { name: '--name', urn: '--urn', laestab: '--laestab', laName: '--la', phase: '--phase' };

export async function run(args: string[], io: CliIo): Promise<number> {
  const { positionals, values } = parseCommand(args, {
    ...DATABASE_OPTION,
    name: { type: 'string' },
    urn: { type: 'string' },
    laestab: { type: 'string' },
    la: { type: 'string' },
    phase: { type: 'string' },
  });
  const [action, ...extra] = positionals;
  if (extra.length) throw new UsageError(`Unexpected "${extra.join(' ')}"`);
  if (action === 'add') return add(io, values);
  if (action === 'list') return list(io, values);
  throw new UsageError(action ? `"${action}" is not a school action: use add or list` : 'Say what to do: school add or school list');
}

async function add(io: CliIo, values: { name?: string; urn?: string; laestab?: string; la?: string; phase?: string; database?: string }): Promise<number> {
  if (!values.name?.trim()) throw new UsageError('--name is required');
  if (!values.urn?.trim()) throw new UsageError('--urn is required');
  const phase = (values.phase ?? 'secondary').trim().toLowerCase();
  if (!isPhase(phase)) throw new UsageError(`--phase must be one of ${PHASES.join(', ')} (got "${values.phase}")`);
  const { database, description } = await openDatabase(io, { database: values.database, migrate: true });
  try {
    const ctx = cliContext(io, database);
    let created;
    try {
      created = await settings.createSchool(ctx, { label: cliActorLabel() }, { name: values.name, urn: values.urn, laestab: values.laestab ?? '', laName: values.la ?? '', phase });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const lines = error.errors.map((problem) => `${OPTION_FOR_FIELD[problem.field] ?? problem.field}: ${problem.message}`).join('\n');
      if (error.errors.some((problem) => /already has the URN/.test(problem.message))) throw new CliError(lines);
      throw new UsageError(lines);
    }
    const { details } = created;
    io.stdout(
      `Added ${details.name} (URN ${details.urn}${details.laestab ? `, LAESTAB ${details.laestab}` : ''}${details.laName ? `, ${details.laName}` : ''}, ${PHASE_LABELS[details.phase].toLowerCase()}) to ${description}.\n` +
        `Next, give its SENCO an account:\n  npm run senco -- user add --school ${details.urn} --role senco --email EMAIL --name "FULL NAME"\n`,
    );
    await ctx.audit.flush();
    return 0;
  } finally {
    await database.close();
  }
}

async function list(io: CliIo, values: { database?: string }): Promise<number> {
  const { database } = await openDatabase(io, { database: values.database, migrate: false });
  try {
    const schools = await settings.listSchools(cliContext(io, database));
    if (schools.length === 0) {
      io.stdout('This database has no schools yet. Add one with: npm run senco -- school add --name NAME --urn URN\n');
      return 0;
    }
    io.stdout(`${'URN'.padEnd(8)}${'LAESTAB'.padEnd(9)}${'Phase'.padEnd(13)}Name\n`);
    for (const school of schools) {
      const phase = isPhase(school.phase) ? PHASE_LABELS[school.phase] : school.phase;
      io.stdout(`${(school.urn ?? '-').padEnd(8)}${(school.laestab ?? '-').padEnd(9)}${phase.padEnd(13)}${school.name}${school.la_name ? ` (${school.la_name})` : ''}\n`);
    }
    return 0;
  } finally {
    await database.close();
  }
}
