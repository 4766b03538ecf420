/**
 * Reads what the savings report is made of: the customer, its optimizations (as the API presents
 * them), open recommendations with their validation state, the run-rate from the bill before the
 * first optimization and now, and the last 30 simulated days of the bill.
 */
import type { Deps } from '../deps.ts'
import type { SavingsReport } from '../../api/reports.ts'
import { errors } from '../errors.ts'
import { listRuns } from '../workflows/store.ts'
import { OPTIMIZATION_KIND } from '../workflows/optimization.ts'
import { presentOptimization } from '../optimizations/optimization.ts'
import { listPendingRecommendations } from '../optimizations/store.ts'
import { validationStatus } from '../recommendations/recommendation.ts'
import { assembleSavingsReport, firstStart } from './savings.ts'
import { currentMonthlySpend } from '../spend/current.ts'
import { monthlyRunRateUsd } from '../spend/run-rate.ts'
import { groupOf } from '../desired/groups.ts'
import { settledSavings } from '../billing/store.ts'

/** Window of the bill totals (simulated time). */
export const BILL_WINDOW_MS = 30 * 24 * 3_600_000

/** The savings report of one customer, from stored data and the provider's bill. */
export async function buildSavingsReport(deps: Pick<Deps, 'db' | 'clock' | 'cloud'>, customerId: string): Promise<SavingsReport> {
  const now = deps.clock.now()
  const rows = await deps.db.query<{ company_name: string }>('SELECT company_name FROM customers WHERE id = $1', [customerId])
  if (!rows[0]) throw new errors.OPT_NOT_FOUND('Customer')
  const [runs, pending, currentMonthly, lines, settled] = await Promise.all([
    listRuns(deps.db, customerId, OPTIMIZATION_KIND), listPendingRecommendations(deps.db, customerId),
    currentMonthlySpend(deps, customerId, now).then((c) => c.usd), deps.cloud.getBill(customerId, new Date(now.getTime() - BILL_WINDOW_MS), now),
    settledSavings(deps.db, customerId),
  ])
  const optimizations = runs.map(presentOptimization)
  const start = firstStart(optimizations)
  const before = start ? { at: start, monthly: await monthlyRunRateUsd(deps.cloud, customerId, start) } : null
  const open = pending.map((r) => ({
    id: r.id, type: r.type, title: r.title, agent_type: r.agentType, risk_level: r.riskLevel, deployment_id: r.plan.deploymentId ?? r.deploymentId,
    estimated_savings: r.estimatedSavingsUsd, validated: validationStatus(r.validators, r.validations) === 'validated', exclusive_group: groupOf(r),
  }))
  return assembleSavingsReport({
    customer: { id: customerId, company_name: rows[0].company_name }, now, optimizations, open, before, currentMonthly,
    bill: { from: new Date(now.getTime() - BILL_WINDOW_MS), to: now, lines }, settled,
  })
}
