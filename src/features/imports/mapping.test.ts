import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { headerSignature, mappingProblems, rowToRecord, suggestMapping, type ColumnMapping } from './mapping.ts';
import { fieldNamesFor } from './mapping.ts';
import { validateRows } from './rows.ts';
import { readCsv } from './spreadsheet.ts';
import { parseFlag, parseNeed, parseProvision, parseSex, parseYearGroup } from './values.ts';

const today = '2026-03-14';
const fixture = path.resolve(import.meta.dirname, '../../../test/fixtures/imports/register-mixed.csv');

describe('cell values', () => {
  it('reads yes/no flags in the ways spreadsheets write them', () => {
    for (const yes of ['Y', 'yes', 'TRUE', 'true', '1', 'x']) assert.deepEqual(parseFlag(yes), { ok: true, value: true }, yes);
    for (const no of ['N', 'no', 'FALSE', '0', '']) assert.deepEqual(parseFlag(no), { ok: true, value: false }, no);
    const bad = parseFlag('maybe');
    assert.equal(bad.ok, false);
    assert.match(!bad.ok ? bad.reason : '', /must be yes or no \(Y\/N, true\/false or 1\/0\), not "maybe"/);
  });

  it('reads SEN provision and needs as codes or labels', () => {
    assert.deepEqual(parseProvision('SEN support'), { ok: true, value: 'K' });
    assert.deepEqual(parseProvision('K'), { ok: true, value: 'K' });
    assert.deepEqual(parseProvision('EHC plan'), { ok: true, value: 'E' });
    assert.deepEqual(parseProvision(''), { ok: true, value: 'N' });
    assert.deepEqual(parseProvision('School Action Plus'), { ok: true, value: 'P' }, 'historic codes are imported');
    assert.equal(parseProvision('Wave 3').ok, false);
    assert.deepEqual(parseNeed('Autism'), { ok: true, value: 'ASD' });
    assert.deepEqual(parseNeed('ASD'), { ok: true, value: 'ASD' });
    assert.deepEqual(parseNeed('Speech, language and communication needs'), { ok: true, value: 'SLCN' });
    assert.deepEqual(parseNeed(''), { ok: true, value: undefined });
    const bad = parseNeed('Dyspraxia');
    assert.match(!bad.ok ? bad.reason : '', /"Dyspraxia" is not a DfE SEN type/);
  });

  it('reads sex and year group', () => {
    assert.deepEqual(parseSex('Female'), { ok: true, value: 'F' });
    assert.deepEqual(parseSex('m'), { ok: true, value: 'M' });
    assert.equal(parseSex('Q').ok, false);
    assert.deepEqual(parseYearGroup('Year 7'), { ok: true, value: 7 });
    assert.deepEqual(parseYearGroup('Y8'), { ok: true, value: 8 });
    assert.deepEqual(parseYearGroup('R'), { ok: true, value: 0 });
    assert.deepEqual(parseYearGroup('Rec'), { ok: true, value: 0 });
    assert.deepEqual(parseYearGroup('N1'), { ok: true, value: -2 });
    assert.deepEqual(parseYearGroup('X'), { ok: true, value: null });
    assert.equal(parseYearGroup('Year 20').ok, false);
  });
});

describe('column mapping', () => {
  it('suggests a mapping from the usual headings', () => {
    const headers = ['UPN', 'Surname', 'Forename', 'DOB', 'Year', 'Reg', 'SEN Status', 'Primary Need', 'Secondary need', 'FSM', 'Notes'];
    const mapping = suggestMapping(headers);
    assert.deepEqual(mapping, {
      upn: 0,
      legalSurname: 1,
      legalForename: 2,
      dateOfBirth: 3,
      yearGroup: 4,
      registrationGroup: 5,
      senProvision: 6,
      primaryNeed: 7,
      secondaryNeed: 8,
      fsm: 9,
    });
    assert.deepEqual(mappingProblems(mapping, headers), []);
  });

  it('matches headings with extra words and never uses a column twice', () => {
    const headers = ['Legal Surname', 'Legal Forename', 'Preferred Surname', 'Preferred Forename', 'Date of Birth (dd/mm/yyyy)', 'Gender', 'Tutor Group'];
    const mapping = suggestMapping(headers);
    assert.equal(mapping.legalSurname, 0);
    assert.equal(mapping.legalForename, 1);
    assert.equal(mapping.preferredSurname, 2);
    assert.equal(mapping.preferredForename, 3);
    assert.equal(mapping.dateOfBirth, 4);
    assert.equal(mapping.sex, 5);
    assert.equal(mapping.registrationGroup, 6);
  });

  it('names each problem with a mapping against the select to change', () => {
    const headers = ['Name', 'Born', 'SEN'];
    const problems = mappingProblems({ legalSurname: 0, legalForename: 0, senProvision: 2 } as ColumnMapping, headers);
    const byField = Object.fromEntries(problems.map((problem) => [problem.field, problem.message]));
    assert.match(byField['map-dateOfBirth']!, /Choose the column that holds the date of birth/);
    assert.match(byField['map-legalForename']!, /cannot both use the column "Name"/);
    assert.match(byField['map-primaryNeed']!, /primary need/);
  });

  it('gives the same signature to the same headings however they are spaced or capitalised', () => {
    assert.equal(headerSignature(['UPN', 'Surname']), headerSignature([' upn', 'SURNAME ']));
    assert.notEqual(headerSignature(['UPN', 'Surname']), headerSignature(['Surname', 'UPN']));
  });
});

