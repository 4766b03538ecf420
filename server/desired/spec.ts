/**
 * Desired state and deltas, pure. A deployment's desired spec (pools, engine configuration, SLO)
 * carries a generation that every executed change increments; a recommendation is a delta: the
 * fields it touches ("pools", "engine.quantization", ...) and the generation it was computed on.
 * A delta whose fields were changed by a later generation is superseded; otherwise it is rebased
 * onto the current spec, so an older change never undoes a newer one.
 */
import type { DeploymentConstraints, Preferences } from '../../api/common.ts'
import type { EngineConfig } from '../cloud/model/serving.ts'
import type { Cloud, FleetDeployment, FleetInstance, PoolSpec, Slo } from '../cloud/provider.ts'
import type { ChangePlan, RecommendationType, RiskLevel } from '../recommendations/recommendation.ts'
import { CONFIG_ONLY_TYPES, poolsOfInstances } from '../rollouts/rollout.ts'

/** What OptiInfra keeps a deployment at. */
export interface DesiredSpec { pools: PoolSpec[]; engine: EngineConfig; slo: Slo | null }

/** A deployment's desired state: spec, generation, and the generation that last changed each field. */
export interface DesiredState {
  customerId: string
  deploymentId: string
  generation: number
  spec: DesiredSpec
  fieldGenerations: Record<string, number>
  lastChange: Record<string, unknown> | null
  updatedAt: Date
}

/** The desired spec of a deployment nobody changed through OptiInfra yet: what runs now. */
export function specFromObserved(dep: FleetDeployment, instances: FleetInstance[]): DesiredSpec {
  const stable = instances.filter((i) => dep.stable.instanceIds.includes(i.id) && i.state !== 'terminated')
  return { pools: sortPools(poolsOfInstances(stable)), engine: dep.stable.config, slo: dep.slo ?? null }
}

const poolKey = (p: PoolSpec) => `${p.cloud}|${p.region}|${p.instanceType}|${p.pricing}`

function sortPools(pools: PoolSpec[]): PoolSpec[] {
  return [...pools].sort((a, b) => poolKey(a).localeCompare(poolKey(b)))
}

/** Instances across pools: the one count of a capacity spec, for agents and the reconciler alike. */
export const countOf = (pools: readonly { count: number }[]): number => pools.reduce((n, p) => n + p.count, 0)

/** Same pools (same cloud, region, type, pricing and count), in any order. */
export function samePools(a: PoolSpec[], b: PoolSpec[]): boolean {
  const norm = (ps: PoolSpec[]) => JSON.stringify(sortPools(ps).map((p) => [poolKey(p), p.count]))
  return norm(a) === norm(b)
}

/** The engine knobs `target` sets differently from `base`, as field names (`engine.quantization`). */
export function engineFieldsChanged(target: EngineConfig, base: EngineConfig): string[] {
  return (Object.keys(target) as (keyof EngineConfig)[]).filter((k) => target[k] !== base[k]).map((k) => `engine.${k}`)
}

/**
 * The fields a plan changes relative to the spec it was computed on (a configuration type never
 * touches pools: it runs on whatever pools are current). A plan that changes nothing visible falls
 * back to its type's lever (capacity types: pools; configuration types: the engine).
 */
export function touchesOf(plan: ChangePlan, type: RecommendationType, base: DesiredSpec | null): string[] {
  const configOnly = CONFIG_ONLY_TYPES.includes(type)
  const pools = !configOnly && base && !samePools(plan.pools, base.pools) ? ['pools'] : []
  const diff = base ? [...pools, ...engineFieldsChanged(plan.config, base.engine)] : []
  if (diff.length > 0) return diff
  return configOnly ? ['engine'] : ['pools']
}

