// Route schemas: written once in zod (src/shared/api), turned into JSON Schema for Fastify's ajv validation, fast serialization and the OpenAPI document.
import { Ajv, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance, FastifySchema, FastifySchemaCompiler } from 'fastify';
import { z } from 'zod';
import { errorBodySchema } from '../../../shared/api/common';
import { AppError } from '../../../shared/errors';

type JsonSchema = Record<string, unknown>;

/** zod -> JSON Schema (draft-07, as Fastify's ajv and fast-json-stringify expect). */
export function jsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): JsonSchema {
  const { $schema: _draft, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

export interface RouteSchemaParts {
  summary: string;
  tags: string[];
  body?: z.ZodType;
  params?: z.ZodType;
  querystring?: z.ZodType;
  /** Status code -> schema of the body sent with it. Error statuses get the error shape automatically. */
  response: Record<number, z.ZodType | null>;
  /** Error statuses this route can answer with, for the document. */
  errors?: number[];
  security?: boolean;
}

const ERROR_BODY = jsonSchema(errorBodySchema, 'output');
const COMMON_ERRORS = [400, 401, 403, 404, 413, 415, 421, 429, 500];

export function routeSchema(parts: RouteSchemaParts): FastifySchema {
  const response: Record<number, JsonSchema> = {};
  for (const [status, schema] of Object.entries(parts.response)) {
    response[Number(status)] = schema === null ? { type: 'null', description: 'no content' } : jsonSchema(schema, 'output');
  }
  for (const status of parts.errors ?? COMMON_ERRORS) response[status] ??= { ...ERROR_BODY, description: 'error' };
  return {
    summary: parts.summary,
    tags: parts.tags,
    ...(parts.body === undefined ? {} : { body: jsonSchema(parts.body) }),
    ...(parts.params === undefined ? {} : { params: jsonSchema(parts.params) }),
    ...(parts.querystring === undefined ? {} : { querystring: jsonSchema(parts.querystring) }),
    response,
    ...(parts.security === false ? { security: [] } : {}),
  } as FastifySchema;
}

function fieldOf(error: ErrorObject, dataVar: string): string {
  const path = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
  if (error.keyword === 'additionalProperties') {
    const extra = (error.params as { additionalProperty: string }).additionalProperty;
    return path === '' ? extra : `${path}.${extra}`;
  }
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    return path === '' ? missing : `${path}.${missing}`;
  }
  return path === '' ? dataVar : path;
}

/** One readable sentence naming the field: "unknown field "foo" in body", "field "name" in body must be string". */
export function describeValidationError(error: ErrorObject, dataVar: string): string {
  const field = fieldOf(error, dataVar);
  const where = dataVar === 'querystring' ? 'the query' : dataVar;
  switch (error.keyword) {
    case 'additionalProperties':
      return `unknown field "${field}" in ${where}`;
    case 'required':
      return `missing field "${field}" in ${where}`;
    case 'type':
      return field === dataVar ? `${where} must be ${(error.params as { type: string }).type}` : `field "${field}" in ${where} must be ${(error.params as { type: string }).type}`;
    case 'pattern':
    case 'format': {
      // A regex in an error message helps nobody: name the format when the schema has one.
      const format = (error.parentSchema as { format?: string } | undefined)?.format ?? (error.keyword === 'format' ? (error.params as { format: string }).format : undefined);
      const expected = format === undefined ? 'is not in the expected format' : `must be a ${format === 'uuid' ? 'UUID' : format}`;
      return field === dataVar ? `${where} ${expected}` : `field "${field}" in ${where} ${expected}`;
    }
    default:
      return field === dataVar ? `${where} ${error.message ?? 'is invalid'}` : `field "${field}" in ${where} ${error.message ?? 'is invalid'}`;
  }
}

/**
 * Two ajv instances: bodies are checked exactly (no type coercion: "5" is not 5), while params and query strings,
 * which are text on the wire, are coerced. Neither removes unknown properties: they are an error, never dropped.
 */
export function installSchemaCompilers(app: FastifyInstance): void {
  const strict = addFormats.default(new Ajv({ allErrors: false, coerceTypes: false, useDefaults: false, removeAdditional: false, strict: false, verbose: true }));
  const coercing = addFormats.default(new Ajv({ allErrors: false, coerceTypes: true, useDefaults: false, removeAdditional: false, strict: false, verbose: true }));
  const compiler: FastifySchemaCompiler<JsonSchema> = ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' || httpPart === 'headers' ? strict : coercing;
    return ajv.compile(schema) as ReturnType<FastifySchemaCompiler<JsonSchema>>;
  };
  app.setValidatorCompiler(compiler);
  app.setSchemaErrorFormatter((errors, dataVar) => {
    const first = errors[0] as unknown as ErrorObject | undefined;
    return new AppError('VALIDATION_FAILED', first === undefined ? `invalid ${dataVar}` : describeValidationError(first, dataVar));
  });
}
