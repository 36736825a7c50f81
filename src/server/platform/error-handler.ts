import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { errorMessage, type ErrorCode, type ErrorBody, type Locale } from '../../core/errors';
import { AppError } from './errors';

export function requestLocale(request: FastifyRequest): Locale {
  return /^en\b/i.test(request.headers['accept-language'] ?? '') ? 'en' : 'fr';
}

function body(request: FastifyRequest, code: ErrorCode, details?: Record<string, unknown>): ErrorBody {
  return { error: { code, message: errorMessage(code, requestLocale(request), details), ...(details ? { details } : {}) } };
}

const FASTIFY_CODES: Record<string, [number, ErrorCode]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'malformed_json'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'malformed_json'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'body_too_large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'malformed_json'],
  FST_CSRF_INVALID_TOKEN: [403, 'csrf_invalid'],
  FST_CSRF_MISSING_SECRET: [403, 'csrf_invalid'],
  FST_ERR_RATE_LIMITED: [429, 'rate_limited'],
};

/** Field path → French message, from zod issues as fastify-type-provider-zod reports them. */
function zodFields(validation: { instancePath: string; message: string; keyword: string; params: Record<string, unknown> }[]) {
  const fields: Record<string, string> = {};
  for (const issue of validation) {
    if (issue.keyword === 'unrecognized_keys') {
      for (const key of (issue.params.keys as string[] | undefined) ?? []) {
        const prefix = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
        fields[prefix ? `${prefix}.${key}` : key] = 'Champ inconnu.';
      }
      continue;
    }
    const path = issue.instancePath.replace(/^\//, '').replaceAll('/', '.') || '_';
    fields[path] ??= issue.message;
  }
  return fields;
}

/** One error shape everywhere: `{ error: { code, message, details } }`. Unexpected errors are logged, never shown. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) {
      return reply.status(error.status).send(body(request, error.code, error.details));
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      return reply.status(400).send(body(request, 'validation_failed', { fields: zodFields(error.validation as never) }));
    }
    const known = error.code ? FASTIFY_CODES[error.code] : undefined;
    if (known) return reply.status(known[0]).send(body(request, known[1]));
    if (error.statusCode === 413) return reply.status(413).send(body(request, 'body_too_large'));
    if (error.statusCode === 415) return reply.status(415).send(body(request, 'unsupported_media_type'));
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.status(400).send(body(request, 'validation_failed'));
    }
    request.log.error({ err: error }, 'unexpected error');
    return reply.status(500).send(body(request, 'internal'));
  });
  // No route: no route-level hooks either; an API 404 is not to be cached any more than its answers.
  app.setNotFoundHandler((request, reply) => reply.status(404).header('cache-control', 'no-store').send(body(request, 'not_found')));
}

/**
 * What the router refuses before any route is found — a path whose percent-encoding is not UTF-8
 * (`/api/d/%ED%A0%80`) or a path parameter over its length limit — answered like an unknown path
 * (no such resource), in the one error shape. Given to Fastify as its `frameworkErrors` option.
 */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (error.code === 'FST_ERR_BAD_URL' || error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    void reply.status(404).header('cache-control', 'no-store').send(body(request, 'not_found'));
    return;
  }
  request.log.error({ err: error }, 'unexpected error');
  void reply.status(500).header('cache-control', 'no-store').send(body(request, 'internal'));
}
