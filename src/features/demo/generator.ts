// The demo school: invented, deterministic, shaped like an English school. Pure: no database, no
// clock, no Math.random. The same options always give the same data, so a demo, a test and a
// benchmark can be rebuilt exactly.
import { completeUln, makeUpn, upnProblem } from '../register/identifiers.ts';
import type { NeedCode, RankedNeed } from '../register/census.ts';
import { foldText } from '../register/search.ts';
import { ROLES, type Role } from '../../platform/permissions.ts';
import { ADULT_TITLES, CLASS_NAMES, ORIGINS, surnameForm, type Origin, type Sex } from './names.ts';

// National shape (DfE "Special educational needs in England", January 2025; domain.md):
// 14.2% of pupils on SEN support, 5.3% with EHC plans (fewer in mainstream schools than in special
// schools, so 4% here); boys are 71% of pupils with EHC plans and about 64% of pupils on SEN support;
// FSM eligibility 43.8% (EHC), 39.3% (SEN support), 22.2% (no SEN).
export const SEN_SUPPORT_SHARE = 0.142;
export const EHC_PLAN_SHARE = 0.04;
const BOYS_SHARE: Record<CurrentProvision, number> = { E: 0.71, K: 0.64, N: 0.478 };
const FSM_SHARE: Record<CurrentProvision, number> = { E: 0.438, K: 0.393, N: 0.222 };
// Looked-after children are far more likely to have SEN; about 1% of pupils overall.
const LOOKED_AFTER_SHARE: Record<CurrentProvision, number> = { E: 0.04, K: 0.02, N: 0.006 };
/** Pupil premium beyond FSM: pupils eligible in the last six years, service children. */
const PUPIL_PREMIUM_EXTRA = 0.055;

// Primary need of pupils with EHC plans, % of plans at January 2025, from DfE "Education, health and
// care plans" (sen_needs_all_plans.csv, national, by age; Open Government Licence v3.0). Secondary:
// ages 11–15 together; primary: ages 4–10 together. "Need unknown" (under 1%) is left out.
const EHC_NEEDS_SECONDARY: Partial<Record<NeedCode, number>> = {
  ASD: 31.3, SEMH: 25.6, SLCN: 15.0, MLD: 12.3, SLD: 3.9, PD: 3.5, SPLD: 3.0, HI: 1.3, OTH: 1.2, PMLD: 1.1, VI: 0.8, MSI: 0.2,
};
const EHC_NEEDS_PRIMARY: Partial<Record<NeedCode, number>> = {
  SLCN: 33.6, ASD: 32.7, SEMH: 13.0, MLD: 7.0, PD: 3.7, SLD: 2.9, PMLD: 1.4, HI: 1.3, SPLD: 1.3, OTH: 1.1, VI: 0.7, MSI: 0.3,
};
// Primary need of pupils on SEN support: the order DfE reports ("Special educational needs in
// England", January 2025: SLCN leads overall and in primary; SEMH, SpLD, SLCN and MLD lead in
// secondary). Rounded shares for the demo, not published figures.
const SUPPORT_NEEDS_SECONDARY: Partial<Record<NeedCode, number>> = {
  SEMH: 27, SPLD: 19, SLCN: 15, MLD: 13, ASD: 8, NSA: 4, OTH: 4, PD: 2.5, HI: 2, VI: 1, SLD: 0.5, MSI: 0.5,
};
const SUPPORT_NEEDS_PRIMARY: Partial<Record<NeedCode, number>> = {
  SLCN: 37, SEMH: 18, MLD: 13, ASD: 8, SPLD: 7, NSA: 5, OTH: 3, PD: 3, HI: 1.5, VI: 1, SLD: 1, MSI: 0.5,
};
/** Needs that often come together: a secondary need is drawn from here more often than not. */
const COMMON_PAIRS: Partial<Record<NeedCode, NeedCode[]>> = {
  ASD: ['SEMH', 'SLCN', 'SEMH'],
  SEMH: ['SLCN', 'ASD', 'SPLD'],
  SLCN: ['ASD', 'MLD', 'SEMH'],
  SPLD: ['SEMH', 'SLCN'],
  MLD: ['SLCN', 'SEMH'],
  HI: ['SLCN'],
  PD: ['MLD', 'SEMH'],
};

export const DEMO_AS_OF = '2026-11-22';
export const MIN_DEMO_PUPILS = 50;
export const MAX_DEMO_PUPILS = 20_000;

export type Phase = 'secondary' | 'primary';
type CurrentProvision = 'N' | 'K' | 'E';

export const DEMO_CHANGE_KINDS = [
  'added-to-sen-support',
  'needs-changed',
  'ehc-plan-started',
  'removed-from-sen-support',
  'historic-status-recorded',
  'moved-to-sen-support',
  'statement-converted',
] as const;
export type DemoChangeKind = (typeof DEMO_CHANGE_KINDS)[number];

export interface DemoSchoolOptions {
  seed?: number;
  pupils: number;
  phase?: Phase;
  name?: string;
  urn?: string;
  /** LA code (3 digits) and establishment number (4 digits). */
  laestab?: string;
  laName?: string;
  /** Domain of the staff and sign-in emails, e.g. 'riverside.example.org'. */
  emailDomain?: string;
  /** The date the data describes (YYYY-MM-DD): year groups follow its academic year. */
  asOf?: string;
  /** Roles that get a sign-in account (senco@…, teacher@…); the default is every role. */
  signInRoles?: readonly Role[];
}

export const RIVERSIDE = {
  name: 'Riverside Academy',
  urn: '139876',
  laestab: '8814123',
  laName: 'Northshire',
  phase: 'secondary',
  emailDomain: 'riverside.example.org',
} as const satisfies Partial<DemoSchoolOptions>;

export const MILLBROOK = {
  name: 'Millbrook Primary School',
  urn: '118765',
  laestab: '8812345',
  laName: 'Northshire',
  phase: 'primary',
  emailDomain: 'millbrook.example.org',
  pupils: 210,
} as const satisfies Partial<DemoSchoolOptions>;

