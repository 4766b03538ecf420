/**
 * Analysis use cases: start one (an analysis row and a routed task per agent type), and store what
 * an agent's analysis produced — recommendations (refreshing pending ones with the same key),
 * superseded proposals, quality scores — queueing the other agents' validations of every new plan.
 */
import type { Clock } from '../clock.ts'
import type { Db } from '../db/db.ts'
import type { Deps } from '../deps.ts'
import type { LiveEvent } from '../http/live.ts'
import { recordAudit } from '../audit/store.ts'
import { recordQualityScore } from '../telemetry/store.ts'
import { analysisTypeOf, type QualityScoreRecord } from '../agents/agent.ts'
import { validatorsFor } from '../agents/index.ts'
import type { AnalysisOutput } from '../agents/run.ts'
import { chooseAgent, healthOf } from '../orchestrator/orchestrator.ts'
import { dbNow, insertAnalysis, insertTask, listAgents, updateAnalysis, type TaskRow } from '../orchestrator/store.ts'
import { AGENT_TYPES, RECOMMENDATION_TYPES, type AgentType, type RecommendationDraft } from './recommendation.ts'
import { supersedeMissing, upsertDraft } from './store.ts'
import { stampDraft } from '../desired/delta.ts'
import { planViolation } from '../desired/constraints.ts'

/** NOTIFY channel that wakes agent workers when tasks are queued (a hint; they also poll). */
export const TASK_CHANNEL = 'optiinfra_agent_tasks'

/** An analysis request. */
export interface AnalysisRequest {
  customerId: string
  agentTypes: AgentType[]
  trigger: 'api' | 'orchestrator' | 'discovery' | 'schedule'
  analysisType: string | null
  requestedBy: string
}

/** The started analysis: its id and, per agent type, the task and the instance routing chose. */
export interface StartedAnalysis { analysisId: string; tasks: { taskId: string; agentType: AgentType; routedTo: string | null }[] }

/** Creates the analysis and routes one task per agent type to the least-loaded active instance with the capability. */
export async function startAnalysis(deps: Pick<Deps, 'db' | 'clock' | 'live'>, req: AnalysisRequest): Promise<StartedAnalysis> {
  const started = await deps.db.tx(async (tx) => {
    const analysisId = await insertAnalysis(tx, { customer_id: req.customerId, agent_types: req.agentTypes, analysis_type: req.analysisType, trigger: req.trigger, requested_by: req.requestedBy }, deps.clock.now())
    const now = await dbNow(tx)
    const candidates = (await listAgents(tx)).map((a) => ({ ...a, health: healthOf(a, now) }))
    const tasks: StartedAnalysis['tasks'] = []
    for (const agentType of req.agentTypes) {
      const chosen = chooseAgent(candidates, agentType, analysisTypeOf(agentType))
      const taskId = await insertTask(tx, { customer_id: req.customerId, kind: 'analyze', agent_type: agentType, analysis_id: analysisId, recommendation_id: null, routed_agent_id: chosen?.id ?? null })
      if (chosen) chosen.current_tasks += 1
      tasks.push({ taskId, agentType, routedTo: chosen?.id ?? null })
    }
    return { analysisId, tasks }
  })
  await deps.db.notify(TASK_CHANNEL, 'analyze').catch(() => undefined)
  await deps.live.publish({ type: 'agent:analysis:started', customerId: req.customerId, id: started.analysisId, data: { agent_types: req.agentTypes }, at: deps.clock.now().toISOString() })
  return started
}

/** Why a draft from an agent cannot be stored, or null: agent processes are trusted to be ours, not to be bug-free. */
export function draftProblem(d: RecommendationDraft, agentType: AgentType): string | null {
  const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v)
  if (!isObject(d) || !isObject(d.predicted) || !isObject(d.evidence) || !isObject(d.plan) || !isObject(d.plan.config)) return 'draft is missing predicted, evidence or plan'
  if (typeof d.title !== 'string' || d.title.length === 0 || !Array.isArray(d.riskReasons) || typeof d.deploymentId !== 'string') return 'draft is missing title, risk reasons or deployment'
  if (d.agentType !== agentType) return `draft from ${String(d.agentType)} in a ${agentType} task`
  if (!RECOMMENDATION_TYPES.includes(d.type)) return `unknown recommendation type ${String(d.type)}`
  if (!['low', 'medium', 'high'].includes(d.riskLevel)) return `unknown risk level ${String(d.riskLevel)}`
  if (typeof d.estimatedMonthlySavingsUsd !== 'number' || !Number.isFinite(d.estimatedMonthlySavingsUsd) || !(d.confidence >= 0 && d.confidence <= 1)) return 'savings or confidence out of range'
  if (typeof d.dedupeKey !== 'string' || d.dedupeKey.length === 0 || d.dedupeKey.length > 300) return 'bad dedupe key'
  if (d.plan?.deploymentId !== d.deploymentId || !Array.isArray(d.plan.pools) || d.plan.pools.length === 0) return 'plan does not match the deployment'
  return null
}

