/**
 * Declared canary gates (migration 0017), and every gate record of a deployment: the declared
 * ones over the defaults its SLO and the customer's preferences give.
 */
import type { Db } from '../db/db.ts'
import type { FleetDeployment } from '../cloud/provider.ts'
import { customerPreferences } from '../optimizations/store.ts'
import { thresholdsFor, type AnalysisThresholds } from '../rollouts/rollout.ts'
import { gateDefaultsOf } from '../rollouts/bake.ts'
import { policiesOf, type GateName, type GatePolicy, type GateSpec } from './policy.ts'

interface Row { gate: GateName; tolerance: number; alpha: number; min_samples: number; max_samples: number; updated_at: Date }

/** The gates declared for a deployment. */
export async function declaredGates(db: Db, customerId: string, deploymentId: string): Promise<Map<GateName, { spec: GateSpec; updated_at: string }>> {
  const rows = await db.query<Row>('SELECT gate, tolerance, alpha, min_samples, max_samples, updated_at FROM deployment_gates WHERE customer_id = $1 AND deployment_id = $2', [customerId, deploymentId])
  return new Map(rows.map((r) => [r.gate, {
    spec: { tolerance: Number(r.tolerance), alpha: Number(r.alpha), min_samples: Number(r.min_samples), max_samples: Number(r.max_samples) },
    updated_at: new Date(r.updated_at).toISOString(),
  }]))
}

/** Declares (or re-declares) one gate. */
export async function putGate(db: Db, customerId: string, deploymentId: string, gate: GateName, s: GateSpec, at: Date): Promise<void> {
  await db.query(
    `INSERT INTO deployment_gates (customer_id, deployment_id, gate, tolerance, alpha, min_samples, max_samples, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (customer_id, deployment_id, gate) DO UPDATE SET tolerance = EXCLUDED.tolerance, alpha = EXCLUDED.alpha,
       min_samples = EXCLUDED.min_samples, max_samples = EXCLUDED.max_samples, updated_at = EXCLUDED.updated_at`,
    [customerId, deploymentId, gate, s.tolerance, s.alpha, s.min_samples, s.max_samples, at])
}

/** Drops a declaration (the gate returns to its default); whether there was one. */
export async function deleteGate(db: Db, customerId: string, deploymentId: string, gate: GateName): Promise<boolean> {
  const rows = await db.query<{ gate: string }>('DELETE FROM deployment_gates WHERE customer_id = $1 AND deployment_id = $2 AND gate = $3 RETURNING gate', [customerId, deploymentId, gate])
  return rows.length > 0
}

/** Every gate record of a deployment, as a canary starting now would be judged by; `t` when the caller already has the thresholds. */
export async function gatePoliciesOf(db: Db, customerId: string, d: Pick<FleetDeployment, 'id' | 'slo'>, t?: AnalysisThresholds): Promise<GatePolicy[]> {
  const thresholds = t ?? thresholdsFor(d.slo, await customerPreferences(db, customerId))
  return policiesOf(await declaredGates(db, customerId, d.id), gateDefaultsOf(thresholds))
}
