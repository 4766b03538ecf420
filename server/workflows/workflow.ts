/**
 * The workflow model as data (Argo Rollouts' step list + pg-boss' retry mechanics): run and step
 * phases, the verdict a step returns, and the ONE pure transition that turns a verdict into the
 * next run state plus the event to append. The engine does the I/O; this file decides.
 */

/** Lifecycle of a run (and so of an optimization). */
export const RUN_STATUSES = ['pending', 'running', 'paused', 'completed', 'failed', 'rolled_back'] as const
export type RunStatus = (typeof RUN_STATUSES)[number]
/** Which part of the definition runs next: forward steps, the abort path, or the final bookkeeping. */
export type RunPhase = 'steps' | 'rollback' | 'finish'
/** Status of one named execution step. */
export type StepStatus = 'pending' | 'running' | 'completed' | 'failed' | 'skipped'

/** True once a run will never change again. */
export function isTerminal(status: RunStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'rolled_back'
}

/** One visible step of a run: `execution_steps[]` in the API. */
export interface ExecutionStep {
  name: string
  status: StepStatus
  started_at: string | null
  completed_at: string | null
  detail: Record<string, unknown>
}

/** The verdict of one step invocation. Expected failures are data (`error`), not exceptions. */
export type StepResult =
  | { kind: 'advance'; detail?: Record<string, unknown> }
  | { kind: 'done'; detail?: Record<string, unknown> }
  | { kind: 'wait'; until: Date; reason: string; detail?: Record<string, unknown> }
  | { kind: 'pause'; reason: string; detail?: Record<string, unknown> }
  | { kind: 'abort'; reason: string; detail?: Record<string, unknown> }
  | { kind: 'error'; reason: string; retryable: boolean; detail?: Record<string, unknown> }

/** A workflow run as the engine holds it. `context` is the steps' working state. */
/** Which step a human promoted past, by whom and when. */
export interface PromoteRequest { step: string; by: string; at: string }

export interface Run {
  id: string
  kind: string
  customerId: string
  subjectId: string | null
  status: RunStatus
  phase: RunPhase
  stepIndex: number
  steps: ExecutionStep[]
  context: Record<string, unknown>
  result: Record<string, unknown> | null
  attempts: number
  lastError: string | null
  pauseReason: string | null
  abortReason: string | null
  /** A human asked to abort (API); the engine starts the abort path at its next claim. */
  abortRequested: string | null
  /** A human asked to pause (API); the engine pauses the run at its next claim, before the step runs again. */
  pauseRequested?: string | null
  /** A human asked to promote the canary past the named step's analysis (API); that step advances at its next look. */
  promoteRequested?: PromoteRequest | null
  lockKey: string | null
  holdsLock: boolean
  nextRunAt: Date
  lockedBy: string | null
  version: number
  createdBy: string
  createdAt: Date
  startedAt: Date | null
  completedAt: Date | null
}

/** Attempts and backoff (in clock time) for a phase. */
export interface RetryPolicy { maxAttempts: number; baseBackoffMs: number; maxBackoffMs: number }

/** Defaults: forward steps give up (and roll back) sooner than the rollback itself does. */
export const DEFAULT_RETRY: Record<RunPhase, RetryPolicy> = {
  steps: { maxAttempts: 5, baseBackoffMs: 10_000, maxBackoffMs: 300_000 },
  // a rollback that gives up leaves a half-changed fleet, so it keeps trying much longer
  rollback: { maxAttempts: 12, baseBackoffMs: 10_000, maxBackoffMs: 300_000 },
  finish: { maxAttempts: 5, baseBackoffMs: 10_000, maxBackoffMs: 300_000 },
}

/** Exponential backoff after `attempts` failures: base·2^(attempts−1), capped. */
export function backoffMs(policy: RetryPolicy, attempts: number): number {
  return Math.min(policy.maxBackoffMs, policy.baseBackoffMs * 2 ** Math.max(0, attempts - 1))
}

/** The event appended with a transition: a stable reason code and a human message. */
export interface TransitionEvent { reason: string; message: string; step: string | null; data: Record<string, unknown> }

