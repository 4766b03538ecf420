/**
 * SQL of workflow runs and their events. Claiming uses `FOR UPDATE SKIP LOCKED` plus a lease
 * (`locked_until`, wall time from the database: it guards process liveness, not domain time), and
 * every write checks `version` so a worker whose lease was taken over can never overwrite a run.
 */
import type { Db } from '../db/db.ts'
import type { ExecutionStep, PromoteRequest, Run, RunPhase, RunStatus, TransitionEvent } from './workflow.ts'

interface RunRow {
  id: string; kind: string; customer_id: string; subject_id: string | null; status: RunStatus; phase: RunPhase
  step_index: number; steps: ExecutionStep[]; context: Record<string, unknown>; result: Record<string, unknown> | null
  attempts: number; last_error: string | null; pause_reason: string | null; abort_reason: string | null; abort_requested: string | null; pause_requested: string | null
  promote_requested: PromoteRequest | null
  lock_key: string | null; holds_lock: boolean; next_run_at: Date; locked_by: string | null; version: number
  created_by: string; created_at: Date; started_at: Date | null; completed_at: Date | null
}

const COLS = `id, kind, customer_id, subject_id, status, phase, step_index, steps, context, result, attempts, last_error,
  pause_reason, abort_reason, abort_requested, pause_requested, promote_requested, lock_key, holds_lock, next_run_at, locked_by, version, created_by, created_at, started_at, completed_at`

const date = (v: Date | string | null): Date | null => (v === null ? null : new Date(v))

function runOf(r: RunRow): Run {
  return {
    id: r.id, kind: r.kind, customerId: r.customer_id, subjectId: r.subject_id, status: r.status, phase: r.phase,
    stepIndex: Number(r.step_index), steps: r.steps, context: r.context, result: r.result, attempts: Number(r.attempts),
    lastError: r.last_error, pauseReason: r.pause_reason, abortReason: r.abort_reason, abortRequested: r.abort_requested, pauseRequested: r.pause_requested, promoteRequested: r.promote_requested, lockKey: r.lock_key,
    holdsLock: r.holds_lock, nextRunAt: new Date(r.next_run_at), lockedBy: r.locked_by, version: Number(r.version),
    createdBy: r.created_by, createdAt: new Date(r.created_at), startedAt: date(r.started_at), completedAt: date(r.completed_at),
  }
}

/** What a new run needs. */
export interface NewRun {
  id?: string
  kind: string
  customerId: string
  subjectId?: string | null
  stepNames: string[]
  context: Record<string, unknown>
  lockKey?: string | null
  createdBy: string
  at: Date
}

/** Inserts a run (status pending, due now). Returns null when a run for the same subject exists. */
export async function insertRun(db: Db, n: NewRun): Promise<Run | null> {
  const steps: ExecutionStep[] = n.stepNames.map((name) => ({ name, status: 'pending', started_at: null, completed_at: null, detail: {} }))
  const rows = await db.query<RunRow>(
    `INSERT INTO workflow_runs (id, kind, customer_id, subject_id, steps, context, lock_key, next_run_at, created_by, created_at, updated_at)
     VALUES (COALESCE($1::uuid, gen_random_uuid()), $2, $3, $4, $5, $6, $7, $8, $9, $8, $8)
     ON CONFLICT (kind, subject_id) WHERE subject_id IS NOT NULL DO NOTHING RETURNING ${COLS}`,
    [n.id ?? null, n.kind, n.customerId, n.subjectId ?? null, JSON.stringify(steps), JSON.stringify(n.context), n.lockKey ?? null, n.at, n.createdBy])
  return rows[0] ? runOf(rows[0]) : null
}

/** One run by id. */
export async function getRun(db: Db, id: string): Promise<Run | null> {
  const rows = await db.query<RunRow>(`SELECT ${COLS} FROM workflow_runs WHERE id = $1`, [id])
  return rows[0] ? runOf(rows[0]) : null
}

/** The run working on a subject (e.g. the optimization of a recommendation). */
export async function getRunBySubject(db: Db, kind: string, subjectId: string): Promise<Run | null> {
  const rows = await db.query<RunRow>(`SELECT ${COLS} FROM workflow_runs WHERE kind = $1 AND subject_id = $2`, [kind, subjectId])
  return rows[0] ? runOf(rows[0]) : null
}

