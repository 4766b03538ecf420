/**
 * One poll of a Prometheus source: every signal query at Prometheus' "now", the records stamped
 * with the platform's clock and ingested through the one ingestion use case (source `prometheus`),
 * the deployments found listed from the series' labels, and the outcome kept as the source's health.
 */
import type { Deps } from '../deps.ts'
import { ingestBatch } from '../telemetry/ingest.ts'
import { CLUSTER_QUERIES, discoverFleet, type ClusterAnswers } from './cluster.ts'
import { ENGINE_QUERY, observedEngines } from './engine.ts'
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
    const [vectors, series, cluster, engines] = await Promise.all([
      Promise.all(queries.map((q) => api.query(q.expr))),
      api.series([FLEET_SERIES], new Date(wallNow.getTime() - DISCOVERY_LOOKBACK_MS), wallNow),
      clusterAnswers(api),
      api.query(ENGINE_QUERY),
    ])
    const records = vectors.flatMap((v, i) => recordsOf(queries[i]!.type, v, shape, at.getTime()))
    if (records.length) await ingestBatch(deps.db, src.customer_id, records, { clock: deps.clock, source: 'prometheus' })
    const deployments = [...new Set(series.map((s) => s[shape.deploymentLabel]).filter((d): d is string => !!d))].sort()
    const clusterState = cluster.podInfo.length > 0 || cluster.nodeLabels.length > 0
    outcome = { ok: true, series: series.length, deployments, fleet: discoverFleet(series, shape.deploymentLabel, cluster, observedEngines(engines, shape)), clusterState }
  } catch (err) {
    outcome = { ok: false, error: (err as Error).message }
    deps.log.warn({ source: src.id, url: src.url, err: outcome.error }, 'telemetry source poll failed')
  }
  await recordPoll(deps.db, src.id, outcome, at)
  return outcome
}

/** The kube-state-metrics answers (empty where the Prometheus holds none: clusters without it still poll). */
async function clusterAnswers(api: PrometheusApi): Promise<ClusterAnswers> {
  const keys = Object.keys(CLUSTER_QUERIES) as (keyof ClusterAnswers)[]
  const answers = await Promise.all(keys.map((k) => api.query(CLUSTER_QUERIES[k])))
  return Object.fromEntries(keys.map((k, i) => [k, answers[i]!])) as ClusterAnswers
}

/** Polls every source of every customer once (the embedded runtime's round does this). */
export async function pollAllSources(deps: Pick<Deps, 'db' | 'clock' | 'log'>): Promise<PollOutcome[]> {
  return Promise.all((await listSources(deps.db)).map((s) => pollSource(deps, s)))
}
