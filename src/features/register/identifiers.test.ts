import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { completeUln, makeUpn, upnCheckLetter, upnProblem, ulnProblem } from './identifiers.ts';

describe('UPN check letter', () => {
  it('accepts the valid examples from the GovTalk standard', () => {
    for (const upn of ['B801200005001', 'R674123101121', 'P207000016049']) assert.equal(upnProblem(upn), undefined, upn);
  });
  it('works the example through: B801200005001 sums to 93, and 93 mod 23 = 1 = B', () => {
    // 8×2 + 0×3 + 1×4 + 2×5 + 0×6 + 0×7 + 0×8 + 0×9 + 5×10 + 0×11 + 0×12 + 1×13 = 93
    assert.equal(upnCheckLetter('801200005001'), 'B');
  });
  it('rejects a wrong check letter, a wrong length and forbidden letters', () => {
    assert.equal(upnProblem('A801200005001'), 'check');
    assert.equal(upnProblem('B80120000500'), 'length');
    assert.equal(upnProblem('I801200005001'), 'format');
    assert.equal(upnProblem('B80120000500O'), 'format');
  });
  it('accepts temporary UPNs that end in a letter when the check letter is right', () => {
    const rest = '80120000500A';
    assert.equal(upnProblem(`${upnCheckLetter(rest)}${rest}`), undefined);
  });
  it('accepts Q and refuses S as a check letter, as the alphabet says', () => {
    for (let serial = 0; serial < 500; serial++) {
      const upn = makeUpn('801', '2000', 2019, serial);
      assert.equal(upnProblem(upn), undefined, upn);
    }
    assert.ok(Array.from({ length: 500 }, (_, serial) => makeUpn('801', '2000', 2019, serial)).some((upn) => upn.startsWith('Q')), 'some UPNs have check letter Q');
    assert.equal(upnProblem('S801200005001'), 'format');
  });
  it('builds valid UPNs', () => {
    const upn = makeUpn('801', '2000', 2019, 42);
    assert.equal(upn.length, 13);
    assert.equal(upnProblem(upn), undefined);
  });
});

describe('ULN check digit', () => {
  it('accepts the example 9276308686', () => assert.equal(ulnProblem('9276308686'), undefined));
  it('rejects a changed digit, a leading zero and letters', () => {
    assert.equal(ulnProblem('9276308687'), 'check');
    assert.equal(ulnProblem('0276308686'), 'format');
    assert.equal(ulnProblem('92763A8686'), 'format');
  });
  it('completes a stem into a valid ULN when it can', () => {
    const uln = completeUln('927630868');
    assert.equal(uln, '9276308686');
  });
});
