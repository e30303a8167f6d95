// The JSON API under /api/v1. Each route acts as the token's person in the token's school, with the
// same permission actions and the same register services as the web, so the same audit events are
// written. Requests and responses are described by JSON schemas (schemas.ts) that Fastify enforces
// and openapi.ts publishes.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import type { Action } from '../../platform/permissions.ts';
import { schoolScope } from '../../platform/scope.ts';
import { authorisePupil, requestIp, requireActor } from '../../platform/web.ts';
import * as register from '../register/service.ts';
import * as map from './mappers.ts';
import { buildOpenApiDocument, type ApiRouteRecord, type OpenApiDocument } from './openapi.ts';
import {
  NAMED_SCHEMAS,
  OverviewResponseSchema,
  PupilParamsSchema,
  PupilResponseSchema,
  RegisterQuerySchema,
  RegisterResponseSchema,
  SenHistoryResponseSchema,
  SenStatusChangeSchema,
  SenStatusResponseSchema,
  errorResponses,
} from './schemas.ts';
import { schemaValidationError, senStatusFieldErrors } from './validation.ts';
import { SMALL_NUMBER_THRESHOLD } from '../../platform/figures.ts';

declare module 'fastify' {
  // The OpenAPI words a route's schema may carry (the same names @fastify/swagger reads).
  interface FastifySchema {
    operationId?: string;
    summary?: string;
    description?: string;
    tags?: string[];
  }
}

export const API_PREFIX = '/api/v1';
export const API_VERSION = '1.0.0';

interface RegisterQuerystring {
  q?: string;
  provision?: string[];
  need?: string[];
  area?: string[];
  year?: number[];
  flag?: string[];
  group?: string;
  sort?: string;
  order?: string;
  page?: number;
}

interface PupilParams {
  pupilId: string;
}

interface SenStatusBody {
  provision: string;
  needs?: Array<{ need: string; rank: number }>;
  effectiveDate: string;
  reason: string;
}

const NO_SUCH_PUPIL = 'No pupil with that record in this school';
const pupilPath = (pupilId: string) => `${API_PREFIX}/pupils/${encodeURIComponent(pupilId)}`;