/** Whether two field names overlap (equal, or one is a part of the other: `engine` ⊃ `engine.quantization`). */
export function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`)
}

/** The touched fields some generation after `base` changed (empty: the delta still applies). */
export function changedSince(state: Pick<DesiredState, 'fieldGenerations'>, base: number, touches: string[]): string[] {
  const later = Object.entries(state.fieldGenerations).filter(([, g]) => g > base).map(([f]) => f)
  return later.filter((f) => touches.some((t) => overlaps(f, t))).sort()
}

/**
 * Alternatives exclude each other when they change the same thing of one deployment: every
 * capacity change (pools) of a deployment is one group; configuration changes group by the knobs they set.
 */
export function exclusiveGroupOf(deploymentId: string, touches: string[]): string | null {
  if (touches.length === 0) return null
  return touches.some((t) => overlaps(t, 'pools')) ? `${deploymentId}:pools` : `${deploymentId}:${[...touches].sort().join('+')}`
}

/** The group of a recommendation whose fields are not known yet: every capacity change, or alternatives of one configuration type. */
export function fallbackGroup(deploymentId: string, type: RecommendationType): string {
  return CONFIG_ONLY_TYPES.includes(type) ? `${deploymentId}:engine:${type}` : `${deploymentId}:pools`
}

/**
 * Re-applies a delta onto the current spec: the pools it touches are its own, the others are the
 * current ones; the engine knobs it touches are its own, the others the current ones.
 */
export function rebaseOnto(plan: ChangePlan, touches: string[], current: DesiredSpec): ChangePlan {
  const pools = touches.some((t) => overlaps(t, 'pools')) ? plan.pools : current.pools
  const whole = touches.includes('engine')
  const own = Object.fromEntries(Object.entries(plan.config).filter(([k]) => whole || touches.includes(`engine.${k}`)))
  return { ...plan, pools, config: { ...current.engine, ...own } as EngineConfig }
}

/** The spec after a change executed: its (rebased) plan is the whole target. */
export function applyChange(spec: DesiredSpec, plan: ChangePlan): DesiredSpec {
  return { ...spec, pools: sortPools(plan.pools), engine: plan.config }
}

/** A deployment's constraints from the customer's preferences (the old `never_spot_deployments` list included). */
export function constraintsFor(prefs: Preferences, deploymentId: string): DeploymentConstraints {
  const own = prefs.deployment_constraints?.[deploymentId] ?? {}
  return prefs.never_spot_deployments?.includes(deploymentId) ? { ...own, never_spot: true } : own
}

/** What a constraint check needs besides the plan. */
export interface ConstraintInputs { gpuOf(cloud: Cloud, instanceType: string): string | undefined; plannedMonthlyUsd: number | null }

/** Why a plan breaks one of the deployment's constraints, or null. */
export function constraintViolation(plan: ChangePlan, c: DeploymentConstraints, i: ConstraintInputs): string | null {
  const dep = plan.deploymentId
  if (c.never_spot && plan.pools.some((p) => p.pricing === 'spot')) return `the customer never wants spot for ${dep}`
  if (c.cloud && plan.pools.some((p) => p.cloud !== c.cloud)) return `${dep} is pinned to ${c.cloud}`
  const family = c.gpu_family?.toLowerCase()
  const offFamily = family ? plan.pools.find((p) => (i.gpuOf(p.cloud, p.instanceType) ?? '').toLowerCase() !== family) : undefined
  if (offFamily) return `${dep} is pinned to GPU family ${c.gpu_family} (${offFamily.instanceType} has ${i.gpuOf(offFamily.cloud, offFamily.instanceType) ?? 'an unknown GPU'})`
  if (c.max_monthly_usd !== undefined && i.plannedMonthlyUsd !== null && i.plannedMonthlyUsd > c.max_monthly_usd) {
    return `${dep} would cost ${i.plannedMonthlyUsd.toFixed(2)} USD/month, above its budget ceiling of ${c.max_monthly_usd.toFixed(2)}`
  }
  return null
}

const RISK_RANK: Record<RiskLevel, number> = { low: 0, medium: 1, high: 2 }

/** The risk of a rebased plan: running on spot that the original plan did not plan raises it to at least medium. */
export function riskAfterRebase(risk: RiskLevel, original: ChangePlan, rebased: ChangePlan): RiskLevel {
  const spot = (p: ChangePlan) => p.pools.some((x) => x.pricing === 'spot')
  return spot(rebased) && !spot(original) && RISK_RANK[risk] < RISK_RANK.medium ? 'medium' : risk
}

/** Relative change of predicted savings above which the customer must approve again. */
export const REAPPROVAL_SAVINGS_CHANGE = 0.1

/** Why re-validated figures need a fresh approval (savings moved by more than 10%, or risk rose), or null. */
export function reapprovalReason(approved: { savingsUsd: number; risk: RiskLevel }, now: { savingsUsd: number; risk: RiskLevel }): string | null {
  const base = Math.abs(approved.savingsUsd)
  const moved = base === 0 ? now.savingsUsd !== 0 : Math.abs(now.savingsUsd - approved.savingsUsd) / base > REAPPROVAL_SAVINGS_CHANGE
  const reasons = [
    ...(moved ? [`predicted savings changed from ${approved.savingsUsd.toFixed(2)} to ${now.savingsUsd.toFixed(2)} USD/month`] : []),
    ...(RISK_RANK[now.risk] > RISK_RANK[approved.risk] ? [`risk rose from ${approved.risk} to ${now.risk}`] : []),
  ]
  return reasons.length ? reasons.join('; ') : null
}
