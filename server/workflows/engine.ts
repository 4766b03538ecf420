/**
 * The workflow engine (pg-boss/graphile mechanics under Argo's step model). It alone claims due
 * runs (`FOR UPDATE SKIP LOCKED` + lease), runs ONE step of each, applies the pure transition,
 * and writes the new run state, its event row and its audit row in one transaction, then sends
 * the live events and a NOTIFY hint. Steps never touch the run row; they return a verdict.
 */
import { hostname } from 'node:os'
import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import type { Db } from '../db/db.ts'
import type { Clock } from '../clock.ts'
import type { LiveHub, LiveEvent } from '../http/live.ts'
import { recordAudit } from '../audit/store.ts'
import {
  abortInto, DEFAULT_RETRY, startStep, transition,
  type RetryPolicy, type Run, type RunPhase, type StepResult, type Transition,
} from './workflow.ts'
import {
  appendEvent, claimDueRuns, clearAbortRequest, lockHolder, nextDueAt, releaseAllLeases, releaseClaim, renewLease, saveRun, tryAcquireLock,
} from './store.ts'

/** What the engine itself needs; definitions may require more (e.g. a cloud provider). */
export interface EngineDeps { db: Db; clock: Clock; log: Logger; live: LiveHub }

/** What a step gets besides the run: time, its name, an idempotency key maker and a cancel signal. */
export interface StepEnv<D> {
  deps: D
  now: Date
  stepName: string
  worker: string
  /** `${run.id}:${step}[:part]`: the changeId every cloud call of this step must carry. */
  changeId(part?: string): string
  /** Aborted when the step exceeds its timeout. */
  signal: AbortSignal
}

/** A step: idempotent, mutates only `run.context`/`run.result` of the draft it is given. */
export type Step<D> = (env: StepEnv<D>, run: Run) => Promise<StepResult>

/** A named step of a definition. `irreversible`: once completed, the run can no longer roll back. */
export interface StepSpec<D> { run: Step<D>; timeoutMs?: number; irreversible?: boolean }

/** A workflow definition: steps by name, the abort path, the final bookkeeping and hooks. */
export interface WorkflowDefinition<D> {
  kind: string
  steps: Record<string, StepSpec<D>>
  rollback: Step<D>
  finish: Step<D>
  retry?: Record<RunPhase, RetryPolicy>
  /** Runs inside the transition's transaction (domain rows, extra audit); returns live events to send after commit. */
  onTransition?(tx: Db, t: Transition, prev: Run, deps: D): Promise<LiveEvent[]>
}

/** Engine tuning. Lease and timeouts are wall time (process liveness); waits are clock time. */
export interface EngineOptions {
  workerId?: string
  /** Runs processed at once by this process. */
  concurrency?: number
  /** Lease on a claimed run; renewed every third of it while the step runs. */
  leaseMs?: number
  /** A step taking longer (wall) counts as a retryable error. */
  stepTimeoutMs?: number
  /** Longest idle wait (wall) before looking for due runs again. */
  pollMs?: number
  /** How long (clock time) a run waits before retrying to take its resource lock. */
  lockRetryMs?: number
}

/** A running engine. */
export interface Engine {
  readonly workerId: string
  start(): Promise<void>
  stop(): Promise<void>
  /** Claims and processes at most one due run; true when it did (tests drive the engine with it). */
  runOnce(): Promise<boolean>
  /** Wakes idle slots (a run was created or resumed in this process). */
  kick(): void
}

/** NOTIFY channel carrying "a run became due" hints between processes. */
export const WORKFLOW_CHANNEL = 'optiinfra_workflows'

const AUDIT_SILENT = new Set(['step_waiting', 'rollback_waiting', 'finish_waiting'])

