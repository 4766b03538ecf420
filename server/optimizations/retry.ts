/**
 * Retry after a rollback (Argo Rollouts' `retry`): the change a rolled-back or failed optimization
 * carried is proposed again as a new pending recommendation, and every validator judges it again
 * on today's fleet. The customer approves it like any other, so nothing rolls out on the evidence
 * that failed: the approval re-prices it when that evidence is older than 30 minutes, and the
 * confidence shown is adjusted by the outcome just recorded. Idempotent: while a pending
 * recommendation for the same change exists (this retry, or an agent's re-proposal), asking again
 * answers with it.
 */
import type { Clock } from '../clock.ts'
import type { Db } from '../db/db.ts'
import type { LiveHub } from '../http/live.ts'
import { errors } from '../errors.ts'
import { recordAudit } from '../audit/store.ts'
import { insertTask } from '../orchestrator/store.ts'
import { TASK_CHANNEL } from '../recommendations/analyze.ts'
import { loadOptimization } from './control.ts'
import { getRecommendation, insertRetry } from './store.ts'

/** What a retry needs. */
export interface RetryDeps { db: Db; clock: Clock; live: LiveHub }

/** The answer: the recommendation to approve, and whether this call created it. */
export interface RetryResult { recommendation_id: string; retry_of: string; created: boolean; validations_queued: number }

/** Statuses a run can be retried from: it ended without its change live. */
export const RETRYABLE = ['rolled_back', 'failed'] as const

/** Proposes a finished, unsuccessful optimization's change again for `actor` (the route checked tenancy). */
export async function retryOptimization(deps: RetryDeps, actor: string, id: string): Promise<RetryResult> {
  const result = await deps.db.tx(async (tx) => {
    const run = await loadOptimization(tx, id)
    if (!(RETRYABLE as readonly string[]).includes(run.status)) throw new errors.OPT_STATE_INVALID(`optimization is ${run.status}; only a rolled-back or failed one can be retried`)
    const rec = run.subjectId ? await getRecommendation(tx, run.subjectId) : null
    if (!rec) throw new errors.OPT_NOT_FOUND('Recommendation')
    const now = deps.clock.now()
    const why = { optimization_id: run.id, recommendation_id: rec.id, outcome: run.status, reason: run.abortReason ?? run.lastError ?? null, by: actor, at: now.toISOString() }
    const retry = await insertRetry(tx, rec.id, why, now)
    if (!retry) throw new errors.OPT_STATE_INVALID('a proposal of this change was decided meanwhile; refetch and retry')
    let queued = 0
    if (retry.created) {
      for (const agentType of rec.validators) {
        await insertTask(tx, { customer_id: rec.customerId, kind: 'validate', agent_type: agentType, analysis_id: null, recommendation_id: retry.id, routed_agent_id: null })
        queued++
      }
      await recordAudit(tx, deps.clock, { customerId: rec.customerId, actor, action: 'recommendation:created', subjectType: 'recommendation', subjectId: retry.id, detail: { type: rec.type, deployment_id: rec.deploymentId, retry_of: rec.id } })
    }
    await recordAudit(tx, deps.clock, { customerId: rec.customerId, actor, action: 'optimization:retry_requested', subjectType: 'optimization', subjectId: run.id, detail: { recommendation_id: retry.id, created: retry.created } })
    return { customerId: rec.customerId, out: { recommendation_id: retry.id, retry_of: run.id, created: retry.created, validations_queued: queued } }
  })
  if (result.out.created) {
    await deps.live.publish({ type: 'recommendation:item:created', customerId: result.customerId, id: result.out.recommendation_id, data: { retry_of: id }, at: deps.clock.now().toISOString() }).catch(() => undefined)
    await deps.db.notify(TASK_CHANNEL, 'validate').catch(() => undefined)
  }
  return result.out
}
