/**
 * Orchestrator rules: agent health from heartbeat age, routing by capability and load, and the
 * lease arithmetic of the task queue. Pure; times are passed in.
 */
import type { AgentType } from '../recommendations/recommendation.ts'

/** Health of an agent instance as the orchestrator judges it. */
export type AgentHealth = 'active' | 'unhealthy' | 'offline'

/** Missing this many heartbeat intervals makes an agent unhealthy (no new work routed to it). */
export const UNHEALTHY_AFTER_INTERVALS = 2.5
/** Missing this many makes it offline (its leased work is reclaimed as leases expire). */
export const OFFLINE_AFTER_INTERVALS = 6
/** Heartbeat interval of in-process agents, and the default for agent processes. */
export const DEFAULT_HEARTBEAT_MS = 5_000
/** Lease of a claimed task unless the agent asks for another (renewed while the agent works). */
export const DEFAULT_LEASE_MS = 30_000
export const MIN_LEASE_MS = 1_000
export const MAX_LEASE_MS = 600_000
/** A task routed to one instance may be taken by another of the same type after this long unclaimed. */
export const ROUTED_GRACE_MS = 2_000

/** Health from the reported status and the age of the last heartbeat. */
export function healthOf(a: { status: string; last_heartbeat_at: Date | string; heartbeat_interval_ms: number }, now: Date): AgentHealth {
  if (a.status === 'stopped' || a.status === 'offline') return 'offline'
  const age = now.getTime() - new Date(a.last_heartbeat_at).getTime()
  if (age > OFFLINE_AFTER_INTERVALS * a.heartbeat_interval_ms) return 'offline'
  // a draining instance finishes what it holds but takes nothing new
  if (age > UNHEALTHY_AFTER_INTERVALS * a.heartbeat_interval_ms || a.status === 'draining') return 'unhealthy'
  return 'active'
}

/** An agent instance as routing sees it. */
export interface RoutingCandidate { id: string; agent_type: AgentType; capabilities: string[]; health: AgentHealth; current_tasks: number; load: number }

/**
 * Picks the instance for a task: an active instance of the type that declares the capability,
 * least loaded first (reported load, then tasks in hand). Null when none is active: the task
 * waits in the queue for any instance of the type.
 */
export function chooseAgent(candidates: RoutingCandidate[], agentType: AgentType, capability: string): RoutingCandidate | null {
  const eligible = candidates.filter((c) => c.agent_type === agentType && c.health === 'active' && (c.capabilities.length === 0 || c.capabilities.includes(capability)))
  eligible.sort((a, b) => a.load - b.load || a.current_tasks - b.current_tasks || a.id.localeCompare(b.id))
  return eligible[0] ?? null
}

/** Clamps a requested lease into the allowed range. */
export function leaseMs(requested: number | undefined): number {
  if (requested === undefined || !Number.isFinite(requested)) return DEFAULT_LEASE_MS
  return Math.min(MAX_LEASE_MS, Math.max(MIN_LEASE_MS, Math.round(requested)))
}
