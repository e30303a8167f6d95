// npm run bench: figures for the register page, costed provision map, Today, plans hub, chronology, pupil page and CTF import on a 2,000-pupil demo
// school on SQLite. Prints a table and writes bench/results/latest.json. Not a test: it asserts nothing.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import readline from 'node:readline';
import autocannon from 'autocannon';
import { XMLParser } from 'fast-xml-parser';
import { loadConfig } from '../src/config.ts';
import { openSqlite } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { AuditLog } from '../src/platform/audit/audit-log.ts';
import { newId } from '../src/platform/ids.ts';
import { seedDemoSchools, DEMO_PASSWORD } from '../src/features/demo/service.ts';
import { previewImport, confirmImport } from '../src/features/imports/service.ts';
import { makeCtf } from '../test/fixtures/imports/make-ctf.ts';

const PUPILS = Number(process.env.BENCH_PUPILS ?? 2000);
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 16;
const root = path.resolve(import.meta.dirname, '..');

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** The server's peak resident memory, from Linux's /proc (undefined elsewhere). */
function peakRssMb(pid: number | undefined): number | undefined {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function load(url: string, headers: Record<string, string>) {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION, headers });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { requestsPerSecond: result.requests.average, latencyP50: result.latency.p50, latencyP99: result.latency.p99 };
}

const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'senco-bench-'));
const sqlitePath = path.join(directory, 'bench.sqlite');
console.log(`Seeding a ${PUPILS}-pupil demo school on SQLite…`);
const database = openSqlite(sqlitePath);
await migrateToLatest(database.db);
const seedStart = performance.now();
const demo = await seedDemoSchools(database, { pupils: PUPILS });
const seedMs = performance.now() - seedStart;
const sencoEmail = demo.accounts.find((account) => account.role.startsWith('SENCO'))!.email;
const school = await database.db.selectFrom('schools').select(['id']).where('name', '=', demo.schoolName).executeTakeFirstOrThrow();
const pupilIds = (
  await database.db.selectFrom('pupils').select('id').where('school_id', '=', school.id).where('sen_provision', '!=', 'N').execute()
).map((row) => row.id);
await database.close();

