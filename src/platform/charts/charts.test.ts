import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XMLValidator } from 'fast-xml-parser';
import nunjucks from 'nunjucks';
import { addChartGlobals, barChart, chartTable, chartTableParams, horizontalBarChart, lineChart, type BarChartSpec, type LineChartSpec } from './index.ts';
import { escapeXml, formatNumber, niceTicks, wrapText } from './svg.ts';

const NEEDS: BarChartSpec = {
  title: 'Pupils on SEN support by primary need',
  categoryLabel: 'Primary need',
  valueLabel: 'Pupils',
  categories: ['Speech, language and communication needs', 'Social, emotional and mental health', 'Physical disability'],
  series: [{ name: 'Pupils', values: [42, 31, null] }],
};

const COSTS: BarChartSpec = {
  title: 'Provision cost by year group',
  categoryLabel: 'Year group',
  valueLabel: 'Cost',
  format: { prefix: '£' },
  stacked: true,
  categories: ['Year 1', 'Year 2'],
  series: [
    { name: 'Teaching assistant time', values: [6100, 5300] },
    { name: 'Specialist visits', values: [1200, null] },
  ],
};

const READING: LineChartSpec = {
  title: 'Reading age over the year',
  categoryLabel: 'Assessment',
  valueLabel: 'Reading age (months)',
  categories: ['Sep', 'Nov', 'Jan', 'Mar'],
  series: [
    { name: 'Zoë', values: [84, 88, null, 95] },
    { name: 'Łukasz', values: [90, 91, 93, 96] },
  ],
  reference: { value: 96, label: 'Chronological age' },
};

/** The parts of an SVG a screen reader is given. */
function accessibleName(svg: string): { title: string; desc: string } {
  const labelledBy = svg.match(/^<svg [^>]*aria-labelledby="([^"]+)"/)?.[1]?.split(' ') ?? [];
  const text = (id: string | undefined) => svg.match(new RegExp(`<(?:title|desc) id="${id}">([^<]*)</`))?.[1] ?? '';
  return { title: text(labelledBy[0]), desc: text(labelledBy[1]) };
}

