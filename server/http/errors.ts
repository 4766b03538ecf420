import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { INTERNAL_ERROR_CODE } from '../errors.ts'
import { requestLogLevel } from '../logging/request-log.ts'

/** The body of every error answer. */
export interface ErrorBody { code: string; message: string; requestId: string }

// Fastify's own 4xx codes mapped onto the catalog, so users see one vocabulary.
const FASTIFY_CODES: Record<string, { code: string; status: number }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'OPT_BODY_TOO_LARGE', status: 413 },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'OPT_UNSUPPORTED_MEDIA', status: 415 },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'OPT_BAD_REQUEST', status: 400 },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'OPT_BAD_REQUEST', status: 400 },
  FST_ERR_VALIDATION: { code: 'OPT_VALIDATION_FAILED', status: 400 },
  // router errors, answered through `frameworkErrors` before any route or hook runs
  FST_ERR_BAD_URL: { code: 'OPT_BAD_REQUEST', status: 400 },
  FST_ERR_MAX_PARAM_LENGTH: { code: 'OPT_URI_TOO_LONG', status: 414 },
}

/** Fastify's `frameworkErrors` option: router errors in the same `{code, message, requestId}` shape. */
export function frameworkErrorReply(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = toErrorBody(err, request.id)
  void reply.status(status).header('x-request-id', request.id).send(body)
}

/** Maps any thrown error to `{code, message, requestId}`; unknown errors become a bare 500. */
export function toErrorBody(err: FastifyError, requestId: string): { status: number; body: ErrorBody } {
  if (err.validation) return { status: 400, body: { code: 'OPT_VALIDATION_FAILED', message: err.message, requestId } }
  const mapped = err.code ? FASTIFY_CODES[err.code] : undefined
  if (mapped) return { status: mapped.status, body: { code: mapped.code, message: err.message, requestId } }
  const status = err.statusCode ?? 500
  if (status === 429) return { status, body: { code: err.code?.startsWith('OPT_') ? err.code : 'OPT_RATE_LIMITED', message: err.message, requestId } }
  if (err.code?.startsWith('OPT_') && status < 500) return { status, body: { code: err.code, message: err.message, requestId } }
  if (status >= 400 && status < 500) return { status, body: { code: 'OPT_BAD_REQUEST', message: err.message, requestId } }
  if (err.code?.startsWith('OPT_') && status === 503) return { status, body: { code: err.code, message: err.message, requestId } }
  return { status: 500, body: { code: INTERNAL_ERROR_CODE, message: 'Internal error', requestId } }
}

/** Installs the error and not-found handlers; 500s are logged with the request id, never exposed. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = toErrorBody(err, request.id)
    // a catalog error (an OPT_ code, e.g. the simulated fleet's injected 503s) is an expected answer,
    // not a bug: no stack, at the request's own level; only unknown errors are internal errors
    if (status >= 500 && body.code === INTERNAL_ERROR_CODE) request.log.error({ err, requestId: request.id }, 'internal error')
    else request.log[requestLogLevel(request)]({ code: body.code, status, reason: err.message }, status >= 500 ? 'request failed' : 'request rejected')
    const headers = (err as { headers?: Record<string, string> }).headers
    if (status === 429 && headers) reply.headers(headers)
    void reply.status(status).send(body)
  })
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ code: 'OPT_ROUTE_NOT_FOUND', message: `Route ${request.method} ${request.url.split('?')[0]} not found`, requestId: request.id })
  })
}
