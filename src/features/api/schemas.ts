// JSON schemas for the API. Fastify validates requests and serialises responses with these objects,
// and openapi.ts publishes the same objects, so the description cannot drift from the behaviour.
// A response schema is also a filter: fast-json-stringify writes only the properties named here.
import { BROAD_AREAS, NEED_CODES, PROVISION_LABELS } from '../register/census.ts';
import { REGISTER_SORTS } from '../register/repository.ts';

export type JsonSchema = { [key: string]: unknown };

const PROVISION_CODES = Object.keys(PROVISION_LABELS);
const isoDate = { type: 'string', format: 'date', description: 'A date as YYYY-MM-DD' } as const;
const nullableIsoDate = { type: ['string', 'null'], format: 'date', description: 'A date as YYYY-MM-DD, or null' } as const;
const instant = { type: 'string', format: 'date-time', description: 'An instant in ISO 8601 UTC' } as const;
const nullableString = { type: ['string', 'null'] } as const;

// Errors ----------------------------------------------------------------------------------------

export const FieldErrorSchema = {
  title: 'FieldError',
  type: 'object',
  description: 'One problem with the request, naming the field it concerns (for example "needs[0].need").',
  required: ['field', 'message'],
  properties: {
    field: { type: 'string' },
    message: { type: 'string' },
  },
} as const;

export const ErrorSchema = {
  title: 'Error',
  type: 'object',
  required: ['error', 'message'],
  properties: {
    error: {
      type: 'string',
      description: 'A stable code: invalid, unauthorised, forbidden, not_found, bad_request or server_error',
    },
    message: { type: 'string', description: 'What went wrong, in words for a person' },
    errors: { type: 'array', items: FieldErrorSchema, description: 'Present when error is "invalid"' },
  },
} as const;

// Register --------------------------------------------------------------------------------------

export const NeedSchema = {
  title: 'Need',
  type: 'object',
  description: 'A DfE SEN type of need with its rank (1 is the primary need).',
  required: ['need', 'rank', 'label', 'area'],
  properties: {
    need: { type: 'string', description: 'DfE SEN type code, for example ASD', examples: ['ASD'] },
    rank: { type: 'integer', minimum: 1 },
    label: { type: 'string', examples: ['Autistic spectrum disorder'] },
    area: { type: 'string', description: 'The broad area of need', examples: ['Communication and interaction'] },
  },
} as const;

export const RegisterPupilSchema = {
  title: 'RegisterPupil',
  type: 'object',
  description: 'A pupil as a row of the SEN register.',
  required: ['id', 'upn', 'legalForename', 'legalSurname', 'dateOfBirth', 'yearGroup', 'senProvision', 'senSince', 'primaryNeed', 'secondaryNeed'],
  properties: {
    id: { type: 'string' },
    upn: { ...nullableString, description: 'Unique pupil number' },
    legalForename: { type: 'string' },
    legalSurname: { type: 'string' },
    preferredForename: nullableString,
    preferredSurname: nullableString,
    dateOfBirth: isoDate,
    yearGroup: { type: ['integer', 'null'], description: 'National curriculum year: -2 and -1 are nursery, 0 is reception' },
    registrationGroup: nullableString,
    senProvision: { type: 'string', enum: PROVISION_CODES, description: 'School census SEN provision: N, K or E (A, P and S are historic)' },
    senSince: nullableIsoDate,
    primaryNeed: { ...nullableString, description: 'DfE SEN type code of the rank 1 need' },
    secondaryNeed: { ...nullableString, description: 'DfE SEN type code of the rank 2 need' },
    fsm: { type: 'boolean', description: 'Eligible for free school meals' },
    pupilPremium: { type: 'boolean' },
    eal: { type: 'boolean', description: 'English as an additional language' },
    lookedAfter: { type: 'boolean' },
  },
} as const;

const countRow = (key: string, keyType: JsonSchema) =>
  ({
    type: 'object',
    required: [key, 'count'],
    properties: { [key]: keyType, label: { type: 'string' }, count: { type: 'integer' } },
  }) as const;

export const HeadlineCountsSchema = {
  title: 'HeadlineCounts',
  type: 'object',
  description: 'Counts of the pupils matching the filters (every page, not only this one).',
  required: ['total', 'byProvision', 'byNeed', 'byArea', 'byYear'],
  properties: {
    total: { type: 'integer' },
    byProvision: { type: 'array', items: countRow('code', { type: 'string' }) },
    byNeed: { type: 'array', items: countRow('code', { type: 'string' }), description: 'By primary need, largest first' },
    byArea: { type: 'array', items: countRow('area', { type: 'string' }), description: 'By the broad area of the primary need' },
    byYear: { type: 'array', items: countRow('year', { type: ['integer', 'null'] }) },
  },
} as const;

