// Common Transfer File (CTF) reader: versions 24 and 25 (domain.md). Parsed with entities and DTDs
// off, after the file checks have refused any DOCTYPE; one pass over the document, linear in its size.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { isIsoDate } from '../../platform/dates.ts';
import { needFromText, type RankedNeed } from '../register/census.ts';
import type { ContactInput, PupilRecordInput } from '../register/service.ts';
import { ImportFileError, refuseDoctype } from './file-check.ts';
import { displayName, validateRows, type FieldNames, type ParsedRow, type RowProblem } from './rows.ts';
import { cleanText, normaliseUln, normaliseUpn, parseSex, parseYearGroup } from './values.ts';

/** Current and previous versions (CTF versions follow the academic year). */
export const SUPPORTED_CTF_VERSIONS = [24, 25];

export interface CtfSchool {
  lea: string | null;
  estab: string | null;
  urn: string | null;
  name: string | null;
  academicYear: string | null;
}

export interface CtfHeader {
  documentName: string | null;
  version: string | null;
  versionNumber: number | null;
  dateTime: string | null;
  qualifier: string | null;
  supplierId: string | null;
  source: CtfSchool;
  dest: CtfSchool;
}

export interface CtfParse {
  header: CtfHeader;
  rows: ParsedRow[];
  warnings: string[];
}

export const CTF_FIELD_NAMES: FieldNames = {
  upn: 'UPN',
  formerUpn: 'FormerUPN',
  uln: 'UniqueLearnerNumber',
  legalSurname: 'Surname',
  legalForename: 'Forename',
  dateOfBirth: 'DOB',
  senProvision: 'SENprovision',
  senNeeds: 'SENneeds',
  senStartDate: 'StartDate',
};

type XmlNode = Record<string, unknown>;

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Entities are off in the parser, so the five XML escapes and character references are decoded here, once, without expansion. */
export function decodeXmlText(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(/&(?:(amp|lt|gt|quot|apos)|#(\d{1,7})|#x([0-9a-fA-F]{1,6}));/g, (whole, named: string | undefined, decimal: string | undefined, hex: string | undefined) => {
    if (named) return XML_ENTITIES[named]!;
    const code = decimal ? Number(decimal) : Number.parseInt(hex!, 16);
    if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return whole;
    return String.fromCodePoint(code);
  });
}

function asNode(value: unknown): XmlNode | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as XmlNode) : undefined;
}