/** A customer's runs of a kind, newest first. */
export async function listRuns(db: Db, customerId: string, kind: string, limit = 200): Promise<Run[]> {
  const rows = await db.query<RunRow>(
    `SELECT ${COLS} FROM workflow_runs WHERE customer_id = $1 AND kind = $2 ORDER BY created_at DESC, id LIMIT $3`, [customerId, kind, limit])
  return rows.map(runOf)
}

/**
 * Claims up to `limit` due runs for `worker` with a lease of `leaseMs` wall milliseconds. A run is
 * due when its clock time has come and nobody holds a live lease on it; SKIP LOCKED lets many
 * workers claim at once without blocking or double-claiming.
 */
export async function claimDueRuns(db: Db, worker: string, now: Date, leaseMs: number, limit: number): Promise<Run[]> {
  const rows = await db.query<RunRow>(
    `UPDATE workflow_runs SET locked_by = $1, locked_until = clock_timestamp() + $2 * interval '1 millisecond', version = version + 1
     WHERE id IN (
       SELECT id FROM workflow_runs
       WHERE status IN ('pending', 'running') AND next_run_at <= $3 AND (locked_until IS NULL OR locked_until < clock_timestamp())
       ORDER BY next_run_at, created_at LIMIT $4 FOR UPDATE SKIP LOCKED)
     RETURNING ${COLS}`, [worker, leaseMs, now, limit])
  return rows.map(runOf)
}

/** Extends a held lease; false when the lease was lost (taken over or the run changed). */
export async function renewLease(db: Db, run: Pick<Run, 'id' | 'version'>, worker: string, leaseMs: number): Promise<boolean> {
  const rows = await db.query(
    `UPDATE workflow_runs SET locked_until = clock_timestamp() + $3 * interval '1 millisecond'
     WHERE id = $1 AND locked_by = $2 AND version = $4 RETURNING id`, [run.id, worker, leaseMs, run.version])
  return rows.length > 0
}

/**
 * Writes the next state of a claimed run and its event, releasing the lease, inside the caller's
 * transaction. Returns false (writing nothing) when this worker no longer owns the run.
 */
export async function saveRun(tx: Db, next: Run, claimedVersion: number, worker: string, event: TransitionEvent, at: Date): Promise<boolean> {
  const rows = await tx.query(
    `UPDATE workflow_runs SET status = $2, phase = $3, step_index = $4, steps = $5, context = $6, result = $7, attempts = $8,
       last_error = $9, pause_reason = $10, abort_reason = $11, holds_lock = $12,
       next_run_at = CASE WHEN abort_requested IS NOT NULL AND $3 = 'steps' THEN LEAST($13, abort_requested_at)
         WHEN pause_requested IS NOT NULL AND $3 = 'steps' AND $2 = 'running' THEN LEAST($13, $16) ELSE $13 END, started_at = $14,
       completed_at = $15, locked_by = NULL, locked_until = NULL, version = version + 1, updated_at = $16
     WHERE id = $1 AND version = $17 AND locked_by = $18 RETURNING id`,
    [next.id, next.status, next.phase, next.stepIndex, JSON.stringify(next.steps), JSON.stringify(next.context),
      next.result === null ? null : JSON.stringify(next.result), next.attempts, next.lastError, next.pauseReason, next.abortReason,
      next.holdsLock, next.nextRunAt, next.startedAt, next.completedAt, at, claimedVersion, worker])
  if (rows.length === 0) return false
  await appendEvent(tx, next, event, at, worker)
  return true
}

/** Appends an event row for a run. */
export async function appendEvent(tx: Db, run: Pick<Run, 'id' | 'customerId'>, e: TransitionEvent, at: Date, worker: string | null): Promise<void> {
  await tx.query(
    'INSERT INTO workflow_events (run_id, customer_id, at, step, reason, message, data, worker) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
    [run.id, run.customerId, at, e.step, e.reason, e.message, JSON.stringify(e.data), worker])
}

/** A run's events, oldest first. */
export async function listEvents(db: Db, runId: string): Promise<{ id: number; at: Date; step: string | null; reason: string; message: string; data: Record<string, unknown>; worker: string | null }[]> {
  const rows = await db.query<{ id: number; at: Date; step: string | null; reason: string; message: string; data: Record<string, unknown>; worker: string | null }>(
    'SELECT id, at, step, reason, message, data, worker FROM workflow_events WHERE run_id = $1 ORDER BY id', [runId])
  return rows.map((r) => ({ ...r, id: Number(r.id), at: new Date(r.at) }))
}

