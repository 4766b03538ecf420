/**
 * The simulated fleet's real protocols over HTTP, public like a vLLM server on a private network:
 * vLLM /metrics per deployment group, DCGM-exporter /metrics per instance, OpenAI-compatible chat
 * per group and through the weighted router. Canonical paths are customer-scoped (ids are the
 * customer's own, unique per customer); the short `/sim/deployments/…` and `/sim/instances/…`
 * forms resolve when the id is unique across customers. Plus the admin fault-injection API.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { Type } from '@sinclair/typebox'
import { Uuid, errorResponses } from '../../../api/common.ts'
import { ChatBody, ResourceId } from '../../../api/simulator.ts'
import type { Deps } from '../../deps.ts'
import { errors } from '../../errors.ts'
import { renderPrometheusText } from '../../telemetry/exposition.ts'
import type { GroupRole } from '../provider.ts'
import type { ChatResult } from './chat.ts'
import { faultRoutes } from './fault-routes.ts'
import type { ScrapeResult } from './scrape.ts'
import { findDeploymentsById, findInstancesById } from './store.ts'

/** Content type of Prometheus text format 0.0.4, as prometheus_client serves it. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

const Group = Type.Union([Type.Literal('stable'), Type.Literal('canary')])
const ScopedGroup = Type.Object({ customerId: Uuid, deploymentId: ResourceId, group: Group })
const ScopedDeployment = Type.Object({ customerId: Uuid, deploymentId: ResourceId })
const ScopedInstance = Type.Object({ customerId: Uuid, instanceId: ResourceId })
const ShortGroup = Type.Object({ deploymentId: ResourceId, group: Group })
const ShortDeployment = Type.Object({ deploymentId: ResourceId })
const ShortInstance = Type.Object({ instanceId: ResourceId })
// The fleet is scraped every few simulated seconds by every runtime: not user traffic to throttle.
const open = { rateLimit: false } as const

// vLLM serves through prometheus_client (`14.0`); the DCGM exporter is Go (`14`).
function sendScrape(reply: FastifyReply, r: ScrapeResult, numberStyle: 'python' | 'go'): FastifyReply {
  if (r.status !== 200) throw r.status === 404 ? new errors.OPT_NOT_FOUND(r.message) : new errors.OPT_UNAVAILABLE(r.message)
  return reply.type(PROMETHEUS_CONTENT_TYPE).send(renderPrometheusText(r.families, { numberStyle }))
}

function sendChat(reply: FastifyReply, r: ChatResult): FastifyReply {
  if (r.status !== 200) throw r.status === 404 ? new errors.OPT_NOT_FOUND(r.message) : new errors.OPT_UNAVAILABLE(r.message)
  return reply.header('x-sim-group', r.group).send(r.body)
}

/** Simulator protocol endpoints (public) and admin fault injection. */
export const simulatorRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const sim = deps.cloud
  const owner = async (kind: 'deployment' | 'instance', id: string): Promise<string> => {
    const rows = kind === 'deployment' ? await findDeploymentsById(deps.db, id) : await findInstancesById(deps.db, id)
    if (rows.length === 0) throw new errors.OPT_NOT_FOUND(`${kind} ${id}`)
    if (rows.length > 1) throw new errors.OPT_CONFLICT(`${kind} id ${id} exists for several customers: use /sim/customers/{customer_id}/…`)
    return rows[0]!.customer_id
  }
  const tags = ['simulator']
  const metricsSchema = { tags, produces: ['text/plain'], response: { ...errorResponses } }

  app.get('/sim/customers/:customerId/deployments/:deploymentId/:group/metrics', { config: open, schema: { ...metricsSchema, params: ScopedGroup } },
    async (req, reply) => sendScrape(reply, await sim.scrapeVllm(req.params.customerId, req.params.deploymentId, req.params.group as GroupRole), 'python'))
  app.get('/sim/deployments/:deploymentId/:group/metrics', { config: open, schema: { ...metricsSchema, params: ShortGroup } },
    async (req, reply) => sendScrape(reply, await sim.scrapeVllm(await owner('deployment', req.params.deploymentId), req.params.deploymentId, req.params.group as GroupRole), 'python'))
  app.get('/sim/customers/:customerId/instances/:instanceId/metrics', { config: open, schema: { ...metricsSchema, params: ScopedInstance } },
    async (req, reply) => sendScrape(reply, await sim.scrapeDcgm(req.params.customerId, req.params.instanceId), 'go'))
  app.get('/sim/instances/:instanceId/metrics', { config: open, schema: { ...metricsSchema, params: ShortInstance } },
    async (req, reply) => sendScrape(reply, await sim.scrapeDcgm(await owner('instance', req.params.instanceId), req.params.instanceId), 'go'))

  const chatSchema = { tags, body: ChatBody, response: { ...errorResponses } }
  app.post('/sim/customers/:customerId/deployments/:deploymentId/:group/v1/chat/completions', { config: open, schema: { ...chatSchema, params: ScopedGroup } },
    async (req, reply) => sendChat(reply, await sim.chat(req.params.customerId, req.params.deploymentId, req.params.group as GroupRole, req.body)))
  app.post('/sim/customers/:customerId/deployments/:deploymentId/v1/chat/completions', { config: open, schema: { ...chatSchema, params: ScopedDeployment } },
    async (req, reply) => sendChat(reply, await sim.chat(req.params.customerId, req.params.deploymentId, null, req.body)))
  app.post('/sim/deployments/:deploymentId/:group/v1/chat/completions', { config: open, schema: { ...chatSchema, params: ShortGroup } },
    async (req, reply) => sendChat(reply, await sim.chat(await owner('deployment', req.params.deploymentId), req.params.deploymentId, req.params.group as GroupRole, req.body)))
  app.post('/sim/deployments/:deploymentId/v1/chat/completions', { config: open, schema: { ...chatSchema, params: ShortDeployment } },
    async (req, reply) => sendChat(reply, await sim.chat(await owner('deployment', req.params.deploymentId), req.params.deploymentId, null, req.body)))

  app.get('/sim/customers/:customerId/deployments/:deploymentId/:group/v1/models', { config: open, schema: { tags, params: ScopedGroup } }, async (req) => {
    const fleet = await sim.listResources(req.params.customerId)
    const d = fleet.deployments.find((x) => x.id === req.params.deploymentId)
    if (!d) throw new errors.OPT_NOT_FOUND(`deployment ${req.params.deploymentId}`)
    return { object: 'list', data: [{ id: d.model.name, object: 'model', created: Math.floor(deps.clock.now().getTime() / 1000), owned_by: 'vllm', root: d.model.name, max_model_len: d.model.contextLen }] }
  })

  await app.register(faultRoutes, { deps })
}
