/**
 * A human's decisions on a running optimization: pause it where it is, resume a paused run (one
 * paused on an inconclusive analysis resumes by accepting the step), promote a baking canary past
 * its current analysis (Argo's `promote`), or abort it (the engine takes the rollback path at its next claim). Each is recorded and audited in one
 * transaction; the engine acts.
 */
import type { Db } from '../db/db.ts'
import type { Clock } from '../clock.ts'
import type { LiveHub } from '../http/live.ts'
import { errors } from '../errors.ts'
import { recordAudit } from '../audit/store.ts'
import { getRun, requestControl } from '../workflows/store.ts'
import { WORKFLOW_CHANNEL, pastPointOfNoReturn } from '../workflows/engine.ts'
import { optimizationDefinition, OPTIMIZATION_KIND } from '../workflows/optimization.ts'
import { isTerminal, type Run } from '../workflows/workflow.ts'
import { allRolloutSteps } from '../rollouts/rollout.ts'

/** What control needs. */
export interface ControlDeps { db: Db; clock: Clock; live: LiveHub }

const definition = optimizationDefinition()

/** Loads an optimization (404 when it does not exist). */
export async function loadOptimization(db: Db, id: string): Promise<Run> {
  const run = await getRun(db, id)
  if (!run || run.kind !== OPTIMIZATION_KIND) throw new errors.OPT_NOT_FOUND('Optimization')
  return run
}

/** Resumes a paused optimization: its paused step is accepted and the rollout continues. */
export async function resumeOptimization(deps: ControlDeps, actor: string, id: string): Promise<Run> {
  const run = await deps.db.tx(async (tx) => {
    const cur = await loadOptimization(tx, id)
    if (cur.status !== 'paused') throw new errors.OPT_STATE_INVALID(`optimization is ${cur.status}, not paused`)
    const step = cur.steps[cur.stepIndex]?.name ?? 'unknown'
    // a human's own pause is lifted and the step carries on; an analysis pause is resumed by accepting the step
    const patch = cur.pauseRequested
      ? { status: 'running' as const, pauseRequested: null }
      : { status: 'running' as const, context: { resumed: { ...((cur.context.resumed as Record<string, unknown> | undefined) ?? {}), [step]: { by: actor, at: deps.clock.now().toISOString() } } } }
    const next = await requestControl(tx, id, patch, ['paused'], deps.clock.now())
    if (!next) throw new errors.OPT_STATE_INVALID('optimization changed meanwhile; refetch and retry')
    await recordAudit(tx, deps.clock, { customerId: cur.customerId, actor, action: 'optimization:resumed', subjectType: 'optimization', subjectId: id, detail: { step, pause_reason: cur.pauseReason } })
    return next
  })
  await announce(deps, run)
  return run
}

/** Why a run paused at a human's request (the API's `pause_reason`). */
export const MANUAL_PAUSE = 'manual_pause'

/**
 * Requests a pause (Argo's manual pause): the rollout holds its current traffic weights before its
 * next look and waits until resumed or aborted. Idempotent; refused once the run is finishing.
 */
export async function pauseOptimization(deps: ControlDeps, actor: string, id: string, reason: string): Promise<Run> {
  const run = await deps.db.tx(async (tx) => {
    const cur = await loadOptimization(tx, id)
    if (isTerminal(cur.status) || cur.phase !== 'steps' || cur.abortRequested) throw new errors.OPT_STATE_INVALID(`optimization is ${cur.abortRequested ? 'being aborted' : cur.phase === 'steps' ? cur.status : 'finishing'}; it cannot be paused`)
    if (cur.pauseRequested || cur.status === 'paused') return cur
    const next = await requestControl(tx, id, { pauseRequested: MANUAL_PAUSE }, ['pending', 'running', 'paused'], deps.clock.now())
    if (!next) throw new errors.OPT_STATE_INVALID('optimization changed meanwhile; refetch and retry')
    await recordAudit(tx, deps.clock, { customerId: cur.customerId, actor, action: 'optimization:pause_requested', subjectType: 'optimization', subjectId: id, detail: { reason, step: cur.steps[cur.stepIndex]?.name } })
    return next
  })
  await announce(deps, run)
  return run
}

