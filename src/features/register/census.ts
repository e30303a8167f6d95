// School census SEN codes (domain.md; DfE school census guide).
export const CURRENT_PROVISIONS = ['N', 'K', 'E'] as const;
export const HISTORIC_PROVISIONS = ['A', 'P', 'S'] as const;
export type SenProvision = (typeof CURRENT_PROVISIONS)[number] | (typeof HISTORIC_PROVISIONS)[number];

export const PROVISION_LABELS: Record<SenProvision, string> = {
  N: 'No SEN',
  K: 'SEN support',
  E: 'EHC plan',
  A: 'School Action (historic)',
  P: 'School Action Plus (historic)',
  S: 'Statement (historic)',
};

export type BroadArea =
  | 'Communication and interaction'
  | 'Cognition and learning'
  | 'Social, emotional and mental health'
  | 'Sensory and/or physical'
  | 'Other';

export const NEEDS = {
  SLCN: { label: 'Speech, language and communication needs', area: 'Communication and interaction' },
  ASD: { label: 'Autistic spectrum disorder', area: 'Communication and interaction' },
  SPLD: { label: 'Specific learning difficulty', area: 'Cognition and learning' },
  MLD: { label: 'Moderate learning difficulty', area: 'Cognition and learning' },
  SLD: { label: 'Severe learning difficulty', area: 'Cognition and learning' },
  PMLD: { label: 'Profound and multiple learning difficulty', area: 'Cognition and learning' },
  SEMH: { label: 'Social, emotional and mental health', area: 'Social, emotional and mental health' },
  VI: { label: 'Visual impairment', area: 'Sensory and/or physical' },
  HI: { label: 'Hearing impairment', area: 'Sensory and/or physical' },
  MSI: { label: 'Multi-sensory impairment', area: 'Sensory and/or physical' },
  PD: { label: 'Physical disability', area: 'Sensory and/or physical' },
  OTH: { label: 'Other difficulty or disability', area: 'Other' },
  NSA: { label: 'SEN support but no specialist assessment of type of need', area: 'Other' },
} as const satisfies Record<string, { label: string; area: BroadArea }>;

export type NeedCode = keyof typeof NEEDS;
export const NEED_CODES = Object.keys(NEEDS) as NeedCode[];
export const BROAD_AREAS: BroadArea[] = [
  'Communication and interaction',
  'Cognition and learning',
  'Social, emotional and mental health',
  'Sensory and/or physical',
  'Other',
];

export function isNeedCode(value: string): value is NeedCode {
  return Object.hasOwn(NEEDS, value);
}

export function isProvision(value: string): value is SenProvision {
  return (CURRENT_PROVISIONS as readonly string[]).includes(value) || (HISTORIC_PROVISIONS as readonly string[]).includes(value);
}

export function isHistoricProvision(value: string): boolean {
  return (HISTORIC_PROVISIONS as readonly string[]).includes(value);
}

export function needsInArea(area: BroadArea): NeedCode[] {
  return NEED_CODES.filter((code) => NEEDS[code].area === area);
}

export interface RankedNeed {
  need: NeedCode;
  rank: number;
}

export interface CensusProblem {
  field: string;
  message: string;
}

/**
 * The census rules for a status someone is about to record. Historic codes may arrive in imports
 * (allowHistoric) but are never assigned by hand.
 */
