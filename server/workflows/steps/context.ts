/**
 * The working state of an optimization run (`workflow_runs.context`) and the helpers every
 * optimization step shares: the typed view of the context, the provider → verdict mapping, and
 * finding the deployment being changed.
 */
import { createHash } from 'node:crypto'
import type { Actuators } from '../../actuators/index.ts'
import type { CloudProvider, FleetDeployment, FleetInstance, ProviderError } from '../../cloud/provider.ts'
import type { EngineConfig } from '../../cloud/model/serving.ts'
import type { ChangePlan, PredictedEffect, RecommendationType, RiskLevel } from '../../recommendations/recommendation.ts'
import type { AnalysisThresholds } from '../../rollouts/rollout.ts'
import type { GatePolicy } from '../../gates/policy.ts'
import type { BakeState } from '../../rollouts/bake.ts'
import type { EngineDeps, StepEnv } from '../engine.ts'
import { ACTUATION_POLL_MS } from '../../actuators/actuator.ts'
import type { Run, StepResult } from '../workflow.ts'

/** What optimization steps need besides the engine's deps. */
export interface OptimizationDeps extends EngineDeps {
  cloud: CloudProvider
  /** Where traffic and configuration steps go (direct, Git, or a human). */
  actuators: Pick<Actuators, 'forCustomer'>
  /** Base URL the fleet's relative endpoint paths resolve against. */
  selfUrl(): string
  /** The platform's credential for the fleet's endpoints (see Deps.fleetToken). */
  fleetToken(): string
}

/** The recommendation as the run saw it at approval (so later edits never change a running plan). */
export interface RecommendationSnapshot {
  id: string
  type: RecommendationType
  agent_type: string
  title: string
  risk_level: RiskLevel
  confidence: number
  estimated_savings_usd: number
  predicted: PredictedEffect
  features: number[]
}

/** The run's working state. Every field is written by exactly one step. */
export interface OptimizationContext {
  recommendation: RecommendationSnapshot
  plan: ChangePlan
  deployment_id: string
  /** Re-plan against the fleet as found at start (the 2nd+ run of a sequential conflict resolution). */
  rebase?: boolean
  /** The deployment's stable configuration at approval: what the plan's configuration is a patch of. */
  base_config?: EngineConfig
  /** The desired-state generation the approved plan is based on, and the fields it changes (server/desired). */
  base_generation?: number
  touches?: string[]
  /** The stable group before any change: what a rollback restores and verifies. */
  original?: { instance_ids: string[]; config: EngineConfig; captured_at: string }
  thresholds?: AnalysisThresholds
  /** The deployment's canary gate records when the change started: the decision and the rollout page read these. */
  gate_policies?: GatePolicy[]
  /** Monthly run-rate of the deployment from the bill, just before the change. */
  run_rate_before_usd?: number
  launched?: Record<string, string[]>
  canary_ids?: string[]
  promoted_at?: string
  retired_ids?: string[]
  bake?: Record<string, BakeState>
  resumed?: Record<string, { by: string; at: string }>
  abort?: { reason: string; at: string; step: string | null }
  rollback?: Record<string, unknown>
  outcome?: 'completed' | 'rolled_back' | 'failed'
}

/** The typed, mutable view of a run's context. */
export function ctxOf(run: Run): OptimizationContext {
  return run.context as unknown as OptimizationContext
}

/**
 * Provider failures are data: a retryable one (throttling, capacity that may come back) becomes
 * an engine retry with backoff; a final one aborts the rollout.
 */
export function fromProviderError(what: string, e: ProviderError): StepResult {
  const reason = `${what}: ${e.code}: ${e.message}`
  return e.retryable ? { kind: 'error', retryable: true, reason } : { kind: 'abort', reason }
}

/** The deployment and the customer's instances, fresh from the provider. */
export async function findDeployment(cloud: CloudProvider, customerId: string, deploymentId: string): Promise<{ deployment: FleetDeployment | null; instances: FleetInstance[] }> {
  const res = await cloud.listResources(customerId)
  return { deployment: res.deployments.find((d) => d.id === deploymentId) ?? null, instances: res.instances }
}

/** All instances this run launched. */
export function launchedIds(c: OptimizationContext): string[] {
  return Object.values(c.launched ?? {}).flat()
}

/** A short stable digest, so a changeId can name a set of instances within the provider's 200 characters. */
export function digest(parts: string[]): string {
  return createHash('sha256').update([...parts].sort().join(',')).digest('hex').slice(0, 12)
}

/** Same members, any order. */
export function sameSet(a: string[], b: string[]): boolean {
  const sa = new Set(a)
  return sa.size === new Set(b).size && b.every((x) => sa.has(x))
}

/** Deep equality of two JSON values with keys in any order (engine configs). */
export function sameJson(a: unknown, b: unknown): boolean {
  const norm = (v: unknown): unknown => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => x.localeCompare(y)).map(([k, x]) => [k, norm(x)]))
    : Array.isArray(v) ? v.map(norm) : v)
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b))
}

/** How long a step waits for a GitOps controller or a human to apply what it asked. */
export const ACTUATION_DEADLINE_MS: Record<'git' | 'manual', number> = { git: 30 * 60_000, manual: 24 * 60 * 60_000 }

/**
 * An actuation that is not applied yet becomes a wait (polled every ACTUATION_POLL_MS), and an
 * abort once the step has waited longer than its actuator's deadline.
 */
export function pendingActuation(env: StepEnv<OptimizationDeps>, run: Run, kind: 'git' | 'manual', p: { reason: string; revision: string | null }): StepResult {
  const started = Date.parse(run.steps[run.stepIndex]?.started_at ?? env.now.toISOString())
  const detail = { actuator: kind, ...(p.revision ? { revision: p.revision } : {}) }
  if (env.now.getTime() - started > ACTUATION_DEADLINE_MS[kind]) return { kind: 'abort', reason: `not applied within ${ACTUATION_DEADLINE_MS[kind] / 60_000} min: ${p.reason}`, detail }
  return { kind: 'wait', until: new Date(env.now.getTime() + ACTUATION_POLL_MS), reason: p.reason, detail }
}
