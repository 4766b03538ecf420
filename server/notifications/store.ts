import type { Db } from '../db/db.ts'
import { NOTIFYING_ACTIONS, NOTIFYING_PREFIXES, type AuditRow, type NotificationEvent } from './notification.ts'

export interface Webhook { id: string; customer_id: string; url: string; events: NotificationEvent[]; cursor: string; attempts: number; created_at: string }
export interface Delivery { audit_id: string; event: string; status: 'delivered' | 'failed'; attempts: number; http_status: number | null; error: string | null; at: string }

const iso = (d: Date | string) => new Date(d).toISOString()
const present = (w: Webhook): Webhook => ({ ...w, cursor: String(w.cursor), created_at: iso(w.created_at) })
const COLUMNS = 'id, customer_id, url, events, cursor, attempts, created_at'

/** A webhook starts after the newest audit entry: it hears what happens from now on, not the past. */
export async function insertWebhook(db: Db, w: { customerId: string; url: string; events: NotificationEvent[] }, now: Date): Promise<Webhook> {
  const rows = await db.query<Webhook>(
    `INSERT INTO notification_webhooks (customer_id, url, events, cursor, created_at)
     VALUES ($1, $2, $3, (SELECT coalesce(max(id), 0) FROM audit_log), $4) RETURNING ${COLUMNS}`, [w.customerId, w.url, w.events, now])
  return present(rows[0]!)
}

export async function listWebhooks(db: Db, customerId: string): Promise<Webhook[]> {
  return (await db.query<Webhook>(`SELECT ${COLUMNS} FROM notification_webhooks WHERE customer_id = $1 ORDER BY created_at`, [customerId])).map(present)
}

export async function deleteWebhook(db: Db, customerId: string, id: string): Promise<boolean> {
  return (await db.query('DELETE FROM notification_webhooks WHERE customer_id = $1 AND id = $2 RETURNING id', [customerId, id])).length > 0
}

/** Webhooks whose retry delay (if any) has passed. */
export async function dueWebhooks(db: Db, now: Date): Promise<Webhook[]> {
  return (await db.query<Webhook>(`SELECT ${COLUMNS} FROM notification_webhooks WHERE next_attempt_at IS NULL OR next_attempt_at <= $1 ORDER BY created_at`, [now])).map(present)
}

/** The customer's notifying audit entries after the cursor, oldest first. */
export async function pendingEntries(db: Db, w: Webhook, limit = 20): Promise<AuditRow[]> {
  const rows = await db.query<AuditRow>(
    `SELECT id, customer_id, action, subject_type, subject_id, detail, at FROM audit_log
     WHERE customer_id = $1 AND id > $2 AND (action = ANY($3) OR action LIKE ANY($4)) ORDER BY id LIMIT $5`,
    [w.customer_id, w.cursor, NOTIFYING_ACTIONS, NOTIFYING_PREFIXES.map((p) => `${p}%`), limit])
  return rows.map((r) => ({ ...r, id: String(r.id), at: iso(r.at) }))
}

/** Moves the cursor past an entry and records how its delivery ended (one transaction). */
export async function settle(db: Db, w: Webhook, row: AuditRow, d: Omit<Delivery, 'audit_id' | 'at'> | null, now: Date): Promise<void> {
  await db.tx(async (tx) => {
    if (d) {
      await tx.query(
        `INSERT INTO notification_deliveries (webhook_id, audit_id, event, status, attempts, http_status, error, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (webhook_id, audit_id) DO NOTHING`, [w.id, row.id, d.event, d.status, d.attempts, d.http_status, d.error, now])
    }
    await tx.query('UPDATE notification_webhooks SET cursor = greatest(cursor, $2), attempts = 0, next_attempt_at = NULL WHERE id = $1', [w.id, row.id])
  })
}

/** A failed attempt that will be retried at `next`. */
export async function retryLater(db: Db, w: Webhook, attempts: number, next: Date): Promise<void> {
  await db.query('UPDATE notification_webhooks SET attempts = $2, next_attempt_at = $3 WHERE id = $1', [w.id, attempts, next])
}

export async function listDeliveries(db: Db, customerId: string, limit = 100): Promise<Delivery[]> {
  const rows = await db.query<Delivery>(
    `SELECT d.audit_id, d.event, d.status, d.attempts, d.http_status, d.error, d.at FROM notification_deliveries d
     JOIN notification_webhooks w ON w.id = d.webhook_id WHERE w.customer_id = $1 ORDER BY d.at DESC, d.audit_id DESC LIMIT $2`, [customerId, limit])
  return rows.map((r) => ({ ...r, audit_id: String(r.audit_id), at: iso(r.at) }))
}
