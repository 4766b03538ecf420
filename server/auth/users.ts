/**
 * Revoking user sessions: logout, disabling and deleting a user. Each bumps the user's token
 * version (or removes the row) in the same transaction as its audit entry, then tells live
 * sessions so open WebSockets of that user close; the token check in `resolvePrincipal` does the rest.
 */
import type { Db } from '../db/db.ts'
import type { Clock } from '../clock.ts'
import { errors } from '../errors.ts'
import { recordAudit } from '../audit/store.ts'
import type { LiveHub } from '../http/live.ts'

/** The live channel of platform-wide auth events (not a tenant): every WebSocket session listens. */
export const AUTH_EVENTS_CHANNEL = '*'
export const REVOKED_EVENT = 'auth:revoked'

/** A user as the admin API shows it. */
export interface UserView { id: string; email: string; role: 'admin' | 'customer'; customer_id: string | null; disabled: boolean }

interface Actor { userId: string; label: string }

async function userView(db: Db, id: string): Promise<UserView | undefined> {
  const rows = await db.query<{ id: string; email: string; role: 'admin' | 'customer'; customer_id: string | null; disabled_at: Date | null }>(
    'SELECT id, email, role, customer_id, disabled_at FROM users WHERE id = $1', [id])
  const r = rows[0]
  return r && { id: r.id, email: r.email, role: r.role, customer_id: r.customer_id, disabled: r.disabled_at !== null }
}

async function announce(live: LiveHub, clock: Clock, userId: string): Promise<void> {
  await live.publish({ type: REVOKED_EVENT, customerId: AUTH_EVENTS_CHANNEL, data: { userId }, at: clock.now().toISOString() }).catch(() => undefined)
}

/** Ends every session of the caller (all devices): their tokens stop working at once. */
export async function logout(db: Db, live: LiveHub, clock: Clock, userId: string, customerId: string | null): Promise<void> {
  await db.tx(async (tx) => {
    await tx.query('UPDATE users SET token_version = token_version + 1 WHERE id = $1', [userId])
    await recordAudit(tx, clock, { customerId, actor: `user:${userId}`, action: 'user:logged_out', subjectType: 'user', subjectId: userId })
  })
  await announce(live, clock, userId)
}

function refuseSelf(actor: Actor, id: string): void {
  if (actor.userId === id) throw new errors.OPT_STATE_INVALID('an admin cannot disable or delete their own account')
}

/** Disables (revoking every token) or re-enables a user. */
export async function setUserDisabled(db: Db, live: LiveHub, clock: Clock, actor: Actor, id: string, disabled: boolean): Promise<UserView> {
  refuseSelf(actor, id)
  const before = await userView(db, id)
  if (!before) throw new errors.OPT_NOT_FOUND('User')
  await db.tx(async (tx) => {
    await tx.query(
      `UPDATE users SET disabled_at = CASE WHEN $2 THEN coalesce(disabled_at, $3::timestamptz) ELSE NULL END,
         token_version = token_version + CASE WHEN $2 THEN 1 ELSE 0 END WHERE id = $1`, [id, disabled, clock.now()])
    await recordAudit(tx, clock, { customerId: before.customer_id, actor: actor.label, action: disabled ? 'user:disabled' : 'user:enabled', subjectType: 'user', subjectId: id })
  })
  if (disabled) await announce(live, clock, id)
  return { ...before, disabled }
}

/** Deletes a user; their tokens stop working at once. */
export async function deleteUser(db: Db, live: LiveHub, clock: Clock, actor: Actor, id: string): Promise<void> {
  refuseSelf(actor, id)
  const before = await userView(db, id)
  if (!before) throw new errors.OPT_NOT_FOUND('User')
  await db.tx(async (tx) => {
    await tx.query('DELETE FROM users WHERE id = $1', [id])
    await recordAudit(tx, clock, { customerId: before.customer_id, actor: actor.label, action: 'user:deleted', subjectType: 'user', subjectId: id, detail: { email: before.email } })
  })
  await announce(live, clock, id)
}
