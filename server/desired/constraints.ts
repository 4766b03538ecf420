/**
 * The customer's constraints hold everywhere: the same check runs when an agent's draft is stored,
 * when a validator's verdict arrives, at approval and before each rollout step. GPU families come
 * from the price catalog (loaded once); the planned monthly cost is the caller's estimate.
 */
import { bundledCatalog, findInstanceType } from '../cloud/catalog/catalog.ts'
import type { Cloud } from '../cloud/provider.ts'
import type { Db } from '../db/db.ts'
import type { ChangePlan } from '../recommendations/recommendation.ts'
import { customerPreferences } from '../optimizations/store.ts'
import { constraintsFor, constraintViolation } from './spec.ts'

/** The GPU type of an instance type (catalog), or undefined when unknown. */
export function gpuOf(cloud: Cloud, instanceType: string): string | undefined {
  return findInstanceType(bundledCatalog(), cloud, instanceType)?.gpuType
}

/** Why the plan breaks one of the customer's constraints on its deployment, or null. */
export async function planViolation(db: Db, customerId: string, plan: ChangePlan, plannedMonthlyUsd: number | null): Promise<string | null> {
  const prefs = await customerPreferences(db, customerId)
  return constraintViolation(plan, constraintsFor(prefs, plan.deploymentId), { gpuOf, plannedMonthlyUsd })
}
