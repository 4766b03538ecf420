/**
 * The rollout re-checks its delta and the customer's constraints itself. Before the first step the
 * approved plan must still apply on the deployment's desired state: a field it changes that a later
 * generation changed aborts the run (superseded); a later generation that left its fields alone is
 * rebased onto (and the run dropped if a capacity change no longer saves money, or paused for a
 * human when its savings moved by more than 10% or its risk rose). Before every step
 * up to promotion, a plan that breaks a constraint aborts the run before anything more is done.
 */
import type { StepEnv } from '../workflows/engine.ts'
import type { Run, StepResult } from '../workflows/workflow.ts'
import { ctxOf, type OptimizationDeps } from '../workflows/steps/context.ts'
import { planMonthlyUsd, pricesFor } from '../optimizations/savings.ts'
import { HOURS_PER_MONTH } from '../spend/run-rate.ts'
import { CONFIG_ONLY_TYPES } from '../rollouts/rollout.ts'
import { planViolation } from './constraints.ts'
import { changedSince, reapprovalReason, rebaseOnto, riskAfterRebase } from './spec.ts'
import { getDesired } from './store.ts'

type Step = (env: StepEnv<OptimizationDeps>, run: Run) => Promise<StepResult>

/** Wraps a step: the start check before the first one (when `first`), the constraint check before each. */
export function guarded(step: Step, first = false): Step {
  return async (env, run) => {
    const startProblem = first && !ctxOf(run).original ? await checkRunStart(env, run) : null
    if (startProblem) return startProblem
    const c = ctxOf(run)
    const planned = planMonthlyUsd(c.plan.pools, await pricesFor(env.deps.cloud, c.plan.pools))
    const violation = await planViolation(env.deps.db, run.customerId, c.plan, planned)
    if (violation) return { kind: 'abort', reason: `customer constraint: ${violation}`, detail: { constraint: violation } }
    return step(env, run)
  }
}

/** The delta against the desired state now: null to go on (possibly rebased), or the abort that drops the run. */
export async function checkRunStart(env: StepEnv<OptimizationDeps>, run: Run): Promise<StepResult | null> {
  const c = ctxOf(run)
  const desired = await getDesired(env.deps.db, run.customerId, c.deployment_id)
  if (!desired || c.base_generation === undefined || desired.generation <= c.base_generation) return null
  const touches = c.touches ?? []
  const changed = changedSince(desired, c.base_generation, touches)
  if (changed.length > 0) {
    return { kind: 'abort', reason: `superseded: approved on generation ${c.base_generation}, generation ${desired.generation} has since changed ${changed.join(', ')}` }
  }
  const original = c.plan
  c.plan = { ...rebaseOnto(c.plan, touches, desired.spec), summary: `${c.plan.summary} (rebased on generation ${desired.generation})` }
  c.base_generation = desired.generation
  const savings = CONFIG_ONLY_TYPES.includes(c.recommendation.type) ? c.recommendation.estimated_savings_usd : await capacitySavings(env, run)
  if (savings !== null && !CONFIG_ONLY_TYPES.includes(c.recommendation.type) && !(savings > 0)) {
    return { kind: 'abort', reason: `dropped: on generation ${desired.generation} the change no longer saves money (${savings.toFixed(2)} USD/month)` }
  }
  const approved = { savingsUsd: c.recommendation.estimated_savings_usd, risk: c.recommendation.risk_level }
  const now = { savingsUsd: savings ?? approved.savingsUsd, risk: riskAfterRebase(approved.risk, original, c.plan) }
  const why = reapprovalReason(approved, now)
  // what is executed is what the customer approved: changed figures wait for a human (resume accepts them, abort drops the change)
  c.recommendation = { ...c.recommendation, estimated_savings_usd: now.savingsUsd, risk_level: now.risk }
  return why ? { kind: 'pause', reason: `re-approval needed after rebasing on generation ${desired.generation}: ${why}; resume to accept, abort to drop`, detail: { rebased_plan: c.plan.summary } } : null
}

/** Monthly saving of the (rebased) capacity plan on the fleet now: current stable cost − planned cost at today's prices. */
async function capacitySavings(env: StepEnv<OptimizationDeps>, run: Run): Promise<number | null> {
  const c = ctxOf(run)
  const res = await env.deps.cloud.listResources(run.customerId)
  const dep = res.deployments.find((d) => d.id === c.deployment_id)
  const current = res.instances.filter((i) => dep?.stable.instanceIds.includes(i.id) && i.state !== 'terminated').reduce((s, i) => s + i.hourlyUsd, 0) * HOURS_PER_MONTH
  const planned = planMonthlyUsd(c.plan.pools, await pricesFor(env.deps.cloud, c.plan.pools))
  return planned === null ? null : Math.round((current - planned) * 100) / 100
}
