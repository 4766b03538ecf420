import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pino from 'pino'
import { freshDb, testDbKind } from '../test/db.ts'
import { manualClock, type ManualClock } from '../clock.ts'
import type { Db } from '../db/db.ts'
import { createLiveHub, type LiveEvent } from '../http/live.ts'
import { createEngine, type EngineDeps, type Step, type WorkflowDefinition } from './engine.ts'
import { getRun, insertRun, listEvents, requestControl } from './store.ts'
import type { StepResult } from './workflow.ts'

/** Tests that need real concurrent connections run on PostgreSQL only (pg-boss' itPostgresOnly). */
const itPostgresOnly = testDbKind === 'pg' ? it : it.skip

let db: Db
let drop: () => Promise<void>
let customerId: string
beforeAll(async () => {
  ;({ db, drop } = await freshDb())
  customerId = (await db.query<{ id: string }>("INSERT INTO customers (company_name) VALUES ('Engine Test') RETURNING id"))[0]!.id
})
afterAll(async () => { await db.close(); await drop() })

interface TestDeps extends EngineDeps { calls: string[]; published: LiveEvent[] }

function depsWith(clock: ManualClock): TestDeps {
  const live = createLiveHub(db)
  const published: LiveEvent[] = []
  return { db, clock, log: pino({ level: 'silent' }), live: { ...live, publish: async (e) => { published.push(e) } }, calls: [], published }
}

/** A definition whose steps run a scripted list of verdicts, recording each call. */
function scripted(kind: string, script: Record<string, ((n: number, now: Date) => StepResult)>, rollback: Step<TestDeps> = async () => ({ kind: 'done' })): WorkflowDefinition<TestDeps> {
  const counts = new Map<string, number>()
  const steps = Object.fromEntries(Object.entries(script).map(([name, fn]) => [name, {
    run: (async (env) => {
      const n = (counts.get(name) ?? 0) + 1
      counts.set(name, n)
      env.deps.calls.push(`${name}#${n}`)
      return fn(n, env.now)
    }) as Step<TestDeps>,
  }]))
  return { kind, steps, rollback, finish: async (_env, run) => { run.result = { success: run.context.outcome === undefined }; return { kind: 'done' } } }
}

async function newRun(kind: string, stepNames: string[], at: Date, lockKey?: string) {
  return (await insertRun(db, { kind, customerId, stepNames, context: {}, createdBy: 'test', at, ...(lockKey ? { lockKey } : {}) }))!
}

async function drain(engine: { runOnce(): Promise<boolean> }, clock: ManualClock, max = 200): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await engine.runOnce()) continue
    const due = await db.query<{ at: Date | null }>("SELECT min(next_run_at) AS at FROM workflow_runs WHERE status IN ('pending','running')")
    if (!due[0]?.at) return
    clock.set(new Date(Math.max(clock.now().getTime(), new Date(due[0].at).getTime())))
  }
}

