import { loadConfig, ConfigError } from './config.ts';
import { createDatabase } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { buildApp } from './app.ts';
import { ensureDemoSchool } from './features/demo/service.ts';

// config → database → migrate → listen
async function main(): Promise<void> {
  const config = loadConfig();
  const database = createDatabase(config);
  await migrateToLatest(database.db);
  const demo = config.demo ? await ensureDemoSchool(database, { pupils: config.demoPupils }) : undefined;
  const { app } = await buildApp({ config, database });
  const close = async (signal: string) => {
    app.log.info(`${signal}: shutting down`);
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void close('SIGINT'));
  process.once('SIGTERM', () => void close('SIGTERM'));
  await app.listen({ port: config.port, host: config.host });
  const where = config.databaseUrl ? 'PostgreSQL' : `SQLite at ${config.sqlitePath}`;
  console.log(`\nSENCO Desk is running at http://localhost:${config.port} (database: ${where})`);
  if (demo) {
    console.log(`\nDemo school: ${demo.schoolName}. Sign in with any of these (password: ${demo.password}):`);
    for (const account of demo.accounts) console.log(`  ${account.role.padEnd(22)} ${account.email}`);
    console.log('');
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