export function censusProblems(
  provision: string,
  needs: ReadonlyArray<{ need: string; rank: number }>,
  options: { allowHistoric?: boolean } = {},
): CensusProblem[] {
  const problems: CensusProblem[] = [];
  if (!isProvision(provision)) {
    problems.push({ field: 'provision', message: `"${provision}" is not an SEN provision code: use N, K or E` });
    return problems;
  }
  if (isHistoricProvision(provision) && !options.allowHistoric) {
    problems.push({
      field: 'provision',
      message: `${PROVISION_LABELS[provision]} cannot be assigned: choose SEN support (K) or EHC plan (E)`,
    });
  }
  needs.forEach((entry, index) => {
    if (!isNeedCode(entry.need)) {
      problems.push({ field: `needs[${index}].need`, message: `"${entry.need}" is not a DfE SEN type code` });
    }
    if (!Number.isInteger(entry.rank) || entry.rank < 1) {
      problems.push({ field: `needs[${index}].rank`, message: 'Rank must be a whole number from 1' });
    }
  });
  const ranks = needs.map((entry) => entry.rank);
  const duplicateRank = ranks.find((rank, index) => ranks.indexOf(rank) !== index);
  if (duplicateRank !== undefined) {
    problems.push({ field: 'needs', message: `Each need must have a different rank: rank ${duplicateRank} is used twice` });
  }
  const codes = needs.map((entry) => entry.need);
  const duplicateNeed = codes.find((code, index) => codes.indexOf(code) !== index);
  if (duplicateNeed !== undefined) {
    problems.push({ field: 'needs', message: `${duplicateNeed} is listed twice: record each need once` });
  }
  if (provision === 'N' && needs.length > 0) {
    problems.push({ field: 'needs', message: 'A pupil with no SEN cannot have needs recorded: remove the needs or choose K or E' });
  }
  if ((provision === 'K' || provision === 'E') && needs.length === 0) {
    problems.push({ field: 'needs', message: `${PROVISION_LABELS[provision]} needs at least one need: add the primary need` });
  }
  if (needs.some((entry) => entry.need === 'NSA') && provision !== 'K') {
    problems.push({ field: 'needs', message: 'NSA (no specialist assessment) can only be used with SEN support (K)' });
  }
  if (needs.length > 0 && !needs.some((entry) => entry.rank === 1) && !problems.some((p) => p.field === 'needs')) {
    problems.push({ field: 'needs', message: 'One need must be the primary need (rank 1)' });
  }
  return problems;
}

/** Normalises a spreadsheet or CTF value: 'SEN support' → 'K', 'EHCP' → 'E'. */
export function provisionFromText(value: string): SenProvision | undefined {
  const text = value.trim().toLowerCase().replace(/[^a-z]/g, ' ').replace(/\s+/g, ' ').trim();
  const byText: Record<string, SenProvision> = {
    n: 'N', 'no sen': 'N', none: 'N', 'not sen': 'N', no: 'N',
    k: 'K', 'sen support': 'K', 'sen support k': 'K', support: 'K', 'k sen support': 'K',
    e: 'E', 'ehc plan': 'E', ehcp: 'E', 'education health and care plan': 'E', 'ehc': 'E', 'e ehc plan': 'E',
    a: 'A', 'school action': 'A',
    p: 'P', 'school action plus': 'P',
    s: 'S', statement: 'S', 'statement of sen': 'S',
  };
  return byText[text];
}

/** 'ASD', 'asd', 'Autistic spectrum disorder', 'Autism' → 'ASD'. */
export function needFromText(value: string): NeedCode | undefined {
  const trimmed = value.trim();
  const upper = trimmed.toUpperCase().replace(/[^A-Z]/g, '');
  if (isNeedCode(upper)) return upper;
  const text = trimmed.toLowerCase();
  for (const code of NEED_CODES) {
    if (NEEDS[code].label.toLowerCase() === text) return code;
  }
  const aliases: Record<string, NeedCode> = {
    autism: 'ASD', asc: 'ASD', 'autistic spectrum condition': 'ASD', 'autism spectrum disorder': 'ASD',
    'speech language and communication needs': 'SLCN', 'speech, language and communication': 'SLCN',
    dyslexia: 'SPLD', 'specific learning difficulties': 'SPLD', 'spld': 'SPLD',
    'social emotional and mental health': 'SEMH',
    'moderate learning difficulties': 'MLD', 'severe learning difficulties': 'SLD',
    'hearing impairment': 'HI', 'visual impairment': 'VI', 'physical disability': 'PD',
    'multi-sensory impairment': 'MSI', other: 'OTH',
  };
  return aliases[text];
}

/** NC year as shown in the UI: -2 'N1', -1 'N2', 0 'Reception', 7 'Year 7'. */
export function yearGroupLabel(year: number | null | undefined): string {
  if (year === null || year === undefined) return 'Not known';
  if (year === -2) return 'Nursery 1';
  if (year === -1) return 'Nursery 2';
  if (year === 0) return 'Reception';
  return `Year ${year}`;
}

export function yearGroupFromText(value: string): number | undefined {
  const text = value.trim().toUpperCase().replace(/^YEAR\s*/, '').replace(/^Y/, '');
  if (text === 'R' || text === 'RECEPTION') return 0;
  if (text === 'N1') return -2;
  if (text === 'N2') return -1;
  if (/^\d{1,2}$/.test(text)) {
    const year = Number(text);
    return year >= 0 && year <= 14 ? year : undefined;
  }
  return undefined;
}