/** Builds an engine over the given definitions. */
export function createEngine<D extends EngineDeps>(deps: D, definitions: WorkflowDefinition<D>[], opts: EngineOptions = {}): Engine {
  const defs = new Map(definitions.map((d) => [d.kind, d]))
  const workerId = opts.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`
  const o = { concurrency: 4, leaseMs: 30_000, stepTimeoutMs: 20_000, pollMs: 1_000, lockRetryMs: 30_000, ...opts }
  let stopped = true
  let wake: () => void = () => undefined
  let wakeSignal = new Promise<void>((r) => { wake = r })
  const kick = () => { const w = wake; wakeSignal = new Promise<void>((r) => { wake = r }); w() }
  let unlisten: (() => Promise<void>) | null = null
  const loops: Promise<void>[] = []

  async function runOnce(): Promise<boolean> {
    const [run] = await claimDueRuns(deps.db, workerId, deps.clock.now(), o.leaseMs, 1)
    if (!run) return false
    const def = defs.get(run.kind)
    if (!def) {
      deps.log.error({ runId: run.id, kind: run.kind }, 'no workflow definition for run kind')
      await releaseClaim(deps.db, run, workerId, new Date(deps.clock.now().getTime() + 3_600_000))
      return true
    }
    await processRun(def, run)
    return true
  }

  async function processRun(def: WorkflowDefinition<D>, claimed: Run): Promise<void> {
    const now = deps.clock.now()
    if (claimed.phase === 'steps' && claimed.abortRequested && !claimed.abortReason) {
      if (!pastPointOfNoReturn(def, claimed)) return persist(def, claimed, abortInto(claimed, claimed.abortRequested, now))
      // the request raced with promotion: the change is live, so it is refused and forgotten
      await clearAbortRequest(deps.db, claimed)
      await appendEvent(deps.db, claimed, { reason: 'abort_refused', message: `abort refused: the change was already promoted (${claimed.abortRequested})`, step: null, data: {} }, now, workerId)
    }
    // a human's pause holds the rollout where it is (traffic weights unchanged) until resumed or aborted
    if (claimed.phase === 'steps' && claimed.pauseRequested) return persist(def, claimed, transition(claimed, { kind: 'pause', reason: claimed.pauseRequested }, now))
    if (claimed.phase === 'steps' && claimed.lockKey && !claimed.holdsLock) {
      if (!(await tryAcquireLock(deps.db, claimed))) return waitForLock(claimed, now)
      claimed = { ...claimed, holdsLock: true }
    }
    const { run: started, started: stepStarted } = startStep(claimed, now)
    const draft = structuredClone(started)
    const t0 = performance.now()
    const result = await invoke(def, draft, now)
    const t = transition(draft, result, deps.clock.now(), def.retry ?? DEFAULT_RETRY)
    // wall time of the invocation, for operators and benchmarks (steps are mostly I/O)
    t.event.data = { ...t.event.data, took_ms: Math.round(performance.now() - t0) }
    await persist(def, claimed, { ...t, stepStarted, statusChanged: t.next.status !== claimed.status })
  }

  async function waitForLock(run: Run, now: Date): Promise<void> {
    const holder = run.lockKey ? await lockHolder(deps.db, run.lockKey) : null
    const first = run.context.waiting_for_lock === undefined
    await releaseClaim(deps.db, run, workerId, new Date(now.getTime() + o.lockRetryMs), { ...run.context, waiting_for_lock: holder })
    if (first) {
      await appendEvent(deps.db, run, { reason: 'waiting_for_lock', message: `waiting for ${run.lockKey} (held by run ${holder ?? 'an older run'})`, step: null, data: { holder } }, now, workerId)
    }
  }

  async function invoke(def: WorkflowDefinition<D>, draft: Run, now: Date): Promise<StepResult> {
    const name = draft.phase === 'steps' ? draft.steps[draft.stepIndex]?.name : draft.phase
    const spec: StepSpec<D> | undefined = draft.phase === 'steps' ? (name ? def.steps[name] : undefined)
      : { run: draft.phase === 'rollback' ? def.rollback : def.finish }
    if (!spec || !name) return { kind: 'abort', reason: `unknown step ${name ?? draft.stepIndex} for ${draft.kind}` }
    const controller = new AbortController()
    const env: StepEnv<D> = {
      deps, now, stepName: name, worker: workerId, signal: controller.signal,
      changeId: (part) => `${draft.id}:${name}${part ? `:${part}` : ''}`,
    }
    // Wall-time timers on purpose: the lease and the step timeout guard a live process, not fleet time.
    const heartbeat = setInterval(() => { void renewLease(deps.db, draft, workerId, o.leaseMs).catch(() => undefined) }, Math.max(50, o.leaseMs / 3))
    let timer: NodeJS.Timeout | undefined
    const timeoutMs = spec.timeoutMs ?? o.stepTimeoutMs
    const timeout = new Promise<StepResult>((resolve) => {
      timer = setTimeout(() => { controller.abort(); resolve({ kind: 'error', retryable: true, reason: `step timed out after ${timeoutMs} ms` }) }, timeoutMs)
    })
    try {
      return await Promise.race([spec.run(env, draft), timeout])
    } catch (err) {
      deps.log.warn({ err, runId: draft.id, step: name }, 'workflow step threw')
      return { kind: 'error', retryable: true, reason: err instanceof Error ? err.message : String(err) }
    } finally {
      clearInterval(heartbeat)
      clearTimeout(timer)
    }
  }

  async function persist(def: WorkflowDefinition<D>, claimed: Run, t: Transition): Promise<void> {
    const at = deps.clock.now()
    const live = await deps.db.tx(async (tx) => {
      if (!(await saveRun(tx, t.next, claimed.version, workerId, t.event, at))) return null
      if (!AUDIT_SILENT.has(t.event.reason)) {
        await recordAudit(tx, deps.clock, {
          customerId: t.next.customerId, actor: `workflow:${workerId}`, action: `${t.next.kind}:${t.event.reason}`,
          subjectType: t.next.kind, subjectId: t.next.id, detail: { step: t.event.step, message: t.event.message, status: t.next.status, ...t.event.data },
        })
      }
      return def.onTransition ? def.onTransition(tx, t, claimed, deps) : []
    })
    if (live === null) {
      deps.log.warn({ runId: claimed.id, worker: workerId }, 'lost the run to another worker; result discarded')
      return
    }
    await publish(t, live, at)
  }

  async function publish(t: Transition, extra: LiveEvent[], at: Date): Promise<void> {
    const run = t.next
    const base = { customerId: run.customerId, id: run.id, at: at.toISOString() }
    const events: LiveEvent[] = []
    if (t.stepStarted) events.push({ ...base, type: `${run.kind}:step:started`, data: { step: run.steps[run.stepIndex]?.name ?? t.event.step } })
    if (t.stepCompleted) events.push({ ...base, type: `${run.kind}:step:completed`, data: { step: t.event.step } })
    if (t.statusChanged) events.push({ ...base, type: `${run.kind}:status:changed`, data: { status: run.status } })
    for (const e of [...events, ...extra]) await deps.live.publish(e).catch((err) => deps.log.warn({ err }, 'live publish failed'))
    if (!['completed', 'failed', 'rolled_back', 'paused'].includes(run.status)) await deps.db.notify(WORKFLOW_CHANNEL, run.id).catch(() => undefined)
  }

  async function idle(): Promise<void> {
    const due = await nextDueAt(deps.db).catch(() => null)
    const waits: Promise<unknown>[] = [wakeSignal, new Promise((r) => setTimeout(r, o.pollMs))]
    if (due) {
      const delta = due.getTime() - deps.clock.now().getTime()
      // a due time within one poll is slept on the clock (a manual clock thus jumps straight to it)
      if (delta <= o.pollMs * deps.clock.scale) waits.push(deps.clock.sleep(Math.max(0, delta)))
    }
    await Promise.race(waits)
  }

  async function loop(): Promise<void> {
    while (!stopped) {
      let worked = false
      try { worked = await runOnce() } catch (err) { deps.log.error({ err }, 'workflow engine iteration failed') }
      if (!worked && !stopped) await idle().catch(() => undefined)
    }
  }

  return {
    workerId, runOnce, kick,
    async start() {
      if (!stopped) return
      stopped = false
      if (deps.db.kind === 'pglite') {
        const released = await releaseAllLeases(deps.db)
        if (released) deps.log.info({ released }, 'released leases of a previous process')
      }
      unlisten = await deps.db.listen(WORKFLOW_CHANNEL, () => kick(), () => kick()).catch(() => null)
      for (let i = 0; i < o.concurrency; i++) loops.push(loop())
    },
    async stop() {
      if (stopped) return
      stopped = true
      kick()
      await Promise.all(loops.splice(0))
      await unlisten?.().catch(() => undefined)
      unlisten = null
    },
  }
}

/** True when an irreversible step (e.g. promotion) already completed: abort requests no longer apply. */
export function pastPointOfNoReturn<D>(def: WorkflowDefinition<D>, run: Run): boolean {
  return run.steps.some((s) => s.status === 'completed' && def.steps[s.name]?.irreversible)
}
