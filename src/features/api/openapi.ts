// Builds the OpenAPI 3.1 description from the routes as Fastify registered them: the same schema
// objects validate requests, serialise responses and appear here, so the document cannot drift.
// Schemas listed in NAMED_SCHEMAS are published once under components.schemas and referred to by
// $ref wherever the same object is used.
import { ROLES, ROLE_LABELS, roleMay, isAction } from '../../platform/permissions.ts';
import type { JsonSchema } from './schemas.ts';

export interface ApiRouteRecord {
  method: string;
  url: string;
  permission: string;
  schema: JsonSchema | undefined;
}

export type OpenApiDocument = {
  openapi: string;
  info: JsonSchema;
  servers: JsonSchema[];
  security: Array<Record<string, string[]>>;
  tags: Array<{ name: string; description: string }>;
  paths: Record<string, Record<string, JsonSchema>>;
  components: { securitySchemes: Record<string, JsonSchema>; schemas: Record<string, JsonSchema> };
};

export const SECURITY_SCHEME = 'bearerAuth';

const DEFAULT_RESPONSE_DESCRIPTIONS: Record<string, string> = {
  '200': 'OK',
  '201': 'Created',
  '400': 'The request is not valid: each problem names its field',
  '401': 'No API token was sent, or it is unknown, revoked or expired',
  '403': 'The token’s role may not do this, or may not see this pupil',
  '404': 'No such pupil in the token’s school',
};

const TAGS = [
  { name: 'Register', description: 'The SEN register and its headline counts' },
  { name: 'Pupils', description: 'A pupil’s record, SEN history and SEN status changes. Every read and write is in the school’s audit log.' },
  { name: 'Overview', description: 'Aggregate counts for the school, with small numbers withheld for governors' },
  { name: 'API', description: 'This description' },
];

/** Fastify's ':name' path parameters become OpenAPI's '{name}'. */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function isObject(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function publisher(named: Record<string, JsonSchema>) {
  const names = new Map<object, string>(Object.entries(named).map(([name, schema]) => [schema, name]));
  const publish = (value: unknown, root?: object): unknown => {
    if (Array.isArray(value)) return value.map((entry) => publish(entry));
    if (!isObject(value)) return value;
    const name = names.get(value);
    if (name && value !== root) return { $ref: `#/components/schemas/${name}` };
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, publish(entry)]));
  };
  return {
    publish: (value: unknown) => publish(value) as JsonSchema,
    isNamed: (value: unknown) => isObject(value) && names.has(value),
    components: () => Object.fromEntries(Object.entries(named).map(([name, schema]) => [name, publish(schema, schema) as JsonSchema])),
  };
}

function whoMay(permission: string): string {
  if (permission === 'public') return 'No token needed.';
  if (!isAction(permission)) return `Permission: ${permission}.`;
  const roles = ROLES.filter((role) => roleMay(role, permission)).map((role) => ROLE_LABELS[role]);
  return `Permission \`${permission}\`: ${roles.join(', ')}.`;
}

export function buildOpenApiDocument(routes: ApiRouteRecord[], named: Record<string, JsonSchema>, info: { version: string }): OpenApiDocument {
  const { publish, isNamed, components } = publisher(named);
  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    const schema = route.schema ?? {};
    const parameters: JsonSchema[] = [];
    for (const [location, key] of [['path', 'params'], ['query', 'querystring']] as const) {
      const group = schema[key];
      if (!isObject(group) || !isObject(group.properties)) continue;
      const required = new Set(Array.isArray(group.required) ? (group.required as string[]) : []);
      for (const [name, property] of Object.entries(group.properties)) {
        if (!isObject(property)) continue;
        const { description, ...rest } = property;
        parameters.push({
          name,
          in: location,
          required: location === 'path' || required.has(name),
          ...(typeof description === 'string' ? { description } : {}),
          ...(rest.type === 'array' ? { style: 'form', explode: true } : {}),
          schema: publish(rest),
        });
      }
    }
    const responses: Record<string, JsonSchema> = {};
    for (const [code, response] of Object.entries(isObject(schema.response) ? schema.response : {})) {
      if (!isObject(response)) continue;
      // A route's own response wrapper carries the response's description; a shared schema does not.
      const named = isNamed(response);
      const { description, ...body } = response;
      responses[code] = {
        description: (!named && typeof description === 'string' ? description : undefined) ?? DEFAULT_RESPONSE_DESCRIPTIONS[code] ?? 'Response',
        content: { 'application/json': { schema: publish(named ? response : body) } },
      };
    }
    const operation: JsonSchema = {
      ...(typeof schema.operationId === 'string' ? { operationId: schema.operationId } : {}),
      ...(typeof schema.summary === 'string' ? { summary: schema.summary } : {}),
      description: [typeof schema.description === 'string' ? schema.description : '', whoMay(route.permission)].filter(Boolean).join('\n\n'),
      ...(Array.isArray(schema.tags) ? { tags: schema.tags } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(isObject(schema.body) ? { requestBody: { required: true, content: { 'application/json': { schema: publish(schema.body) } } } } : {}),
      responses,
      security: route.permission === 'public' ? [] : [{ [SECURITY_SCHEME]: [] }],
      'x-permission': route.permission,
    };
    const path = openApiPath(route.url);
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'SENCO Desk API',
      version: info.version,
      summary: 'The SEN register and pupils’ SEN records, for programs acting for a member of staff.',
      description: [
        'Each call acts as one person in one school, with exactly what their role allows on the web: create a personal API token on the **Your account** page (/account) and send it as `Authorization: Bearer <token>`.',
        'A session cookie does not authenticate API calls. Every read and write of a pupil’s record is in the school’s audit log, as on the web.',
        'Keys are camelCase; dates are `YYYY-MM-DD` (Europe/London school dates) and instants ISO 8601 UTC.',
      ].join('\n\n'),
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/', description: 'This SENCO Desk' }],
    security: [{ [SECURITY_SCHEME]: [] }],
    tags: TAGS,
    paths,
    components: {
      securitySchemes: {
        [SECURITY_SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          description: 'A personal API token from /account, beginning sdk_. It stops working when revoked or expired, or when its owner loses their role in the school.',
        },
      },
      schemas: components(),
    },
  };
}
