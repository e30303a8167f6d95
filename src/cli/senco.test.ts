import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { verifyPassword } from '../platform/auth/passwords.ts';
import { REGISTER_CSV_HEADINGS } from '../features/register/service.ts';

const CLI = fileURLToPath(new URL('./senco.ts', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('senco command line', () => {
  let directory = '';
  let databaseFile = '';
  let env: NodeJS.ProcessEnv = {};

  /** Runs `senco` in a child process (process.execPath is the Node that runs the tests: 24). */
  function senco(...args: string[]): Promise<Run> {
    return new Promise((resolve) => {
      execFile(process.execPath, [CLI, ...args], { env, cwd: directory, encoding: 'utf8' }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  }

  function withDatabase<T>(use: (sqlite: DatabaseSync) => T, file = databaseFile): T {
    const sqlite = new DatabaseSync(file);
    try {
      return use(sqlite);
    } finally {
      sqlite.close();
    }
  }

  before(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'senco-cli-'));
    databaseFile = path.join(directory, 'data', 'senco-desk.sqlite');
    env = { ...process.env, DATA_DIR: path.join(directory, 'data'), DATABASE_URL: '' };
    delete env.NODE_TEST_CONTEXT;
  });

  after(() => {
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it('lists its commands, and refuses an unknown one', async () => {
    const help = await senco('help');
    assert.equal(help.code, 0);
    for (const command of ['migrate', 'demo', 'user', 'export', 'backup', 'audit']) assert.match(help.stdout, new RegExp(`^  ${command} `, 'm'));
    const unknown = await senco('frobnicate');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no command "frobnicate"/);
  });

  it('creates the demo schools once and prints the sign-ins', async () => {
    const tooSmall = await senco('demo', '--pupils', '10');
    assert.equal(tooSmall.code, 2);
    assert.match(tooSmall.stderr, /--pupils must be a whole number from 50 to 20000/);

    const demo = await senco('demo', '--pupils', '60', '--seed', '3');
    assert.equal(demo.code, 0, demo.stderr);
    assert.match(demo.stdout, /password: demo-password-2026/);
    assert.match(demo.stdout, /senco@riverside\.example\.org/);
    const counts = withDatabase((sqlite) => sqlite.prepare('SELECT urn, (SELECT count(*) FROM pupils p WHERE p.school_id = s.id) AS pupils FROM schools s ORDER BY urn').all());
    assert.deepEqual(counts.map((row) => [row.urn, row.pupils]), [['118765', 210], ['139876', 60]]);

    const again = await senco('demo', '--pupils', '60');
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already has the demo schools/);
  });

  it('adds an account with a printed one-time password, and names what was wrong', async () => {
    const added = await senco('user', 'add', '--email', 'Aoife.Byrne@riverside.example.org', '--name', 'Aoife Byrne', '--school', '139876', '--role', 'teaching_assistant');
    assert.equal(added.code, 0, added.stderr);
    const password = /Password \(shown once[^)]*\): (\S+)/.exec(added.stdout)?.[1];
    assert.ok(password && password.length >= 20);
    const row = withDatabase((sqlite) =>
      sqlite
        .prepare("SELECT u.password_hash, m.role, s.urn FROM users u JOIN memberships m ON m.user_id = u.id JOIN schools s ON s.id = m.school_id WHERE u.email = 'aoife.byrne@riverside.example.org'")
        .get(),
    );
    assert.equal(row?.role, 'teaching_assistant');
    assert.equal(row?.urn, '139876');
    assert.ok(await verifyPassword(password, String(row?.password_hash)));

    const badRole = await senco('user', 'add', '--email', 'x@example.org', '--name', 'X', '--school', '139876', '--role', 'wizard');
    assert.equal(badRole.code, 2);
    assert.match(badRole.stderr, /"wizard" is not a role\. Valid roles: senco \(SENCO\), sen_admin/);
    const badSchool = await senco('user', 'add', '--email', 'x@example.org', '--name', 'X', '--school', 'Nowhere High', '--role', 'teacher');
    assert.equal(badSchool.code, 1);
    assert.match(badSchool.stderr, /No school has the URN or name "Nowhere High"/);
    assert.match(badSchool.stderr, /139876 {2}Riverside Academy/);
  });

  it('resets a password', async () => {
    const reset = await senco('user', 'reset-password', '--email', 'senco@riverside.example.org', '--password', 'a-new-password-2026');
    assert.equal(reset.code, 0, reset.stderr);
    const hash = withDatabase((sqlite) => sqlite.prepare("SELECT password_hash FROM users WHERE email = 'senco@riverside.example.org'").get()?.password_hash);
    assert.ok(await verifyPassword('a-new-password-2026', String(hash)));
    const unknown = await senco('user', 'reset-password', '--email', 'nobody@example.org');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /No account has the email address nobody@example\.org/);
  });

  it('exports the SEN register as formula-safe CSV, and audits it', async () => {
    // A name a spreadsheet would run as a formula.
    withDatabase((sqlite) =>
      sqlite
        .prepare(
          `UPDATE pupils SET legal_surname = '=HYPERLINK("http://example.com")', preferred_forename = '@SUM(1)'
           WHERE id = (SELECT p.id FROM pupils p JOIN schools s ON s.id = p.school_id WHERE s.urn = '139876' AND p.sen_provision = 'E' LIMIT 1)`,
        )
        .run(),
    );
    const out = path.join(directory, 'register.csv');
    const exported = await senco('export', 'register', '--school', '139876', '--out', out);
    assert.equal(exported.code, 0, exported.stderr);
    const text = fs.readFileSync(out, 'utf8');
    assert.ok(text.startsWith('\uFEFF'));
    const lines = text.slice(1).trimEnd().split('\r\n');
    assert.equal(lines[0], REGISTER_CSV_HEADINGS.join(','));
    const expected = withDatabase((sqlite) =>
      sqlite.prepare("SELECT count(*) AS n FROM pupils p JOIN schools s ON s.id = p.school_id WHERE s.urn = '139876' AND p.on_roll = 1 AND p.sen_provision IN ('K', 'E')").get(),
    );
    assert.equal(lines.length - 1, Number(expected?.n));
    assert.ok(text.includes(`"'=HYPERLINK(""http://example.com"")"`), 'formula cell is quoted and prefixed');
    assert.ok(text.includes(",'@SUM(1),"));
    assert.ok(lines.slice(1).every((line) => /,(K|E),/.test(line)));
    const audited = withDatabase((sqlite) => sqlite.prepare("SELECT detail FROM audit_events WHERE action = 'register.exported'").all());
    assert.equal(audited.length, 1);
    assert.equal(JSON.parse(String(audited[0]!.detail)).rows, lines.length - 1);

    const toStdout = await senco('export', 'register', '--school', 'Riverside Academy');
    assert.equal(toStdout.code, 0, toStdout.stderr);
    assert.ok(toStdout.stdout.replace(/^\uFEFF/, "").startsWith("UPN,Legal surname,"));
  });

  it('backs up SQLite to a new file, and points PostgreSQL users to pg_dump', async () => {
    const file = path.join(directory, 'backups', 'copy.sqlite');
    const backup = await senco('backup', file);
    assert.equal(backup.code, 0, backup.stderr);
    const original = withDatabase((sqlite) => sqlite.prepare('SELECT count(*) AS n FROM pupils').get()?.n);
    assert.equal(withDatabase((sqlite) => sqlite.prepare('SELECT count(*) AS n FROM pupils').get()?.n, file), original);
    const twice = await senco('backup', file);
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /already exists/);
    const postgres = await senco('backup', path.join(directory, 'x.dump'), '--database', 'postgres://nobody@127.0.0.1:1/none');
    assert.equal(postgres.code, 2);
    assert.match(postgres.stderr, /pg_dump/);
  });

  it('verifies the audit trail, and names the first link that was tampered with', async () => {
    const ok = await senco('audit', 'verify');
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^OK: \d+ audit event\(s\) in \d+ chain\(s\) verified/);
    withDatabase((sqlite) =>
      sqlite.prepare(`UPDATE audit_events SET detail = '{"pupils":1}' WHERE seq = 1 AND school_id = (SELECT id FROM schools WHERE urn = '139876')`).run(),
    );
    const broken = await senco('audit', 'verify');
    assert.equal(broken.code, 1);
    assert.match(broken.stdout, /BROKEN: in the chain of Riverside Academy \(school id [^)]+\), event 1: its contents were changed after it was written/);
  });
});
