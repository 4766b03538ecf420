/**
 * One poll of a Prometheus source: every signal query at Prometheus' "now", the records stamped
 * with the platform's clock and ingested through the one ingestion use case (source `prometheus`),
 * the deployments found listed from the series' labels, and the outcome kept as the source's health.
 */
import type { Deps } from '../deps.ts'
import { ingestBatch } from '../telemetry/ingest.ts'
import { prometheusApi, type PrometheusApi } from './prometheus-api.ts'
import { recordsOf, signalQueries, type QueryShape } from './promql.ts'
import { listSources, recordPoll, type PollOutcome, type SourceRow } from './store.ts'

/** Rate and quantile window: four scrapes at Prometheus' usual 15–30 s interval, and then some. */
export const SIGNAL_WINDOW = '2m'
// series seen this recently count as the source's current series (Prometheus' wall time)
const DISCOVERY_LOOKBACK_MS = 5 * 60_000
/** The series a fleet's Prometheus must hold for OptiInfra to see it: vLLM servers and DCGM exporters. */
export const FLEET_SERIES = '{__name__=~"vllm:num_requests_running|DCGM_FI_DEV_GPU_UTIL"}'

export const shapeOf = (s: SourceRow): QueryShape => ({ deploymentLabel: s.deployment_label, groupLabel: s.group_label, window: SIGNAL_WINDOW })

/** Polls one source and records its health; never throws for the source's own failures. */
export async function pollSource(deps: Pick<Deps, 'db' | 'clock' | 'log'>, src: SourceRow, api: PrometheusApi = prometheusApi(src.url, src.headers)): Promise<PollOutcome> {
  const at = deps.clock.now()
  const shape = shapeOf(src)
  let outcome: PollOutcome
  try {
    const queries = signalQueries(shape)
    const wallNow = new Date()
    const [vectors, series] = await Promise.all([
      Promise.all(queries.map((q) => api.query(q.expr))),
      api.series([FLEET_SERIES], new Date(wallNow.getTime() - DISCOVERY_LOOKBACK_MS), wallNow),
    ])
    const records = vectors.flatMap((v, i) => recordsOf(queries[i]!.type, v, shape, at.getTime()))
    if (records.length) await ingestBatch(deps.db, src.customer_id, records, { clock: deps.clock, source: 'prometheus' })
    const deployments = [...new Set(series.map((s) => s[shape.deploymentLabel]).filter((d): d is string => !!d))].sort()
    outcome = { ok: true, series: series.length, deployments }
  } catch (err) {
    outcome = { ok: false, error: (err as Error).message }
    deps.log.warn({ source: src.id, url: src.url, err: outcome.error }, 'telemetry source poll failed')
  }
  await recordPoll(deps.db, src.id, outcome, at)
  return outcome
}

/** Polls every source of every customer once (the embedded runtime's round does this). */
export async function pollAllSources(deps: Pick<Deps, 'db' | 'clock' | 'log'>): Promise<PollOutcome[]> {
  return Promise.all((await listSources(deps.db)).map((s) => pollSource(deps, s)))
}