export interface DemoSenChange {
  kind: DemoChangeKind;
  date: string;
  /** An instant on the day, for sen_changes.recorded_at. */
  recordedAt: string;
  reason: string;
  provisionBefore: string;
  provisionAfter: string;
  needsBefore: RankedNeed[];
  needsAfter: RankedNeed[];
}

export interface DemoPupil {
  key: string;
  familyKey: string;
  upn: string;
  uln: string | null;
  legalForename: string;
  legalSurname: string;
  middleNames: string | null;
  preferredForename: string | null;
  preferredSurname: string | null;
  dateOfBirth: string;
  sex: Sex;
  yearGroup: number;
  registrationGroup: string;
  ethnicity: string;
  firstLanguage: string;
  fsm: boolean;
  pupilPremium: boolean;
  eal: boolean;
  lookedAfter: boolean;
  careAuthority: string | null;
  medicalFlag: boolean;
  sen: { provision: CurrentProvision; since: string | null; needs: RankedNeed[] };
  /** Oldest first; empty for a pupil who has never had SEN. */
  senHistory: DemoSenChange[];
}

export interface DemoContact {
  key: string;
  pupilKey: string;
  order: number;
  title: string | null;
  forename: string;
  surname: string;
  relationship: string;
  parentalResponsibility: boolean;
  phone: string | null;
  email: string | null;
  /** The sign-in account of this person, when they have one (the demo parent). */
  userKey: string | null;
}

export interface DemoGroup {
  key: string;
  name: string;
  kind: 'registration' | 'teaching';
  subject: string | null;
  yearGroup: number | null;
  pupilKeys: string[];
}

export interface DemoUser {
  key: string;
  displayName: string;
  email: string;
  role: Role;
  /** A demo sign-in account (gets the demo password); other staff have no password. */
  signIn: boolean;
}

export interface DemoSchoolData {
  seed: number;
  asOf: string;
  school: { name: string; urn: string; laestab: string; laName: string; phase: Phase; emailDomain: string };
  pupils: DemoPupil[];
  contacts: DemoContact[];
  groups: DemoGroup[];
  users: DemoUser[];
  groupStaff: Array<{ groupKey: string; userKey: string }>;
}

// Random numbers ---------------------------------------------------------------------------------

/** mulberry32: a tiny, fast, well-mixed 32-bit PRNG. Returns numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes a string into a seed (FNV-1a), so two schools from one seed differ. */
function mixSeed(seed: number, text: string): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