describe('chart helpers', () => {
  it('escapes text for SVG and drops characters XML cannot carry', () => {
    assert.equal(escapeXml(`<script>alert("x")</script> & 'y'\u0001`), '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;');
  });

  it('formats numbers the same on every machine', () => {
    assert.equal(formatNumber(1234567.5), '1,234,567.5');
    assert.equal(formatNumber(-6000, { prefix: '£' }), '-£6,000');
    assert.equal(formatNumber(45.678, { suffix: '%', decimals: 1 }), '45.7%');
    assert.equal(formatNumber(2.125), '2.13');
    assert.equal(formatNumber(-0.001, { decimals: 1 }), '0.0');
  });

  it('chooses round axis ticks', () => {
    assert.deepEqual(niceTicks(0, 42), [0, 10, 20, 30, 40, 50]);
    assert.deepEqual(niceTicks(-3, 12.5), [-5, 0, 5, 10, 15]);
    assert.deepEqual(niceTicks(0, 0), [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.deepEqual(niceTicks(84, 104), [80, 85, 90, 95, 100, 105]);
    assert.deepEqual(niceTicks(0, 0.9), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  });

  it('wraps long labels and marks what it had to cut', () => {
    assert.deepEqual(wrapText('Speech, language and communication needs', 180, 14), ['Speech, language and', 'communication needs']);
    const cut = wrapText('one two three four five six seven eight nine ten eleven twelve', 80, 14, 2);
    assert.equal(cut.length, 2);
    assert.match(cut[1]!, /…$/);
  });
});

describe('bar charts', () => {
  it('are labelled images with a title and a description of the figures', () => {
    const svg = barChart(NEEDS);
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" class="app-chart" width="640" height="\d+" viewBox="0 0 640 \d+" role="img" aria-labelledby="chart-[a-z0-9]+-title chart-[a-z0-9]+-desc"/);
    assert.equal(XMLValidator.validate(svg), true);
    const { title, desc } = accessibleName(svg);
    assert.equal(title, 'Pupils on SEN support by primary need');
    assert.equal(desc, 'Bar chart of pupils by primary need. Speech, language and communication needs: 42; Social, emotional and mental health: 31; Physical disability: no data. The figures are also in the table with this chart.');
    assert.ok(svg.includes('>42</text>') && svg.includes('>31</text>'), 'each bar is labelled with its value');
    assert.ok(svg.includes('>No data</text>'));
    assert.ok(svg.includes('>Primary need</text>') && svg.includes('>Pupils</text>'), 'both axes are named');
    assert.doesNotMatch(svg, /\sstyle=|<script|\son[a-z]+=/i, 'nothing the CSP or a reader would object to');
  });

  it('escape every text a user could have typed', () => {
    const svg = barChart({
      ...NEEDS,
      title: 'A <b>bold</b> title & "more"',
      categoryLabel: '</text><script>alert(1)</script>',
      categories: ['<img src=x onerror=alert(1)>', 'O’Brien & “friends”'],
      series: [{ name: '<i>series</i>', values: [1, 2] }],
      description: '<desc>',
    });
    assert.equal(XMLValidator.validate(svg), true);
    assert.doesNotMatch(svg, /<script|<img|<b>|<i>|<desc><desc>/);
    assert.ok(svg.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.equal(accessibleName(svg).desc, '&lt;desc&gt;');
  });

  it('are the same every time, and two different charts never share ids', () => {
    assert.equal(barChart(NEEDS), barChart(structuredClone(NEEDS)));
    const ids = (svg: string) => new Set(Array.from(svg.matchAll(/id="([^"]+)"/g), (match) => match[1]));
    const shared = [...ids(barChart(NEEDS))].filter((id) => ids(barChart(COSTS)).has(id));
    assert.deepEqual(shared, []);
    assert.match(barChart({ ...NEEDS, id: 'needs 1' }), /aria-labelledby="chart-needs-1-title chart-needs-1-desc"/);
  });

  it('give each series of a grouped chart its own pattern and a legend', () => {
    const svg = barChart({ ...COSTS, stacked: false });
    assert.equal(XMLValidator.validate(svg), true);
    assert.match(svg, /<pattern id="chart-[a-z0-9]+-p1"/);
    assert.match(svg, /class="app-chart__legend"/);
    assert.ok(svg.includes('>Teaching assistant time</text>') && svg.includes('>Specialist visits</text>'));
    assert.equal((svg.match(/<rect x="[^"]+" y="[^"]+" width="[^"]+" height="16" fill=/g) ?? []).length, 3, 'three bars; the missing one says no data');
    assert.match(accessibleName(svg).desc, /^Grouped bar chart of cost by year group\. Teaching assistant time: Year 1: £6,100; Year 2: £5,300\. Specialist visits: Year 1: £1,200; Year 2: no data\./);
  });

  it('stack values and label the totals', () => {
    const svg = barChart(COSTS);
    assert.equal(XMLValidator.validate(svg), true);
    assert.ok(svg.includes('>£7,300</text>'), 'the total of Year 1');
    assert.ok(svg.includes('>£5,300</text>'));
    assert.match(accessibleName(svg).desc, /^Stacked bar chart/);
  });

  it('draw negative values to the left of zero', () => {
    const svg = horizontalBarChart({ title: 'Change', categoryLabel: 'Pupil', valueLabel: 'Points', categories: ['A', 'B'], values: [8, -3] });
    assert.equal(XMLValidator.validate(svg), true);
    assert.ok(svg.includes('text-anchor="end" fill="#0b0c0c">-3</text>'));
    assert.ok(svg.includes('>-5.0</text>') && svg.includes('>7.5</text>'), 'the axis goes below zero, its labels to the step’s decimals');
  });

  it('cope with no categories or no series', () => {
    for (const svg of [barChart({ ...NEEDS, categories: [], series: [] }), barChart({ ...NEEDS, series: [] }), lineChart({ ...READING, categories: [], series: [] })]) {
      assert.equal(XMLValidator.validate(svg), true);
      assert.doesNotMatch(svg, /NaN|Infinity|undefined/);
    }
  });
});

describe('line charts', () => {
  it('break the line where a value is missing and mark every point', () => {
    const svg = lineChart(READING);
    assert.equal(XMLValidator.validate(svg), true);
    assert.doesNotMatch(svg, /NaN|Infinity|undefined/);
    const paths = Array.from(svg.matchAll(/<path d="([^"]+)" fill="none"/g), (match) => match[1]!);
    assert.equal(paths.length, 2);
    assert.equal((paths[0]!.match(/M/g) ?? []).length, 2, 'a gap for January');
    assert.equal((paths[1]!.match(/M/g) ?? []).length, 1);
    assert.match(paths[1]!, /stroke-dasharray|^M/);
    assert.ok(svg.includes('stroke-dasharray="9 5"'), 'the second series is dashed');
    assert.ok(svg.includes('>Chronological age (96)</text>'));
    assert.ok(svg.includes('>Zoë</text>') && svg.includes('>Łukasz</text>'), 'a legend names the series');
    assert.match(accessibleName(svg).desc, /^Line chart of reading age \(months\) by assessment\. Zoë: Sep: 84; Nov: 88; Jan: no data; Mar: 95\./);
  });

  it('label the points of a single short series and keep to a given range', () => {
    const svg = lineChart({ ...READING, series: [READING.series[1]!], min: 80, max: 100, format: { suffix: ' months' } });
    assert.ok(svg.includes('>93 months</text>'));
    assert.ok(svg.includes('>80 months</text>') && svg.includes('>100 months</text>'));
    assert.doesNotMatch(svg, />105 months</);
  });

  it('thin out category labels when there are many points', () => {
    const categories = Array.from({ length: 40 }, (_, index) => `Week ${index + 1}`);
    const svg = lineChart({ ...READING, categories, series: [{ name: 'Attendance', values: categories.map((_, index) => 80 + (index % 7)) }], reference: undefined });
    const shown = (svg.match(/>Week \d+<\/tspan>/g) ?? []).length;
    assert.ok(shown > 4 && shown < 40, `${shown} of 40 labels`);
  });
});

describe('chart tables', () => {
  it('give the figures as a table model with numeric columns', () => {
    assert.deepEqual(chartTable(NEEDS), {
      caption: 'Pupils on SEN support by primary need',
      headers: ['Primary need', 'Pupils'],
      rows: [
        ['Speech, language and communication needs', '42'],
        ['Social, emotional and mental health', '31'],
        ['Physical disability', 'No data'],
      ],
      numeric: [false, true],
    });
    assert.deepEqual(chartTable(COSTS).headers, ['Year group', 'Teaching assistant time', 'Specialist visits', 'Total']);
    assert.deepEqual(chartTable(COSTS).rows, [
      ['Year 1', '£6,100', '£1,200', '£7,300'],
      ['Year 2', '£5,300', 'No data', '£5,300'],
    ]);
    assert.deepEqual(chartTable({ title: 'T', categoryLabel: 'C', valueLabel: 'V', categories: ['a'], values: [3] }).rows, [['a', '3']]);
  });

  it('give GOV.UK table parameters', () => {
    const params = chartTableParams(COSTS);
    assert.equal(params.caption, 'Provision cost by year group');
    assert.equal(params.firstCellIsHeader, true);
    assert.deepEqual(params.head[0], { text: 'Year group' });
    assert.deepEqual(params.head[3], { text: 'Total', format: 'numeric' });
    assert.deepEqual(params.rows[1]![2], { text: 'No data', format: 'numeric' });
  });

  it('work from a Nunjucks template, with the chart output marked safe and its text still escaped', () => {
    const env = new nunjucks.Environment(null, { autoescape: true });
    addChartGlobals(env);
    const html = env.renderString('{{ barChart(spec) | safe }}<p>{{ chartTableParams(spec).head[0].text }}</p>', {
      spec: { ...NEEDS, categoryLabel: '<script>x</script>' },
    });
    assert.match(html, /^<svg /);
    assert.ok(html.includes('&lt;script&gt;x&lt;/script&gt;'));
    assert.doesNotMatch(html, /<script>/);
  });
});
