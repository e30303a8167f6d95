// The rules of a one-time link, with worked examples: tokens and their hashes, expiry at the end of
// the last day in England, single use, replacement, and the answers a form accepts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CLOSED_LINK_MESSAGES,
  MAX_ANSWER_LENGTH,
  checkAnswers,
  checkExpiryDays,
  expiryText,
  hashLinkToken,
  isWellFormedToken,
  lastDayOf,
  linkExpiry,
  linkState,
  newLinkToken,
  parentStillResponsible,
  requestStatus,
} from './links.ts';

describe('link tokens', () => {
  it('are 32 random bytes as 43 base64url characters, different every time', () => {
    const tokens = new Set(Array.from({ length: 200 }, () => newLinkToken()));
    assert.equal(tokens.size, 200);
    for (const token of tokens) {
      assert.match(token, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(Buffer.from(token, 'base64url').length, 32);
      assert.ok(isWellFormedToken(token));
    }
  });

  it('are kept only as a SHA-256 hash, which does not contain the token', () => {
    const token = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    const hash = hashLinkToken(token);
    assert.match(hash, /^[0-9a-f]{64}$/);
    assert.equal(hash, hashLinkToken(token));
    assert.notEqual(hash, hashLinkToken(`${token.slice(0, 42)}B`));
    assert.ok(!hash.includes(token));
  });

  it('refuses anything that is not exactly a token, before it is looked up', () => {
    for (const bad of ['', 'abc', `${'A'.repeat(42)}`, `${'A'.repeat(44)}`, `${'A'.repeat(42)}=`, `${'A'.repeat(42)}/`, `${'A'.repeat(42)} `, ':token']) {
      assert.equal(isWellFormedToken(bad), false, bad);
    }
  });
});

describe('link expiry', () => {
  it('runs to the end of the last day in England, in winter (GMT)', () => {
    // 14 January 2026 at 15:30 GMT, 14 days: works all of 28 January, stops at midnight.
    const expiresAt = linkExpiry(new Date('2026-01-14T15:30:00Z'), 14);
    assert.equal(expiresAt, '2026-01-28T23:59:59.999Z');
    assert.equal(lastDayOf(expiresAt), '2026-01-28');
  });

  it('runs to the end of the last day in England, in summer (BST)', () => {
    // 1 June 2026 at 08:00 BST, 7 days: the last day is 8 June, which ends at 23:00 UTC.
    const expiresAt = linkExpiry(new Date('2026-06-01T07:00:00Z'), 7);
    assert.equal(expiresAt, '2026-06-08T22:59:59.999Z');
    assert.equal(lastDayOf(expiresAt), '2026-06-08');
  });

  it('counts from today in England, not in UTC, just after midnight in summer', () => {
    // 00:30 BST on 2 June is still 1 June in UTC: a one-day link works all of 3 June.
    assert.equal(lastDayOf(linkExpiry(new Date('2026-06-01T23:30:00Z'), 1)), '2026-06-03');
  });

  it('accepts 1 to 60 days, defaulting to 14', () => {
    assert.deepEqual(checkExpiryDays(''), { days: 14 });
    assert.deepEqual(checkExpiryDays(' 1 '), { days: 1 });
    assert.deepEqual(checkExpiryDays('60'), { days: 60 });
    assert.match(checkExpiryDays('0').error!, /between 1 and 60/);
    assert.match(checkExpiryDays('61').error!, /between 1 and 60/);
    assert.match(checkExpiryDays('two weeks').error!, /whole number/);
    assert.match(checkExpiryDays('7.5').error!, /whole number/);
  });

  it('says how long is left, or how long ago it ran out, in calendar days', () => {
    const expiresAt = '2026-03-17T23:59:59.999Z'; // the end of 17 March
    assert.equal(expiryText(expiresAt, new Date('2026-03-14T09:00:00Z')), 'expires in 3 days');
    assert.equal(expiryText(expiresAt, new Date('2026-03-16T22:00:00Z')), 'expires tomorrow');
    assert.equal(expiryText(expiresAt, new Date('2026-03-17T08:00:00Z')), 'expires today');
    assert.equal(expiryText(expiresAt, new Date('2026-03-18T10:00:00Z')), 'expired yesterday');
    assert.equal(expiryText(expiresAt, new Date('2026-03-20T10:00:00Z')), 'expired 3 days ago');
  });
});

describe('when a link works', () => {
  const expiresAt = '2026-03-17T23:59:59.999Z';
  const before = new Date('2026-03-17T23:59:59.998Z');
  const atExpiry = new Date(expiresAt);

  it('works until the moment it expires, and not from then on', () => {
    assert.equal(linkState({ expiresAt, submittedAt: null, supersededAt: null }, before), 'open');
    assert.equal(linkState({ expiresAt, submittedAt: null, supersededAt: null }, atExpiry), 'expired');
    assert.equal(linkState({ expiresAt, submittedAt: null, supersededAt: null }, new Date('2026-05-01T00:00:00Z')), 'expired');
  });

  it('works once: after the answers are sent it never works again, even before its expiry', () => {
    assert.equal(linkState({ expiresAt, submittedAt: '2026-03-15T10:00:00Z', supersededAt: null }, before), 'submitted');
    assert.equal(linkState({ expiresAt, submittedAt: '2026-03-15T10:00:00Z', supersededAt: null }, atExpiry), 'submitted');
  });

  it('stops working the moment a new link replaces it', () => {
    assert.equal(linkState({ expiresAt, submittedAt: null, supersededAt: '2026-03-15T10:00:00Z' }, before), 'superseded');
    assert.equal(linkState({ expiresAt, submittedAt: null, supersededAt: '2026-03-15T10:00:00Z' }, atExpiry), 'superseded');
  });

  it('shows staff "awaiting" while the link works', () => {
    assert.equal(requestStatus({ expiresAt, submittedAt: null, supersededAt: null }, before), 'awaiting');
    assert.equal(requestStatus({ expiresAt, submittedAt: null, supersededAt: null }, atExpiry), 'expired');
  });

  it('explains a closed or unknown link without any pupil data, as not found or gone', () => {
    assert.equal(CLOSED_LINK_MESSAGES.unknown.status, 404);
    for (const reason of ['expired', 'superseded', 'submitted'] as const) assert.equal(CLOSED_LINK_MESSAGES[reason].status, 410);
    for (const message of Object.values(CLOSED_LINK_MESSAGES)) assert.match(message.message, /contact the school/i);
  });
});

describe('answers', () => {
  const sections = [
    { key: 'going-well', heading: 'What is going well', prompt: '' },
    { key: 'worries', heading: 'Any worries', prompt: '' },
  ];

  it('are kept verbatim: spaces, blank lines and punctuation untouched; only CR LF becomes LF', () => {
    const given: Record<string, string> = { 'going-well': '  She loves   art.\r\n\r\n  And “PE”!  ', worries: '' };
    const { answers, errors } = checkAnswers(sections, (key) => given[key]);
    assert.deepEqual(errors, []);
    assert.equal(answers['going-well'], '  She loves   art.\n\n  And “PE”!  ');
    assert.equal(answers.worries, '');
  });

  it('may skip questions, but not all of them', () => {
    assert.deepEqual(checkAnswers(sections, (key) => (key === 'worries' ? 'Reading' : undefined)).errors, []);
    const { errors } = checkAnswers(sections, () => '  \n ');
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /at least one question/);
  });

  it(`refuse an answer over ${MAX_ANSWER_LENGTH} characters, saying so, rather than cutting it`, () => {
    const long = 'é'.repeat(MAX_ANSWER_LENGTH + 1);
    const { answers, errors } = checkAnswers(sections, (key) => (key === 'worries' ? long : 'fine'));
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.field, 'answer-worries');
    assert.match(errors[0]!.message, /5,000 characters or fewer\. It has 5,001/);
    assert.equal(answers.worries, long, 'nothing is cut');
    assert.deepEqual(checkAnswers(sections, (key) => (key === 'worries' ? 'é'.repeat(MAX_ANSWER_LENGTH) : '')).errors, []);
  });
});

