import type { Db } from '../db/db.ts'
import type { Customer } from '../../api/accounts.ts'
import type { Preferences } from '../../api/common.ts'

interface CustomerRow { id: string; company_name: string; plan: string; cloud_provider: string | null; preferences: Preferences; created_at: Date }

const COLUMNS = 'id, company_name, plan, cloud_provider, preferences, created_at'

function present(r: CustomerRow): Customer {
  return { ...r, created_at: new Date(r.created_at).toISOString() }
}

/** Inserts a customer. */
export async function insertCustomer(db: Db, c: { company_name: string; plan: string; cloud_provider?: string | null; preferences?: Preferences }): Promise<Customer> {
  const rows = await db.query<CustomerRow>(
    `INSERT INTO customers (company_name, plan, cloud_provider, preferences) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
    [c.company_name, c.plan, c.cloud_provider ?? null, JSON.stringify(c.preferences ?? {})])
  return present(rows[0]!)
}

/** One customer, or undefined. */
export async function getCustomer(db: Db, id: string): Promise<Customer | undefined> {
  const rows = await db.query<CustomerRow>(`SELECT ${COLUMNS} FROM customers WHERE id = $1`, [id])
  return rows[0] && present(rows[0])
}

/** Customers, all (admin) or only one (a customer's own). */
export async function listCustomers(db: Db, onlyId?: string | null): Promise<Customer[]> {
  const rows = await db.query<CustomerRow>(
    `SELECT ${COLUMNS} FROM customers WHERE ($1::uuid IS NULL OR id = $1) ORDER BY created_at, id`, [onlyId ?? null])
  return rows.map(present)
}

/** Updates the given fields; preferences are merged key by key. */
export async function updateCustomer(db: Db, id: string, patch: { company_name?: string; plan?: string; preferences?: Preferences; cloud_provider?: string }): Promise<Customer | undefined> {
  const rows = await db.query<CustomerRow>(
    `UPDATE customers SET company_name = COALESCE($2, company_name), plan = COALESCE($3, plan),
       preferences = preferences || COALESCE($4::jsonb, '{}'::jsonb), cloud_provider = COALESCE($5, cloud_provider), updated_at = now()
     WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, patch.company_name ?? null, patch.plan ?? null, patch.preferences ? JSON.stringify(patch.preferences) : null, patch.cloud_provider ?? null])
  return rows[0] && present(rows[0])
}
