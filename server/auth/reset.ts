/**
 * Operator password reset from the command line (`optiinfra reset-password`): the platform never
 * stores passwords in clear, so a lost one-time password is replaced, not shown again. The token
 * version is bumped in the same transaction, so every session of the old password ends.
 */
import { hash as hashPassword } from '@node-rs/bcrypt'
import type { Db } from '../db/db.ts'
import type { Clock } from '../clock.ts'
import { errors } from '../errors.ts'
import { recordAudit } from '../audit/store.ts'
import { BCRYPT_COST, normalizeEmail } from './account.ts'
import { findUserByEmail } from './store.ts'
import { randomSecret } from './tokens.ts'

/** An account as `optiinfra credentials` lists it (no secrets). */
export interface AccountSummary { email: string; role: 'admin' | 'customer'; disabled: boolean }

/** Every login of the platform, admins first. */
export async function listAccounts(db: Db): Promise<AccountSummary[]> {
  const rows = await db.query<{ email: string; role: 'admin' | 'customer'; disabled_at: Date | null }>(
    'SELECT email, role, disabled_at FROM users ORDER BY role = \'admin\' DESC, email')
  return rows.map((r) => ({ email: r.email, role: r.role, disabled: r.disabled_at !== null }))
}

/** A fresh random password with the letters-and-digits mix the signup rule asks for. */
export function newPassword(): string {
  return `${randomSecret(12)}7`
}

/** Sets a new password for `email`, revoking its sessions; returns the new password. */
export async function resetPassword(db: Db, clock: Clock, email: string, password = newPassword()): Promise<string> {
  const user = await findUserByEmail(db, normalizeEmail(email))
  if (!user) throw new errors.OPT_NOT_FOUND(`User ${email}`)
  const hash = await hashPassword(password, BCRYPT_COST)
  await db.tx(async (tx) => {
    await tx.query('UPDATE users SET password_hash = $2, token_version = token_version + 1 WHERE id = $1', [user.id, hash])
    await recordAudit(tx, clock, { customerId: user.customer_id, actor: 'cli:reset-password', action: 'user:password_reset', subjectType: 'user', subjectId: user.id })
  })
  return password
}