export const PageMetaSchema = {
  title: 'PageMeta',
  type: 'object',
  required: ['total', 'page', 'pageCount', 'pageSize'],
  properties: {
    total: { type: 'integer', description: 'Pupils matching the filters' },
    page: { type: 'integer', description: 'This page, from 1' },
    pageCount: { type: 'integer' },
    pageSize: { type: 'integer' },
  },
} as const;

export const PageLinksSchema = {
  title: 'PageLinks',
  type: 'object',
  required: ['self', 'first', 'last', 'next', 'prev'],
  properties: {
    self: { type: 'string' },
    first: { type: 'string' },
    last: { type: 'string' },
    next: { type: ['string', 'null'], description: 'The next page, or null on the last page' },
    prev: { type: ['string', 'null'], description: 'The previous page, or null on the first page' },
  },
} as const;

const repeatable = (items: JsonSchema, description: string) => ({ type: 'array', items, description }) as const;

export const RegisterQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    q: { type: 'string', maxLength: 100, description: 'UPN or any part of a name' },
    provision: repeatable(
      { type: 'string', enum: [...PROVISION_CODES, ''] },
      'SEN provision codes; repeat for several. Omitted: K and E (the SEN register). Given once with an empty value: every pupil on roll.',
    ),
    need: repeatable({ type: 'string', enum: NEED_CODES }, 'Pupils with this primary or secondary need; repeat for several'),
    area: repeatable({ type: 'string', enum: BROAD_AREAS }, 'Pupils whose primary need is in this broad area; repeat for several'),
    year: repeatable({ type: 'integer', minimum: -2, maximum: 14 }, 'National curriculum year group; repeat for several'),
    flag: repeatable(
      { type: 'string', enum: ['fsm', 'pp', 'eal', 'lac'] },
      'Only pupils with every flag given: fsm (free school meals), pp (pupil premium), eal, lac (looked after)',
    ),
    group: { type: 'string', maxLength: 64, description: 'Only pupils in this teaching or registration group (its id)' },
    sort: { type: 'string', enum: Object.keys(REGISTER_SORTS), default: 'name' },
    order: { type: 'string', enum: ['asc', 'desc'], default: 'asc' },
    page: { type: 'integer', minimum: 1, maximum: 100000, default: 1 },
  },
} as const;

export const RegisterResponseSchema = {
  description: 'One page of the register, its headline counts and links to the pages either side',
  type: 'object',
  required: ['data', 'meta', 'counts', 'links'],
  properties: {
    data: { type: 'array', items: RegisterPupilSchema },
    meta: PageMetaSchema,
    counts: HeadlineCountsSchema,
    links: PageLinksSchema,
  },
} as const;

// A pupil ---------------------------------------------------------------------------------------

export const PupilParamsSchema = {
  type: 'object',
  required: ['pupilId'],
  properties: { pupilId: { type: 'string', minLength: 1, maxLength: 64, description: 'The pupil’s id' } },
} as const;

export const SenStatusSchema = {
  title: 'SenStatus',
  type: 'object',
  required: ['provision', 'provisionLabel', 'since', 'needs'],
  properties: {
    provision: { type: 'string', enum: PROVISION_CODES },
    provisionLabel: { type: 'string', examples: ['SEN support'] },
    since: { ...nullableIsoDate, description: 'When the current SEN provision began; null when the pupil has no SEN' },
    needs: { type: 'array', items: NeedSchema, description: 'Current needs by rank' },
  },
} as const;

export const GroupSchema = {
  title: 'Group',
  type: 'object',
  required: ['id', 'name', 'kind', 'subject'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    kind: { type: 'string', description: 'registration or teaching' },
    subject: nullableString,
  },
} as const;

export const ContactSchema = {
  title: 'Contact',
  type: 'object',
  description: 'A parent, carer or other contact. A parent using the API sees only those with parental responsibility.',
  required: ['id', 'order', 'surname', 'parentalResponsibility'],
  properties: {
    id: { type: 'string' },
    order: { type: 'integer', description: 'Priority order from the school’s records' },
    title: nullableString,
    forename: nullableString,
    surname: { type: 'string' },
    relationship: nullableString,
    parentalResponsibility: { type: 'boolean' },
    phone: nullableString,
    email: nullableString,
  },
} as const;

