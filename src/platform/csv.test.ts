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
