/**
 * Builds a customer's dashboard from stored data: the bill's run-rate, pending validated
 * recommendations, measured results of finished optimizations, the agents' heartbeats, the SLO
 * over the last window of telemetry, and the latest answer-quality scores.
 */
import type { Dashboard } from '../../api/dashboard.ts'
import type { Deps } from '../deps.ts'
import { readSignalsByDeployment } from '../telemetry/signals.ts'
import { listPendingRecommendations } from '../optimizations/store.ts'
import { presentOptimization } from '../optimizations/optimization.ts'
import { listRuns } from '../workflows/store.ts'
import { OPTIMIZATION_KIND } from '../workflows/optimization.ts'
import { fleetCompliance, realizedTotal, sloCompliance, sumUsd, weightedScore } from './dashboard.ts'
import { settledSavings } from '../billing/store.ts'
import { validationStatus } from '../recommendations/recommendation.ts'
import { completedResults, latestQuality } from './store.ts'
import { agentStatuses } from './agents.ts'
import { currentMonthlySpend } from '../spend/current.ts'
import { groupOf, potentialSavings } from '../desired/groups.ts'
import { openIncidents } from '../reconciler/store.ts'
import { incidentJson } from '../reconciler/routes.ts'
import { listSlos, sloOf } from '../slo/store.ts'
import { toProviderSlo } from '../slo/slo.ts'
import { judgedFleet } from '../orchestrator/context.ts'
import { bundledCatalog } from '../cloud/catalog/catalog.ts'

/** Telemetry window the SLO panel summarizes (clock time). */
export const SLO_WINDOW_MS = 15 * 60_000

/** The dashboard of one customer. */
export async function summarizeDashboard(deps: Pick<Deps, 'db' | 'clock' | 'cloud'>, customerId: string): Promise<Dashboard> {
  const now = deps.clock.now()
  const [current, pending, runs, results, quality, agents, fleet, settled] = await Promise.all([
    currentMonthlySpend(deps, customerId, now), listPendingRecommendations(deps.db, customerId), listRuns(deps.db, customerId, OPTIMIZATION_KIND, 20),
    completedResults(deps.db, customerId), latestQuality(deps.db, customerId), agentStatuses(deps.db, customerId),
    // the SLO panel covers what the provider runs and what only a connected Prometheus shows
    judgedFleet(deps, customerId, { catalog: bundledCatalog(), prices: [], now }),
    settledSavings(deps.db, customerId),
  ])
  const realized = realizedTotal(results, settled)
  const recommendations = pending.map((r) => ({
    id: r.id, type: r.type, title: r.title, agent_type: r.agentType, risk_level: r.riskLevel, status: r.status,
    estimated_savings: r.estimatedSavingsUsd, validated: validationStatus(r.validators, r.validations) === 'validated', deployment_id: r.plan.deploymentId ?? r.deploymentId,
  })).sort((a, b) => b.estimated_savings - a.estimated_savings)
  const [incidents, declared] = await Promise.all([openIncidents(deps.db, customerId), listSlos(deps.db, customerId)])
  const down = new Set(incidents.filter((i) => i.kind === 'down').map((i) => i.deploymentId))
  const signals = await readSignalsByDeployment(deps.db, customerId, fleet.deployments.map((d) => d.id), { from: new Date(now.getTime() - SLO_WINDOW_MS), to: now })
  const slo = fleet.deployments.map((d) => {
    const s = signals.get(d.id)
    const objective = toProviderSlo(sloOf(declared, d, now)) // the customer's SLO (or the proposal), not the cloud's copy
    const m = { p95: s?.p95LatencyMs ?? null, p99: s?.p99LatencyMs ?? null, errorRate: s?.errorRate ?? null }
    return {
      deployment_id: d.id, p95_latency_ms: m.p95, p99_latency_ms: m.p99, error_rate: m.errorRate,
      limits: { p95_ms: objective.p95Ms, p99_ms: objective.p99Ms, error_rate: objective.maxErrorRate },
      // a deployment that serves nothing misses its SLO, whatever its last samples said
      compliant: down.has(d.id) ? false : sloCompliance(m, objective),
      seen_via: fleet.discovered.has(d.id) ? 'prometheus' as const : 'provider' as const,
    }
  })
  return {
    customer_id: customerId, at: now.toISOString(), current_spend: sumUsd([current.usd]), spend_source: current.source, billed_day: current.billedDay,
    potential_savings: potentialSavings(pending.filter((r) => validationStatus(r.validators, r.validations) === 'validated').map((r) => ({ id: r.id, exclusiveGroup: groupOf(r), savingsUsd: r.estimatedSavingsUsd })), current.usd),
    realized_savings: realized.total,
    realized_settled: { settled: realized.settled, completed: realized.completed },
    recommendations,
    optimizations: runs.map(presentOptimization).map((o) => ({
      id: o.id, recommendation_id: o.recommendation_id, type: o.type, title: o.title, status: o.status, current_step: o.current_step,
      started_at: o.started_at, completed_at: o.completed_at, predicted_savings: o.result.predicted_savings, actual_savings: settled.get(o.id)?.actual_savings ?? o.result.actual_savings,
    })),
    agents,
    slo: { compliant: fleetCompliance(slo.map((s) => s.compliant)), window_minutes: SLO_WINDOW_MS / 60_000, deployments: slo },
    quality: { score: weightedScore(quality), deployments: quality.map((q) => ({ ...q, at: q.at.toISOString() })) },
    incidents: incidents.map(incidentJson),
  }
}