describe('a parent’s link stands while they have parental responsibility', () => {
  const maria = { contactId: 'c1', name: 'Ms Maria Parent', email: 'Maria@Example.org' };
  const contact = (id: string, name: string, email: string | null, parentalResponsibility = true) => ({ id, name, email, parentalResponsibility });

  it('follows the stored contact while it exists: its parental responsibility decides', () => {
    assert.equal(parentStillResponsible(maria, [contact('c1', 'Ms Maria Parent', 'maria@example.org')]), true);
    assert.equal(parentStillResponsible(maria, [contact('c1', 'Ms Maria Parent', 'maria@example.org', false)]), false);
    // Responsibility removed from Maria's own record: another contact with her address does not keep it open.
    assert.equal(parentStillResponsible(maria, [contact('c1', 'Ms Maria Parent', null, false), contact('c2', 'Mr Tom Parent', 'maria@example.org')]), false);
  });

  it('after a re-import (new contact ids) finds the parent by email, in any case, or by name', () => {
    assert.equal(parentStillResponsible(maria, [contact('n1', 'Mrs Maria Jones', ' maria@EXAMPLE.org ')]), true, 'by email: the name changed');
    assert.equal(parentStillResponsible(maria, [contact('n1', 'ms  maria parent', 'new@example.org')]), true, 'by name: the email changed');
    assert.equal(parentStillResponsible({ ...maria, email: null }, [contact('n1', 'Ms Maria Parent', null)]), true);
  });

  it('closes when nobody current with parental responsibility matches', () => {
    assert.equal(parentStillResponsible(maria, []), false, 'removed');
    assert.equal(parentStillResponsible(maria, [contact('n1', 'Ms Maria Parent', 'maria@example.org', false)]), false, 're-imported without responsibility');
    assert.equal(parentStillResponsible(maria, [contact('n1', 'Mr Tom Parent', 'tom@example.org')]), false, 'someone else');
    assert.equal(parentStillResponsible({ contactId: null, name: 'Ms Maria Parent', email: null }, [contact('n1', 'Mr Tom Parent', null)]), false, 'no empty address matches another empty address');
  });
});
