/**
 * The task protocol every agent worker speaks, in-process or over HTTP: claim a task with a lease
 * (and get what it needs to work on it), renew the lease, hand in the result. Results are stored
 * the same way wherever the agent ran.
 */
import type { Catalog } from '../cloud/catalog/catalog.ts'
import type { Deps } from '../deps.ts'
import type { LiveEvent } from '../http/live.ts'
import type { RecommendationUnderReview } from '../agents/agent.ts'
import type { AnalysisOutput, ValidationOutput } from '../agents/run.ts'
import { applyAnalysis, TASK_CHANNEL } from '../recommendations/analyze.ts'
import { getRecommendation } from '../recommendations/store.ts'
import { applyValidation, toUnderReview } from '../recommendations/validate.ts'
import { buildContextData, type AgentContextData } from './context.ts'
import { claimTask, failExhausted, finishTask, getTask, updateAnalysis, type AgentRow, type TaskRow } from './store.ts'

/** A claimed task with everything the agent needs: the customer's context and, to validate, the recommendation. */
export interface ClaimedTask {
  task: Pick<TaskRow, 'id' | 'kind' | 'customer_id' | 'agent_type' | 'analysis_id' | 'recommendation_id' | 'attempts'>
  context: AgentContextData
  recommendation: RecommendationUnderReview | null
}

/** What an agent hands in. */
export type TaskResult =
  | { kind: 'analysis'; output: AnalysisOutput }
  | { kind: 'validation'; output: ValidationOutput }
  | { kind: 'error'; error: string }

/** The work package of a claimed task (read after the claim commits). */
export async function workPackage(deps: Pick<Deps, 'db' | 'clock' | 'cloud'>, task: TaskRow, catalog: Catalog): Promise<ClaimedTask> {
  const context = await buildContextData(deps, task.customer_id, catalog)
  const rec = task.recommendation_id ? await getRecommendation(deps.db, task.recommendation_id) : undefined
  const { id, kind, customer_id, agent_type, analysis_id, recommendation_id, attempts } = task
  return { task: { id, kind, customer_id, agent_type, analysis_id, recommendation_id, attempts }, context, recommendation: rec ? toUnderReview(rec) : null }
}

/** Claims the next task for an agent, or null when the queue has nothing it may take. */
export async function claimNext(deps: Pick<Deps, 'db' | 'clock' | 'cloud' | 'live'>, agent: Pick<AgentRow, 'id' | 'agent_type'>, leaseMs: number): Promise<TaskRow | null> {
  const task = await deps.db.tx((tx) => claimTask(tx, agent, leaseMs))
  if (!task) return null
  if (task.analysis_id) {
    const a = await deps.db.tx((tx) => updateAnalysis(tx, task.analysis_id!, null, deps.clock.now()))
    if (a.status === 'running') await deps.live.publish({ type: 'agent:analysis:updated', customerId: a.customer_id, id: a.id, data: { status: a.status }, at: deps.clock.now().toISOString() })
  }
  return task
}

/**
 * Finishes a task the agent still holds and stores its result in the same transaction. 'stale'
 * when the agent lost the task (its lease expired and another instance took it): the result is
 * then dropped, so a slow or resurrected agent can never store a second result.
 */
export async function completeTask(deps: Pick<Deps, 'db' | 'clock' | 'live'>, agentId: string, taskId: string, result: TaskResult): Promise<'ok' | 'stale'> {
  const events: LiveEvent[] = []
  const outcome = await deps.db.tx(async (tx) => {
    const task = await finishTask(tx, taskId, agentId, result.kind === 'error' ? { ok: false, error: result.error.slice(0, 2000) } : { ok: true })
    if (!task) return 'stale' as const
    if (result.kind === 'analysis' && task.kind === 'analyze') events.push(...(await applyAnalysis(tx, deps.clock, task, result.output)).events)
    else if (result.kind === 'validation' && task.kind === 'validate') events.push(...(await applyValidation(tx, deps.clock, task, result.output)).events)
    else if (result.kind !== 'error') throw new Error(`task ${task.id} is a ${task.kind} task, got a ${result.kind} result`)
    if (result.kind === 'error' && task.analysis_id) await updateAnalysis(tx, task.analysis_id, task.status === 'failed' ? { agentType: task.agent_type, result: { status: 'failed', error: task.error } } : null, deps.clock.now())
    return 'ok' as const
  })
  if (outcome === 'ok') {
    await deps.db.notify(TASK_CHANNEL, 'completed').catch(() => undefined)
    for (const e of events) await deps.live.publish(e).catch(() => undefined)
  }
  return outcome
}

/** Fails tasks that ran out of attempts with an expired lease, and closes their analyses. */
export async function sweepTasks(deps: Pick<Deps, 'db' | 'clock'>): Promise<number> {
  const failed = await failExhausted(deps.db)
  for (const t of failed) {
    if (t.analysis_id) await deps.db.tx((tx) => updateAnalysis(tx, t.analysis_id!, { agentType: t.agent_type, result: { status: 'failed', error: t.error } }, deps.clock.now()))
  }
  return failed.length
}

/** A task, for status routes. */
export { getTask }
