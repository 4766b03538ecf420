/** How the orchestrator's rows are shown over the API. */
import { healthOf } from './orchestrator.ts'
import type { AgentRow, TaskRow } from './store.ts'

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null)

/** An agent instance as the API shows it; `status` is its health now. */
export function presentAgent(a: AgentRow, now: Date) {
  return {
    agent_id: a.id, agent_type: a.agent_type, version: a.version, capabilities: a.capabilities, hostname: a.hostname, mode: a.mode,
    status: healthOf(a, now), reported_status: a.status, heartbeat_interval_ms: a.heartbeat_interval_ms, current_tasks: a.current_tasks,
    load: a.load, registered_at: iso(a.registered_at)!, last_heartbeat: iso(a.last_heartbeat_at)!,
  }
}

/** A task as the API shows it. */
export function presentTask(t: TaskRow) {
  return {
    id: t.id, customer_id: t.customer_id, kind: t.kind, agent_type: t.agent_type, analysis_id: t.analysis_id, recommendation_id: t.recommendation_id,
    status: t.status, attempts: t.attempts, claimed_by: t.claimed_by, routed_agent_id: t.routed_agent_id, lease_until: iso(t.lease_until), error: t.error,
    created_at: iso(t.created_at)!, started_at: iso(t.started_at), completed_at: iso(t.completed_at),
  }
}

