import { hash, verify } from '@node-rs/bcrypt'
import type { Db } from '../db/db.ts'
import { errors } from '../errors.ts'
import { BCRYPT_COST, isStrongPassword, MIN_PASSWORD_LENGTH, normalizeEmail } from './account.ts'
import { findUserByEmail, insertUser } from './store.ts'
import { insertCustomer } from '../customers/store.ts'
import { recordAudit } from '../audit/store.ts'
import type { Clock } from '../clock.ts'
import type { TokenService } from './tokens.ts'

/** What a signup needs. */
export interface SignupInput { email: string; company_name: string; password: string; plan?: string }

/** Creates a customer and its first user in one transaction; a taken email is 409, a weak password 400. */
export async function signup(db: Db, clock: Clock, input: SignupInput): Promise<{ customerId: string; userId: string }> {
  if (!isStrongPassword(input.password)) throw new errors.OPT_AUTH_WEAK_PASSWORD(String(MIN_PASSWORD_LENGTH))
  const email = normalizeEmail(input.email)
  const passwordHash = await hash(input.password, BCRYPT_COST)
  return db.tx(async (tx) => {
    if (await findUserByEmail(tx, email)) throw new errors.OPT_AUTH_EMAIL_TAKEN()
    const customer = await insertCustomer(tx, { company_name: input.company_name, plan: input.plan ?? 'starter' })
    const userId = await insertUser(tx, { email, password_hash: passwordHash, role: 'customer', customer_id: customer.id })
    await recordAudit(tx, clock, { customerId: customer.id, actor: `user:${userId}`, action: 'customer:signed_up', subjectType: 'customer', subjectId: customer.id })
    return { customerId: customer.id, userId }
  })
}

/** Creates an admin (or returns the existing one with that email). */
export async function ensureAdmin(db: Db, email: string, password: string): Promise<string> {
  const normalized = normalizeEmail(email)
  const existing = await findUserByEmail(db, normalized)
  if (existing) return existing.id
  return insertUser(db, { email: normalized, password_hash: await hash(password, BCRYPT_COST), role: 'admin', customer_id: null })
}

// A fixed hash compared against when the user does not exist, so timing does not reveal which part was wrong;
// started at load in the thread pool, so start-up does not wait for it and the first login does not pay for it.
const DUMMY_HASH = hash('not-a-real-password-0', BCRYPT_COST)

/** Checks credentials and issues an access token; any mismatch is the same 401. */
export async function login(db: Db, tokens: TokenService, username: string, password: string) {
  const user = await findUserByEmail(db, normalizeEmail(username))
  const ok = await verify(password, user?.password_hash ?? (await DUMMY_HASH))
  // a disabled account answers like a wrong password: no hint which accounts exist
  if (!user || !ok || user.disabled_at) throw new errors.OPT_AUTH_BAD_CREDENTIALS()
  const { token, expiresIn } = await tokens.sign({ userId: user.id, role: user.role, customerId: user.customer_id, tokenVersion: user.token_version })
  return { access_token: token, token_type: 'bearer' as const, expires_in: expiresIn, customer_id: user.customer_id, role: user.role }
}