export const PupilSchema = {
  title: 'Pupil',
  type: 'object',
  required: ['id', 'upn', 'uln', 'legalForename', 'legalSurname', 'dateOfBirth', 'yearGroup', 'onRoll', 'sen', 'groups', 'contacts'],
  properties: {
    id: { type: 'string' },
    upn: { ...nullableString, description: 'Unique pupil number' },
    uln: { ...nullableString, description: 'Unique learner number' },
    legalForename: { type: 'string' },
    middleNames: nullableString,
    legalSurname: { type: 'string' },
    preferredForename: nullableString,
    preferredSurname: nullableString,
    dateOfBirth: isoDate,
    yearGroup: { type: ['integer', 'null'] },
    registrationGroup: nullableString,
    onRoll: { type: 'boolean' },
    fsm: { type: 'boolean' },
    pupilPremium: { type: 'boolean' },
    eal: { type: 'boolean' },
    lookedAfter: { type: 'boolean' },
    sen: SenStatusSchema,
    groups: { type: 'array', items: GroupSchema },
    contacts: { type: 'array', items: ContactSchema },
    links: {
      type: 'object',
      properties: { self: { type: 'string' }, senHistory: { type: 'string' }, senStatus: { type: 'string', description: 'Present when the token may change the SEN status' } },
    },
  },
} as const;

export const PupilResponseSchema = {
  description: 'The pupil’s record: identity, SEN status and needs, groups and contacts',
  type: 'object',
  required: ['data'],
  properties: { data: PupilSchema },
} as const;

export const ProvisionPeriodSchema = {
  title: 'ProvisionPeriod',
  type: 'object',
  required: ['id', 'provision', 'provisionLabel', 'startDate', 'endDate'],
  properties: {
    id: { type: 'string' },
    provision: { type: 'string', enum: PROVISION_CODES },
    provisionLabel: { type: 'string' },
    startDate: isoDate,
    endDate: { ...nullableIsoDate, description: 'Null while the period is current' },
    changeId: { ...nullableString, description: 'The change that opened the period' },
  },
} as const;

export const NeedPeriodSchema = {
  title: 'NeedPeriod',
  type: 'object',
  required: ['id', 'need', 'rank', 'label', 'area', 'startDate', 'endDate'],
  properties: {
    id: { type: 'string' },
    need: { type: 'string' },
    rank: { type: 'integer' },
    label: { type: 'string' },
    area: { type: 'string' },
    startDate: isoDate,
    endDate: { ...nullableIsoDate, description: 'Null while the need is current' },
    changeId: nullableString,
  },
} as const;

export const SenChangeSchema = {
  title: 'SenChange',
  type: 'object',
  required: ['id', 'kind', 'effectiveDate', 'reason', 'provisionBefore', 'provisionAfter', 'needsBefore', 'needsAfter', 'source', 'recordedAt'],
  properties: {
    id: { type: 'string' },
    kind: {
      type: 'string',
      description: 'added-to-sen-support, ehc-plan-started, ehc-plan-ended, removed-from-register, needs-changed, imported-status or first-recorded',
    },
    kindLabel: { type: 'string' },
    effectiveDate: isoDate,
    reason: { type: 'string' },
    provisionBefore: nullableString,
    provisionAfter: nullableString,
    needsBefore: { type: 'array', items: NeedSchema },
    needsAfter: { type: 'array', items: NeedSchema },
    source: { type: 'string', description: 'manual, or the import the change came from' },
    recordedAt: instant,
    recordedBy: { ...nullableString, description: 'The name of the person who recorded it, when a person did' },
  },
} as const;

export const SenHistoryResponseSchema = {
  description: 'The pupil’s SEN history: provision periods, need periods and the changes that made them, newest first',
  type: 'object',
  required: ['data'],
  properties: {
    data: {
      type: 'object',
      required: ['pupilId', 'current', 'provisionPeriods', 'needPeriods', 'changes'],
      properties: {
        pupilId: { type: 'string' },
        current: SenStatusSchema,
        provisionPeriods: { type: 'array', items: ProvisionPeriodSchema },
        needPeriods: { type: 'array', items: NeedPeriodSchema },
        changes: { type: 'array', items: SenChangeSchema },
      },
    },
  },
} as const;

