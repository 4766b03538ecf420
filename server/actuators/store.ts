import type { Db } from '../db/db.ts'
import type { DeploymentState, GitLayout } from './actuator.ts'

/** A customer's configured actuator (none configured means `direct`). */
export interface ActuatorRecord {
  id: string
  customer_id: string
  kind: 'git' | 'manual'
  repository: string | null
  branch: string | null
  layout: GitLayout | null
  created_at: string
}

/** An instruction the manual actuator gave, and whether the fleet shows it applied. */
export interface ActionRecord {
  change_id: string
  deployment_id: string
  instruction: string
  wanted: DeploymentState
  created_at: string
  applied_at: string | null
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString())
const COLUMNS = 'id, customer_id, kind, repository, branch, layout, created_at'

function present(r: ActuatorRecord): ActuatorRecord {
  return { ...r, created_at: iso(r.created_at)! }
}

export async function insertActuator(db: Db, a: Omit<ActuatorRecord, 'created_at'>, now: Date): Promise<ActuatorRecord | null> {
  const rows = await db.query<ActuatorRecord>(
    `INSERT INTO actuators (id, customer_id, kind, repository, branch, layout, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (customer_id) DO NOTHING RETURNING ${COLUMNS}`,
    [a.id, a.customer_id, a.kind, a.repository, a.branch, a.layout, now])
  return rows[0] ? present(rows[0]) : null
}

export async function actuatorOf(db: Db, customerId: string): Promise<ActuatorRecord | null> {
  const rows = await db.query<ActuatorRecord>(`SELECT ${COLUMNS} FROM actuators WHERE customer_id = $1`, [customerId])
  return rows[0] ? present(rows[0]) : null
}

export async function deleteActuator(db: Db, customerId: string, id: string): Promise<boolean> {
  return (await db.query('DELETE FROM actuators WHERE customer_id = $1 AND id = $2 RETURNING id', [customerId, id])).length > 0
}

/** Every git actuator (the twin's controller follows their repositories after a restart). */
export async function gitActuators(db: Db): Promise<ActuatorRecord[]> {
  return (await db.query<ActuatorRecord>(`SELECT ${COLUMNS} FROM actuators WHERE kind = 'git' ORDER BY created_at`)).map(present)
}

/** Records an instruction once per change id; answers the stored one. */
export async function recordAction(db: Db, a: { actuatorId: string; customerId: string; changeId: string; deploymentId: string; instruction: string; wanted: DeploymentState }, now: Date): Promise<ActionRecord> {
  await db.query(
    `INSERT INTO actuator_actions (change_id, actuator_id, customer_id, deployment_id, instruction, wanted, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (change_id) DO NOTHING`,
    [a.changeId, a.actuatorId, a.customerId, a.deploymentId, a.instruction, JSON.stringify(a.wanted), now])
  const rows = await db.query<ActionRecord>('SELECT change_id, deployment_id, instruction, wanted, created_at, applied_at FROM actuator_actions WHERE change_id = $1', [a.changeId])
  return presentAction(rows[0]!)
}

export async function markApplied(db: Db, changeId: string, now: Date): Promise<void> {
  await db.query('UPDATE actuator_actions SET applied_at = $2 WHERE change_id = $1 AND applied_at IS NULL', [changeId, now])
}

export async function listActions(db: Db, customerId: string, limit = 100): Promise<ActionRecord[]> {
  const rows = await db.query<ActionRecord>(
    'SELECT change_id, deployment_id, instruction, wanted, created_at, applied_at FROM actuator_actions WHERE customer_id = $1 ORDER BY created_at DESC LIMIT $2', [customerId, limit])
  return rows.map(presentAction)
}

function presentAction(r: ActionRecord): ActionRecord {
  return { ...r, created_at: iso(r.created_at)!, applied_at: iso(r.applied_at) }
}
