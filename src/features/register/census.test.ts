import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { censusProblems, needFromText, provisionFromText, yearGroupFromText } from './census.ts';

describe('census rules for SEN status', () => {
  it('accepts SEN support with a ranked primary and secondary need', () => {
    assert.deepEqual(censusProblems('K', [{ need: 'SLCN', rank: 1 }, { need: 'SEMH', rank: 2 }]), []);
  });
  it('needs at least one need for K and E', () => {
    assert.match(censusProblems('K', [])[0]!.message, /at least one need/);
    assert.match(censusProblems('E', [])[0]!.message, /at least one need/);
  });
  it('refuses needs for a pupil with no SEN', () => {
    assert.match(censusProblems('N', [{ need: 'ASD', rank: 1 }])[0]!.message, /no SEN cannot have needs/);
  });
  it('refuses two needs with the same rank', () => {
    const problems = censusProblems('K', [{ need: 'ASD', rank: 1 }, { need: 'SLCN', rank: 1 }]);
    assert.ok(problems.some((problem) => /rank 1 is used twice/.test(problem.message)));
  });
  it('allows NSA only with SEN support', () => {
    assert.deepEqual(censusProblems('K', [{ need: 'NSA', rank: 1 }]), []);
    assert.ok(censusProblems('E', [{ need: 'NSA', rank: 1 }]).some((problem) => /NSA/.test(problem.message)));
  });
  it('never assigns historic codes by hand, but accepts them from imports', () => {
    assert.match(censusProblems('S', [{ need: 'MLD', rank: 1 }])[0]!.message, /cannot be assigned/);
    assert.deepEqual(censusProblems('S', [{ need: 'MLD', rank: 1 }], { allowHistoric: true }), []);
  });
  it('names unknown codes', () => {
    assert.match(censusProblems('X', [])[0]!.message, /"X" is not an SEN provision code/);
    assert.match(censusProblems('K', [{ need: 'DYS', rank: 1 }])[0]!.message, /"DYS" is not a DfE SEN type code/);
  });
  it('insists on a primary need', () => {
    assert.ok(censusProblems('K', [{ need: 'ASD', rank: 2 }]).some((problem) => /primary need/.test(problem.message)));
  });
});

describe('reading codes and labels from spreadsheets', () => {
  it('reads provision codes and labels', () => {
    assert.equal(provisionFromText('SEN support'), 'K');
    assert.equal(provisionFromText('k'), 'K');
    assert.equal(provisionFromText('EHC plan'), 'E');
    assert.equal(provisionFromText('EHCP'), 'E');
    assert.equal(provisionFromText('No SEN'), 'N');
    assert.equal(provisionFromText('Statement'), 'S');
    assert.equal(provisionFromText('maybe'), undefined);
  });
  it('reads need codes, labels and common names', () => {
    assert.equal(needFromText('asd'), 'ASD');
    assert.equal(needFromText('Autism'), 'ASD');
    assert.equal(needFromText('Speech, language and communication needs'), 'SLCN');
    assert.equal(needFromText('SpLD'), 'SPLD');
    assert.equal(needFromText('unknown thing'), undefined);
  });
  it('reads year groups', () => {
    assert.equal(yearGroupFromText('Year 7'), 7);
    assert.equal(yearGroupFromText('Y10'), 10);
    assert.equal(yearGroupFromText('R'), 0);
    assert.equal(yearGroupFromText('N2'), -1);
    assert.equal(yearGroupFromText('Year 15'), undefined);
  });
});
