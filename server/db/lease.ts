/**
 * Named leases for singleton background jobs across replicas sharing one store (migration 0008).
 * Expiry is database time (`clock_timestamp()`), as for workflow leases: replicas' clocks differ.
 */
import type { Db } from './db.ts'

/** Takes the lease `name` for `holder`, or renews it, for `ttlMs`; true when `holder` holds it now. */
export async function holdLease(db: Db, name: string, holder: string, ttlMs: number): Promise<boolean> {
  const rows = await db.query<{ holder: string }>(
    `INSERT INTO service_leases (name, holder, expires_at) VALUES ($1, $2, clock_timestamp() + $3 * interval '1 millisecond')
     ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
       WHERE service_leases.holder = EXCLUDED.holder OR service_leases.expires_at < clock_timestamp()
     RETURNING holder`, [name, holder, ttlMs])
  return rows.length > 0
}

/** Gives the lease up at once (a clean stop), so another replica need not wait for it to lapse. */
export async function releaseLease(db: Db, name: string, holder: string): Promise<void> {
  await db.query('DELETE FROM service_leases WHERE name = $1 AND holder = $2', [name, holder])
}