/** Writes quality scores the agents measured as `quality_score` points. */
export async function recordScores(tx: Db, customerId: string, scores: QualityScoreRecord[], at: Date): Promise<void> {
  for (const s of scores) {
    if (s.samples > 0) await recordQualityScore(tx, { customerId, deploymentId: s.deploymentId, group: s.group, at, score: s.score, n: s.samples })
  }
}

async function queueValidations(tx: Db, task: TaskRow, recommendationId: string, validators: AgentType[], onlyMissing: boolean): Promise<number> {
  let queued = 0
  for (const agentType of validators) {
    if (onlyMissing) {
      const have = await tx.query(
        `SELECT 1 FROM recommendation_validations WHERE recommendation_id = $1 AND agent_type = $2
         UNION ALL SELECT 1 FROM agent_tasks WHERE recommendation_id = $1 AND agent_type = $2 AND status IN ('queued', 'running')`, [recommendationId, agentType])
      if (have.length > 0) continue
    }
    await insertTask(tx, { customer_id: task.customer_id, kind: 'validate', agent_type: agentType, analysis_id: null, recommendation_id: recommendationId, routed_agent_id: null })
    queued++
  }
  return queued
}

/** What storing an analysis did, and the live events to publish once it commits. */
export interface AppliedAnalysis { events: LiveEvent[]; validationTasks: number; recommendationIds: string[] }

/** Stores an agent's analysis output for an analyze task (inside the transaction that finishes the task). */
export async function applyAnalysis(tx: Db, clock: Clock, task: TaskRow, output: AnalysisOutput): Promise<AppliedAnalysis> {
  const now = clock.now()
  const at = now.toISOString()
  const events: LiveEvent[] = []
  const ids: string[] = []
  const rejected: string[] = []
  let validationTasks = 0
  for (const d of output.drafts) {
    const problem = draftProblem(d, task.agent_type)
    const violation = problem ? null : await planViolation(tx, task.customer_id, d.plan, d.predicted.monthlyCostUsdAfter ?? null)
    if (problem || violation) { rejected.push(`${d.dedupeKey}: ${problem ?? `customer constraint: ${violation}`}`); continue }
    const validators = validatorsFor({ ...d, id: '' }).map((a) => a.type)
    const r = await upsertDraft(tx, task.customer_id, d, validators, task.analysis_id, now)
    await stampDraft(tx, task.customer_id, r.id, d)
    ids.push(r.id)
    validationTasks += await queueValidations(tx, task, r.id, validators, !r.planChanged)
    if (r.created) await recordAudit(tx, clock, { customerId: task.customer_id, actor: `agent:${task.agent_type}`, action: 'recommendation:created', subjectType: 'recommendation', subjectId: r.id, detail: { type: d.type, deployment_id: d.deploymentId, estimated_savings: d.estimatedMonthlySavingsUsd } })
    events.push({ type: r.created ? 'recommendation:item:created' : 'recommendation:item:updated', customerId: task.customer_id, id: r.id, data: { type: d.type, agent_type: d.agentType }, at })
  }
  const settling = Object.keys(output.sources).filter((id) => output.sources[id] === 'settling')
  const superseded = await supersedeMissing(tx, task.customer_id, task.agent_type, output.drafts.map((d) => d.dedupeKey), settling, now)
  for (const id of superseded) events.push({ type: 'recommendation:item:superseded', customerId: task.customer_id, id, at })
  await recordScores(tx, task.customer_id, output.qualityScores, now)
  if (task.analysis_id) {
    const result = {
      status: 'completed', recommendation_ids: ids, superseded_ids: superseded, rejected_drafts: rejected, sources: output.sources,
      duration_ms: Math.round(output.durationMs), quality_scores: output.qualityScores.length,
      findings: output.findings.map((f) => ({ kind: f.kind, deployment_id: f.deploymentId, severity: f.severity, summary: f.summary, source: f.source })),
      // deployments left alone while settling after a change, and from when they are judged again (null: a change still runs)
      settling: Object.fromEntries(output.findings.filter((f) => f.kind === 'settling' && f.deploymentId).map((f) => [f.deploymentId, f.data.until ?? null])),
    }
    const a = await updateAnalysis(tx, task.analysis_id, { agentType: task.agent_type, result }, now)
    events.push({ type: 'agent:analysis:updated', customerId: task.customer_id, id: a.id, data: { status: a.status, agent_type: task.agent_type }, at })
  }
  return { events, validationTasks, recommendationIds: ids }
}

/** Parses an `agent_type` of the analyze route: one agent, or 'all'. */
export function agentTypesOf(agentType: string): AgentType[] {
  return agentType === 'all' ? [...AGENT_TYPES] : [agentType as AgentType]
}
