/**
 * Recommendations as deltas: stamping a stored draft with the generation it was computed on, the
 * fields it changes and its group of alternatives, against the deployment's desired spec. A
 * deployment without one yet (nothing executed on it) gives generation 1 and no fields: approval
 * computes them against generation 1, created then from what runs.
 */
import type { Db } from '../db/db.ts'
import type { ChangePlan, RecommendationType } from '../recommendations/recommendation.ts'
import { exclusiveGroupOf, fallbackGroup, touchesOf } from './spec.ts'
import { getDesired, stampDelta, type DeltaStamp } from './store.ts'

/** The delta of a plan of `type` on a deployment's current desired state. */
export async function deltaOf(db: Db, customerId: string, r: { type: RecommendationType; plan: ChangePlan }): Promise<DeltaStamp> {
  const desired = await getDesired(db, customerId, r.plan.deploymentId)
  if (!desired) return { baseGeneration: 1, touches: [], exclusiveGroup: fallbackGroup(r.plan.deploymentId, r.type) }
  const touches = touchesOf(r.plan, r.type, desired.spec)
  return { baseGeneration: desired.generation, touches, exclusiveGroup: exclusiveGroupOf(r.plan.deploymentId, touches) }
}

/** Stamps a stored recommendation with its delta. */
export async function stampDraft(tx: Db, customerId: string, recommendationId: string, r: { type: RecommendationType; plan: ChangePlan }): Promise<DeltaStamp> {
  const d = await deltaOf(tx, customerId, r)
  await stampDelta(tx, recommendationId, d)
  return d
}
