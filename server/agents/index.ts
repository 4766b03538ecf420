/**
 * The explicit agent registry: adding an agent is one line here plus its folder. Everything that
 * runs agents (in-process workers, agent processes, the benchmark) looks them up from this list.
 */
import type { AgentType } from '../recommendations/recommendation.ts'
import type { Agent } from './agent.ts'
import { applicationAgent } from './application/application.ts'
import { costAgent } from './cost/cost.ts'
import { performanceAgent } from './performance/performance.ts'
import { resourceAgent } from './resource/resource.ts'

/** Every agent, in the order analyses run. */
export const agents: readonly Agent[] = [costAgent, performanceAgent, resourceAgent, applicationAgent]

/** The agent of a type (every AgentType has one). */
export function agentFor(type: AgentType): Agent {
  const agent = agents.find((a) => a.type === type)
  if (!agent) throw new Error(`no agent registered for ${type}`)
  return agent
}

/** Agents that have a say on a recommendation, other than the one that proposed it. */
export function validatorsFor(rec: Parameters<Agent['validates']>[0]): Agent[] {
  return agents.filter((a) => a.type !== rec.agentType && a.validates(rec))
}
