// `senco`: SENCO Desk's administration commands. Run as `npm run senco -- <command> [options]`.
import { ConfigError } from '../config.ts';
import { ValidationError } from '../platform/errors.ts';
import { COMMANDS } from './commands.ts';
import { CliError, CONNECTION_ERRORS, UsageError, type CliIo, type CommandModule } from './support.ts';

export { COMMANDS };

function helpText(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length)) + 2;
  return [
    'senco: SENCO Desk administration',
    '',
    'Usage: npm run senco -- <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, entry]) => `  ${name.padEnd(width)}${entry.summary}`),
    `  ${'help'.padEnd(width)}Show this help, or a command's options: senco help <command>`,
    '',
    'The database is the one the app uses: PostgreSQL when DATABASE_URL is set, otherwise the SQLite',
    'file in DATA_DIR (./data by default). Commands that use a database also take --database with a',
    'postgres:// URL or a SQLite file path.',
    '',
  ].join('\n');
}

function describeError(error: unknown): string {
  if (error instanceof ValidationError) return error.errors.map((entry) => entry.message).join('\n');
  if (error instanceof ConfigError) return error.message;
  const code = (error as { code?: string } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code && CONNECTION_ERRORS.has(code)) return `Could not connect to the database: ${message}`;
  return message;
}

/** Runs one command line; resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? args[0] : undefined;
    if (!topic) {
      io.stdout(helpText());
      return 0;
    }
    const entry = COMMANDS[topic];
    if (!entry) {
      io.stderr(`senco: there is no command "${topic}". Commands: ${Object.keys(COMMANDS).join(', ')}\n`);
      return 2;
    }
    io.stdout(`${(await entry.load()).usage}\n`);
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    io.stderr(`senco: there is no command "${name}". Commands: ${Object.keys(COMMANDS).join(', ')}, help\n`);
    return 2;
  }
  let command: CommandModule | undefined;
  try {
    command = await entry.load();
    if (args.includes('--help') || args.includes('-h')) {
      io.stdout(`${command.usage}\n`);
      return 0;
    }
    return (await command.run(args, io)) ?? 0;
  } catch (error) {
    io.stderr(`senco ${name}: ${describeError(error)}\n`);
    if (error instanceof UsageError && command) io.stderr(`\n${command.usage}\n`);
    if (!(error instanceof CliError || error instanceof ValidationError || error instanceof ConfigError) && io.env.DEBUG) {
      io.stderr(`${error instanceof Error ? error.stack : ''}\n`);
    }
    return error instanceof CliError ? error.exitCode : 1;
  }
}

if (import.meta.main) {
  const io: CliIo = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
  };
  process.exitCode = await runCli(process.argv.slice(2), io);
}