const VALIDATE_STEPS = new Set(allRolloutSteps().filter((s) => s.action === 'validate').map((s) => s.name))

/**
 * Promotes a baking canary past its current analysis (Argo's `promote`): the validate step the run
 * is at advances at its next look, recorded as promoted by this actor, and the rollout goes on to
 * its next step (the next validation is judged again). A run held by a human's pause is released;
 * one paused on an inconclusive analysis goes on too. Refused anywhere but at a validation.
 */
export async function promoteOptimization(deps: ControlDeps, actor: string, id: string): Promise<Run> {
  const run = await deps.db.tx(async (tx) => {
    const cur = await loadOptimization(tx, id)
    const step = cur.steps[cur.stepIndex]?.name ?? ''
    if (isTerminal(cur.status) || cur.phase !== 'steps' || cur.abortRequested) throw new errors.OPT_STATE_INVALID(`optimization is ${cur.abortRequested ? 'being aborted' : cur.phase === 'steps' ? cur.status : 'finishing'}; it cannot be promoted`)
    if (!VALIDATE_STEPS.has(step)) throw new errors.OPT_STATE_INVALID(`optimization is at ${step || 'no step'}, not at a canary analysis; only a baking canary can be promoted`)
    const promoteRequested = { step, by: actor, at: deps.clock.now().toISOString() }
    const next = await requestControl(tx, id, { promoteRequested, pauseRequested: null, ...(cur.status === 'paused' ? { status: 'running' as const } : {}) }, ['pending', 'running', 'paused'], deps.clock.now())
    if (!next) throw new errors.OPT_STATE_INVALID('optimization changed meanwhile; refetch and retry')
    await recordAudit(tx, deps.clock, { customerId: cur.customerId, actor, action: 'optimization:promoted', subjectType: 'optimization', subjectId: id, detail: { step } })
    return next
  })
  await announce(deps, run)
  return run
}

/** Requests an abort: traffic goes back to stable and the canary is removed by the rollback path. */
export async function abortOptimization(deps: ControlDeps, actor: string, id: string, reason: string): Promise<Run> {
  const run = await deps.db.tx(async (tx) => {
    const cur = await loadOptimization(tx, id)
    if (isTerminal(cur.status)) throw new errors.OPT_OPTIMIZATION_NOT_ABORTABLE(`it is already ${cur.status}`)
    if (cur.phase !== 'steps' || cur.abortRequested) return cur
    if (pastPointOfNoReturn(definition, cur)) throw new errors.OPT_OPTIMIZATION_NOT_ABORTABLE('the canary was already promoted to 100%; the change is live')
    const why = `aborted by ${actor}: ${reason}`
    const next = await requestControl(tx, id, { abortRequested: why, ...(cur.status === 'paused' ? { status: 'running' as const } : {}) }, ['pending', 'running', 'paused'], deps.clock.now())
    if (!next) throw new errors.OPT_STATE_INVALID('optimization changed meanwhile; refetch and retry')
    await recordAudit(tx, deps.clock, { customerId: cur.customerId, actor, action: 'optimization:abort_requested', subjectType: 'optimization', subjectId: id, detail: { reason, step: cur.steps[cur.stepIndex]?.name } })
    return next
  })
  await announce(deps, run)
  return run
}

async function announce(deps: ControlDeps, run: Run): Promise<void> {
  await deps.live.publish({ type: 'optimization:status:changed', customerId: run.customerId, id: run.id, data: { status: run.status, abort_requested: run.abortRequested }, at: deps.clock.now().toISOString() }).catch(() => undefined)
  await deps.db.notify(WORKFLOW_CHANNEL, run.id).catch(() => undefined)
}
