/**
 * How an optimization (a workflow run of kind 'optimization') is presented by the API: the seeds'
 * shape `{id, recommendation_id, status, started_at, execution_steps[], result{success, error,
 * predicted_savings, actual_savings}}` plus the phase, current step and rollback details. Pure.
 */
import type { Run } from '../workflows/workflow.ts'
import type { OptimizationContext } from '../workflows/steps/context.ts'
import type { Optimization } from '../../api/optimizations.ts'
import { engineArgsDiff, vllmArgs } from '../actuators/layouts.ts'

const iso = (d: Date | null) => (d ? d.toISOString() : null)

/** The API view of an optimization run. */
export function presentOptimization(run: Run): Optimization {
  const c = run.context as unknown as OptimizationContext
  const terminal = run.status === 'completed' || run.status === 'failed' || run.status === 'rolled_back'
  const current = run.phase === 'steps' && !terminal ? (run.steps[run.stepIndex]?.name ?? null) : run.phase === 'rollback' ? 'rollback' : null
  const result = terminal && run.result
    ? { success: null, error: null, predicted_savings: null, actual_savings: null, ...run.result }
    : { success: null, error: null, predicted_savings: c.recommendation?.estimated_savings_usd ?? null, actual_savings: null }
  return {
    id: run.id, recommendation_id: run.subjectId, customer_id: run.customerId, type: c.recommendation?.type ?? 'unknown',
    deployment_id: c.deployment_id, title: c.recommendation?.title ?? '', status: run.status, phase: run.phase, current_step: current,
    pause_reason: run.pauseReason, abort_reason: run.abortReason ?? run.abortRequested, created_at: run.createdAt.toISOString(),
    started_at: iso(run.startedAt), completed_at: iso(run.completedAt), execution_steps: run.steps,
    result: result as Optimization['result'], rollback: (c.rollback as Record<string, unknown> | undefined) ?? null,
    engine_args: engineArgs(c),
  }
}

/** The vLLM arguments the change runs with, and those it sets differently from the configuration it was approved on. */
function engineArgs(c: OptimizationContext): Optimization['engine_args'] {
  if (!c.plan?.config) return null
  return { before: c.base_config ? vllmArgs(c.base_config) : null, after: vllmArgs(c.plan.config), changed: c.base_config ? engineArgsDiff(c.base_config, c.plan.config) : null }
}