export const SenStatusChangeSchema = {
  title: 'SenStatusChange',
  type: 'object',
  description: 'A new SEN status, recorded as history from the effective date.',
  additionalProperties: false,
  required: ['provision', 'effectiveDate', 'reason'],
  properties: {
    provision: { type: 'string', enum: ['N', 'K', 'E'], description: 'N (no SEN), K (SEN support) or E (EHC plan)' },
    needs: {
      type: 'array',
      maxItems: 4,
      default: [],
      description: 'Needs by rank; at least one for K and E, none for N. Rank 1 is the primary need.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['need', 'rank'],
        properties: {
          need: { type: 'string', enum: NEED_CODES },
          rank: { type: 'integer', minimum: 1, maximum: 4 },
        },
      },
    },
    effectiveDate: { ...isoDate, description: 'When the change takes effect: today or earlier, and not before the current status began' },
    reason: { type: 'string', maxLength: 2000, description: 'Why the status changed; kept in the pupil’s history' },
  },
  examples: [{ provision: 'K', needs: [{ need: 'SPLD', rank: 1 }], effectiveDate: '2026-03-14', reason: 'Assessment by the specialist teacher' }],
} as const;

export const SenStatusResponseSchema = {
  description: 'The status was recorded; this is the pupil’s SEN status now',
  type: 'object',
  required: ['data'],
  properties: { data: SenStatusSchema },
} as const;

// Overview --------------------------------------------------------------------------------------

export const CountSchema = {
  title: 'Count',
  type: 'object',
  description: 'A count. For governors, counts from 1 to 4 are withheld (null, suppressed: true) so that no child can be identified.',
  required: ['count', 'suppressed'],
  properties: {
    count: { type: ['integer', 'null'] },
    suppressed: { type: 'boolean' },
  },
} as const;

const countedRow = (key: string, keyType: JsonSchema) =>
  ({
    type: 'object',
    required: [key, 'label', 'count', 'suppressed'],
    properties: { [key]: keyType, label: { type: 'string' }, count: { type: ['integer', 'null'] }, suppressed: { type: 'boolean' } },
  }) as const;

export const OverviewSchema = {
  title: 'Overview',
  type: 'object',
  required: ['school', 'smallNumberSuppression', 'onRoll', 'withSen', 'byProvision', 'byNeed', 'byArea', 'byYear', 'byFactor'],
  properties: {
    school: { type: 'object', required: ['id', 'name'], properties: { id: { type: 'string' }, name: { type: 'string' } } },
    smallNumberSuppression: {
      type: 'object',
      required: ['applied', 'threshold'],
      properties: {
        applied: { type: 'boolean', description: 'True for governors: counts below the threshold (except 0) are withheld' },
        threshold: { type: 'integer' },
      },
    },
    onRoll: CountSchema,
    withSen: CountSchema,
    byProvision: { type: 'array', items: countedRow('code', { type: 'string' }), description: 'Pupils with SEN by provision' },
    byNeed: { type: 'array', items: countedRow('code', { type: 'string' }), description: 'Pupils with SEN by primary need' },
    byArea: { type: 'array', items: countedRow('area', { type: 'string' }), description: 'Pupils with SEN by broad area of primary need' },
    byYear: { type: 'array', items: countedRow('year', { type: ['integer', 'null'] }), description: 'Pupils with SEN by year group' },
    byFactor: { type: 'array', items: countedRow('factor', { type: 'string' }), description: 'Pupils with SEN who have each factor' },
  },
} as const;

export const OverviewResponseSchema = {
  description: 'Aggregate SEN counts for the school; no pupil is named',
  type: 'object',
  required: ['data'],
  properties: { data: OverviewSchema },
} as const;

/** Schemas published once under components.schemas and referred to by $ref (openapi.ts). */
export const NAMED_SCHEMAS: Record<string, JsonSchema> = {
  Error: ErrorSchema,
  FieldError: FieldErrorSchema,
  Need: NeedSchema,
  RegisterPupil: RegisterPupilSchema,
  HeadlineCounts: HeadlineCountsSchema,
  PageMeta: PageMetaSchema,
  PageLinks: PageLinksSchema,
  SenStatus: SenStatusSchema,
  Group: GroupSchema,
  Contact: ContactSchema,
  Pupil: PupilSchema,
  ProvisionPeriod: ProvisionPeriodSchema,
  NeedPeriod: NeedPeriodSchema,
  SenChange: SenChangeSchema,
  SenStatusChange: SenStatusChangeSchema,
  Count: CountSchema,
  Overview: OverviewSchema,
};

/** Error responses a route can give, all with the one error shape. */
export function errorResponses(...codes: Array<400 | 401 | 403 | 404>): Record<string, JsonSchema> {
  return Object.fromEntries(codes.map((code) => [String(code), ErrorSchema]));
}