/** What a transition produced: the next run, its event, and which notifications to send. */
export interface Transition {
  next: Run
  event: TransitionEvent
  stepStarted: boolean
  stepCompleted: boolean
  statusChanged: boolean
}

/** Marks the current step running (first invocation) and the run started; pure. */
export function startStep(run: Run, now: Date): { run: Run; started: boolean } {
  if (run.phase !== 'steps') return { run, started: false }
  const step = run.steps[run.stepIndex]
  if (!step || step.status !== 'pending') return { run: { ...run, status: 'running', startedAt: run.startedAt ?? now }, started: false }
  const steps = run.steps.map((s, i) => (i === run.stepIndex ? { ...s, status: 'running' as const, started_at: now.toISOString() } : s))
  return { run: { ...run, steps, status: 'running', startedAt: run.startedAt ?? now }, started: true }
}

function withStep(run: Run, patch: Partial<ExecutionStep>, detail?: Record<string, unknown>): ExecutionStep[] {
  return run.steps.map((s, i) => (i === run.stepIndex ? { ...s, ...patch, detail: { ...s.detail, ...(detail ?? {}) } } : s))
}

/**
 * The transition table. Given the run (already marked started), the verdict of its current
 * phase step and the time, returns the next state. Steps never write state; only this does.
 */
export function transition(run: Run, result: StepResult, now: Date, retry: Record<RunPhase, RetryPolicy> = DEFAULT_RETRY): Transition {
  if (run.phase === 'steps') return stepsTransition(run, result, now, retry.steps)
  if (run.phase === 'rollback') return rollbackTransition(run, result, now, retry.rollback)
  return finishTransition(run, result, now, retry.finish)
}

function base(run: Run, next: Run, event: TransitionEvent, flags: Partial<Omit<Transition, 'next' | 'event'>> = {}): Transition {
  return { next, event, stepStarted: false, stepCompleted: false, statusChanged: next.status !== run.status, ...flags }
}

function stepsTransition(run: Run, r: StepResult, now: Date, policy: RetryPolicy): Transition {
  const name = run.steps[run.stepIndex]?.name ?? null
  const total = run.steps.length
  switch (r.kind) {
    case 'advance':
    case 'done': {
      let steps = withStep(run, { status: 'completed', completed_at: now.toISOString() }, r.detail)
      const last = r.kind === 'done' || run.stepIndex + 1 >= total
      if (r.kind === 'done') steps = steps.map((s, i) => (i > run.stepIndex && s.status === 'pending' ? { ...s, status: 'skipped' as const } : s))
      const next: Run = { ...run, steps, stepIndex: last ? run.stepIndex : run.stepIndex + 1, phase: last ? 'finish' : 'steps', attempts: 0, lastError: null, nextRunAt: now }
      return base(run, next, { reason: 'step_completed', message: `step ${run.stepIndex + 1}/${total} completed (${name})`, step: name, data: r.detail ?? {} }, { stepCompleted: true })
    }
    case 'wait':
      return base(run, { ...run, steps: withStep(run, {}, r.detail), attempts: 0, lastError: null, nextRunAt: r.until },
        { reason: 'step_waiting', message: `${name}: ${r.reason} until ${r.until.toISOString()}`, step: name, data: { until: r.until.toISOString(), ...(r.detail ?? {}) } })
    case 'pause':
      return base(run, { ...run, status: 'paused', pauseReason: r.reason, steps: withStep(run, {}, r.detail), attempts: 0 },
        { reason: 'run_paused', message: `${name}: paused (${r.reason}); resume or abort`, step: name, data: r.detail ?? {} })
    case 'abort':
      return abortInto(run, r.reason, now, r.detail)
    case 'error':
      return errorTransition(run, r, now, policy, (why) => abortInto(run, why, now, r.detail))
  }
}