/** Releases the claim without changing the run (e.g. it must wait for its lock). */
export async function releaseClaim(db: Db, run: Pick<Run, 'id'>, worker: string, nextRunAt: Date, context?: Record<string, unknown>): Promise<void> {
  await db.query(
    `UPDATE workflow_runs SET locked_by = NULL, locked_until = NULL, next_run_at = $3, context = COALESCE($4::jsonb, context), version = version + 1
     WHERE id = $1 AND locked_by = $2`, [run.id, worker, nextRunAt, context ? JSON.stringify(context) : null])
}

/**
 * Takes the run's resource lock when nobody holds it and no older run waits for it (FIFO). The
 * partial unique index makes a lost race an error, reported here as false.
 */
export async function tryAcquireLock(db: Db, run: Pick<Run, 'id' | 'lockKey'>): Promise<boolean> {
  if (!run.lockKey) return true
  try {
    const rows = await db.query(
      `UPDATE workflow_runs r SET holds_lock = true WHERE r.id = $1 AND NOT EXISTS (
         SELECT 1 FROM workflow_runs o WHERE o.lock_key = $2 AND o.id <> $1 AND o.status IN ('pending', 'running', 'paused')
           AND (o.holds_lock OR o.seq < r.seq))
       RETURNING r.id`, [run.id, run.lockKey])
    return rows.length > 0
  } catch (err) {
    if ((err as { code?: string }).code === '23505') return false
    throw err
  }
}

/** Who holds a lock key now (for messages). */
export async function lockHolder(db: Db, lockKey: string): Promise<string | null> {
  const rows = await db.query<{ id: string }>('SELECT id FROM workflow_runs WHERE lock_key = $1 AND holds_lock', [lockKey])
  return rows[0]?.id ?? null
}

/** A human decision on a run; `pauseRequested: null` withdraws a pause request (resume). */
export interface ControlPatch { status?: RunStatus; abortRequested?: string; pauseRequested?: string | null; promoteRequested?: PromoteRequest; context?: Record<string, unknown> }

/**
 * Records a human decision on a run (resume, pause or abort request) and makes it due now. It does
 * not touch `version`, so a worker holding the run keeps its claim; the engine acts on the request
 * at its next claim. `expectStatus` guards against acting on a run that moved meanwhile.
 */
export async function requestControl(tx: Db, id: string, patch: ControlPatch, expectStatus: RunStatus[], at: Date): Promise<Run | null> {
  const rows = await tx.query<RunRow>(
    `UPDATE workflow_runs SET status = COALESCE($2::text, status),
       abort_requested = COALESCE($3::text, abort_requested), abort_requested_at = CASE WHEN $3::text IS NULL THEN abort_requested_at ELSE $5 END,
       pause_requested = CASE WHEN $7::boolean THEN NULL ELSE COALESCE($8::text, pause_requested) END,
       promote_requested = COALESCE($9::jsonb, promote_requested),
       context = context || COALESCE($4::jsonb, '{}'::jsonb), pause_reason = CASE WHEN $2::text IS NULL THEN pause_reason ELSE NULL END,
       next_run_at = LEAST(next_run_at, $5), updated_at = $5
     WHERE id = $1 AND status = ANY($6::text[]) RETURNING ${COLS}`,
    [id, patch.status ?? null, patch.abortRequested ?? null, patch.context ? JSON.stringify(patch.context) : null, at, expectStatus,
      patch.pauseRequested === null, patch.pauseRequested ?? null, patch.promoteRequested ? JSON.stringify(patch.promoteRequested) : null])
  return rows[0] ? runOf(rows[0]) : null
}

/** Forgets a human's abort request (it came too late to apply). */
export async function clearAbortRequest(db: Db, run: Pick<Run, 'id'>): Promise<void> {
  await db.query('UPDATE workflow_runs SET abort_requested = NULL, abort_requested_at = NULL WHERE id = $1', [run.id])
}

/**
 * On the embedded store one process owns the data folder, so any lease still set at start-up
 * belongs to a process that died (kill -9): clear them so its runs resume at once.
 */
export async function releaseAllLeases(db: Db): Promise<number> {
  const rows = await db.query("UPDATE workflow_runs SET locked_by = NULL, locked_until = NULL WHERE locked_by IS NOT NULL AND status IN ('pending', 'running') RETURNING id")
  return rows.length
}

/** The earliest clock time any active run is due (for the worker's sleep). */
export async function nextDueAt(db: Db): Promise<Date | null> {
  const rows = await db.query<{ at: Date | null }>("SELECT min(next_run_at) AS at FROM workflow_runs WHERE status IN ('pending', 'running')")
  return rows[0]?.at ? new Date(rows[0].at) : null
}
