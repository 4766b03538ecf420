import type { FastifyInstance } from 'fastify'
import type { Deps } from '../deps.ts'
import { requireAgentOrAdmin } from './auth.ts'

/** Checks one component and times it. */
export interface ComponentCheck { name: string; check: () => Promise<string | void> }
export interface ComponentStatus { name: string; status: 'healthy' | 'unhealthy'; response_ms: number; detail?: string }

/** Runs the checks concurrently; a throw or a time-out marks that component unhealthy. */
export async function runChecks(checks: ComponentCheck[], timeoutMs = 3000): Promise<ComponentStatus[]> {
  return Promise.all(checks.map(async ({ name, check }) => {
    const started = performance.now()
    try {
      const detail = await Promise.race([check(), new Promise<never>((_, rej) => setTimeout(() => rej(new Error('timed out')), timeoutMs).unref())])
      return { name, status: 'healthy' as const, response_ms: Math.round(performance.now() - started), ...(detail ? { detail } : {}) }
    } catch (err) {
      return { name, status: 'unhealthy' as const, response_ms: Math.round(performance.now() - started), detail: (err as Error).message }
    }
  }))
}

/**
 * `/health`: 200 when the store answers (liveness that matters). `/ready`: 200 only when every
 * registered component is healthy, with a per-component table (what `optiinfra health-check` prints)
 * and the customer deployments that are down (open `down` incidents), which do not make the
 * platform unready but make `health-check` fail.
 */
/** A customer deployment that is down, as `/ready` lists it (the platform stays ready; `health-check` fails). */
export interface DownDeployment { customerId: string; deploymentId: string; reason: string; openedAt: Date }

export async function healthRoutes(app: FastifyInstance, { deps, components, incidents }: { deps: Deps; components: () => ComponentCheck[]; incidents?: () => Promise<DownDeployment[]> }) {
  const storeCheck: ComponentCheck = { name: 'store', check: async () => { await deps.db.query('SELECT 1'); return deps.db.kind } }
  app.get('/health', { schema: { tags: ['health'], summary: 'Liveness: the process and its store answer', security: [] } }, async (_req, reply) => {
    const [store] = await runChecks([storeCheck])
    return reply.status(store!.status === 'healthy' ? 200 : 503).send({ status: store!.status, store: deps.db.kind, time: deps.clock.now().toISOString() })
  })
  app.get('/ready', { schema: { tags: ['health'], summary: 'Readiness: store and components, with status per component', security: [] } }, async (_req, reply) => {
    const results = await runChecks([storeCheck, ...components()])
    const ready = results.every((r) => r.status === 'healthy')
    const down = incidents ? await incidents().catch(() => []) : []
    const deployments_down = down.map((i) => ({ customer_id: i.customerId, deployment_id: i.deploymentId, reason: i.reason, since: i.openedAt.toISOString() }))
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', components: results, deployments_down })
  })
  // the platform's own metrics name tenants' deployments and request paths: operators only (an
  // admin, or a long-lived agent token from POST /orchestrator/agent-tokens for a Prometheus job)
  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    requireAgentOrAdmin(req)
    return reply.type(deps.metrics.contentType).send(await deps.metrics.metrics())
  })
}
