/**
 * `optiinfra agent cost|performance|resource|application --server URL --token oia_…`: one agent
 * as its own process. It registers with the orchestrator, heartbeats, pulls tasks with a lease,
 * fetches each task's context over HTTP, runs the same agent code as the in-process agents, and
 * posts the result; SIGTERM deregisters after the task in hand.
 */
import type { Command } from 'commander'
import { hostname } from 'node:os'
import pino from 'pino'
import { loadCatalog } from '../cloud/catalog/catalog.ts'
import { agentFor } from '../agents/index.ts'
import { createHttpProbe } from '../agents/application/probe.ts'
import { AGENT_TYPES, type AgentType } from '../recommendations/recommendation.ts'
import { DEFAULT_HEARTBEAT_MS, DEFAULT_LEASE_MS, leaseMs } from './orchestrator.ts'
import { httpTransport } from './transports.ts'
import { startAgentWorker, type RunningWorker } from './worker.ts'

/** What the agent process needs to run. */
export interface AgentProcessOptions {
  type: AgentType
  server: string
  token: string
  hostname?: string
  heartbeatMs?: number
  leaseMs?: number
  pollMs?: number
  taskDelayMs?: number
}

/** Starts an agent process's worker against a platform URL. */
export async function runAgentProcess(o: AgentProcessOptions, log = pino({ level: process.env.LOG_LEVEL ?? 'info' })): Promise<RunningWorker> {
  const agent = agentFor(o.type)
  return startAgentWorker({
    agent, transport: httpTransport(o.server, o.token), catalog: loadCatalog(), hostname: o.hostname ?? `${hostname()}:${process.pid}`,
    probe: () => createHttpProbe({ baseUrl: o.server, token: o.token }),
    heartbeatMs: o.heartbeatMs ?? DEFAULT_HEARTBEAT_MS, leaseMs: leaseMs(o.leaseMs ?? DEFAULT_LEASE_MS), pollMs: o.pollMs ?? 1_000,
    ...(o.taskDelayMs ? { taskDelayMs: o.taskDelayMs } : {}),
    log,
  })
}

const positive = (name: string, raw: string | undefined): number | undefined => {
  if (raw === undefined) return undefined
  const n = Number(raw)
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number of milliseconds`)
  return n
}

/** Registers `agent <type>` on the program. */
export function registerAgentCommand(program: Command): void {
  program.command('agent <type>').description(`run one agent (${AGENT_TYPES.join('|')}) as its own process against a platform`)
    .requiredOption('--server <url>', 'platform URL')
    .requiredOption('--token <token>', 'platform agent token (oia_…), minted by an admin with POST /orchestrator/agent-tokens')
    .option('--hostname <name>', 'name to register under (default: host:pid)')
    .option('--heartbeat-ms <ms>', `heartbeat interval (default ${DEFAULT_HEARTBEAT_MS})`)
    .option('--lease-ms <ms>', `task lease, renewed while working (default ${DEFAULT_LEASE_MS})`)
    .option('--poll-ms <ms>', 'queue poll interval when idle (default 1000)')
    .option('--task-delay-ms <ms>', 'chaos testing: pause after claiming each task')
    .action(async (type: string, f: Record<string, string | undefined>) => {
      if (!AGENT_TYPES.includes(type as AgentType)) { console.error(`optiinfra agent: type must be one of ${AGENT_TYPES.join(', ')}`); process.exitCode = 2; return }
      let worker: RunningWorker
      try {
        worker = await runAgentProcess({
          type: type as AgentType, server: f.server!, token: f.token!, ...(f.hostname ? { hostname: f.hostname } : {}),
          heartbeatMs: positive('--heartbeat-ms', f.heartbeatMs), leaseMs: positive('--lease-ms', f.leaseMs), pollMs: positive('--poll-ms', f.pollMs),
          taskDelayMs: positive('--task-delay-ms', f.taskDelayMs),
        } as AgentProcessOptions)
      } catch (err) { console.error(`optiinfra agent: ${(err as Error).message}`); process.exitCode = 1; return }
      console.log(JSON.stringify({ msg: 'agent registered', agent_type: type, agent_id: worker.agentId }))
      const shutdown = async () => { await worker.stop(); process.exit(0) }
      process.once('SIGINT', shutdown)
      process.once('SIGTERM', shutdown)
    })
}