describe('spreadsheet rows', () => {
  it('reads a CSV with mixed date formats and labels, rejecting rows with their line, field and reason', () => {
    const table = readCsv(fs.readFileSync(fixture, 'utf8'));
    const mapping = suggestMapping(table.headers);
    assert.deepEqual(mappingProblems(mapping, table.headers), []);
    const rows = validateRows(
      table.rows.map((row) => rowToRecord(row.cells, row.line, table.headers, mapping, { today, allowSerialDates: false })),
      fieldNamesFor(mapping, table.headers),
      today,
      'row',
    );
    const byLine = new Map(rows.map((row) => [row.line, row]));
    const ava = byLine.get(2)!;
    assert.deepEqual(ava.problems, []);
    assert.deepEqual(ava.record, {
      upn: 'B801200005001',
      legalSurname: 'Smith',
      legalForename: 'Ava',
      dateOfBirth: '2014-05-01',
      preferredForename: null,
      registrationGroup: '7A',
      sex: 'F',
      yearGroup: 7,
      fsm: true,
      pupilPremium: true,
      eal: false,
      lookedAfter: false,
      sen: { provision: 'K', needs: [{ need: 'ASD', rank: 1 }], startDate: '2023-09-04' },
    });
    const zoe = byLine.get(3)!;
    assert.deepEqual(zoe.problems, []);
    assert.equal(zoe.record!.legalSurname, "O'Connor");
    assert.equal(zoe.record!.dateOfBirth, '2014-04-03');
    assert.deepEqual(zoe.record!.sen, { provision: 'K', needs: [{ need: 'SLCN', rank: 1 }, { need: 'SEMH', rank: 2 }], startDate: '2024-09-02' });
    assert.equal(byLine.get(4)!.record!.sen!.provision, 'E');
    assert.equal(byLine.get(4)!.record!.sen!.startDate, '2022-01-15');
    const priya = byLine.get(5)!;
    assert.deepEqual(priya.problems, []);
    assert.equal(priya.record!.dateOfBirth, '2013-06-23');
    assert.equal('upn' in priya.record!, false, 'a blank UPN leaves the register’s UPN alone');

    assert.deepEqual(byLine.get(6)!.problems, [{ field: 'UPN', reason: 'UPN check letter does not match the rest of the UPN ("X801200005001")' }]);
    for (const line of [7, 8]) {
      assert.deepEqual(byLine.get(line)!.problems, [{ field: 'UPN', reason: 'UPN J881200001001 appears more than once in the file (rows 7 and 8)' }]);
    }
    const several = byLine.get(9)!.problems;
    assert.deepEqual(several.map((problem) => problem.field).sort(), ['DOB', 'FSM', 'Primary Need'].sort());
    assert.match(several.find((problem) => problem.field === 'DOB')!.reason, /Date of birth "31\/02\/2014" is not a real date/);
    assert.match(several.find((problem) => problem.field === 'Primary Need')!.reason, /SEN support needs at least one need/);
    const quoted = byLine.get(10)!;
    assert.equal(quoted.upn, 'M881200001003', 'spaces and lower case are taken out of a UPN');
    assert.equal(quoted.record!.legalForename, 'Name, With Comma');
    assert.deepEqual(quoted.problems, [{ field: 'Primary Need', reason: 'NSA (no specialist assessment) can only be used with SEN support (K)' }]);
  });

  it('numbers rows as a spreadsheet does, even when a quoted cell spans lines', () => {
    const table = readCsv('UPN;Surname;Forename\r\nB801200005001;"Smith\r\nJones";Ava\r\n\r\nR674123101121;Ng;Li\r\n');
    assert.deepEqual(table.headers, ['UPN', 'Surname', 'Forename']);
    assert.deepEqual(table.rows.map((row) => row.line), [2, 5]);
    assert.equal(table.rows[0]!.cells[1], 'Smith\nJones');
  });
});
