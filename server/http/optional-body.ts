import type { FastifyRequest } from 'fastify'

/**
 * For a route whose every body field is optional: a request with no body at all (a bare
 * `curl -X POST`) validates as `{}` instead of failing "body must be object".
 */
export async function emptyBodyAsObject(req: FastifyRequest): Promise<void> {
  if (req.body === undefined || req.body === null) req.body = {}
}
