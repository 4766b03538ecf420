/**
 * SQL of the orchestrator: agent instances and heartbeats, the leased task queue, analyses and
 * agent events. Liveness times use the database clock (now()) so every process and replica
 * judges leases and heartbeats against the same clock.
 */
import type { Clock } from '../clock.ts'
import type { Db } from '../db/db.ts'
import type { AgentType } from '../recommendations/recommendation.ts'
import { ROUTED_GRACE_MS, UNHEALTHY_AFTER_INTERVALS } from './orchestrator.ts'

/** An agent instance row. */
export interface AgentRow {
  id: string; agent_type: AgentType; version: string; capabilities: string[]; hostname: string; mode: 'in_process' | 'remote'
  token_id: string | null; status: string; heartbeat_interval_ms: number; current_tasks: number; load: number
  registered_at: Date; last_heartbeat_at: Date
}

/** A task row. */
export interface TaskRow {
  id: string; customer_id: string; kind: 'analyze' | 'validate'; agent_type: AgentType; analysis_id: string | null; recommendation_id: string | null
  status: 'queued' | 'running' | 'completed' | 'failed'; routed_agent_id: string | null; claimed_by: string | null; lease_until: Date | null
  attempts: number; max_attempts: number; error: string | null; created_at: Date; started_at: Date | null; completed_at: Date | null
}

/** An analysis row. */
export interface AnalysisRow {
  id: string; customer_id: string; agent_types: AgentType[]; analysis_type: string | null; trigger: string; status: string
  requested_by: string; result: Record<string, unknown>; error: string | null; created_at: Date; completed_at: Date | null
}

/** The database's current time (the liveness clock). */
export async function dbNow(db: Db): Promise<Date> {
  return new Date((await db.query<{ now: Date }>('SELECT now() AS now'))[0]!.now)
}

/** Registers an agent instance. */
export async function insertAgent(db: Db, a: Pick<AgentRow, 'agent_type' | 'version' | 'capabilities' | 'hostname' | 'mode' | 'token_id' | 'heartbeat_interval_ms'>): Promise<AgentRow> {
  const rows = await db.query<AgentRow>(
    `INSERT INTO agents (agent_type, version, capabilities, hostname, mode, token_id, heartbeat_interval_ms)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
    [a.agent_type, a.version, JSON.stringify(a.capabilities), a.hostname, a.mode, a.token_id, a.heartbeat_interval_ms])
  return rows[0]!
}

/** One agent instance. */
export async function getAgent(db: Db, id: string): Promise<AgentRow | undefined> {
  return (await db.query<AgentRow>('SELECT * FROM agents WHERE id = $1', [id]))[0]
}

/** Every agent instance (optionally of one type), newest registration first. */
export async function listAgents(db: Db, agentType?: AgentType): Promise<AgentRow[]> {
  return db.query<AgentRow>('SELECT * FROM agents WHERE ($1::text IS NULL OR agent_type = $1) ORDER BY registered_at DESC, id', [agentType ?? null])
}

/** A heartbeat: what the agent reports, and the customers whose work it covers. */
export interface Heartbeat { status: string; current_tasks: number; load: number; customerIds: string[] }

/** Stores a heartbeat (one row, plus one per customer) and refreshes the agent's liveness. */
export async function recordHeartbeat(tx: Db, agent: Pick<AgentRow, 'id' | 'agent_type'>, hb: Heartbeat): Promise<void> {
  await tx.query(
    `UPDATE agents SET status = $2, current_tasks = $3, load = $4, last_heartbeat_at = now() WHERE id = $1`,
    [agent.id, hb.status, hb.current_tasks, hb.load])
  await tx.query(
    `INSERT INTO agent_heartbeats (agent_id, agent_type, customer_id, status, current_tasks, load)
     SELECT $1::uuid, $2::text, c, $3::text, $4::int, $5::float8 FROM unnest($6::uuid[]) AS c
     UNION ALL SELECT $1::uuid, $2::text, NULL::uuid, $3::text, $4::int, $5::float8`,
    [agent.id, agent.agent_type, hb.status, hb.current_tasks, hb.load, hb.customerIds])
}

/** Marks an agent stopped (graceful shutdown): routing skips it at once. */
export async function markStopped(db: Db, agentId: string): Promise<void> {
  await db.query(`UPDATE agents SET status = 'stopped' WHERE id = $1`, [agentId])
}

/** Latest heartbeat per agent type for a customer (the dashboard's "agents monitoring me"). */
export async function customerHeartbeats(db: Db, customerId: string): Promise<{ agent_type: AgentType; last_heartbeat: Date; agents: number }[]> {
  return db.query(
    `SELECT agent_type, max("timestamp") AS last_heartbeat, count(DISTINCT agent_id)::int AS agents
     FROM agent_heartbeats WHERE customer_id = $1 GROUP BY agent_type ORDER BY agent_type`, [customerId])
}

/** Deletes heartbeats older than `keepMs` (the per-agent row keeps the latest). */
export async function pruneHeartbeats(db: Db, keepMs: number): Promise<number> {
  const rows = await db.query<{ n: number }>(
    `WITH d AS (DELETE FROM agent_heartbeats WHERE "timestamp" < now() - make_interval(secs => $1::double precision / 1000) RETURNING 1)
     SELECT count(*)::int AS n FROM d`, [keepMs])
  return rows[0]?.n ?? 0
}

/** Queues a task. */
export async function insertTask(tx: Db, t: Pick<TaskRow, 'customer_id' | 'kind' | 'agent_type' | 'analysis_id' | 'recommendation_id' | 'routed_agent_id'>): Promise<string> {
  const rows = await tx.query<{ id: string }>(
    `INSERT INTO agent_tasks (customer_id, kind, agent_type, analysis_id, recommendation_id, routed_agent_id)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [t.customer_id, t.kind, t.agent_type, t.analysis_id, t.recommendation_id, t.routed_agent_id])
  return rows[0]!.id
}

