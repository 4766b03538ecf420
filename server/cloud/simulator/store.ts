/**
 * SQL of the simulated cloud: instance and deployment rows, the change log that makes provider
 * calls idempotent, cloud events and endpoint counters. Every function takes the Db (or a tx
 * handle) it runs on; callers choose the transaction.
 */
import type { Db } from '../../db/db.ts'
import type { EngineConfig, ModelSpec, TrafficProfile } from '../model/serving.ts'
import type { Cloud, GroupRole, Pricing, Slo } from '../provider.ts'
import type { HiddenVariation } from './variation.ts'

/** An instance as stored; its state is derived from the three times (see instances.ts). */
export interface InstanceRow {
  customer_id: string
  id: string
  cloud: Cloud
  region: string
  instance_type: string
  gpu_type: string
  gpu_count: number
  pricing: Pricing
  deployment_id: string | null
  grp: GroupRole | null
  launched_at: Date
  ready_at: Date
  terminated_at: Date | null
  notice_at: Date | null
  hourly_micros: number | null
  interrupt_checked_until: Date
  labels: Record<string, unknown>
}

/** A deployment as stored; group membership lives on the instance rows. */
export interface DeploymentRow {
  customer_id: string
  id: string
  name: string
  cloud: Cloud
  region: string
  model: ModelSpec
  traffic: TrafficProfile
  slo: Slo
  latency_critical: boolean
  stable_config: EngineConfig
  canary_config: EngineConfig | null
  canary_weight: number
  /** How it really serves, unlike its registration (variation.ts); null: as registered. Never leaves the simulator. */
  hidden: HiddenVariation | null
  created_at: Date
  updated_at: Date
}

const INSTANCE_COLS = `customer_id, id, cloud, region, instance_type, gpu_type, gpu_count, pricing, deployment_id, grp,
  launched_at, ready_at, terminated_at, notice_at, hourly_micros, interrupt_checked_until, labels`

// pg and PGlite both return timestamptz as Date and bigint as number here; normalise anyway.
function instanceOf(r: InstanceRow): InstanceRow {
  return {
    ...r, gpu_count: Number(r.gpu_count), hourly_micros: r.hourly_micros === null ? null : Number(r.hourly_micros),
    launched_at: new Date(r.launched_at), ready_at: new Date(r.ready_at),
    terminated_at: r.terminated_at && new Date(r.terminated_at), notice_at: r.notice_at && new Date(r.notice_at),
    interrupt_checked_until: new Date(r.interrupt_checked_until),
  }
}

function deploymentOf(r: DeploymentRow): DeploymentRow {
  return { ...r, canary_weight: Number(r.canary_weight), created_at: new Date(r.created_at), updated_at: new Date(r.updated_at) }
}

/** Inserts an instance, or updates the descriptive fields of one with the same id (re-registration). */
export async function upsertInstance(db: Db, r: InstanceRow): Promise<void> {
  await db.query(
    `INSERT INTO sim_instances (${INSTANCE_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17)
     ON CONFLICT (customer_id, id) DO UPDATE SET cloud = EXCLUDED.cloud, region = EXCLUDED.region,
       instance_type = EXCLUDED.instance_type, gpu_type = EXCLUDED.gpu_type, gpu_count = EXCLUDED.gpu_count,
       pricing = EXCLUDED.pricing, hourly_micros = EXCLUDED.hourly_micros, labels = EXCLUDED.labels`,
    [r.customer_id, r.id, r.cloud, r.region, r.instance_type, r.gpu_type, r.gpu_count, r.pricing, r.deployment_id, r.grp,
      r.launched_at, r.ready_at, r.terminated_at, r.notice_at, r.hourly_micros, r.interrupt_checked_until, JSON.stringify(r.labels)])
}

/** A customer's instances (all, or the given ids), oldest first. */
export async function listInstances(db: Db, customerId: string, ids?: string[]): Promise<InstanceRow[]> {
  const rows = await db.query<InstanceRow>(
    `SELECT ${INSTANCE_COLS} FROM sim_instances WHERE customer_id = $1 AND ($2::text[] IS NULL OR id = ANY($2::text[]))
     ORDER BY launched_at, id COLLATE "C"`, [customerId, ids ?? null])
  return rows.map(instanceOf)
}

/** Instances attached to one deployment (any group, any state). */
export async function instancesOfDeployment(db: Db, customerId: string, deploymentId: string): Promise<InstanceRow[]> {
  const rows = await db.query<InstanceRow>(
    `SELECT ${INSTANCE_COLS} FROM sim_instances WHERE customer_id = $1 AND deployment_id = $2 ORDER BY launched_at, id COLLATE "C"`,
    [customerId, deploymentId])
  return rows.map(instanceOf)
}

