/**
 * SQL of desired states (migration 0012) and of the delta columns of recommendations: read a
 * deployment's desired state, create it from what runs when OptiInfra first sees the deployment,
 * record an executed change (generation + 1, the fields it changed), stamp a recommendation with
 * its base generation, touched fields and exclusive group, and supersede a group's alternatives.
 */
import type { Db } from '../db/db.ts'
import type { ChangePlan } from '../recommendations/recommendation.ts'
import { applyChange, type DesiredSpec, type DesiredState } from './spec.ts'

interface Row {
  customer_id: string; deployment_id: string; generation: number; spec: DesiredSpec; field_generations: Record<string, number>
  last_change: Record<string, unknown> | null; updated_at: Date
}

const COLS = 'customer_id, deployment_id, generation, spec, field_generations, last_change, updated_at'

function of(r: Row): DesiredState {
  return {
    customerId: r.customer_id, deploymentId: r.deployment_id, generation: Number(r.generation), spec: r.spec,
    fieldGenerations: r.field_generations ?? {}, lastChange: r.last_change, updatedAt: new Date(r.updated_at),
  }
}

/** A deployment's desired state, or null (optionally row-locked inside a transaction). */
export async function getDesired(db: Db, customerId: string, deploymentId: string, opts: { lock?: boolean } = {}): Promise<DesiredState | null> {
  const rows = await db.query<Row>(`SELECT ${COLS} FROM desired_states WHERE customer_id = $1 AND deployment_id = $2${opts.lock ? ' FOR UPDATE' : ''}`, [customerId, deploymentId])
  return rows[0] ? of(rows[0]) : null
}

/** Every desired state of a customer, by deployment id. */
export async function listDesired(db: Db, customerId: string): Promise<Map<string, DesiredState>> {
  const rows = await db.query<Row>(`SELECT ${COLS} FROM desired_states WHERE customer_id = $1`, [customerId])
  return new Map(rows.map((r) => [r.deployment_id, of(r)]))
}

/** Creates generation 1 from `spec` unless the deployment already has a desired state; returns the stored one. */
export async function insertDesiredIfMissing(db: Db, customerId: string, deploymentId: string, spec: DesiredSpec, at: Date): Promise<DesiredState> {
  await db.query(
    `INSERT INTO desired_states (customer_id, deployment_id, generation, spec, updated_at) VALUES ($1, $2, 1, $3, $4)
     ON CONFLICT (customer_id, deployment_id) DO NOTHING`, [customerId, deploymentId, JSON.stringify(spec), at])
  return (await getDesired(db, customerId, deploymentId))!
}

/** An executed change, as the desired state records it. */
export interface ExecutedChange { customerId: string; deploymentId: string; plan: ChangePlan; touches: string[]; optimizationId: string; recommendationId: string | null; at: Date }

/** Applies an executed change: spec = its plan, generation + 1, its fields stamped with the new generation. */
export async function recordExecutedChange(tx: Db, c: ExecutedChange): Promise<DesiredState> {
  const current = (await getDesired(tx, c.customerId, c.deploymentId, { lock: true }))
    ?? (await insertDesiredIfMissing(tx, c.customerId, c.deploymentId, { pools: c.plan.pools, engine: c.plan.config, slo: null }, c.at))
  const generation = current.generation + 1
  const fields = { ...current.fieldGenerations, ...Object.fromEntries(c.touches.map((f) => [f, generation])) }
  const last = { generation, optimization_id: c.optimizationId, recommendation_id: c.recommendationId, touches: c.touches, summary: c.plan.summary, at: c.at.toISOString() }
  const rows = await tx.query<Row>(
    `UPDATE desired_states SET generation = $3, spec = $4, field_generations = $5, last_change = $6, updated_at = $7
     WHERE customer_id = $1 AND deployment_id = $2 RETURNING ${COLS}`,
    [c.customerId, c.deploymentId, generation, JSON.stringify(applyChange(current.spec, c.plan)), JSON.stringify(fields), JSON.stringify(last), c.at])
  return of(rows[0]!)
}

/** A recommendation's delta columns. */
export interface DeltaStamp { baseGeneration: number; touches: string[]; exclusiveGroup: string | null }

/** Stamps a recommendation with the generation it was computed (or rebased) on, its fields and its group. */
export async function stampDelta(tx: Db, recommendationId: string, d: DeltaStamp): Promise<void> {
  await tx.query('UPDATE recommendations SET base_generation = $2, touches = $3, exclusive_group = $4 WHERE id = $1',
    [recommendationId, d.baseGeneration, JSON.stringify(d.touches), d.exclusiveGroup])
}

/** Stores a rebased recommendation: its plan on the current spec and the figures re-validation computed. */
export async function storeRebased(tx: Db, id: string, r: { plan: ChangePlan; savingsUsd: number; riskLevel: string; predicted: unknown; baseGeneration: number; evidencePatch: Record<string, unknown>; at: Date }): Promise<void> {
  await tx.query(
    `UPDATE recommendations SET plan = $2, estimated_savings_micros = $3, risk_level = $4, predicted = $5, base_generation = $6,
       evidence = evidence || $7::jsonb, evidence_at = $8, updated_at = $8 WHERE id = $1`,
    [id, JSON.stringify(r.plan), Math.round(r.savingsUsd * 1e6), r.riskLevel, JSON.stringify(r.predicted), r.baseGeneration, JSON.stringify(r.evidencePatch), r.at])
}

/** Supersedes the other pending alternatives of a group (approving one excludes the rest); returns their ids. */
export async function supersedeGroup(tx: Db, customerId: string, group: string, keepId: string, by: string, reason: string, at: Date): Promise<string[]> {
  const rows = await tx.query<{ id: string }>(
    `UPDATE recommendations SET status = 'superseded', decided_by = $4, decided_at = $6, reject_reason = $5, updated_at = $6
     WHERE customer_id = $1 AND exclusive_group = $2 AND id <> $3 AND status = 'pending' RETURNING id`, [customerId, group, keepId, by, reason, at])
  return rows.map((r) => r.id)
}
