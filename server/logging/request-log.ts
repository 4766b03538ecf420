import type { FastifyInstance, FastifyRequest } from 'fastify'

/** Levels a request's log lines are written at. */
export type RequestLogLevel = 'debug' | 'info'

// Machine traffic: the simulated fleet's own endpoints and probes answer many calls a minute.
const MACHINE_PATHS = /^\/(sim\/|health\b|ready\b|metrics\b)/

/**
 * The platform's own traffic (the simulated fleet at /sim/*, the in-process agents and runtimes
 * calling with agent or runtime tokens, health probes) is logged at debug: at info it buried the
 * first-run banner under thousands of lines. People's requests stay at info.
 */
export function requestLogLevel(req: Pick<FastifyRequest, 'url' | 'principal'>): RequestLogLevel {
  if (MACHINE_PATHS.test(req.url)) return 'debug'
  const kind = req.principal?.kind
  return kind === 'agent' || kind === 'runtime' ? 'debug' : 'info'
}

/** One line per answered request (Fastify's own request logging is off: it knows one level only). */
export function installRequestLog(app: FastifyInstance): void {
  app.addHook('onResponse', async (req, reply) => {
    req.log[requestLogLevel(req)]({ method: req.method, url: req.url, statusCode: reply.statusCode, responseTime: Math.round(reply.elapsedTime) }, 'request completed')
  })
}
