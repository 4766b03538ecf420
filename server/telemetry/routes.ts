import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyBaseLogger, FastifyRequest } from 'fastify'
import { Type } from '@sinclair/typebox'
import { IdParams, errorResponses } from '../../api/common.ts'
import { BatchList, IngestBody, IngestReply, MetricPoints, MetricsQuery, TargetsReply, type MetricPoint, type ScrapeTarget } from '../../api/metrics.ts'
import { errors } from '../errors.ts'
import { requireCustomerAccess, type Principal } from '../http/auth.ts'
import type { FleetDeployment } from '../cloud/provider.ts'
import type { Deps } from '../deps.ts'
import { ingestBatch, type IngestResult } from './ingest.ts'
import { createAdmission } from './admission.ts'
import { remoteWriteRoutes } from '../remote-write/routes.ts'
import { parseMetricsQuery, type MetricsWindow } from './metrics.ts'
import { deploymentSeries, qualitySeries, type SeriesPoint } from './metrics-store.ts'
import { batchTotals, listBatches } from './store.ts'
import { spendSeries } from '../spend/current.ts'

/** Largest ingestion body: 20k records of ~200 bytes with headroom; other routes keep the global limit. */
export const INGEST_BODY_LIMIT = 8 * 1_048_576

/** The calling customer's agent runtime; user and platform-agent tokens cannot push telemetry. */
export function requireRuntime(request: FastifyRequest): Extract<Principal, { kind: 'runtime' }> {
  const p = request.principal
  if (!p) throw new errors.OPT_AUTH_REQUIRED()
  if (p.kind !== 'runtime') throw new errors.OPT_AUTH_FORBIDDEN()
  return p
}

/** Tells live clients a batch landed (its accounting); a lost live event never fails the ingest. */
export function publishBatch(deps: Deps, customerId: string, result: IngestResult, log: FastifyBaseLogger): void {
  const { batch_id: id, quarantine_reasons: _reasons, ...counts } = result
  deps.live.publish({ type: 'telemetry:batch:ingested', customerId, id, data: counts, at: deps.clock.now().toISOString() })
    .catch((err: unknown) => log.warn({ err }, 'live event not published'))
}

/** Scrape targets of a customer's fleet: one vLLM endpoint per serving group, one DCGM endpoint per instance. */
export function targetsOf(deployments: FleetDeployment[]): ScrapeTarget[] {
  const out: ScrapeTarget[] = []
  for (const d of deployments) {
    out.push({ kind: 'vllm', url: d.endpoints.vllmMetrics.stable, deployment_id: d.id, group: 'stable' })
    if (d.canary && d.endpoints.vllmMetrics.canary) out.push({ kind: 'vllm', url: d.endpoints.vllmMetrics.canary, deployment_id: d.id, group: 'canary' })
    const canaryIds = new Set(d.canary?.instanceIds ?? [])
    for (const e of d.endpoints.dcgmMetrics) {
      out.push({ kind: 'dcgm', url: e.url, deployment_id: d.id, group: canaryIds.has(e.instanceId) ? 'canary' : 'stable', instance_id: e.instanceId })
    }
  }
  return out
}

/** Telemetry ingestion (runtime tokens), scrape-target discovery, and the customer metrics API. */
export const telemetryRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const { db, clock } = deps
  // one bound for every ingestion door of this process (JSON pushes and remote-write)
  const admission = createAdmission(deps.config.ingestMaxInFlight)
  await app.register(remoteWriteRoutes, { deps, admission })

  app.post('/telemetry/ingest', {
    // each record is judged alone: a record with bad text is quarantined, the rest stored
    config: { textRule: 'items' },
    bodyLimit: Math.max(INGEST_BODY_LIMIT, deps.config.bodyLimitBytes),
    schema: { tags: ['telemetry'], body: IngestBody, response: { 200: IngestReply, ...errorResponses } },
  }, async (req) => {
    const runtime = requireRuntime(req)
    const result = await admission.run(() => ingestBatch(db, runtime.customerId, req.body.records, { clock, source: 'runtime' }))
    publishBatch(deps, runtime.customerId, result, req.log)
    return result
  })

  app.get('/agent-runtime/targets', { schema: { tags: ['telemetry'], response: { 200: TargetsReply, ...errorResponses } } }, async (req) => {
    const runtime = requireRuntime(req)
    const fleet = await deps.cloud.listResources(runtime.customerId)
    return {
      customer_id: runtime.customerId,
      server_time: clock.now().toISOString(),
      time_scale: Number.isFinite(clock.scale) ? clock.scale : 0,
      scrape_interval_seconds: deps.config.scrapeIntervalSeconds,
      targets: targetsOf(fleet.deployments),
    }
  })

  app.get('/customers/:id/metrics', {
    schema: { tags: ['telemetry'], params: IdParams, querystring: MetricsQuery, response: { 200: MetricPoints, ...errorResponses } },
  }, async (req) => {
    requireCustomerAccess(req, req.params.id)
    const parsed = parseMetricsQuery(req.query, clock.now())
    if (!parsed.ok) throw new errors.OPT_VALIDATION_FAILED(parsed.message)
    if (req.query.group && parsed.value.source.kind !== 'deployment') throw new errors.OPT_VALIDATION_FAILED(`${req.query.metric_type} has no serving groups; group applies to deployment signals`)
    return readSeries(deps, req.params.id, parsed.value, req.query.deployment_id, req.query.group)
  })

  app.get('/customers/:id/telemetry/batches', {
    schema: { tags: ['telemetry'], params: IdParams, querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }), response: { 200: BatchList, ...errorResponses } },
  }, async (req) => {
    requireCustomerAccess(req, req.params.id)
    const [totals, batches] = await Promise.all([batchTotals(db, req.params.id), listBatches(db, req.params.id, req.query.limit ?? 50)])
    return { totals, batches }
  })
}

async function readSeries(deps: Deps, customerId: string, w: MetricsWindow, deploymentId: string | undefined, group: 'stable' | 'canary' | undefined): Promise<MetricPoint[]> {
  const filter = { customerId, from: w.from, to: w.to, stepMs: w.stepMs, deploymentId, group }
  let points: SeriesPoint[]
  if (w.source.kind === 'deployment') points = await deploymentSeries(deps.db, w.source.type, w.source.aggregate, filter)
  else if (w.source.kind === 'quality') points = await qualitySeries(deps.db, filter)
  else points = await runRatePoints(deps, customerId, w, w.source.field)
  return points.map((p) => ({ timestamp: p.at.toISOString(), value: p.value, ...(p.score === undefined ? {} : { score: p.score, n: p.n }) }))
}

// Spend sampled at each step: what the fleet costs at that instant (monthly = hourly × 730), as the dashboard defines it.
async function runRatePoints(deps: Deps, customerId: string, w: MetricsWindow, field: 'hourlyUsd' | 'monthlyUsd'): Promise<SeriesPoint[]> {
  const series = await spendSeries(deps, customerId, w.from, w.to, w.stepMs)
  return series.map((p) => ({ at: p.at, value: p[field] }))
}