function all(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function child(node: XmlNode | undefined, name: string): unknown {
  if (!node || !Object.hasOwn(node, name)) return undefined;
  const value = node[name];
  return Array.isArray(value) ? value[0] : value;
}

function has(node: XmlNode | undefined, name: string): boolean {
  return Boolean(node && Object.hasOwn(node, name));
}

/** The text of a child element: undefined when absent, '' when empty. */
function text(node: XmlNode | undefined, name: string): string | undefined {
  const value = child(node, name);
  if (value === undefined) return undefined;
  if (typeof value === 'string') return decodeXmlText(value).trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const inner = asNode(value);
  if (inner && typeof inner['#text'] === 'string') return decodeXmlText(inner['#text']).trim();
  return '';
}

function optionalText(node: XmlNode | undefined, name: string): string | null | undefined {
  const value = text(node, name);
  return value === undefined ? undefined : cleanText(value);
}

function bool(value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  const lower = value.toLowerCase();
  if (lower === 'true' || lower === '1' || lower === 'y' || lower === 'yes') return true;
  if (lower === 'false' || lower === '0' || lower === 'n' || lower === 'no') return false;
  return undefined;
}

/** CTF dates are xs:date; some suppliers add a time. */
function ctfDate(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const match = /^(\d{4}-\d{2}-\d{2})(?:T.*)?$/.exec(value);
  return match ? match[1] : value;
}

function school(node: XmlNode | undefined): CtfSchool {
  return {
    lea: optionalText(node, 'LEA') ?? null,
    estab: optionalText(node, 'Estab') ?? null,
    urn: optionalText(node, 'URN') ?? null,
    name: optionalText(node, 'SchoolName') ?? null,
    academicYear: optionalText(node, 'AcademicYear') ?? null,
  };
}

const parser = new XMLParser({
  // Callbacks get a matcher rather than a path string built for every element: measurably faster.
  jPath: false,
  ignoreAttributes: true,
  // Everything stays text: UPNs, codes and phone numbers keep their leading zeros.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: false,
  isArray: (name) => name === 'Pupil',
  // Sections SENCO Desk does not read (often most of a real CTF) are skipped as raw text, not built into objects.
  stopNodes: ['*.Attendance', '*.StageAssessments', '*.SchoolHistory'],
});

/** Turns the validator's message for a file that ends early into words. */
function describeXmlError(error: { code: string; msg: string; line: number; col: number }): string {
  const unclosed = /^Invalid '\[(.*)\]' found\.?$/s.exec(error.msg);
  if (unclosed) {
    const tags = unclosed[1]!
      .split(',')
      .map((tag) => tag.trim().replace(/^"|"$/g, ''))
      .filter(Boolean);
    return `The file is incomplete: it ends before the XML is finished (${tags.map((tag) => `<${tag}>`).join(', ')} ${tags.length === 1 ? 'is' : 'are'} never closed). It may have been cut short when it was saved, copied or uploaded: export the CTF again`;
  }
  return `The file is not well-formed XML: ${error.msg.replace(/\.$/, '')} (line ${error.line}, column ${error.col}). Export the CTF again from your MIS`;
}

/** Parses and checks the document's structure; throws ImportFileError naming what is wrong or missing. */
export function parseCtfDocument(xml: string): { header: XmlNode; pupils: XmlNode[] } {
  refuseDoctype(xml);
  const valid = XMLValidator.validate(xml, { allowBooleanAttributes: true });
  if (valid !== true) throw new ImportFileError(describeXmlError(valid.err));
  let document: XmlNode;
  try {
    document = parser.parse(xml) as XmlNode;
  } catch (error) {
    throw new ImportFileError(`The file could not be read as XML: ${error instanceof Error ? error.message : String(error)}`);
  }
  const rootNames = Object.keys(document).filter((name) => !name.startsWith('?') && !name.startsWith('#'));
  if (!rootNames.includes('CTfile')) {
    throw new ImportFileError(
      rootNames.length
        ? `The file is XML but not a Common Transfer File: its root element is <${rootNames[0]}>, not <CTfile>`
        : 'The file is XML but has no root element: it is not a Common Transfer File',
    );
  }
  const root = asNode(document.CTfile);
  const missing = ['Header', 'CTFpupilData'].filter((name) => !has(root, name));
  if (missing.length) {
    throw new ImportFileError(`The CTF is missing ${missing.map((name) => `<${name}>`).join(' and ')}: it is not a complete Common Transfer File. Export it again from your MIS`);
  }
  const header = asNode(child(root, 'Header'));
  if (!header) throw new ImportFileError('The CTF <Header> is empty: it is not a complete Common Transfer File');
  const data = asNode(child(root, 'CTFpupilData'));
  const pupils = all(data?.Pupil).map((pupil) => asNode(pupil) ?? {});
  return { header, pupils };
}

export function readCtfHeader(header: XmlNode): CtfHeader {
  const version = optionalText(header, 'CTFversion') ?? null;
  const versionMatch = version ? /(\d+)/.exec(version) : null;
  return {
    documentName: optionalText(header, 'DocumentName') ?? null,
    version,
    versionNumber: versionMatch ? Number(versionMatch[1]) : null,
    dateTime: optionalText(header, 'DateTime') ?? null,
    qualifier: optionalText(header, 'DocumentQualifier') ?? null,
    supplierId: optionalText(header, 'SupplierID') ?? null,
    source: school(asNode(child(header, 'SourceSchool'))),
    dest: school(asNode(child(header, 'DestSchool'))),
  };
}

function firstLanguage(basic: XmlNode | undefined): string | null | undefined {
  const languages = asNode(child(basic, 'Languages'));
  if (!languages) return undefined;
  const types = all(languages.Type);
  let fallback: string | undefined;
  for (const entry of types) {
    if (typeof entry === 'string') {
      fallback ??= cleanText(decodeXmlText(entry)) ?? undefined;
      continue;
    }
    const node = asNode(entry);
    const language = text(node, 'Language') ?? text(node, 'LanguageCode');
    const kind = (text(node, 'LanguageType') ?? text(node, 'TypeID') ?? text(node, 'Type') ?? '').toUpperCase();
    if (language && (kind === 'F' || kind === 'FIRST')) return language.toUpperCase();
    if (language) fallback ??= language.toUpperCase();
  }
  return fallback ?? null;
}

/** English (ENG) or believed English (ENB) is not EAL; not obtained (NOT) or refused (REF) tells us nothing. */
function ealFromLanguage(language: string | null | undefined): boolean | undefined {
  if (!language) return undefined;
  const code = language.toUpperCase();
  if (code === 'NOT' || code === 'REF') return undefined;
  return code !== 'ENG' && code !== 'ENB';
}

function fsmFromHistory(history: XmlNode | undefined, today: string): boolean {
  for (const entry of all(history?.FSMinstance)) {
    const node = asNode(entry);
    const start = ctfDate(text(node, 'FSMstartDate'));
    const end = ctfDate(text(node, 'FSMendDate'));
    if (!start || start > today) continue;
    if (!end || end >= today) return true;
  }
  return false;
}

function phoneOf(node: XmlNode | undefined): string | null {
  const phones = asNode(child(node, 'Phones'));
  for (const entry of all(phones?.Phone)) {
    if (typeof entry === 'string') {
      const value = cleanText(decodeXmlText(entry));
      if (value) return value;
      continue;
    }
    const phone = asNode(entry);
    const value = cleanText(text(phone, 'PhoneNo') ?? text(phone, 'TelephoneNumber') ?? text(phone, 'Number') ?? '');
    if (value) return value;
  }
  return null;
}

function emailOf(node: XmlNode | undefined): string | null {
  for (const entry of all(node?.Email)) {
    if (typeof entry === 'string') {
      const value = cleanText(decodeXmlText(entry));
      if (value) return value;
      continue;
    }
    const value = cleanText(text(asNode(entry), 'EmailAddress') ?? '');
    if (value) return value;
  }
  return null;
}

function addressOf(address: XmlNode | undefined): string | null {
  if (!address) return null;
  const bs7666 = asNode(child(address, 'BS7666Address'));
  const lines = asNode(child(address, 'AddressLines'));
  let parts: Array<string | null | undefined> = [];
  if (bs7666) {
    const paon = optionalText(bs7666, 'PAON');
    const street = optionalText(bs7666, 'Street');
    // "12" and "High Street" read as "12 High Street"; a named building stays on its own.
    const firstLine = paon && street ? (/^\d+[A-Za-z]?$/.test(paon) ? `${paon} ${street}` : `${paon}, ${street}`) : (paon ?? street);
    parts = [
      optionalText(bs7666, 'SAON'),
      firstLine,
      optionalText(bs7666, 'Locality'),
      optionalText(bs7666, 'Town'),
      optionalText(bs7666, 'PostTown'),
      optionalText(bs7666, 'AdministrativeArea'),
      optionalText(bs7666, 'County'),
    ];
  } else if (lines) {
    parts = [1, 2, 3, 4, 5].map((index) => optionalText(lines, `AddressLine${index}`));
    parts.push(optionalText(lines, 'County'));
  }
  parts.push(optionalText(bs7666 ?? lines, 'Postcode') ?? optionalText(address, 'Postcode'));
  const seen = new Set<string>();
  const unique = parts.filter((part): part is string => {
    if (!part) return false;
    const key = part.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.length ? unique.join(', ') : null;
}

function contactsOf(contactsNode: XmlNode | undefined): ContactInput[] {
  const contacts: ContactInput[] = [];
  all(contactsNode?.Contact).forEach((entry, index) => {
    const node = asNode(entry);
    const surname = optionalText(node, 'Surname');
    if (!node || !surname) return; // a contact with no surname cannot be recorded
    const order = Number.parseInt(text(node, 'Order') ?? '', 10);
    contacts.push({
      order: Number.isInteger(order) && order > 0 ? order : index + 1,
      title: optionalText(node, 'Title') ?? null,
      forename: optionalText(node, 'Forename') ?? null,
      surname,
      relationship: optionalText(node, 'Relationship') ?? null,
      parentalResponsibility: bool(text(node, 'Responsibility')) ?? false,
      phone: phoneOf(node),
      email: emailOf(node),
    });
  });
  return contacts.sort((a, b) => a.order - b.order);
}

/** The current SEN status: the latest SEN entry and the needs listed with it. */
function senOf(history: XmlNode, problems: RowProblem[]): PupilRecordInput['sen'] {
  const entries = all(history.SEN)
    .map((entry) => asNode(entry))
    .filter((entry): entry is XmlNode => Boolean(entry))
    .map((entry) => ({ node: entry, start: ctfDate(text(entry, 'StartDate')) ?? '', provision: text(entry, 'SENprovision') ?? '' }));
  entries.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const latest = entries.at(-1);
  const needsNode = asNode(child(history, 'SENneeds')) ?? asNode(child(latest?.node, 'SENneeds'));
  const needs: Array<{ need: string; rank: number }> = [];
  for (const entry of all(needsNode?.SENneed)) {
    const node = asNode(entry);
    const type = text(node, 'SENtype') ?? '';
    const rankText = text(node, 'SENtypeRank') ?? '';
    const rank = /^\d+$/.test(rankText) ? Number(rankText) : Number.NaN;
    if (!type) {
      problems.push({ field: 'SENtype', reason: 'An SEN need has no SENtype' });
      continue;
    }
    needs.push({ need: needFromText(type) ?? type, rank: Number.isNaN(rank) ? needs.length + 1 : rank });
    if (rankText && Number.isNaN(rank)) problems.push({ field: 'SENtypeRank', reason: `SENtypeRank must be a whole number, not "${rankText}"` });
  }
  if (!latest) {
    // SENhistory with no SEN entry: needs alone cannot make a status.
    if (needs.length) problems.push({ field: 'SENprovision', reason: 'SEN needs are listed without an SENprovision' });
    return { provision: 'N', needs: [], startDate: null };
  }
  const code = latest.provision.toUpperCase();
  if (!code) problems.push({ field: 'SENprovision', reason: 'SENprovision is missing from the SEN entry' });
  if (latest.start && !isIsoDate(latest.start)) problems.push({ field: 'StartDate', reason: `SEN StartDate "${latest.start}" is not a real date` });
  // Codes are checked by the census rules; an unknown one is reported there with the allowed codes.
  return {
    provision: code as NonNullable<PupilRecordInput['sen']>['provision'],
    needs: needs as RankedNeed[],
    startDate: latest.start && isIsoDate(latest.start) ? latest.start : null,
  };
}

function pupilRow(pupil: XmlNode, position: number, today: string): ParsedRow {
  const problems: RowProblem[] = [];
  const upnText = text(pupil, 'UPN');
  const upn = upnText ? normaliseUpn(upnText) : null;
  const surname = optionalText(pupil, 'Surname') ?? '';
  const forename = optionalText(pupil, 'Forename') ?? '';
  const dob = ctfDate(text(pupil, 'DOB')) ?? '';
  if (!upn) problems.push({ field: 'UPN', reason: 'UPN is missing: every pupil in a CTF has one' });

  const record: PupilRecordInput = { upn, legalSurname: surname, legalForename: forename, dateOfBirth: dob };
  const uln = text(pupil, 'UniqueLearnerNumber') ?? text(pupil, 'ULN');
  if (uln) record.uln = normaliseUln(uln);
  const uci = optionalText(pupil, 'UCI');
  if (uci) record.uci = uci;

  // CTF 25 says Sex; earlier versions say Gender. Either is read whatever the version.
  const sexField = has(pupil, 'Sex') ? 'Sex' : 'Gender';
  const sexText = text(pupil, sexField);
  if (sexText !== undefined) {
    const sex = parseSex(sexText);
    if (sex.ok) {
      if (sex.value) record.sex = sex.value;
    } else problems.push({ field: sexField, reason: `${sexField} ${sex.reason}` });
  }

  const basic = asNode(child(pupil, 'BasicDetails'));
  if (basic) {
    const formerUpn = text(basic, 'FormerUPN');
    if (formerUpn) record.formerUpn = normaliseUpn(formerUpn);
    for (const [element, field] of [
      ['PreferredSurname', 'preferredSurname'],
      ['PreferredForename', 'preferredForename'],
      ['MiddleNames', 'middleNames'],
      ['Ethnicity', 'ethnicity'],
      ['EnrolStatus', 'enrolStatus'],
    ] as const) {
      const value = optionalText(basic, element);
      if (value !== undefined) record[field] = value;
    }
    const year = text(basic, 'NCyearActual');
    if (year !== undefined && year !== '') {
      const parsed = parseYearGroup(year);
      if (parsed.ok) record.yearGroup = parsed.value ?? null;
      else problems.push({ field: 'NCyearActual', reason: `NCyearActual ${parsed.reason}` });
    }
    const language = firstLanguage(basic);
    if (language !== undefined) {
      record.firstLanguage = language;
      const eal = ealFromLanguage(language);
      if (eal !== undefined) record.eal = eal;
    }
    const medical = bool(text(basic, 'MedicalFlag'));
    if (medical !== undefined) record.medicalFlag = medical;
  }
  if (has(pupil, 'FSMhistory')) record.fsm = fsmFromHistory(asNode(child(pupil, 'FSMhistory')), today);
  const lookedAfter = asNode(child(pupil, 'LookedAfter'));
  if (lookedAfter) {
    const inCare = bool(text(lookedAfter, 'InCare'));
    if (inCare !== undefined) {
      record.lookedAfter = inCare;
      record.careAuthority = inCare ? (optionalText(lookedAfter, 'CareAuthority') ?? null) : null;
    }
  }
  const senHistory = child(pupil, 'SENhistory');
  if (senHistory !== undefined) record.sen = senOf(asNode(senHistory) ?? {}, problems);
  if (has(pupil, 'Address')) record.address = addressOf(asNode(child(pupil, 'Address')));
  if (has(pupil, 'Contacts')) record.contacts = contactsOf(asNode(child(pupil, 'Contacts')));
  // Registration group is not in CTF basic details: left undefined so the register keeps its own.

  return { line: position, upn, name: displayName(forename, surname), record, problems };
}

/** Reads a whole CTF: the header, every pupil as a record or a rejection, and warnings about the file. */
export function parseCtf(xml: string, options: { today: string }): CtfParse {
  const document = parseCtfDocument(xml);
  const header = readCtfHeader(document.header);
  const warnings: string[] = [];
  if (header.versionNumber === null) {
    warnings.push('The file does not say which CTF version it is (CTFversion): check the pupils’ details carefully before you confirm');
  } else if (!SUPPORTED_CTF_VERSIONS.includes(header.versionNumber)) {
    warnings.push(
      `This is CTF version ${header.version}. SENCO Desk reads the current and previous versions (${SUPPORTED_CTF_VERSIONS.join(' and ')}): the file has been read as far as it matches them, so check the pupils’ details carefully before you confirm`,
    );
  }
  const rows = document.pupils.map((pupil, index) => pupilRow(pupil, index + 1, options.today));
  validateRows(rows, CTF_FIELD_NAMES, options.today, 'pupil');
  return { header, rows, warnings };
}
