// Pupil search: names as people type them. "Zoë", "zoe", "O'Connor", "oconnor", "o connor" and
// "Nguyễn"/"nguyen" must all find the same pupils, so names are folded the same way on write
// (pupils.search_text) and on search (normaliseSearchTerm). A query matches a pupil when every
// token of the term occurs in search_text (for example `search_text LIKE '%' || token || '%'`).

// Letters that Unicode does not decompose into a base letter plus a mark.
const FOLDS: Record<string, string> = {
  ł: 'l',
  đ: 'd',
  ð: 'd',
  ø: 'o',
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ı: 'i',
  þ: 'th',
  ħ: 'h',
};
const FOLDABLE = new RegExp(`[${Object.keys(FOLDS).join('')}]`, 'g');

// Apostrophes (straight, curly, modifier letter) and hyphens/dashes join parts of one name.
const JOINERS = /['’‘ʼ`´\-‐‑‒–—]/g;
// Anything else that is not a letter or digit separates words.
const SEPARATORS = /[^\p{L}\p{N}'’‘ʼ`´\-‐‑‒–—]+/gu;

/** Lower case, accents removed: 'Siobhán Ó Súilleabháin' → 'siobhan o suilleabhain'. */
export function foldText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(FOLDABLE, (letter) => FOLDS[letter] ?? letter);
}

/** The forms one name field is found by: each part, and the parts run together. */
function nameTokens(value: string | null | undefined): string[] {
  if (!value) return [];
  const words = foldText(value).split(SEPARATORS).filter(Boolean);
  const tokens: string[] = [];
  for (const word of words) {
    const parts = word.split(JOINERS).filter(Boolean);
    tokens.push(...parts);
    if (parts.length > 1) tokens.push(parts.join(''));
  }
  // 'Ó Súilleabháin' is also typed 'osuilleabhain'; 'Mary Jane' as 'maryjane'.
  if (words.length > 1) tokens.push(words.join('').replace(JOINERS, ''));
  return tokens;
}

export interface SearchableName {
  legalForename: string;
  legalSurname: string;
  middleNames?: string | null;
  preferredForename?: string | null;
  preferredSurname?: string | null;
  upn?: string | null;
}

/** The text stored in pupils.search_text: distinct folded tokens separated by single spaces. */
export function pupilSearchText(pupil: SearchableName): string {
  const tokens = [
    ...nameTokens(pupil.legalForename),
    ...nameTokens(pupil.preferredForename),
    ...nameTokens(pupil.middleNames),
    ...nameTokens(pupil.legalSurname),
    ...nameTokens(pupil.preferredSurname),
  ];
  if (pupil.upn) tokens.push(pupil.upn.trim().toLowerCase());
  return [...new Set(tokens)].join(' ');
}

/**
 * What someone typed, as tokens to look for in search_text. Words split on spaces and punctuation;
 * apostrophes and hyphens inside a word are dropped, so "O'Connor" looks for 'oconnor'.
 */
export function normaliseSearchTerm(term: string): string[] {
  const words = foldText(term)
    .split(SEPARATORS)
    .map((word) => word.replace(JOINERS, ''))
    .filter(Boolean);
  return [...new Set(words)];
}
