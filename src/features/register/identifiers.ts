// UPN and ULN check characters (GovTalk UPN standard, census error 1510; DfE ULN specification).
const UPN_ALPHABET = 'ABCDEFGHJKLMNPQRTUVWXYZ';

function upnCharacterValue(character: string): number | undefined {
  if (/^[0-9]$/.test(character)) return Number(character);
  const index = UPN_ALPHABET.indexOf(character);
  return index === -1 ? undefined : index;
}

export function upnCheckLetter(lastTwelve: string): string | undefined {
  if (lastTwelve.length !== 12) return undefined;
  let sum = 0;
  for (let position = 2; position <= 13; position++) {
    const value = upnCharacterValue(lastTwelve[position - 2]!);
    if (value === undefined) return undefined;
    sum += value * position;
  }
  return UPN_ALPHABET[sum % 23];
}

export type UpnProblem = 'length' | 'format' | 'check';

/** Why a UPN is invalid, or undefined when it is valid. Temporary UPNs end in a letter. */
export function upnProblem(upn: string): UpnProblem | undefined {
  if (upn.length !== 13) return 'length';
  // The alphabet has no I, O or S (Q is allowed).
  if (!/^[A-HJ-NP-RT-Z][0-9]{11}[0-9A-HJ-NP-RT-Z]$/.test(upn)) return 'format';
  return upnCheckLetter(upn.slice(1)) === upn[0] ? undefined : 'check';
}


export function describeUpnProblem(problem: UpnProblem): string {
  switch (problem) {
    case 'length':
      return 'UPN must be 13 characters';
    case 'format':
      return 'UPN must be a check letter, 11 digits, then a digit or letter (no I, O or S)';
    case 'check':
      return 'UPN check letter does not match the rest of the UPN';
  }
}

/** Builds a valid UPN from an LA code, establishment number, allocation year and serial. */
export function makeUpn(laCode: string, establishment: string, year: number, serial: number): string {
  const rest = `${laCode.padStart(3, '0')}${establishment.padStart(4, '0')}${String(year % 100).padStart(2, '0')}${String(serial).padStart(3, '0')}`;
  return `${upnCheckLetter(rest)}${rest}`;
}

export type UlnProblem = 'format' | 'check';

export function ulnProblem(uln: string): UlnProblem | undefined {
  if (!/^[1-9][0-9]{9}$/.test(uln)) return 'format';
  let sum = 0;
  for (let index = 0; index < 10; index++) sum += Number(uln[index]) * (10 - index);
  return sum % 11 === 10 ? undefined : 'check';
}

export function describeUlnProblem(problem: UlnProblem): string {
  return problem === 'format' ? 'ULN must be 10 digits and not start with 0' : 'ULN check digit does not match';
}

/** Completes a 9-digit stem into a valid ULN, or undefined when no last digit can satisfy the check. */
export function completeUln(stem: string): string | undefined {
  for (let digit = 0; digit <= 9; digit++) {
    const candidate = `${stem}${digit}`;
    if (!ulnProblem(candidate)) return candidate;
  }
  return undefined;
}