/** Moves instances into a deployment group (or out of every group with `grp` null). */
export async function setGroup(db: Db, customerId: string, ids: string[], deploymentId: string | null, grp: GroupRole | null): Promise<void> {
  if (ids.length === 0) return
  await db.query('UPDATE sim_instances SET deployment_id = $3, grp = $4 WHERE customer_id = $1 AND id = ANY($2::text[])',
    [customerId, ids, deploymentId, grp])
}

/** Marks instances terminated at `at` unless they already were (earlier). */
export async function terminate(db: Db, customerId: string, ids: string[], at: Date): Promise<void> {
  await db.query(
    `UPDATE sim_instances SET terminated_at = $3 WHERE customer_id = $1 AND id = ANY($2::text[])
     AND (terminated_at IS NULL OR terminated_at > $3)`, [customerId, ids, at])
}

/** Inserts a deployment or replaces its description (not its groups or canary). */
export async function upsertDeployment(db: Db, d: DeploymentRow): Promise<void> {
  await db.query(
    `INSERT INTO sim_deployments (customer_id, id, name, cloud, region, model, traffic, slo, latency_critical,
       stable_config, canary_config, canary_weight, created_at, updated_at, hidden)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)
     ON CONFLICT (customer_id, id) DO UPDATE SET name = EXCLUDED.name, cloud = EXCLUDED.cloud, region = EXCLUDED.region,
       model = EXCLUDED.model, traffic = EXCLUDED.traffic, slo = EXCLUDED.slo, latency_critical = EXCLUDED.latency_critical,
       stable_config = EXCLUDED.stable_config, updated_at = EXCLUDED.updated_at`,
    [d.customer_id, d.id, d.name, d.cloud, d.region, JSON.stringify(d.model), JSON.stringify(d.traffic), JSON.stringify(d.slo),
      d.latency_critical, JSON.stringify(d.stable_config), d.canary_config && JSON.stringify(d.canary_config), d.canary_weight,
      d.created_at, d.updated_at, d.hidden && JSON.stringify(d.hidden)])
}

/** Sets the group configs and canary weight of a deployment. */
export async function updateRouting(db: Db, customerId: string, id: string, r: { stable: EngineConfig; canary: EngineConfig | null; weight: number; at: Date }): Promise<void> {
  await db.query(
    `UPDATE sim_deployments SET stable_config = $3, canary_config = $4, canary_weight = $5, updated_at = $6
     WHERE customer_id = $1 AND id = $2`,
    [customerId, id, JSON.stringify(r.stable), r.canary && JSON.stringify(r.canary), r.weight, r.at])
}

/** Replaces the SLO the simulated deployment serves against (the platform's declared SLO). */
export async function updateSlo(db: Db, customerId: string, id: string, slo: Slo, at: Date): Promise<boolean> {
  return (await db.query('UPDATE sim_deployments SET slo = $3, updated_at = $4 WHERE customer_id = $1 AND id = $2 RETURNING id', [customerId, id, JSON.stringify(slo), at])).length > 0
}

/** A customer's deployments (all, or one id). */
export async function listDeployments(db: Db, customerId: string, id?: string): Promise<DeploymentRow[]> {
  const rows = await db.query<DeploymentRow>(
    'SELECT * FROM sim_deployments WHERE customer_id = $1 AND ($2::text IS NULL OR id = $2) ORDER BY created_at, id COLLATE "C"',
    [customerId, id ?? null])
  return rows.map(deploymentOf)
}

/** Deployments with this id across customers (for the un-scoped /sim paths; ambiguous when > 1). */
export async function findDeploymentsById(db: Db, id: string): Promise<DeploymentRow[]> {
  return (await db.query<DeploymentRow>('SELECT * FROM sim_deployments WHERE id = $1 LIMIT 2', [id])).map(deploymentOf)
}

/** Instances with this id across customers (for the un-scoped /sim paths). */
export async function findInstancesById(db: Db, id: string): Promise<InstanceRow[]> {
  return (await db.query<InstanceRow>(`SELECT ${INSTANCE_COLS} FROM sim_instances WHERE id = $1 LIMIT 2`, [id])).map(instanceOf)
}

/** Claims a change id for a method; returns the stored row when it was claimed before. */
export async function claimChange(db: Db, customerId: string, changeId: string, method: string, at: Date): Promise<{ method: string; result: unknown } | null> {
  const inserted = await db.query(
    `INSERT INTO sim_changes (customer_id, change_id, method, at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (customer_id, change_id) DO NOTHING RETURNING change_id`, [customerId, changeId, method, at])
  if (inserted.length > 0) return null
  const rows = await db.query<{ method: string; result: unknown }>(
    'SELECT method, result FROM sim_changes WHERE customer_id = $1 AND change_id = $2', [customerId, changeId])
  return rows[0] ?? null
}