/** Abort is a flag on the normal path: the current step fails and the rollback phase runs next. */
export function abortInto(run: Run, reason: string, now: Date, detail?: Record<string, unknown>): Transition {
  const name = run.steps[run.stepIndex]?.name ?? null
  const current = run.steps[run.stepIndex]
  const steps = current && current.status !== 'completed'
    ? withStep(run, { status: 'failed', completed_at: now.toISOString() }, { ...detail, error: reason })
    : run.steps
  const context = { ...run.context, abort: { reason, at: now.toISOString(), step: name } }
  const next: Run = { ...run, steps, phase: 'rollback', status: 'running', pauseReason: null, abortReason: reason, attempts: 0, context, nextRunAt: now }
  return base(run, next, { reason: 'rollout_aborted', message: `aborted at ${name ?? 'start'}: ${reason}`, step: name, data: { reason, ...(detail ?? {}) } })
}

function errorTransition(run: Run, r: Extract<StepResult, { kind: 'error' }>, now: Date, policy: RetryPolicy, giveUp: (why: string) => Transition): Transition {
  const name = run.phase === 'steps' ? (run.steps[run.stepIndex]?.name ?? null) : run.phase
  const attempts = run.attempts + 1
  if (r.retryable && attempts < policy.maxAttempts) {
    const delay = backoffMs(policy, attempts)
    const next: Run = { ...run, attempts, lastError: r.reason, nextRunAt: new Date(now.getTime() + delay) }
    return base(run, next, { reason: 'step_retry', message: `${name}: attempt ${attempts} failed (${r.reason}); retry in ${Math.round(delay / 1000)} s`, step: name, data: { attempts, error: r.reason, ...(r.detail ?? {}) } })
  }
  const why = r.retryable ? `${name} failed after ${attempts} attempts: ${r.reason}` : `${name} failed: ${r.reason}`
  return giveUp(why)
}

function rollbackTransition(run: Run, r: StepResult, now: Date, policy: RetryPolicy): Transition {
  const giveUp = (why: string): Transition => {
    const next: Run = { ...run, phase: 'finish', attempts: 0, lastError: why, nextRunAt: now, context: { ...run.context, outcome: 'failed', rollback_error: why } }
    return base(run, next, { reason: 'rollback_failed', message: `rollback could not complete: ${why}`, step: 'rollback', data: {} })
  }
  switch (r.kind) {
    case 'advance':
    case 'done': {
      const next: Run = { ...run, phase: 'finish', attempts: 0, lastError: null, nextRunAt: now, context: { ...run.context, outcome: 'rolled_back', rollback: { ...(run.context.rollback as object ?? {}), ...(r.detail ?? {}) } } }
      return base(run, next, { reason: 'rollback_completed', message: 'rolled back: traffic on stable, canary removed, original configuration verified', step: 'rollback', data: r.detail ?? {} })
    }
    case 'wait':
      return base(run, { ...run, nextRunAt: r.until, attempts: 0 }, { reason: 'rollback_waiting', message: `rollback: ${r.reason}`, step: 'rollback', data: r.detail ?? {} })
    case 'error':
      return errorTransition(run, r, now, policy, giveUp)
    default:
      return giveUp(`rollback step returned ${r.kind}${'reason' in r ? `: ${r.reason}` : ''}`)
  }
}

function finishTransition(run: Run, r: StepResult, now: Date, policy: RetryPolicy): Transition {
  const outcome = (run.context.outcome as RunStatus | undefined) ?? 'completed'
  const finalize = (extra: Record<string, unknown>): Transition => {
    const next: Run = { ...run, status: outcome, completedAt: now, holdsLock: false, attempts: 0, nextRunAt: now, pauseReason: null, result: { ...(run.result ?? {}), ...extra } }
    return base(run, next, { reason: `run_${outcome}`, message: `run ${outcome.replace('_', ' ')}`, step: null, data: next.result ?? {} })
  }
  if (r.kind === 'wait') return base(run, { ...run, nextRunAt: r.until }, { reason: 'finish_waiting', message: r.reason, step: null, data: {} })
  if (r.kind === 'error') {
    // bookkeeping failures never undo a finished change: after the retries the run ends anyway
    return errorTransition(run, r, now, policy, (why) => finalize({ measurement_error: why }))
  }
  return finalize(r.detail ?? {})
}
