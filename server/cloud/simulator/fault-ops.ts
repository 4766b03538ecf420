/**
 * Injecting and clearing faults (admin only, simulator only). Faults are rows with a time window;
 * their effects are applied where the simulator serves, launches and bills. A spot-interruption
 * fault acts at once: every matching live spot instance gets its cloud's notice now.
 */
import { errors } from '../../errors.ts'
import { findInstanceType } from '../catalog/catalog.ts'
import { isCustomerId, type SimContext } from './context.ts'
import { clearFault as clearRow, insertFault, listFaults, setFaultDetail } from './fault-store.ts'
import { DEFAULT_MAGNITUDE, magnitudeProblem, type Fault, type FaultKind, type FaultTarget } from './faults.ts'
import { groupMembers, runningAt } from './instances.ts'
import { listDeployments, listInstances, type InstanceRow } from './store.ts'
import { issueNotice } from './ticker.ts'

/** A fault to inject, as the admin API takes it. */
export interface FaultInput {
  customer_id: string
  deployment_id?: string
  target: FaultTarget
  kind: FaultKind
  magnitude?: number
  instance_type?: string
  /** capacity_shortage only: limit the shortage to one pricing (default: every pricing). */
  pricing?: 'spot' | 'on-demand'
  duration_seconds?: number
}

function spotTargets(rows: InstanceRow[], f: Fault, now: Date): InstanceRow[] {
  const live = rows.filter((r) => r.pricing === 'spot' && runningAt(r, now) && !r.notice_at)
  if (!f.deploymentId) return live.filter((r) => f.target === 'all' || r.grp === f.target)
  const groups = f.target === 'all' ? (['stable', 'canary'] as const) : [f.target]
  const members = new Set(groups.flatMap((g) => groupMembers(rows, f.deploymentId!, g, now)).map((r) => r.id))
  return live.filter((r) => members.has(r.id))
}

/** Stores a fault (and, for spot_interruption, issues the notices); throws catalog errors on bad input. */
export async function injectFault(ctx: SimContext, input: FaultInput): Promise<Fault> {
  if (!isCustomerId(input.customer_id)) throw new errors.OPT_NOT_FOUND('Customer')
  const magnitude = input.magnitude ?? DEFAULT_MAGNITUDE[input.kind]
  const problem = magnitudeProblem(input.kind, magnitude)
  if (problem) throw new errors.OPT_VALIDATION_FAILED(problem)
  if (input.kind === 'capacity_shortage' && !input.instance_type && !input.pricing) throw new errors.OPT_VALIDATION_FAILED('capacity_shortage needs instance_type or pricing')
  if (input.pricing && input.kind !== 'capacity_shortage') throw new errors.OPT_VALIDATION_FAILED('pricing applies to capacity_shortage only')
  if (input.instance_type && !findInstanceType(ctx.catalog, 'aws', input.instance_type) && !findInstanceType(ctx.catalog, 'gcp', input.instance_type)) {
    throw new errors.OPT_CATALOG_UNKNOWN_INSTANCE_TYPE(input.instance_type, 'AWS/GCP')
  }
  const now = ctx.clock.now()
  const fault = await ctx.db.tx(async (tx) => {
    if ((await tx.query('SELECT 1 FROM customers WHERE id = $1', [input.customer_id])).length === 0) throw new errors.OPT_NOT_FOUND('Customer')
    if (input.deployment_id && (await listDeployments(tx, input.customer_id, input.deployment_id)).length === 0) throw new errors.OPT_NOT_FOUND('Deployment')
    return insertFault(tx, {
      customerId: input.customer_id, deploymentId: input.deployment_id ?? null, target: input.target, kind: input.kind, magnitude,
      instanceType: input.instance_type ?? null, createdAt: now, detail: input.pricing ? { pricing: input.pricing } : {},
      expiresAt: input.duration_seconds === undefined ? null : new Date(now.getTime() + input.duration_seconds * 1000),
    })
  })
  if (fault.kind !== 'spot_interruption') return fault
  const interrupted: string[] = []
  for (const r of spotTargets(await listInstances(ctx.db, fault.customerId), fault, now)) {
    if (await issueNotice(ctx, r, now, now, `fault ${fault.id}`)) interrupted.push(r.id)
  }
  fault.detail = { interrupted_instance_ids: interrupted }
  await setFaultDetail(ctx.db, fault.id, fault.detail)
  return fault
}

/** A customer's faults (newest first); `activeOnly` hides cleared and expired ones. */
export async function listCustomerFaults(ctx: SimContext, customerId: string, activeOnly = false): Promise<Fault[]> {
  return listFaults(ctx.db, customerId, activeOnly ? ctx.clock.now() : undefined)
}

/** Clears a fault now; its past effect stays in the metrics of the past. */
export async function clearFault(ctx: SimContext, id: string): Promise<Fault> {
  const f = await clearRow(ctx.db, id, ctx.clock.now())
  if (!f) throw new errors.OPT_NOT_FOUND('Fault')
  return f
}
