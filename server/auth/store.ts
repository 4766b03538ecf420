import type { Db } from '../db/db.ts'

/** A user row. */
export interface UserRow {
  id: string; email: string; password_hash: string; role: 'admin' | 'customer'; customer_id: string | null
  token_version: number; disabled_at: Date | null
}

/** Finds a user by (normalized) email. */
export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  const rows = await db.query<UserRow>('SELECT id, email, password_hash, role, customer_id, token_version, disabled_at FROM users WHERE lower(email) = $1', [email])
  return rows[0]
}

/** Inserts a user; the unique index on lower(email) rejects duplicates. */
export async function insertUser(db: Db, u: Omit<UserRow, 'id' | 'token_version' | 'disabled_at'>): Promise<string> {
  const rows = await db.query<{ id: string }>(
    'INSERT INTO users (email, password_hash, role, customer_id) VALUES ($1, $2, $3, $4) RETURNING id',
    [u.email, u.password_hash, u.role, u.customer_id])
  return rows[0]!.id
}

/** Users of one customer (team members). */
export async function listUsersOfCustomer(db: Db, customerId: string): Promise<Pick<UserRow, 'id' | 'email' | 'role'>[]> {
  return db.query('SELECT id, email, role FROM users WHERE customer_id = $1 ORDER BY created_at', [customerId])
}

/** Reads a platform setting. */
export async function getSetting(db: Db, key: string): Promise<string | undefined> {
  return (await db.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key]))[0]?.value
}

/** Stores a setting unless present; returns the value that won (replicas may race at start-up). */
export async function putSettingOnce(db: Db, key: string, value: string): Promise<string> {
  await db.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, value])
  return (await getSetting(db, key))!
}
