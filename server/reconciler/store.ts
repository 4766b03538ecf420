/**
 * The reconciler's records (migration 0013): its actions, written before the provider is called
 * so a crashed pass resumes them with the same change ids, the open incidents, and when the next
 * attempt to return capacity to spot is due.
 */
import type { Db } from '../db/db.ts'
import type { Plan } from './drift.ts'

/** A stored action. */
export interface Action {
  id: string; customerId: string; deploymentId: string; kind: Plan['kind']; reason: string; plan: Plan
  status: 'running' | 'done' | 'failed'; result: Record<string, unknown> | null; createdAt: Date; finishedAt: Date | null
}
/** An incident: a deployment down or violating its SLO. */
export interface Incident { id: string; customerId: string; deploymentId: string; kind: 'down' | 'slo_violation'; reason: string; openedAt: Date; resolvedAt: Date | null }

type ActionRow = { id: string; customer_id: string; deployment_id: string; kind: Plan['kind']; reason: string; plan: Plan | string; status: Action['status']; result: unknown; created_at: Date; finished_at: Date | null }
const json = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T))
const toAction = (r: ActionRow): Action => ({
  id: r.id, customerId: r.customer_id, deploymentId: r.deployment_id, kind: r.kind, reason: r.reason, plan: json<Plan>(r.plan), status: r.status,
  result: json<Record<string, unknown> | null>(r.result), createdAt: new Date(r.created_at), finishedAt: r.finished_at ? new Date(r.finished_at) : null,
})

/** Records an action about to run; null when one is already running for the deployment. */
export async function beginAction(db: Db, customerId: string, deploymentId: string, plan: Plan, at: Date): Promise<Action | null> {
  const rows = await db.query<ActionRow>(
    `INSERT INTO reconciler_actions (customer_id, deployment_id, kind, reason, plan, status, created_at) VALUES ($1, $2, $3, $4, $5, 'running', $6)
     ON CONFLICT (customer_id, deployment_id) WHERE status = 'running' DO NOTHING RETURNING *`,
    [customerId, deploymentId, plan.kind, plan.reason, JSON.stringify(plan), at])
  return rows[0] ? toAction(rows[0]) : null
}

/** Settles an action. */
export async function finishAction(db: Db, id: string, status: 'done' | 'failed', result: Record<string, unknown>, at: Date): Promise<void> {
  await db.query('UPDATE reconciler_actions SET status = $2, result = $3, finished_at = $4 WHERE id = $1', [id, status, JSON.stringify(result), at])
}

/** Actions left running by a pass that did not finish (a crash), oldest first. */
export async function runningActions(db: Db): Promise<Action[]> {
  return (await db.query<ActionRow>("SELECT * FROM reconciler_actions WHERE status = 'running' ORDER BY seq")).map(toAction)
}

/** A customer's recent actions, newest first. */
export async function listActions(db: Db, customerId: string, limit = 100): Promise<Action[]> {
  return (await db.query<ActionRow>('SELECT * FROM reconciler_actions WHERE customer_id = $1 ORDER BY seq DESC LIMIT $2', [customerId, limit])).map(toAction)
}

type IncidentRow = { id: string; customer_id: string; deployment_id: string; kind: Incident['kind']; reason: string; opened_at: Date; resolved_at: Date | null }
const toIncident = (r: IncidentRow): Incident => ({
  id: r.id, customerId: r.customer_id, deploymentId: r.deployment_id, kind: r.kind, reason: r.reason, openedAt: new Date(r.opened_at), resolvedAt: r.resolved_at ? new Date(r.resolved_at) : null,
})

/** Opens an incident; null when one of that kind is already open for the deployment. */
export async function openIncident(db: Db, i: Pick<Incident, 'customerId' | 'deploymentId' | 'kind' | 'reason'>, at: Date): Promise<Incident | null> {
  const rows = await db.query<IncidentRow>(
    `INSERT INTO incidents (customer_id, deployment_id, kind, reason, opened_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (customer_id, deployment_id, kind) WHERE resolved_at IS NULL DO NOTHING RETURNING *`, [i.customerId, i.deploymentId, i.kind, i.reason, at])
  return rows[0] ? toIncident(rows[0]) : null
}

/** Resolves the open incident of that kind; the resolved one, or null when none was open. */
export async function resolveIncident(db: Db, customerId: string, deploymentId: string, kind: Incident['kind'], at: Date): Promise<Incident | null> {
  const rows = await db.query<IncidentRow>(
    'UPDATE incidents SET resolved_at = $4 WHERE customer_id = $1 AND deployment_id = $2 AND kind = $3 AND resolved_at IS NULL RETURNING *', [customerId, deploymentId, kind, at])
  return rows[0] ? toIncident(rows[0]) : null
}

/** Open incidents of a customer, or of every customer when `customerId` is null. */
export async function openIncidents(db: Db, customerId: string | null): Promise<Incident[]> {
  return (await db.query<IncidentRow>('SELECT * FROM incidents WHERE resolved_at IS NULL AND ($1::uuid IS NULL OR customer_id = $1) ORDER BY opened_at, id', [customerId])).map(toIncident)
}

/** When the next return to spot may be tried, per deployment of a customer (absent: now). */
export async function spotRetries(db: Db, customerId: string): Promise<Map<string, Date>> {
  const rows = await db.query<{ deployment_id: string; spot_retry_at: Date }>('SELECT deployment_id, spot_retry_at FROM reconciler_intents WHERE customer_id = $1 AND spot_retry_at IS NOT NULL', [customerId])
  return new Map(rows.map((r) => [r.deployment_id, new Date(r.spot_retry_at)]))
}

/** Defers the next return to spot until `at`. */
export async function deferSpot(db: Db, customerId: string, deploymentId: string, at: Date): Promise<void> {
  await db.query('UPDATE reconciler_intents SET spot_retry_at = $3 WHERE customer_id = $1 AND deployment_id = $2', [customerId, deploymentId, at])
}

/** A customer's incidents, open and resolved, newest first. */
export async function listIncidents(db: Db, customerId: string, limit = 200): Promise<Incident[]> {
  return (await db.query<IncidentRow>('SELECT * FROM incidents WHERE customer_id = $1 ORDER BY opened_at DESC, id LIMIT $2', [customerId, limit])).map(toIncident)
}

/** The latest action on each of a customer's deployments (only the leased reconciler writes them). */
export async function lastActions(db: Db, customerId: string): Promise<Map<string, Action>> {
  const rows = await db.query<ActionRow>('SELECT DISTINCT ON (deployment_id) * FROM reconciler_actions WHERE customer_id = $1 ORDER BY deployment_id, seq DESC', [customerId])
  return new Map(rows.map((r) => [r.deployment_id, toAction(r)]))
}

/** True while a workflow run (a rollout) holds the deployment's lock: the change owns the deployment. */
export async function changeInProgress(db: Db, lockKey: string): Promise<boolean> {
  return (await db.query('SELECT 1 FROM workflow_runs WHERE lock_key = $1 AND holds_lock LIMIT 1', [lockKey])).length > 0
}