describe('workflow engine', () => {
  it('runs steps in order, waits on the clock, persists every transition with an event and an audit row', async () => {
    const clock = manualClock()
    const deps = depsWith(clock)
    const def = scripted('t_order', {
      a: () => ({ kind: 'advance', detail: { weight: 10 } }),
      b: (n, now) => (n < 3 ? { kind: 'wait', until: new Date(now.getTime() + 60_000), reason: 'baking' } : { kind: 'advance' }),
      c: () => ({ kind: 'advance' }),
    })
    const engine = createEngine(deps, [def], { workerId: 'w1' })
    const run = await newRun('t_order', ['a', 'b', 'c'], clock.now())
    await drain(engine, clock)
    const done = (await getRun(db, run.id))!
    expect(done.status).toBe('completed')
    expect(done.steps.map((s) => s.status)).toEqual(['completed', 'completed', 'completed'])
    expect(done.steps[0]!.detail).toEqual({ weight: 10 })
    expect(deps.calls).toEqual(['a#1', 'b#1', 'b#2', 'b#3', 'c#1'])
    expect(clock.now().getTime() - done.startedAt!.getTime()).toBe(120_000)
    const reasons = (await listEvents(db, run.id)).map((e) => e.reason)
    expect(reasons).toEqual(['step_completed', 'step_waiting', 'step_waiting', 'step_completed', 'step_completed', 'run_completed'])
    const audit = await db.query<{ action: string }>('SELECT action FROM audit_log WHERE subject_id = $1 ORDER BY id', [run.id])
    expect(audit.map((a) => a.action)).toEqual(['t_order:step_completed', 't_order:step_completed', 't_order:step_completed', 't_order:run_completed'])
    expect(deps.published.map((e) => e.type)).toEqual([
      't_order:step:started', 't_order:step:completed', 't_order:status:changed', 't_order:step:started', 't_order:step:completed',
      't_order:step:started', 't_order:step:completed', 't_order:status:changed',
    ])
  })

  it('retries provider errors with backoff and rolls back when they persist', async () => {
    const clock = manualClock()
    const deps = depsWith(clock)
    let rolledBack = 0
    const def = scripted('t_retry', {
      a: (n) => (n < 3 ? { kind: 'error', reason: 'throttled', retryable: true } : { kind: 'advance' }),
      b: () => ({ kind: 'error', reason: 'capacity', retryable: true }),
    }, async () => { rolledBack++; return { kind: 'done', detail: { verified: true } } })
    const engine = createEngine(deps, [def], { workerId: 'w1' })
    const run = await newRun('t_retry', ['a', 'b'], clock.now())
    await drain(engine, clock)
    const done = (await getRun(db, run.id))!
    expect(done.status).toBe('rolled_back')
    expect(done.abortReason).toBe('b failed after 5 attempts: capacity')
    expect(done.steps.map((s) => s.status)).toEqual(['completed', 'failed'])
    expect(rolledBack).toBe(1)
    expect(deps.calls.filter((c) => c.startsWith('b')).length).toBe(5)
    expect(done.result).toEqual({ success: false })
  })

  it('turns a thrown step and a step timeout into retryable errors', async () => {
    const clock = manualClock()
    const deps = depsWith(clock)
    let n = 0
    const def: WorkflowDefinition<TestDeps> = {
      kind: 't_throw',
      steps: {
        a: { run: async () => { n++; if (n === 1) throw new Error('bug-like failure'); if (n === 2) return new Promise(() => undefined); return { kind: 'advance' } }, timeoutMs: 50 },
      },
      rollback: async () => ({ kind: 'done' }), finish: async () => ({ kind: 'done' }),
    }
    const engine = createEngine(deps, [def], { workerId: 'w1' })
    const run = await newRun('t_throw', ['a'], clock.now())
    await drain(engine, clock)
    const events = await listEvents(db, run.id)
    expect(events.filter((e) => e.reason === 'step_retry').map((e) => e.data.error)).toEqual(['bug-like failure', 'step timed out after 50 ms'])
    expect((await getRun(db, run.id))!.status).toBe('completed')
  })

  it('pauses for a human and resumes where it stopped; an abort request takes the rollback path', async () => {
    const clock = manualClock()
    const deps = depsWith(clock)
    const def = scripted('t_pause', {
      a: () => ({ kind: 'advance' }),
      b: (n) => (n === 1 ? { kind: 'pause', reason: 'inconclusive_analysis' } : { kind: 'advance' }),
      c: () => ({ kind: 'wait', until: new Date(clock.now().getTime() + 3_600_000), reason: 'long bake' }),
    })
    const engine = createEngine(deps, [def], { workerId: 'w1' })
    const run = await newRun('t_pause', ['a', 'b', 'c'], clock.now())
    await drain(engine, clock, 3)
    expect((await getRun(db, run.id))!).toMatchObject({ status: 'paused', pauseReason: 'inconclusive_analysis', stepIndex: 1 })
    expect(await engine.runOnce()).toBe(false)
    await requestControl(db, run.id, { status: 'running' }, ['paused'], clock.now())
    await engine.runOnce()
    await engine.runOnce()
    expect((await getRun(db, run.id))!).toMatchObject({ status: 'running', stepIndex: 2 })
    // the run now waits an hour; an abort request makes it due at once and rolls it back
    await requestControl(db, run.id, { abortRequested: 'operator abort' }, ['running', 'paused'], clock.now())
    await engine.runOnce()
    await engine.runOnce()
    await engine.runOnce()
    const done = (await getRun(db, run.id))!
    expect(done.status).toBe('rolled_back')
    expect(done.abortReason).toBe('operator abort')
    expect(done.steps[2]!.status).toBe('failed')
  })

  it('refuses an abort request that arrives after the irreversible step completed', async () => {
    const clock = manualClock()
    const deps = depsWith(clock)
    const def = scripted('t_commit', {
      promote: () => ({ kind: 'advance' }),
      retire: (n, now) => (n === 1 ? { kind: 'wait', until: new Date(now.getTime() + 60_000), reason: 'draining' } : { kind: 'advance' }),
    })
    def.steps.promote!.irreversible = true
    const engine = createEngine(deps, [def], { workerId: 'w1' })
    const run = await newRun('t_commit', ['promote', 'retire'], clock.now())
    await engine.runOnce()
    await engine.runOnce()
    await requestControl(db, run.id, { abortRequested: 'too late' }, ['running'], clock.now())
    await drain(engine, clock)
    const done = (await getRun(db, run.id))!
    expect(done.status).toBe('completed')
    expect((await listEvents(db, run.id)).map((e) => e.reason)).toContain('abort_refused')
  })

  it('never runs two runs holding the same lock at once: the second waits for the first (FIFO)', async () => {
    const clock = manualClock()
    const deps = depsWith(clock)
    const def = scripted('t_lock', {
      a: (n, now) => (n % 2 === 1 ? { kind: 'wait', until: new Date(now.getTime() + 10_000), reason: 'x' } : { kind: 'advance' }),
    })
    const engine = createEngine(deps, [def], { workerId: 'w1', lockRetryMs: 5_000 })
    const first = await newRun('t_lock', ['a'], clock.now(), 'deployment:x')
    clock.advance(1)
    const second = await newRun('t_lock', ['a'], clock.now(), 'deployment:x')
    const third = await newRun('t_lock', ['a'], clock.now(), 'deployment:other')
    await drain(engine, clock)
    const [r1, r2, r3] = await Promise.all([getRun(db, first.id), getRun(db, second.id), getRun(db, third.id)])
    expect([r1!.status, r2!.status, r3!.status]).toEqual(['completed', 'completed', 'completed'])
    expect(r2!.startedAt!.getTime()).toBeGreaterThanOrEqual(r1!.completedAt!.getTime())
    expect(r3!.startedAt!.getTime()).toBeLessThan(r1!.completedAt!.getTime())
    expect((await listEvents(db, second.id)).some((e) => e.reason === 'waiting_for_lock')).toBe(true)
    expect(r1!.holdsLock || r2!.holdsLock).toBe(false)
  })

  it('discards the result of a worker whose lease was taken over (no double write)', async () => {
    const clock = manualClock()
    const deps = depsWith(clock)
    let release: () => void = () => undefined
    const gate = new Promise<void>((r) => { release = r })
    let invocations = 0
    const def: WorkflowDefinition<TestDeps> = {
      kind: 't_lease',
      steps: { a: { run: async () => { invocations++; if (invocations === 1) await gate; return { kind: 'advance' } } } },
      rollback: async () => ({ kind: 'done' }), finish: async () => ({ kind: 'done' }),
    }
    const slow = createEngine(deps, [def], { workerId: 'slow', leaseMs: 150, stepTimeoutMs: 60_000 })
    const fast = createEngine(deps, [def], { workerId: 'fast', leaseMs: 150 })
    const run = await newRun('t_lease', ['a'], clock.now())
    const slowWork = slow.runOnce()
    // the slow worker's heartbeat keeps its lease alive; kill the heartbeat by expiring the lease directly
    await new Promise((r) => setTimeout(r, 30))
    await db.query("UPDATE workflow_runs SET locked_until = clock_timestamp() - interval '1 second' WHERE id = $1", [run.id])
    expect(await fast.runOnce()).toBe(true)
    release()
    await slowWork
    const events = await listEvents(db, run.id)
    expect(events.filter((e) => e.reason === 'step_completed').map((e) => e.worker)).toEqual(['fast'])
  })

  itPostgresOnly('two engines on one PostgreSQL never run the same step at once', async () => {
    const clock = manualClock()
    const deps = depsWith(clock)
    const active = new Set<string>()
    let overlaps = 0
    let invocations = 0
    const step: Step<TestDeps> = async (env, run) => {
      const key = `${run.id}:${env.stepName}`
      if (active.has(key)) overlaps++
      active.add(key)
      invocations++
      await new Promise((r) => setTimeout(r, 5))
      active.delete(key)
      return { kind: 'advance' }
    }
    const def: WorkflowDefinition<TestDeps> = { kind: 't_pg', steps: { a: { run: step }, b: { run: step } }, rollback: async () => ({ kind: 'done' }), finish: async () => ({ kind: 'done' }) }
    const runs = await Promise.all(Array.from({ length: 20 }, () => newRun('t_pg', ['a', 'b'], clock.now())))
    const engines = [createEngine(deps, [def], { workerId: 'e1', concurrency: 4, pollMs: 20 }), createEngine(deps, [def], { workerId: 'e2', concurrency: 4, pollMs: 20 })]
    await Promise.all(engines.map((e) => e.start()))
    const deadline = Date.now() + 20_000
    while (Date.now() < deadline) {
      const open = await db.query("SELECT 1 FROM workflow_runs WHERE kind = 't_pg' AND status <> 'completed'")
      if (open.length === 0) break
      await new Promise((r) => setTimeout(r, 50))
    }
    await Promise.all(engines.map((e) => e.stop()))
    expect(overlaps).toBe(0)
    expect(invocations).toBe(40)
    const workers = await db.query<{ worker: string }>("SELECT DISTINCT worker FROM workflow_events e JOIN workflow_runs r ON r.id = e.run_id WHERE r.kind = 't_pg'")
    expect(workers.length).toBe(2)
    for (const r of runs) expect((await getRun(db, r.id))!.status).toBe('completed')
  })
})
