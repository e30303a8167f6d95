// The concern rules, by example: what a member of staff must say, the outcomes the SENCO records
// (a note for a referral or no further action), and the triage list's filters.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { concernProblems, outcomeProblems, parseTriageQuery, triageQueryString } from './rules.ts';

describe('raising a concern', () => {
  const good = { observed: 'Avoids reading aloud; guesses words from the first letter.', tried: 'Paired reading, coloured overlay.', duration: 'Since October half term', area: '' };

  it('needs what they see, what they have tried and for how long; the area of need is optional', () => {
    assert.deepEqual(concernProblems(good), []);
    assert.deepEqual(concernProblems({ ...good, area: 'Cognition and learning' }), []);
    assert.deepEqual(
      concernProblems({ observed: '  ', tried: '', duration: '', area: '' }).map((problem) => problem.field),
      ['observed', 'tried', 'duration'],
    );
  });

  it('refuses an area that is not one of the four, and text past its limit', () => {
    assert.deepEqual(concernProblems({ ...good, area: 'Behaviour' }).map((problem) => problem.field), ['area']);
    assert.match(concernProblems({ ...good, observed: 'x'.repeat(4001) })[0]!.message, /4,000 characters or fewer/);
    assert.match(concernProblems({ ...good, duration: 'x'.repeat(201) })[0]!.message, /200 characters or fewer/);
  });
});

describe('recording the outcome of a concern', () => {
  it('monitor and start SEN support need no note', () => {
    assert.deepEqual(outcomeProblems({ outcome: 'monitor', note: '' }, 'open'), []);
    assert.deepEqual(outcomeProblems({ outcome: 'sen-support', note: '' }, 'open'), []);
  });

  it('a referral and no further action need a note saying why', () => {
    assert.deepEqual(outcomeProblems({ outcome: 'refer', note: ' ' }, 'open'), [{ field: 'note', message: 'Enter a note saying which agency the pupil is referred to, and why' }]);
    assert.deepEqual(outcomeProblems({ outcome: 'no-further-action', note: '' }, 'open'), [{ field: 'note', message: 'Enter a note saying why no further action is needed' }]);
    assert.deepEqual(outcomeProblems({ outcome: 'refer', note: 'Speech and language therapy: referral sent 3 March.' }, 'open'), []);
  });

  it('an outcome must be chosen from the list', () => {
    assert.deepEqual(outcomeProblems({ outcome: '', note: '' }, 'open'), [{ field: 'outcome', message: 'Choose the outcome' }]);
    assert.deepEqual(outcomeProblems({ outcome: 'exclude', note: 'no' }, 'open').map((problem) => problem.field), ['outcome']);
  });

  it('a concern that already has an outcome must be reopened first', () => {
    assert.match(outcomeProblems({ outcome: 'monitor', note: '' }, 'closed')[0]!.message, /reopen it/);
  });
});

describe('the triage list’s filters', () => {
  it('reads the query, ignoring what it does not know', () => {
    assert.deepEqual(parseTriageQuery({}), { status: 'all', outcome: '', yearGroup: null, q: '', page: 1 });
    assert.deepEqual(parseTriageQuery({ status: 'open', outcome: 'refer', yearGroup: '0', q: ' Zoë ', page: '3' }), { status: 'open', outcome: 'refer', yearGroup: 0, q: 'Zoë', page: 3 });
    assert.deepEqual(parseTriageQuery({ status: 'deleted', outcome: 'x', yearGroup: '99', page: '-2' }), { status: 'all', outcome: '', yearGroup: null, q: '', page: 1 });
  });

  it('writes links that keep the filters, and go back to page 1 when a filter changes', () => {
    const query = parseTriageQuery({ status: 'closed', outcome: 'monitor', yearGroup: '4', q: 'Ali', page: '2' });
    assert.equal(triageQueryString(query), '?status=closed&outcome=monitor&yearGroup=4&q=Ali&page=2');
    assert.equal(triageQueryString(query, { page: 3 }), '?status=closed&outcome=monitor&yearGroup=4&q=Ali&page=3');
    assert.equal(triageQueryString(query, { outcome: '' }), '?status=closed&yearGroup=4&q=Ali');
    assert.equal(triageQueryString(parseTriageQuery({})), '');
  });
});