class Random {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  chance(probability: number): boolean {
    return this.next() < probability;
  }
  /** A whole number from min to max inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  weighted<K extends string>(weights: Partial<Record<K, number>>, exclude: readonly string[] = []): K {
    const entries = (Object.entries(weights) as Array<[K, number]>).filter(([key]) => !exclude.includes(key));
    const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
    let target = this.next() * total;
    for (const [key, weight] of entries) {
      target -= weight;
      if (target < 0) return key;
    }
    return entries[entries.length - 1]![0];
  }
  shuffle<T>(items: T[]): T[] {
    for (let index = items.length - 1; index > 0; index--) {
      const other = Math.floor(this.next() * (index + 1));
      [items[index], items[other]] = [items[other]!, items[index]!];
    }
    return items;
  }
  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
}

// Dates ------------------------------------------------------------------------------------------

const DAY_MS = 86_400_000;

function toDays(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / DAY_MS;
}

function fromDays(days: number): string {
  return new Date(days * DAY_MS).toISOString().slice(0, 10);
}

/** Moves a date off weekends and out of the summer and Christmas holidays, staying on or before the latest date allowed. */
function schoolDay(days: number, latest: number): number {
  let result = days;
  const date = new Date(result * DAY_MS);
  const [year, month, day] = [date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()];
  if (month === 7) result = toDays(`${year}-09-04`);
  if (month === 11 && day >= 19) result = toDays(`${year + 1}-01-06`);
  if (month === 0 && day < 6) result = toDays(`${year}-01-06`);
  const weekday = new Date(result * DAY_MS).getUTCDay();
  if (weekday === 6) result += 2;
  if (weekday === 0) result += 1;
  while (result > latest) {
    result -= 1;
    const day = new Date(result * DAY_MS).getUTCDay();
    if (day === 6) result -= 1;
    if (day === 0) result -= 2;
  }
  return result;
}

function academicYearOf(date: string): number {
  const [year, month] = date.split('-').map(Number) as [number, number];
  return month >= 9 ? year : year - 1;
}

// Helpers ----------------------------------------------------------------------------------------

/** 0 → 'A', 25 → 'Z', 26 → 'AA': form letters that never run out. */
function letters(index: number): string {
  let result = '';
  let rest = index;
  do {
    result = String.fromCharCode(65 + (rest % 26)) + result;
    rest = Math.floor(rest / 26) - 1;
  } while (rest >= 0);
  return result;
}

/** Splits n into parts proportional to the weights (largest remainder), each part whole. */
function apportion(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((weight) => (total * weight) / sum);
  const parts = exact.map(Math.floor);
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = exact.map((value, index) => ({ index, rest: value - Math.floor(value) })).sort((a, b) => b.rest - a.rest || a.index - b.index);
  for (const { index } of order) {
    if (left-- <= 0) break;
    parts[index]! += 1;
  }
  return parts;
}

function chunk<T>(items: readonly T[], parts: number): T[][] {
  const result: T[][] = Array.from({ length: parts }, () => []);
  const sizes = apportion(items.length, new Array<number>(parts).fill(1));
  let start = 0;
  sizes.forEach((size, index) => {
    result[index] = items.slice(start, start + size);
    start += size;
  });
  return result;
}

function emailLocal(text: string): string {
  return foldText(text).replace(/[^a-z]/g, '');
}

const PHONE_MOBILE = (n: number) => `07700 900${String(n % 1000).padStart(3, '0')}`; // Ofcom drama range
const PHONE_LANDLINE = (n: number) => `01632 960${String(n % 1000).padStart(3, '0')}`; // Ofcom drama range

const SIGN_IN_LOCAL: Record<Role, string> = {
  senco: 'senco',
  sen_admin: 'senadmin',
  teacher: 'teacher',
  teaching_assistant: 'ta',
  leader: 'leader',
  governor: 'governor',
  parent: 'parent',
};

/** The email of a demo sign-in account: senco@riverside.example.org, ta@riverside.example.org, … */
export function demoSignInEmail(role: Role, emailDomain: string): string {
  return `${SIGN_IN_LOCAL[role]}@${emailDomain}`;
}

// Subjects ---------------------------------------------------------------------------------------

const SUBJECTS: Record<string, string> = {
  En: 'English', Ma: 'Mathematics', Sc: 'Science', Hi: 'History', Gg: 'Geography', Fr: 'French', Sp: 'Spanish',
  Co: 'Computing', Ar: 'Art and design', Dr: 'Drama', Mu: 'Music', PE: 'Physical education', Bi: 'Biology',
  Ch: 'Chemistry', Ph: 'Physics', Ps: 'Psychology', Ec: 'Economics', So: 'Sociology', El: 'English literature',
};
const SET_SUBJECTS = ['En', 'Ma', 'Sc'];
const KS3_MIXED = ['Hi', 'Gg', 'Fr', 'Ar', 'PE'];
const KS4_OPTION_A = ['Hi', 'Gg'];
const KS4_OPTION_B = ['Fr', 'Sp', 'Co', 'Ar', 'Dr'];
const SIXTH_FORM = ['Ma', 'El', 'Bi', 'Ch', 'Ph', 'Ps', 'Hi', 'Gg', 'Ar', 'Ec', 'So'];
const GROUP_SIZE = 28;
const SIXTH_FORM_GROUP_SIZE = 18;

/** How far a need tends to pull attainment in set subjects (a rough, demo-only effect). */
const ATTAINMENT_EFFECT: Partial<Record<NeedCode, number>> = {
  MLD: -1.2, SLD: -2, PMLD: -2.5, SPLD: -0.5, SLCN: -0.5, SEMH: -0.3, NSA: -0.4, ASD: -0.1,
};

// Reasons ----------------------------------------------------------------------------------------

const IDENTIFIED_BECAUSE: Record<NeedCode, string> = {
  SLCN: 'Speech and language therapy assessment found difficulties with understanding and using language',
  ASD: 'Autism diagnosis shared by the community paediatric team',
  SPLD: 'Specialist assessment found persistent difficulties with reading accuracy, fluency and spelling',
  MLD: 'Progress well below age-related expectations across subjects despite high-quality teaching',
  SLD: 'Significant learning difficulties confirmed by the educational psychologist',
  PMLD: 'Profound and multiple learning difficulties described in the health and EP advice',
  SEMH: 'Anxiety and difficulty regulating emotions are affecting attendance and learning',
  VI: 'Qualified teacher of the visually impaired recommended support after a functional vision assessment',
  HI: 'Audiology report shows a moderate hearing loss; teacher of the deaf involved',
  MSI: 'Multi-sensory impairment confirmed by the sensory support service',
  PD: 'Physical disability affects access to practical work and movement around the site',
  OTH: 'Medical condition affecting learning; school nurse and family consulted',
  NSA: 'Concerns about progress shared with parents; assessment of need under way',
};

function describeNeeds(needs: RankedNeed[]): string {
  return needs.map((entry) => entry.need).join(' and ');
}

// The generator ----------------------------------------------------------------------------------

interface Adult {
  title: string;
  forename: string;
  surname: string;
  relationship: string;
  parentalResponsibility: boolean;
  phone: string | null;
  email: string | null;
  userKey: string | null;
}

interface Family {
  key: string;
  origin: Origin;
  surnameEntry: string;
  eal: boolean;
  fsm: boolean | undefined;
  adults: Adult[];
  pupilIndexes: number[];
}

interface Slot {
  yearGroup: number;
  provision: CurrentProvision;
  sex: Sex;
}

export function generateDemoSchool(options: DemoSchoolOptions): DemoSchoolData {
  const phase: Phase = options.phase ?? 'secondary';
  const defaults = phase === 'primary' ? MILLBROOK : RIVERSIDE;
  const school = {
    name: options.name ?? defaults.name,
    urn: options.urn ?? defaults.urn,
    laestab: options.laestab ?? defaults.laestab,
    laName: options.laName ?? defaults.laName,
    phase,
    emailDomain: options.emailDomain ?? defaults.emailDomain,
  };
  if (!Number.isInteger(options.pupils) || options.pupils < MIN_DEMO_PUPILS || options.pupils > MAX_DEMO_PUPILS) {
    throw new RangeError(`A demo school has ${MIN_DEMO_PUPILS} to ${MAX_DEMO_PUPILS} pupils (asked for ${options.pupils})`);
  }
  if (!/^\d{7}$/.test(school.laestab)) throw new RangeError(`LAESTAB must be 7 digits (got "${school.laestab}")`);
  const seed = (options.seed ?? 2026) >>> 0;
  const asOf = options.asOf ?? DEMO_AS_OF;
  const academicYear = academicYearOf(asOf);
  const random = new Random(mixSeed(seed, school.urn));
  const latestDay = toDays(asOf) - 7;

  // Year groups and SEN status, by quota so a school of any size has the national shape.
  const years = phase === 'secondary' ? [7, 8, 9, 10, 11, 12, 13] : [0, 1, 2, 3, 4, 5, 6];
  const yearWeights = years.map((year) => (year >= 12 ? 0.45 : 1));
  const yearCounts = apportion(options.pupils, yearWeights);
  const slots: Slot[] = [];
  years.forEach((yearGroup, index) => {
    for (let count = 0; count < yearCounts[index]!; count++) slots.push({ yearGroup, provision: 'N', sex: 'F' });
  });
  random.shuffle(slots);
  const ehcCount = Math.round(options.pupils * EHC_PLAN_SHARE);
  const supportCount = Math.round(options.pupils * SEN_SUPPORT_SHARE);
  slots.forEach((slot, index) => {
    slot.provision = index < ehcCount ? 'E' : index < ehcCount + supportCount ? 'K' : 'N';
  });
  // Boys and girls by quota within each status too (the slots are already in random order).
  for (const provision of ['E', 'K', 'N'] as const) {
    const group = slots.filter((slot) => slot.provision === provision);
    const boys = Math.round(group.length * BOYS_SHARE[provision]);
    random.shuffle(group).forEach((slot, index) => {
      slot.sex = index < boys ? 'M' : 'F';
    });
  }
  const lookedAfter = slots.map((slot) => random.chance(LOOKED_AFTER_SHARE[slot.provision]));

  // Families: most pupils are the only child of their family at the school; some have a brother or
  // sister in another year group (formed in an order of their own, so siblings' SEN is independent).
  // Looked-after children live with foster carers.
  const families: Family[] = [];
  const familyOf = new Array<number>(slots.length).fill(-1);
  const order = random.shuffle(slots.map((_, index) => index));
  for (let position = 0; position < order.length; position++) {
    const index = order[position]!;
    if (familyOf[index] !== -1) continue;
    const family = newFamily(random, families.length);
    families.push(family);
    family.pupilIndexes.push(index);
    familyOf[index] = families.length - 1;
    if (lookedAfter[index]) continue;
    const wanted = random.chance(0.02) ? 2 : random.chance(0.12) ? 1 : 0;
    const takenYears = new Set([slots[index]!.yearGroup]);
    for (let scan = position + 1; scan < Math.min(order.length, position + 400) && family.pupilIndexes.length <= wanted; scan++) {
      const other = order[scan]!;
      if (familyOf[other] !== -1 || lookedAfter[other] || takenYears.has(slots[other]!.yearGroup)) continue;
      family.pupilIndexes.push(other);
      familyOf[other] = families.length - 1;
      takenYears.add(slots[other]!.yearGroup);
    }
  }

  // Pupils.
  const [laCode, establishment] = [school.laestab.slice(0, 3), school.laestab.slice(3)];
  const upnSerials = new Map<number, number>();
  const ulns = new Set<string>();
  // Serials run 001–999 for each allocation year; a very large school spills into earlier years.
  // A UPN that upnProblem refuses is skipped (its format check does not accept check letter Q).
  const allocateUpn = (joinedYear: number): string => {
    for (let year = joinedYear; ; year--) {
      const twoDigit = ((year % 100) + 100) % 100;
      for (let serial = upnSerials.get(twoDigit) ?? 1; serial <= 999; serial++) {
        upnSerials.set(twoDigit, serial + 1);
        const upn = makeUpn(laCode, establishment, twoDigit, serial);
        if (!upnProblem(upn)) return upn;
      }
    }
  };
  const allocateUln = (): string => {
    for (;;) {
      const uln = completeUln(String(random.int(100_000_000, 999_999_999)));
      if (uln && !ulns.has(uln)) {
        ulns.add(uln);
        return uln;
      }
    }
  };

  const pupils: DemoPupil[] = slots.map((slot, index) => {
    const family = families[familyOf[index]!]!;
    const origin = family.origin;
    const sex = slot.sex;
    const legalForename = random.pick(sex === 'M' ? origin.boys : origin.girls);
    const middlePool = sex === 'M' ? (origin.middleBoys ?? origin.boys) : (origin.middleGirls ?? origin.girls);
    let middleNames: string | null = null;
    if (random.chance(origin.middleNameChance)) {
      const middle = random.pick(middlePool);
      middleNames = middle === legalForename ? null : middle;
      if (middleNames && origin.key === 'british' && random.chance(0.1)) {
        const second = random.pick(middlePool);
        if (second !== middle && second !== legalForename) middleNames = `${middle} ${second}`;
      }
    }
    const preferredPool = sex === 'M' ? origin.preferredBoys : origin.preferredGirls;
    const preferredForename =
      preferredPool && random.chance(origin.preferredChance ?? 0) ? random.pick(preferredPool.filter((name) => name !== legalForename)) ?? null : null;
    const legalSurname = surnameForm(family.surnameEntry, sex);
    const preferredSurname = random.chance(0.015) ? surnameForm(random.pick(origin.surnames), sex) : null;

    // Born in the academic year that puts them in their year group (Year 7 in 2026/27: Sept 2014–Aug 2015).
    const birthFrom = toDays(`${academicYear - slot.yearGroup - 5}-09-01`);
    const birthTo = toDays(`${academicYear - slot.yearGroup - 4}-08-31`);
    const dateOfBirth = fromDays(random.int(birthFrom, birthTo));
    const receptionStart = academicYear - slot.yearGroup;

    // The year the school first registered them: Reception (primary), Year 7 or Year 12 (secondary),
    // or later for pupils who joined mid-way.
    let joinedYear = phase === 'primary' ? receptionStart : academicYear - (slot.yearGroup - 7);
    if (slot.yearGroup >= 12 && random.chance(0.25)) joinedYear = academicYear - (slot.yearGroup - 12);
    else if (random.chance(0.08)) joinedYear = random.int(joinedYear, academicYear);
    const upn = allocateUpn(joinedYear);
    const uln = slot.yearGroup >= 10 ? allocateUln() : null;

    const pupilLookedAfter = lookedAfter[index]!;
    if (family.fsm === undefined) family.fsm = random.chance(FSM_SHARE[slot.provision]);
    const fsm = pupilLookedAfter ? false : family.fsm;
    const pupilPremium = fsm || pupilLookedAfter || random.chance(PUPIL_PREMIUM_EXTRA);

    const key = `p${String(index + 1).padStart(5, '0')}`;
    const history = senHistory(random, {
      provision: slot.provision,
      phase,
      receptionStart,
      latestDay,
      laName: school.laName,
    });
    const needs = history.length ? history[history.length - 1]!.needsAfter : [];
    // SEN since: when the current provision began (a change of needs alone does not move it).
    const since = history.findLast((change) => change.provisionAfter === slot.provision && change.provisionBefore !== slot.provision);
    const sensory = needs.some((entry) => ['PD', 'HI', 'VI', 'MSI', 'PMLD'].includes(entry.need));
    return {
      key,
      familyKey: family.key,
      upn,
      uln,
      legalForename,
      legalSurname,
      middleNames,
      preferredForename,
      preferredSurname,
      dateOfBirth,
      sex,
      yearGroup: slot.yearGroup,
      registrationGroup: '',
      ethnicity: random.weighted(origin.ethnicity),
      firstLanguage: family.eal ? random.weighted(origin.languages) : 'ENG',
      fsm,
      pupilPremium,
      eal: family.eal,
      lookedAfter: pupilLookedAfter,
      careAuthority: pupilLookedAfter ? (random.chance(0.8) ? laCode : random.pick(['882', '883', '886'])) : null,
      medicalFlag: random.chance(sensory ? 0.45 : 0.04),
      sen: { provision: slot.provision, since: slot.provision === 'N' ? null : (since?.date ?? null), needs },
      senHistory: history,
    };
  });

  // Contacts: one or two adults a family; brothers and sisters share them.
  const contacts: DemoContact[] = [];
  families.forEach((family) => {
    const first = pupils[family.pupilIndexes[0]!]!;
    family.adults = first.lookedAfter ? carersFor(random, school.laName) : parentsFor(random, family, contacts.length);
  });
  const users: DemoUser[] = [];
  const signInRoles = new Set(options.signInRoles ?? ROLES);
  const signInEmail = (role: Role) => demoSignInEmail(role, school.emailDomain);

  // The demo parent: one or two children with SEN, brother and sister if there are such.
  if (signInRoles.has('parent')) {
    const senChildren = (family: Family) => family.pupilIndexes.filter((index) => pupils[index]!.sen.provision !== 'N').length;
    const candidates = families.filter(
      (family) => !pupils[family.pupilIndexes[0]!]!.lookedAfter && family.pupilIndexes.length <= 2 && senChildren(family) > 0,
    );
    const score = (family: Family) => senChildren(family) * 10 + family.pupilIndexes.length;
    const chosen = candidates.reduce<Family | undefined>((best, family) => (!best || score(family) > score(best) ? family : best), undefined);
    if (chosen) {
      const parent = chosen.adults[0]!;
      parent.parentalResponsibility = true;
      parent.email = signInEmail('parent');
      parent.userKey = 'parent';
      users.push({ key: 'parent', displayName: `${parent.forename} ${parent.surname}`, email: parent.email, role: 'parent', signIn: true });
    }
  }
  families.forEach((family) => {
    for (const index of family.pupilIndexes) {
      family.adults.forEach((adult, order) => {
        contacts.push({
          key: `c${String(contacts.length + 1).padStart(6, '0')}`,
          pupilKey: pupils[index]!.key,
          order: order + 1,
          title: adult.title,
          forename: adult.forename,
          surname: adult.surname,
          relationship: adult.relationship,
          parentalResponsibility: adult.parentalResponsibility,
          phone: adult.phone,
          email: adult.email,
          userKey: adult.userKey,
        });
      });
    }
  });

  // Groups, then the staff who teach them.
  const groups = phase === 'secondary' ? secondaryGroups(random, pupils, years) : primaryClasses(pupils, years);
  const staffNames = new Set<string>();
  const emails = new Set<string>(users.map((user) => user.email));
  const newStaff = (role: Role, signIn: boolean): DemoUser => {
    const origin = random.weighted(Object.fromEntries(ORIGINS.map((entry) => [entry.key, entry.weight]))) as string;
    const from = ORIGINS.find((entry) => entry.key === origin)!;
    const sex: Sex = random.chance(role === 'teaching_assistant' ? 0.85 : 0.62) ? 'F' : 'M';
    let displayName = '';
    do {
      displayName = `${random.pick(sex === 'M' ? from.boys : from.girls)} ${surnameForm(random.pick(from.surnames), sex)}`;
    } while (staffNames.has(displayName));
    staffNames.add(displayName);
    const [forename, ...rest] = displayName.split(' ');
    let email = signIn ? signInEmail(role) : `${emailLocal(forename!).slice(0, 1)}.${emailLocal(rest.join(''))}@${school.emailDomain}`;
    for (let suffix = 2; emails.has(email); suffix++) email = email.replace(/\d*@/, `${suffix}@`);
    emails.add(email);
    const user: DemoUser = { key: `u${String(users.length + 1).padStart(4, '0')}`, displayName, email, role, signIn };
    users.push(user);
    return user;
  };
  for (const role of ['senco', 'sen_admin', 'leader', 'governor'] as const) {
    if (signInRoles.has(role)) newStaff(role, true);
  }
  const groupStaff = assignStaff(random, phase, groups, pupils, newStaff);

  // The demo teacher and teaching assistant: whoever works with the most pupils with SEN.
  const senPupils = new Set(pupils.filter((pupil) => pupil.sen.provision !== 'N').map((pupil) => pupil.key));
  const groupByKey = new Map(groups.map((group) => [group.key, group]));
  for (const role of ['teacher', 'teaching_assistant'] as const) {
    if (!signInRoles.has(role)) continue;
    const taught = new Map<string, Set<string>>();
    for (const link of groupStaff) {
      const set = taught.get(link.userKey) ?? new Set<string>();
      for (const pupilKey of groupByKey.get(link.groupKey)!.pupilKeys) if (senPupils.has(pupilKey)) set.add(pupilKey);
      taught.set(link.userKey, set);
    }
    const best = users
      .filter((user) => user.role === role)
      .reduce<DemoUser | undefined>((chosen, user) => (!chosen || (taught.get(user.key)?.size ?? 0) > (taught.get(chosen.key)?.size ?? 0) ? user : chosen), undefined);
    if (best) {
      emails.delete(best.email);
      best.email = signInEmail(role);
      best.signIn = true;
    }
  }

  // Registration group on each pupil.
  const pupilByKey = new Map(pupils.map((pupil) => [pupil.key, pupil]));
  for (const group of groups) {
    if (group.kind !== 'registration') continue;
    for (const pupilKey of group.pupilKeys) pupilByKey.get(pupilKey)!.registrationGroup = group.name;
  }

  return { seed, asOf, school, pupils, contacts, groups, users, groupStaff };
}

function newFamily(random: Random, index: number): Family {
  const origin = random.weighted(Object.fromEntries(ORIGINS.map((entry) => [entry.key, entry.weight]))) as string;
  const from = ORIGINS.find((entry) => entry.key === origin)!;
  let surnameEntry = random.pick(from.surnames);
  // Some families join two surnames: Nowak-Smith, Adebayo-Clarke, Taylor-Hughes.
  if (random.chance(0.05) && !surnameEntry.includes('-') && !surnameEntry.includes(' ')) {
    const british = ORIGINS[0]!.surnames.filter((name) => !name.includes(' '));
    const other = random.pick(british);
    if (other !== surnameEntry) surnameEntry = `${surnameEntry}-${other}`;
  }
  return {
    key: `f${String(index + 1).padStart(5, '0')}`,
    origin: from,
    surnameEntry,
    eal: random.chance(from.eal),
    fsm: undefined,
    adults: [],
    pupilIndexes: [],
  };
}

function contactEmail(random: Random, forename: string, surname: string, serial: number): string | null {
  if (random.chance(0.1)) return null;
  const domain = random.chance(0.5) ? 'example.com' : 'example.org';
  return `${emailLocal(forename)}.${emailLocal(surname)}${serial}@${domain}`;
}

function parentsFor(random: Random, family: Family, serial: number): Adult[] {
  const origin = family.origin;
  const adults: Adult[] = [];
  const firstIsMother = random.chance(0.78);
  const roles: Array<{ relationship: string; sex: Sex; responsibility: boolean }> = [
    random.chance(0.04)
      ? { relationship: random.chance(0.5) ? 'Grandmother' : 'Special guardian', sex: 'F', responsibility: true }
      : firstIsMother
        ? { relationship: 'Mother', sex: 'F', responsibility: true }
        : { relationship: 'Father', sex: 'M', responsibility: true },
  ];
  if (random.chance(0.68)) {
    const second = random.next();
    if (second < 0.75) roles.push(firstIsMother ? { relationship: 'Father', sex: 'M', responsibility: random.chance(0.95) } : { relationship: 'Mother', sex: 'F', responsibility: true });
    else if (second < 0.88) roles.push({ relationship: firstIsMother ? 'Step-father' : 'Step-mother', sex: firstIsMother ? 'M' : 'F', responsibility: false });
    else roles.push({ relationship: random.chance(0.5) ? 'Grandmother' : 'Aunt', sex: 'F', responsibility: false });
  }
  roles.forEach((role, index) => {
    const sameSurname = role.relationship === 'Mother' || role.relationship === 'Father' ? random.chance(0.8) : role.relationship.startsWith('Grand') && random.chance(0.5);
    let surname = sameSurname ? surnameForm(family.surnameEntry, role.sex) : surnameForm(random.pick(origin.surnames), role.sex);
    if (origin.key === 'bangladeshi' && role.sex === 'F' && random.chance(0.4)) surname = 'Begum';
    const forename = random.pick(role.sex === 'M' ? origin.boys : origin.girls);
    adults.push({
      title: random.pick(ADULT_TITLES[role.sex]),
      forename,
      surname,
      relationship: role.relationship,
      parentalResponsibility: role.responsibility,
      phone: random.chance(0.85) ? PHONE_MOBILE(random.int(0, 999)) : PHONE_LANDLINE(random.int(0, 999)),
      email: contactEmail(random, forename, surname, (serial + index) % 97),
      userKey: null,
    });
  });
  return adults;
}

function carersFor(random: Random, laName: string): Adult[] {
  const origin = ORIGINS[0]!;
  const forename = random.pick(origin.girls);
  const surname = random.pick(origin.surnames);
  const worker = random.pick(origin.boys);
  const workerSurname = random.pick(origin.surnames);
  return [
    {
      title: random.pick(ADULT_TITLES.F),
      forename,
      surname,
      relationship: 'Foster carer',
      parentalResponsibility: false,
      phone: PHONE_MOBILE(random.int(0, 999)),
      email: contactEmail(random, forename, surname, random.int(1, 96)),
      userKey: null,
    },
    {
      title: 'Mr',
      forename: worker,
      surname: workerSurname,
      relationship: `Social worker (${laName} Children's Services)`,
      parentalResponsibility: false,
      phone: PHONE_LANDLINE(random.int(0, 999)),
      email: `${emailLocal(worker)}.${emailLocal(workerSurname)}@example.org`,
      userKey: null,
    },
  ];
}

// SEN history ------------------------------------------------------------------------------------

function drawNeeds(random: Random, table: Partial<Record<NeedCode, number>>, allowSecondary: number, exclude: NeedCode[] = []): RankedNeed[] {
  const primary = random.weighted(table, exclude);
  const needs: RankedNeed[] = [{ need: primary, rank: 1 }];
  if (primary !== 'NSA' && random.chance(allowSecondary)) {
    const pairs = COMMON_PAIRS[primary];
    const secondary = pairs && random.chance(0.6) ? random.pick(pairs) : random.weighted(table, [primary, 'NSA']);
    if (secondary !== primary && secondary !== 'NSA') needs.push({ need: secondary, rank: 2 });
  }
  return needs;
}

function senHistory(
  random: Random,
  pupil: { provision: CurrentProvision; phase: Phase; receptionStart: number; latestDay: number; laName: string },
): DemoSenChange[] {
  const supportTable = pupil.phase === 'secondary' ? SUPPORT_NEEDS_SECONDARY : SUPPORT_NEEDS_PRIMARY;
  const ehcTable = pupil.phase === 'secondary' ? EHC_NEEDS_SECONDARY : EHC_NEEDS_PRIMARY;
  const latest = pupil.latestDay;
  const earliest = toDays(`${pupil.receptionStart}-10-01`);
  const between = (from: number, to: number) => schoolDay(random.int(Math.min(from, to), Math.max(from, to)), latest);
  const changes: DemoSenChange[] = [];
  let provision = 'N';
  let needs: RankedNeed[] = [];
  const change = (kind: DemoChangeKind, day: number, provisionAfter: string, needsAfter: RankedNeed[], reason: string) => {
    const date = fromDays(day);
    const minutes = random.int(8 * 60, 16 * 60);
    changes.push({
      kind,
      date,
      recordedAt: `${date}T${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}:00.000Z`,
      reason,
      provisionBefore: provision,
      provisionAfter,
      needsBefore: needs,
      needsAfter,
    });
    provision = provisionAfter;
    needs = needsAfter;
  };
  // Only pupils at school before September 2014 can carry School Action, Action Plus or a statement.
  const beforeReforms = pupil.receptionStart <= 2013;
  const reformDay = toDays('2014-09-01');

  if (pupil.provision === 'K') {
    const final = drawNeeds(random, supportTable, 0.45);
    if (beforeReforms && random.chance(0.5)) {
      const historic = random.chance(0.5) ? 'A' : 'P';
      const label = historic === 'A' ? 'School Action' : 'School Action Plus';
      change('historic-status-recorded', between(earliest, toDays('2014-06-30')), historic, final, `${label} recorded by the previous school`);
      change('moved-to-sen-support', between(reformDay, toDays('2015-03-31')), 'K', final, 'Moved to SEN support under the SEND Code of Practice 2014');
      return changes;
    }
    const identified = between(earliest, latest - 60);
    if (random.chance(0.22) && latest - identified > 120) {
      const first = random.chance(0.5) ? [{ need: 'NSA' as NeedCode, rank: 1 }] : drawNeeds(random, supportTable, 0.2, [final[0]!.need]);
      change('added-to-sen-support', identified, 'K', first, IDENTIFIED_BECAUSE[first[0]!.need]);
      change('needs-changed', between(identified + 90, Math.min(latest, identified + 720)), 'K', final, `Needs reviewed after specialist assessment: now ${describeNeeds(final)}`);
    } else {
      change('added-to-sen-support', identified, 'K', final, IDENTIFIED_BECAUSE[final[0]!.need]);
    }
    return changes;
  }

  if (pupil.provision === 'E') {
    const final = drawNeeds(random, ehcTable, 0.65);
    if (beforeReforms && random.chance(0.5)) {
      change('historic-status-recorded', between(earliest, toDays('2014-06-30')), 'S', final, `Statement of special educational needs made by ${pupil.laName}`);
      change('statement-converted', between(toDays('2015-09-01'), toDays('2017-12-15')), 'E', final, 'Statement transferred to an EHC plan at a transfer review');
      return changes;
    }
    const planDay = between(earliest + 200, latest - 30);
    if (random.chance(0.65) && planDay - earliest > 200) {
      // Needs on SEN support were often described differently before the EHC needs assessment.
      const start = random.chance(0.5) ? final : drawNeeds(random, supportTable, 0.3, [final[0]!.need]);
      const supportDay = between(earliest, planDay - 180);
      change('added-to-sen-support', supportDay, 'K', start, IDENTIFIED_BECAUSE[start[0]!.need]);
      change('ehc-plan-started', planDay, 'E', final, `Final EHC plan issued by ${pupil.laName}`);
    } else {
      change('ehc-plan-started', planDay, 'E', final, `Final EHC plan issued by ${pupil.laName} after an EHC needs assessment`);
    }
    return changes;
  }

  // A few pupils without SEN now were on SEN support before and made enough progress to leave it.
  if (random.chance(0.03) && latest - earliest > 400) {
    const past = drawNeeds(random, supportTable, 0.2);
    const added = between(earliest, latest - 300);
    change('added-to-sen-support', added, 'K', past, IDENTIFIED_BECAUSE[past[0]!.need]);
    change('removed-from-sen-support', between(added + 240, latest), 'N', [], 'Good progress sustained over three review cycles; agreed with parents to leave SEN support');
  }
  return changes;
}

/**
 * The period rows a history implies: one provision period for each time the pupil had SEN provision
 * (No SEN is not a period), one need period for each need at each rank. A period ends (end date,
 * exclusive) on the date of the change that ended it; `change` is the index of the change that opened it.
 */
export function senPeriods(history: readonly DemoSenChange[]): {
  provisions: Array<{ provision: string; startDate: string; endDate: string | null; change: number }>;
  needs: Array<{ need: string; rank: number; startDate: string; endDate: string | null; change: number }>;
} {
  const provisions: Array<{ provision: string; startDate: string; endDate: string | null; change: number }> = [];
  const needs: Array<{ need: string; rank: number; startDate: string; endDate: string | null; change: number }> = [];
  history.forEach((change, index) => {
    if (change.provisionAfter !== change.provisionBefore) {
      const open = provisions[provisions.length - 1];
      if (open && open.endDate === null) open.endDate = change.date;
      if (change.provisionAfter !== 'N') provisions.push({ provision: change.provisionAfter, startDate: change.date, endDate: null, change: index });
    }
    const after = new Set(change.needsAfter.map((entry) => `${entry.need}:${entry.rank}`));
    const before = new Set(change.needsBefore.map((entry) => `${entry.need}:${entry.rank}`));
    for (const period of needs) {
      if (period.endDate === null && !after.has(`${period.need}:${period.rank}`)) period.endDate = change.date;
    }
    for (const entry of change.needsAfter) {
      if (!before.has(`${entry.need}:${entry.rank}`)) needs.push({ need: entry.need, rank: entry.rank, startDate: change.date, endDate: null, change: index });
    }
  });
  return { provisions, needs };
}

// Groups and staff -------------------------------------------------------------------------------

function secondaryGroups(random: Random, pupils: DemoPupil[], years: number[]): DemoGroup[] {
  const groups: DemoGroup[] = [];
  const add = (name: string, kind: DemoGroup['kind'], subject: string | null, yearGroup: number, members: DemoPupil[]) => {
    if (members.length) groups.push({ key: name, name, kind, subject, yearGroup, pupilKeys: members.map((pupil) => pupil.key) });
  };
  for (const year of years) {
    const cohort = pupils.filter((pupil) => pupil.yearGroup === year);
    if (!cohort.length) continue;
    const sixthForm = year >= 12;
    // Registration (tutor) groups: 7A, 7B, …
    const forms = Math.max(1, Math.ceil(cohort.length / GROUP_SIZE));
    chunk(random.shuffle([...cohort]), forms).forEach((members, index) => add(`${year}${letters(index)}`, 'registration', null, year, members));
    if (sixthForm) {
      // Three A level subjects each, taught in groups of up to 18.
      const bySubject = new Map<string, DemoPupil[]>();
      for (const pupil of cohort) {
        for (const code of random.shuffle([...SIXTH_FORM]).slice(0, 3)) bySubject.set(code, [...(bySubject.get(code) ?? []), pupil]);
      }
      for (const code of SIXTH_FORM) {
        const members = bySubject.get(code) ?? [];
        const count = Math.ceil(members.length / SIXTH_FORM_GROUP_SIZE);
        chunk(members, count).forEach((group, index) => add(`${year}${code}${index + 1}`, 'teaching', SUBJECTS[code]!, year, group));
      }
      continue;
    }
    // Set subjects, by prior attainment (set 1 first).
    const sets = Math.max(1, Math.ceil(cohort.length / GROUP_SIZE));
    const attainment = new Map(
      cohort.map((pupil) => [
        pupil.key,
        random.normal() + pupil.sen.needs.reduce((sum, entry) => sum + (ATTAINMENT_EFFECT[entry.need] ?? 0) / entry.rank, 0) - (pupil.sen.provision === 'E' ? 0.3 : 0),
      ]),
    );
    for (const code of SET_SUBJECTS) {
      const ranked = cohort
        .map((pupil) => ({ pupil, score: attainment.get(pupil.key)! + random.normal() * 0.5 }))
        .sort((a, b) => b.score - a.score)
        .map((entry) => entry.pupil);
      chunk(ranked, sets).forEach((members, index) => add(`${year}${code}${index + 1}`, 'teaching', SUBJECTS[code]!, year, members));
    }
    if (year <= 9) {
      for (const code of KS3_MIXED) {
        chunk(random.shuffle([...cohort]), sets).forEach((members, index) => add(`${year}${code}${index + 1}`, 'teaching', SUBJECTS[code]!, year, members));
      }
    } else {
      for (const block of [KS4_OPTION_A, KS4_OPTION_B, ['PE']]) {
        const bySubject = new Map<string, DemoPupil[]>();
        for (const pupil of cohort) {
          const code = random.pick(block);
          bySubject.set(code, [...(bySubject.get(code) ?? []), pupil]);
        }
        for (const code of block) {
          const members = bySubject.get(code) ?? [];
          chunk(members, Math.ceil(members.length / GROUP_SIZE)).forEach((group, index) => add(`${year}${code}${index + 1}`, 'teaching', SUBJECTS[code]!, year, group));
        }
      }
    }
  }
  return groups;
}

function primaryClasses(pupils: DemoPupil[], years: number[]): DemoGroup[] {
  const groups: DemoGroup[] = [];
  let treeIndex = 0;
  for (const year of years) {
    const cohort = pupils.filter((pupil) => pupil.yearGroup === year).sort((a, b) => a.legalSurname.localeCompare(b.legalSurname, 'en') || a.key.localeCompare(b.key));
    if (!cohort.length) continue;
    const classes = Math.max(1, Math.ceil(cohort.length / 30));
    chunk(cohort, classes).forEach((members) => {
      const tree = CLASS_NAMES[treeIndex % CLASS_NAMES.length]!;
      const round = Math.floor(treeIndex / CLASS_NAMES.length);
      treeIndex += 1;
      const name = `${year === 0 ? 'Reception' : `Year ${year}`} ${tree}${round ? ` ${round + 1}` : ''}`;
      groups.push({ key: name, name, kind: 'registration', subject: null, yearGroup: year, pupilKeys: members.map((pupil) => pupil.key) });
    });
  }
  return groups;
}

function assignStaff(
  random: Random,
  phase: Phase,
  groups: DemoGroup[],
  pupils: DemoPupil[],
  newStaff: (role: Role, signIn: boolean) => DemoUser,
): Array<{ groupKey: string; userKey: string }> {
  const links: Array<{ groupKey: string; userKey: string }> = [];
  const byKey = new Map(pupils.map((pupil) => [pupil.key, pupil]));
  const senCount = (group: DemoGroup) => group.pupilKeys.filter((key) => byKey.get(key)!.sen.provision !== 'N').length;
  const registration = groups.filter((group) => group.kind === 'registration');

  if (phase === 'primary') {
    // A class teacher for each class; teaching assistants in the classes with most need.
    for (const group of registration) links.push({ groupKey: group.key, userKey: newStaff('teacher', false).key });
    const assistants = Math.max(1, Math.round(registration.length * 0.6));
    const neediest = [...registration].sort((a, b) => senCount(b) - senCount(a) || a.key.localeCompare(b.key));
    const tas = Array.from({ length: assistants }, () => newStaff('teaching_assistant', false));
    neediest.forEach((group, index) => {
      if (index < tas.length * 2) links.push({ groupKey: group.key, userKey: tas[index % tas.length]!.key });
    });
    return links;
  }

  // Secondary: teachers by subject, each teaching about seven groups across year groups.
  const teaching = groups.filter((group) => group.kind === 'teaching');
  const subjects = [...new Set(teaching.map((group) => group.subject!))];
  const teachers: DemoUser[] = [];
  for (const subject of subjects) {
    const subjectGroups = teaching.filter((group) => group.subject === subject);
    const staff = Array.from({ length: Math.max(1, Math.ceil(subjectGroups.length / 7)) }, () => newStaff('teacher', false));
    teachers.push(...staff);
    subjectGroups.forEach((group, index) => links.push({ groupKey: group.key, userKey: staff[index % staff.length]!.key }));
  }
  // Form tutors.
  const tutors = random.shuffle([...teachers]);
  registration.forEach((group, index) => links.push({ groupKey: group.key, userKey: tutors[index % tutors.length]!.key }));
  // Teaching assistants support the English, maths and science sets with most pupils with SEN.
  const assistants = Math.max(1, Math.round(pupils.length / 70));
  const tas = Array.from({ length: assistants }, () => newStaff('teaching_assistant', false));
  const supported = teaching
    .filter((group) => ['English', 'Mathematics', 'Science'].includes(group.subject!) && senCount(group) > 0)
    .sort((a, b) => senCount(b) - senCount(a) || a.key.localeCompare(b.key))
    .slice(0, tas.length * 5);
  supported.forEach((group, index) => links.push({ groupKey: group.key, userKey: tas[index % tas.length]!.key }));
  return links;
}