console.log('Starting the server…');
const server = spawn(process.execPath, [path.join(root, 'bench/server.ts'), sqlitePath, sencoEmail, DEMO_PASSWORD], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const firstLine = await new Promise<string>((resolve, reject) => {
  readline.createInterface({ input: server.stdout! }).once('line', resolve);
  server.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
});
const { port, cookie, registerBytes } = JSON.parse(firstLine) as { port: number; cookie: string; registerBytes: number };
const base = `http://127.0.0.1:${port}`;

try {
  console.log(`Register page at ${CONNECTIONS} connections for ${DURATION}s, then the same bytes as a static response…`);
  await load(`${base}/register`, { cookie }); // warm-up
  const register = await load(`${base}/register`, { cookie });
  const ceiling = await load(`${base}/bench/static`, {});

  console.log('Pupil page latency, one request at a time…');
  const latencies: number[] = [];
  for (let index = 0; index < 1000; index++) {
    const pupilId = pupilIds[index % pupilIds.length]!;
    const start = performance.now();
    const response = await fetch(`${base}/pupils/${pupilId}`, { headers: { cookie } });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`pupil page answered ${response.status}`);
    if (index >= 50) latencies.push(performance.now() - start);
  }
  latencies.sort((a, b) => a - b);

  // The whole-school costed provision map (issue 4): one request at a time beside the register page,
  // then under the same load as the register page.
  console.log('Costed provision map, one request at a time beside the register page, then at 16 connections…');
  const sequential = async (urlOf: string | ((index: number) => string), count: number) => {
    const times: number[] = [];
    for (let index = 0; index < count + 10; index++) {
      const url = typeof urlOf === 'string' ? urlOf : urlOf(index);
      const start = performance.now();
      const response = await fetch(`${base}${url}`, { headers: { cookie } });
      const body = await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
      if (index === 0) console.log(`  ${url}: ${body.byteLength} bytes`);
      if (index >= 10) times.push(performance.now() - start);
    }
    return times.sort((a, b) => a - b);
  };
  const mapTimes = await sequential('/provision/map', 200);
  const registerTimes = await sequential('/register', 200);
  const mapLoad = await load(`${base}/provision/map`, { cookie });

  // The graduated approach (issue 3): the SENCO's Today page, the plans hub, and a pupil's whole
  // chronology (every feature's events merged), one request at a time.
  console.log('Today, the plans hub and pupils’ chronologies, one request at a time…');
  const todayTimes = await sequential('/today', 100);
  const plansTimes = await sequential('/plans', 100);
  const chronologyTimes = await sequential((index) => `/pupils/${pupilIds[index % pupilIds.length]}/chronology`, 300);

  console.log(`CTF import of ${PUPILS} pupils beside the bare XML parse of the same file…`);
  const xml = makeCtf({ pupils: PUPILS, version: 25, seed: 7 });
  const bytes = new TextEncoder().encode(xml);
  const bareParser = new XMLParser();
  const parseTimes: number[] = [];
  for (let run = 0; run < 5; run++) {
    const start = performance.now();
    bareParser.parse(xml);
    parseTimes.push(performance.now() - start);
  }
  const importDatabase = openSqlite(path.join(directory, 'import.sqlite'));
  await migrateToLatest(importDatabase.db);
  const config = { ...loadConfig({ LOG_LEVEL: 'silent', DEMO: 'false' }) };
  const ctx = { config, database: importDatabase, db: importDatabase.db, audit: new AuditLog(importDatabase) };
  const importTimes: number[] = [];
  const previewTimes: number[] = [];
  for (let run = 0; run < 3; run++) {
    const schoolId = newId();
    await importDatabase.db.insertInto('schools').values({ id: schoolId, name: `Import school ${run}`, urn: null, laestab: null, la_name: null, phase: 'secondary', created_at: new Date().toISOString() }).execute();
    const actor = { schoolId, userId: null, label: 'bench', ip: null };
    const start = performance.now();
    const preview = await previewImport(ctx, actor, { filename: 'bench.xml', bytes });
    previewTimes.push(performance.now() - start);
    const result = await confirmImport(ctx, actor, preview.batchId);
    importTimes.push(performance.now() - start);
    if (result.created !== PUPILS) throw new Error(`import created ${result.created} pupils, expected ${PUPILS}`);
  }
  await ctx.audit.flush();
  await importDatabase.close();

  const figures = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    pupils: PUPILS,
    seedSeconds: Math.round(seedMs) / 1000,
    registerPage: { ...register, bytes: registerBytes },
    staticCeiling: ceiling,
    registerShareOfCeiling: Math.round((register.requestsPerSecond / ceiling.requestsPerSecond) * 1000) / 10,
    provisionMap: {
      p50Ms: Math.round(percentile(mapTimes, 50) * 100) / 100,
      p99Ms: Math.round(percentile(mapTimes, 99) * 100) / 100,
      registerP50Ms: Math.round(percentile(registerTimes, 50) * 100) / 100,
      ratioToRegisterP50: Math.round((percentile(mapTimes, 50) / percentile(registerTimes, 50)) * 10) / 10,
      requestsPerSecond: mapLoad.requestsPerSecond,
      ratioToRegisterThroughput: Math.round((register.requestsPerSecond / mapLoad.requestsPerSecond) * 10) / 10,
    },
    graduatedApproach: {
      todayP50Ms: Math.round(percentile(todayTimes, 50) * 100) / 100,
      todayP99Ms: Math.round(percentile(todayTimes, 99) * 100) / 100,
      plansHubP50Ms: Math.round(percentile(plansTimes, 50) * 100) / 100,
      chronologyP50Ms: Math.round(percentile(chronologyTimes, 50) * 100) / 100,
      chronologyP99Ms: Math.round(percentile(chronologyTimes, 99) * 100) / 100,
    },
    pupilPage: { p50Ms: Math.round(percentile(latencies, 50) * 100) / 100, p99Ms: Math.round(percentile(latencies, 99) * 100) / 100, requests: latencies.length },
    ctfImport: {
      bareParseMs: Math.round(median(parseTimes)),
      previewMs: Math.round(median(previewTimes)),
      previewAndCommitMs: Math.round(median(importTimes)),
      ratioToBareParse: Math.round((median(importTimes) / median(parseTimes)) * 10) / 10,
    },
    serverPeakRssMb: peakRssMb(server.pid),
  };
  const rows: Array<[string, string, string]> = [
    ['Register page (16 connections)', `${Math.round(register.requestsPerSecond)} req/s`, `p50 ${register.latencyP50} ms, p99 ${register.latencyP99} ms`],
    ['Same bytes, static (ceiling)', `${Math.round(ceiling.requestsPerSecond)} req/s`, `register = ${figures.registerShareOfCeiling}% of ceiling (aim ≥ 30%)`],
    ['Costed provision map, whole school', `p50 ${figures.provisionMap.p50Ms} ms`, `register p50 ${figures.provisionMap.registerP50Ms} ms (map = ${figures.provisionMap.ratioToRegisterP50}×); ${Math.round(mapLoad.requestsPerSecond)} req/s at 16 connections (register = ${figures.provisionMap.ratioToRegisterThroughput}× the map)`],
    ['Today (SENCO home page)', `p50 ${figures.graduatedApproach.todayP50Ms} ms`, `p99 ${figures.graduatedApproach.todayP99Ms} ms; plans hub p50 ${figures.graduatedApproach.plansHubP50Ms} ms`],
    ['Pupil chronology, all sources', `p50 ${figures.graduatedApproach.chronologyP50Ms} ms`, `p99 ${figures.graduatedApproach.chronologyP99Ms} ms over ${chronologyTimes.length} pupils’ pages`],
    ['Pupil page, one at a time', `p50 ${figures.pupilPage.p50Ms} ms`, `p99 ${figures.pupilPage.p99Ms} ms over ${latencies.length} requests`],
    [`CTF import, ${PUPILS} pupils`, `${figures.ctfImport.previewAndCommitMs} ms`, `preview ${figures.ctfImport.previewMs} ms; bare parse ${figures.ctfImport.bareParseMs} ms; ratio ${figures.ctfImport.ratioToBareParse}× (aim ≤ 3×)`],
    ['Demo seeding', `${figures.seedSeconds} s`, `${PUPILS} pupils + the small primary`],
    ['Server peak memory', `${figures.serverPeakRssMb ?? '?'} MB`, 'resident set, after all of the above'],
  ];
  const width = Math.max(...rows.map((row) => row[0].length));
  console.log(`\nSENCO Desk benchmark: ${PUPILS}-pupil demo school, SQLite, Node ${process.version}, ${os.cpus().length} CPUs\n`);
  for (const [name, value, detail] of rows) console.log(`${name.padEnd(width)}  ${value.padEnd(16)}  ${detail}`);
  fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  fs.writeFileSync(path.join(root, 'bench/results/latest.json'), `${JSON.stringify(figures, null, 2)}\n`);
  console.log('\nWritten to bench/results/latest.json');
} finally {
  server.kill('SIGTERM');
  fs.rmSync(directory, { recursive: true, force: true });
}
