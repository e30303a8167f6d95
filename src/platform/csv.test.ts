import assert from 'node:assert/strict';
import { it } from 'node:test';
import { toCsv } from './csv.ts';

it('quotes commas, quotes and new lines, and defuses formulas', () => {
  const csv = toCsv([
    ['Name', 'Note'],
    ["O'Connor, Siobhán", 'said "hello"\nthen left'],
    ['=HYPERLINK("x")', '-1'],
  ]);
  assert.equal(csv, '\uFEFFName,Note\r\n"O\'Connor, Siobhán","said ""hello""\nthen left"\r\n"\'=HYPERLINK(""x"")",\'-1\r\n');
});

it('prefixes every cell a spreadsheet would run as a formula, and leaves names alone', () => {
  const cells = (value: string) => toCsv([[value]]).slice(1, -2);
  assert.equal(cells('=1+1'), "'=1+1");
  assert.equal(cells('+44 7700 900123'), "'+44 7700 900123");
  assert.equal(cells('@SUM(A1)'), "'@SUM(A1)");
  assert.equal(cells('\t=1'), "'\t=1");
  assert.equal(cells("O'Connor"), "O'Connor");
  assert.equal(cells('Nowak-Smith'), 'Nowak-Smith');
});
