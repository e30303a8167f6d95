import path from 'node:path';
import nunjucks from 'nunjucks';
import { describeDeadline, formatDate, formatDateTime } from '../dates.ts';
import { NEEDS, PROVISION_LABELS, yearGroupLabel, isNeedCode, isProvision } from '../../features/register/census.ts';
import { ROLE_LABELS, isRole } from '../permissions.ts';
import { addChartGlobals } from '../charts/index.ts';
import { formatNumber } from '../figures.ts';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character]!);

const root = path.resolve(import.meta.dirname, '../../..');

/** One environment for the app. Templates are named from src/ ('features/register/views/register.njk'). */
export function createViewEnvironment(options: { watch?: boolean } = {}): nunjucks.Environment {
  const loader = new nunjucks.FileSystemLoader(
    [
      path.join(root, 'src'),
      path.join(root, 'src/platform/views'),
      path.join(root, 'node_modules/govuk-frontend/dist'),
      path.join(root, 'node_modules/@ministryofjustice/frontend'),
    ],
    { noCache: Boolean(options.watch), watch: false },
  );
  const env = new nunjucks.Environment(loader, { autoescape: true, throwOnUndefined: false, trimBlocks: true, lstripBlocks: true });
  env.addFilter('date', (value: string | null | undefined) => formatDate(value));
  env.addFilter('dateTime', (value: string | null | undefined) => formatDateTime(value));
  env.addFilter('deadline', (value: string) => describeDeadline(value));
  env.addFilter('yearGroup', (value: number | null | undefined) => yearGroupLabel(value));
  env.addFilter('provisionLabel', (value: string) => (isProvision(value) ? PROVISION_LABELS[value] : value));
  env.addFilter('needLabel', (value: string) => (isNeedCode(value) ? NEEDS[value].label : value));
  env.addFilter('needArea', (value: string) => (isNeedCode(value) ? NEEDS[value].area : ''));
  env.addFilter('roleLabel', (value: string) => (isRole(value) ? ROLE_LABELS[value] : value));
  env.addFilter('number', (value: number) => formatNumber(value));
  env.addFilter('percent', (value: number, total: number) => (total > 0 ? `${Math.round((value / total) * 1000) / 10}%` : '0%'));
  env.addFilter('plural', (count: number, singular: string, plural?: string) => `${formatNumber(count)} ${count === 1 ? singular : (plural ?? `${singular}s`)}`);
  env.addFilter('compact', (values: unknown[]) => values.filter(Boolean));
  env.addFilter('json', (value: unknown) => JSON.stringify(value));
  // Someone's words, escaped, with their line breaks kept as character references: GOV.UK macros
  // indent every raw newline of the HTML they are given, which `white-space: pre-wrap` would show.
  env.addFilter('keepLines', (value: unknown) =>
    new nunjucks.runtime.SafeString(escapeHtml(String(value ?? '')).replace(/\r\n|\r|\n/g, '&#10;')),
  );
  // Server-rendered SVG charts: barChart(), lineChart(), chartTableParams() (src/platform/charts).
  addChartGlobals(env);
  return env;
}
