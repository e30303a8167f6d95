import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { barChart, chartTableParams, lineChart, type BarChartSpec, type ChartSpec, type LineChartSpec } from './index.ts';
import { escapeXml } from './svg.ts';

// Charts in Debian's Chromium: they draw, and axe (WCAG 2.2 A and AA) finds nothing on a page that shows
// each one beside its table. SCREENSHOTS=dir keeps a picture of each chart.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const skip = existsSync(CHROMIUM) ? false : `Chromium is not installed at ${CHROMIUM}: chart rendering skipped`;

const charts: { name: string; svg: string; spec: ChartSpec }[] = [];
const add = (name: string, svg: string, spec: ChartSpec) => charts.push({ name, svg, spec });
const needs: BarChartSpec = {
  title: 'Pupils on SEN support by primary need',
  categoryLabel: 'Primary need',
  valueLabel: 'Pupils',
  categories: ['Speech, language and communication needs', 'Social, emotional and mental health', 'Specific learning difficulty', 'Physical disability'],
  series: [{ name: 'Pupils', values: [42, 31, 18, null] }],
};
const scores: BarChartSpec = {
  title: 'Standardised scores on entry and exit',
  categoryLabel: 'Intervention',
  valueLabel: 'Average standardised score',
  categories: ['Precision teaching', 'Speech and language group', 'Numicon maths'],
  series: [
    { name: 'Entry', values: [78, 84.5, 81] },
    { name: 'Exit', values: [86, 88.25, 80] },
  ],
};
const costs: BarChartSpec = {
  title: 'Provision cost by year group',
  categoryLabel: 'Year group',
  valueLabel: 'Cost this year',
  stacked: true,
  format: { prefix: '£' },
  categories: ['Reception', 'Year 1', 'Year 2', 'Year 3'],
  series: [
    { name: 'Teaching assistant time', values: [4200, 6100, 5300, 7900] },
    { name: 'Specialist visits', values: [600, 1200, 0, 2400] },
    { name: 'Resources', values: [150, 300, 220, 410] },
  ],
};
const reading: LineChartSpec = {
  title: 'Reading age over the year',
  categoryLabel: 'Assessment',
  valueLabel: 'Reading age (months)',
  categories: ['Sep 2026', 'Nov 2026', 'Jan 2027', 'Mar 2027', 'May 2027'],
  series: [
    { name: 'Zoë', values: [84, 88, null, 95, 99] },
    { name: 'Łukasz', values: [90, 91, 93, 96, 97] },
  ],
  reference: { value: 96, label: 'Expected' },
};
add('bar', barChart(needs), needs);
add('grouped', barChart(scores), scores);
add('stacked', barChart(costs), costs);
add('line', lineChart(reading), reading);

function tableHtml(spec: ChartSpec): string {
  const params = chartTableParams(spec);
  const cell = (tag: string, entry: { text: string; format?: string }, scope?: string) =>
    `<${tag}${scope ? ` scope="${scope}"` : ''}${entry.format === 'numeric' ? ' class="numeric"' : ''}>${escapeXml(entry.text)}</${tag}>`;
  return `<table><caption>${escapeXml(params.caption)}</caption><thead><tr>${params.head.map((entry) => cell('th', entry, 'col')).join('')}</tr></thead><tbody>${params.rows
    .map((row) => `<tr>${row.map((entry, index) => (index === 0 ? cell('th', entry, 'row') : cell('td', entry))).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

describe('charts in a browser', { skip }, () => {
  let browser: Browser;
  before(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  });
  after(async () => {
    await browser?.close();
  });

  it('draw, and pass axe beside their tables', async () => {
    const page = await browser.newPage({ viewport: { width: 760, height: 900 } });
    const body = charts.map((chart) => `<figure>${chart.svg}${tableHtml(chart.spec)}</figure>`).join('');
    await page.setContent(`<!doctype html><html lang="en-GB"><head><title>Charts</title></head><body><main><h1>Charts</h1>${body}</main></body></html>`);
    const boxes = await page.$$eval('svg.app-chart', (svgs) => svgs.map((svg) => svg.getBoundingClientRect().toJSON() as { width: number; height: number }));
    assert.equal(boxes.length, charts.length);
    for (const box of boxes) assert.ok(box.width === 640 && box.height > 100);
    // Every label the chart drew fits inside it.
    const overflowing = await page.$$eval('svg.app-chart', (svgs) =>
      svgs.flatMap((svg) => {
        const frame = svg.getBoundingClientRect();
        return Array.from(svg.querySelectorAll('text'))
          .filter((text) => {
            const box = text.getBoundingClientRect();
            return box.left < frame.left - 1 || box.right > frame.right + 1 || box.top < frame.top - 1 || box.bottom > frame.bottom + 1;
          })
          .map((text) => text.textContent);
      }),
    );
    assert.deepEqual(overflowing, []);
    const axe = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    await page.addScriptTag({ content: axe });
    const violations = await page.evaluate(async () => {
      const result = await (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: { id: string; nodes: unknown[] }[] }> } }).axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
      });
      return result.violations.map((violation) => `${violation.id} (${violation.nodes.length})`);
    });
    assert.deepEqual(violations, []);
    const names = await page.$$eval('svg.app-chart', (svgs) => svgs.map((svg) => svg.getAttribute('aria-labelledby')!.split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' | ')));
    assert.match(names[0]!, /^Pupils on SEN support by primary need \| Bar chart of pupils/);
    const directory = process.env.SCREENSHOTS;
    if (directory) {
      mkdirSync(directory, { recursive: true });
      const svgs = await page.$$('svg.app-chart');
      for (const [index, svg] of svgs.entries()) await svg.screenshot({ path: path.join(directory, `chart-${charts[index]!.name}.png`) });
    }
    await page.close();
  });
});
