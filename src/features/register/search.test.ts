import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normaliseSearchTerm, pupilSearchText } from './search.ts';

/** Whether a term finds a pupil the way the register queries it: every token is in search_text. */
function finds(searchText: string, term: string): boolean {
  const tokens = normaliseSearchTerm(term);
  return tokens.length > 0 && tokens.every((token) => searchText.includes(token));
}

describe('pupilSearchText', () => {
  it('folds case and accents', () => {
    const text = pupilSearchText({ legalForename: 'Zoë', legalSurname: 'Nguyễn' });
    assert.equal(text, 'zoe nguyen');
  });

  it('keeps apostrophe and hyphen names as parts and run together', () => {
    const text = pupilSearchText({ legalForename: 'Siobhán', legalSurname: "O'Connor" });
    assert.deepEqual(text.split(' '), ['siobhan', 'o', 'connor', 'oconnor']);
    const hyphen = pupilSearchText({ legalForename: 'Amelia', legalSurname: 'Nowak-Smith' });
    assert.deepEqual(hyphen.split(' '), ['amelia', 'nowak', 'smith', 'nowaksmith']);
  });

  it('runs names with spaces together', () => {
    const text = pupilSearchText({ legalForename: 'Aoife', legalSurname: 'Ó Súilleabháin' });
    assert.deepEqual(text.split(' '), ['aoife', 'o', 'suilleabhain', 'osuilleabhain']);
  });

  it('includes middle, preferred names and the UPN, each token once', () => {
    const text = pupilSearchText({
      legalForename: 'Alexander',
      middleNames: 'José Luis',
      legalSurname: 'Müller',
      preferredForename: 'Alex',
      preferredSurname: 'Müller',
      upn: 'B801200005001',
    });
    assert.deepEqual(text.split(' '), ['alexander', 'alex', 'jose', 'luis', 'joseluis', 'muller', 'b801200005001']);
  });

  it('folds letters that have no combining form', () => {
    assert.equal(pupilSearchText({ legalForename: 'Łukasz', legalSurname: 'Đặng' }), 'lukasz dang');
    assert.equal(pupilSearchText({ legalForename: 'Søren', legalSurname: 'Weiß' }), 'soren weiss');
  });

  it('accepts curly apostrophes', () => {
    assert.equal(pupilSearchText({ legalForename: 'Liam', legalSurname: 'D’Souza' }), 'liam d souza dsouza');
  });

  it('ignores missing optional fields', () => {
    assert.equal(pupilSearchText({ legalForename: 'Ahmed', legalSurname: 'Rahman', middleNames: null, upn: null }), 'ahmed rahman');
  });
});

describe('normaliseSearchTerm', () => {
  it('splits on spaces and punctuation and folds like the stored text', () => {
    assert.deepEqual(normaliseSearchTerm('  Zoë   NGUYỄN '), ['zoe', 'nguyen']);
    assert.deepEqual(normaliseSearchTerm('Smith, John'), ['smith', 'john']);
  });

  it("runs apostrophes and hyphens together: O'Connor → oconnor", () => {
    assert.deepEqual(normaliseSearchTerm("O'Connor"), ['oconnor']);
    assert.deepEqual(normaliseSearchTerm('nowak-smith'), ['nowaksmith']);
    assert.deepEqual(normaliseSearchTerm('o connor'), ['o', 'connor']);
  });

  it('returns no tokens for an empty or punctuation-only term', () => {
    assert.deepEqual(normaliseSearchTerm(''), []);
    assert.deepEqual(normaliseSearchTerm(" ' - , "), []);
  });

  it('drops repeated tokens', () => {
    assert.deepEqual(normaliseSearchTerm('Ali ali'), ['ali']);
  });

  it('finds a pupil however the name is typed', () => {
    const text = pupilSearchText({ legalForename: 'Siobhán', legalSurname: "O'Connor", upn: 'R674123101121' });
    for (const term of ["o'connor", 'oconnor', 'o connor', 'O’Connor', 'siobhan', 'Siobhán oconn', 'r674123101121', 'R6741']) {
      assert.ok(finds(text, term), `"${term}" should find the pupil`);
    }
    assert.ok(!finds(text, 'connors'));
    const irish = pupilSearchText({ legalForename: 'Aoife', legalSurname: 'Ó Súilleabháin' });
    for (const term of ['o suilleabhain', 'osuilleabhain', 'Ó Súilleabháin', 'suil']) {
      assert.ok(finds(irish, term), `"${term}" should find the pupil`);
    }
  });
});
