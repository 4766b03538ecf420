/**
 * One agent instance at work: register, heartbeat, claim a task, run the agent on it while
 * renewing the lease, hand in the result, repeat. The transport decides whether that talks to the
 * store directly (in-process agents) or to the orchestrator over HTTP (agent processes); the loop
 * and the agent code are the same, so results are the same.
 */
import { systemClock, type Clock } from '../clock.ts'
import type { Catalog } from '../cloud/catalog/catalog.ts'
import type { Agent, QualityProbe } from '../agents/agent.ts'
import { jsonSafe, runAnalysis, runValidation } from '../agents/run.ts'
import { hydrateContext } from './context.ts'
import type { ClaimedTask, TaskResult } from './tasks.ts'

/** What an agent says about itself when it registers. */
export interface RegisterInfo { agent_type: Agent['type']; version: string; capabilities: string[]; hostname: string; heartbeat_interval_ms: number }

/** A heartbeat from the worker. */
export interface WorkerHeartbeat { status: 'active'; current_tasks: number; load: number; customer_ids: string[] }

/** How a worker reaches the orchestrator. */
export interface AgentTransport {
  register(info: RegisterInfo): Promise<string>
  heartbeat(agentId: string, hb: WorkerHeartbeat): Promise<void>
  claim(agentId: string, leaseMs: number): Promise<ClaimedTask | null>
  renew(agentId: string, taskId: string, leaseMs: number): Promise<boolean>
  complete(agentId: string, taskId: string, result: TaskResult): Promise<'ok' | 'stale'>
  stop(agentId: string): Promise<void>
  /** Wake-ups when work is queued (LISTEN in-process); workers poll as well. */
  onWake?(fn: () => void): Promise<() => Promise<void>>
}

/** Worker settings. */
export interface WorkerOptions {
  agent: Agent
  transport: AgentTransport
  catalog: Catalog
  hostname: string
  /** The quality probe for the application agent (HTTP against the fleet's endpoints). */
  probe?: () => QualityProbe
  heartbeatMs: number
  leaseMs: number
  /** Poll interval when idle (wake-ups usually come sooner). */
  pollMs: number
  /** Customers this instance keeps watching even when idle (in-process: every onboarded customer). */
  monitoredCustomers?: () => Promise<string[]>
  /** Chaos/testing: wait this long after claiming a task, widening the window in which a crash strands it. */
  taskDelayMs?: number
  /** Liveness clock (wall time): heartbeats and polling are about processes, not fleet time. */
  wall?: Clock
  log?: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void }
}

/** A running worker. */
export interface RunningWorker {
  readonly agentId: string
  readonly processed: () => number
  stop(): Promise<void>
}

/** Customers worked for within this window appear in heartbeats ("this agent monitors you"). */
const RECENT_CUSTOMER_MS = 15 * 60_000
/** Idle monitoring is reported per customer at most this often (a row per customer per beat would not scale). */
const MONITOR_BEAT_MS = 60_000
/** Share of the busy/idle signal a new heartbeat sample contributes to the reported load. */
const LOAD_SMOOTHING = 0.3

/** Runs the agent on a claimed task; an exception becomes an error result (counted against the task's attempts). */
export async function perform(agent: Agent, claimed: ClaimedTask, catalog: Catalog, probe?: QualityProbe): Promise<TaskResult> {
  try {
    const ctx = hydrateContext(claimed.context, catalog, probe)
    if (claimed.task.kind === 'analyze') return { kind: 'analysis', output: jsonSafe(await runAnalysis(agent, ctx)) }
    if (!claimed.recommendation) return { kind: 'error', error: `recommendation ${claimed.task.recommendation_id} not found` }
    return { kind: 'validation', output: jsonSafe(await runValidation(agent, claimed.recommendation, ctx)) }
  } catch (err) {
    return { kind: 'error', error: err instanceof Error ? err.message : String(err) }
  }
}

