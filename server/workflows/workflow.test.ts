import { describe, expect, it } from 'vitest'
import { abortInto, backoffMs, DEFAULT_RETRY, isTerminal, startStep, transition, type Run } from './workflow.ts'

const t0 = new Date('2026-01-01T00:00:00Z')
const later = (ms: number) => new Date(t0.getTime() + ms)

function run(over: Partial<Run> = {}): Run {
  return {
    id: 'r1', kind: 'test', customerId: 'c1', subjectId: null, status: 'pending', phase: 'steps', stepIndex: 0,
    steps: ['a', 'b', 'c'].map((name) => ({ name, status: 'pending', started_at: null, completed_at: null, detail: {} })),
    context: {}, result: null, attempts: 0, lastError: null, pauseReason: null, abortReason: null, abortRequested: null,
    lockKey: null, holdsLock: false, nextRunAt: t0, lockedBy: null, version: 1, createdBy: 'test', createdAt: t0, startedAt: null, completedAt: null,
    ...over,
  }
}

describe('startStep', () => {
  it('marks the first invocation of a step running and the run started', () => {
    const { run: r, started } = startStep(run(), t0)
    expect(started).toBe(true)
    expect(r.status).toBe('running')
    expect(r.steps[0]).toMatchObject({ status: 'running', started_at: t0.toISOString() })
    expect(startStep(r, later(5)).started).toBe(false)
  })
})

describe('transition', () => {
  it('advance completes the step and moves to the next; the last step moves to finish', () => {
    let r = startStep(run(), t0).run
    const t = transition(r, { kind: 'advance', detail: { x: 1 } }, later(1))
    expect(t.next.steps[0]).toMatchObject({ status: 'completed', detail: { x: 1 } })
    expect(t.next.stepIndex).toBe(1)
    expect(t.stepCompleted).toBe(true)
    expect(t.event.reason).toBe('step_completed')
    r = { ...startStep({ ...t.next, stepIndex: 2 }, later(2)).run }
    expect(transition(r, { kind: 'advance' }, later(3)).next.phase).toBe('finish')
  })
  it('done skips the remaining steps', () => {
    const t = transition(startStep(run(), t0).run, { kind: 'done' }, later(1))
    expect(t.next.phase).toBe('finish')
    expect(t.next.steps.map((s) => s.status)).toEqual(['completed', 'skipped', 'skipped'])
  })
  it('wait keeps the step running and sets the wake-up time', () => {
    const t = transition(startStep(run(), t0).run, { kind: 'wait', until: later(60_000), reason: 'baking' }, t0)
    expect(t.next.nextRunAt).toEqual(later(60_000))
    expect(t.next.steps[0]!.status).toBe('running')
  })
  it('pause stops the run with a reason', () => {
    const t = transition(startStep(run(), t0).run, { kind: 'pause', reason: 'inconclusive_analysis' }, t0)
    expect(t.next.status).toBe('paused')
    expect(t.next.pauseReason).toBe('inconclusive_analysis')
    expect(t.statusChanged).toBe(true)
  })
  it('retries a retryable error with exponential backoff, then aborts into rollback', () => {
    let r = startStep(run(), t0).run
    const delays: number[] = []
    for (let i = 1; i < DEFAULT_RETRY.steps.maxAttempts; i++) {
      const t = transition(r, { kind: 'error', reason: 'throttled', retryable: true }, t0)
      delays.push(t.next.nextRunAt.getTime() - t0.getTime())
      expect(t.next.phase).toBe('steps')
      r = t.next
    }
    expect(delays).toEqual([10_000, 20_000, 40_000, 80_000])
    const last = transition(r, { kind: 'error', reason: 'throttled', retryable: true }, t0)
    expect(last.next.phase).toBe('rollback')
    expect(last.next.abortReason).toMatch(/failed after 5 attempts: throttled/)
    expect(last.next.steps[0]!.status).toBe('failed')
  })
  it('aborts at once on a non-retryable error', () => {
    const t = transition(startStep(run(), t0).run, { kind: 'error', reason: 'launch_failed', retryable: false }, t0)
    expect(t.next.phase).toBe('rollback')
  })
  it('rollback done → finish as rolled_back; finish → terminal status, lock released', () => {
    const aborted = abortInto(startStep(run(), t0).run, 'quality regression', t0).next
    expect(aborted.context.abort).toMatchObject({ reason: 'quality regression', step: 'a' })
    const rolled = transition(aborted, { kind: 'done', detail: { verified: true } }, later(1)).next
    expect(rolled.phase).toBe('finish')
    expect(rolled.context.outcome).toBe('rolled_back')
    const done = transition({ ...rolled, holdsLock: true }, { kind: 'done' }, later(2))
    expect(done.next.status).toBe('rolled_back')
    expect(done.next.holdsLock).toBe(false)
    expect(isTerminal(done.next.status)).toBe(true)
  })
  it('a rollback that keeps failing ends the run failed', () => {
    let r = abortInto(startStep(run(), t0).run, 'x', t0).next
    for (let i = 0; i < DEFAULT_RETRY.rollback.maxAttempts; i++) r = transition(r, { kind: 'error', reason: 'api down', retryable: true }, t0).next
    expect(r.phase).toBe('finish')
    expect(r.context.outcome).toBe('failed')
  })
  it('finish errors never undo a completed change', () => {
    let r: Run = { ...startStep(run(), t0).run, phase: 'finish' }
    for (let i = 0; i < DEFAULT_RETRY.finish.maxAttempts; i++) r = transition(r, { kind: 'error', reason: 'bill unavailable', retryable: true }, t0).next
    expect(r.status).toBe('completed')
    expect(r.result).toMatchObject({ measurement_error: expect.stringContaining('bill unavailable') })
  })
  it('backoff is capped', () => {
    expect(backoffMs(DEFAULT_RETRY.steps, 30)).toBe(DEFAULT_RETRY.steps.maxBackoffMs)
  })
})
