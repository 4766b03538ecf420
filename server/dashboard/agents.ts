/**
 * The agents' status for a customer's dashboard, from the orchestrator's registry (migration
 * 0004): per agent type, the healthiest registered instance (health judged from heartbeats on the
 * database clock, as routing judges it) and the latest heartbeat that covered this customer's work.
 */
import type { Db } from '../db/db.ts'
import { AGENT_TYPES, type AgentType } from '../recommendations/recommendation.ts'
import { customerHeartbeats, dbNow, listAgents } from '../orchestrator/store.ts'
import { healthOf, type AgentHealth } from '../orchestrator/orchestrator.ts'

const RANK: Record<AgentHealth | 'not_registered', number> = { active: 0, unhealthy: 1, offline: 2, not_registered: 3 }

/** One row per agent type. */
export async function agentStatuses(db: Db, customerId: string): Promise<{ agent_type: string; status: string; last_heartbeat: string | null; instances: number }[]> {
  const [agents, beats, now] = await Promise.all([listAgents(db), customerHeartbeats(db, customerId), dbNow(db)])
  return AGENT_TYPES.map((t: AgentType) => {
    const mine = agents.filter((a) => a.agent_type === t && a.status !== 'stopped')
    const health = mine.map((a) => healthOf(a, now)).sort((x, y) => RANK[x] - RANK[y])[0] ?? 'not_registered'
    const beat = beats.find((b) => b.agent_type === t)?.last_heartbeat
    const latestAny = mine.map((a) => new Date(a.last_heartbeat_at).getTime()).sort((x, y) => y - x)[0]
    const last = beat ? new Date(beat) : latestAny !== undefined ? new Date(latestAny) : null
    return { agent_type: t, status: health, last_heartbeat: last ? last.toISOString() : null, instances: mine.filter((a) => healthOf(a, now) !== 'offline').length }
  })
}
