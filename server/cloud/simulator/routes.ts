/**
 * The simulated fleet's real protocols over HTTP, private to the fleet's own callers (see
 * `requireFleetAccess`: the customer's runtime token, a platform agent token, an admin):
 * vLLM /metrics per deployment group, DCGM-exporter /metrics per instance, kube-state-metrics per
 * customer cluster, OpenAI-compatible chat
 * per group and through the weighted router. Canonical paths are customer-scoped (ids are the
 * customer's own, unique per customer); the short `/sim/deployments/…` and `/sim/instances/…`
 * forms resolve when the id is unique across customers. Plus the admin fault-injection API.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from '@sinclair/typebox'
import { Uuid, errorResponses } from '../../../api/common.ts'
import { ResourceId } from '../../../api/simulator.ts'
import type { Deps } from '../../deps.ts'
import { errors } from '../../errors.ts'
import { requireFleetAccess } from '../../http/auth.ts'
import { renderPrometheusText } from '../../telemetry/exposition.ts'
import type { GroupRole } from '../provider.ts'
import { faultRoutes } from './fault-routes.ts'
import { openAiRoutes } from './openai-routes.ts'
import type { ScrapeResult } from './scrape.ts'
import { findDeploymentsById, findInstancesById } from './store.ts'

/** Content type of Prometheus text format 0.0.4, as prometheus_client serves it. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

const Group = Type.Union([Type.Literal('stable'), Type.Literal('canary')])
const ScopedGroup = Type.Object({ customerId: Uuid, deploymentId: ResourceId, group: Group })
const ScopedInstance = Type.Object({ customerId: Uuid, instanceId: ResourceId })
const ShortGroup = Type.Object({ deploymentId: ResourceId, group: Group })
const ShortInstance = Type.Object({ instanceId: ResourceId })
// The fleet is scraped every few simulated seconds by every runtime: not user traffic to throttle.
const open = { rateLimit: false } as const

// vLLM serves through prometheus_client (`14.0`); the DCGM exporter is Go (`14`).
function sendScrape(reply: FastifyReply, r: ScrapeResult, numberStyle: 'python' | 'go'): FastifyReply {
  if (r.status !== 200) throw r.status === 404 ? new errors.OPT_NOT_FOUND(r.message) : new errors.OPT_UNAVAILABLE(r.message)
  return reply.type(PROMETHEUS_CONTENT_TYPE).send(renderPrometheusText(r.families, { numberStyle }))
}

/** Simulator protocol endpoints (the fleet's credentials only) and admin fault injection. */
export const simulatorRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const sim = deps.twin
  // a platform on a real cloud has no simulator to expose
  if (!sim) return
  // customer-scoped paths are checked before the handler; short paths once their owner is known
  app.addHook('preHandler', async (req) => {
    const customerId = (req.params as { customerId?: string } | undefined)?.customerId
    if (customerId) requireFleetAccess(req, customerId)
    else if (!req.principal) throw new errors.OPT_AUTH_REQUIRED()
  })
  const owner = async (req: FastifyRequest, kind: 'deployment' | 'instance', id: string): Promise<string> => {
    const rows = kind === 'deployment' ? await findDeploymentsById(deps.db, id) : await findInstancesById(deps.db, id)
    if (rows.length === 0) throw new errors.OPT_NOT_FOUND(`${kind} ${id}`)
    if (rows.length > 1) throw new errors.OPT_CONFLICT(`${kind} id ${id} exists for several customers: use /sim/customers/{customer_id}/…`)
    requireFleetAccess(req, rows[0]!.customer_id)
    return rows[0]!.customer_id
  }
  const tags = ['simulator']
  const metricsSchema = { tags, produces: ['text/plain'], response: { ...errorResponses } }

  app.get('/sim/customers/:customerId/deployments/:deploymentId/:group/metrics', { config: open, schema: { ...metricsSchema, params: ScopedGroup } },
    async (req, reply) => sendScrape(reply, await sim.scrapeVllm(req.params.customerId, req.params.deploymentId, req.params.group as GroupRole), 'python'))
  app.get('/sim/deployments/:deploymentId/:group/metrics', { config: open, schema: { ...metricsSchema, params: ShortGroup } },
    async (req, reply) => sendScrape(reply, await sim.scrapeVllm(await owner(req, 'deployment', req.params.deploymentId), req.params.deploymentId, req.params.group as GroupRole), 'python'))
  app.get('/sim/customers/:customerId/instances/:instanceId/metrics', { config: open, schema: { ...metricsSchema, params: ScopedInstance } },
    async (req, reply) => sendScrape(reply, await sim.scrapeDcgm(req.params.customerId, req.params.instanceId), 'go'))
  app.get('/sim/instances/:instanceId/metrics', { config: open, schema: { ...metricsSchema, params: ShortInstance } },
    async (req, reply) => sendScrape(reply, await sim.scrapeDcgm(await owner(req, 'instance', req.params.instanceId), req.params.instanceId), 'go'))

  app.get('/sim/customers/:customerId/kube-state-metrics/metrics', { config: open, schema: { ...metricsSchema, params: Type.Object({ customerId: Uuid }) } },
    async (req, reply) => sendScrape(reply, await sim.scrapeClusterState(req.params.customerId), 'go'))

  await app.register(openAiRoutes, { deps, sim, owner: (req, id) => owner(req, 'deployment', id) })
  await app.register(faultRoutes, { deps, sim })
}
