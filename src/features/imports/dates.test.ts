import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { excelSerialToIso, expandTwoDigitYear, parseImportDate } from './dates.ts';

const today = '2026-03-14';
const read = (text: string, options: { past?: boolean; allowSerial?: boolean } = {}) => parseImportDate(text, { today, past: true, ...options });

describe('import date parsing', () => {
  it('reads day-first British dates in the common spreadsheet formats', () => {
    const cases: Array<[string, string]> = [
      ['01/05/2014', '2014-05-01'],
      ['1/5/2014', '2014-05-01'],
      ['3/4/14', '2014-04-03'],
      ['03-04-2014', '2014-04-03'],
      ['03.04.2014', '2014-04-03'],
      ['2014-04-03', '2014-04-03'],
      ['2014-4-3', '2014-04-03'],
      ['2014-04-03T00:00:00', '2014-04-03'],
      ['2014-04-03T00:00:00.000Z', '2014-04-03'],
      ['2014/04/03', '2014-04-03'],
      ['03/04/2014 00:00', '2014-04-03'],
      ['23-Jun-2013', '2013-06-23'],
      ['3 March 2015', '2015-03-03'],
      ['3rd Sept 2015', '2015-09-03'],
      [' 29/02/2016 ', '2016-02-29'],
    ];
    for (const [text, expected] of cases) assert.deepEqual(read(text), { ok: true, date: expected }, text);
  });

  it('pivots two-digit years: 00–29 in the 2000s, and dates of birth never in the future', () => {
    assert.equal(expandTwoDigitYear(14, 4, 3, { today }), 2014);
    assert.equal(expandTwoDigitYear(29, 1, 1, { today }), 2029, 'without "past", 29 is 2029');
    assert.equal(expandTwoDigitYear(29, 1, 1, { today, past: true }), 1929, 'a birth date cannot be in 2029');
    assert.equal(expandTwoDigitYear(95, 1, 1, { today }), 1995);
    assert.equal(expandTwoDigitYear(0, 1, 1, { today }), 2000);
    assert.deepEqual(read('01/01/26'), { ok: true, date: '2026-01-01' });
    assert.deepEqual(read('01/12/26'), { ok: true, date: '1926-12-01' }, 'December 2026 is after today');
    assert.deepEqual(read('01/01/95'), { ok: true, date: '1995-01-01' });
  });

  it('refuses dates that are not real, and says so', () => {
    const bad = read('31/02/2014');
    assert.equal(bad.ok, false);
    assert.match(!bad.ok ? bad.reason : '', /"31\/02\/2014" is not a real date/);
    const american = read('12/31/2014');
    assert.match(!american.ok ? american.reason : '', /read day first/);
    const words = read('next Tuesday');
    assert.match(!words.ok ? words.reason : '', /not a date we recognise/);
    assert.equal(read('2014-13-01').ok, false);
    assert.equal(read('').ok, false);
  });

  it('reads Excel serial numbers only when the cell came from a workbook', () => {
    assert.equal(excelSerialToIso(41000), '2012-04-01');
    assert.equal(excelSerialToIso(44927), '2023-01-01');
    assert.equal(excelSerialToIso(0), undefined);
    assert.deepEqual(read('41000', { allowSerial: true }), { ok: true, date: '2012-04-01' });
    assert.equal(read('41000').ok, false, 'a number in a CSV is not a date');
  });
});