/**
 * Claims the oldest task an agent may take, with a lease: queued tasks routed to it, to nobody,
 * to an instance that stopped heartbeating, or left unclaimed past the routing grace; and running
 * tasks whose lease expired (their holder died). SKIP LOCKED keeps concurrent claimers apart.
 */
export async function claimTask(tx: Db, agent: Pick<AgentRow, 'id' | 'agent_type'>, leaseMs: number): Promise<TaskRow | undefined> {
  const rows = await tx.query<TaskRow>(
    `UPDATE agent_tasks t SET status = 'running', claimed_by = $1, lease_until = now() + make_interval(secs => $3::double precision / 1000),
       attempts = t.attempts + 1, started_at = COALESCE(t.started_at, now())
     WHERE t.id = (
       SELECT q.id FROM agent_tasks q LEFT JOIN agents r ON r.id = q.routed_agent_id
       WHERE q.agent_type = $2 AND q.attempts < q.max_attempts AND (
         (q.status = 'queued' AND (q.routed_agent_id IS NULL OR q.routed_agent_id = $1
           OR q.created_at < now() - make_interval(secs => $4::double precision / 1000)
           OR r.status IN ('stopped', 'draining')
           OR r.last_heartbeat_at < now() - make_interval(secs => r.heartbeat_interval_ms * $5::double precision / 1000)))
         OR (q.status = 'running' AND q.lease_until < now()))
       ORDER BY q.created_at, q.id LIMIT 1 FOR UPDATE OF q SKIP LOCKED)
     RETURNING t.*`,
    [agent.id, agent.agent_type, leaseMs, ROUTED_GRACE_MS, UNHEALTHY_AFTER_INTERVALS])
  return rows[0]
}

/** Extends the lease of a task the agent still holds; false when it lost it. */
export async function renewLease(db: Db, taskId: string, agentId: string, leaseMs: number): Promise<boolean> {
  const rows = await db.query<{ id: string }>(
    `UPDATE agent_tasks SET lease_until = now() + make_interval(secs => $3::double precision / 1000)
     WHERE id = $1 AND claimed_by = $2 AND status = 'running' RETURNING id`, [taskId, agentId, leaseMs])
  return rows.length > 0
}

/** Finishes a task the agent holds: completed, or failed (back to the queue while attempts remain). */
export async function finishTask(tx: Db, taskId: string, agentId: string, outcome: { ok: true } | { ok: false; error: string }): Promise<TaskRow | undefined> {
  const rows = await tx.query<TaskRow>(
    `UPDATE agent_tasks SET
       status = CASE WHEN $3 THEN 'completed' WHEN attempts < max_attempts THEN 'queued' ELSE 'failed' END,
       claimed_by = CASE WHEN $3 OR attempts >= max_attempts THEN claimed_by ELSE NULL END,
       lease_until = NULL, error = $4, completed_at = CASE WHEN $3 OR attempts >= max_attempts THEN now() ELSE NULL END
     WHERE id = $1 AND claimed_by = $2 AND status = 'running' RETURNING *`,
    [taskId, agentId, outcome.ok, outcome.ok ? null : outcome.error])
  return rows[0]
}

/** Fails running tasks whose lease expired after their last allowed attempt (nobody may claim them again). */
export async function failExhausted(db: Db): Promise<TaskRow[]> {
  return db.query<TaskRow>(
    `UPDATE agent_tasks SET status = 'failed', error = COALESCE(error, 'lease expired on the last attempt'), completed_at = now(), lease_until = NULL
     WHERE status = 'running' AND lease_until < now() AND attempts >= max_attempts RETURNING *`)
}