export async function apiRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  // Every route in this plugin is recorded as registered, schema and all, for the OpenAPI document.
  const routes: ApiRouteRecord[] = [];
  app.addHook('onRoute', (route) => {
    // Schema problems are handled after the platform has checked the token and role (preHandler
    // below), so a caller without a valid token learns nothing about what a valid request looks like.
    route.attachValidation = true;
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      routes.push({ method, url: route.url, permission: String(route.config?.permission ?? ''), schema: route.schema as ApiRouteRecord['schema'] });
    }
  });
  app.addHook('preHandler', async (request) => {
    const problem = request.validationError;
    if (!problem) return;
    // On a pupil's address the answers come in the web's order: may you (403), is the pupil
    // there (404), and only then what is wrong with the request (400).
    if (request.routeOptions.url?.includes(':pupilId')) {
      const pupilId = String((request.params as { pupilId?: unknown }).pupilId ?? '');
      const actor = authorisePupil(request, request.routeOptions.config.permission as Action, pupilId);
      if (problem.validationContext === 'params') throw new NotFoundError(NO_SUCH_PUPIL);
      const found = await register.pupilNames(ctx, schoolScope(actor.schoolId), [pupilId]);
      if (!found.has(pupilId)) throw new NotFoundError(NO_SUCH_PUPIL);
    }
    throw schemaValidationError(problem);
  });

  app.get<{ Querystring: RegisterQuerystring }>(
    `${API_PREFIX}/register`,
    {
      config: { permission: 'register.view' },
      schema: {
        operationId: 'listRegister',
        summary: 'The SEN register',
        description:
          'Pupils on roll matching the filters, 50 to a page, with headline counts for everything that matches. Filters combine as on the register page: values of one filter are alternatives, different filters must all match.',
        tags: ['Register'],
        querystring: RegisterQuerySchema,
        response: { 200: RegisterResponseSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const raw = request.query;
      // The register's own parser reads the query as the web page does; years arrive here as numbers.
      const query = register.parseRegisterQuery({ ...raw, year: raw.year?.map(String) });
      const result = await register.getRegister(ctx, actor, query);
      register.recordRegisterViewed(ctx, actor, query, { shown: result.pupils.length, matching: result.counts.total }, requestIp(request));
      const link = (page: number) => {
        const search = register.registerQueryString(query, { page });
        return `${API_PREFIX}/register${search ? `?${search}` : ''}`;
      };
      return {
        data: result.pupils.map(map.registerPupil),
        meta: { total: result.counts.total, page: result.page, pageCount: result.pageCount, pageSize: register.REGISTER_PAGE_SIZE },
        counts: map.headlineCounts(result.counts),
        links: {
          self: link(result.page),
          first: link(1),
          last: link(result.pageCount),
          next: result.page < result.pageCount ? link(result.page + 1) : null,
          prev: result.page > 1 ? link(result.page - 1) : null,
        },
      };
    },
  );

  app.get<{ Params: PupilParams }>(
    `${API_PREFIX}/pupils/:pupilId`,
    {
      config: { permission: 'pupil.view' },
      schema: {
        operationId: 'getPupil',
        summary: 'A pupil’s record',
        description:
          'Identity, current SEN status and needs, groups and contacts, as the pupil’s overview and contacts pages show them. Teachers and teaching assistants may read pupils they teach; parents their own children, with only the contacts holding parental responsibility. Recorded in the audit log.',
        tags: ['Pupils'],
        params: PupilParamsSchema,
        response: { 200: PupilResponseSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { pupilId } = request.params;
      const actor = authorisePupil(request, 'pupil.view', pupilId);
      const ip = requestIp(request);
      // One read, one audit event; the overview applies the contacts rules (what a parent may see).
      const overview = await register.getPupilOverview(ctx, actor, pupilId, ip);
      return { data: map.pupil(overview, overview.contacts) };
    },
  );

  app.get<{ Params: PupilParams }>(
    `${API_PREFIX}/pupils/:pupilId/sen-history`,
    {
      config: { permission: 'pupil.view' },
      schema: {
        operationId: 'getPupilSenHistory',
        summary: 'A pupil’s SEN history',
        description: 'SEN provision periods, need periods and the changes that made them, newest first. Recorded in the audit log.',
        tags: ['Pupils'],
        params: PupilParamsSchema,
        response: { 200: SenHistoryResponseSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { pupilId } = request.params;
      const actor = authorisePupil(request, 'pupil.view', pupilId);
      const history = await register.getPupilSenHistory(ctx, actor, pupilId, requestIp(request), 'api');
      return { data: map.senHistory(history, register.SEN_CHANGE_LABELS) };
    },
  );

  app.post<{ Params: PupilParams; Body: SenStatusBody }>(
    `${API_PREFIX}/pupils/:pupilId/sen-status`,
    {
      config: { permission: 'pupil.sen.edit' },
      schema: {
        operationId: 'changePupilSenStatus',
        summary: 'Record a new SEN status',
        description:
          'Adds to SEN support, records an EHC plan, changes needs or removes the pupil from the register. The current status ends on the effective date (end dates are exclusive) and the change is kept in the pupil’s history with its reason, as when it is done on the web.',
        tags: ['Pupils'],
        params: PupilParamsSchema,
        body: SenStatusChangeSchema,
        response: { 201: SenStatusResponseSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { pupilId } = request.params;
      const actor = authorisePupil(request, 'pupil.sen.edit', pupilId);
      const body = request.body;
      const input = { provision: body.provision, needs: body.needs ?? [], effectiveDate: body.effectiveDate, reason: body.reason };
      try {
        await register.changeSenStatus(ctx, actor, pupilId, input, requestIp(request));
      } catch (error) {
        if (error instanceof ValidationError) throw new ValidationError(senStatusFieldErrors(error.errors, input));
        throw error;
      }
      const form = await register.getSenChangeForm(ctx, actor, pupilId, requestIp(request), 'api-status-after-change');
      reply.code(201).header('location', `${pupilPath(pupilId)}/sen-history`);
      return { data: map.currentSenStatus(form) };
    },
  );

  app.get(
    `${API_PREFIX}/overview`,
    {
      config: { permission: 'register.counts' },
      schema: {
        operationId: 'getOverview',
        summary: 'SEN overview counts',
        description:
          'Aggregate counts for the school: pupils on roll, pupils with SEN by provision, need, area, year group and factor. No pupil is named. For governors, counts from 1 to 4 are withheld as on the web page.',
        tags: ['Overview'],
        response: { 200: OverviewResponseSchema, ...errorResponses(401, 403) },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const overview = await register.getOverview(ctx, actor);
      return { data: map.overview(overview, SMALL_NUMBER_THRESHOLD) };
    },
  );

  let document: OpenApiDocument | undefined;
  app.get(
    `${API_PREFIX}/openapi.json`,
    {
      config: { permission: 'public' },
      schema: {
        operationId: 'getOpenApiDocument',
        summary: 'This API description',
        description: 'The OpenAPI 3.1 description of every route under /api/v1, generated from the schemas the server validates with.',
        tags: ['API'],
        response: {
          200: {
            description: 'An OpenAPI 3.1 document',
            type: 'object',
            required: ['openapi', 'info', 'paths', 'components'],
            additionalProperties: true,
            properties: { openapi: { type: 'string' } },
          },
        },
      },
    },
    async (_request, reply) => {
      document ??= buildOpenApiDocument(routes, NAMED_SCHEMAS, { version: API_VERSION });
      reply.header('cache-control', 'public, max-age=300');
      return document;
    },
  );
}
