import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BillSettlement } from '../../api/bills.ts'
import { startTestPlatform, type TestPlatform } from '../../server/test/platform.ts'
import { workflowService } from '../../server/workflows/service.ts'
import type { Service } from '../../server/services.ts'
import { completedSpotMigration, getOptimization, importTwinBill } from '../support/settled-change.ts'

// tags: e2e — issue 11 item 4's "realized savings of a completed change come from the imported
// bill": a spot migration completes on the twin, its provisional savings come from the run-rate; the
// twin's bill exported as FOCUS and imported through the same importer as a cloud's settles it,
// and the settled figures are those of a hand computation over the CSV's rows.
const HOUR = 3_600_000
let p: TestPlatform
let worker: Service
beforeAll(async () => {
  // one hour each side of the change (24 by default): 6 s of wall time at the tests' 600×
  p = await startTestPlatform({ workers: false, env: { OPTIINFRA_BILL_SETTLEMENT_HOURS: '1' } })
  worker = workflowService(p.deps, { pollMs: 100 })
  await worker.start()
}, 120_000)
afterAll(async () => { await worker?.stop(); await p?.stop() })

/** A group's hourly effective cost from FOCUS rows: per resource, cost over billed hours inside the window, each row prorated. */
function handRate(rows: Record<string, string>[], resources: string[], from: number, to: number): number {
  let rate = 0
  for (const r of resources) {
    let cost = 0
    let hours = 0
    for (const row of rows.filter((x) => x.ResourceId === r)) {
      const start = Date.parse(row.ChargePeriodStart!)
      const end = Date.parse(row.ChargePeriodEnd!)
      const inside = Math.max(0, Math.min(end, to) - Math.max(start, from))
      cost += Number(row.EffectiveCost) * inside / (end - start)
      if (row.ConsumedUnit === 'Hours') hours += inside / HOUR // data transfer (GB) adds cost, not time
    }
    if (hours > 0) rate += cost / hours
  }
  return rate
}

describe('e2e: realized savings settled from the imported FOCUS bill', () => {
  it('is awaiting the bill after completion, and settles from the imported lines of the groups before and after', async () => {
    const ch = await completedSpotMigration(p, 'Bill Settled Co')
    expect(ch.done.bill_settlement).toMatchObject({ status: 'awaiting_bill', covered_until: null })
    const dashboard = async () => (await p.http('GET', `/portal/customers/${ch.c.customerId}/dashboard`, { token: ch.c.token })).body
    expect(await dashboard()).toMatchObject({ realized_savings: ch.done.result.actual_savings, realized_settled: { settled: 0, completed: 1 } })
    const csv = await importTwinBill(p, ch)

    const s = (await getOptimization(p, ch.id, ch.c.token)).bill_settlement as Extract<BillSettlement, { status: 'settled' }>
    expect(s.status, JSON.stringify(s)).toBe('settled')
    expect(s.unbilled).toEqual([])
    const rows = parse(csv, { columns: true }) as Record<string, string>[]
    const canaryIds = ch.done.execution_steps.find((x) => x.name === 'deploy_canary')!.detail.canary_instances as string[]
    const w = { before: [Date.parse(s.windows.before.from), Date.parse(s.windows.before.to)], after: [Date.parse(s.windows.after.from), Date.parse(s.windows.after.to)] }
    expect(s.before_hourly_usd).toBeCloseTo(handRate(rows, ch.dep.stable.instanceIds, w.before[0]!, w.before[1]!), 3)
    expect(s.after_hourly_usd).toBeCloseTo(handRate(rows, canaryIds, w.after[0]!, w.after[1]!), 3)
    expect(s.actual_savings).toBeCloseTo((s.before_hourly_usd - s.after_hourly_usd) * 730, -1)
    // the provisional run-rate figure and the bill agree up to spot's hourly price moves
    expect(Math.abs(s.actual_savings - ch.done.result.actual_savings!)).toBeLessThan(0.05 * s.monthly_cost_before)
    expect(s.actual_savings).toBeGreaterThan(0)

    // the dashboard's and the report's realized savings now read the settled figure
    expect(await dashboard()).toMatchObject({ realized_savings: s.actual_savings, realized_settled: { settled: 1, completed: 1 } })
    const report = (await p.http('GET', `/customers/${ch.c.customerId}/reports/savings`, { token: ch.c.token })).body
    expect(report.optimizations.find((o: { id: string }) => o.id === ch.id)).toMatchObject({ actual_savings: s.actual_savings, settled_from_bill: true })
    expect(report.totals.realized_savings).toBe(s.actual_savings)
  }, 200_000)
})