/** Registers and starts the heartbeat and work loops. */
export async function startAgentWorker(o: WorkerOptions): Promise<RunningWorker> {
  const wall = o.wall ?? systemClock
  const agentId = await o.transport.register({ agent_type: o.agent.type, version: o.agent.version, capabilities: [...o.agent.capabilities], hostname: o.hostname, heartbeat_interval_ms: o.heartbeatMs })
  const recent = new Map<string, number>()
  let running = true
  let busy = false
  let load = 0
  let processed = 0
  let lastMonitorBeat = Number.NEGATIVE_INFINITY
  // Interruptible naps: a wake-up (new work, or stop) ends every pending nap at once.
  const waiting = new Set<() => void>()
  const wakeAll = () => { for (const w of waiting) w(); waiting.clear() }
  const nap = (ms: number) => new Promise<void>((resolve) => { waiting.add(resolve); void wall.sleep(ms).then(() => { waiting.delete(resolve); resolve() }) })
  const unlisten = (await o.transport.onWake?.(wakeAll).catch(() => null)) ?? null

  const beat = async () => {
    load = (1 - LOAD_SMOOTHING) * load + LOAD_SMOOTHING * (busy ? 1 : 0)
    const now = wall.now().getTime()
    for (const [c, t] of recent) if (now - t > RECENT_CUSTOMER_MS) recent.delete(c)
    const monitorDue = now - lastMonitorBeat >= MONITOR_BEAT_MS
    if (monitorDue) lastMonitorBeat = now
    const monitored = monitorDue ? ((await o.monitoredCustomers?.().catch(() => [])) ?? []) : []
    const customer_ids = [...new Set([...recent.keys(), ...monitored])]
    await o.transport.heartbeat(agentId, { status: 'active', current_tasks: busy ? 1 : 0, load: Number(load.toFixed(3)), customer_ids })
  }

  const work = async (claimed: ClaimedTask) => {
    busy = true
    const firstForCustomer = !recent.has(claimed.task.customer_id)
    recent.set(claimed.task.customer_id, wall.now().getTime())
    let holding = true
    const renewing = (async () => {
      while (holding) {
        await wall.sleep(o.leaseMs / 3)
        if (holding) holding = await o.transport.renew(agentId, claimed.task.id, o.leaseMs).catch(() => holding)
      }
    })()
    try {
      if (o.taskDelayMs) await wall.sleep(o.taskDelayMs)
      const result = await perform(o.agent, claimed, o.catalog, o.agent.type === 'application' ? o.probe?.() : undefined)
      const outcome = await o.transport.complete(agentId, claimed.task.id, result)
      if (outcome === 'stale') o.log?.warn({ taskId: claimed.task.id }, 'task was reclaimed by another agent; result dropped')
      processed++
    } finally {
      holding = false
      busy = false
      void renewing
    }
    // A customer this instance just started working for sees it in the heartbeats at once.
    if (firstForCustomer) await beat().catch((err: unknown) => o.log?.warn({ err }, 'heartbeat failed'))
  }

  const heartbeatLoop = (async () => {
    while (running) {
      await beat().catch((err: unknown) => o.log?.warn({ err }, 'heartbeat failed'))
      if (running) await nap(o.heartbeatMs)
    }
  })()
  const workLoop = (async () => {
    while (running) {
      const claimed = await o.transport.claim(agentId, o.leaseMs).catch((err: unknown) => { o.log?.warn({ err }, 'claim failed'); return null })
      if (claimed && running) await work(claimed).catch((err: unknown) => o.log?.warn({ err }, 'task failed'))
      else if (running) await nap(o.pollMs)
    }
  })()

  return {
    agentId,
    processed: () => processed,
    async stop() {
      running = false
      wakeAll()
      await Promise.all([workLoop, heartbeatLoop])
      await unlisten?.().catch(() => undefined)
      await o.transport.stop(agentId).catch(() => undefined)
    },
  }
}
