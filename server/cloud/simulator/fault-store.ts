/** SQL for injected faults. */
import type { Db } from '../../db/db.ts'
import type { Fault, FaultKind, FaultTarget } from './faults.ts'

interface FaultRow {
  id: string; customer_id: string; deployment_id: string | null; target: FaultTarget; kind: FaultKind; magnitude: number
  instance_type: string | null; created_at: Date; expires_at: Date | null; cleared_at: Date | null; detail: Record<string, unknown>
}

function faultOf(r: FaultRow): Fault {
  return {
    id: r.id, customerId: r.customer_id, deploymentId: r.deployment_id, target: r.target, kind: r.kind, magnitude: Number(r.magnitude),
    instanceType: r.instance_type, createdAt: new Date(r.created_at), expiresAt: r.expires_at && new Date(r.expires_at),
    clearedAt: r.cleared_at && new Date(r.cleared_at), detail: r.detail ?? {},
  }
}

/** Stores a new fault and returns it with its id. */
export async function insertFault(db: Db, f: Omit<Fault, 'id' | 'clearedAt'>): Promise<Fault> {
  const rows = await db.query<FaultRow>(
    `INSERT INTO sim_faults (customer_id, deployment_id, target, kind, magnitude, instance_type, created_at, expires_at, detail)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING *`,
    [f.customerId, f.deploymentId, f.target, f.kind, f.magnitude, f.instanceType, f.createdAt, f.expiresAt, JSON.stringify(f.detail)])
  return faultOf(rows[0]!)
}

/** A customer's faults, newest first; `liveAt` keeps those not cleared or expired by then. */
export async function listFaults(db: Db, customerId: string, liveAt?: Date): Promise<Fault[]> {
  const rows = await db.query<FaultRow>(
    `SELECT * FROM sim_faults WHERE customer_id = $1
       AND ($2::timestamptz IS NULL OR ((cleared_at IS NULL OR cleared_at > $2) AND (expires_at IS NULL OR expires_at > $2)))
     ORDER BY created_at DESC, id`, [customerId, liveAt ?? null])
  return rows.map(faultOf)
}

/** Clears a fault at `at`; false when there is no such fault or it was already cleared. */
export async function clearFault(db: Db, id: string, at: Date): Promise<Fault | null> {
  const rows = await db.query<FaultRow>('UPDATE sim_faults SET cleared_at = $2 WHERE id = $1 AND cleared_at IS NULL RETURNING *', [id, at])
  return rows[0] ? faultOf(rows[0]) : null
}

/** Records what a fault did (e.g. the instances a spot-interruption fault reclaimed). */
export async function setFaultDetail(db: Db, id: string, detail: Record<string, unknown>): Promise<void> {
  await db.query('UPDATE sim_faults SET detail = $2 WHERE id = $1', [id, JSON.stringify(detail)])
}