/** Records the result of a claimed change. */
export async function saveChange(db: Db, customerId: string, changeId: string, result: unknown): Promise<void> {
  await db.query('UPDATE sim_changes SET result = $3 WHERE customer_id = $1 AND change_id = $2', [customerId, changeId, JSON.stringify(result)])
}

/** Releases a claimed change id (its call had no effect and may be retried). */
export async function releaseChange(db: Db, customerId: string, changeId: string): Promise<void> {
  await db.query('DELETE FROM sim_changes WHERE customer_id = $1 AND change_id = $2', [customerId, changeId])
}

/** A cloud event (interruption notice, reclaim, fault injection) as stored. */
export interface SimEvent { at: Date; kind: string; instance_id: string | null; deployment_id: string | null; detail: Record<string, unknown> }

/** Appends a cloud event. */
export async function insertEvent(db: Db, customerId: string, e: SimEvent): Promise<void> {
  await db.query('INSERT INTO sim_events (customer_id, at, kind, instance_id, deployment_id, detail) VALUES ($1,$2,$3,$4,$5,$6)',
    [customerId, e.at, e.kind, e.instance_id, e.deployment_id, JSON.stringify(e.detail)])
}

/** A customer's cloud events, oldest first. */
export async function listEvents(db: Db, customerId: string, limit = 1000): Promise<SimEvent[]> {
  const rows = await db.query<SimEvent>(
    'SELECT at, kind, instance_id, deployment_id, detail FROM sim_events WHERE customer_id = $1 ORDER BY at, id LIMIT $2', [customerId, limit])
  return rows.map((r) => ({ ...r, at: new Date(r.at) }))
}

/** Live spot instances whose interruption check lags behind `now` (all customers). */
export async function spotInstancesToCheck(db: Db, now: Date, limit = 500): Promise<InstanceRow[]> {
  const rows = await db.query<InstanceRow>(
    `SELECT ${INSTANCE_COLS} FROM sim_instances WHERE pricing = 'spot' AND terminated_at IS NULL AND interrupt_checked_until < $1
     ORDER BY interrupt_checked_until LIMIT $2`, [now, limit])
  return rows.map(instanceOf)
}

/**
 * Advances an instance's interruption checkpoint from `expected` (optimistic: false when another
 * process moved it first) and, for a notice, sets notice and reclaim times.
 */
export async function recordInterruptionCheck(db: Db, customerId: string, id: string, expected: Date, checkedUntil: Date, notice?: { at: Date; terminateAt: Date }): Promise<boolean> {
  const rows = await db.query(
    `UPDATE sim_instances SET interrupt_checked_until = $4,
       notice_at = CASE WHEN $5::timestamptz IS NOT NULL AND (terminated_at IS NULL OR terminated_at > $5::timestamptz) THEN $5::timestamptz ELSE notice_at END,
       terminated_at = CASE WHEN $6::timestamptz IS NOT NULL AND (terminated_at IS NULL OR terminated_at > $6::timestamptz) THEN $6::timestamptz ELSE terminated_at END
     WHERE customer_id = $1 AND id = $2 AND interrupt_checked_until = $3 RETURNING id`,
    [customerId, id, expected, checkedUntil, notice?.at ?? null, notice?.terminateAt ?? null])
  return rows.length > 0
}

/** Cumulative counters of one endpoint. */
export interface CounterRow<S> { created_at: Date; updated_at: Date; state: S }

/** Reads an endpoint's counters, locking the row inside a transaction on PostgreSQL. */
export async function getCounters<S>(db: Db, customerId: string, subject: string): Promise<CounterRow<S> | undefined> {
  const lock = db.kind === 'pg' ? ' FOR UPDATE' : ''
  const rows = await db.query<CounterRow<S>>(`SELECT created_at, updated_at, state FROM sim_counters WHERE customer_id = $1 AND subject = $2${lock}`, [customerId, subject])
  const r = rows[0]
  return r && { ...r, created_at: new Date(r.created_at), updated_at: new Date(r.updated_at) }
}

/** Writes an endpoint's counters. */
export async function putCounters<S>(db: Db, customerId: string, subject: string, row: CounterRow<S>): Promise<void> {
  await db.query(
    `INSERT INTO sim_counters (customer_id, subject, created_at, updated_at, state) VALUES ($1,$2,$3,$4,$5)
     ON CONFLICT (customer_id, subject) DO UPDATE SET updated_at = EXCLUDED.updated_at, state = EXCLUDED.state`,
    [customerId, subject, row.created_at, row.updated_at, JSON.stringify(row.state)])
}
