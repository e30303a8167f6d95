// Browser journeys run the real server against Debian's Chromium (never a downloaded browser),
// and check every page they visit with axe.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { BuiltApp } from '../../src/app.ts';
import { buildTestApp } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { FIXTURE_PASSWORD, seedFixture, type Fixture } from '../support/fixtures.ts';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Why browser tests cannot run here, or undefined when they can. CI always has Chromium. */
export function browserSkipReason(): string | undefined {
  if (fs.existsSync(CHROMIUM_PATH)) return undefined;
  return `Chromium is not installed at ${CHROMIUM_PATH} (apt-get install chromium): browser journeys skipped`;
}

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface Journey {
  browser: Browser;
  page: Page;
  baseUrl: string;
  fixture: Fixture;
  built: BuiltApp;
  database: TestDatabase;
  visited: string[];
  close(): Promise<void>;
}

export async function startJourney(): Promise<Journey> {
  const database = await createTestDatabase('sqlite');
  const fixture = await seedFixture(database);
  const built = await buildTestApp(database);
  await built.app.listen({ port: 0, host: '127.0.0.1' });
  const baseUrl = `http://127.0.0.1:${(built.app.server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS });
  const context = await browser.newContext({ baseURL: baseUrl });
  const page = await context.newPage();
  const problems: string[] = [];
  // A form re-shown with errors answers 400 on purpose (so does a refused upload sent by script);
  // only broken assets and script errors count here.
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(message.text());
  });
  page.on('response', (response) => {
    const kind = response.request().resourceType();
    if (response.status() >= 400 && ['stylesheet', 'script', 'image', 'font'].includes(kind)) problems.push(`${response.status()} for ${response.url()}`);
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return {
    browser,
    page,
    baseUrl,
    fixture,
    built,
    database,
    visited: [],
    async close() {
      await browser.close();
      await built.app.close();
      await database.close();
      if (problems.length) throw new Error(`The browser reported errors:\n${problems.join('\n')}`);
    },
  };
}

/** Runs axe (WCAG 2.2 A and AA rules) on the page as it is now and fails on any violation. */
export async function checkAccessibility(journey: Journey): Promise<void> {
  const { page } = journey;
  // Evaluated through DevTools rather than a <script> tag, so the app's CSP stays on.
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
    return axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
  });
  journey.visited.push(page.url());
  if (result.violations.length) {
    const described = result.violations
      .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.map((node) => node.target.join(' ')).slice(0, 3).join(', ')}`)
      .join('\n');
    throw new Error(`axe found ${result.violations.length} problem(s) on ${page.url()}:\n${described}`);
  }
}

export async function signIn(journey: Journey, email: string, password = FIXTURE_PASSWORD): Promise<void> {
  const { page } = journey;
  await page.goto('/sign-in');
  await checkAccessibility(journey);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForLoadState('load');
}

/** Saves a screenshot when SCREENSHOTS is set, for people reviewing a change. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const directory = process.env.SCREENSHOTS;
  if (!directory) return;
  fs.mkdirSync(directory, { recursive: true });
  await page.screenshot({ path: `${directory}/${name}.png`, fullPage: true });
}

/**
 * Clicks a download link and checks what arrives: a file named for what it is, not empty, beginning
 * as its type does, and sent with that content type (asked again through the browser's own session).
 */
export async function download(journey: Journey, name: string, extension: string, type: string, magic: string): Promise<void> {
  const { page } = journey;
  const link = page.getByRole('link', { name, exact: true });
  const [file] = await Promise.all([page.waitForEvent('download'), link.click()]);
  assert.match(file.suggestedFilename(), new RegExp(`\\.${extension}$`), name);
  const bytes = fs.readFileSync((await file.path())!);
  assert.ok(bytes.length > 0, `${name} is not empty`);
  assert.equal(bytes.subarray(0, Buffer.byteLength(magic)).toString('utf8'), magic, `${name} is a ${extension}`);
  const response = await page.request.get((await link.getAttribute('href'))!);
  assert.equal(response.headers()['content-type'], type, name);
  assert.match(response.headers()['content-disposition'] ?? '', /^attachment; /);
}
