/**
 * Optimizations settled against the imported bill: one change's settlement as the API shows it
 * (computed from the bill as it stands), and settling every completed change of a customer after
 * an import, so the dashboard and the reports read the settled figure instead of the provisional one.
 */
import type { BillSettlement } from '../../api/bills.ts'
import { billSettlement } from '../billing/settlement.ts'
import { upsertSettlement } from '../billing/store.ts'
import type { Deps } from '../deps.ts'
import { OPTIMIZATION_KIND } from '../workflows/optimization.ts'
import { ctxOf } from '../workflows/steps/context.ts'
import { POST_PROMOTION_WINDOW_MS } from '../workflows/steps/finish.ts'
import { listRuns } from '../workflows/store.ts'
import type { Run } from '../workflows/workflow.ts'

type SettleDeps = Pick<Deps, 'db' | 'clock' | 'config'>

/** A completed change against the imported bill; any other run has nothing to settle. */
export async function settlementOf(deps: SettleDeps, run: Run): Promise<BillSettlement> {
  if (run.status !== 'completed') return { status: 'not_applicable', reason: `the change is ${run.status}` }
  const c = ctxOf(run)
  return billSettlement(deps.db, run.customerId, { ...c, predictedUsd: c.recommendation.estimated_savings_usd }, deps.config.billSettlementHours, POST_PROMOTION_WINDOW_MS)
}

/** Settles every completed change of the customer the imported bills now cover; returns how many are settled. */
export async function settleCompletedChanges(deps: SettleDeps, customerId: string): Promise<number> {
  const completed = (await listRuns(deps.db, customerId, OPTIMIZATION_KIND)).filter((r) => r.status === 'completed')
  let settled = 0
  for (const run of completed) {
    const s = await settlementOf(deps, run)
    if (s.status !== 'settled') continue
    await upsertSettlement(deps.db, customerId, { optimization_id: run.id, actual_savings: s.actual_savings, monthly_cost_before: s.monthly_cost_before, monthly_cost_after: s.monthly_cost_after }, deps.clock.now())
    settled++
  }
  return settled
}
