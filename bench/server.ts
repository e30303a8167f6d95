// The app as it runs in production, over the benchmark's SQLite file, plus one route that serves the
// register page's own bytes as a static response: the ceiling the real page is measured against.
import { loadConfig } from '../src/config.ts';
import { openSqlite } from '../src/db/database.ts';
import { buildApp } from '../src/app.ts';

const [sqlitePath, email, password] = process.argv.slice(2) as [string, string, string];
const database = openSqlite(sqlitePath);
const config = { ...loadConfig({ LOG_LEVEL: 'warn', DEMO: 'false', NODE_ENV: 'production' }), sqlitePath };
const { app } = await buildApp({ config, database });
// Routes must exist before the app is ready; the bytes are filled in once the real page is rendered.
let staticBody = Buffer.alloc(0);
app.get('/bench/static', { config: { permission: 'public' } }, async (_request, reply) =>
  reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(staticBody),
);

async function signIn(): Promise<string> {
  const form = await app.inject({ method: 'GET', url: '/sign-in' });
  const csrf = form.cookies.find((cookie) => cookie.name === 'senco_csrf')!.value;
  const response = await app.inject({
    method: 'POST',
    url: '/sign-in',
    headers: { cookie: `senco_csrf=${csrf}`, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ email, password, _csrf: csrf }).toString(),
  });
  const session = response.cookies.find((cookie) => cookie.name === 'senco_session');
  if (!session) throw new Error(`bench sign-in failed: ${response.statusCode}`);
  return `senco_session=${session.value}`;
}

const cookie = await signIn();
const registerPage = await app.inject({ method: 'GET', url: '/register', headers: { cookie } });
staticBody = Buffer.from(registerPage.body);
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
const port = typeof address === 'object' && address ? address.port : 0;
process.stdout.write(`${JSON.stringify({ port, cookie, registerBytes: staticBody.length })}\n`);
process.on('SIGTERM', async () => {
  await app.close();
  await database.close();
  process.exit(0);
});
