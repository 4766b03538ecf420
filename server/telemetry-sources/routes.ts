/**
 * Telemetry sources: a customer connects the Prometheus that already scrapes its vLLM and DCGM
 * exporters; OptiInfra polls it (`poll.ts`) instead of scraping the fleet itself.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { IdParams, errorResponses } from '../../api/common.ts'
import { CreateTelemetrySourceBody, TelemetrySourceParams, TelemetrySourceView } from '../../api/telemetry-sources.ts'
import { deleteAudited, recordAudit } from '../audit/store.ts'
import type { Deps } from '../deps.ts'
import { errors } from '../errors.ts'
import { actorOf, requireCustomerAccess } from '../http/auth.ts'
import { outboundUrlProblem } from '../http/outbound-url.ts'
import { pollSource } from './poll.ts'
import { deleteSource, insertSource, listSources, type SourceRow } from './store.ts'
import { inventoryDrift } from './cluster.ts'
import { inventoryFromCluster } from './inventory.ts'
import { bundledCatalog } from '../cloud/catalog/catalog.ts'
import { engineConfigView } from '../onboarding/onboarding.ts'

/** What the provider runs: its running instances (what the cluster's nodes are compared with) and its deployments. */
export interface ProviderView { running: { id: string; deploymentId: string | null }[]; deployments: Set<string> }

async function providerView(deps: Pick<Deps, 'cloud'>, customerId: string): Promise<ProviderView> {
  const fleet = await deps.cloud.listResources(customerId)
  return { running: fleet.instances.filter((i) => i.state === 'running'), deployments: new Set(fleet.deployments.map((d) => d.id)) }
}

/** The deployments only this source shows, and whether the agents can size them (prices do not matter to that). */
function advisoryOf(s: SourceRow, provider: ProviderView, at: Date) {
  const inv = inventoryFromCluster({ customerId: s.customer_id, fleet: s.fleet, catalog: bundledCatalog(), prices: [], slos: new Map(), now: at }, provider.deployments)
  return [
    ...inv.deployments.map((d) => ({ deployment_id: d.id, judged: true, reason: null, engine: { ...engineConfigView(d.stable.config), reported: inv.reported.get(d.id) ?? [] } })),
    ...inv.unresolved.map((u) => ({ deployment_id: u.deployment_id, judged: false, reason: u.reason, engine: null })),
  ].sort((a, b) => a.deployment_id.localeCompare(b.deployment_id))
}

/** The API's view: header names only, health from the last poll, the cluster compared with what the provider runs. */
export function sourceView(s: SourceRow, provider: ProviderView, at: Date) {
  const status = s.last_poll_at === null ? 'pending' as const : s.last_error === null ? 'ok' as const : 'failing' as const
  const inventory = s.cluster_state ? inventoryDrift(s.fleet, provider.running) : null
  return {
    id: s.id, customer_id: s.customer_id, kind: s.kind, url: s.url, header_names: Object.keys(s.headers).sort(), deployment_label: s.deployment_label, group_label: s.group_label, created_at: s.created_at,
    health: { status, last_poll_at: s.last_poll_at, last_success_at: s.last_success_at, series_found: s.series_found, deployments: s.deployments, fleet: s.fleet, cluster_state: s.cluster_state, inventory, advisory: advisoryOf(s, provider, at), polls: s.polls, failures: s.failures, last_error: s.last_error },
  }
}

export const telemetrySourceRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const { db, clock } = deps
  const tags = ['telemetry']

  app.post('/customers/:id/telemetry-sources', { schema: { tags, summary: 'Connect a Prometheus as the customer\'s telemetry source', params: IdParams, body: CreateTelemetrySourceBody, response: { 201: TelemetrySourceView, ...errorResponses } } }, async (req, reply) => {
    const user = requireCustomerAccess(req, req.params.id)
    const problem = outboundUrlProblem(req.body.url, { allowPrivate: deps.config.telemetryAllowPrivate, httpsOnly: false })
    if (problem) throw new errors.OPT_TELEMETRY_SOURCE_INVALID(problem)
    const created = await db.tx(async (tx) => {
      const s = await insertSource(tx, { customerId: req.params.id, url: req.body.url, headers: req.body.headers ?? {}, deploymentLabel: req.body.deployment_label ?? 'deployment_id', groupLabel: req.body.group_label ?? 'group' }, clock.now())
      if (!s) throw new errors.OPT_CONFLICT('This Prometheus is already a source of this customer')
      await recordAudit(tx, clock, { customerId: req.params.id, actor: actorOf(user), action: 'telemetry_source:created', subjectType: 'telemetry_source', subjectId: s.id, detail: { kind: s.kind, url: s.url } })
      return s
    })
    // a first poll at once, so the answer already says whether the source is reachable and what it holds
    await pollSource(deps, created)
    const [fresh] = (await listSources(db, req.params.id)).filter((s) => s.id === created.id)
    return reply.status(201).send(sourceView(fresh ?? created, await providerView(deps, req.params.id), clock.now()))
  })

  app.get('/customers/:id/telemetry-sources', { schema: { tags, summary: 'Telemetry sources with their health', params: IdParams, response: { 200: Type.Array(TelemetrySourceView), ...errorResponses } } }, async (req) => {
    requireCustomerAccess(req, req.params.id)
    const [sources, provider] = await Promise.all([listSources(db, req.params.id), providerView(deps, req.params.id)])
    return sources.map((s) => sourceView(s, provider, clock.now()))
  })

  app.delete('/customers/:id/telemetry-sources/:sourceId', { schema: { tags, summary: 'Disconnect a telemetry source', params: TelemetrySourceParams, response: { 204: Type.Null(), ...errorResponses } } }, async (req, reply) => {
    const user = requireCustomerAccess(req, req.params.id)
    const gone = await deleteAudited(db, clock, { customerId: req.params.id, actor: actorOf(user), action: 'telemetry_source:deleted', subjectType: 'telemetry_source', subjectId: req.params.sourceId },
      (tx) => deleteSource(tx, req.params.id, req.params.sourceId))
    if (!gone) throw new errors.OPT_NOT_FOUND('Telemetry source')
    return reply.status(204).send(null)
  })
}
