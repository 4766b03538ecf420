import type { Db } from '../db/db.ts'
import type { Clock } from '../clock.ts'

/** One audited action. */
export interface AuditInput { customerId: string | null; actor: string; action: string; subjectType: string; subjectId?: string | null; detail?: unknown }

/** Appends to the audit trail; call it inside the transaction that makes the change. */
export async function recordAudit(db: Db, clock: Clock, e: AuditInput): Promise<void> {
  await db.query(
    'INSERT INTO audit_log (customer_id, actor, action, subject_type, subject_id, detail, at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [e.customerId, e.actor, e.action, e.subjectType, e.subjectId ?? null, JSON.stringify(e.detail ?? {}), clock.now()])
}

/**
 * Deletes something of a customer and audits it in one transaction; false when there was nothing
 * to delete (nothing is audited then).
 */
export async function deleteAudited(db: Db, clock: Clock, e: AuditInput & { subjectId: string }, remove: (tx: Db) => Promise<boolean>): Promise<boolean> {
  return db.tx(async (tx) => {
    const ok = await remove(tx)
    if (ok) await recordAudit(tx, clock, e)
    return ok
  })
}

/** A customer's audit trail: the most recent `limit` entries, oldest first, optionally for one subject. */
export async function listAudit(db: Db, customerId: string, opts: { subjectId?: string; limit?: number } = {}) {
  const rows = await db.query<{ id: number; actor: string; action: string; subject_type: string; subject_id: string | null; detail: unknown; at: Date }>(
    `SELECT * FROM (
       SELECT id, actor, action, subject_type, subject_id, detail, at FROM audit_log
       WHERE customer_id = $1 AND ($2::text IS NULL OR subject_id = $2) ORDER BY at DESC, id DESC LIMIT $3
     ) recent ORDER BY at, id`,
    [customerId, opts.subjectId ?? null, opts.limit ?? 500])
  return rows.map((r) => ({ ...r, id: Number(r.id), at: new Date(r.at).toISOString() }))
}