/** One task. */
export async function getTask(db: Db, id: string): Promise<TaskRow | undefined> {
  return (await db.query<TaskRow>('SELECT * FROM agent_tasks WHERE id = $1', [id]))[0]
}

/** Tasks of an analysis, oldest first. */
export async function tasksOfAnalysis(db: Db, analysisId: string): Promise<TaskRow[]> {
  return db.query<TaskRow>('SELECT * FROM agent_tasks WHERE analysis_id = $1 ORDER BY created_at, agent_type', [analysisId])
}

/** Creates an analysis. */
export async function insertAnalysis(tx: Db, a: Pick<AnalysisRow, 'customer_id' | 'agent_types' | 'analysis_type' | 'trigger' | 'requested_by'>, now: Date): Promise<string> {
  const rows = await tx.query<{ id: string }>(
    `INSERT INTO analyses (customer_id, agent_types, analysis_type, trigger, requested_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [a.customer_id, JSON.stringify(a.agent_types), a.analysis_type, a.trigger, a.requested_by, now])
  return rows[0]!.id
}

/** One analysis. */
export async function getAnalysis(db: Db, id: string): Promise<AnalysisRow | undefined> {
  return (await db.query<AnalysisRow>('SELECT * FROM analyses WHERE id = $1', [id]))[0]
}

/** A customer's analyses, newest first. */
export async function listAnalyses(db: Db, customerId: string, limit = 50): Promise<AnalysisRow[]> {
  return db.query<AnalysisRow>('SELECT * FROM analyses WHERE customer_id = $1 ORDER BY created_at DESC, id LIMIT $2', [customerId, limit])
}

/** Whether a customer has an analysis still in progress (the schedule does not pile them up). */
export async function hasOpenAnalysis(db: Db, customerId: string): Promise<boolean> {
  return (await db.query(`SELECT 1 FROM analyses WHERE customer_id = $1 AND status IN ('started', 'running') LIMIT 1`, [customerId])).length > 0
}

/** Records one agent's part of an analysis and derives the analysis status from its tasks. */
export async function updateAnalysis(tx: Db, id: string, part: { agentType: AgentType; result: Record<string, unknown> } | null, now: Date): Promise<AnalysisRow> {
  if (part) await tx.query(`UPDATE analyses SET result = result || jsonb_build_object($2::text, $3::jsonb) WHERE id = $1`, [id, part.agentType, JSON.stringify(part.result)])
  const counts = (await tx.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM agent_tasks WHERE analysis_id = $1 GROUP BY status', [id]))
  const n = (s: string) => counts.find((c) => c.status === s)?.n ?? 0
  const total = counts.reduce((a, c) => a + c.n, 0)
  const status = n('completed') + n('failed') === total ? (n('failed') > 0 ? 'failed' : 'completed') : n('running') + n('completed') + n('failed') > 0 ? 'running' : 'started'
  const rows = await tx.query<AnalysisRow>(
    `UPDATE analyses SET status = $2, completed_at = CASE WHEN $2 IN ('completed', 'failed') THEN COALESCE(completed_at, $3) ELSE NULL END,
       error = CASE WHEN $2 = 'failed' THEN (SELECT string_agg(agent_type || ': ' || COALESCE(error, 'failed'), '; ') FROM agent_tasks WHERE analysis_id = $1 AND status = 'failed') ELSE NULL END
     WHERE id = $1 RETURNING *`, [id, status, now])
  return rows[0]!
}

/** An agent event (e.g. `resolution_executed`): `agentType` may be 'orchestrator'. */
export interface AgentEventInput { customerId: string | null; agentType: AgentType | 'orchestrator'; eventType: string; data?: Record<string, unknown> }

/** Records an agent event; call it inside the transaction of what it reports. */
export async function recordAgentEvent(db: Db, clock: Pick<Clock, 'now'>, e: AgentEventInput): Promise<void> {
  await db.query('INSERT INTO agent_events (customer_id, agent_type, event_type, data, at) VALUES ($1, $2, $3, $4, $5)',
    [e.customerId, e.agentType, e.eventType, JSON.stringify(e.data ?? {}), clock.now()])
}

/** A customer's agent events, oldest first, optionally of one type. */
export async function listAgentEvents(db: Db, customerId: string, eventType?: string, limit = 500) {
  const rows = await db.query<{ id: number; agent_type: string; event_type: string; data: Record<string, unknown>; at: Date }>(
    `SELECT id, agent_type, event_type, data, at FROM agent_events WHERE customer_id = $1 AND ($2::text IS NULL OR event_type = $2)
     ORDER BY at, id LIMIT $3`, [customerId, eventType ?? null, limit])
  return rows.map((r) => ({ ...r, id: Number(r.id), customer_id: customerId, at: new Date(r.at).toISOString() }))
}
