import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError, type ErrorBody, type FieldError } from '../errors.js';

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Turns ajv's errors into fields a person can find: `body.name`, `query.lng`. */
export function fieldsFromValidation(errors: AjvError[], context: string): FieldError[] {
  const out: FieldError[] = [];
  // A union of literals fails once per branch, each error naming one allowed value: gather them per field.
  const allowed = new Map<string, unknown[]>();
  for (const e of errors) {
    if (e.keyword !== 'enum' && e.keyword !== 'const') continue;
    const field = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
    allowed.set(field, [...new Set([...(allowed.get(field) ?? []), ...((e.params.allowedValues as unknown[]) ?? [e.params.allowedValue])])]);
  }
  for (const e of errors) {
    let field = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
    if (e.keyword === 'required') field = [field, String(e.params.missingProperty)].filter(Boolean).join('.');
    if (e.keyword === 'additionalProperties') field = [field, String(e.params.additionalProperty)].filter(Boolean).join('.');
    let reason = e.message ?? e.keyword;
    if (e.keyword === 'additionalProperties') reason = 'is not a known field';
    if (e.keyword === 'required') reason = 'is required';
    if (e.keyword === 'enum' || e.keyword === 'const') reason = `must be one of: ${allowed.get(field)!.join(', ')}`;
    if (!out.some((f) => f.field === field && f.reason === reason)) out.push({ field: field || context, reason });
  }
  // anyOf/union errors repeat for every branch: keep the first per field.
  const seen = new Set<string>();
  return out.filter((f) => (seen.has(f.field) ? false : (seen.add(f.field), true)));
}

/** One error handler: typed codes, validation errors with fields, no internals in 5xx. */
export const errorsPlugin = fp(async (app: FastifyInstance) => {
  app.setErrorHandler((err: FastifyError | AppError, req, reply) => {
    let body: ErrorBody;
    if (err instanceof AppError) {
      body = { statusCode: err.status, code: err.code, message: err.message, fields: err.fields, details: err.details };
    } else if ((err as FastifyError).validation) {
      const fe = err as FastifyError & { validation: AjvError[]; validationContext?: string };
      const fields = fieldsFromValidation(fe.validation, fe.validationContext ?? 'body');
      body = {
        statusCode: 400,
        code: 'VALIDATION_FAILED',
        message: fields.map((f) => `${f.field}: ${f.reason}`).join('; '),
        fields,
      };
    } else if (typeof (err as FastifyError).statusCode === 'number' && (err as FastifyError).statusCode! < 500) {
      const fe = err as FastifyError;
      const code =
        fe.statusCode === 413 ? 'PAYLOAD_TOO_LARGE' : fe.statusCode === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : fe.statusCode === 429 ? 'RATE_LIMITED' : 'BAD_REQUEST';
      body = { statusCode: fe.statusCode!, code, message: fe.message };
    } else {
      req.log.error({ err }, 'unhandled error');
      body = { statusCode: 500, code: 'INTERNAL', message: 'Internal error; it has been logged.' };
    }
    if (!body.fields) delete body.fields;
    if (!body.details) delete body.details;
    reply.status(body.statusCode).send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send({ statusCode: 404, code: 'NOT_FOUND', message: `No route ${req.method} ${req.url.split('?')[0]}` });
  });
});
