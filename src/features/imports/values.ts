// How one spreadsheet or CTF cell becomes a register value. Pure functions: each returns the value
// or the reason it cannot be read, phrased to follow the field name ("FSM must be …").
import { needFromText, provisionFromText, yearGroupFromText, type NeedCode, type SenProvision } from '../register/census.ts';

export type ValueParse<T> = { ok: true; value: T } | { ok: false; reason: string };

const TRUE_WORDS = new Set(['y', 'yes', 'true', 't', '1', '✓', '✔', 'x']);
const FALSE_WORDS = new Set(['n', 'no', 'false', 'f', '0', '']);

/** yes/no/Y/N/true/false/1/0. A blank cell in a mapped column means no. */
export function parseFlag(raw: string): ValueParse<boolean> {
  const text = raw.trim().toLowerCase();
  if (TRUE_WORDS.has(text)) return { ok: true, value: true };
  if (FALSE_WORDS.has(text)) return { ok: true, value: false };
  return { ok: false, reason: `must be yes or no (Y/N, true/false or 1/0), not "${raw.trim()}"` };
}

/** M/F, Male/Female, Boy/Girl. Blank is left unknown. */
export function parseSex(raw: string): ValueParse<string | undefined> {
  const text = raw.trim().toLowerCase();
  if (!text) return { ok: true, value: undefined };
  if (['m', 'male', 'boy', 'b'].includes(text)) return { ok: true, value: 'M' };
  if (['f', 'female', 'girl', 'g'].includes(text)) return { ok: true, value: 'F' };
  return { ok: false, reason: `must be M or F (or Male/Female), not "${raw.trim()}"` };
}

/** 'Year 7', 'Y7', '7', 'R', 'Reception', 'N1', 'N2'. 'X' (not following the National Curriculum) is unknown. */
export function parseYearGroup(raw: string): ValueParse<number | null | undefined> {
  const text = raw.trim();
  if (!text) return { ok: true, value: undefined };
  if (/^x$/i.test(text)) return { ok: true, value: null };
  const normalised = /^rec\.?$/i.test(text) ? 'R' : text;
  const year = yearGroupFromText(normalised);
  if (year === undefined) return { ok: false, reason: `must be a National Curriculum year such as R, 1 or Year 7, not "${text}"` };
  return { ok: true, value: year };
}

/** A code (K) or the words a SENCO uses ('SEN support'). A blank cell means no SEN. */
export function parseProvision(raw: string): ValueParse<SenProvision> {
  const text = raw.trim();
  if (!text) return { ok: true, value: 'N' };
  const provision = provisionFromText(text);
  if (!provision) return { ok: false, reason: `"${text}" is not an SEN provision: use N, K or E, or words like "SEN support" or "EHC plan"` };
  return { ok: true, value: provision };
}

/** A DfE SEN type code ('ASD') or its name ('Autism', 'Autistic spectrum disorder'). Blank is no need. */
export function parseNeed(raw: string): ValueParse<NeedCode | undefined> {
  const text = raw.trim();
  if (!text) return { ok: true, value: undefined };
  const need = needFromText(text);
  if (!need) return { ok: false, reason: `"${text}" is not a DfE SEN type: use a code such as SLCN, ASD or SEMH, or its name` };
  return { ok: true, value: need };
}

/** UPNs are upper case without spaces; spreadsheets sometimes add both. */
export function normaliseUpn(raw: string): string {
  return raw.replace(/\s+/g, '').toUpperCase();
}

export function normaliseUln(raw: string): string {
  return raw.replace(/\s+/g, '');
}

/** Trimmed text with runs of spaces collapsed; blank becomes null. */
export function cleanText(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  const text = raw.replace(/\s+/g, ' ').trim();
  return text === '' ? null : text;
}
