import { z } from 'zod';
import { apiSchemas } from '@fairground/core';

const { API_LISTS, API_ITEMS, apiReport, apiError, API_SCOPES } = apiSchemas;

/**
 * The read API's OpenAPI 3.1 document, generated from the zod schemas the API answers through
 * (core/src/api-schemas.ts). OpenAPI 3.1 schemas are JSON Schema 2020-12, what zod emits.
 */
export function openApiDocument(): Record<string, unknown> {
  const registry = z.registry<{ id: string }>();
  const named: Array<[string, z.ZodType]> = [
    ...Object.values(API_LISTS).map((l): [string, z.ZodType] => [String(z.globalRegistry.get(l.schema)?.id), l.schema]),
    ...Object.entries(API_ITEMS),
    ['Report', apiReport],
    ['Error', apiError],
  ];
  for (const [id, schema] of named) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { target: 'draft-2020-12', uri: (id) => `#/components/schemas/${id}` });
  for (const s of Object.values(schemas)) delete (s as Record<string, unknown>).$schema;

  const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
  const json = (id: string, description: string) => ({ description, content: { 'application/json': { schema: ref(id) } } });
  const errors = {
    '400': json('Error', 'Bad request (INVALID)'),
    '401': json('Error', 'Missing, unknown or revoked token (UNAUTHENTICATED)'),
    '403': json('Error', 'The token lacks the scope (INSUFFICIENT_SCOPE), or its owner may not read this (NOT_AUTHORIZED)'),
    '429': json('Error', 'Too many requests with this token (RATE_LIMITED); see Retry-After'),
  };
  const pageParams = [
    { name: 'cursor', in: 'query', required: false, schema: { type: 'string' }, description: 'nextCursor of the previous page' },
    { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
  ];
  const paths: Record<string, unknown> = {};
  for (const [path, list] of Object.entries(API_LISTS)) {
    const id = String(z.globalRegistry.get(list.schema)?.id);
    paths[path] = {
      get: {
        operationId: `list${path.slice(1, 2).toUpperCase()}${path.slice(2)}`,
        summary: list.summary,
        description: `Scope: ${list.scope}.`,
        parameters: pageParams,
        responses: { '200': json(id, 'One page'), ...errors },
      },
    };
  }
  paths['/report'] = {
    get: {
      operationId: 'getReport',
      summary: 'The funnel over the owner’s booths',
      description: 'Scope: reports:read.',
      responses: { '200': json('Report', 'The report'), ...errors },
    },
  };
  const exportParams = [
    { name: 'fairId', in: 'query', required: false, schema: { type: 'string', format: 'uuid' }, description: 'Only candidates of this fair' },
    {
      name: 'boothId',
      in: 'query',
      required: false,
      schema: { type: 'string', format: 'uuid' },
      description: 'Only candidates of this booth (one of the employer’s)',
    },
    {
      name: 'from',
      in: 'query',
      required: false,
      schema: { type: 'string', format: 'date' },
      description: 'Only candidates who engaged (joined a line, shared a resume) on or after this day (the fair’s time zone with fairId or boothId, else UTC)',
    },
    { name: 'to', in: 'query', required: false, schema: { type: 'string', format: 'date' }, description: 'Only candidates who engaged on or before this day' },
    {
      name: 'outcome',
      in: 'query',
      required: false,
      schema: { type: 'string', enum: ['next_round', 'offer', 'not_a_fit', 'no_show'] },
      description: 'Only candidates with an interview that ended with this outcome',
    },
  ];
  paths['/exports/candidates.csv'] = {
    get: {
      operationId: 'exportCandidatesCsv',
      summary: 'The candidates as CSV (UTF-8 with BOM; cells that a spreadsheet would run as formulas are quoted)',
      description: 'Scope: candidates:read.',
      parameters: exportParams,
      responses: { '200': { description: 'CSV file', content: { 'text/csv': { schema: { type: 'string' } } } }, ...errors },
    },
  };
  paths['/exports/candidates.json'] = {
    get: {
      operationId: 'exportCandidatesJsonResume',
      summary: 'The candidates as JSON Resume documents (jsonresume.org schema 1.x), one per candidate',
      description: 'Scope: candidates:read.',
      parameters: exportParams,
      responses: {
        '200': { description: 'JSON Resume documents', content: { 'application/json': { schema: { type: 'array', items: { type: 'object' } } } } },
        ...errors,
      },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Fairground read API',
      version: '1',
      description: `Bearer tokens are created on the employer's or the fair's integration settings page, with scopes: ${API_SCOPES.join(', ')}.`,
    },
    servers: [{ url: '/api/v1' }],
    security: [{ bearer: [] }],
    paths,
    components: { schemas, securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
  };
}
