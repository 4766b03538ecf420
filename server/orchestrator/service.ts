/**
 * The in-process agents service: the four agents run inside the platform process as workers of
 * the same task queue agent processes use, plus the orchestrator's housekeeping (tasks that ran out
 * of attempts, heartbeat retention, periodic re-analysis), the resumption of discoveries a restart
 * interrupted, and the adoption of fleets seeded without onboarding (the demo's).
 */
import { hostname } from 'node:os'
import { systemClock, type Clock } from '../clock.ts'
import { loadCatalog } from '../cloud/catalog/catalog.ts'
import type { Deps } from '../deps.ts'
import type { Service } from '../services.ts'
import { agents as allAgents } from '../agents/index.ts'
import type { Agent } from '../agents/agent.ts'
import { createHttpProbe } from '../agents/application/probe.ts'
import { adoptExistingFleets, runDiscovery } from '../onboarding/discover.ts'
import { startAnalysis } from '../recommendations/analyze.ts'
import { AGENT_TYPES } from '../recommendations/recommendation.ts'
import { discoveredCustomers, unfinishedDiscoveries } from '../onboarding/store.ts'
import { DEFAULT_HEARTBEAT_MS, DEFAULT_LEASE_MS } from './orchestrator.ts'
import { hasOpenAnalysis, pruneHeartbeats } from './store.ts'
import { sweepTasks } from './tasks.ts'
import { createWakeHub, inProcessTransport } from './transports.ts'
import { startAgentWorker, type RunningWorker } from './worker.ts'

/** Options for tests: which agents run in-process (none: only agent processes work), and timings. */
export interface AgentsServiceOptions {
  agents?: readonly Agent[]
  heartbeatMs?: number
  leaseMs?: number
  pollMs?: number
  sweepMs?: number
  /** Re-analysis period of every monitored customer (wall time; 0 turns it off). */
  reanalyzeMs?: number
  wall?: Clock
}

/** Agents look at each monitored fleet again this often, so telemetry-backed evidence replaces model-only first looks. */
const DEFAULT_REANALYZE_MS = 15 * 60_000

/** Starts a scheduled analysis of every monitored customer that has none in progress. */
export async function reanalyzeMonitored(deps: Deps): Promise<number> {
  let started = 0
  for (const customerId of await discoveredCustomers(deps.db)) {
    if (await hasOpenAnalysis(deps.db, customerId)) continue
    await startAnalysis(deps, { customerId, agentTypes: [...AGENT_TYPES], trigger: 'schedule', analysisType: null, requestedBy: 'orchestrator' })
    started++
  }
  return started
}

/** How long heartbeat history is kept (the latest per agent lives on the agent row; dashboards need the last one). */
const HEARTBEAT_RETENTION_MS = 2 * 3_600_000

/** Creates the service; `start` resumes discoveries and starts the workers and the sweeper. */
export function createAgentsService(deps: Deps, opts: AgentsServiceOptions = {}): Service {
  const wall = opts.wall ?? systemClock
  let workers: RunningWorker[] = []
  let hub: Awaited<ReturnType<typeof createWakeHub>> | null = null
  let running = false
  let sweeper: Promise<void> | null = null
  let wakeSweeper: () => void = () => undefined

  const sweepLoop = async () => {
    let lastPrune = 0
    let lastAnalysis = wall.now().getTime()
    const reanalyzeMs = opts.reanalyzeMs ?? DEFAULT_REANALYZE_MS
    while (running) {
      if (reanalyzeMs > 0 && wall.now().getTime() - lastAnalysis >= reanalyzeMs) {
        lastAnalysis = wall.now().getTime()
        await reanalyzeMonitored(deps).catch((err: unknown) => deps.log.warn({ err }, 'scheduled analysis failed'))
      }
      await sweepTasks(deps).catch((err: unknown) => deps.log.warn({ err }, 'task sweep failed'))
      if (wall.now().getTime() - lastPrune > 3_600_000) {
        lastPrune = wall.now().getTime()
        await pruneHeartbeats(deps.db, HEARTBEAT_RETENTION_MS).catch((err: unknown) => deps.log.warn({ err }, 'heartbeat pruning failed'))
      }
      await new Promise<void>((resolve) => { wakeSweeper = resolve; void wall.sleep(opts.sweepMs ?? 2_000).then(resolve) })
    }
  }

  return {
    name: 'agents',
    async start() {
      running = true
      const catalog = loadCatalog()
      hub = await createWakeHub(deps)
      const transport = inProcessTransport(deps, catalog, hub)
      // The application agent waits on the fleet's endpoints (dozens of evaluation prompts per
      // validation), so it runs two instances; the others compute in milliseconds.
      const instances = (opts.agents ?? allAgents).flatMap((agent) => (agent.type === 'application' ? [agent, agent] : [agent]))
      workers = await Promise.all(instances.map((agent) => startAgentWorker({
        agent, transport, catalog, hostname: `${hostname()}:in-process`, wall,
        probe: () => createHttpProbe({ baseUrl: deps.selfUrl(), token: deps.fleetToken() }),
        heartbeatMs: opts.heartbeatMs ?? DEFAULT_HEARTBEAT_MS, leaseMs: opts.leaseMs ?? DEFAULT_LEASE_MS, pollMs: opts.pollMs ?? 1_000,
        monitoredCustomers: () => discoveredCustomers(deps.db),
        log: deps.log,
      })))
      sweeper = sweepLoop()
      for (const customerId of await unfinishedDiscoveries(deps.db)) {
        void runDiscovery(deps, customerId).catch((err: unknown) => deps.log.error({ err, customerId }, 'resumed discovery crashed'))
      }
      void adoptExistingFleets(deps).catch((err: unknown) => deps.log.warn({ err }, 'adopting existing fleets failed'))
    },
    async stop() {
      running = false
      wakeSweeper()
      await Promise.all(workers.map((w) => w.stop()))
      await sweeper
      await hub?.close().catch(() => undefined)
      workers = []
      hub = null
    },
    async check() {
      if (!running) throw new Error('agents are not running')
      return `${workers.length} in-process agent(s)`
    },
  }
}
