import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import helmet from '@fastify/helmet'
import cors from '@fastify/cors'
import rateLimit from '@fastify/rate-limit'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import websocket from '@fastify/websocket'
import { randomUUID } from 'node:crypto'
import { Histogram } from 'prom-client'
import type { Deps } from './deps.ts'
import { authPlugin } from './http/auth.ts'
import { callerKey } from './http/limits.ts'
import { frameworkErrorReply, installErrorHandling } from './http/errors.ts'
import { installTextRule } from './http/text.ts'
import { installValidation } from './http/validation.ts'
import { installRequestLog } from './logging/request-log.ts'
import { installOpenApiDefaults } from './http/openapi.ts'
import { healthRoutes, type ComponentCheck } from './http/health.ts'
import { wsRoutes } from './http/ws.ts'
import { portalRoutes } from './http/portal.ts'
import { authRoutes } from './auth/routes.ts'
import { customerRoutes } from './customers/routes.ts'
import { auditRoutes } from './audit/routes.ts'
import { simulatorRoutes } from './cloud/index.ts'
import { telemetryRoutes } from './telemetry/routes.ts'
import { executionRoutes } from './optimizations/plugin.ts'
import { orchestratorRoutes } from './orchestrator/routes.ts'
import { recommendationRoutes } from './recommendations/routes.ts'
import { onboardingRoutes } from './onboarding/routes.ts'
import { reportRoutes } from './reports/routes.ts'
import { actuatorRoutes } from './actuators/routes.ts'
import { notificationRoutes } from './notifications/routes.ts'
import { billingRoutes } from './billing/routes.ts'
import { telemetrySourceRoutes } from './telemetry-sources/routes.ts'
import { sloRoutes } from './slo/routes.ts'
import { gateRoutes } from './gates/routes.ts'
import { reconcilerRoutes } from './reconciler/routes.ts'
import { openIncidents } from './reconciler/store.ts'

/** Options beyond Deps: readiness checks of background components and extra route plugins. */
export interface AppOptions { components?: () => ComponentCheck[] }

// Concept route plugins, each encapsulated (no fp), registered in this order after infrastructure.
const conceptRoutes = [authRoutes, customerRoutes, auditRoutes, telemetryRoutes, simulatorRoutes, executionRoutes, orchestratorRoutes, recommendationRoutes, onboardingRoutes, reportRoutes, actuatorRoutes, notificationRoutes, billingRoutes, telemetrySourceRoutes, sloRoutes, gateRoutes, reconcilerRoutes]

/** Builds the Fastify app without listening (tests use `inject()` or listen on port 0). */
export async function buildApp(deps: Deps, opts: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as unknown as FastifyBaseLogger,
    bodyLimit: deps.config.bodyLimitBytes,
    genReqId: (req) => validRequestId(req.headers['x-request-id']) ?? randomUUID(),
    frameworkErrors: frameworkErrorReply,
    // one line per request, at a level that depends on who asked (installRequestLog)
    logController: new LogController({ disableRequestLogging: true }),
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as FastifyInstance
  await registerInfrastructure(app, deps)
  for (const routes of conceptRoutes) await app.register(routes, { deps })
  await app.register(wsRoutes, { hub: deps.live })
  await app.register(healthRoutes, { deps, components: opts.components ?? (() => []), incidents: async () => (await openIncidents(deps.db, null)).filter((i) => i.kind === 'down') })
  await app.register(portalRoutes)
  return app
}

// A client-sent request id is kept only when it is short and plain, so logs cannot be forged.
function validRequestId(raw: string | string[] | undefined): string | undefined {
  return typeof raw === 'string' && /^[A-Za-z0-9._-]{8,64}$/.test(raw) ? raw : undefined
}

async function registerInfrastructure(app: FastifyInstance, deps: Deps): Promise<void> {
  installErrorHandling(app)
  installRequestLog(app)
  installOpenApiDefaults(app)
  installValidation(app)
  installTextRule(app)
  // JSON only: a text/plain body is refused with 415 instead of reaching handlers as a string
  app.removeContentTypeParser('text/plain')
  app.addHook('onSend', async (req, reply) => { reply.header('x-request-id', req.id) })
  instrument(app, deps)
  await app.register(helmet, securityHeaders(deps.config.https))
  await app.register(cors, { origin: deps.config.corsOrigins.length ? deps.config.corsOrigins : false, credentials: false })
  await app.register(rateLimit, {
    global: true,
    max: deps.config.rateLimitPerMinute,
    timeWindow: '1 minute',
    // runs as a route hook, after the auth hook has verified who is calling
    keyGenerator: callerKey,
    errorResponseBuilder: (_req, ctx) => ({ statusCode: 429, code: 'OPT_RATE_LIMITED', message: `Rate limit exceeded, retry in ${ctx.after}`, headers: { 'retry-after': String(Math.ceil(ctx.ttl / 1000)) } }),
  })
  await app.register(swagger, { openapi: { info: { title: 'OptiInfra API', version: '0.1.0' }, components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } }, security: [{ bearer: [] }] } })
  await app.register(swaggerUi, { routePrefix: '/docs' })
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } })
  await app.register(authPlugin, { tokens: deps.tokens, db: deps.db, invalidTokensPerMinute: deps.config.authRateLimitPerMinute })
}

/**
 * Helmet's defaults minus what breaks plain HTTP: `upgrade-insecure-requests` sends the portal's
 * scripts to https:// (a blank page on http://host:8080 from another machine), and HSTS pins a
 * browser to a TLS port that may not exist. Both come back when the operator says TLS is there.
 */
function securityHeaders(https: boolean) {
  return {
    contentSecurityPolicy: {
      directives: {
        'script-src': ["'self'"], 'connect-src': ["'self'", 'ws:', 'wss:'], 'img-src': ["'self'", 'data:'],
        'upgrade-insecure-requests': https ? [] : null,
      },
    },
    hsts: https,
  }
}

function instrument(app: FastifyInstance, deps: Deps): void {
  const histogram = new Histogram({
    name: 'optiinfra_http_request_duration_seconds', help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'], registers: [deps.metrics],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  })
  app.addHook('onResponse', async (req, reply) => {
    histogram.observe({ method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) }, reply.elapsedTime / 1000)
  })
}
